//! Prometheus Operator objects: ServiceMonitors and the PrometheusRule.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{AnyList, FreeMap};

/// A ServiceMonitor for HAProxy metrics (`haproxy.metrics.serviceMonitor.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct HaproxyServiceMonitor {
    /// Create a ServiceMonitor for the HAProxy metrics (needs `haproxy.enabled`,
    /// `haproxy.metrics.enabled` and the monitoring.coreos.com/v1 API unless `disableAPICheck`).
    pub enabled: bool,
    /// Namespace of the ServiceMonitor; empty means the release namespace.
    pub namespace: String,
    /// Scrape interval (e.g. `30s`); empty uses Prometheus' default.
    pub interval: String,
    /// Scrape path; empty uses the endpoint default (`/metrics`).
    pub telemetry_path: String,
    /// Extra labels on the ServiceMonitor, e.g. the ones your Prometheus selects.
    pub labels: FreeMap,
    /// Scrape timeout (e.g. `10s`); must not exceed the interval; empty uses the default.
    pub timeout: String,
    /// Extra fields merged into the ServiceMonitor endpoint (tlsConfig, honorLabels, ...).
    pub endpoint_additional_properties: FreeMap,
    /// Render the ServiceMonitor even when the monitoring.coreos.com/v1 API is not known
    /// (e.g. `helm template` without `--api-versions`).
    #[serde(rename = "disableAPICheck")]
    pub disable_api_check: bool,
}

/// A ServiceMonitor for the Redis exporter (`exporter.serviceMonitor.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct ExporterServiceMonitor {
    /// Create a ServiceMonitor for the Redis exporter (needs `exporter.enabled` and the
    /// monitoring.coreos.com/v1 API unless `disableAPICheck`). The prometheus.io pod
    /// annotations are then left out.
    pub enabled: bool,
    /// Namespace of the ServiceMonitor; empty means the release namespace.
    pub namespace: String,
    /// Scrape interval (e.g. `30s`); empty uses Prometheus' default.
    pub interval: String,
    /// Scrape path; empty uses the endpoint default (`/metrics`).
    pub telemetry_path: String,
    /// Extra labels on the ServiceMonitor, e.g. the ones your Prometheus selects.
    pub labels: FreeMap,
    /// Scrape timeout (e.g. `10s`); must not exceed the interval; empty uses the default.
    pub timeout: String,
    /// Extra fields merged into the ServiceMonitor endpoint (tlsConfig, honorLabels, ...).
    pub endpoint_additional_properties: FreeMap,
    /// Render the ServiceMonitor even when the monitoring.coreos.com/v1 API is not known
    /// (e.g. `helm template` without `--api-versions`).
    #[serde(rename = "disableAPICheck")]
    pub disable_api_check: bool,
    /// Relabelings applied before scraping (endpoint `relabelings`).
    pub relabelings: AnyList,
    /// Relabelings applied to scraped samples (endpoint `metricRelabelings`).
    pub metric_relabelings: AnyList,
}

/// A PrometheusRule with alerting rules (`prometheusRule.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct PrometheusRule {
    /// Create a PrometheusRule (needs the Prometheus Operator CRDs; not checked).
    pub enabled: bool,
    /// Labels of the PrometheusRule, e.g. the ones your Prometheus selects (it gets no
    /// other labels).
    pub additional_labels: FreeMap,
    /// Namespace of the PrometheusRule; unset uses the release namespace.
    pub namespace: Option<String>,
    /// Evaluation interval of the rule group.
    pub interval: String,
    /// Prometheus rules, rendered with `tpl`: escape Prometheus templates as
    /// `{{ "{{ $labels.pod }}" }}`. They follow the chart's own alerts (`defaultRules`).
    pub rules: AnyList,
    /// Render the PrometheusRule even when the monitoring.coreos.com/v1 API is not known. The
    /// public chart never checks (default true here too); the sized variants check, so that an
    /// install into a cluster without the Prometheus Operator does not fail.
    #[serde(rename = "disableAPICheck")]
    pub disable_api_check: bool,
    /// The chart's own alerts (Redis, replication, memory, HAProxy); thresholds below.
    pub default_rules: DefaultRules,
}

/// A Prometheus duration of one unit (`30s`, `5m`, `1h`): the chart turns it into seconds
/// where an expression compares against a number.
const DURATION: &str = r"^[0-9]+[smh]$";

