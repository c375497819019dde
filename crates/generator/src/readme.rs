//! The README parameters table: one row per documented values path, with its type, the
//! chart's default and the description from the model.

use model::schema_nav;
use serde_json::Value;

/// Longest default shown in the table; longer ones point to values.yaml.
const MAX_DEFAULT: usize = 60;

/// A Markdown table of every documented leaf of `schema`, with defaults looked up in `values`.
pub fn parameters_table(schema: &Value, values: &Value) -> String {
    let mut out = String::from("| Key | Type | Default | Description |\n|---|---|---|---|\n");
    for (path, node) in schema_nav::leaves(schema) {
        let default = lookup(values, &path)
            .map(default_text)
            .unwrap_or_else(|| "(unset)".to_string());
        let description = node
            .description()
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        out.push_str(&format!(
            "| `{path}` | {} | {} | {} |\n",
            node.doc_type(),
            escape(&default),
            escape(&description)
        ));
    }
    out
}

fn lookup<'a>(values: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(values, |v, seg| v.get(seg))
}

fn default_text(v: &Value) -> String {
    let json = serde_json::to_string(v).unwrap_or_default();
    if json.chars().count() > MAX_DEFAULT {
        "see values.yaml".to_string()
    } else {
        format!("`{json}`")
    }
}

fn escape(s: &str) -> String {
    s.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_carry_type_default_and_description() {
        let schema = json!({"properties": {"redis": {"properties": {
            "port": {"type": "integer", "description": "Plain | port."},
            "tlsPort": {"type": ["integer", "null"], "description": "TLS port."}
        }}}});
        let values = json!({"redis": {"port": 6379, "tlsPort": null}});
        let table = parameters_table(&schema, &values);
        assert!(table.contains("| `redis.port` | int | `6379` | Plain \\| port. |"));
        assert!(table.contains("| `redis.tlsPort` | int | `null` | TLS port. |"));
    }
}
