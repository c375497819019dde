//! A small YAML writer for generated values files.
//!
//! Helm reads values with YAML 1.1 rules (`yes` is a boolean, `0755` is octal, `1.10` is a
//! float), so every string that a YAML 1.1 reader could type as anything but a string is
//! written double-quoted. Everything else is written plain, for readability.

use helm_values::yaml::{resolve::resolve_plain, HelmScalar};
use serde_json::Value;

/// Whether `s` can be written as a plain scalar and still read back as the same string: by
/// Helm (YAML 1.1, decided by `helm_values`' resolver) and by YAML 1.2 readers (editors), whose
/// typed words are a subset of YAML 1.1's.
pub fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == '/' || first == '_') {
        return false;
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'))
    {
        return false;
    }
    if s.ends_with(['.', '-']) {
        return false;
    }
    matches!(resolve_plain(s), Ok(HelmScalar::Str(_)))
}

/// A scalar as YAML text. Strings that are not plain-safe become JSON strings, which are valid
/// YAML double-quoted scalars with the same escapes.
pub fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if is_plain_safe(s) => s.clone(),
        Value::String(s) => Value::String(s.clone()).to_string(),
        Value::Array(a) if a.is_empty() => "[]".to_string(),
        Value::Object(o) if o.is_empty() => "{}".to_string(),
        // Callers only pass scalars or empty collections here.
        other => other.to_string(),
    }
}

/// Whether a value is written on the same line as its key.
pub fn is_inline(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => true,
    }
}

/// Writes `key: value` (and the nested block when the value is a non-empty map or list) at the
/// given indentation.
pub fn write_entry(out: &mut String, indent: usize, key: &str, value: &Value) {
    let pad = " ".repeat(indent);
    let key = scalar(&Value::String(key.to_string()));
    if is_inline(value) {
        out.push_str(&format!("{pad}{key}: {}\n", scalar(value)));
    } else {
        out.push_str(&format!("{pad}{key}:\n"));
        write_block(out, indent + 2, value);
    }
}

/// Writes a non-empty map or list as a block at the given indentation.
pub fn write_block(out: &mut String, indent: usize, value: &Value) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                write_entry(out, indent, k, v);
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(map) if !map.is_empty() => {
                        // First entry on the dash line, the rest aligned under it.
                        let mut inner = String::new();
                        write_block(&mut inner, indent + 2, item);
                        let trimmed = inner.get(indent + 2..).unwrap_or_default();
                        out.push_str(&format!("{pad}- {trimmed}"));
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push_str(&format!("{pad}-\n"));
                        write_block(out, indent + 2, item);
                    }
                    scalar_item => out.push_str(&format!("{pad}- {}\n", scalar(scalar_item))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml11_words_and_numbers_are_quoted() {
        for s in [
            "yes", "No", "on", "OFF", "y", "n", "true", "null", "~", "0", "1.10", "017", "",
        ] {
            assert!(!is_plain_safe(s), "{s} must be quoted");
        }
        // Digits first: quoted even when a YAML reader would keep a string (`8.8.0-alpine`).
        assert!(!is_plain_safe("8.8.0-alpine"));
        for s in [
            "redis",
            "public.ecr.aws/docker/library/redis",
            "volatile-lru",
        ] {
            assert!(is_plain_safe(s), "{s} can be plain");
        }
        assert_eq!(scalar(&json!("900 1")), "\"900 1\"");
        assert_eq!(scalar(&json!("yes")), "\"yes\"");
    }

    #[test]
    fn blocks_nest_maps_in_lists() {
        let v = json!({"rules": [{"selectors": [{"namespaceSelector": {}}], "ports": [{"port": 53, "protocol": "UDP"}]}], "cmd": ["/bin/sh", "-c"]});
        let mut out = String::new();
        write_block(&mut out, 0, &v);
        assert_eq!(
            out,
            "rules:\n  - selectors:\n      - namespaceSelector: {}\n    ports:\n      - port: 53\n        protocol: UDP\ncmd:\n  - /bin/sh\n  - \"-c\"\n"
        );
    }
}
