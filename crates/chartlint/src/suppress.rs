//! Inline suppressions: `# chartlint: ignore RHA012 reason text` at the end of the offending line,
//! or alone on the line above it.

use crate::diagnostic::Diagnostic;
use crate::rules;
use crate::source::Loc;
use crate::yaml::Document;

/// One parsed ignore comment.
#[derive(Debug, Clone)]
pub struct Ignore {
    /// Where the comment is.
    pub loc: Loc,
    /// The line whose findings it suppresses.
    pub target_line: usize,
    /// Rule ids it names (known ones, canonical ids).
    pub rules: Vec<String>,
    /// Names that match no rule.
    pub unknown: Vec<String>,
    /// The reason text (empty when missing).
    pub reason: String,
}

/// What every inline directive starts with (the YAML loader collects comments only from
/// texts that contain it).
pub const MARKER: &str = crate::yaml::DIRECTIVE_MARKER;

/// Parse the ignore comments of a document.
pub fn ignores(doc: &Document) -> Vec<Ignore> {
    let mut out = Vec::new();
    for c in &doc.comments {
        let Some(rest) = c.text.trim().strip_prefix(MARKER) else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix("ignore") else {
            continue;
        };
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let mut rules_named = Vec::new();
        let mut unknown = Vec::new();
        let mut words = rest.split_whitespace().peekable();
        let mut first = true;
        while let Some(w) = words.peek() {
            let names: Vec<&str> = w.split(',').filter(|s| !s.is_empty()).collect();
            let looks_like_rule = |n: &str| {
                rules::find(n).is_some()
                    || (n.len() > 3
                        && n[..3].eq_ignore_ascii_case("RHA")
                        && n[3..].chars().all(|c| c.is_ascii_digit()))
            };
            // The first word is always a rule list; later words only if they look like rules.
            if !first && !names.iter().all(|n| looks_like_rule(n)) {
                break;
            }
            for n in names {
                match rules::find(n) {
                    Some(m) => rules_named.push(m.id.to_string()),
                    None => unknown.push(n.to_string()),
                }
            }
            first = false;
            words.next();
        }
        let reason = words.collect::<Vec<_>>().join(" ");
        let line = c.span.start.line;
        out.push(Ignore {
            loc: Loc {
                src: doc.src.clone(),
                span: c.span,
            },
            target_line: if c.own_line { line + 1 } else { line },
            rules: rules_named,
            unknown,
            reason,
        });
    }
    out
}

/// Drop diagnostics covered by an ignore comment, and report ignores that are malformed.
pub fn apply(diags: Vec<Diagnostic>, docs: &[Document]) -> Vec<Diagnostic> {
    let all: Vec<Ignore> = docs.iter().flat_map(ignores).collect();
    if all.is_empty() {
        return diags;
    }
    let mut out: Vec<Diagnostic> = diags
        .into_iter()
        .filter(|d| {
            !all.iter().any(|i| {
                i.loc.src.path == d.file && i.target_line == d.line && i.rules.contains(&d.rule)
            })
        })
        .collect();
    for i in &all {
        if i.rules.is_empty() && i.unknown.is_empty() {
            out.push(
                Diagnostic::new(
                    rules::ignore_without_reason(),
                    &i.loc,
                    "",
                    "`chartlint: ignore` names no rule, so it suppresses nothing",
                )
                .with_help("write `# chartlint: ignore RULE-ID reason`"),
            );
            continue;
        }
        if i.reason.is_empty() {
            out.push(
                Diagnostic::new(
                    rules::ignore_without_reason(),
                    &i.loc,
                    "",
                    format!("`chartlint: ignore {}` gives no reason", i.rules.join(",")),
                )
                .with_help("add why the finding does not apply after the rule ids"),
            );
        }
        for u in &i.unknown {
            out.push(
                Diagnostic::new(
                    rules::unknown_rule_in_ignore(),
                    &i.loc,
                    "",
                    format!("`{u}` is not a chartlint rule"),
                )
                .with_help("see `chartlint --list-rules` for the rule ids"),
            );
        }
    }
    out
}
