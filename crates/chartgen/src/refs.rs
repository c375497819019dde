//! Checks that every `.Values.x.y` path the chart sources reference exists in the model, and
//! lists the model's keys that no source references.

use model::schema_nav::{self, node_at};
use serde_json::Value;

/// One `.Values` reference found in a chart source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// File path relative to the repository root.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// Dotted values path, e.g. `redis.config`.
    pub path: String,
}

/// Finds every `.Values.a.b` (also `$.Values.a.b`, `$root.Values.a.b`) and every
/// `index .Values.a "b" "c"` path with literal keys in `text`.
pub fn scan(file: &str, text: &str) -> Vec<Reference> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(pos) = rest.find("Values.") {
            let preceded_by_dot = pos > 0 && rest.as_bytes()[pos - 1] == b'.';
            let after = &rest[pos + "Values.".len()..];
            let path = dotted_path(after);
            if preceded_by_dot && !path.is_empty() {
                let mut full = path.clone();
                // `index .Values.redis.config "maxmemory"`: append literal string keys.
                let before = &rest[..pos.saturating_sub(1)];
                if before.trim_end().ends_with("index") {
                    let consumed = path.iter().map(String::len).sum::<usize>() + path.len() - 1;
                    let tail = after.get(consumed..).unwrap_or_default();
                    full.extend(literal_keys(tail));
                }
                out.push(Reference {
                    file: file.to_string(),
                    line: i + 1,
                    path: full.join("."),
                });
            }
            rest = &rest[pos + "Values.".len()..];
        }
    }
    out
}

/// Identifier segments `a.b.c` at the start of `s`.
fn dotted_path(s: &str) -> Vec<String> {
    let mut segs = Vec::new();
    for seg in s.split('.') {
        let ident: String = seg
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if ident.is_empty() {
            break;
        }
        let complete = ident.len() == seg.len();
        segs.push(ident);
        if !complete {
            break;
        }
    }
    segs
}

/// Leading `"key"` literals, as in `index .Values.redis.config "maxmemory"`.
fn literal_keys(s: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut rest = s.trim_start();
    while let Some(stripped) = rest.strip_prefix('"') {
        let Some(end) = stripped.find('"') else { break };
        keys.push(stripped[..end].to_string());
        rest = stripped[end + 1..].trim_start();
    }
    keys
}

/// References whose path the schema does not declare.
pub fn unknown<'a>(schema: &Value, refs: &'a [Reference]) -> Vec<&'a Reference> {
    refs.iter()
        .filter(|r| {
            let segs: Vec<&str> = r.path.split('.').collect();
            node_at(schema, &segs).is_none()
        })
        .collect()
}

/// Documented leaf paths that no reference reaches: neither the leaf itself, nor one of its
/// parents (a template may pass a whole map through `toYaml`), nor a child of it.
pub fn unused(schema: &Value, refs: &[Reference]) -> Vec<String> {
    schema_nav::leaves(schema)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|leaf| {
            !refs.iter().any(|r| {
                r.path == *leaf
                    || leaf.starts_with(&format!("{}.", r.path))
                    || r.path.starts_with(&format!("{leaf}."))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_dotted_and_index_references() {
        let text = "a: {{ .Values.redis.port }}\nb: {{ index .Values.redis.config \"maxmemory\" | quote }}\nc: {{ $.Values.haproxy.enabled }} {{ $root.Values.auth }}\nd: {{ .Chart.Name }} {{ .Values }}";
        let paths: Vec<(usize, String)> = scan("t.yaml", text)
            .into_iter()
            .map(|r| (r.line, r.path))
            .collect();
        assert_eq!(
            paths,
            [
                (1, "redis.port".to_string()),
                (2, "redis.config.maxmemory".to_string()),
                (3, "haproxy.enabled".to_string()),
                (3, "auth".to_string()),
            ]
        );
    }

    #[test]
    fn reports_unknown_and_unused() {
        let schema = json!({"properties": {
            "redis": {"properties": {"port": {"type": "integer"}, "config": {"type": "object"}}},
            "auth": {"type": "boolean"}
        }});
        let refs = scan(
            "t",
            "{{ .Values.redis.port }} {{ .Values.redis.config.save }} {{ .Values.redis.prot }}",
        );
        let bad: Vec<&str> = unknown(&schema, &refs)
            .iter()
            .map(|r| r.path.as_str())
            .collect();
        assert_eq!(bad, ["redis.prot"]);
        assert_eq!(unused(&schema, &refs), ["auth"]);
    }
}
