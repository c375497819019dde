use super::{diag, present, text};
use crate::diagnostic::Diagnostic;
use crate::rules::Context;

rule! {
    id: "RHA110",
    name: "master-group-name-invalid",
    severity: Error,
    category: Sentinel,
    summary: "redis.masterGroupName has characters outside letters, digits, '_', '-' and '.'.",
    doc: r#"
### What it checks
Reports a `redis.masterGroupName` that does not match `^[\w-\.]+$` (templated names containing
`{{` are not checked).

### Why it matters
The name is written into every `sentinel ... <group> ...` line. Sentinel splits lines on spaces,
so a name such as `my master` turns `sentinel monitor my master ...` into an "Unrecognized
sentinel configuration statement.". This chart refuses to render such a
name (`helm template` fails); the public chart renders it and the Sentinels crash-loop.

### Example
```yaml
redis:
  masterGroupName: "my master"
```

### Fix
Use letters, digits, `_`, `-` and `.` only: `masterGroupName: my-master`.

### References
- Observed on the real servers: tests/chartlint_evidence.rs and tests/differential.rs (docs/evidence.md)
"#,
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let ptr = "/redis/masterGroupName";
    if !present(cx, ptr) {
        return;
    }
    let name = text(cx, ptr).unwrap_or("");
    if name.contains("{{") {
        return;
    }
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    if valid {
        return;
    }
    out.push(
        diag(&META, cx, ptr, format!("master group name `{name}` is not valid: Sentinel needs letters, digits, '_', '-' and '.' only"))
            .with_help("e.g. `masterGroupName: mymaster`"),
    );
}
