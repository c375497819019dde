//! The fleet file: every Redis HA group of a platform in one YAML file, as Rust types. The
//! `///` comments become the descriptions of `schemas/fleet.schema.json`.
//!
//! ```yaml
//! charts:
//!   repository: oci://registry.example.com/charts
//! defaults:
//!   namespace: redis
//!   size: redis-1g
//! instances:
//!   - name: orders
//!     size: 3gb
//!     values:
//!       redis:
//!         config:
//!           maxmemory-policy: noeviction
//! ```
//!
//! What the types cannot say (a size that names no chart, two releases of one name in one
//! namespace) is checked where the fleet is resolved against the charts (the generator's
//! `fleet` module), with the location in the file.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Title of the fleet schema.
pub const FLEET_SCHEMA_TITLE: &str = "redis-ha fleet";

/// Many Redis HA groups (Helm releases of the generated charts) in one file. `chartgen fleet`
/// turns it into one values file per instance, a helmfile.yaml and an Argo CD ApplicationSet;
/// `chartlint --fleet` lints every instance as it will be installed; `chartgen plan` says what a
/// change to it will do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Fleet {
    /// Where helmfile and Argo CD take the charts from.
    pub charts: Charts,
    /// Argo CD settings. Without this section no ApplicationSet is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argocd: Option<ArgoCd>,
    /// What every instance starts from.
    #[serde(default)]
    pub defaults: Defaults,
    /// The instances, one Helm release each.
    pub instances: Vec<Instance>,
}

/// The chart source of every release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Charts {
    /// An OCI registry (`oci://registry.example.com/charts`), a Helm repository
    /// (`https://charts.example.com`), or a directory holding the generated charts, relative to
    /// the output directory (`../generated-charts`).
    #[schemars(length(min = 1))]
    pub repository: String,
    /// Chart version of every release. Default: the version of the generated charts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// Where Argo CD finds the output of `chartgen fleet` and where it deploys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ArgoCd {
    /// The git repository that holds the output directory (the values files).
    #[serde(rename = "repoURL")]
    #[schemars(length(min = 1))]
    pub repo_url: String,
    /// The output directory's path inside that repository.
    #[serde(default = "dot")]
    pub path: String,
    /// The git revision Argo CD follows.
    #[serde(default = "head")]
    pub target_revision: String,
    /// Name of the ApplicationSet.
    #[serde(default = "appset_name")]
    pub name: String,
    /// Namespace of the ApplicationSet (where Argo CD runs).
    #[serde(default = "argocd")]
    pub namespace: String,
    /// Argo CD project of the generated Applications.
    #[serde(default = "default_project")]
    pub project: String,
    /// The cluster the instances are deployed to.
    #[serde(default = "in_cluster")]
    pub destination_server: String,
}

fn dot() -> String {
    ".".into()
}
fn head() -> String {
    "HEAD".into()
}
fn appset_name() -> String {
    "redis-fleet".into()
}
fn argocd() -> String {
    "argocd".into()
}
fn default_project() -> String {
    "default".into()
}
fn in_cluster() -> String {
    "https://kubernetes.default.svc".into()
}

/// Settings of every instance that does not set its own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Defaults {
    /// Namespace of instances without one. Default: `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"), length(max = 63))]
    pub namespace: Option<String>,
    /// Size of instances without one: a generated chart (`redis-1g`) or a Redis memory size
    /// (`3gb`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub size: Option<String>,
    /// Chart values of every instance, merged under each instance's own `values` (as Helm
    /// merges `-f defaults.yaml -f instance.yaml`).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub values: Map<String, Value>,
}

/// One Redis HA group: one Helm release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Instance {
    /// Release name: lowercase letters, digits and `-`, at most 53 characters (Helm's limit).
    #[schemars(regex(pattern = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"), length(max = 53))]
    pub name: String,
    /// Namespace. Default: `defaults.namespace`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"), length(max = 63))]
    pub namespace: Option<String>,
    /// A generated chart (`redis-1g`), or a Redis memory size (`3gb`): the nearest sized chart
    /// with maxmemory, memory limits, CPU and PVC derived from that size by the same sizing as
    /// the charts. Default: `defaults.size`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub size: Option<String>,
    /// Chart values of this instance, merged over `defaults.values`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub values: Map<String, Value>,
}

/// The JSON Schema of the fleet file (draft-07), for editors and CI.
pub fn fleet_schema() -> Value {
    let generator = SchemaSettings::draft07()
        .with(|settings| settings.inline_subschemas = true)
        .into_generator();
    let schema = generator.into_root_schema_for::<Fleet>().to_value();
    let mut root = Map::new();
    root.insert(
        "$schema".into(),
        Value::String(crate::schema::DRAFT07.into()),
    );
    root.insert("title".into(), Value::String(FLEET_SCHEMA_TITLE.into()));
    if let Value::Object(generated) = schema {
        for (key, mut value) in generated {
            match key.as_str() {
                "$schema" | "title" => {}
                "definitions" if value.as_object().is_some_and(Map::is_empty) => {}
                _ => {
                    clean(&mut value);
                    root.insert(key, value);
                }
            }
        }
    }
    Value::Object(root)
}

/// Joins the wrapped lines of doc comments into one line per paragraph, and drops the `null`
/// that schemars allows for `Option` fields: an absent key means "the default", and `null` is
/// not a value anywhere in a fleet file.
fn clean(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get("type") {
                let kept: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
                let kept = match kept.len() {
                    1 => kept[0].clone(),
                    _ => Value::Array(kept),
                };
                map.insert("type".into(), kept);
            }
            for (key, value) in map.iter_mut() {
                if key == "description" {
                    if let Value::String(text) = value {
                        *text = text
                            .split("\n\n")
                            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
                            .collect::<Vec<_>>()
                            .join("\n\n");
                    }
                } else {
                    clean(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(clean),
        _ => {}
    }
}
