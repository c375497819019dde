use super::{diag, majority, pdb_allowed, replicas};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA143",
    name: "pdb-allows-majority-loss",
    severity: Warning,
    category: Availability,
    summary: "The Redis PodDisruptionBudget allows evicting a Sentinel majority at once.",
    doc: r#"
### What it checks
Reports a Redis `podDisruptionBudget` that lets so many pods be evicted together that fewer than
a majority of Sentinels remain (e.g. `maxUnavailable: 2` of 3).

### Why it matters
A failover needs a majority of all Sentinels. A drain that evicts two of
three pods, one of them the master, leaves no majority: writes stop until the pods are back.

### Example
```yaml
replicas: 3
podDisruptionBudget:
  maxUnavailable: 2
```

### Fix
`maxUnavailable: 1` with 3 pods (2 with 5).

### References
- Redis Sentinel (quorum, majority, example deployments): https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(pods) = replicas(cx).filter(|p| *p >= 3) else {
        return;
    };
    let Some((allowed, ptr)) = pdb_allowed(cx, "/podDisruptionBudget", pods) else {
        return;
    };
    let keep = majority(pods);
    if pods - allowed >= keep {
        return;
    }
    out.push(
        diag(&META, cx, &ptr, format!("the PodDisruptionBudget allows evicting {allowed} of {pods} Redis pods at once"))
            .with_note(format!("that leaves {} Sentinel(s), and a failover needs {keep}", pods - allowed))
            .with_help(format!("set `maxUnavailable: {}`", pods - keep)),
    );
}
