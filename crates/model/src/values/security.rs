//! Security contexts, ServiceAccounts and RBAC.
//!
//! Security contexts are open maps: the chart copies them into the pods (minus the IDs that
//! `global.compatibility.openshift.adaptSecurityContext` strips), so any Kubernetes field works.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::common::{DocKey, FreeMap, MapDoc};

fn int_schema() -> serde_json::Value {
    json!({ "type": "integer" })
}

fn bool_schema() -> serde_json::Value {
    json!({ "type": "boolean" })
}

fn string_schema() -> serde_json::Value {
    json!({ "type": "string" })
}

fn string_list_schema() -> serde_json::Value {
    json!({ "type": "array", "items": { "type": "string" } })
}

/// Keys shared by both pod-level security contexts, with the component's user and group ID.
fn pod_keys(id: i64) -> Vec<DocKey> {
    vec![
        DocKey::new(
            "runAsUser",
            "User ID the pod's processes run as (removed on OpenShift, see global.compatibility).",
            json!(id),
            int_schema(),
        ),
        DocKey::new(
            "fsGroup",
            "Group ID that owns mounted volumes such as /data (removed on OpenShift, see global.compatibility).",
            json!(id),
            int_schema(),
        ),
        DocKey::new(
            "runAsNonRoot",
            "Refuse to start containers whose image would run as root.",
            json!(true),
            bool_schema(),
        ),
    ]
}

/// Hardening keys shared by both container security contexts.
fn container_hardening_keys() -> Vec<DocKey> {
    vec![
        DocKey::new(
            "runAsNonRoot",
            "Refuse to start the container if its image would run as root.",
            json!(true),
            bool_schema(),
        ),
        DocKey::new(
            "allowPrivilegeEscalation",
            "Allow a process to gain more privileges than its parent (setuid binaries); keep false.",
            json!(false),
            bool_schema(),
        ),
        DocKey::new(
            "seccompProfile.type",
            "Seccomp profile of the container: `RuntimeDefault`, `Localhost` or `Unconfined`.",
            json!("RuntimeDefault"),
            string_schema(),
        ),
        DocKey::new(
            "capabilities.drop",
            "Linux capabilities removed from the container.",
            json!(["ALL"]),
            string_list_schema(),
        ),
    ]
}

/// Documented keys of the Redis pods' `securityContext`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RedisPodSecurityContextDoc;

impl MapDoc for RedisPodSecurityContextDoc {
    const NAME: &'static str = "RedisPodSecurityContext";
    fn keys() -> Vec<DocKey> {
        pod_keys(1000)
    }
}

/// Documented keys of the Redis containers' `containerSecurityContext`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RedisContainerSecurityContextDoc;

impl MapDoc for RedisContainerSecurityContextDoc {
    const NAME: &'static str = "RedisContainerSecurityContext";
    fn keys() -> Vec<DocKey> {
        let mut keys = vec![DocKey::new(
            "runAsUser",
            "User ID of the containers (also the owner set by the hostpath-chown init container; removed on OpenShift).",
            json!(1000),
            int_schema(),
        )];
        keys.extend(container_hardening_keys());
        keys
    }
}

/// Documented keys of the HAProxy pods' `securityContext`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HaproxyPodSecurityContextDoc;

impl MapDoc for HaproxyPodSecurityContextDoc {
    const NAME: &'static str = "HaproxyPodSecurityContext";
    fn keys() -> Vec<DocKey> {
        pod_keys(99)
    }
}

/// Documented keys of the HAProxy containers' `containerSecurityContext`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HaproxyContainerSecurityContextDoc;

impl MapDoc for HaproxyContainerSecurityContextDoc {
    const NAME: &'static str = "HaproxyContainerSecurityContext";
    fn keys() -> Vec<DocKey> {
        container_hardening_keys()
    }
}

/// ServiceAccount of the Redis pods (`serviceAccount.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct ServiceAccount {
    /// Create the ServiceAccount. Also required for the Redis Role and RoleBinding.
    pub create: bool,
    /// Name of the ServiceAccount; empty means `<fullname>` when created and `default`
    /// otherwise.
    pub name: String,
    /// Mount the Kubernetes API token into the Redis pods (automountServiceAccountToken).
    pub automount_token: bool,
    /// Annotations on the ServiceAccount (e.g. cloud IAM role bindings).
    pub annotations: FreeMap,
}

impl Default for ServiceAccount {
    fn default() -> Self {
        ServiceAccount {
            create: true,
            name: String::new(),
            automount_token: false,
            annotations: FreeMap::new(),
        }
    }
}

/// Role-based access control (`rbac.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Rbac {
    /// Create a Role and RoleBinding (read endpoints and endpointslices) for the Redis
    /// ServiceAccount and, when HAProxy is enabled, for the HAProxy ServiceAccount.
    pub create: bool,
}

impl Default for Rbac {
    fn default() -> Self {
        Rbac { create: true }
    }
}

/// TLS certificate files of Redis and Sentinel (`tls.*`), used when `redis.tlsPort` is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Tls {
    /// Existing Secret (rendered with `tpl`) with the certificate files, mounted at
    /// `/tls-certs`. Empty with `redis.tlsPort` set: a `<fullname>-tls-secret` is generated.
    /// Read by the public chart's templates but only mentioned in a comment of its values.yaml.
    pub secret_name: String,
    /// File name of the server certificate inside the Secret.
    pub cert_file: String,
    /// File name of the private key inside the Secret.
    pub key_file: String,
    /// File name of Diffie-Hellman parameters inside the Secret (`tls-dh-params-file`);
    /// unset omits the directive.
    pub dh_params_file: Option<String>,
    /// File name of the CA certificate inside the Secret; Redis, Sentinel and the chart's
    /// redis-cli calls verify peers with it.
    pub ca_cert_file: String,
}

impl Default for Tls {
    fn default() -> Self {
        Tls {
            secret_name: String::new(),
            cert_file: "redis.crt".into(),
            key_file: "redis.key".into(),
            dh_params_file: None,
            ca_cert_file: "ca.crt".into(),
        }
    }
}
