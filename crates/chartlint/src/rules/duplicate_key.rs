use super::Context;
use crate::diagnostic::Diagnostic;
use crate::source::Loc;

rule! {
    id: "RHA003",
    name: "duplicate-key",
    severity: Warning,
    category: Yaml,
    summary: "A key written twice in the same mapping; Helm silently keeps the last one.",
    doc: r#"
### What it checks
Reports keys that appear more than once in the same mapping of a values file, after Helm's key
resolution (so `y:` and `yes:` and `true:` are the same key).

### Why it matters
Helm (go-yaml v2) does not complain: the last occurrence wins and the first is dropped. Editing
the first occurrence then has no effect, which is hard to notice in a long file.

### Example
```yaml
haproxy:
  enabled: true
  replicas: 3
  enabled: false   # this one wins
```

### Fix
Keep one occurrence.
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for doc in cx.files {
        for d in &doc.duplicates {
            let last = Loc {
                src: doc.src.clone(),
                span: d.last,
            };
            let first = Loc {
                src: doc.src.clone(),
                span: d.first,
            };
            out.push(
                Diagnostic::new(
                    &META,
                    &last,
                    d.path.clone(),
                    format!(
                        "duplicate key `{}`: Helm keeps this one and ignores the first",
                        d.path
                    ),
                )
                .with_related(&first, "first written here (ignored)")
                .with_help("remove one of the two occurrences"),
            );
        }
    }
}
