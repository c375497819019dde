//! chart-src/variants.yaml: which charts to generate, their metadata and their values.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::{Error, Result};

/// The parsed variants.yaml.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Spec {
    /// Chart version of every generated chart.
    pub version: String,
    /// appVersion of every generated chart.
    pub app_version: String,
    /// The redis-ha-compatible chart.
    pub base: Base,
    /// Values shared by every sized variant (production defaults), merged over the model's
    /// defaults before the variant's own overrides.
    #[serde(default)]
    pub variant_defaults: Value,
    /// The sized variants.
    #[serde(default)]
    pub variants: Vec<Variant>,
}

/// The base chart.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Base {
    pub name: String,
    pub description: String,
}

/// One sized variant.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub name: String,
    /// Redis `maxmemory` in Redis units (e.g. `1gb`).
    pub maxmemory: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Deliberate per-variant values, merged last.
    #[serde(default)]
    pub overrides: Value,
}

/// Reads and parses variants.yaml.
pub fn load(path: &Path) -> Result<Spec> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_saphyr::from_str(&text).map_err(|e| Error::Spec {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Deep-merges `over` into `base` with Helm's rules: maps merge key by key, anything else
/// (scalars, lists) replaces, and a null deletes the key.
pub fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                if v.is_null() {
                    b.remove(k);
                } else if let Some(slot) = b.get_mut(k) {
                    merge(slot, v);
                } else {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        (slot, v) if !v.is_null() => *slot = v.clone(),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_follows_helm() {
        let mut base = json!({"a": {"x": 1, "y": 2}, "l": [1, 2], "s": "k"});
        merge(&mut base, &json!({"a": {"y": null, "z": 3}, "l": [3]}));
        assert_eq!(base, json!({"a": {"x": 1, "z": 3}, "l": [3], "s": "k"}));
    }
}
