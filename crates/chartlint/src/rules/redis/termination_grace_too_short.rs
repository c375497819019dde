use super::{at, diag, int_at, truthy};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA145",
    name: "termination-grace-too-short",
    severity: Warning,
    category: Availability,
    summary: "redis.terminationGracePeriodSeconds is too short for the preStop failover and the shutdown save.",
    doc: r#"
### What it checks
Reports an effective `redis.terminationGracePeriodSeconds` (0 means Kubernetes' 30) below 40
while the redis container keeps its preStop hook, or below 10 without it.

### Why it matters
On a stop the preStop hook asks Sentinel to fail over and waits up to 30 s for it; then Redis
saves its dataset on SIGTERM. Kubernetes sends SIGKILL when the grace period ends, cutting the
failover short (clients see the master vanish) and losing the shutdown save.

### Example
```yaml
redis:
  terminationGracePeriodSeconds: 10
```

### Fix
Keep the default 60 s, more for large datasets whose save takes longer.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let ptr = "/redis/terminationGracePeriodSeconds";
    let Some(set) = int_at(cx, ptr) else { return };
    let grace = if set == 0 { 30 } else { set };
    let pre_stop = truthy(at(cx, "/redis/lifecycle/preStop"));
    let need = if pre_stop { 40 } else { 10 };
    if grace >= need {
        return;
    }
    let why = if pre_stop {
        "the preStop hook waits up to 30 s for a failover and Redis then saves on SIGTERM"
    } else {
        "Redis saves its dataset on SIGTERM"
    };
    out.push(
        diag(
            &META,
            cx,
            ptr,
            format!("grace period {grace} s: {why}, and SIGKILL at {grace} s cuts that short"),
        )
        .with_help("use 60 s or more (the default is 60)"),
    );
}
