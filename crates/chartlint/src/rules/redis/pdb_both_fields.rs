use super::{at, diag, haproxy_enabled, user_first};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA141",
    name: "pdb-both-fields",
    severity: Error,
    category: Availability,
    summary: "A PodDisruptionBudget sets both minAvailable and maxUnavailable: the API server rejects it.",
    doc: r#"
### What it checks
Reports `podDisruptionBudget` or `haproxy.podDisruptionBudget` with both `minAvailable` and
`maxUnavailable`.

### Why it matters
A PodDisruptionBudget takes one or the other; the API server rejects the object ("minAvailable
and maxUnavailable cannot be both set") and the install or upgrade fails.

### Example
```yaml
podDisruptionBudget:
  minAvailable: 2
  maxUnavailable: 1
```

### Fix
Keep one field: `maxUnavailable: 1`.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (base, gate) in [
        ("/podDisruptionBudget", true),
        ("/haproxy/podDisruptionBudget", haproxy_enabled(cx)),
    ] {
        let min = format!("{base}/minAvailable");
        let max = format!("{base}/maxUnavailable");
        if gate
            && at(cx, &min).is_some_and(|v| !v.is_null())
            && at(cx, &max).is_some_and(|v| !v.is_null())
        {
            out.push(
                diag(&META, cx, &user_first(cx, &[&min, &max]), "minAvailable and maxUnavailable are both set")
                    .with_note("the API server rejects the PodDisruptionBudget, and the install fails")
                    .with_help("keep only `maxUnavailable: 1`"),
            );
        }
    }
}
