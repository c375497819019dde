//! The rule framework: every rule has a stable id, a kebab-case name, a default severity, a
//! category and a documentation block (what / why / example / fix) from which `--explain` and
//! docs/rules.md are generated.
//!
//! Rules read a [`Context`]: the merged values in Helm's JSON view with the location of every
//! value, the user's documents (for syntax-level findings) and the chart's schema. Rules that
//! need Redis knowledge will read a typed model added to the context later.

use crate::diagnostic::{Diagnostic, Severity};
use crate::schema::Schema;
use crate::values::Merged;
use crate::yaml::Document;

mod duplicate_key;
mod float_formatted_integer;
mod ignore_without_reason;
mod null_deletes_default;
mod redis;
mod schema_violation;
mod unknown_key;
mod unknown_rule_in_ignore;
mod yaml11_boolean;
mod yaml_merge_key;

/// Broad family of a rule (SARIF `properties.category`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Checks against the chart's values.schema.json.
    Schema,
    /// YAML syntax-level surprises.
    Yaml,
    /// Differences between what the file says and what Helm renders.
    Helm,
    /// Problems with `# chartlint: ignore` comments.
    Suppression,
    /// Redis, Sentinel and HAProxy semantics.
    Redis,
    /// Sentinel and failover.
    Sentinel,
    /// Memory limits, maxmemory and units.
    Memory,
    /// Replicas, scheduling and disruption budgets.
    Availability,
    /// Authentication, TLS and pod security.
    Security,
}

impl Category {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Schema => "schema",
            Category::Yaml => "yaml",
            Category::Helm => "helm",
            Category::Suppression => "suppression",
            Category::Redis => "redis",
            Category::Sentinel => "sentinel",
            Category::Memory => "memory",
            Category::Availability => "availability",
            Category::Security => "security",
        }
    }
}

/// Static description of a rule.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable id, `RHA` and three digits. Never reused.
    pub id: &'static str,
    /// Kebab-case name.
    pub name: &'static str,
    /// Severity unless configured otherwise.
    pub severity: Severity,
    /// Family.
    pub category: Category,
    /// One sentence.
    pub summary: &'static str,
    /// Markdown with the sections "What it checks", "Why it matters", "Example", "Fix".
    pub doc: &'static str,
}

/// What a rule can look at.
pub struct Context<'a> {
    /// Merged values (chart defaults, `-f` files, `--set`), with locations.
    pub merged: &'a Merged,
    /// The user's `-f` documents, in order.
    pub files: &'a [Document],
    /// The chart's values.schema.json, when the chart has one.
    pub schema: Option<&'a Schema>,
    /// Knowledge derived from the merged values that several rules share (rendered
    /// redis.conf / sentinel.conf lines, sizing), built once per lint on first use.
    facts: redis::Facts,
}

impl<'a> Context<'a> {
    /// A context over merged values, the user's documents and the chart's schema.
    pub fn new(merged: &'a Merged, files: &'a [Document], schema: Option<&'a Schema>) -> Self {
        Context {
            merged,
            files,
            schema,
            facts: redis::Facts::default(),
        }
    }
}

/// A lint rule.
pub trait Rule: Sync {
    /// Its description.
    fn meta(&self) -> &'static RuleMeta;
    /// Append findings (with the rule's default severity) to `out`.
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>);
}

/// Every rule, in id order.
pub fn registry() -> &'static [&'static dyn Rule] {
    static ALL: std::sync::OnceLock<Vec<&'static dyn Rule>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| RULES.iter().chain(redis::RULES).copied().collect())
}

/// The engine's own rules (Redis-aware rules live in [`redis`]).
static RULES: &[&dyn Rule] = &[
    &schema_violation::SchemaViolation,
    &unknown_key::UnknownKey,
    &duplicate_key::DuplicateKeyRule,
    &yaml11_boolean::Yaml11Boolean,
    &float_formatted_integer::FloatFormattedInteger,
    &null_deletes_default::NullDeletesDefault,
    &yaml_merge_key::YamlMergeKey,
    &ignore_without_reason::IgnoreWithoutReason,
    &unknown_rule_in_ignore::UnknownRuleInIgnore,
];

/// Find a rule by id (`RHA002`, case-insensitive) or name (`unknown-key`).
pub fn find(id_or_name: &str) -> Option<&'static RuleMeta> {
    registry()
        .iter()
        .map(|r| r.meta())
        .find(|m| m.id.eq_ignore_ascii_case(id_or_name) || m.name == id_or_name)
}

/// Metadata of the suppression rules, which the suppression pass (not a rule) reports.
pub fn ignore_without_reason() -> &'static RuleMeta {
    &ignore_without_reason::META
}

/// See [`ignore_without_reason`].
pub fn unknown_rule_in_ignore() -> &'static RuleMeta {
    &unknown_rule_in_ignore::META
}

/// `--explain` text of a rule.
pub fn explain(meta: &RuleMeta) -> String {
    format!(
        "{} {} (default severity: {}, category: {})\n\n{}\n\n{}\n",
        meta.id,
        meta.name,
        meta.severity.as_str(),
        meta.category.as_str(),
        meta.summary,
        meta.doc.trim()
    )
}

/// docs/rules.md, generated from the rule blocks.
pub fn rules_markdown() -> String {
    let mut s = String::from(
        "# chartlint rules\n\n<!-- Generated from crates/chartlint/src/rules/*.rs by `chartlint::rules_markdown()`. Do not edit. -->\n\n| id | name | default severity | category | summary |\n|---|---|---|---|---|\n",
    );
    for r in registry() {
        let m = r.meta();
        s.push_str(&format!(
            "| [{id}](#{anchor}) | `{name}` | {sev} | {cat} | {sum} |\n",
            id = m.id,
            anchor = format!("{}-{}", m.id, m.name).to_ascii_lowercase(),
            name = m.name,
            sev = m.severity.as_str(),
            cat = m.category.as_str(),
            sum = m.summary
        ));
    }
    for r in registry() {
        let m = r.meta();
        // Rule docs use `###` sections; nest them under a `##` heading per rule.
        s.push_str(&format!(
            "\n## {} {}\n\nDefault severity: **{}**. Category: {}.\n\n{}\n\n{}\n",
            m.id,
            m.name,
            m.severity.as_str(),
            m.category.as_str(),
            m.summary,
            m.doc.trim()
        ));
    }
    s
}

/// Run every rule.
pub fn run_all(cx: &Context<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for r in registry() {
        r.check(cx, &mut out);
    }
    out
}

/// Paths under which values are written verbatim into redis.conf / sentinel.conf.
pub(crate) const CONFIG_POINTERS: [(&str, &str); 2] = [
    ("/redis/config", "redis.conf"),
    ("/sentinel/config", "sentinel.conf"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_names_and_docs_are_well_formed() {
        let mut ids = std::collections::HashSet::new();
        for r in registry() {
            let m = r.meta();
            assert!(ids.insert(m.id), "duplicate id {}", m.id);
            assert!(m.id.len() == 6 && m.id.starts_with("RHA"), "{}", m.id);
            assert!(
                m.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                m.name
            );
            for section in [
                "### What it checks",
                "### Why it matters",
                "### Example",
                "### Fix",
            ] {
                assert!(m.doc.contains(section), "{} lacks {section}", m.id);
            }
        }
        assert!(find("rha002").is_some());
        assert!(find("unknown-key").is_some());
        let md = rules_markdown();
        assert!(md.contains("## RHA002 unknown-key"));
    }
}
