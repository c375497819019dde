//! The rendered objects (kind and name) equal the public redis-ha chart's for the same values.
//!
//! Two oracles:
//! - explicit lists and counts of what `helm template` of the public chart 4.39
//!   (https://github.com/DandyDeveloper/charts/tree/master/charts/redis-ha) renders for four
//!   cases: defaults 11, ci/haproxy-enabled 17, ci/multi-value-configs 11, kitchen sink 29;
//! - for every other (chart, values) pair, the public chart's gating rules (which values turn
//!   which object on, from its templates) applied to the merged values (chart values.yaml + the
//!   user's file), with the two gating fixes of the README's last "fixed upstream defects" row.
//!
//! Plus insta snapshots of the full manifests (helm4, base chart) with random parts redacted.

use helm_values::json::merge;
use serde_json::Value;
use testkit::{
    base_chart, charts, par_map, parse_values, realworld_dir, render, render_uncached,
    standard_cases, Case, Chart, Failures, Helm, RELEASE, WORKERS,
};

const F: &str = "rel-redis-ha";

fn ids(list: &[(&str, String)]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|(k, n)| format!("{k}/{n}")).collect();
    v.sort();
    v
}

/// The public chart 4.39, defaults: StatefulSet, headless + 3 announce Services, 2 ConfigMaps, SA,
/// Role, RoleBinding and the configmap test Pod.
fn expected_defaults() -> Vec<(&'static str, String)> {
    vec![
        ("StatefulSet", format!("{F}-server")),
        ("Service", F.to_string()),
        ("Service", format!("{F}-announce-0")),
        ("Service", format!("{F}-announce-1")),
        ("Service", format!("{F}-announce-2")),
        ("ConfigMap", format!("{F}-configmap")),
        ("ConfigMap", format!("{F}-health-configmap")),
        ("ServiceAccount", F.to_string()),
        ("Role", F.to_string()),
        ("RoleBinding", F.to_string()),
        ("Pod", format!("{F}-configmap-test")),
    ]
}

/// The public chart 4.39 with its ci/haproxy-enabled values: defaults + HAProxy Deployment, Service, SA, Role,
/// RoleBinding and the service test Pod.
fn expected_haproxy() -> Vec<(&'static str, String)> {
    let mut v = expected_defaults();
    v.extend([
        ("Deployment", format!("{F}-haproxy")),
        ("Service", format!("{F}-haproxy")),
        ("ServiceAccount", format!("{F}-haproxy")),
        ("Role", format!("{F}-haproxy")),
        ("RoleBinding", format!("{F}-haproxy")),
        ("Pod", format!("{F}-service-test")),
    ]);
    v
}

/// The public chart 4.39 with tests/fixtures/kitchen-sink.yaml: 3 ConfigMaps, 4 Secrets, 5 Services, StatefulSet, Deployment,
/// 2 SAs, 2 Roles, 2 RoleBindings, 2 NetworkPolicies, 2 PDBs, 2 ServiceMonitors, PrometheusRule,
/// 2 test Pods.
fn expected_kitchen_sink() -> Vec<(&'static str, String)> {
    let mut v = expected_haproxy();
    v.extend([
        ("ConfigMap", format!("{F}-exporter-script-configmap")),
        ("Secret", F.to_string()),
        ("Secret", format!("{F}-sentinel")),
        ("Secret", format!("{F}-secret")),
        ("Secret", format!("{F}-tls-secret")),
        ("NetworkPolicy", format!("{F}-network-policy")),
        ("NetworkPolicy", format!("{F}-haproxy-network-policy")),
        ("PodDisruptionBudget", format!("{F}-pdb")),
        ("PodDisruptionBudget", format!("{F}-haproxy-pdb")),
        ("ServiceMonitor", F.to_string()),
        ("ServiceMonitor", format!("{F}-haproxy")),
        ("PrometheusRule", F.to_string()),
    ]);
    v
}

