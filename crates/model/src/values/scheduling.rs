//! Pod placement settings that are structs (`topologySpreadConstraints.*`); the plain ones
//! (nodeSelector, tolerations, affinity) are fields of the root.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::IntOrString;

/// One topology spread constraint for the Redis and HAProxy pods
/// (`topologySpreadConstraints.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct TopologySpreadConstraints {
    /// Add the constraint to the Redis and HAProxy pods (each spread among its own kind).
    pub enabled: bool,
    /// Largest allowed difference of pod counts between two topology domains; empty means 1.
    pub max_skew: IntOrString,
    /// Node label that defines the domains; empty means `topology.kubernetes.io/zone`.
    pub topology_key: String,
    /// `ScheduleAnyway` or `DoNotSchedule` (pods stay Pending when the skew cannot be met);
    /// empty means `ScheduleAnyway`.
    pub when_unsatisfiable: String,
}
