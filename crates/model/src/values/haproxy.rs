//! HAProxy in front of Redis (`haproxy.*`): a Deployment that routes clients to the current
//! master (and optionally to replicas), with its Service, ServiceAccount, metrics and policies.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::common::{AnyList, DocKey, DocMap, FreeMap, Image, MapDoc, MapOrList, StringOrMap};
use super::monitoring::HaproxyServiceMonitor;
use super::network::NetworkPolicy;
use super::security::{HaproxyContainerSecurityContextDoc, HaproxyPodSecurityContextDoc};

/// The documented default of `haproxy.deploymentStrategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeploymentStrategyDoc;

impl MapDoc for DeploymentStrategyDoc {
    const NAME: &'static str = "DeploymentStrategy";
    fn keys() -> Vec<DocKey> {
        vec![DocKey::new(
            "type",
            "`RollingUpdate` (add `rollingUpdate.maxSurge`/`maxUnavailable` as needed) or `Recreate`.",
            json!("RollingUpdate"),
            json!({ "type": "string" }),
        )]
    }
}

/// HAProxy in front of Redis (`haproxy.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Haproxy {
    /// Deploy HAProxy: clients connect to one Service that always reaches the current master,
    /// found by asking every Sentinel. Recommended for clients without Sentinel support.
    pub enabled: bool,
    /// Port of the HAProxy Service that clients connect to.
    pub service_port: u16,
    /// Port HAProxy listens on for the master (container port `redis`).
    pub container_port: u16,
    /// TLS termination in HAProxy.
    pub tls: HaproxyTls,
    /// A second port that load-balances over the replicas (read-only traffic).
    pub read_only: ReadOnly,
    /// Extra ports of the HAProxy container and Service, as `{name, containerPort,
    /// servicePort}` entries; no HAProxy configuration is generated for them (use
    /// `extraConfig`).
    pub additional_ports: AnyList,
    /// Number of HAProxy pods.
    pub replicas: u32,
    /// Deployment strategy of HAProxy, copied as it is into `spec.strategy`.
    pub deployment_strategy: DocMap<DeploymentStrategyDoc>,
    /// Image of the HAProxy containers.
    pub image: Image,
    /// Extra labels on the HAProxy pods.
    pub labels: FreeMap,
    /// Pull secrets of the HAProxy pods.
    pub image_pull_secrets: AnyList,
    /// Declared by the public chart but not used by any object; kept so existing values
    /// files stay valid. Use `podAnnotations` or `deploymentAnnotations`.
    pub annotations: FreeMap,
    /// Annotations on the HAProxy Deployment (values rendered quoted).
    pub deployment_annotations: FreeMap,
    /// Annotations on the HAProxy pods.
    pub pod_annotations: FreeMap,
    /// Resources (requests/limits) of the haproxy container.
    pub resources: FreeMap,
    /// emptyDir spec of the HAProxy pods' scratch volumes (generated config, shared socket).
    pub empty_dir: FreeMap,
    /// Spec of a PodDisruptionBudget for the HAProxy pods (`minAvailable` or
    /// `maxUnavailable`); empty means none. Only rendered when HAProxy is enabled.
    pub pod_disruption_budget: FreeMap,
    /// Pin each client to one server by source address (`balance source`), useful for
    /// long-lived connections to the read-only replicas.
    pub sticky_balancing: bool,
    /// priorityClassName of the HAProxy pods; empty falls back to `global.priorityClassName`.
    pub priority_class_name: String,
    /// The HAProxy Service.
    pub service: HaproxyService,
    /// ServiceAccount of the HAProxy pods when `serviceAccount.create` is false; the chart
    /// does not create it, so it must exist.
    pub service_account_name: String,
    /// ServiceAccount created for HAProxy.
    pub service_account: HaproxyServiceAccount,
    /// HAProxy's built-in Prometheus exporter.
    pub metrics: HaproxyMetrics,
    /// Settings of the HAProxy config-init container.
    pub init: HaproxyInit,
    /// HAProxy timeouts, in HAProxy time format (`4s`, `330s`, `1h`; a bare number means
    /// milliseconds).
    pub timeout: HaproxyTimeout,
    /// Interval between HAProxy health checks of Redis and Sentinel (`check inter`), in
    /// HAProxy time format.
    pub check_interval: String,
    /// Failed checks after which HAProxy takes a Redis server out (`fall`); it comes back
    /// after one successful check.
    pub check_fall: u32,
    /// Pod securityContext of the HAProxy pods; any PodSecurityContext field may be added.
    pub security_context: DocMap<HaproxyPodSecurityContextDoc>,
    /// securityContext of the HAProxy containers; any SecurityContext field may be added.
    pub container_security_context: DocMap<HaproxyContainerSecurityContextDoc>,
    /// `true`: HAProxy pods must run on different nodes (required anti-affinity); `false`:
    /// preferred only.
    pub hard_anti_affinity: bool,
    /// Extra affinity added next to the generated pod anti-affinity of the HAProxy pods.
    pub additional_affinities: FreeMap,
    /// Complete affinity of the HAProxy pods as a YAML string, rendered with `tpl`; when not
    /// empty it replaces the generated affinity. A map is accepted as well.
    pub affinity: StringOrMap,
    /// Complete haproxy.cfg (rendered with `tpl`) used instead of the generated one.
    pub custom_config: Option<String>,
    /// Text appended to the generated haproxy.cfg (not templated), e.g. extra frontends for
    /// `additionalPorts`.
    pub extra_config: Option<String>,
    /// Lifecycle hooks of the haproxy container, copied as they are.
    pub lifecycle: FreeMap,
    /// The HAProxy `helm test` pod.
    pub tests: HaproxyTests,
    /// IPv6 listening.
    #[serde(rename = "IPv6")]
    pub ipv6: HaproxyIpv6,
    /// NetworkPolicy of the HAProxy pods (only rendered when HAProxy is enabled).
    pub network_policy: NetworkPolicy,
}

