use super::Context;
use crate::diagnostic::Diagnostic;

rule! {
    id: "RHA009",
    name: "unknown-rule-in-ignore",
    severity: Warning,
    category: Suppression,
    summary: "A `# chartlint: ignore` comment names a rule that does not exist.",
    doc: r#"
### What it checks
Reports rule ids or names in `# chartlint: ignore` comments that chartlint does not know.

### Why it matters
A misspelt id suppresses nothing, so the finding it was meant to silence still shows up, or the
comment is stale after a rule was renamed.

### Example
```yaml
haproxy:
  enabel: true  # chartlint: ignore RHA02 kept for an old tool
```

### Fix
Use an id from `chartlint --list-rules`.
"#,
}

/// Reported by the suppression pass, which sees the comments.
fn check(_cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
