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

/// Finds every `.Values.a.b` (also `$.Values.a.b`, `$root.Values.a.b`), every
/// `index .Values.a "b" "c"` path with literal keys, and uses of variables bound to a part of
/// the values (`$h := .Values.haproxy` then `$h.metrics.port` is `haproxy.metrics.port`) in
/// `text`. The binding itself is not a use.
pub fn scan(file: &str, text: &str) -> Vec<Reference> {
    let aliases = aliases(text);
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut push = |path: Vec<String>| {
            out.push(Reference {
                file: file.to_string(),
                line: i + 1,
                path: path.join("."),
            })
        };
        let mut rest = line;
        while let Some(pos) = rest.find("Values.") {
            let preceded_by_dot = pos > 0 && rest.as_bytes()[pos - 1] == b'.';
            let after = &rest[pos + "Values.".len()..];
            let mut path = dotted_path(after);
            // `$h := .Values.haproxy` is resolved through its uses; `range $x := ...` is a use.
            let binding = rest[..pos]
                .trim_end_matches(['.', '$'])
                .trim_end()
                .ends_with(":=")
                && !line[..line.len() - rest.len() + pos].contains("range");
            if preceded_by_dot && !path.is_empty() && !binding {
                // `index .Values.redis.config "maxmemory"`: append literal string keys.
                let before = &rest[..pos.saturating_sub(1)];
                if before.trim_end().ends_with("index") {
                    let consumed = path.iter().map(String::len).sum::<usize>() + path.len() - 1;
                    path.extend(literal_keys(after.get(consumed..).unwrap_or_default()));
                }
                push(path);
            }
            rest = &rest[pos + "Values.".len()..];
        }
        for (name, prefix) in &aliases {
            let needle = format!("${name}");
            let mut rest = line;
            while let Some(pos) = rest.find(&needle) {
                let after = &rest[pos + needle.len()..];
                rest = after;
                if after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                    || after.trim_start().starts_with(":=")
                {
                    continue; // another variable's name, or the binding itself
                }
                // `$h.metrics.port` uses haproxy.metrics.port; a bare `$h` uses all of it.
                let tail = after.strip_prefix('.').map(dotted_path).unwrap_or_default();
                push(prefix.iter().cloned().chain(tail).collect());
            }
        }
    }
    out
}

/// Variables bound to the values or a part of them: `$v := .Values` or `$h := .Values.haproxy`.
fn aliases(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find(":=") {
        let before = rest[..pos].trim_end();
        let name: String = before
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let after = rest[pos + 2..].trim_start();
        let value = after.strip_prefix('$').unwrap_or(after);
        let line_start = before.rfind(['\n', '{']).map_or(0, |i| i + 1);
        // `range $x := .Values.list` binds elements, not a part of the values.
        let is_range = before[line_start..].contains("range");
        if before[..before.len() - name.len()].ends_with('$') && !name.is_empty() && !is_range {
            if let Some(path) = value.strip_prefix(".Values") {
                let segs = path.strip_prefix('.').map(dotted_path).unwrap_or_default();
                if path.is_empty() || !path.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                    out.push((name, segs));
                }
            }
        }
        rest = &rest[pos + 2..];
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
        let text = "{{- $h := .Values.haproxy -}}{{ $v := $.Values }}{{ $h.metrics.port }} {{ $v.auth }}{{ range $r := .Values.rules }}{{ $r.ports }}{{ end }}\na: {{ .Values.redis.port }}\nb: {{ index .Values.redis.config \"maxmemory\" | quote }}\nc: {{ $.Values.haproxy.enabled }} {{ $root.Values.auth }}\nd: {{ .Chart.Name }} {{ .Values }}";
        let paths: Vec<(usize, String)> = scan("t.yaml", text)
            .into_iter()
            .map(|r| (r.line, r.path))
            .collect();
        assert_eq!(
            paths,
            [
                (1, "rules".to_string()),
                (1, "haproxy.metrics.port".to_string()),
                (1, "auth".to_string()),
                (2, "redis.port".to_string()),
                (3, "redis.config.maxmemory".to_string()),
                (4, "haproxy.enabled".to_string()),
                (4, "auth".to_string()),
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
