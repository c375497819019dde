//! `.chartlint.yaml`: turn rules off or change their severity, globally or per file / values path.
//!
//! ```yaml
//! categories:
//!   security: warning          # every rule of a category (schema, yaml, helm, redis, memory, ...)
//! rules:
//!   RHA002: error              # id or name; error | warning | info | off
//!   yaml-merge-key: off
//! overrides:
//!   - files: ["legacy/*.yaml"]  # glob on the values file path (a pattern without `/` matches the file name)
//!     values: ["redis.config.*"]  # glob on the dotted values path
//!     rules:
//!       RHA004: off
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules;
use crate::source::SourceKind;
use crate::yaml::{self, LoadError};

/// What to do with a rule's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Drop them.
    Off,
    /// Report them with this severity.
    Severity(Severity),
}

/// One `overrides` entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Override {
    /// Globs on the values file path (any when empty).
    pub files: Vec<String>,
    /// Globs on the dotted values path (any when empty).
    pub values: Vec<String>,
    /// Rule id → level.
    pub rules: BTreeMap<String, Level>,
}

/// The whole configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// Category name → level, applied before `rules`.
    pub categories: BTreeMap<String, Level>,
    /// Rule id → level, for every file.
    pub rules: BTreeMap<String, Level>,
    /// Narrower settings, applied in order after `rules`.
    pub overrides: Vec<Override>,
}

impl Config {
    /// Read a configuration file.
    pub fn load(path: &Path) -> Result<Config, LoadError> {
        let doc = yaml::load_file(path, SourceKind::ValuesFile, &yaml::Limits::default())?;
        let json = crate::values::from_document(&doc).to_json();
        Config::from_json(&path.display().to_string(), &json)
    }

    /// Parse a configuration already in JSON form.
    pub fn from_json(path: &str, json: &Json) -> Result<Config, LoadError> {
        let err = |m: String| LoadError {
            path: path.to_string(),
            line: 1,
            column: 1,
            message: m,
        };
        let Json::Object(top) = json else {
            return Err(err("configuration must be a mapping".to_string()));
        };
        let mut cfg = Config::default();
        for (k, v) in top {
            match k.as_str() {
                "rules" => cfg.rules = parse_rules(v).map_err(err)?,
                "categories" => cfg.categories = parse_categories(v).map_err(err)?,
                "overrides" => {
                    let Json::Array(items) = v else {
                        return Err(err("`overrides` must be a list".to_string()));
                    };
                    for item in items {
                        let Json::Object(o) = item else {
                            return Err(err(
                                "each entry of `overrides` must be a mapping".to_string()
                            ));
                        };
                        let mut ov = Override::default();
                        for (k, v) in o {
                            match k.as_str() {
                                "files" => ov.files = string_list(v).map_err(err)?,
                                "values" => ov.values = string_list(v).map_err(err)?,
                                "rules" => ov.rules = parse_rules(v).map_err(err)?,
                                other => return Err(err(format!("unknown key `overrides[].{other}` (expected files, values, rules)"))),
                            }
                        }
                        cfg.overrides.push(ov);
                    }
                }
                other => {
                    return Err(err(format!(
                        "unknown key `{other}` (expected rules, overrides)"
                    )))
                }
            }
        }
        Ok(cfg)
    }

    /// The level for a diagnostic, or `None` to drop it.
    pub fn apply(&self, mut d: Diagnostic) -> Option<Diagnostic> {
        let mut level = Level::Severity(d.severity);
        // The rule's category matters only when the configuration sets categories.
        if let Some(meta) = (!self.categories.is_empty())
            .then(|| rules::find(&d.rule))
            .flatten()
        {
            if let Some(l) = self.categories.get(meta.category.as_str()) {
                level = *l;
            }
        }
        if let Some(l) = self.rules.get(&d.rule) {
            level = *l;
        }
        for ov in &self.overrides {
            let file_ok = ov.files.is_empty() || ov.files.iter().any(|g| file_glob(g, &d.file));
            let value_ok = ov.values.is_empty() || ov.values.iter().any(|g| glob(g, &d.path, '.'));
            if file_ok && value_ok {
                if let Some(l) = ov.rules.get(&d.rule) {
                    level = *l;
                }
            }
        }
        match level {
            Level::Off => None,
            Level::Severity(s) => {
                d.severity = s;
                Some(d)
            }
        }
    }
}

fn string_list(v: &Json) -> Result<Vec<String>, String> {
    match v {
        Json::String(s) => Ok(vec![s.clone()]),
        Json::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| "globs must be strings".to_string())
            })
            .collect(),
        _ => Err("globs must be a string or a list of strings".to_string()),
    }
}

