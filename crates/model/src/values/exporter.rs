//! The redis_exporter sidecar (`exporter.*`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::common::{DocKey, DocMap, FreeMap, MapDoc, Tag};
use super::monitoring::ExporterServiceMonitor;

/// Keys shared by both exporter probes. The `httpGet` defaults are `null`, meaning "follow
/// `exporter.scrapePath` / `exporter.port`" (see [`super::deviations::DEVIATIONS`]).
fn probe_keys() -> Vec<DocKey> {
    vec![
        DocKey::new(
            "httpGet.path",
            "HTTP path the probe requests; unset follows `exporter.scrapePath`.",
            json!(null),
            json!({ "type": ["string", "null"] }),
        ),
        DocKey::new(
            "httpGet.port",
            "Port (number or container port name) the probe requests; unset follows `exporter.port`.",
            json!(null),
            json!({ "type": ["integer", "string", "null"] }),
        ),
        DocKey::new(
            "initialDelaySeconds",
            "Seconds after the exporter starts before the first check.",
            json!(15),
            json!({ "type": "integer" }),
        ),
        DocKey::new(
            "timeoutSeconds",
            "Seconds one check may take. A scrape runs every check and can be slow on big instances.",
            json!(3),
            json!({ "type": "integer" }),
        ),
        DocKey::new(
            "periodSeconds",
            "Seconds between two checks.",
            json!(15),
            json!({ "type": "integer" }),
        ),
    ]
}

/// Documented keys of `exporter.livenessProbe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExporterLivenessProbeDoc;

impl MapDoc for ExporterLivenessProbeDoc {
    const NAME: &'static str = "ExporterLivenessProbe";
    fn keys() -> Vec<DocKey> {
        probe_keys()
    }
}

/// Documented keys of `exporter.readinessProbe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExporterReadinessProbeDoc;

impl MapDoc for ExporterReadinessProbeDoc {
    const NAME: &'static str = "ExporterReadinessProbe";
    fn keys() -> Vec<DocKey> {
        let mut keys = probe_keys();
        keys.push(DocKey::new(
            "successThreshold",
            "Consecutive successful checks before the exporter counts as ready again.",
            json!(2),
            json!({ "type": "integer" }),
        ));
        keys
    }
}

/// The redis_exporter sidecar (`exporter.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Exporter {
    /// Add the redis_exporter sidecar to every Redis pod, with an exporter port on the
    /// Services and prometheus.io scrape annotations (unless a ServiceMonitor is used).
    pub enabled: bool,
    /// Image repository of the exporter.
    pub image: String,
    /// Image tag of the exporter.
    pub tag: Tag,
    /// Pull policy of the exporter image.
    pub pull_policy: String,
    /// Port the exporter listens on (container and Service port); the probes follow it.
    pub port: u16,
    /// Name of the exporter's container port (targeted by the Services).
    pub port_name: String,
    /// HTTP path of the metrics (prometheus.io/path annotation); the probes follow it.
    pub scrape_path: String,
    /// Host the exporter connects to Redis on. `localhost` works in the pod; set `127.0.0.1`
    /// where localhost resolves to an unreachable IPv6 address.
    pub address: String,
    /// Connect to Redis over TLS on `redis.tlsPort` (`rediss://`) with the chart's
    /// certificates; needs `redis.tlsPort`. Read by the public chart's templates but only
    /// mentioned in a comment of its values.yaml.
    pub ssl_enabled: bool,
    /// Resources (requests/limits) of the exporter container.
    pub resources: FreeMap,
    /// Extra exporter flags: each `key: value` becomes `--key=value`.
    pub extra_args: FreeMap,
    /// Lua script run at each scrape to export custom metrics; stored in a ConfigMap and
    /// passed as REDIS_EXPORTER_SCRIPT. Empty: none.
    pub script: String,
    /// A ServiceMonitor (Prometheus Operator) for the exporter.
    pub service_monitor: ExporterServiceMonitor,
    /// Liveness probe of the exporter, copied as it is after filling in `httpGet`.
    pub liveness_probe: DocMap<ExporterLivenessProbeDoc>,
    /// Readiness probe of the exporter, copied as it is after filling in `httpGet`.
    pub readiness_probe: DocMap<ExporterReadinessProbeDoc>,
}

impl Default for Exporter {
    fn default() -> Self {
        Exporter {
            enabled: false,
            image: "quay.io/oliver006/redis_exporter".into(),
            tag: "v1.86.0".into(),
            pull_policy: "IfNotPresent".into(),
            port: 9121,
            port_name: "exporter-port".into(),
            scrape_path: "/metrics".into(),
            address: "localhost".into(),
            ssl_enabled: false,
            resources: FreeMap::new(),
            extra_args: FreeMap::new(),
            script: String::new(),
            service_monitor: ExporterServiceMonitor::default(),
            liveness_probe: DocMap::default(),
            readiness_probe: DocMap::default(),
        }
    }
}