impl Default for Haproxy {
    fn default() -> Self {
        Haproxy {
            enabled: false,
            service_port: 6379,
            container_port: 6379,
            tls: HaproxyTls::default(),
            read_only: ReadOnly::default(),
            additional_ports: AnyList::new(),
            replicas: 3,
            deployment_strategy: DocMap::default(),
            image: Image::new(
                "public.ecr.aws/docker/library/haproxy",
                "3.3.10-alpine",
                "IfNotPresent",
            ),
            labels: FreeMap::new(),
            image_pull_secrets: AnyList::new(),
            annotations: FreeMap::new(),
            deployment_annotations: FreeMap::new(),
            pod_annotations: FreeMap::new(),
            resources: FreeMap::new(),
            empty_dir: FreeMap::new(),
            pod_disruption_budget: FreeMap::new(),
            sticky_balancing: false,
            priority_class_name: String::new(),
            service: HaproxyService::default(),
            service_account_name: "redis-sa".into(),
            service_account: HaproxyServiceAccount::default(),
            metrics: HaproxyMetrics::default(),
            init: HaproxyInit::default(),
            timeout: HaproxyTimeout::default(),
            check_interval: "1s".into(),
            check_fall: 1,
            security_context: DocMap::default(),
            container_security_context: DocMap::default(),
            hard_anti_affinity: true,
            additional_affinities: FreeMap::new(),
            affinity: StringOrMap::default(),
            custom_config: None,
            extra_config: None,
            lifecycle: FreeMap::new(),
            tests: HaproxyTests::default(),
            ipv6: HaproxyIpv6::default(),
            network_policy: NetworkPolicy::default(),
        }
    }
}

/// TLS termination in HAProxy (`haproxy.tls.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct HaproxyTls {
    /// Clients connect to HAProxy over TLS: the main frontend binds `containerPort` with the
    /// certificate from `secretName`.
    pub enabled: bool,
    /// Secret (rendered with `tpl`) holding the combined PEM file (certificate and key).
    pub secret_name: String,
    /// File name of the PEM inside the Secret.
    pub key_name: Option<String>,
    /// Directory where the Secret is mounted; must end with `/`.
    pub cert_mount_path: String,
}

impl Default for HaproxyTls {
    fn default() -> Self {
        HaproxyTls {
            enabled: false,
            secret_name: String::new(),
            key_name: None,
            cert_mount_path: "/tmp/".into(),
        }
    }
}

/// The read-only port (`haproxy.readOnly.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct ReadOnly {
    /// Add a frontend that balances over the replicas only (reads may lag behind the master).
    pub enabled: bool,
    /// Port of the read-only frontend, container and Service.
    pub port: u16,
}

impl Default for ReadOnly {
    fn default() -> Self {
        ReadOnly {
            enabled: false,
            port: 6380,
        }
    }
}

/// The HAProxy Service (`haproxy.service.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct HaproxyService {
    /// Service type: `ClusterIP`, `NodePort` or `LoadBalancer`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Fixed cluster IP; `None` makes the Service headless.
    #[serde(rename = "clusterIP")]
    pub cluster_ip: String,
    /// nodePort of the main port (type `NodePort` only).
    pub node_port: Option<u16>,
    /// Requested load balancer IP (type `LoadBalancer` only; deprecated in Kubernetes).
    #[serde(rename = "loadBalancerIP")]
    pub load_balancer_ip: Option<String>,
    /// externalTrafficPolicy (`Cluster` or `Local`; type `LoadBalancer` only).
    pub external_traffic_policy: Option<String>,
    /// External IPs of the Service, as a list (a map's values are used too).
    #[serde(rename = "externalIPs")]
    pub external_ips: MapOrList,
    /// Extra labels on the HAProxy Service.
    pub labels: FreeMap,
    /// Annotations on the HAProxy Service (e.g. cloud load balancer settings).
    pub annotations: Option<FreeMap>,
    /// CIDRs allowed to reach the load balancer (type `LoadBalancer` only).
    pub load_balancer_source_ranges: AnyList,
    /// ipFamilyPolicy (`SingleStack`, `PreferDualStack`, `RequireDualStack`); empty omits it.
    pub ip_family_policy: String,
    /// ipFamilies (`IPv4`, `IPv6`); empty omits it.
    pub ip_families: AnyList,
}

