//! Helm's values semantics for callers that hold plain `serde_json::Value`s and need no
//! positions: the generator (variant overrides over the defaults), podsim (rendered manifests)
//! and the tests. Everything goes through the same loader and merge as the linter's positional
//! tree, so there is one implementation of each.

use std::sync::Arc;

use serde_json::Value as Json;

use crate::source::{Loc, SourceFile, SourceKind, Span, Src};
use crate::values::{self, MapEntry, Value, ValueKind};
use crate::yaml::{self, HelmScalar, Limits, LoadError};

/// The first YAML document of `text` as Helm reads a values file (go-yaml v2 typing, then
/// JSON): `{}` for an empty document. `path` names the text in errors.
pub fn load(path: &str, text: &str) -> Result<Json, LoadError> {
    let doc = yaml::load_str(
        SourceFile::new(path, text, SourceKind::ValuesFile),
        &Limits::default(),
    )?;
    Ok(values::from_document(&doc).to_json())
}

/// Every non-empty document of a YAML stream (`helm template` output, a manifest file), typed
/// as Kubernetes reads manifests: sigs.k8s.io/yaml, the same YAML 1.1 rules as values (a file
/// mode `0755` is 493).
pub fn load_all(path: &str, text: &str) -> Result<Vec<Json>, LoadError> {
    let mut docs = Vec::new();
    // Document markers (`---`, `...`) start at column 0 and cannot occur inside a document's
    // content there, so the stream splits at those lines.
    let mut start = 0;
    let mut first_line = 1;
    let mut offset = 0;
    let mut push = |from: usize, to: usize, first_line: usize| -> Result<(), LoadError> {
        let part = &text[from..to];
        let doc = yaml::load_str(
            SourceFile::new(path, part, SourceKind::ValuesFile),
            &Limits::default(),
        )
        .map_err(|mut e| {
            e.line += first_line - 1;
            e
        })?;
        if doc.root.is_some() {
            docs.push(values::from_document(&doc).to_json());
        }
        Ok(())
    };
    for (line_no, line) in (1..).zip(text.split_inclusive('\n')) {
        let bare = line.trim_end_matches(['\n', '\r']);
        let marker = bare == "---" || bare.starts_with("--- ") || bare == "...";
        if marker {
            push(start, offset, first_line)?;
            start = offset + line.len();
            first_line = line_no + 1;
        }
        offset += line.len();
    }
    push(start, text.len(), first_line)?;
    Ok(docs)
}

/// What Helm renders templates with for `helm install -f files[0] -f files[1] ...`: the files
/// merged in order with Helm's `mergeMaps` (a later file's value replaces an earlier one, maps
/// merge), then coalesced over the chart's `defaults` (maps merge, a user `null` deletes a
/// default). Applying the files one by one over the defaults is not the same: a `null` in one
/// file followed by a map in the next keeps the defaults under that map here. A file that is
/// `null` is an empty document.
pub fn merge(defaults: &Json, files: &[Json]) -> Json {
    merge_over(&from_json(defaults), files)
}

/// [`merge`] over defaults already converted with [`from_json`]: for callers that merge many
/// files over the same chart values (a fleet of a thousand instances over a few charts).
pub fn merge_over(defaults: &Value, files: &[Json]) -> Json {
    let mut user = from_json(&Json::Object(Default::default()));
    for f in files.iter().filter(|f| !f.is_null()) {
        values::merge_maps(&mut user, from_json(f));
    }
    let mut deletions = Vec::new();
    values::coalesce(defaults, user, &mut deletions, "").to_json()
}

/// A JSON value as a value tree without positions (every node at the start of an empty
/// source named `<json>`).
pub fn from_json(v: &Json) -> Value {
    thread_local! {
        static NOWHERE: Src = SourceFile::new("<json>", "", SourceKind::ValuesFile);
    }
    let loc = NOWHERE.with(|src| Loc {
        src: src.clone(),
        span: Span::default(),
    });
    tree(v, &loc)
}

fn tree(v: &Json, loc: &Loc) -> Value {
    let kind = match v {
        Json::Null => ValueKind::Scalar(HelmScalar::Null),
        Json::Bool(b) => ValueKind::Scalar(HelmScalar::Bool(*b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => ValueKind::Scalar(HelmScalar::Int(i)),
            None => ValueKind::Scalar(HelmScalar::Float(n.as_f64().unwrap_or_default())),
        },
        Json::String(s) => ValueKind::Scalar(HelmScalar::Str(s.clone())),
        Json::Array(items) => ValueKind::List(items.iter().map(|i| tree(i, loc)).collect()),
        Json::Object(m) => ValueKind::Map(
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        MapEntry {
                            key: loc.clone(),
                            value: Arc::new(tree(v, loc)),
                        },
                    )
                })
                .collect(),
        ),
    };
    Value {
        kind,
        loc: loc.clone(),
        alias: None,
        style: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_typed_as_helm_reads_them() {
        let v = load(
            "v.yaml",
            "a: yes\nb: 0755\nc: 1e3\nd: \"yes\"\ne: 017\nf: 1_000\ng: ~\n",
        )
        .expect("loads");
        assert_eq!(
            v,
            json!({"a": true, "b": 493, "c": 1000, "d": "yes", "e": 15, "f": 1000, "g": null})
        );
        assert_eq!(load("e.yaml", "").expect("empty"), json!({}));
    }

    #[test]
    fn streams_split_at_document_markers() {
        let docs = load_all(
            "m.yaml",
            "---\n# Source: a\nkind: A\nmode: 0644\n---\n\n---\nkind: B\ntext: |\n  x\n  ---y\n",
        )
        .expect("loads");
        assert_eq!(
            docs,
            vec![
                json!({"kind": "A", "mode": 420}),
                json!({"kind": "B", "text": "x\n---y\n"})
            ]
        );
        let err = load_all("m.yaml", "kind: A\n---\nkind: [\n").expect_err("bad YAML");
        assert_eq!((err.line, err.column), (3, 7), "{err}");
    }

    #[test]
    fn a_user_scalar_replaces_a_default_map_and_back() {
        let defaults = json!({ "affinity": "", "pdb": {} });
        let merged = merge(&defaults, &[json!({ "affinity": {}, "pdb": "x" })]);
        assert_eq!(merged, json!({ "affinity": {}, "pdb": "x" }));
    }

    #[test]
    fn files_merge_before_they_coalesce_over_the_defaults() {
        let defaults = json!({"a": {"x": 1, "y": 2}, "l": [1, 2], "s": "keep", "n": null});
        // A null in one file, then a map in the next: the map merges with the defaults.
        let merged = merge(&defaults, &[json!({"a": null}), json!({"a": {"z": 3}})]);
        assert_eq!(
            merged,
            json!({"a": {"x": 1, "y": 2, "z": 3}, "l": [1, 2], "s": "keep", "n": null})
        );
        // A null in the last file deletes the default; lists and scalars replace.
        let merged = merge(
            &defaults,
            &[json!({"a": {"y": null}, "l": [9], "new": {"k": null}, "n": {"m": 1}})],
        );
        assert_eq!(
            merged,
            json!({"a": {"x": 1}, "l": [9], "s": "keep", "n": {"m": 1}, "new": {"k": null}})
        );
    }
}
