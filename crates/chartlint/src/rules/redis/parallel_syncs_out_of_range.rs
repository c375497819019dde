use super::{diag, sentinel_option};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA113",
    name: "parallel-syncs-out-of-range",
    severity: Warning,
    category: Sentinel,
    summary: "parallel-syncs 0 or less: no replica is reconfigured after a failover until failover-timeout.",
    doc: r#"
### What it checks
Reports `sentinel.config.parallel-syncs` of 0 or less.

### Why it matters
Sentinel reconfigures at most parallel-syncs replicas at once after a failover
(`in_progress < parallel_syncs`): with 0 none is pointed at the new master until the
failover-timeout fallback, minutes later. Sentinel accepts 0 from the file but refuses it at
`SENTINEL SET`.

### Example
```yaml
sentinel:
  config:
    parallel-syncs: 0
```

### Fix
Use 1 (replicas resync one at a time and keep serving reads) or more.

### References
- Redis Sentinel, configuration: https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
- sentinel.c (the config file's time values): https://github.com/redis/redis/blob/7.2.6/src/sentinel.c
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(d) = sentinel_option(cx, "parallel-syncs") else {
        return;
    };
    let Ok(n) = d.value.trim().parse::<i64>() else {
        return;
    };
    if n > 0 {
        return;
    }
    out.push(
        diag(&META, cx, &d.ptr, format!("parallel-syncs {n} reconfigures no replica after a failover"))
            .with_note("no replica follows the new master until failover-timeout expires")
            .with_help("set `parallel-syncs: 1`"),
    );
}