impl Default for HaproxyService {
    fn default() -> Self {
        HaproxyService {
            type_: "ClusterIP".into(),
            cluster_ip: String::new(),
            node_port: None,
            load_balancer_ip: None,
            external_traffic_policy: None,
            external_ips: MapOrList::default(),
            labels: FreeMap::new(),
            annotations: None,
            load_balancer_source_ranges: AnyList::new(),
            ip_family_policy: String::new(),
            ip_families: AnyList::new(),
        }
    }
}

/// ServiceAccount of the HAProxy pods (`haproxy.serviceAccount.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct HaproxyServiceAccount {
    /// Create a ServiceAccount `<redis ServiceAccount name>-haproxy` (with a Role and
    /// RoleBinding when `rbac.create`); when false, `serviceAccountName` is used.
    pub create: bool,
    /// Mount the Kubernetes API token into the HAProxy pods.
    pub automount_token: bool,
}

impl Default for HaproxyServiceAccount {
    fn default() -> Self {
        HaproxyServiceAccount {
            create: true,
            automount_token: true,
        }
    }
}

/// HAProxy's built-in Prometheus exporter (`haproxy.metrics.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct HaproxyMetrics {
    /// Serve HAProxy metrics on a separate port and add it to the container and Service.
    pub enabled: bool,
    /// Port of the metrics frontend.
    pub port: u16,
    /// Name of the metrics port on the HAProxy Service.
    pub port_name: String,
    /// HTTP path of the metrics.
    pub scrape_path: String,
    /// A ServiceMonitor (Prometheus Operator) for the HAProxy metrics.
    pub service_monitor: HaproxyServiceMonitor,
}

impl Default for HaproxyMetrics {
    fn default() -> Self {
        HaproxyMetrics {
            enabled: false,
            port: 9101,
            port_name: "http-exporter-port".into(),
            scrape_path: "/metrics".into(),
            service_monitor: HaproxyServiceMonitor::default(),
        }
    }
}

/// The HAProxy config-init container (`haproxy.init.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct HaproxyInit {
    /// Resources of the HAProxy config-init container.
    pub resources: FreeMap,
}

/// HAProxy timeouts (`haproxy.timeout.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct HaproxyTimeout {
    /// Maximum time to establish a connection to Redis (`timeout connect`).
    pub connect: String,
    /// Idle time after which HAProxy closes the server side of a connection
    /// (`timeout server`); keep it above the clients' idle periods.
    pub server: String,
    /// Idle time after which HAProxy closes a client connection (`timeout client`).
    pub client: String,
    /// Time a health check may take once connected (`timeout check`).
    pub check: String,
    /// Idle timeout of established two-way connections such as pub/sub
    /// (`timeout tunnel`).
    pub tunnel: String,
}

impl Default for HaproxyTimeout {
    fn default() -> Self {
        HaproxyTimeout {
            connect: "4s".into(),
            server: "330s".into(),
            client: "330s".into(),
            check: "2s".into(),
            tunnel: "1h".into(),
        }
    }
}

/// The HAProxy `helm test` pod (`haproxy.tests.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct HaproxyTests {
    /// Resources of the HAProxy `helm test` pod.
    pub resources: FreeMap,
    /// Give the HAProxy `helm test` pod liveness and readiness probes (its redis-cli runs);
    /// a one-shot pod needs none, but scanners such as Checkov require them on every pod.
    pub probes: bool,
    /// Give the HAProxy `helm test` pod a NetworkPolicy of its own (with
    /// `haproxy.networkPolicy.enabled`): no ingress, egress to HAProxy's client ports and DNS.
    pub network_policy: bool,
}

/// IPv6 listening (`haproxy.IPv6.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct HaproxyIpv6 {
    /// Listen dual-stack (`[::]:<port> v4v6`) on every frontend; set false on nodes without
    /// IPv6, where binding `[::]` fails.
    pub enabled: bool,
}

impl Default for HaproxyIpv6 {
    fn default() -> Self {
        HaproxyIpv6 { enabled: true }
    }
}