fn parse_level(name: &str, v: &Json, default: Severity) -> Result<Level, String> {
    match v {
        // `off` and `false` are the same to YAML 1.1, so accept both spellings.
        Json::Bool(false) => Ok(Level::Off),
        Json::Bool(true) => Ok(Level::Severity(default)),
        Json::String(s) if s.eq_ignore_ascii_case("off") => Ok(Level::Off),
        Json::String(s) => Severity::parse(s)
            .map(Level::Severity)
            .ok_or_else(|| format!("`{name}: {s}`: expected error, warning, info or off")),
        _ => Err(format!("`{name}`: expected error, warning, info or off")),
    }
}

fn parse_categories(v: &Json) -> Result<BTreeMap<String, Level>, String> {
    let Json::Object(m) = v else {
        return Err("`categories` must be a mapping of category to level".to_string());
    };
    let known: Vec<&str> = rules::registry()
        .iter()
        .map(|r| r.meta().category.as_str())
        .collect();
    let mut out = BTreeMap::new();
    for (k, v) in m {
        if !known.contains(&k.as_str()) {
            return Err(format!("unknown category `{k}` (known: {})", {
                let mut k = known.clone();
                k.sort_unstable();
                k.dedup();
                k.join(", ")
            }));
        }
        // A category has no single default severity: `true` keeps each rule's own.
        let level = match v {
            Json::Bool(true) => continue,
            _ => parse_level(k, v, Severity::Warning)?,
        };
        out.insert(k.clone(), level);
    }
    Ok(out)
}

fn parse_rules(v: &Json) -> Result<BTreeMap<String, Level>, String> {
    let Json::Object(m) = v else {
        return Err("`rules` must be a mapping of rule id to level".to_string());
    };
    let mut out = BTreeMap::new();
    for (k, v) in m {
        let meta =
            rules::find(k).ok_or_else(|| format!("unknown rule `{k}` (see --list-rules)"))?;
        let level = parse_level(k, v, meta.severity)?;
        out.insert(meta.id.to_string(), level);
    }
    Ok(out)
}

/// A file glob; a pattern without `/` matches the file name only.
fn file_glob(pattern: &str, path: &str) -> bool {
    let path = path.replace('\\', "/");
    if pattern.contains('/') {
        glob(pattern, path.trim_start_matches("./"), '/')
    } else {
        glob(pattern, path.rsplit('/').next().unwrap_or(&path), '/')
    }
}

/// `*` matches within one segment (up to `sep`), `**` matches anything, `?` one character.
pub fn glob(pattern: &str, text: &str, sep: char) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // dp[j]: pattern prefix matches text prefix of length j.
    let mut dp = vec![false; t.len() + 1];
    dp[0] = true;
    let mut i = 0;
    while i < p.len() {
        let mut next = vec![false; t.len() + 1];
        if p[i] == '*' {
            let any = i + 1 < p.len() && p[i + 1] == '*';
            for j in 0..=t.len() {
                if dp[j] {
                    next[j] = true;
                    let mut k = j;
                    while k < t.len() && (any || t[k] != sep) {
                        k += 1;
                        next[k] = true;
                    }
                }
            }
            i += if any { 2 } else { 1 };
        } else {
            for j in 0..t.len() {
                if dp[j] && (p[i] == '?' && t[j] != sep || p[i] == t[j]) {
                    next[j + 1] = true;
                }
            }
            i += 1;
        }
        dp = next;
    }
    dp[t.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn globs() {
        assert!(glob("redis.config.*", "redis.config.maxmemory", '.'));
        assert!(!glob("redis.config.*", "redis.config.a.b", '.'));
        assert!(glob("redis.**", "redis.config.a.b", '.'));
        assert!(glob("a?c", "abc", '.'));
        assert!(file_glob("*.yaml", "fleet/dev/a.yaml"));
        assert!(file_glob("fleet/**/*.yaml", "./fleet/dev/a.yaml"));
        assert!(!file_glob("fleet/*.yaml", "fleet/dev/a.yaml"));
    }

    #[test]
    fn parse_and_apply() {
        let cfg = Config::from_json(
            "c",
            &json!({"rules": {"unknown-key": "error", "RHA007": false},
                    "overrides": [{"values": ["legacy.**"], "rules": {"RHA002": "off"}}]}),
        )
        .unwrap();
        assert_eq!(cfg.rules["RHA002"], Level::Severity(Severity::Error));
        assert_eq!(cfg.rules["RHA007"], Level::Off);
        assert!(Config::from_json("c", &json!({"rules": {"RHA999": "off"}})).is_err());
        assert!(Config::from_json("c", &json!({"rules": {"RHA002": "loud"}})).is_err());
        assert!(Config::from_json("c", &json!({"ruls": {}})).is_err());
        let cfg = Config::from_json(
            "c",
            &json!({"categories": {"yaml": "off", "schema": "info"}}),
        )
        .unwrap();
        assert_eq!(cfg.categories["yaml"], Level::Off);
        assert!(Config::from_json("c", &json!({"categories": {"nope": "off"}})).is_err());
    }
}
