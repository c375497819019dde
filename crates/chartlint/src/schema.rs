//! values.schema.json: validation with the `jsonschema` crate (errors mapped back to the line that
//! set the value), and the unknown-key walk along the schema's `properties`.

use serde_json::Value as Json;

use crate::diagnostic::Diagnostic;
use crate::instance::Tree;
use crate::rules::read::suggest;
use crate::rules::RuleMeta;
use crate::schema_keys::{Keys, NodeId};
use crate::source::Loc;
use crate::values::{
    dotted_path, escape_pointer, push_pointer_token, Merged, Value, ValueKind, View,
};
use crate::yaml::LoadError;
use jsonschema::Validator;
use std::sync::Arc;

/// Most unknown keys reported per input: a file that is mostly unknown keys is the wrong file,
/// and the first findings say so.
const MAX_UNKNOWN: usize = 200;

/// A compiled chart schema.
pub struct Schema {
    /// Where it was read from.
    pub path: String,
    /// The schema document.
    pub raw: Json,
    validator: jsonschema::Validator<Tree>,
    /// Validators of subschemas, for validating only the subtrees a user changed.
    parts: Parts,
    /// The keys each object allows, for the unknown-key walk.
    keys: Keys,
    /// The chart's own values.yaml passes the schema (see [`Schema::check_defaults`]): then a
    /// subtree copied unchanged from it needs no validation.
    defaults_valid: bool,
}

/// True when `node` constrains a map only through its named properties: it holds no keyword
/// but these (annotations, `type: object`, `properties`, definitions). Such a schema object is
/// satisfied exactly when each property's value satisfies its own subschema, so the
/// properties can be validated one by one (and unchanged ones skipped).
fn per_property(node: &Json) -> bool {
    let Json::Object(m) = node else {
        return false;
    };
    m.keys().all(|k| {
        matches!(
            k.as_str(),
            "$schema"
                | "$id"
                | "$comment"
                | "title"
                | "description"
                | "default"
                | "examples"
                | "type"
                | "properties"
                | "definitions"
                | "$defs"
        )
    }) && m.get("type").is_none_or(|t| t == "object")
}

/// One schema error, with the pointers of the whole document.
struct Found {
    instance: String,
    schema: String,
    error: jsonschema::ValidationError<'static>,
}

/// The base URI the chart's schema is registered under, for references into it.
const SCHEMA_URI: &str = "https://chartlint.invalid/values.schema.json";

/// Validators of subschemas (by JSON pointer into the schema), compiled on first use: a lint
/// needs the few under the keys users change, and compiling every subschema up front would
/// cost more than linting a file.
struct Parts {
    /// The chart's schema as a resource that `$ref`s can point into (`None` when it cannot be
    /// registered; whole documents are then validated).
    registry: Option<jsonschema::Registry<'static>>,
    /// `$schema` of the chart's schema, so that a wrapper compiles under the same draft.
    draft: Option<Json>,
    /// Compiled so far, by pointer (`None`: cannot be compiled alone).
    compiled: std::sync::RwLock<Compiled>,
}

/// Subschema validators by JSON pointer.
type Compiled =
    std::collections::HashMap<String, Option<Arc<Validator<Tree>>>, foldhash::fast::RandomState>;

impl Parts {
    fn new(raw: &Json) -> Parts {
        let registry = jsonschema::Registry::new()
            .retrieve_known_draft_meta_schemas(false)
            .add(SCHEMA_URI, raw.clone())
            .and_then(|b| b.prepare())
            .ok();
        Parts {
            registry,
            draft: raw.get("$schema").cloned(),
            compiled: Default::default(),
        }
    }

    /// The validator of the subschema at `pointer`.
    fn get(&self, pointer: &str) -> Option<Arc<Validator<Tree>>> {
        if let Some(found) = self.compiled.read().ok()?.get(pointer) {
            return found.clone();
        }
        let registry = self.registry.as_ref()?;
        // A key that is not a plain URI fragment character is left to whole-document checks.
        let plain = |c: char| c.is_ascii_alphanumeric() || "/-._~!$&'()*+,;=:@".contains(c);
        let built = if pointer.chars().all(plain) {
            let mut wrapper = serde_json::json!({ "$ref": format!("{SCHEMA_URI}#{pointer}") });
            if let (Some(draft), Json::Object(w)) = (&self.draft, &mut wrapper) {
                w.insert("$schema".to_string(), draft.clone());
            }
            jsonschema::options_for::<Tree>()
                .with_registry(registry)
                .build(&wrapper)
                .ok()
                .map(Arc::new)
        } else {
            None
        };
        self.compiled
            .write()
            .ok()?
            .insert(pointer.to_string(), built.clone());
        built
    }
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schema").field("path", &self.path).finish()
    }
}

