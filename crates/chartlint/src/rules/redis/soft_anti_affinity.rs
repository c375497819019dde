use super::{at, diag, replicas, truthy};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA137",
    name: "soft-anti-affinity",
    severity: Warning,
    category: Availability,
    summary: "Redis pods only prefer different nodes (hardAntiAffinity false): one node can hold the Sentinel majority.",
    doc: r#"
### What it checks
Reports `hardAntiAffinity: false` without a custom `affinity`, with 2 or more pods.

### Why it matters
Preferred anti-affinity lets the scheduler put two of three pods on one node when it is
convenient. Losing that node then loses two Sentinels, the majority, and no failover can be
authorized, besides losing two copies of the data.

### Example
```yaml
hardAntiAffinity: false
```

### Fix
Set `hardAntiAffinity: true` (pods stay Pending rather than share a node), or give an
`affinity` that spreads the pods.

### References
- Redis Sentinel (quorum, majority, example deployments): https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if replicas(cx).unwrap_or(0) < 2
        || !super::present(cx, "/hardAntiAffinity")
        || truthy(at(cx, "/hardAntiAffinity"))
        || custom_affinity(at(cx, "/affinity"))
    {
        return;
    }
    out.push(
        diag(&META, cx, "/hardAntiAffinity", "Redis pods only prefer different nodes")
            .with_note("the scheduler may put two of them on one node, and losing that node loses the Sentinel majority and two copies of the data")
            .with_help("set `hardAntiAffinity: true`"),
    );
}

/// A non-blank `affinity` string or a non-empty map replaces the generated affinity.
pub(super) fn custom_affinity(v: Option<crate::values::View<'_>>) -> bool {
    match v {
        Some(crate::values::View::String(s)) => !s.trim().is_empty(),
        Some(crate::values::View::Object(m)) => !m.is_empty(),
        _ => false,
    }
}