fn check_explicit(case: &Case, expected: Vec<(&'static str, String)>, count: usize) {
    let expected = ids(&expected);
    assert_eq!(
        expected.len(),
        count,
        "the expected list itself has {count} objects"
    );
    let chart = base_chart();
    for helm in Helm::ALL {
        let got = render(helm, &chart, case).ids();
        assert_eq!(
            got,
            expected,
            "{} {} / {}: rendered objects differ from the public chart's ({count} expected, {} rendered)",
            helm.label(),
            chart.name,
            case.name,
            got.len()
        );
    }
}

#[test]
fn defaults_render_the_public_charts_11_objects() {
    check_explicit(&Case::defaults(), expected_defaults(), 11);
}

#[test]
fn upstream_ci_haproxy_enabled_renders_17_objects() {
    check_explicit(
        &Case::realworld("upstream-ci-haproxy-enabled"),
        expected_haproxy(),
        17,
    );
}

#[test]
fn upstream_ci_multi_value_configs_renders_11_objects() {
    check_explicit(
        &Case::realworld("upstream-ci-multi-value-configs"),
        expected_defaults(),
        11,
    );
}

#[test]
fn kitchen_sink_renders_29_objects() {
    check_explicit(&Case::kitchen_sink(), expected_kitchen_sink(), 29);
}

/// With `tls.secretName` the user brings the certificates: the chart's own TLS Secret goes away.
#[test]
fn kitchen_sink_with_tls_secret_name_drops_the_chart_tls_secret() {
    let chart = base_chart();
    let r = render_uncached(
        Helm::V4,
        &chart,
        &Case::kitchen_sink(),
        &["--set".into(), "tls.secretName=my-redis-certs".into()],
    )
    .unwrap_or_else(|e| panic!("kitchen sink + tls.secretName: {e}"));
    let mut expected = ids(&expected_kitchen_sink());
    expected.retain(|id| id != &format!("Secret/{F}-tls-secret"));
    assert_eq!(r.ids(), expected);
    assert_eq!(r.ids().len(), 28);
    // The pods mount the user's secret instead.
    let sts = r.get("StatefulSet", &format!("{F}-server"));
    assert!(
        sts.text.contains("my-redis-certs"),
        "StatefulSet does not reference tls.secretName:\n{}",
        sts.text
    );
}

// ---------------------------------------------------------------------------------------------
// Catalogue oracle for every chart and values file
// ---------------------------------------------------------------------------------------------

fn load_yaml(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    parse_values(&text).unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
}

fn get<'a>(v: &'a Value, path: &str) -> &'a Value {
    let mut cur = v;
    for seg in path.split('.') {
        cur = cur.get(seg).unwrap_or(&Value::Null);
    }
    cur
}

/// Go-template truthiness (`if`): false, 0, "", null, empty map/list are false.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn string(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn chart_name(chart: &Chart) -> String {
    let meta = load_yaml(&chart.dir.join("Chart.yaml"));
    string(get(&meta, "name"))
}

fn trunc63(s: &str) -> String {
    let t: String = s.chars().take(63).collect();
    t.trim_end_matches('-').to_string()
}

