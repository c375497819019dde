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

/// Declares the rule of a module, once: `rule! { id, name, severity, category, summary, doc }`
/// defines its [`RuleMeta`] as `META` and its [`Rule`] as `RULE`, checked by the module's
/// `fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>)`.
macro_rules! rule {
    (
        id: $id:literal,
        name: $name:literal,
        severity: $severity:ident,
        category: $category:ident,
        summary: $summary:expr,
        doc: $doc:expr $(,)?
    ) => {
        pub(crate) static META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            id: $id,
            name: $name,
            severity: $crate::diagnostic::Severity::$severity,
            category: $crate::rules::Category::$category,
            summary: $summary,
            doc: $doc,
        };
        pub(crate) static RULE: $crate::rules::Rule = $crate::rules::Rule { meta: &META, check };
    };
}

/// Declares rule modules and lists their rules in `RULES`, each name written once.
macro_rules! rule_modules {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*
        /// The rules of these modules.
        pub(crate) static RULES: &[&$crate::rules::Rule] = &[$(&$module::RULE),*];
    };
}

pub(crate) mod read;
pub(crate) mod redis;

rule_modules! {
    schema_violation,
    unknown_key,
    duplicate_key,
    yaml11_boolean,
    float_formatted_integer,
    null_deletes_default,
    yaml_merge_key,
    ignore_without_reason,
    unknown_rule_in_ignore,
}

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
    /// The server and version to judge redis.conf for (`redis:7.2`, `valkey:9`), instead of
    /// reading them from `image.repository` and `image.tag`.
    pub server_version: Option<&'a str>,
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
            server_version: None,
            facts: redis::Facts::default(),
        }
    }

    /// Judge redis.conf for this server version (`--server-version`).
    pub fn with_server_version(mut self, server_version: Option<&'a str>) -> Self {
        self.server_version = server_version;
        self
    }
}

/// A lint rule: its description and the function that checks it (declared with `rule!`).
pub struct Rule {
    pub(crate) meta: &'static RuleMeta,
    pub(crate) check: fn(&Context<'_>, &mut Vec<Diagnostic>),
}

impl Rule {
    /// Its description.
    pub fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    /// Append findings (with the rule's default severity) to `out`.
    pub fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        (self.check)(cx, out)
    }
}

/// Every rule, in id order.
pub fn registry() -> &'static [&'static Rule] {
    static ALL: std::sync::OnceLock<Vec<&'static Rule>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut all: Vec<&'static Rule> = RULES.iter().chain(redis::RULES).copied().collect();
        all.sort_by_key(|r| r.meta.id);
        all
    })
}

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

/// One key of `redis.config` or `sentinel.config` in the merged values.
pub(crate) struct ConfigEntry<'a> {
    /// `redis.conf` or `sentinel.conf`.
    pub file: &'static str,
    /// The key (directive or option name).
    pub key: &'a str,
    /// Its value.
    pub value: &'a crate::values::Value,
    /// The key's JSON pointer.
    pub ptr: String,
}

/// Every key of `redis.config` and `sentinel.config`, in file order.
pub(crate) fn config_entries<'a>(cx: &'a Context<'_>) -> Vec<ConfigEntry<'a>> {
    let mut out = Vec::new();
    for (base, file) in CONFIG_POINTERS {
        let Some(map) = cx.merged.find(base).and_then(|(_, v)| v.as_map()) else {
            continue;
        };
        for (k, e) in map {
            let mut ptr = base.to_string();
            crate::values::push_pointer_token(&mut ptr, k);
            out.push(ConfigEntry {
                file,
                key: k,
                value: &e.value,
                ptr,
            });
        }
    }
    out
}

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

    /// Every JSON pointer written in a rule's source names a key of the model's schema: a typo
    /// would otherwise find nothing and silently disable the rule. A pointer that only appears
    /// as a suffix below another pointer of its file (`/privileged` below
    /// `/containerSecurityContext`) must exist below one of them; `{...}` ends the checked part.
    #[test]
    fn rule_pointers_exist_in_the_model_schema() {
        let schema = model::schema::values_schema();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let mut files = Vec::new();
        for sub in [dir.clone(), dir.join("redis")] {
            for e in std::fs::read_dir(&sub).expect("rules dir") {
                let p = e.expect("entry").path();
                if p.extension().is_some_and(|x| x == "rs") {
                    files.push(p);
                }
            }
        }
        let resolves = |base: &[&str], ptr: &str| {
            let mut path: Vec<String> = base.iter().map(|s| s.to_string()).collect();
            path.extend(
                ptr.split('/')
                    .skip(1)
                    .map(|t| t.replace("~1", "/").replace("~0", "~")),
            );
            let refs: Vec<&str> = path.iter().map(String::as_str).collect();
            model::schema_nav::node_at(&schema, &refs).is_some()
        };
        let mut bad = Vec::new();
        let mut checked = 0;
        for f in files {
            let text = std::fs::read_to_string(&f).expect("rule source");
            // Code only: the unit tests below a file's `#[cfg(test)]` use made-up trees.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let mut ptrs: Vec<String> = Vec::new();
            for piece in code.split('"').skip(1).step_by(2) {
                let piece = piece
                    .split('{')
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches('/');
                let is_ptr = piece.len() > 1
                    && piece.starts_with('/')
                    && piece[1..].starts_with(|c: char| c.is_ascii_alphabetic())
                    && piece
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "/_-~".contains(c));
                if is_ptr {
                    ptrs.push(piece.to_string());
                }
            }
            for p in &ptrs {
                checked += 1;
                if resolves(&[], p) {
                    continue;
                }
                let below_another = ptrs.iter().any(|base| {
                    base != p && resolves(&[], base) && {
                        let segs: Vec<&str> = base.split('/').skip(1).collect();
                        resolves(&segs, p)
                    }
                });
                if !below_another {
                    bad.push(format!("{}: {p}", f.display()));
                }
            }
        }
        assert!(checked > 60, "only {checked} pointers found");
        assert!(
            bad.is_empty(),
            "pointers not in the model schema:\n{}",
            bad.join("\n")
        );
    }
}
