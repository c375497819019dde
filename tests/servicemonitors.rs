//! The rendered ServiceMonitors and PrometheusRules validate against the Prometheus Operator's
//! CRD schemas (npm `@kubernetes-models/prometheus-operator`, installed in `.tools/`), and each
//! ServiceMonitor selects exactly the Service it is for, on a port that Service has, which
//! leads to the container port the exporter (or HAProxy's metrics frontend) listens on, with
//! the path it serves.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::{json, Value};
use testkit::{
    charts, render, render_values, repo_root, run, temp_dir, tool, write_file, Case, Chart,
    Failures, Helm, Rendered, Tool, NAMESPACE, TOOL_TIMEOUT,
};

fn cases() -> Vec<Case> {
    vec![Case::monitoring_api(), Case::kitchen_sink()]
}

fn is_operator_kind(d: &Value) -> bool {
    matches!(
        d["kind"].as_str(),
        Some("ServiceMonitor" | "PrometheusRule")
    )
}

/// Runs the validator script on `objects`: Ok(report) when all are valid, Err(report) when not.
fn validate(objects: &[Value]) -> Result<String, String> {
    let pkg = repo_root()
        .join(".tools/prometheus-operator/node_modules/@kubernetes-models/prometheus-operator");
    assert!(
        pkg.join("package.json").is_file(),
        "{} is missing: {}",
        pkg.display(),
        testkit::INSTALL_HINT
    );
    let dir = temp_dir();
    let file = write_file(
        dir.path(),
        "objects.json",
        &Value::from(objects.to_vec()).to_string(),
    );
    let mut cmd = Command::new(tool(Tool::Node));
    cmd.arg(repo_root().join("tests/support/validate-prometheus-operator.mjs"))
        .arg(&pkg)
        .arg(&file);
    let out = run(&mut cmd, TOOL_TIMEOUT);
    let report = format!("{}{}", out.stdout, out.stderr);
    if out.success() {
        Ok(report)
    } else {
        Err(report)
    }
}

#[test]
fn operator_objects_validate_against_the_crd_schemas() {
    let mut objects = Vec::new();
    for chart in charts() {
        for case in cases() {
            let r = render(Helm::V4, &chart, &case);
            objects.extend(
                r.docs
                    .iter()
                    .map(|d| d.value.clone())
                    .filter(is_operator_kind),
            );
        }
    }
    assert!(
        objects.len() >= 3 * charts().len(),
        "{} objects",
        objects.len()
    );
    let report = validate(&objects).unwrap_or_else(|e| panic!("CRD schema validation:\n{e}"));
    assert_eq!(
        report.lines().filter(|l| l.starts_with("ok ")).count(),
        objects.len(),
        "{report}"
    );

    // The validator does refuse what the CRDs refuse.
    let bad = json!([{
        "apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
        "metadata": {"name": "bad"},
        "spec": {"endpoints": [{"port": 9121}], "selector": {"matchLabels": {"a": "b"}}}
    }, {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
        "metadata": {"name": "bad"}, "spec": {"groups": [{"rules": []}]}
    }]);
    let err = validate(bad.as_array().unwrap()).expect_err("invalid objects accepted");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("invalid ")).count(),
        2,
        "{err}"
    );
}

fn labels_match(selector: &Value, labels: &Value) -> bool {
    selector
        .as_object()
        .is_some_and(|m| !m.is_empty() && m.iter().all(|(k, v)| labels.get(k) == Some(v)))
}

