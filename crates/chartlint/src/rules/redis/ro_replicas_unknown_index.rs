use super::ro_replicas_no_promotable::ro_tokens;
use super::{diag, replicas};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA109",
    name: "ro-replicas-unknown-index",
    severity: Warning,
    category: Sentinel,
    summary: "An ro_replicas entry matches no pod (not a pod index, or not below replicas).",
    doc: r#"
### What it checks
Reports entries of `ro_replicas` that are not a pod index written plainly (`1`, not `01` or
`pod-1`) or that are not below `replicas`.

### Why it matters
init.sh compares each entry with the pod's ordinal as text. An entry that matches no pod does
nothing, so the replica you meant to keep out of failovers can still become the master.

### Example
```yaml
replicas: 3
ro_replicas: "3"
```

### Fix
List ordinals of existing pods, comma-separated: `ro_replicas: "2"`.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(pods) = replicas(cx) else { return };
    let bad: Vec<String> = ro_tokens(cx)
        .into_iter()
        .filter(|t| match t.parse::<u32>() {
            Ok(i) => i >= pods || i.to_string() != *t,
            Err(_) => true,
        })
        .collect();
    if bad.is_empty() {
        return;
    }
    out.push(
        diag(
            &META,
            cx,
            "/ro_replicas",
            format!(
                "ro_replicas entries {} match no pod (pods are 0..{})",
                bad.join(", "),
                pods.saturating_sub(1)
            ),
        )
        .with_help("list pod ordinals below `replicas`, comma-separated, e.g. `\"2\"`"),
    );
}
