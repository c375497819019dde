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
Reports `replicas: 0` (an error: nothing runs) and `replicas: 1` (a warning: a single pod
without failover).

### Why it matters
With one pod there is no replica to promote and a single Sentinel: any restart of that pod is an
outage. That can be a deliberate profile (a cache, a test environment) as long as the pod
accepts writes; with the chart's default `min-replicas-to-write 1` it refuses every write,
which RHA104 reports as an error. With 0 no Redis runs at all.

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
        // A deliberate single-pod profile still serves writes: no failover is a warning (a
        // min-replicas-to-write that refuses every write is RHA104's error).
        Some(1) => {
            let mut d = diag(&META, cx, "/replicas", "replicas 1: a single Redis with no replica")
                .with_note("no failover is possible, and every restart of the pod is an outage");
            d.severity = crate::diagnostic::Severity::Warning;
            d
        }
        _ => return,
    };
    out.push(d.with_help("set `replicas: 3`"));
}
