use super::{diag, haproxy_enabled, int_at, pdb_allowed, replicas};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA142",
    name: "pdb-blocks-drains",
    severity: Warning,
    category: Availability,
    summary: "A PodDisruptionBudget that allows no eviction (maxUnavailable 0, minAvailable ≥ pods) blocks node drains.",
    doc: r#"
### What it checks
Computes the evictions a PodDisruptionBudget allows for `replicas` (or `haproxy.replicas`) pods
and reports 0.

### Why it matters
`kubectl drain`, node upgrades and autoscalers wait forever for an eviction the budget never
allows; cluster maintenance stalls until someone deletes pods by hand, without the budget's
protection.

### Example
```yaml
replicas: 3
podDisruptionBudget:
  minAvailable: 3
```

### Fix
Allow one disruption: `maxUnavailable: 1`.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let haproxy = if haproxy_enabled(cx) {
        int_at(cx, "/haproxy/replicas").and_then(|n| u32::try_from(n).ok())
    } else {
        None
    };
    for (base, pods, what) in [
        ("/podDisruptionBudget", replicas(cx), "Redis"),
        ("/haproxy/podDisruptionBudget", haproxy, "HAProxy"),
    ] {
        let Some(pods) = pods.filter(|p| *p > 0) else {
            continue;
        };
        let Some((allowed, ptr)) = pdb_allowed(cx, base, pods) else {
            continue;
        };
        if allowed > 0 {
            continue;
        }
        out.push(
            diag(&META, cx, &ptr, format!("the {what} PodDisruptionBudget allows no eviction of its {pods} pod(s)"))
                .with_note("node drains and cluster upgrades wait forever")
                .with_help("set `maxUnavailable: 1`"),
        );
    }
}
