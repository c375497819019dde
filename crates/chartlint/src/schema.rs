//! values.schema.json: validation with the `jsonschema` crate (errors mapped back to the line that
//! set the value), and the unknown-key walk along the schema's `properties`.

use serde_json::Value as Json;

use crate::diagnostic::Diagnostic;
use crate::rules::RuleMeta;
use crate::source::Loc;
use crate::values::{dotted_path, escape_pointer, Merged, Value, ValueKind};
use crate::yaml::LoadError;

/// Most unknown keys reported per input: a file that is mostly unknown keys is the wrong file,
/// and the first findings say so.
const MAX_UNKNOWN: usize = 200;

/// A compiled chart schema.
pub struct Schema {
    /// Where it was read from.
    pub path: String,
    /// The schema document.
    pub raw: Json,
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schema").field("path", &self.path).finish()
    }
}

impl Schema {
    /// Compile a schema document.
    pub fn from_json(path: &str, raw: Json) -> Result<Schema, LoadError> {
        let validator = jsonschema::options().build(&raw).map_err(|e| LoadError {
            path: path.to_string(),
            line: 1,
            column: 1,
            message: format!("invalid JSON schema: {e}"),
        })?;
        Ok(Schema {
            path: path.to_string(),
            raw,
            validator,
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

    /// Validate the merged values; one diagnostic per schema error, at the value that caused it.
    pub fn validate(&self, meta: &RuleMeta, merged: &Merged) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        // Most inputs are valid: the yes/no check is cheaper than collecting (no) errors.
        if self.validator.is_valid(&merged.json) {
            return out;
        }
        for err in self.validator.iter_errors(&merged.json) {
            let ptr = err.instance_path().as_str().to_string();
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
                    let placeholder = match merged.json.pointer(&ptr) {
                        Some(Json::Object(_)) => "the mapping".to_string(),
                        Some(Json::Array(_)) => "the list".to_string(),
                        Some(v) => truncate(&v.to_string(), 60),
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
                    if let Some(desc) = self.description_at(err.schema_path().as_str()) {
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
        let mut stack: Vec<(String, &Value, &Json)> =
            vec![(String::new(), &merged.tree, &self.raw)];
        // A subtree copied whole from the chart's values.yaml holds no user keys: such children
        // are skipped before their pointer is built (most of the merged tree is chart defaults).
        let user = |v: &Value| v.loc.src.is_user();
        while let Some((ptr, value, schema)) = stack.pop() {
            let schema = self.resolve(schema);
            match &value.kind {
                ValueKind::Map(map) => {
                    let shape = self.object_shape(schema);
                    if shape.free_form {
                        continue;
                    }
                    for (k, e) in map {
                        // A chart default (key and value from values.yaml): nothing below to
                        // walk or report. Checked first, as most of the merged keys are such.
                        if !e.key.src.is_user() && !user(&e.value) {
                            continue;
                        }
                        let child = || format!("{ptr}/{}", escape_pointer(k));
                        if let Some(sub) = shape.props.iter().find(|(n, _)| n == k).map(|(_, s)| *s)
                        {
                            if user(&e.value) {
                                stack.push((child(), &e.value, sub));
                            }
                        } else if let Some(ap) = shape.additional {
                            if user(&e.value) {
                                stack.push((child(), &e.value, ap));
                            }
                        } else if shape.report_unknown
                            && e.key.src.is_user()
                            && out.len() < MAX_UNKNOWN
                        {
                            out.push(self.unknown(meta, merged, &child(), k, &e.key, &shape.props));
                        }
                    }
                }
                ValueKind::List(items) => {
                    if let Some(item_schema) = schema.get("items").filter(|s| s.is_object()) {
                        for (i, item) in items.iter().enumerate() {
                            if user(item) {
                                stack.push((format!("{ptr}/{i}"), item, item_schema));
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
        props: &[(&str, &Json)],
    ) -> Diagnostic {
        let path = dotted_path(&merged.tree, child);
        let parent = path.strip_suffix(key).unwrap_or("").to_string();
        let d = Diagnostic::new(
            meta,
            key_loc,
            path.clone(),
            format!("unknown key `{path}`: the chart does not use it, so Helm ignores it"),
        );
        match suggest(key, props.iter().map(|(n, _)| *n)) {
            Some(s) => d.with_help(format!("did you mean `{parent}{s}`?")),
            None => {
                let mut known: Vec<&str> = props.iter().map(|(n, _)| *n).collect();
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

    /// Follow local `$ref`s.
    fn resolve<'s>(&'s self, mut s: &'s Json) -> &'s Json {
        for _ in 0..32 {
            match s
                .get("$ref")
                .and_then(Json::as_str)
                .and_then(|r| r.strip_prefix('#'))
            {
                Some(ptr) => match self.raw.pointer(ptr) {
                    Some(t) => s = t,
                    None => return s,
                },
                None => return s,
            }
        }
        s
    }

    fn object_shape<'s>(&'s self, schema: &'s Json) -> Shape<'s> {
        let mut parts = vec![schema];
        for kw in ["allOf", "anyOf", "oneOf"] {
            if let Some(Json::Array(subs)) = schema.get(kw) {
                parts.extend(subs.iter().map(|s| self.resolve(s)));
            }
        }
        let mut props: Vec<(&str, &Json)> = Vec::new();
        let mut open = false;
        let mut closed = false;
        let mut additional = None;
        // The keys of one `properties` object are unique: only a second one needs the check
        // against names already taken.
        let mut first_properties = true;
        for p in &parts {
            if let Some(Json::Object(m)) = p.get("properties") {
                if first_properties {
                    props.reserve(m.len());
                    props.extend(m.iter().map(|(k, v)| (k.as_str(), v)));
                    first_properties = false;
                } else {
                    for (k, v) in m {
                        if !props.iter().any(|(n, _)| n == k) {
                            props.push((k.as_str(), v));
                        }
                    }
                }
            }
            // Pattern keys need a regex engine; treat them as "anything may be here".
            if p.get("patternProperties").is_some() {
                open = true;
            }
            match p.get("additionalProperties") {
                Some(Json::Bool(true)) => open = true,
                Some(Json::Bool(false)) => closed = true,
                Some(s @ Json::Object(_)) if additional.is_none() => additional = Some(s),
                _ => {}
            }
        }
        let is_bool_true = matches!(schema, Json::Bool(true));
        let free_form = is_bool_true || (props.is_empty() && !closed && additional.is_none());
        Shape {
            props,
            additional,
            report_unknown: !open && !closed && additional.is_none(),
            free_form,
        }
    }
}

struct Shape<'s> {
    props: Vec<(&'s str, &'s Json)>,
    additional: Option<&'s Json>,
    report_unknown: bool,
    free_form: bool,
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

/// The closest candidate by optimal-string-alignment distance, if close enough.
pub fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let limit = (name.chars().count().max(c.chars().count()) / 3).max(1);
        // Cheap reject before the quadratic distance: lengths alone exceed the limit.
        if name.chars().count().abs_diff(c.chars().count()) > limit {
            continue;
        }
        let d = if c.to_lowercase() == lower {
            0
        } else {
            osa_distance(&lower, &c.to_lowercase())
        };
        if d <= limit && best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Edit distance with adjacent transpositions (`enabel` → `enabled` is 2).
pub fn osa_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let c = ["enabled", "replicas", "image", "readOnly"];
        assert_eq!(suggest("enabel", c.iter().copied()), Some("enabled"));
        assert_eq!(suggest("replica", c.iter().copied()), Some("replicas"));
        assert_eq!(suggest("readonly", c.iter().copied()), Some("readOnly"));
        assert_eq!(suggest("podSecurityPolicy", c.iter().copied()), None);
        assert_eq!(osa_distance("ab", "ba"), 1);
        assert_eq!(osa_distance("", "abc"), 3);
    }
}
