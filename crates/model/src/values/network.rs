//! NetworkPolicies of the Redis pods (`networkPolicy.*`) and of the HAProxy pods
//! (`haproxy.networkPolicy.*`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::common::{AnyList, FreeMap};

/// A NetworkPolicy for the chart's pods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct NetworkPolicy {
    /// Create the NetworkPolicy. Traffic the chart needs (Redis and Sentinel between the
    /// pods, HAProxy to Redis) is always allowed; add your clients with `ingressRules`.
    pub enabled: bool,
    /// Annotations on the NetworkPolicy.
    pub annotations: FreeMap,
    /// Extra labels on the NetworkPolicy.
    pub labels: FreeMap,
    /// Extra ingress rules as `{selectors: [<peer>...], ports: [...]}`; selectors are
    /// NetworkPolicy peers rendered with `tpl`, ports default to the chart's enabled ports.
    pub ingress_rules: AnyList,
    /// Egress rules in the same shape. A list you set replaces the default as a whole: keep a
    /// rule for DNS (port 53) or the pods cannot resolve each other.
    pub egress_rules: AnyList,
    /// Also admit every pod of the release's namespace to the client ports (Redis and
    /// Sentinel for this policy, the HAProxy listeners for `haproxy.networkPolicy`).
    pub allow_same_namespace: bool,
    /// Namespace (by its `kubernetes.io/metadata.name` label) whose pods may scrape the
    /// metrics port (redis_exporter, HAProxy's Prometheus endpoint); empty admits none.
    pub monitoring_namespace: String,
}

impl NetworkPolicy {
    /// The Redis pods' default: egress to DNS (port 53 UDP and TCP) in any namespace and on
    /// the link-local range 169.254.0.0/16 (node-local DNS caches).
    pub fn redis_default() -> Self {
        NetworkPolicy {
            egress_rules: vec![json!({
                "selectors": [
                    { "namespaceSelector": {} },
                    { "ipBlock": { "cidr": "169.254.0.0/16" } }
                ],
                "ports": [
                    { "port": 53, "protocol": "UDP" },
                    { "port": 53, "protocol": "TCP" }
                ]
            })],
            ..NetworkPolicy::default()
        }
    }
}