/// Expected `Kind/name` list per the public chart's gating rules, with its HAProxy gating fixed
/// (HAProxy PDB and ServiceMonitor only when haproxy.enabled).
fn catalogue(chart: &Chart, values: &Value, apis: &[String]) -> Vec<String> {
    let name = {
        let o = string(get(values, "nameOverride"));
        trunc63(&if o.is_empty() { chart_name(chart) } else { o })
    };
    let fullname = {
        let o = string(get(values, "fullnameOverride"));
        if !o.is_empty() {
            trunc63(&o)
        } else if RELEASE.contains(&name) {
            trunc63(RELEASE)
        } else {
            trunc63(&format!("{RELEASE}-{name}"))
        }
    };
    let f = fullname.as_str();
    let mut out: Vec<(&str, String)> = vec![
        ("StatefulSet", format!("{f}-server")),
        ("Service", f.to_string()),
        ("ConfigMap", format!("{f}-configmap")),
        ("ConfigMap", format!("{f}-health-configmap")),
        ("Pod", format!("{f}-configmap-test")),
    ];
    let replicas: u64 = match get(values, "replicas") {
        Value::Number(n) => n.as_u64().unwrap_or(0),
        Value::String(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    };
    for i in 0..replicas {
        out.push(("Service", format!("{f}-announce-{i}")));
    }
    let monitoring = apis.iter().any(|a| a == "monitoring.coreos.com/v1");
    if truthy(get(values, "exporter.script")) {
        out.push(("ConfigMap", format!("{f}-exporter-script-configmap")));
    }
    let sa_create = truthy(get(values, "serviceAccount.create"));
    let sa_name = {
        let n = string(get(values, "serviceAccount.name"));
        match (sa_create, n.is_empty()) {
            (true, true) => f.to_string(),
            (false, true) => "default".to_string(),
            (_, false) => n,
        }
    };
    let rbac = truthy(get(values, "rbac.create"));
    if sa_create {
        out.push(("ServiceAccount", sa_name.clone()));
        if rbac {
            out.push(("Role", f.to_string()));
            out.push(("RoleBinding", f.to_string()));
        }
    }
    if truthy(get(values, "auth")) && !truthy(get(values, "existingSecret")) {
        out.push(("Secret", f.to_string()));
    }
    if truthy(get(values, "sentinel.auth")) && !truthy(get(values, "sentinel.existingSecret")) {
        out.push(("Secret", format!("{f}-sentinel")));
    }
    let s3 = string(get(values, "restore.s3.source"));
    let ssh = string(get(values, "restore.ssh.source"));
    let s3_ok = (s3.starts_with("s3://") || s3.starts_with("S3://")) && s3.len() > 5;
    // ^.+@.+:.+
    let ssh_ok = ssh.find('@').is_some_and(|at| {
        at > 0
            && ssh[at + 1..]
                .find(':')
                .is_some_and(|c| c > 0 && at + 1 + c + 1 < ssh.len())
    });
    if !truthy(get(values, "restore.existingSecret")) && (s3_ok || ssh_ok) {
        out.push(("Secret", format!("{f}-secret")));
    }
    if truthy(get(values, "redis.tlsPort")) && !truthy(get(values, "tls.secretName")) {
        out.push(("Secret", format!("{f}-tls-secret")));
    }
    if truthy(get(values, "podDisruptionBudget")) {
        out.push(("PodDisruptionBudget", format!("{f}-pdb")));
    }
    if truthy(get(values, "networkPolicy.enabled")) {
        out.push(("NetworkPolicy", format!("{f}-network-policy")));
    }
    if truthy(get(values, "exporter.enabled"))
        && truthy(get(values, "exporter.serviceMonitor.enabled"))
        && (monitoring || truthy(get(values, "exporter.serviceMonitor.disableAPICheck")))
    {
        out.push(("ServiceMonitor", f.to_string()));
    }
    if truthy(get(values, "grafanaDashboard.enabled")) && truthy(get(values, "exporter.enabled")) {
        out.push(("ConfigMap", format!("{f}-dashboard")));
    }
    // The public chart never checks the API; disableAPICheck (true in redis-ha) keeps that.
    if truthy(get(values, "prometheusRule.enabled"))
        && (monitoring || truthy(get(values, "prometheusRule.disableAPICheck")))
    {
        out.push(("PrometheusRule", f.to_string()));
    }
    if truthy(get(values, "haproxy.enabled")) {
        out.push(("Deployment", format!("{f}-haproxy")));
        out.push(("Service", format!("{f}-haproxy")));
        out.push(("Pod", format!("{f}-service-test")));
        if truthy(get(values, "haproxy.serviceAccount.create")) {
            out.push(("ServiceAccount", format!("{sa_name}-haproxy")));
            if rbac {
                out.push(("Role", format!("{f}-haproxy")));
                out.push(("RoleBinding", format!("{f}-haproxy")));
            }
        }
        if truthy(get(values, "haproxy.podDisruptionBudget")) {
            out.push(("PodDisruptionBudget", format!("{f}-haproxy-pdb")));
        }
        if truthy(get(values, "haproxy.networkPolicy.enabled")) {
            out.push(("NetworkPolicy", format!("{f}-haproxy-network-policy")));
            // This chart's addition (off by default): the HAProxy test pod's own policy.
            if truthy(get(values, "haproxy.tests.networkPolicy")) {
                out.push(("NetworkPolicy", format!("{f}-service-test-network-policy")));
            }
        }
        if truthy(get(values, "haproxy.metrics.enabled"))
            && truthy(get(values, "haproxy.metrics.serviceMonitor.enabled"))
            && (monitoring
                || truthy(get(
                    values,
                    "haproxy.metrics.serviceMonitor.disableAPICheck",
                )))
        {
            out.push(("ServiceMonitor", format!("{f}-haproxy")));
        }
    }
    ids(&out)
}

#[test]
fn every_chart_and_values_file_renders_the_catalogue_objects() {
    let mut items = Vec::new();
    for chart in charts() {
        for case in standard_cases() {
            items.push((chart.clone(), case));
        }
    }
    let results = par_map(&items, WORKERS, |(chart, case)| {
        let defaults = load_yaml(&chart.dir.join("values.yaml"));
        let files: Vec<Value> = case.values.iter().map(|p| load_yaml(p)).collect();
        let values = merge(&defaults, &files);
        let expected = catalogue(chart, &values, &case.api_versions);
        let got = render(Helm::V4, chart, case).ids();
        (expected, got)
    });
    let mut failures = Failures::new();
    for ((chart, case), (expected, got)) in items.iter().zip(results) {
        failures.check(expected == got, || {
            let missing: Vec<_> = expected.iter().filter(|e| !got.contains(e)).collect();
            let extra: Vec<_> = got.iter().filter(|g| !expected.contains(g)).collect();
            format!(
                "{} / {}: missing {missing:?}, unexpected {extra:?}",
                chart.name, case.name
            )
        });
    }
    failures.assert_none("rendered objects vs the catalogue");
}

/// Helm 3.17 and Helm 4.1 render the same objects and, apart from random values (lines that
/// also differ between two Helm 4 renders), the same text.
#[test]
fn helm3_and_helm4_render_the_same_manifests() {
    let mut items = Vec::new();
    for chart in charts() {
        for case in standard_cases() {
            items.push((chart.clone(), case));
        }
    }
    let results = par_map(&items, WORKERS, |(chart, case)| {
        let h3 = render(Helm::V3, chart, case);
        let h4 = render(Helm::V4, chart, case);
        let again = render_uncached(Helm::V4, chart, case, &[]).unwrap_or_else(|e| panic!("{e}"));
        (h3, h4, again)
    });
    let mut failures = Failures::new();
    for ((chart, case), (h3, h4, again)) in items.iter().zip(results) {
        let label = format!("{} / {}", chart.name, case.name);
        failures.check(h3.ids() == h4.ids(), || {
            format!("{label}: helm3 {:?}\nhelm4 {:?}", h3.ids(), h4.ids())
        });
        let (l3, l4, la): (Vec<&str>, Vec<&str>, Vec<&str>) = (
            h3.manifest.lines().collect(),
            h4.manifest.lines().collect(),
            again.manifest.lines().collect(),
        );
        if l3.len() != l4.len() || l4.len() != la.len() {
            failures.push(format!(
                "{label}: helm3 renders {} lines, helm4 {} and {}",
                l3.len(),
                l4.len(),
                la.len()
            ));
            continue;
        }
        let differing: Vec<String> = (0..l3.len())
            .filter(|&i| l3[i] != l4[i] && l4[i] == la[i])
            .map(|i| format!("line {}: helm3 {:?} / helm4 {:?}", i + 1, l3[i], l4[i]))
            .collect();
        failures.check(differing.is_empty(), || {
            format!(
                "{label}: helm3 and helm4 output differ:\n{}",
                differing.join("\n")
            )
        });
    }
    failures.assert_none("helm3 vs helm4 manifests");
}

/// The realworld directory must still hold the two upstream CI files the counts refer to.
#[test]
fn reference_case_files_exist() {
    for f in [
        "upstream-ci-haproxy-enabled.yaml",
        "upstream-ci-multi-value-configs.yaml",
    ] {
        assert!(realworld_dir().join(f).is_file(), "missing realworld/{f}");
    }
}

// ---------------------------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------------------------

/// Replace what is random in a render by a fixed token: the lines that differ between two
/// renders of the same values (generated passwords, the `checksum/secret` covering them). A
/// differing line must keep its `key:` so that only values are replaced; anything else
/// (different structure) is a failure rather than a snapshot that could never match again.
fn redact_random(a: &str, b: &str) -> Result<String, String> {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    if la.len() != lb.len() {
        return Err(format!(
            "two renders have {} and {} lines",
            la.len(),
            lb.len()
        ));
    }
    let mut out = Vec::with_capacity(la.len());
    for (i, (x, y)) in la.iter().zip(&lb).enumerate() {
        if x == y {
            out.push(x.to_string());
            continue;
        }
        let key = |l: &str| l.split_once(": ").map(|(k, _)| k.to_string());
        match (key(x), key(y)) {
            (Some(kx), Some(ky)) if kx == ky => out.push(format!("{kx}: \"[random]\"")),
            _ => return Err(format!("line {}: {x:?} vs {y:?}", i + 1)),
        }
    }
    Ok(out.join("\n"))
}

fn snapshot(case: &Case, snap: &str) {
    let chart = base_chart();
    let a = render_uncached(Helm::V4, &chart, case, &[]).unwrap_or_else(|e| panic!("{e}"));
    let b = render_uncached(Helm::V4, &chart, case, &[]).unwrap_or_else(|e| panic!("{e}"));
    let text = redact_random(&a.manifest, &b.manifest)
        .unwrap_or_else(|e| panic!("{}: random output that cannot be redacted: {e}", case.name));
    insta::with_settings!({prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_snapshot!(snap, text);
    });
}

/// Random values are redacted and only them: a render with a generated password has its
/// Secret value and checksum replaced, an identical line is kept.
#[test]
fn snapshot_redaction_replaces_only_random_values() {
    let chart = base_chart();
    let case = Case::defaults();
    let extra = ["--set".to_string(), "auth=true".to_string()];
    let a = render_uncached(Helm::V4, &chart, &case, &extra).unwrap_or_else(|e| panic!("{e}"));
    let b = render_uncached(Helm::V4, &chart, &case, &extra).unwrap_or_else(|e| panic!("{e}"));
    let text = redact_random(&a.manifest, &b.manifest).unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(
        a.manifest, b.manifest,
        "a generated password must differ per render"
    );
    assert!(
        text.contains("  auth: \"[random]\""),
        "Secret value not redacted"
    );
    assert!(
        text.contains("checksum/secret: \"[random]\""),
        "checksum/secret not redacted"
    );
    assert!(
        text.contains("checksum/init-config: "),
        "deterministic checksum kept"
    );
    assert!(!text.contains("checksum/init-config: \"[random]\""));
}

#[test]
fn snapshot_defaults() {
    snapshot(&Case::defaults(), "redis-ha__helm4__defaults");
}

#[test]
fn snapshot_haproxy_enabled() {
    snapshot(
        &Case::realworld("upstream-ci-haproxy-enabled"),
        "redis-ha__helm4__upstream-ci-haproxy-enabled",
    );
}

#[test]
fn snapshot_kitchen_sink() {
    snapshot(&Case::kitchen_sink(), "redis-ha__helm4__kitchen-sink");
}

/// `helm upgrade` from a public-chart release must keep working: the immutable StatefulSet
/// selector, the PVC template name, pod labels, Service selectors, the sentinel ids and the
/// ConfigMap keys equal the public chart 4.39's.
#[test]
fn upgrade_compatible_identities() {
    let chart = base_chart();
    let r = render(
        Helm::V4,
        &chart,
        &Case::realworld("upstream-ci-haproxy-enabled"),
    );
    let sts = &r.get("StatefulSet", &format!("{F}-server")).value;
    assert_eq!(
        sts["spec"]["selector"]["matchLabels"],
        serde_json::json!({"release": "rel", "app": "redis-ha"}),
        "StatefulSet selector (immutable)"
    );
    assert_eq!(sts["spec"]["serviceName"], F);
    assert_eq!(
        sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"],
        "data"
    );
    let pod_labels = &sts["spec"]["template"]["metadata"]["labels"];
    assert_eq!(pod_labels["release"], "rel");
    assert_eq!(pod_labels["app"], "redis-ha");
    assert_eq!(
        pod_labels[F], "replica",
        "dynamic `<fullname>: replica` pod label"
    );

    // Sentinel ids: first 40 hex chars of sha256("<name>\n<release>\nindex: <i>"); the value
    // for release `rel`, index 0 was verified on the public chart.
    let init = sts["spec"]["template"]["spec"]["initContainers"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "config-init"))
        .unwrap_or_else(|| panic!("no config-init init container"));
    let id0 = init["env"]
        .as_array()
        .and_then(|e| e.iter().find(|v| v["name"] == "SENTINEL_ID_0"))
        .map(|v| v["value"].clone());
    assert_eq!(
        id0,
        Some(Value::String(
            "ec6f40d6799c9ca9078745354518cb3a2b613d60".into()
        ))
    );

    let headless = &r.get("Service", F).value;
    assert_eq!(headless["spec"]["clusterIP"], "None");
    assert_eq!(
        headless["spec"]["selector"],
        serde_json::json!({"release": "rel", "app": "redis-ha"})
    );
    for i in 0..3 {
        let svc = &r.get("Service", &format!("{F}-announce-{i}")).value;
        assert_eq!(
            svc["spec"]["selector"]["statefulset.kubernetes.io/pod-name"],
            format!("{F}-server-{i}")
        );
        assert_eq!(svc["spec"]["publishNotReadyAddresses"], true);
    }
    let deploy = &r.get("Deployment", &format!("{F}-haproxy")).value;
    assert_eq!(
        deploy["spec"]["selector"]["matchLabels"],
        serde_json::json!({"app": "redis-ha-haproxy", "release": "rel"}),
        "HAProxy Deployment selector (immutable)"
    );
    let hsvc = &r.get("Service", &format!("{F}-haproxy")).value;
    assert_eq!(
        hsvc["spec"]["selector"],
        serde_json::json!({"app": "redis-ha-haproxy", "release": "rel"})
    );

    let keys = |name: &str| -> Vec<String> {
        r.get("ConfigMap", name).value["data"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let cm = keys(&format!("{F}-configmap"));
    for k in [
        "redis.conf",
        "sentinel.conf",
        "init.sh",
        "fix-split-brain.sh",
        "trigger-failover-if-master.sh",
        "haproxy_init.sh",
        "haproxy.cfg",
    ] {
        assert!(cm.contains(&k.to_string()), "configmap lacks {k}: {cm:?}");
    }
    let health = keys(&format!("{F}-health-configmap"));
    for k in [
        "redis_liveness.sh",
        "redis_readiness.sh",
        "sentinel_liveness.sh",
    ] {
        assert!(
            health.contains(&k.to_string()),
            "health configmap lacks {k}: {health:?}"
        );
    }
}
