//! Where Redis keeps `/data`: persistent volumes, host paths (the `emptyDir` map is a plain
//! field of the root), and the init containers' settings.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::FreeMap;

/// Persistent storage of `/data` (`persistentVolume.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct PersistentVolume {
    /// Give each Redis pod a PersistentVolumeClaim (template `data`). When false, `hostPath`
    /// or else an emptyDir is used and data does not survive rescheduling.
    pub enabled: bool,
    /// storageClassName of the claims; `"-"` renders an empty class (no dynamic
    /// provisioning) and unset uses the cluster default. Immutable once the StatefulSet exists.
    pub storage_class: Option<String>,
    /// Access modes of the claims.
    pub access_modes: Vec<String>,
    /// Requested size of each claim, as a Kubernetes quantity (`10Gi`). Leave room for the
    /// RDB/AOF files, which can exceed maxmemory during rewrites. Immutable in the
    /// StatefulSet once created.
    pub size: String,
    /// Annotations on the claim template.
    pub annotations: FreeMap,
    /// Labels on the claim template.
    pub labels: FreeMap,
}

impl Default for PersistentVolume {
    fn default() -> Self {
        PersistentVolume {
            enabled: true,
            storage_class: None,
            access_modes: vec!["ReadWriteOnce".into()],
            size: "10Gi".into(),
            annotations: FreeMap::new(),
            labels: FreeMap::new(),
        }
    }
}

/// Settings of the Redis pods' init containers (`init.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Init {
    /// Resources of the config-init, hostpath-chown and restore-* init containers.
    pub resources: FreeMap,
}

/// A host directory for `/data` (`hostPath.*`), used when `persistentVolume.enabled` is false.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct HostPath {
    /// Directory on the node (rendered with `tpl`, e.g. `/data/{{ .Release.Name }}`); empty
    /// uses an emptyDir instead. Pods on the same node would share it: keep hard anti-affinity.
    pub path: String,
    /// Add a root init container (hostpath-chown) that hands the directory to
    /// `containerSecurityContext.runAsUser` and `securityContext.fsGroup`.
    pub chown: bool,
}

impl Default for HostPath {
    fn default() -> Self {
        HostPath {
            path: String::new(),
            chown: true,
        }
    }
}
