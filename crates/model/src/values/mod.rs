//! The values of the redis-ha chart as Rust types: every key of the public chart 4.39, with the
//! same names, types, defaults and order, plus the four keys its templates read without
//! declaring them. The `///` comments become the schema descriptions, the values.yaml comments
//! and the README table.
//!
//! Deserialize user values only after merging them over [`crate::schema::defaults`] the way Helm
//! does (`helm_values::json::merge`, or [`Values::from_user_values`]): a nested struct's own
//! `Default` is not always the chart default at that place (e.g. the sentinel probes).

pub mod common;
pub mod deviations;
pub mod exporter;
pub mod haproxy;
pub mod helm_test;
pub mod monitoring;
pub mod network;
pub mod redis;
pub mod restore;
pub mod scheduling;
pub mod security;
pub mod sentinel;
pub mod split_brain;
pub mod storage;
pub mod sysctl;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use common::{
    AnyList, Count, DocKey, DocMap, FreeMap, Image, IntOrString, MapDoc, MapOrList, ScriptProbe,
    StringOrBool, StringOrMap, Tag,
};
pub use deviations::{AddedKey, Deviation, ADDED_KEYS, DEVIATIONS};

/// Values of the redis-ha chart: a Redis master with replicas, one Sentinel next to each Redis,
/// and optionally HAProxy in front and a metrics exporter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Values {
    /// Settings shared with parent charts.
    pub global: Global,
    /// Replaces the computed base name (`<release>-<chart>`, or the release name when it
    /// already contains the chart name) of every object; cut to 63 characters. Changing it on
    /// an installed release renames every object.
    pub fullname_override: String,
    /// Replaces the chart name in the `app` label and in the computed base name. Changing it
    /// on an installed release breaks the StatefulSet's immutable selector.
    pub name_override: String,
    /// Extra labels on the Redis pods (pod template of the StatefulSet) only.
    pub labels: FreeMap,
    /// Extra labels on the headless `<fullname>` Service only.
    pub service_labels: FreeMap,
    /// Annotations on the headless Service and on every per-pod announce Service.
    /// Read by the public chart's templates but not declared in its values.yaml.
    pub service_annotations: FreeMap,
    /// Annotations on the HAProxy `helm test` pod only (not on the Redis pods: use
    /// `redis.podAnnotations`). Read by the public chart's templates but not declared in its
    /// values.yaml.
    pub pod_annotations: FreeMap,
    /// The `<fullname>-configmap` ConfigMap.
    pub configmap: Configmap,
    /// Labels added to the metadata of (almost) every object and to both pod templates;
    /// values are rendered quoted.
    pub extra_labels: FreeMap,
    /// Image of the Redis containers (config-init, redis, sentinel, split-brain-fix,
    /// hostpath-chown, restore-redis) and of the HAProxy test pod.
    pub image: Image,
    /// Pull secrets of the Redis pods and test pods, also added to the Redis ServiceAccount.
    pub image_pull_secrets: AnyList,
    /// Number of Redis pods (each runs redis and sentinel). Use an odd number of at least 3:
    /// with 2 pods the survivor of a failure is not a Sentinel majority and cannot fail over.
    /// A string of digits is accepted.
    pub replicas: Count,
    /// StatefulSet podManagementPolicy: `OrderedReady` or `Parallel`.
    pub pod_management_policy: String,
    /// Comma-separated pod indexes (e.g. `"1,2"`) that get `replica-priority 0`, so Sentinel
    /// never promotes them. Index 0 is the first master. Indexes match exactly.
    #[serde(rename = "ro_replicas")]
    pub ro_replicas: IntOrString,
    /// priorityClassName of the Redis pods; empty falls back to `global.priorityClassName`.
    pub priority_class_name: String,
    /// Scheduler of the Redis pods (e.g. `stork`); empty uses the default scheduler.
    pub scheduler_name: String,
    /// nodeSelector of the Redis, HAProxy and test pods.
    pub node_selector: FreeMap,
    /// Tolerations of the Redis, HAProxy and test pods.
    pub tolerations: AnyList,
    /// `true`: Redis pods must run on different nodes (required anti-affinity on
    /// `kubernetes.io/hostname`; pods stay Pending when nodes are short). `false`: preferred only.
    pub hard_anti_affinity: bool,
    /// Extra affinity (e.g. `nodeAffinity`) added next to the generated pod anti-affinity of the
    /// Redis pods. Ignored when `affinity` is set.
    pub additional_affinities: FreeMap,
    /// Complete affinity of the Redis pods as a YAML string, rendered with `tpl`; when not
    /// empty it replaces the generated affinity. A map is accepted as well.
    pub affinity: StringOrMap,
    /// One topology spread constraint added to the Redis and HAProxy pods.
    pub topology_spread_constraints: scheduling::TopologySpreadConstraints,
    /// Pod securityContext of the Redis pods; any PodSecurityContext field may be added.
    pub security_context: DocMap<security::RedisPodSecurityContextDoc>,
    /// securityContext of every container in the Redis pods; any SecurityContext field may be
    /// added (e.g. `readOnlyRootFilesystem`).
    pub container_security_context: DocMap<security::RedisContainerSecurityContextDoc>,
    /// ServiceAccount of the Redis pods.
    pub service_account: security::ServiceAccount,
    /// Role-based access control.
    pub rbac: security::Rbac,
    /// The Redis server container and its redis.conf.
    pub redis: redis::Redis,
    /// The Sentinel container and its sentinel.conf.
    pub sentinel: sentinel::Sentinel,
    /// Require a password on Redis (`requirepass`/`masterauth`); every container, Sentinel and
    /// HAProxy then authenticate. Without `redisPassword` or `existingSecret` a random password
    /// is generated once and kept across upgrades.
    pub auth: bool,
    /// Redis password stored in the generated `<fullname>` Secret. Ignored when
    /// `existingSecret` is set. Prefer `existingSecret` to keep it out of values files.
    pub redis_password: Option<String>,
    /// Annotations on the generated auth Secret (merged with `redis.annotations`).
    pub auth_secret_annotations: FreeMap,
    /// Name of an existing Secret holding the Redis password under `authKey` (rendered with
    /// `tpl`); no Secret is generated then. Also the Secret used when `restore.existingSecret`.
    pub existing_secret: Option<String>,
    /// Key of the Redis password inside the auth Secret.
    pub auth_key: String,
    /// TLS certificate files for Redis and Sentinel (used when `redis.tlsPort` is set).
    pub tls: security::Tls,
    /// Persistent storage of `/data` (RDB/AOF files and the generated config).
    pub persistent_volume: storage::PersistentVolume,
    /// Settings of the Redis pods' init containers.
    pub init: storage::Init,
    /// Host directory for `/data` when `persistentVolume.enabled` is false.
    pub host_path: storage::HostPath,
    /// emptyDir spec (e.g. `medium: Memory`, `sizeLimit`) for `/data` when neither a
    /// persistent volume nor `hostPath.path` is used. Data is lost when a pod is rescheduled.
    pub empty_dir: FreeMap,
    /// HAProxy in front of Redis: one stable endpoint that always routes to the current master.
    pub haproxy: haproxy::Haproxy,
    /// The redis_exporter sidecar (Prometheus metrics of Redis).
    pub exporter: exporter::Exporter,
    /// A PrometheusRule with alerting rules (Prometheus Operator).
    pub prometheus_rule: monitoring::PrometheusRule,
    /// A Grafana dashboard of the group (ConfigMap for Grafana's dashboard sidecar).
    pub grafana_dashboard: monitoring::GrafanaDashboard,
    /// NetworkPolicy of the Redis pods.
    pub network_policy: network::NetworkPolicy,
    /// Spec of a PodDisruptionBudget for the Redis pods (`minAvailable` or `maxUnavailable`);
    /// empty means no PDB. With 3 pods, `maxUnavailable: 1` keeps a Sentinel majority.
    pub pod_disruption_budget: FreeMap,
    /// The split-brain-fix sidecar: it repairs pods that follow a different master than
    /// Sentinel reports.
    pub split_brain_detection: split_brain::SplitBrainDetection,
    /// The optional `init-sysctl` init container that tunes kernel parameters (needs
    /// privileges; prefer `securityContext.sysctls` for namespaced sysctls).
    pub sysctl_image: sysctl::SysctlImage,
    /// Restore `/data/dump.rdb` from S3, SSH or another Redis before Redis starts.
    pub restore: restore::Restore,
    /// Init containers appended after the chart's own init containers in the Redis pods.
    pub extra_init_containers: AnyList,
    /// Containers appended after the chart's containers in the Redis pods.
    pub extra_containers: AnyList,
    /// Volumes appended to the Redis pods (mount them with `redis.extraVolumeMounts` or
    /// `sentinel.extraVolumeMounts`).
    pub extra_volumes: AnyList,
    /// The `helm test` pod that checks the generated scripts.
    pub configmap_test: helm_test::ConfigmapTest,
    /// Annotate the workloads and test pods with Checkov skip reasons
    /// (`checkov.io/skip1: CKV_K8S_43=...`) for what the chart cannot satisfy itself: an image
    /// pinned by tag rather than digest (set the tag to `<tag>@sha256:<digest>` to pin one).
    pub checkov_skip_annotations: bool,
}

