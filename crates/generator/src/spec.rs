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
    /// This project's home page, written into every Chart.yaml (`home`) when set.
    #[serde(default)]
    pub home: Option<String>,
    /// Where this project's sources are, written into every Chart.yaml (`sources`).
    #[serde(default)]
    pub sources: Vec<String>,
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
    // Overrides are chart values: typed as Helm types a values file (`yes` is a boolean).
    let value =
        helm_values::json::load(&path.display().to_string(), &text).map_err(|e| Error::Spec {
            path: path.to_path_buf(),
            message: format!("{}:{}: {}", e.line, e.column, e.message),
        })?;
    serde_json::from_value(value).map_err(|e| Error::Spec {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}
