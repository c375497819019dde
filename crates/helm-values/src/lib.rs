//! Helm's values semantics, implemented once and used by the linter, the generator, podsim and
//! the tests:
//!
//! - [`yaml`]: a positional YAML tree with Helm's scalar typing (YAML 1.1 via go-yaml v2, then
//!   the JSON round trip of sigs.k8s.io/yaml: `yes` is a boolean, `0755` is 493, every number
//!   a float64). Kubernetes reads manifests the same way.
//! - [`values`]: the tree Helm merges: `-f` files with `mergeMaps`, `--set` ([`strvals`]), then
//!   coalesced over the chart's values.yaml (a user `null` deletes a default).
//! - [`json`]: the same for plain `serde_json::Value`s, for callers that need no positions.
//! - [`source`]: source files and positions for located errors.

pub mod json;
pub mod source;
pub mod strvals;
pub mod values;
pub mod yaml;