impl Schema {
    /// Compile a schema document.
    pub fn from_json(path: &str, raw: Json) -> Result<Schema, LoadError> {
        let validator = jsonschema::options_for::<Tree>()
            .build(&raw)
            .map_err(|e| LoadError {
                path: path.to_string(),
                line: 1,
                column: 1,
                message: format!("invalid JSON schema: {e}"),
            })?;
        Ok(Schema {
            path: path.to_string(),
            parts: Parts::new(&raw),
            keys: Keys::compile(&raw),
            raw,
            validator,
            defaults_valid: false,
        })
    }

    /// Read and compile `path`; `Ok(None)` when the file does not exist.
    pub fn load(path: &std::path::Path) -> Result<Option<Schema>, LoadError> {
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(LoadError {
                    path: shown,
                    line: 1,
                    column: 1,
                    message: format!("cannot read schema: {e}"),
                })
            }
        };
        let raw: Json = serde_json::from_str(&text).map_err(|e| LoadError {
            path: shown.clone(),
            line: e.line().max(1),
            column: e.column().max(1),
            message: format!("invalid JSON: {e}"),
        })?;
        Schema::from_json(&shown, raw).map(Some)
    }

    /// Validate the chart's values.yaml once: when it passes, [`Schema::validate`] skips the
    /// subtrees that a merge copied from it unchanged.
    pub fn check_defaults(&mut self, chart_values: &Value) {
        self.defaults_valid = self.validator.is_valid(chart_values);
    }

    /// The schema errors of the merged values, with whole-document pointers.
    fn errors(&self, merged: &Merged) -> Vec<Found> {
        let mut found = Vec::new();
        let by_part = self.defaults_valid && {
            let (mut schema_ptr, mut instance_ptr) = (String::new(), String::new());
            self.errors_by_part(
                &mut schema_ptr,
                &self.raw,
                &merged.tree,
                &mut instance_ptr,
                &mut found,
            )
        };
        if !by_part {
            found.clear();
            // Most inputs are valid: the yes/no check is cheaper than collecting (no) errors.
            if !self.validator.is_valid(&merged.tree) {
                found.extend(self.validator.iter_errors(&merged.tree).map(|error| Found {
                    instance: error.instance_path().as_str().to_string(),
                    schema: error.schema_path().as_str().to_string(),
                    error: error.to_owned(),
                }));
            }
        }
        found
    }

    /// Validate `value` against the subschema `node` (at `schema_ptr`), splitting per property
    /// where the schema allows it and skipping the chart's unchanged subtrees. False when a
    /// needed validator is missing (the caller then validates the whole document). The
    /// pointers are extended in place and restored before returning.
    fn errors_by_part(
        &self,
        schema_ptr: &mut String,
        node: &Json,
        value: &Value,
        instance_ptr: &mut String,
        found: &mut Vec<Found>,
    ) -> bool {
        if let (true, ValueKind::Map(map)) = (per_property(node), &value.kind) {
            let props = node.get("properties").and_then(Json::as_object);
            for (k, e) in map {
                // Copied unchanged from the chart's values.yaml, which passes the schema.
                if !e.value.loc.src.is_user() {
                    continue;
                }
                // Not a named property: nothing here constrains it.
                let Some(sub) = props.and_then(|p| p.get(k)) else {
                    continue;
                };
                let (schema_len, instance_len) = (schema_ptr.len(), instance_ptr.len());
                schema_ptr.push_str("/properties");
                push_pointer_token(schema_ptr, k);
                push_pointer_token(instance_ptr, k);
                let ok = self.errors_by_part(schema_ptr, sub, &e.value, instance_ptr, found);
                schema_ptr.truncate(schema_len);
                instance_ptr.truncate(instance_len);
                if !ok {
                    return false;
                }
            }
            return true;
        }
        let Some(validator) = self.parts.get(schema_ptr) else {
            return false;
        };
        if !validator.is_valid(value) {
            found.extend(validator.iter_errors(value).map(|error| Found {
                instance: format!("{instance_ptr}{}", error.instance_path().as_str()),
                // Resolved through the wrapper's `$ref`: already the keyword's path in the
                // chart's schema, as for a whole-document error.
                schema: error.schema_path().as_str().to_string(),
                error: error.to_owned(),
            }));
        }
        true
    }

    /// Validate the merged values; one diagnostic per schema error, at the value that caused it.
    pub fn validate(&self, meta: &RuleMeta, merged: &Merged) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for Found {
            instance: ptr,
            schema: schema_ptr,
            error: err,
        } in self.errors(merged)
        {
            match err.kind() {
                jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected }
                | jsonschema::error::ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                    for name in unexpected {
                        let child = format!("{ptr}/{}", escape_pointer(name));
                        let loc = key_or_value_loc(merged, &child);
                        let path = dotted_path(&merged.tree, &child);
                        out.push(
                            Diagnostic::new(
                                meta,
                                &loc,
                                path.clone(),
                                format!("`{path}` is not allowed here by the chart's schema"),
                            )
                            .with_help(
                                "remove the key, or check its spelling against the chart's values",
                            ),
                        );
                    }
                }
                _ => {
                    // A collection's span starts at its first child: point at its key instead.
                    let loc = match merged.find(&ptr) {
                        Some((Some(k), v)) if v.as_scalar().is_none() => k.clone(),
                        _ => value_loc(merged, &ptr),
                    };
                    let path = dotted_path(&merged.tree, &ptr);
                    let placeholder = match merged.tree.pointer(&ptr) {
                        Some(v) => match v.view() {
                            View::Object(_) => "the mapping".to_string(),
                            View::Array(_) => "the list".to_string(),
                            _ => truncate(&v.to_json().to_string(), 60),
                        },
                        None => "value".to_string(),
                    };
                    let what = if path.is_empty() {
                        "values".to_string()
                    } else {
                        format!("`{path}`")
                    };
                    let mut d = Diagnostic::new(
                        meta,
                        &loc,
                        path.clone(),
                        format!("{what}: {}", err.masked_with(placeholder)),
                    );
                    if let Some(desc) = self.description_at(&schema_ptr) {
                        d = d.with_help(truncate(&desc, 300));
                    }
                    out.push(d);
                }
            }
        }
        out
    }

    /// The `description` of the schema object that holds the failing keyword, if any.
    fn description_at(&self, schema_path: &str) -> Option<String> {
        let parent = schema_path.rsplit_once('/').map(|(p, _)| p)?;
        let s = self.raw.pointer(parent)?;
        s.get("description")
            .and_then(Json::as_str)
            .map(str::to_string)
    }

    /// Keys written by the user that the schema does not define, with a suggestion.
    pub fn unknown_keys(&self, meta: &RuleMeta, merged: &Merged) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut stack: Vec<(String, &Value, NodeId)> =
            vec![(String::new(), &merged.tree, self.keys.root())];
        // A subtree copied whole from the chart's values.yaml holds no user keys: such children
        // are skipped before their pointer is built (most of the merged tree is chart defaults).
        let user = |v: &Value| v.loc.src.is_user();
        while let Some((ptr, value, id)) = stack.pop() {
            let Some(node) = self.keys.node(id) else {
                continue;
            };
            match &value.kind {
                ValueKind::Map(map) => {
                    if node.free_form {
                        continue;
                    }
                    for (k, e) in map {
                        // A chart default (key and value from values.yaml): nothing below to
                        // walk or report. Checked first, as most of the merged keys are such.
                        if !e.key.src.is_user() && !user(&e.value) {
                            continue;
                        }
                        // Built by hand: format! costs more than the rest of a key's visit.
                        let child = || {
                            let mut child = String::with_capacity(ptr.len() + k.len() + 1);
                            child.push_str(&ptr);
                            push_pointer_token(&mut child, k);
                            child
                        };
                        if let Some(&sub) = node.props.get(k.as_str()) {
                            if user(&e.value) {
                                stack.push((child(), &e.value, sub));
                            }
                        } else if let Some(ap) = node.additional {
                            if user(&e.value) {
                                stack.push((child(), &e.value, ap));
                            }
                        } else if node.report_unknown
                            && e.key.src.is_user()
                            && out.len() < MAX_UNKNOWN
                        {
                            out.push(self.unknown(meta, merged, &child(), k, &e.key, &node.names));
                        }
                    }
                }
                ValueKind::List(items) => {
                    if let Some(item_id) = node.items {
                        for (i, item) in items.iter().enumerate() {
                            if user(item) {
                                stack.push((format!("{ptr}/{i}"), item, item_id));
                            }
                        }
                    }
                }
                ValueKind::Scalar(_) => {}
            }
        }
        out.sort_by_key(|d| (d.file.clone(), d.line, d.column));
        out
    }

    fn unknown(
        &self,
        meta: &RuleMeta,
        merged: &Merged,
        child: &str,
        key: &str,
        key_loc: &Loc,
        props: &[String],
    ) -> Diagnostic {
        let path = dotted_path(&merged.tree, child);
        let parent = path.strip_suffix(key).unwrap_or("").to_string();
        let d = Diagnostic::new(
            meta,
            key_loc,
            path.clone(),
            format!("unknown key `{path}`: the chart does not use it, so Helm ignores it"),
        );
        match suggest(key, props.iter().map(String::as_str)) {
            Some(s) => d.with_help(format!("did you mean `{parent}{s}`?")),
            None => {
                let mut known: Vec<&str> = props.iter().map(String::as_str).collect();
                known.sort_unstable();
                let more = if known.len() > 8 { ", ..." } else { "" };
                known.truncate(8);
                d.with_help(format!(
                    "remove it; keys known here: {}{more}",
                    known.join(", ")
                ))
            }
        }
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max).collect();
    t.push('…');
    t
}

