//! The `helm test` pod that checks the generated scripts (`configmapTest.*`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{FreeMap, Tag};

/// The `helm test` pod that runs shellcheck over the generated scripts (`configmapTest.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct ConfigmapTest {
    /// Image of the test pod.
    pub image: TestImage,
    /// Resources (requests/limits) of the test pod.
    pub resources: FreeMap,
    /// Give the test pod liveness and readiness probes (its shellcheck runs); a one-shot pod
    /// needs none, but scanners such as Checkov require them on every pod.
    pub probes: bool,
}

/// Image of the `helm test` pod (`configmapTest.image.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct TestImage {
    /// Image repository of the shellcheck test pod.
    pub repository: String,
    /// Image tag of the shellcheck test pod.
    pub tag: Tag,
    /// Pull policy of the shellcheck test pod's image; empty leaves Kubernetes' default.
    pub pull_policy: String,
}

impl Default for TestImage {
    fn default() -> Self {
        TestImage {
            repository: "koalaman/shellcheck".into(),
            tag: "v0.11.0".into(),
            pull_policy: String::new(),
        }
    }
}
