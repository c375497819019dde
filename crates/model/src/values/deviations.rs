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

/// A key the public chart's templates read without declaring it in values.yaml; this chart
/// declares and documents it with a default that behaves like the key being absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddedKey {
    /// Dotted path of the value.
    pub path: &'static str,
    /// This chart's default, as JSON.
    pub default: &'static str,
}

/// Keys read by the public chart's templates but missing from its values.yaml, then keys of
/// this chart's own hardening (issue 15), off by default so the public chart's rendering is
/// unchanged.
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
];
