use super::{diag, redis_directive, replicas};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA106",
    name: "min-replicas-to-write-disabled",
    severity: Info,
    category: Sentinel,
    summary: "min-replicas-to-write 0: an isolated master keeps accepting writes that are lost at failover.",
    doc: r#"
### What it checks
Reports an effective `min-replicas-to-write` of 0 (or unset) when there are replicas.

### Why it matters
When the master is cut off from the other pods, Sentinel promotes a replica on the majority side,
while clients that still reach the old master keep writing to it. Those writes are discarded
when it rejoins as a replica. With `min-replicas-to-write 1` and `min-replicas-max-lag 5` the old
master stops accepting writes after about 5 s; with 0 the window lasts as long as the partition.

### Example
```yaml
redis:
  config:
    min-replicas-to-write: 0
```

### Fix
Set `min-replicas-to-write: 1` and `min-replicas-max-lag: 5` with 3 or more pods.

### References
- Redis replication, "Allow writes only with N attached replicas": https://redis.io/docs/latest/operate/oss_and_stack/management/replication/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if replicas(cx).unwrap_or(0) < 2 {
        return;
    }
    let d = match redis_directive(cx, "min-replicas-to-write") {
        Some(d) if d.value.trim() == "0" => diag(
            &META,
            cx,
            &d.ptr,
            format!("`{} 0` lets an isolated master accept writes", d.key),
        )
        .with_note("a master cut off from the others keeps accepting writes for as long as the partition lasts, and they are lost when it rejoins as a replica"),
        Some(_) => return,
        None => return,
    };
    out.push(d.with_help(
        "set `min-replicas-to-write: 1` and `min-replicas-max-lag: 5` (with 3 or more pods)",
    ));
}
