//! Where this chart's values differ from the public chart 4.39 on purpose, in one place.

/// A default that differs from the public chart's values.yaml, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deviation {
    /// Dotted path of the value.
    pub path: &'static str,
    /// The public chart's default, as JSON.
    pub upstream: &'static str,
    /// This chart's default, as JSON.
    pub ours: &'static str,
    /// The defect the change fixes.
    pub why: &'static str,
}

const EXPORTER_PROBE_PATH: &str = "upstream freezes the probe path with a YAML anchor to the \
     default scrapePath when values.yaml is parsed, so a changed exporter.scrapePath leaves the \
     probes on /metrics; null follows exporter.scrapePath";
const EXPORTER_PROBE_PORT: &str = "upstream freezes the probe port with a YAML anchor to 9121 \
     when values.yaml is parsed, so a changed exporter.port makes the probes fail and the \
     exporter restart forever; null follows exporter.port";

/// Every default that differs from the public chart 4.39.
pub const DEVIATIONS: &[Deviation] = &[
    Deviation {
        path: "exporter.livenessProbe.httpGet.path",
        upstream: r#""/metrics""#,
        ours: "null",
        why: EXPORTER_PROBE_PATH,
    },
    Deviation {
        path: "exporter.livenessProbe.httpGet.port",
        upstream: "9121",
        ours: "null",
        why: EXPORTER_PROBE_PORT,
    },
    Deviation {
        path: "exporter.readinessProbe.httpGet.path",
        upstream: r#""/metrics""#,
        ours: "null",
        why: EXPORTER_PROBE_PATH,
    },
    Deviation {
        path: "exporter.readinessProbe.httpGet.port",
        upstream: "9121",
        ours: "null",
        why: EXPORTER_PROBE_PORT,
    },
];

/// A key the public chart's values.yaml does not declare: either its templates read it anyway,
/// or it is this chart's own addition (alerts, dashboard). Its default behaves like the key
/// being absent from the public chart, so existing values files render as they did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddedKey {
    /// Dotted path of the value.
    pub path: &'static str,
    /// This chart's default, as JSON.
    pub default: &'static str,
}

/// Keys missing from the public chart's values.yaml: read by its templates but undeclared, or
/// added here (issue 15's hardening, issue 14's alerts and dashboard), off by default so the
/// public chart's rendering is unchanged.
pub const ADDED_KEYS: &[AddedKey] = &[
    AddedKey {
        path: "serviceAnnotations",
        default: "{}",
    },
    AddedKey {
        path: "podAnnotations",
        default: "{}",
    },
    AddedKey {
        path: "tls.secretName",
        default: r#""""#,
    },
    AddedKey {
        path: "exporter.sslEnabled",
        default: "false",
    },
    AddedKey {
        path: "haproxy.tests.probes",
        default: "false",
    },
    AddedKey {
        path: "haproxy.tests.networkPolicy",
        default: "false",
    },
    AddedKey {
        path: "haproxy.networkPolicy.allowSameNamespace",
        default: "false",
    },
    AddedKey {
        path: "haproxy.networkPolicy.monitoringNamespace",
        default: r#""""#,
    },
    AddedKey {
        path: "networkPolicy.allowSameNamespace",
        default: "false",
    },
    AddedKey {
        path: "networkPolicy.monitoringNamespace",
        default: r#""""#,
    },
    AddedKey {
        path: "configmapTest.image.pullPolicy",
        default: r#""""#,
    },
    AddedKey {
        path: "configmapTest.probes",
        default: "false",
    },
    AddedKey {
        path: "checkovSkipAnnotations",
        default: "false",
    },
    AddedKey {
        path: "prometheusRule.disableAPICheck",
        default: r#"true"#,
    },
    AddedKey {
        path: "prometheusRule.defaultRules.enabled",
        default: r#"false"#,
    },
    AddedKey {
        path: "prometheusRule.defaultRules.disabled",
        default: r#"[]"#,
    },
    AddedKey {
        path: "prometheusRule.defaultRules.labels",
        default: r#"{}"#,
    },
    AddedKey {
        path: "prometheusRule.defaultRules.redisDownFor",
        default: r#""1m""#,
    },
    AddedKey {
        path: "prometheusRule.defaultRules.masterCountFor",
        default: r#""1m""#,
    },
    AddedKey {
        path: "prometheusRule.defaultRules.replicationBrokenFor",
        default: r#""2m""#,
    },
    AddedKey {
        path: "prometheusRule.defaultRules.replicaLagBytes",
        default: r#"67108864"#,
    },
    AddedKey {
        path: "prometheusRule.defaultRules.replicaLagFor",
        default: r#""5m""#,
    },
    AddedKey {
        path: "prometheusRule.defaultRules.maxmemoryPercent",
        default: r#"90"#,
    },
    AddedKey {
        path: "prometheusRule.defaultRules.memoryLimitPercent",
        default: r#"90"#,
    },
    AddedKey {
        path: "prometheusRule.defaultRules.memoryFor",
        default: r#""5m""#,
    },
    AddedKey {
        path: "prometheusRule.defaultRules.eventWindow",
        default: r#""10m""#,
    },
    AddedKey {
        path: "prometheusRule.defaultRules.haproxyNoMasterFor",
        default: r#""1m""#,
    },
    AddedKey {
        path: "grafanaDashboard.enabled",
        default: r#"false"#,
    },
    AddedKey {
        path: "grafanaDashboard.labels",
        default: r#"{"grafana_dashboard": "1"}"#,
    },
    AddedKey {
        path: "grafanaDashboard.annotations",
        default: r#"{}"#,
    },
    AddedKey {
        path: "grafanaDashboard.namespace",
        default: r#""""#,
    },
];
