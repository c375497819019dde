//! The commented `values.yaml` of a generated chart: the values in model order, each key
//! preceded by its description from the schema.

use model::schema_nav::Node;
use serde_json::Value;

use crate::yaml;

/// Comment lines are wrapped to this width (including the `# ` prefix and indentation).
const WRAP: usize = 100;

/// Renders `values` as YAML, commenting each key with the description of its schema node.
pub fn render(schema: &Value, values: &Value, header: &str) -> String {
    let mut out = String::new();
    for line in header.lines() {
        push_comment_line(&mut out, 0, line);
    }
    if let Value::Object(map) = values {
        for (key, value) in map {
            out.push('\n');
            let node = Node::root(schema).property(key);
            write_key(&mut out, 0, key, value, node);
        }
    }
    out
}

fn write_key(out: &mut String, indent: usize, key: &str, value: &Value, node: Option<Node<'_>>) {
    if let Some(desc) = node.and_then(|n| n.description()) {
        for paragraph in desc.lines() {
            for line in wrap(paragraph, WRAP.saturating_sub(indent + 2)) {
                push_comment_line(out, indent, &line);
            }
        }
    }
    match (value, node) {
        (Value::Object(map), Some(n)) if n.is_struct() && !map.is_empty() => {
            out.push_str(&format!(
                "{}{}:\n",
                " ".repeat(indent),
                yaml::scalar(&Value::String(key.to_string()))
            ));
            for (k, v) in map {
                write_key(out, indent + 2, k, v, n.property(k));
            }
        }
        _ => yaml::write_entry(out, indent, key, value),
    }
}

fn push_comment_line(out: &mut String, indent: usize, text: &str) {
    let pad = " ".repeat(indent);
    if text.is_empty() {
        out.push_str(&format!("{pad}#\n"));
    } else {
        out.push_str(&format!("{pad}# {text}\n"));
    }
}

/// Greedy word wrap; words longer than the width stay whole.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty() && current.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn comments_follow_schema_and_nesting() {
        let schema = json!({"properties": {
            "redis": {"description": "Redis server.", "type": "object", "properties": {
                "port": {"type": "integer", "description": "Plain port."},
                "config": {"type": "object", "description": "redis.conf directives."}
            }}
        }});
        let values =
            json!({"redis": {"port": 6379, "config": {"save": "900 1", "appendonly": "yes"}}});
        let text = render(&schema, &values, "Header.");
        assert_eq!(
            text,
            "# Header.\n\n# Redis server.\nredis:\n  # Plain port.\n  port: 6379\n  # redis.conf directives.\n  config:\n    save: \"900 1\"\n    appendonly: \"yes\"\n"
        );
    }

    #[test]
    fn wraps_long_descriptions() {
        let words = "word ".repeat(40);
        let lines = wrap(words.trim(), 30);
        assert!(lines.iter().all(|l| l.len() <= 30));
        assert_eq!(lines.join(" "), words.trim());
    }
}
