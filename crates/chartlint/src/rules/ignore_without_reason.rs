use super::Context;
use crate::diagnostic::Diagnostic;

rule! {
    id: "RHA008",
    name: "ignore-without-reason",
    severity: Warning,
    category: Suppression,
    summary: "A `# chartlint: ignore` comment that gives no reason.",
    doc: r#"
### What it checks
Reports `# chartlint: ignore RULE-ID` comments that name rules but give no reason after them.
The ignore still applies.

### Why it matters
A suppression without a reason cannot be reviewed later: nobody knows whether the finding was a
false positive or a deliberate exception.

### Example
```yaml
haproxy:
  enabel: true  # chartlint: ignore RHA002
```

### Fix
Add the reason after the rule ids: `# chartlint: ignore RHA002 key read by our own post-renderer`.
"#,
}

/// Reported by the suppression pass, which sees the comments.
fn check(_cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