/// (Service names the ServiceMonitor selects, report lines of what is wrong with its endpoints).
fn join(r: &Rendered, sm: &Value) -> (Vec<String>, Vec<String>) {
    let mut problems = Vec::new();
    let namespaces: Vec<&str> = sm
        .pointer("/spec/namespaceSelector/matchNames")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let selector = &sm["spec"]["selector"]["matchLabels"];
    let services: Vec<&Value> = r
        .docs
        .iter()
        .map(|d| &d.value)
        .filter(|v| v["kind"] == "Service")
        .filter(|v| namespaces.contains(&v["metadata"]["namespace"].as_str().unwrap_or(NAMESPACE)))
        .filter(|v| labels_match(selector, &v["metadata"]["labels"]))
        .collect();
    let workloads: Vec<&Value> = r
        .docs
        .iter()
        .map(|d| &d.value)
        .filter(|v| matches!(v["kind"].as_str(), Some("StatefulSet" | "Deployment")))
        .collect();
    for svc in &services {
        let name = svc["metadata"]["name"].as_str().unwrap_or("?");
        for ep in sm["spec"]["endpoints"].as_array().into_iter().flatten() {
            let Some(port_name) = ep["port"].as_str() else {
                problems.push(format!("{name}: endpoint without a port name: {ep}"));
                continue;
            };
            let Some(port) = svc["spec"]["ports"]
                .as_array()
                .and_then(|ps| ps.iter().find(|p| p["name"] == port_name))
            else {
                problems.push(format!("{name} has no port named {port_name}"));
                continue;
            };
            // The pods behind the Service, and the container port its targetPort names.
            let target = &port["targetPort"];
            let pods: Vec<&Value> = workloads
                .iter()
                .map(|w| &w["spec"]["template"])
                .filter(|t| labels_match(&svc["spec"]["selector"], &t["metadata"]["labels"]))
                .collect();
            if pods.is_empty() {
                problems.push(format!("{name} selects no pod template"));
            }
            for t in pods {
                let found = t["spec"]["containers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|c| c["ports"].as_array().into_iter().flatten())
                    .any(|p| &p["name"] == target || &p["containerPort"] == target);
                if !found {
                    problems.push(format!("{name}: no container port {target} in its pods"));
                }
            }
        }
    }
    let names = services
        .iter()
        .map(|s| s["metadata"]["name"].as_str().unwrap_or("?").to_string())
        .collect();
    (names, problems)
}

/// The metrics container port (by port name) of a workload's pod template.
fn container_port(r: &Rendered, kind: &str, name: &str, port_name: &str) -> Option<u64> {
    r.get(kind, name).value["spec"]["template"]["spec"]["containers"]
        .as_array()?
        .iter()
        .flat_map(|c| c["ports"].as_array().into_iter().flatten())
        .find(|p| p["name"] == port_name)
        .and_then(|p| p["containerPort"].as_u64())
}

fn check_chart(chart: &Chart, r: &Rendered, label: &str, failures: &mut Failures) {
    let f = format!("rel-{}", chart.name);
    let expected: BTreeMap<String, String> = BTreeMap::from([
        (f.clone(), f.clone()),
        (format!("{f}-haproxy"), format!("{f}-haproxy")),
    ]);
    let monitors: Vec<&Value> = r
        .docs
        .iter()
        .map(|d| &d.value)
        .filter(|v| v["kind"] == "ServiceMonitor")
        .collect();
    for sm in monitors {
        let name = sm["metadata"]["name"].as_str().unwrap_or("?");
        let (selected, problems) = join(r, sm);
        let want = expected.get(name).cloned().unwrap_or_default();
        failures.check(selected == [want.clone()], || {
            format!("{label}: ServiceMonitor {name} selects {selected:?}, expected [{want}]")
        });
        for p in problems {
            failures.push(format!("{label}: ServiceMonitor {name}: {p}"));
        }
    }
}

#[test]
fn servicemonitors_select_exactly_the_metrics_services_and_ports() {
    let mut failures = Failures::new();
    for chart in charts() {
        for case in cases() {
            let r = render(Helm::V4, &chart, &case);
            check_chart(
                &chart,
                &r,
                &format!("{} / {}", chart.name, case.name),
                &mut failures,
            );
        }
    }
    failures.assert_none("ServiceMonitor joins");
}

#[test]
fn servicemonitors_follow_changed_ports_and_paths() {
    let chart = testkit::chart_named("redis-1g");
    let values = "exporter: {port: 9200, scrapePath: /redis-metrics}\n\
                  haproxy: {metrics: {port: 9300, scrapePath: /haproxy-metrics, portName: http-metrics}}\n";
    let r = render_values(
        &chart,
        values,
        &["--api-versions", "monitoring.coreos.com/v1"],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Failures::new();
    check_chart(&chart, &r, "changed ports", &mut failures);
    failures.assert_none("ServiceMonitor joins with changed ports");
    let f = "rel-redis-1g";
    let sm = &r.get("ServiceMonitor", f).value;
    assert_eq!(sm["spec"]["endpoints"][0]["path"], "/redis-metrics");
    assert_eq!(
        container_port(&r, "StatefulSet", &format!("{f}-server"), "exporter-port"),
        Some(9200)
    );
    let sm = &r.get("ServiceMonitor", &format!("{f}-haproxy")).value;
    assert_eq!(sm["spec"]["endpoints"][0]["path"], "/haproxy-metrics");
    assert_eq!(sm["spec"]["endpoints"][0]["port"], "http-metrics");
    assert_eq!(
        container_port(&r, "Deployment", &format!("{f}-haproxy"), "metrics-port"),
        Some(9300)
    );
    let cfg = r.configmap_key(&format!("{f}-configmap"), "haproxy.cfg");
    assert!(
        cfg.contains(":9300") && cfg.contains("{ path /haproxy-metrics }"),
        "{cfg}"
    );
}
