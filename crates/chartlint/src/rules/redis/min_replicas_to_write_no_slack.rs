use super::{diag, redis_directive, replicas};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA105",
    name: "min-replicas-to-write-no-slack",
    severity: Warning,
    category: Sentinel,
    summary: "min-replicas-to-write equals replicas - 1: losing one replica stops all writes.",
    doc: r#"
### What it checks
Reports an effective `min-replicas-to-write` greater than 0 and equal to `replicas - 1`.

### Why it matters
The master needs every replica online to accept writes, so a single replica restart (a node
drain, a rolling update) stops writes: `NOREPLICAS`.

### Example
```yaml
replicas: 2
redis:
  config:
    min-replicas-to-write: 1
```

### Fix
Run one more pod, or lower `min-replicas-to-write` (1 with 3 pods).

### References
- Redis replication, "Allow writes only with N attached replicas": https://redis.io/docs/latest/operate/oss_and_stack/management/replication/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(pods) = replicas(cx) else { return };
    let Some(d) = redis_directive(cx, "min-replicas-to-write") else {
        return;
    };
    let Ok(n) = d.value.trim().parse::<i64>() else {
        return;
    };
    if n <= 0 || n != i64::from(pods) - 1 {
        return;
    }
    out.push(
        diag(
            &META,
            cx,
            &d.ptr,
            format!("`{} {n}` with {pods} pods needs every replica online", d.key),
        )
        .with_note("losing one replica (a restart, a drain) stops all writes")
        .with_help(format!("run {} pods, or set `{}: {}`", pods.saturating_add(1), d.key, n - 1)),
    );
}
