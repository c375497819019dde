//! JSON Schema, defaults and the parameter table, all derived from the values types.
//!
//! The schema is draft-07 (Helm 3 and 4 both validate it), fully inlined (no `$ref`), in
//! declaration order, with a description and a default on every documented leaf. It never
//! forbids unknown keys: real values files carry keys the public chart dropped long ago, and
//! Helm must keep accepting them (unknown keys are the linter's job).
//!
//! Open and closed objects, for tools that walk the schema:
//! - typed objects (structs) have `properties` and no `additionalProperties`: a key not listed
//!   is unknown;
//! - free-form maps (labels, resources, ...) have `"additionalProperties": true` and no
//!   `properties`;
//! - open maps with documented defaults (`redis.config`, `sentinel.config`, `redis.lifecycle`,
//!   security contexts, the exporter and split-brain probes, update/deployment strategies) have
//!   both `properties` (the documented keys) and `"additionalProperties": true`: any other key is
//!   legitimate there, and so is anything below it.

use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

use crate::values::Values;

/// Title of the values schema.
pub const SCHEMA_TITLE: &str = "redis-ha values";

/// The draft-07 meta-schema URI written into `$schema`.
pub const DRAFT07: &str = "http://json-schema.org/draft-07/schema#";

/// The JSON Schema of the chart's values (draft-07).
pub fn values_schema() -> Value {
    let generator = SchemaSettings::draft07()
        .with(|settings| settings.inline_subschemas = true)
        .into_generator();
    let mut schema = generator.into_root_schema_for::<Values>().to_value();
    clean_node(&mut schema);
    apply_defaults(&mut schema, Some(&defaults()));
    crate::gates::annotate(&mut schema);

    // Rebuild the root so the header keywords come first.
    let mut root = Map::new();
    root.insert("$schema".into(), Value::String(DRAFT07.into()));
    root.insert("title".into(), Value::String(SCHEMA_TITLE.into()));
    if let Value::Object(mut generated) = schema {
        if let Some(description) = generated.shift_remove("description") {
            root.insert("description".into(), description);
        }
        for (key, value) in generated {
            match key.as_str() {
                "$schema" | "title" => {}
                "definitions" if value.as_object().is_some_and(Map::is_empty) => {}
                _ => {
                    root.insert(key, value);
                }
            }
        }
    }
    Value::Object(root)
}

/// The chart's default values (`Values::default()` as JSON, in declaration order).
pub fn defaults() -> Value {
    // Serializing plain data types into a JSON value cannot fail (all map keys are strings).
    serde_json::to_value(Values::default()).unwrap_or(Value::Null)
}

/// One documented parameter: a leaf of the values tree (a scalar, a list, or a map that is
/// not broken down further).
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Dotted path, e.g. `redis.config.maxmemory`.
    pub path: String,
    /// JSON types accepted, e.g. `integer`, `string | null`.
    pub type_name: String,
    /// The default value.
    pub default: Value,
    /// What the parameter does.
    pub description: String,
}

/// Every documented parameter, in declaration order.
pub fn params() -> Vec<Param> {
    let schema = values_schema();
    let mut out = Vec::new();
    collect_params(&schema, "", &mut out);
    out
}

/// The dotted paths of every documented parameter, in declaration order.
pub fn leaf_paths() -> Vec<String> {
    params().into_iter().map(|p| p.path).collect()
}

fn collect_params(node: &Value, prefix: &str, out: &mut Vec<Param>) {
    let Some(props) = node.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (key, child) in props {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if child.get("properties").is_some() {
            collect_params(child, &path, out);
        } else {
            out.push(Param {
                type_name: type_name(child),
                default: child.get("default").cloned().unwrap_or(Value::Null),
                description: child
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                path,
            });
        }
    }
}

/// Human-readable accepted types of a schema node.
fn type_name(node: &Value) -> String {
    match node.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => match node.get("anyOf").and_then(Value::as_array) {
            Some(options) => options
                .iter()
                .map(type_name)
                .collect::<Vec<_>>()
                .join(" | "),
            None => "any".into(),
        },
    }
}

/// Removes keywords Helm users should not see or that would be wrong for Helm (non-standard
/// `format` values such as `uint16`, any `additionalProperties: false`) and joins the lines
/// of descriptions.
fn clean_node(node: &mut Value) {
    let Value::Object(map) = node else {
        return;
    };
    map.remove("format");
    if let Some(Value::String(text)) = map.get_mut("description") {
        *text = unwrap_lines(text);
    }
    if map.get("additionalProperties") == Some(&Value::Bool(false)) {
        map.remove("additionalProperties");
    }
    for (key, value) in map.iter_mut() {
        match key.as_str() {
            "properties" | "definitions" | "patternProperties" => {
                if let Value::Object(children) = value {
                    children.values_mut().for_each(clean_node);
                }
            }
            "items" | "anyOf" | "oneOf" | "allOf" => match value {
                Value::Array(children) => children.iter_mut().for_each(clean_node),
                other => clean_node(other),
            },
            "additionalProperties" | "not" | "if" | "then" | "else" => clean_node(value),
            _ => {}
        }
    }
}

/// Joins the lines of a doc comment into one line per paragraph.
fn unwrap_lines(text: &str) -> String {
    text.split("\n\n")
        .map(|para| para.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Sets each leaf's `default` from the chart defaults and drops defaults on objects that are
/// broken down into properties (their leaves carry them; a nested type's own `Default` is not
/// always the chart default at that place). Puts `description` and `default` last in every
/// node, for a stable, readable file.
fn apply_defaults(node: &mut Value, default: Option<&Value>) {
    let Value::Object(map) = node else {
        return;
    };
    let description = map.shift_remove("description");
    let mut own_default = map.shift_remove("default");
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        for (key, child) in props.iter_mut() {
            apply_defaults(child, default.and_then(|d| d.get(key)));
        }
        own_default = None;
    } else if let Some(value) = default {
        own_default = Some(value.clone());
    }
    if let Some(description) = description {
        map.insert("description".into(), description);
    }
    if let Some(value) = own_default {
        map.insert("default".into(), value);
    }
}