impl Default for Values {
    fn default() -> Self {
        Values {
            global: Global::default(),
            fullname_override: String::new(),
            name_override: String::new(),
            labels: FreeMap::new(),
            service_labels: FreeMap::new(),
            service_annotations: FreeMap::new(),
            pod_annotations: FreeMap::new(),
            configmap: Configmap::default(),
            extra_labels: FreeMap::new(),
            image: Image::new(
                "public.ecr.aws/docker/library/redis",
                "8.8.0-alpine",
                "IfNotPresent",
            ),
            image_pull_secrets: AnyList::new(),
            replicas: Count(3),
            pod_management_policy: "OrderedReady".into(),
            ro_replicas: IntOrString::default(),
            priority_class_name: String::new(),
            scheduler_name: String::new(),
            node_selector: FreeMap::new(),
            tolerations: AnyList::new(),
            hard_anti_affinity: true,
            additional_affinities: FreeMap::new(),
            affinity: StringOrMap::default(),
            topology_spread_constraints: scheduling::TopologySpreadConstraints::default(),
            security_context: DocMap::default(),
            container_security_context: DocMap::default(),
            service_account: security::ServiceAccount::default(),
            rbac: security::Rbac::default(),
            redis: redis::Redis::default(),
            sentinel: sentinel::Sentinel::default(),
            auth: false,
            redis_password: None,
            auth_secret_annotations: FreeMap::new(),
            existing_secret: None,
            auth_key: "auth".into(),
            tls: security::Tls::default(),
            persistent_volume: storage::PersistentVolume::default(),
            init: storage::Init::default(),
            host_path: storage::HostPath::default(),
            empty_dir: FreeMap::new(),
            haproxy: haproxy::Haproxy::default(),
            exporter: exporter::Exporter::default(),
            prometheus_rule: monitoring::PrometheusRule::default(),
            grafana_dashboard: monitoring::GrafanaDashboard::default(),
            network_policy: network::NetworkPolicy::redis_default(),
            pod_disruption_budget: FreeMap::new(),
            split_brain_detection: split_brain::SplitBrainDetection::default(),
            sysctl_image: sysctl::SysctlImage::default(),
            restore: restore::Restore::default(),
            extra_init_containers: AnyList::new(),
            extra_containers: AnyList::new(),
            extra_volumes: AnyList::new(),
            configmap_test: helm_test::ConfigmapTest::default(),
            checkov_skip_annotations: false,
        }
    }
}

