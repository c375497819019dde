//! Every metric an alert or a dashboard panel of the charts reads is one the real exporters
//! export: a Redis master and its replica (redis-server), Debian's prometheus-redis-exporter
//! 1.45 on each, and HAProxy 2.6 running the chart's rendered haproxy.cfg with its built-in
//! Prometheus exporter, all on loopback, are scraped, and every selector of every query
//! (metric name plus the label values it matches on, e.g. `role="master"`,
//! `proxy="bk_redis_master"`) must find a scraped sample. An alert on a metric the exporter
//! does not have never fires, and promtool cannot tell. Then the same processes run under a
//! real Prometheus configured from the rendered ServiceMonitors and PrometheusRule, and the
//! alerts must fire on real faults and resolve, and every dashboard panel must show data.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

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

/// Grafana variables replaced by values PromQL parses (the panels are checked for data live).
fn without_grafana_variables(q: &str) -> String {
    q.replace("$__rate_interval", "1m")
        .replace("$__interval", "1m")
        .replace("$__range", "1h")
        .replace("$namespace", "default")
        .replace("$release", "rel")
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
                for p in dash["panels"].as_array().into_iter().flatten() {
                    for t in p["targets"].as_array().into_iter().flatten() {
                        if let Some(e) = t["expr"].as_str() {
                            let title = p["title"].as_str().unwrap_or("?");
                            out.push((format!("panel {title:?}"), e.to_string()));
                        }
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

// ---------------------------------------------------------------------------------------------
// A live group under a real Prometheus
// ---------------------------------------------------------------------------------------------

/// Values that make the live run short: 1 s scrapes and evaluations, short `for:` and window.
/// HAProxy's servers (the announce addresses) are unreachable here, so its alert is left out;
/// its metrics are still scraped for the dashboard's panels.
const LIVE_VALUES: &str = "\
redis: {resources: {limits: {memory: 80Mi}, requests: {memory: 80Mi}}}
exporter: {serviceMonitor: {interval: 1s}}
haproxy: {metrics: {serviceMonitor: {interval: 1s}}}
prometheusRule:
  interval: 1s
  defaultRules:
    redisDownFor: 5s
    masterCountFor: 5s
    memoryFor: 2s
    memoryLimitPercent: 75
    eventWindow: 10s
    disabled: [HaproxyNoMasterBackend]
";

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An instant query's result vector.
fn prom_query(port: u16, q: &str) -> Vec<Value> {
    let body = http_get(port, &format!("/api/v1/query?query={}", percent_encode(q)))
        .unwrap_or_else(|| panic!("Prometheus did not answer {q}"));
    let v: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(v["status"], "success", "{q}: {body}");
    v["data"]["result"].as_array().cloned().unwrap_or_default()
}

/// Names of the firing alerts (with their pod label, if any).
fn firing(port: u16) -> BTreeSet<String> {
    prom_query(port, "ALERTS{alertstate=\"firing\"}")
        .iter()
        .map(|a| {
            let m = &a["metric"];
            format!(
                "{}{}",
                m["alertname"].as_str().unwrap_or("?"),
                m["pod"]
                    .as_str()
                    .map(|p| format!("/{p}"))
                    .unwrap_or_default()
            )
        })
        .collect()
}

/// Polls until `cond` holds; returns the time it took. Fails after `timeout`.
fn wait_for(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < timeout, "{what}: not within {timeout:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    start.elapsed()
}

/// One RESP command on a fresh connection; the raw reply.
fn redis_cmd(port: u16, args: &[&[u8]]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("redis connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut req = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        req.extend(format!("${}\r\n", a.len()).bytes());
        req.extend_from_slice(a);
        req.extend(b"\r\n");
    }
    s.write_all(&req).expect("redis write");
    let mut buf = [0u8; 4096];
    let n = s.read(&mut buf).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// Prometheus' scrape config for the rendered ServiceMonitors, with the labels the Operator
/// gives (job = Service name, namespace, pod): each ServiceMonitor's job, path and interval,
/// and the local processes standing in for the pods behind its Service.
fn scrape_config(r: &Rendered, targets: &BTreeMap<String, Vec<(String, u16)>>) -> String {
    let mut jobs = Vec::new();
    for sm in r.docs.iter().filter(|d| d.kind() == "ServiceMonitor") {
        let service = sm.name();
        let ep = &sm.value["spec"]["endpoints"][0];
        let static_configs: Vec<Value> = targets[service]
            .iter()
            .map(|(pod, port)| {
                serde_json::json!({"targets": [format!("127.0.0.1:{port}")],
                                   "labels": {"namespace": "default", "pod": pod}})
            })
            .collect();
        jobs.push(serde_json::json!({
            "job_name": service,
            "metrics_path": ep["path"],
            "scrape_interval": ep["interval"],
            "static_configs": static_configs,
        }));
    }
    serde_json::json!({
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": ["rules.yaml"],
        "scrape_configs": jobs,
    })
    .to_string()
}

#[test]
fn alerts_fire_and_resolve_and_panels_have_data_on_a_live_group() {
    let chart = chart_named("redis-1g");
    let r = testkit::render_values(
        &chart,
        LIVE_VALUES,
        &["--api-versions", "monitoring.coreos.com/v1"],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let dir = temp_dir();
    let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let mut pods = Vec::new();
    for (i, port) in ports.iter().enumerate() {
        let d = dir.path().join(format!("r{i}"));
        std::fs::create_dir_all(&d).unwrap();
        pods.push(Some(redis(&d, *port, (i > 0).then_some(ports[0]))));
        redis_cmd(
            *port,
            &[b"CONFIG", b"SET", b"maxmemory-policy", b"allkeys-lru"],
        );
    }
    let exporters: Vec<(ServerProcess, u16)> = ports.iter().map(|p| exporter(*p)).collect();
    let (_haproxy, mh) = haproxy(&r, dir.path());
    let mut targets = BTreeMap::new();
    targets.insert(
        "rel-redis-1g".to_string(),
        (0..3)
            .map(|i| (format!("rel-redis-1g-server-{i}"), exporters[i].1))
            .collect(),
    );
    targets.insert(
        "rel-redis-1g-haproxy".to_string(),
        vec![("rel-redis-1g-haproxy-0".to_string(), mh)],
    );
    let spec = r
        .docs
        .iter()
        .find(|d| d.kind() == "PrometheusRule")
        .expect("PrometheusRule")
        .value["spec"]
        .to_string();
    write_file(dir.path(), "rules.yaml", &spec);
    let config = write_file(dir.path(), "prometheus.yml", &scrape_config(&r, &targets));
    let pport = free_port();
    let mut cmd = Command::new(tool(Tool::Prometheus));
    cmd.current_dir(dir.path())
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("tsdb").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{pport}"));
    let _prometheus = ServerProcess::spawn(cmd);
    let long = Duration::from_secs(60);
    wait_for("Prometheus ready", long, || {
        http_get(pport, "/-/ready").is_some()
    });
    wait_for("every target up and replicas linked", long, || {
        prom_query(pport, "up == 1").len() == 4
            && prom_query(pport, "redis_master_link_up == 1").len() == 2
    });

    // Healthy, for longer than the event window: nothing fires (the replicas' first full syncs
    // included).
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_secs(12) {
        let f = firing(pport);
        assert!(f.is_empty(), "alerts on a healthy group: {f:?}");
        std::thread::sleep(Duration::from_millis(500));
    }

    // Some reads (hits and misses) for the hit-ratio panel, then every panel has data.
    for i in 0..50 {
        redis_cmd(ports[0], &[b"SET", format!("k{i}").as_bytes(), b"v"]);
        redis_cmd(ports[0], &[b"GET", format!("k{}", i * 2).as_bytes()]);
    }
    let panels: Vec<(String, String)> = queries(&r)
        .into_iter()
        .filter(|(w, _)| w.starts_with("panel "))
        .collect();
    assert!(panels.len() >= 10, "{panels:?}");
    for (panel, q) in &panels {
        let q = without_grafana_variables(q)
            .replace("job=\"rel\"", "job=\"rel-redis-1g\"")
            .replace("job=\"rel-haproxy\"", "job=\"rel-redis-1g-haproxy\"")
            .replace("[1m]", "[10s]");
        wait_for(&format!("{panel} has data: {q}"), long, || {
            !prom_query(pport, &q).is_empty()
        });
    }

    // Hard loss of the master: RedisDown within for: (5 s) + a scrape and an evaluation.
    let t0 = Instant::now();
    pods[0] = None;
    wait_for("RedisDown on pod 0", long, || {
        firing(pport).contains("RedisDown/rel-redis-1g-server-0")
    });
    let down_latency = t0.elapsed();
    // The failover Sentinel would make: pod 1 becomes master, pod 2 follows it.
    let t1 = Instant::now();
    redis_cmd(ports[1], &[b"REPLICAOF", b"NO", b"ONE"]);
    let p1 = ports[1].to_string();
    redis_cmd(ports[2], &[b"REPLICAOF", b"127.0.0.1", p1.as_bytes()]);
    wait_for("RedisFailover on pod 1", long, || {
        firing(pport).contains("RedisFailover/rel-redis-1g-server-1")
    });
    let failover_latency = t1.elapsed();
    // Pod 0 returns as a replica: RedisDown resolves.
    let t2 = Instant::now();
    let d0 = dir.path().join("r0");
    pods[0] = Some(redis(&d0, ports[0], Some(ports[1])));
    wait_for("RedisDown resolved", long, || {
        !firing(pport).iter().any(|a| a.starts_with("RedisDown"))
    });
    let resolve_latency = t2.elapsed();
    // Pod 0 came back empty: pod 1 served it a full resync (pod 1 is up for longer than the
    // two windows the alert ignores after a start).
    wait_for("RedisFullResync on pod 1", long, || {
        firing(pport).contains("RedisFullResync/rel-redis-1g-server-1")
    });
    wait_for("RedisFailover resolved after its window", long, || {
        !firing(pport).iter().any(|a| a.starts_with("RedisFailover"))
    });

    // Memory filled past maxmemory (64mb): both memory alerts fire.
    let t3 = Instant::now();
    let value = vec![b'x'; 1 << 20];
    for i in 0..90 {
        redis_cmd(ports[1], &[b"SET", format!("big{i}").as_bytes(), &value]);
    }
    wait_for("memory alerts", long, || {
        let f = firing(pport);
        f.contains("RedisMemoryNearMaxmemory/rel-redis-1g-server-1")
            && f.contains("RedisMemoryNearLimit/rel-redis-1g-server-1")
            && f.contains("RedisEvictingKeys/rel-redis-1g-server-1")
    });
    let memory_latency = t3.elapsed();
    println!(
        "live alerts: RedisDown {down_latency:?} after the kill (for: 5s), RedisFailover \
         {failover_latency:?} after the promotion, RedisDown resolved {resolve_latency:?} after \
         the restart, memory alerts {memory_latency:?} after the fill started (for: 2s); \
         scrape and evaluation every 1s"
    );
    assert!(
        down_latency < Duration::from_secs(5 + 4),
        "{down_latency:?}"
    );
    assert!(
        failover_latency < Duration::from_secs(4),
        "{failover_latency:?}"
    );
}
