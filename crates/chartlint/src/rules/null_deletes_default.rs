use super::Context;
use crate::diagnostic::Diagnostic;

rule! {
    id: "RHA006",
    name: "null-deletes-default",
    severity: Info,
    category: Helm,
    summary: "A null in a values file removes the chart's default for that key.",
    doc: r#"
### What it checks
Reports keys set to `null` (or `~`, or nothing) in a values file or with `--set k=null` where the
chart has a default other than null.

### Why it matters
Helm deletes the key from the merged values instead of keeping an empty value: the templates then
see the key as absent and fall back to their own behaviour. An empty `loadBalancerIP:` meant as
"no value" thus removes the chart default, which is usually fine but sometimes surprising.

### Example
```yaml
haproxy:
  service:
    loadBalancerIP:
```

### Fix
If the key should keep an empty value, write `""`, `{}` or `[]`; otherwise remove the line.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // A null over a null default changes nothing the templates see.
    for d in cx.merged.deletions.iter().filter(|d| !d.default_null) {
        out.push(
            Diagnostic::new(
                &META,
                &d.by,
                d.path.clone(),
                format!("`{}` is null: Helm removes the chart default for this key", d.path),
            )
            .with_help("write \"\", {} or [] to keep an empty value, or delete the line to keep the default"),
        );
    }
}
