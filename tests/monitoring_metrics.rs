//! Every metric an alert or a dashboard panel of the charts reads is one the real exporters
//! export: a Redis master and its replica (redis-server), Debian's prometheus-redis-exporter
//! 1.45 on each, and HAProxy 2.6 running the chart's rendered haproxy.cfg with its built-in
//! Prometheus exporter, all on loopback, are scraped, and every selector of every query
//! (metric name plus the label values it matches on, e.g. `role="master"`,
//! `proxy="bk_redis_master"`) must find a scraped sample. An alert on a metric the exporter
//! does not have never fires, and promtool cannot tell. The alerts firing and resolving on a
//! live group with Sentinel, under a real Prometheus, are podsim's monitoring scenario
//! (crates/podsim/tests/faults.rs).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use podsim::monitoring::dashboard;
use promql_parser::label::MatchOp;
use promql_parser::parser::{self, Expr, VectorSelector};
use promql_parser::util::{walk_expr, ExprVisitor};
use serde_json::Value;
use testkit::{
    chart_named, free_port, render, temp_dir, tool, write_file, Case, Helm, Rendered,
    ServerProcess, Tool,
};

/// Labels Prometheus (the ServiceMonitor's target) adds, not the exporter.
const TARGET_LABELS: &[&str] = &["namespace", "job", "pod", "instance", "service", "endpoint"];

/// Metrics Prometheus makes itself for every target.
const PROMETHEUS_METRICS: &[&str] = &["up", "scrape_duration_seconds", "scrape_samples_scraped"];

/// One scraped sample's metric name and labels.
type Sample = (String, BTreeMap<String, String>);

/// `GET path` over HTTP/1.0 on a loopback port; the body, or None while it is not answering.
fn http_get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    let (head, body) = buf.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.").then_some(())?;
    head.lines()
        .next()
        .is_some_and(|l| l.contains(" 200 "))
        .then(|| body.to_string())
}

/// Samples of a Prometheus text exposition.
fn parse_exposition(text: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, rest) = match line.find(['{', ' ']) {
            Some(i) => (&line[..i], &line[i..]),
            None => continue,
        };
        let mut labels = BTreeMap::new();
        if let Some(body) = rest.strip_prefix('{').and_then(|r| r.split_once('}')) {
            // Label values here hold no `",` (versions, addresses, names).
            for pair in body.0.split("\",") {
                if let Some((k, v)) = pair.split_once("=\"") {
                    labels.insert(k.trim().to_string(), v.trim_end_matches('"').to_string());
                }
            }
        }
        out.push((name.to_string(), labels));
    }
    out
}

