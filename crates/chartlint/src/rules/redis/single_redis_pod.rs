use super::{diag, replicas};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA136",
    name: "single-redis-pod",
    severity: Error,
    category: Availability,
    summary: "replicas 0 or 1: no replica, no failover (and nothing runs with 0).",
    doc: r#"
### What it checks
Reports `replicas` of 0 or 1.

### Why it matters
With one pod there is no replica to promote and a single Sentinel: any restart of that pod is an
outage, and the chart's default `min-replicas-to-write 1` makes the master refuse every write
(RHA104). With 0 no Redis runs at all. This chart exists to run a replicated, failing-over
Redis.

### Example
```yaml
replicas: 1
```

### Fix
Use `replicas: 3`. For a single, non-HA Redis use a simpler chart.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let d = match replicas(cx) {
        Some(0) => diag(&META, cx, "/replicas", "replicas 0: no Redis pod runs"),
        Some(1) => diag(&META, cx, "/replicas", "replicas 1: a single Redis with no replica")
            .with_note("no failover is possible, and every restart of the pod is an outage"),
        _ => return,
    };
    out.push(d.with_help("set `replicas: 3`"));
}
