use super::Context;
use crate::diagnostic::Diagnostic;
use crate::source::Loc;

rule! {
    id: "RHA007",
    name: "yaml-merge-key",
    severity: Info,
    category: Yaml,
    summary: "A `<<` merge key: Helm applies it, YAML 1.2 tools may not.",
    doc: r#"
### What it checks
Reports `<<:` merge keys in values files.

### Why it matters
Merge keys are a YAML 1.1 extension. Helm (go-yaml v2) applies them, and keys written before the
`<<` are overwritten by the merged ones. Tools that follow YAML 1.2 (some editors, `yq`,
formatters) keep `<<` as an ordinary key, so the same file means different things to different
tools.

### Example
```yaml
common: &common
  enabled: true
haproxy:
  <<: *common
  replicas: 3
```

### Fix
Nothing is required; write the keys out if other tools also read the file.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for doc in cx.files {
        for span in &doc.merge_keys {
            let loc = Loc {
                src: doc.src.clone(),
                span: *span,
            };
            out.push(
                Diagnostic::new(&META, &loc, "", "`<<` merge key: Helm merges the aliased mapping here (YAML 1.1)")
                    .with_help("keys written before `<<` in the same mapping are overwritten by the merged ones"),
            );
        }
    }
}