/// Scrape until `ready` holds for the samples, or fail after `timeout`.
fn scrape_until(
    port: u16,
    what: &str,
    timeout: Duration,
    ready: impl Fn(&[Sample]) -> bool,
) -> Vec<Sample> {
    let deadline = Instant::now() + timeout;
    let mut last = String::new();
    loop {
        if let Some(body) = http_get(port, "/metrics") {
            let samples = parse_exposition(&body);
            if ready(&samples) {
                return samples;
            }
            last = body;
        }
        assert!(
            Instant::now() < deadline,
            "{what} on port {port} not ready within {timeout:?}; last scrape:\n{last}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn has(samples: &[Sample], name: &str, label: (&str, &str)) -> bool {
    samples
        .iter()
        .any(|(n, l)| n == name && l.get(label.0).map(String::as_str) == Some(label.1))
}

fn redis(dir: &Path, port: u16, replica_of: Option<u16>) -> ServerProcess {
    let mut cmd = Command::new(tool(Tool::RedisServer));
    cmd.arg("--port")
        .arg(port.to_string())
        .arg("--bind")
        .arg("127.0.0.1")
        .arg("--save")
        .arg("")
        .arg("--dir")
        .arg(dir)
        .arg("--maxmemory")
        .arg("64mb");
    if let Some(master) = replica_of {
        cmd.arg("--replicaof")
            .arg("127.0.0.1")
            .arg(master.to_string());
    }
    ServerProcess::start(
        cmd,
        port,
        "Ready to accept connections",
        Duration::from_secs(20),
    )
}

fn exporter(redis_port: u16) -> (ServerProcess, u16) {
    let port = free_port();
    let mut cmd = Command::new(tool(Tool::RedisExporter));
    cmd.arg("-redis.addr")
        .arg(format!("redis://127.0.0.1:{redis_port}"))
        .arg("-web.listen-address")
        .arg(format!("127.0.0.1:{port}"));
    (ServerProcess::spawn(cmd), port)
}

/// The rendered haproxy.cfg on loopback: announce addresses at 127.255.255.x (nothing listens
/// there, so the Redis servers are down, which the metrics do not mind) and every bind moved
/// to a free loopback port. Returns the process and the metrics port.
fn haproxy(r: &Rendered, dir: &Path) -> (ServerProcess, u16) {
    let cfg = r.configmap_key("rel-redis-1g-configmap", "haproxy.cfg");
    let metrics = free_port();
    let mut text = String::new();
    for line in cfg.lines() {
        let mut line = line.to_string();
        for i in 0..3 {
            line = line.replace(
                &format!("REPLACE_ANNOUNCE{i}"),
                &format!("127.255.255.{}", i + 1),
            );
        }
        if let Some(bind) = line.trim_start().strip_prefix("bind ") {
            let port = if bind.contains(":9101") {
                metrics
            } else {
                free_port()
            };
            line = format!("  bind 127.0.0.1:{port}");
        }
        text.push_str(&line);
        text.push('\n');
    }
    let path = write_file(dir, "haproxy.cfg", &text);
    let mut cmd = Command::new(tool(Tool::Haproxy));
    cmd.arg("-db").arg("-f").arg(&path).env("AUTH", "unused");
    (ServerProcess::spawn(cmd), metrics)
}

/// Every vector selector of a query: (metric name, label equalities the query relies on).
struct Selectors(Vec<(String, Vec<(String, String)>)>);

impl ExprVisitor for Selectors {
    type Error = String;
    fn pre_visit(&mut self, e: &Expr) -> Result<bool, String> {
        let vs: Option<&VectorSelector> = match e {
            Expr::VectorSelector(vs) => Some(vs),
            Expr::MatrixSelector(ms) => Some(&ms.vs),
            _ => None,
        };
        if let Some(vs) = vs {
            let name = vs.name.clone().ok_or("a selector without a metric name")?;
            let equal = vs
                .matchers
                .matchers
                .iter()
                .filter(|m| matches!(m.op, MatchOp::Equal))
                .filter(|m| !TARGET_LABELS.contains(&m.name.as_str()))
                .map(|m| (m.name.clone(), m.value.clone()))
                .collect();
            self.0.push((name, equal));
        }
        Ok(true)
    }
}

/// Grafana variables replaced by values PromQL parses (the panels are checked for data live,
/// by podsim's monitoring scenario, through the same substitution).
fn without_grafana_variables(q: &str) -> String {
    let vars = BTreeMap::from([
        ("namespace".to_string(), "default".to_string()),
        ("release".to_string(), "rel".to_string()),
    ]);
    dashboard::substitute(q, &vars, Duration::from_secs(15), Duration::from_secs(3600))
}

/// (where, query) of every alert of the PrometheusRule and every panel target of the
/// dashboard ConfigMap of a render.
fn queries(r: &Rendered) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for d in &r.docs {
        if d.kind() == "PrometheusRule" {
            for g in d
                .value
                .pointer("/spec/groups")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                for rule in g["rules"].as_array().into_iter().flatten() {
                    if let (Some(a), Some(e)) = (rule["alert"].as_str(), rule["expr"].as_str()) {
                        out.push((format!("alert {a}"), e.to_string()));
                    }
                }
            }
        }
        if d.kind() == "ConfigMap"
            && d.value
                .pointer("/metadata/labels/grafana_dashboard")
                .is_some()
        {
            for (key, json) in d.value["data"].as_object().into_iter().flatten() {
                let dash: Value = serde_json::from_str(json.as_str().unwrap_or_default())
                    .unwrap_or_else(|e| panic!("{key} is not JSON: {e}"));
                for p in dashboard::panels(&dash) {
                    for (expr, _) in p.targets {
                        out.push((format!("panel {:?}", p.title), expr));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_alert_and_panel_metric_is_in_a_live_scrape() {
    let chart = chart_named("redis-1g");
    let r = render(Helm::V4, &chart, &Case::monitoring_api());
    let queries = queries(&r);
    assert!(
        queries.iter().any(|(w, _)| w.starts_with("alert ")),
        "no alert rendered"
    );

    let dir = temp_dir();
    let (p0, p1) = (free_port(), free_port());
    std::fs::create_dir_all(dir.path().join("r0")).unwrap();
    std::fs::create_dir_all(dir.path().join("r1")).unwrap();
    let _master = redis(&dir.path().join("r0"), p0, None);
    let _replica = redis(&dir.path().join("r1"), p1, Some(p0));
    let (_e0, m0) = exporter(p0);
    let (_e1, m1) = exporter(p1);
    let (_haproxy, mh) = haproxy(&r, dir.path());

    let wait = Duration::from_secs(30);
    let mut samples = scrape_until(m0, "master exporter", wait, |s| {
        has(s, "redis_instance_info", ("role", "master"))
            && s.iter()
                .any(|(n, _)| n == "redis_connected_slave_offset_bytes")
    });
    samples.extend(scrape_until(m1, "replica exporter", wait, |s| {
        s.iter().any(|(n, l)| {
            n == "redis_master_link_up" && l.get("master_port") == Some(&p0.to_string())
        }) && has(s, "redis_instance_info", ("role", "slave"))
    }));
    samples.extend(scrape_until(mh, "haproxy", wait, |s| {
        has(
            s,
            "haproxy_backend_active_servers",
            ("proxy", "bk_redis_master"),
        )
    }));
    let names: BTreeSet<&str> = samples.iter().map(|(n, _)| n.as_str()).collect();

    let mut missing = Vec::new();
    for (origin, q) in &queries {
        let expr = parser::parse(&without_grafana_variables(q))
            .unwrap_or_else(|e| panic!("{origin}: {q}: {e}"));
        let mut sel = Selectors(Vec::new());
        walk_expr(&mut sel, &expr).unwrap_or_else(|e| panic!("{origin}: {e}"));
        assert!(!sel.0.is_empty(), "{origin} reads no metric: {q}");
        for (name, equal) in sel.0 {
            if PROMETHEUS_METRICS.contains(&name.as_str()) {
                continue;
            }
            let found = samples
                .iter()
                .any(|(n, l)| n == &name && equal.iter().all(|(k, v)| l.get(k) == Some(v)));
            if !found {
                missing.push(format!(
                    "{origin}: {name}{equal:?} ({})",
                    if names.contains(name.as_str()) {
                        "no sample with these labels"
                    } else {
                        "metric not exported"
                    }
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "queries read metrics the live exporters do not export:\n{}",
        missing.join("\n")
    );
}

#[test]
fn dashboard_renders_in_the_variants_only_with_its_variables_and_panels() {
    for chart in testkit::charts() {
        let r = render(Helm::V4, &chart, &Case::defaults());
        let name = format!("rel-{}-dashboard", chart.name);
        if chart.name == "redis-ha" {
            assert!(
                r.find("ConfigMap", &name).is_none(),
                "redis-ha renders a dashboard"
            );
            continue;
        }
        let cm = r.get("ConfigMap", &name);
        assert_eq!(cm.value["metadata"]["labels"]["grafana_dashboard"], "1");
        let json = r.configmap_key(&name, &format!("rel-{}.json", chart.name));
        let dash: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        let vars: Vec<&str> = dash["templating"]["list"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v["name"].as_str())
            .collect();
        assert_eq!(vars, ["datasource", "namespace", "release"]);
        let titles: Vec<&str> = dash["panels"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["title"].as_str())
            .collect();
        for topic in [
            "Role",
            "Replica",
            "Memory",
            "Commands",
            "hit ratio",
            "Evicted",
            "clients",
            "Failovers",
            "HAProxy",
        ] {
            assert!(
                titles.iter().any(|t| t.contains(topic)),
                "{}: no panel about {topic}: {titles:?}",
                chart.name
            );
        }
        for p in dash["panels"].as_array().into_iter().flatten() {
            assert!(
                p["targets"].as_array().is_some_and(|t| !t.is_empty()),
                "panel without a query: {p}"
            );
        }
    }
}
