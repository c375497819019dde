//! The split-brain-fix sidecar (`splitBrainDetection.*`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::common::{DocKey, DocMap, FreeMap, MapDoc};

/// Timing keys shared by both probes of the sidecar.
fn probe_keys(command: serde_json::Value, what: &'static str) -> Vec<DocKey> {
    let int = || json!({ "type": "integer" });
    vec![
        DocKey::new(
            "initialDelaySeconds",
            "Seconds after the sidecar starts before the first check.",
            json!(30),
            int(),
        ),
        DocKey::new(
            "periodSeconds",
            "Seconds between two checks.",
            json!(15),
            int(),
        ),
        DocKey::new(
            "timeoutSeconds",
            "Seconds one check may take before it counts as failed.",
            json!(15),
            int(),
        ),
        DocKey::new(
            "successThreshold",
            "Consecutive successful checks before the probe passes again (must be 1 for liveness).",
            json!(1),
            int(),
        ),
        DocKey::new(
            "failureThreshold",
            "Consecutive failed checks before the probe fails.",
            json!(5),
            int(),
        ),
        DocKey::new(
            "exec.command",
            what,
            command,
            json!({ "type": "array", "items": { "type": "string" } }),
        ),
    ]
}

/// Documented keys of `splitBrainDetection.livenessProbe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SplitBrainLivenessProbeDoc;

impl MapDoc for SplitBrainLivenessProbeDoc {
    const NAME: &'static str = "SplitBrainLivenessProbe";
    fn keys() -> Vec<DocKey> {
        probe_keys(
            json!(["cat", "/readonly-config/redis.conf"]),
            "Command of the liveness check (passes while the mounted config is readable).",
        )
    }
}

/// Documented keys of `splitBrainDetection.readinessProbe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SplitBrainReadinessProbeDoc;

impl MapDoc for SplitBrainReadinessProbeDoc {
    const NAME: &'static str = "SplitBrainReadinessProbe";
    fn keys() -> Vec<DocKey> {
        probe_keys(
            json!(["sh", "-c", "test -d /proc/1"]),
            "Command of the readiness check (passes while the container runs).",
        )
    }
}

/// The split-brain-fix sidecar (`splitBrainDetection.*`): it compares the master this pod's
/// Redis follows with the one Sentinel reports and re-initialises the pod when they differ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct SplitBrainDetection {
    /// Seconds between two checks.
    pub interval: u32,
    /// Seconds to wait before checking again when a mismatch is seen; the pod is only
    /// re-initialised if the mismatch persists (failovers in progress are not split brains).
    pub retry_interval: u32,
    /// Resources (requests/limits) of the split-brain-fix container.
    pub resources: FreeMap,
    /// Liveness probe of the sidecar, copied as it is.
    pub liveness_probe: DocMap<SplitBrainLivenessProbeDoc>,
    /// Readiness probe of the sidecar, copied as it is.
    pub readiness_probe: DocMap<SplitBrainReadinessProbeDoc>,
}

impl Default for SplitBrainDetection {
    fn default() -> Self {
        SplitBrainDetection {
            interval: 60,
            retry_interval: 10,
            resources: FreeMap::new(),
            liveness_probe: DocMap::default(),
            readiness_probe: DocMap::default(),
        }
    }
}
