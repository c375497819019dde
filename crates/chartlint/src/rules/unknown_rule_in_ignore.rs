use super::{Category, Context, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};

pub(crate) static META: RuleMeta = RuleMeta {
    id: "RHA009",
    name: "unknown-rule-in-ignore",
    severity: Severity::Warning,
    category: Category::Suppression,
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
};

pub(super) struct UnknownRuleInIgnore;

impl Rule for UnknownRuleInIgnore {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Reported by the suppression pass, which sees the comments.
    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
}
