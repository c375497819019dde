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
    /// `{{ "{{ $labels.pod }}" }}`.
    pub rules: AnyList,
}

impl Default for PrometheusRule {
    fn default() -> Self {
        PrometheusRule {
            enabled: false,
            additional_labels: FreeMap::new(),
            namespace: None,
            interval: "10s".into(),
            rules: AnyList::new(),
        }
    }
}
