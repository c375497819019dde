use super::{diag, redis_directive};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA107",
    name: "min-replicas-max-lag-zero",
    severity: Warning,
    category: Sentinel,
    summary: "min-replicas-max-lag 0 silently turns min-replicas-to-write off.",
    doc: r#"
### What it checks
Reports `min-replicas-max-lag` 0 while `min-replicas-to-write` is above 0.

### Why it matters
Redis disables the check when either value is 0 (`refreshGoodSlavesCount` returns early), so the protection you configured does nothing.

### Example
```yaml
redis:
  config:
    min-replicas-to-write: 1
    min-replicas-max-lag: 0
```

### Fix
Set `min-replicas-max-lag` to a few seconds (5 or 10).

### References
- Redis replication, "Allow writes only with N attached replicas": https://redis.io/docs/latest/operate/oss_and_stack/management/replication/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(lag) = redis_directive(cx, "min-replicas-max-lag") else {
        return;
    };
    let to_write = redis_directive(cx, "min-replicas-to-write")
        .and_then(|d| d.value.trim().parse::<i64>().ok())
        .unwrap_or(0);
    if lag.value.trim() != "0" || to_write <= 0 {
        return;
    }
    out.push(
        diag(
            &META,
            cx,
            &lag.ptr,
            format!("`{} 0` turns min-replicas-to-write {to_write} off: Redis ignores the check when either value is 0", lag.key),
        )
        .with_help(format!("set `{}: 5`", lag.key)),
    );
}