impl Values {
    /// Merges user values over the chart defaults the way Helm does (maps merge recursively,
    /// a user `null` deletes the key, lists and scalars replace: `helm_values::json::merge`)
    /// and reads the result.
    pub fn from_user_values(user: &serde_json::Value) -> Result<Values, serde_json::Error> {
        let merged =
            helm_values::json::merge(&crate::schema::defaults(), std::slice::from_ref(user));
        serde_json::from_value(merged)
    }
}

/// Settings shared with parent charts (`global.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Global {
    /// Default priorityClassName of the Redis and HAProxy pods when their own is empty.
    pub priority_class_name: String,
    /// Compatibility switches for specific platforms.
    pub compatibility: Compatibility,
}

/// Platform compatibility switches (`global.compatibility.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Compatibility {
    /// OpenShift settings.
    pub openshift: Openshift,
}

/// OpenShift settings (`global.compatibility.openshift.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Openshift {
    /// Remove `runAsUser`, `runAsGroup` and `fsGroup` from every rendered securityContext so
    /// OpenShift can assign its own IDs: `auto` when the `security.openshift.io/v1` API exists,
    /// `force` always, any other value (e.g. `disabled`) never.
    pub adapt_security_context: String,
}

impl Default for Openshift {
    fn default() -> Self {
        Openshift {
            adapt_security_context: "auto".into(),
        }
    }
}

/// The `<fullname>-configmap` ConfigMap (`configmap.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Configmap {
    /// Extra labels on the `<fullname>-configmap` ConfigMap.
    pub labels: FreeMap,
}