/// The chart's own alerts (`prometheusRule.defaultRules.*`). Every expression selects this
/// release's targets by `namespace` and `job` (the Service name the ServiceMonitors give).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct DefaultRules {
    /// Add the chart's alerts to the PrometheusRule (needs `prometheusRule.enabled`).
    pub enabled: bool,
    /// Alert names to leave out, e.g. `[RedisEvictingKeys]` with an LRU cache.
    pub disabled: Vec<String>,
    /// Extra labels on every alert (e.g. `team: storage`); `severity` here overrides all.
    pub labels: FreeMap,
    /// How long a Redis target must be down (scrape failing or `redis_up` 0) to alert.
    #[schemars(regex(pattern = DURATION))]
    pub redis_down_for: String,
    /// How long the group may have no master, or more than one, before alerting.
    #[schemars(regex(pattern = DURATION))]
    pub master_count_for: String,
    /// How long a replica's link to its master may be down before alerting.
    #[schemars(regex(pattern = DURATION))]
    pub replication_broken_for: String,
    /// Replication lag, in bytes of the master's stream a replica has not processed, above
    /// which a replica counts as lagging.
    pub replica_lag_bytes: u64,
    /// How long a replica must lag before alerting.
    #[schemars(regex(pattern = DURATION))]
    pub replica_lag_for: String,
    /// Percent of `maxmemory` used (`used_memory`) above which to alert.
    #[schemars(range(min = 1, max = 100))]
    pub maxmemory_percent: u8,
    /// Percent of the redis container's memory limit (`redis.resources.limits.memory`) the
    /// process's RSS may use before alerting; no alert without a limit.
    #[schemars(range(min = 1, max = 100))]
    pub memory_limit_percent: u8,
    /// How long memory must stay above a threshold before alerting.
    #[schemars(regex(pattern = DURATION))]
    pub memory_for: String,
    /// How long an event (failover, full resync, eviction, rejected connection) keeps its
    /// alert firing; also the window its counters are read over.
    #[schemars(regex(pattern = DURATION))]
    pub event_window: String,
    /// How long HAProxy may have no master server before alerting.
    #[schemars(regex(pattern = DURATION))]
    pub haproxy_no_master_for: String,
}

impl Default for DefaultRules {
    fn default() -> Self {
        DefaultRules {
            enabled: false,
            disabled: Vec::new(),
            labels: FreeMap::new(),
            redis_down_for: "1m".into(),
            master_count_for: "1m".into(),
            replication_broken_for: "2m".into(),
            replica_lag_bytes: 64 * 1024 * 1024,
            replica_lag_for: "5m".into(),
            maxmemory_percent: 90,
            memory_limit_percent: 90,
            memory_for: "5m".into(),
            event_window: "10m".into(),
            haproxy_no_master_for: "1m".into(),
        }
    }
}

impl Default for PrometheusRule {
    fn default() -> Self {
        PrometheusRule {
            enabled: false,
            additional_labels: FreeMap::new(),
            namespace: None,
            interval: "10s".into(),
            rules: AnyList::new(),
            disable_api_check: true,
            default_rules: DefaultRules::default(),
        }
    }
}

/// A Grafana dashboard of the group in a ConfigMap (`grafanaDashboard.*`), for Grafana's
/// dashboard sidecar (it loads every ConfigMap carrying its label, by default
/// `grafana_dashboard: "1"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct GrafanaDashboard {
    /// Render the dashboard ConfigMap (needs `exporter.enabled`; HAProxy panels need
    /// `haproxy.metrics.enabled`).
    pub enabled: bool,
    /// Labels of the ConfigMap: the ones your Grafana sidecar watches for.
    pub labels: FreeMap,
    /// Annotations of the ConfigMap (e.g. `grafana_folder: Redis` for the sidecar's folders).
    pub annotations: FreeMap,
    /// Namespace of the ConfigMap (where the sidecar looks); empty means the release namespace.
    pub namespace: String,
}

impl Default for GrafanaDashboard {
    fn default() -> Self {
        let mut labels = FreeMap::new();
        labels.insert("grafana_dashboard".into(), "1".into());
        GrafanaDashboard {
            enabled: false,
            labels,
            annotations: FreeMap::new(),
            namespace: String::new(),
        }
    }
}
