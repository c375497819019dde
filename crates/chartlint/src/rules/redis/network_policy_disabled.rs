use super::{at, diag, truthy};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA154",
    name: "network-policy-disabled",
    severity: Info,
    category: Security,
    summary:
        "networkPolicy.enabled is false: every pod in the cluster can reach Redis and Sentinel.",
    doc: r#"
### What it checks
Reports `networkPolicy.enabled: false`.

### Why it matters
Without a NetworkPolicy any pod of any namespace can connect to Redis (6379) and Sentinel
(26379). Sentinel accepts `SENTINEL SET` and `SENTINEL FAILOVER` from anyone unless
`sentinel.auth` is on. A policy limits access to the clients you name. It is advice: it needs a
CNI that enforces NetworkPolicy and the right client selectors, so this chart leaves it off.

### Example
```yaml
networkPolicy:
  enabled: false
```

### Fix
Set `networkPolicy.enabled: true` and list your clients in `networkPolicy.ingressRules`.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !super::present(cx, "/networkPolicy/enabled") || truthy(at(cx, "/networkPolicy/enabled"))
    {
        return;
    }
    out.push(
        diag(&META, cx, "/networkPolicy/enabled", "no NetworkPolicy: every pod of the cluster can connect to Redis and Sentinel")
            .with_help("set `networkPolicy.enabled: true` and name your clients in `networkPolicy.ingressRules`"),
    );
}
