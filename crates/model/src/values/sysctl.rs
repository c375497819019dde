//! The optional `init-sysctl` init container (`sysctlImage.*`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{AnyList, FreeMap, Tag};

/// The `init-sysctl` init container (`sysctlImage.*`), run first in every Redis pod.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct SysctlImage {
    /// Add the `init-sysctl` init container. It runs as root; node-level settings such as
    /// `vm.overcommit_memory` need privileges your cluster may refuse.
    pub enabled: bool,
    /// Command of the init container, e.g. `["/bin/sh", "-c", "sysctl -w net.core.somaxconn=1024"]`.
    pub command: AnyList,
    /// Registry of the image; empty means `docker.io`.
    pub registry: String,
    /// Repository of the image.
    pub repository: String,
    /// Tag of the image; empty means `latest`.
    pub tag: Tag,
    /// Pull policy of the image.
    pub pull_policy: String,
    /// Mount the node's `/sys` at `/host-sys` in the init container (e.g. to disable
    /// transparent huge pages). The hostPath volume is added even when `enabled` is false.
    pub mount_host_sys: bool,
    /// Resources (requests/limits) of the init container.
    pub resources: FreeMap,
}

impl Default for SysctlImage {
    fn default() -> Self {
        SysctlImage {
            enabled: false,
            command: AnyList::new(),
            registry: "public.ecr.aws/docker/library".into(),
            repository: "busybox".into(),
            tag: "1.38.0".into(),
            pull_policy: "Always".into(),
            mount_host_sys: false,
            resources: FreeMap::new(),
        }
    }
}