fn value_loc(merged: &Merged, ptr: &str) -> Loc {
    let mut p = ptr.to_string();
    loop {
        if let Some((_, v)) = merged.find(&p) {
            return v.loc.clone();
        }
        match p.rsplit_once('/') {
            Some((parent, _)) => p = parent.to_string(),
            None => return merged.tree.loc.clone(),
        }
    }
}

fn key_or_value_loc(merged: &Merged, ptr: &str) -> Loc {
    match merged.find(ptr) {
        Some((Some(k), _)) => k.clone(),
        Some((None, v)) => v.loc.clone(),
        None => value_loc(merged, ptr),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceFile, SourceKind};
    use crate::values::{from_document, merge, Inputs};
    use crate::yaml::{load_str, Limits};

    fn doc(name: &str, text: &str, kind: SourceKind) -> crate::yaml::Document {
        load_str(SourceFile::new(name, text, kind), &Limits::default()).unwrap()
    }

    fn sorted(found: Vec<Found>) -> Vec<String> {
        let mut out: Vec<String> = found
            .into_iter()
            .map(|f| format!("{} | {} | {}", f.instance, f.schema, f.error))
            .collect();
        out.sort();
        out
    }

    /// Validating only the changed subtrees finds exactly the errors of validating the whole
    /// merged document, with the same instance and schema pointers.
    #[test]
    fn per_property_validation_matches_the_whole_document() {
        let raw = serde_json::json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "definitions": {"port": {"type": "integer", "minimum": 1}},
            "properties": {
                "replicas": {"type": "integer", "minimum": 1},
                "redis": {"type": "object", "description": "redis", "properties": {
                    "port": {"$ref": "#/definitions/port"},
                    "config": {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
                    "resources": {"type": "object", "required": ["limits"], "properties": {
                        "limits": {"type": "object"}}}
                }},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "odd key": {"type": "string"}
            }
        });
        let chart_text = "replicas: 3\nredis:\n  port: 6379\n  config: {maxmemory: 1gb}\n  resources: {limits: {}}\nlabels: {}\nodd key: x\n";
        let chart = from_document(&doc("values.yaml", chart_text, SourceKind::ChartValues));
        let mut split = Schema::from_json("s.json", raw.clone()).unwrap();
        split.check_defaults(&chart);
        assert!(split.defaults_valid);
        let whole = Schema::from_json("s.json", raw).unwrap();
        for user in [
            "replicas: 0\n",
            "redis: {port: 0, config: {maxmemory: [1]}}\n",
            "redis: 5\nlabels: {a: 1}\n",
            "redis: {resources: {limits: null}}\nodd key: 5\n",
            "redis: {resources: {limits: 5}, extra: 1}\nnew: 1\n",
            "labels: [1]\nreplicas: x\n",
        ] {
            let files = [doc("f.yaml", user, SourceKind::ValuesFile)];
            let merged = merge(
                &chart,
                &Inputs {
                    files: &files,
                    set: &[],
                    set_string: &[],
                },
            )
            .unwrap();
            let by_part = sorted(split.errors(&merged));
            assert!(!by_part.is_empty(), "{user}");
            assert_eq!(by_part, sorted(whole.errors(&merged)), "{user}");
        }
        // The split path ran (subschema validators were compiled), not the whole-document one.
        let compiled = split.parts.compiled.read().unwrap();
        assert!(compiled.contains_key("/properties/redis/properties/config"));
        // A key that needs escaping in a URI fragment falls back to the whole document.
        for (pointer, validator) in compiled.iter() {
            assert_eq!(validator.is_none(), pointer.contains(' '), "{pointer}");
        }
    }

    #[test]
    fn suggestions() {
        let c = ["enabled", "replicas", "image", "readOnly"];
        assert_eq!(suggest("enabel", c.iter().copied()), Some("enabled"));
        assert_eq!(suggest("replica", c.iter().copied()), Some("replicas"));
        assert_eq!(suggest("readonly", c.iter().copied()), Some("readOnly"));
        assert_eq!(suggest("podSecurityPolicy", c.iter().copied()), None);
    }
}
