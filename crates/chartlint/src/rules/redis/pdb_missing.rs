use super::{at, diag, haproxy_enabled, replicas, truthy};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA140",
    name: "pdb-missing",
    severity: Warning,
    category: Availability,
    summary: "No PodDisruptionBudget for the Redis (or HAProxy) pods: a node drain may evict several at once.",
    doc: r#"
### What it checks
Reports an empty `podDisruptionBudget` (with 2 or more Redis pods) and an empty
`haproxy.podDisruptionBudget` (HAProxy enabled with 2 or more replicas).

### Why it matters
Without a budget, `kubectl drain` and cluster autoscalers evict as many pods as they like. Two of
three Redis pods evicted together is the loss of the Sentinel majority: no failover until they
come back.

### Example
```yaml
podDisruptionBudget: {}
```

### Fix
Set `podDisruptionBudget: {maxUnavailable: 1}` (and the same for HAProxy).

### References
- Redis Sentinel (quorum, majority, example deployments): https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if replicas(cx).unwrap_or(0) >= 2
        && super::present(cx, "/podDisruptionBudget")
        && !truthy(at(cx, "/podDisruptionBudget"))
    {
        out.push(
            diag(&META, cx, "/podDisruptionBudget", "no PodDisruptionBudget for the Redis pods")
                .with_note("a drain may evict several at once and take the Sentinel majority with them")
                .with_help("set `podDisruptionBudget: {maxUnavailable: 1}`"),
        );
    }
    if haproxy_enabled(cx)
        && super::present(cx, "/haproxy/podDisruptionBudget")
        && super::int_at(cx, "/haproxy/replicas").unwrap_or(0) >= 2
        && !truthy(at(cx, "/haproxy/podDisruptionBudget"))
    {
        out.push(
            diag(&META, cx, "/haproxy/podDisruptionBudget", "no PodDisruptionBudget for the HAProxy pods")
                .with_note("a drain may evict all of them at once and cut every client off")
                .with_help("set `haproxy.podDisruptionBudget: {maxUnavailable: 1}`"),
        );
    }
}
