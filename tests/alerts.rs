//! The chart's alerts (`prometheusRule.defaultRules`), rendered by the real Helm (`promtool
//! check rules` on every rendered rule is in kubernetes_validate.rs): `promtool test rules` runs a unit test
//! per alert (input series that must fire it, with the labels and summary it must carry, and
//! an evaluation before its `for:` where it must not) plus a healthy group on which none fires.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::{json, Value};
use testkit::{
    chart_named, charts, render, render_values, run, temp_dir, tool, write_file, Case, Failures,
    Helm, Rendered, Tool, NAMESPACE, TOOL_TIMEOUT,
};

/// The `spec` of the one PrometheusRule of a render.
fn rule_spec(r: &Rendered) -> Value {
    let rules: Vec<_> = r
        .docs
        .iter()
        .filter(|d| d.kind() == "PrometheusRule")
        .collect();
    assert_eq!(
        rules.len(),
        1,
        "one PrometheusRule expected, got {:?}",
        r.ids()
    );
    rules[0].value.get("spec").cloned().unwrap_or_default()
}

/// Alert names of a rule spec, in order.
fn alert_names(spec: &Value) -> Vec<String> {
    spec.pointer("/groups/0/rules")
        .and_then(Value::as_array)
        .map(|rules| {
            rules
                .iter()
                .filter_map(|r| r.get("alert").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The chart's own alerts, as the sized variants render them.
const ALERTS: &[&str] = &[
    "RedisDown",
    "RedisTooFewPods",
    "RedisNoMaster",
    "RedisMultipleMasters",
    "RedisReplicationBroken",
    "RedisReplicaLagging",
    "RedisMemoryNearMaxmemory",
    "RedisMemoryNearLimit",
    "RedisEvictingKeys",
    "RedisRejectingConnections",
    "RedisFailover",
    "RedisFullResync",
    "RedisRdbSaveFailed",
    "HaproxyNoMasterBackend",
];

#[test]
fn variants_render_every_alert_and_redis_ha_none_by_default() {
    let mut failures = Failures::new();
    for chart in charts() {
        let r = render(Helm::V4, &chart, &Case::monitoring_api());
        let has_rule = r.docs.iter().any(|d| d.kind() == "PrometheusRule");
        if chart.name == "redis-ha" {
            failures.check(!has_rule, || {
                "redis-ha renders a PrometheusRule by default".into()
            });
            continue;
        }
        let names = alert_names(&rule_spec(&r));
        failures.check(names == ALERTS, || {
            format!("{}: alerts {names:?}, expected {ALERTS:?}", chart.name)
        });
        // Without the Prometheus Operator API the variants render no PrometheusRule (an install
        // would fail on the unknown kind).
        let bare = render(Helm::V4, &chart, &Case::defaults());
        failures.check(
            !bare.docs.iter().any(|d| d.kind() == "PrometheusRule"),
            || format!("{}: PrometheusRule rendered without the API", chart.name),
        );
    }
    failures.assert_none("alerts of the charts");
}

#[test]
fn alerts_are_tunable_disablable_and_extendable() {
    let chart = chart_named("redis-1g");
    let values = r#"
prometheusRule:
  rules:
    - alert: MyOwnAlert
      expr: vector(1)
      annotations:
        summary: '{{ "{{ $labels.job }}" }} of {{ .Release.Name }}'
  defaultRules:
    disabled: [RedisEvictingKeys]
    labels: {team: storage}
    redisDownFor: 3m
    maxmemoryPercent: 75
redis:
  resources: {limits: {memory: 1500M}, requests: {memory: 1500M}}
"#;
    let r = render_values(
        &chart,
        values,
        &["--api-versions", "monitoring.coreos.com/v1"],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let spec = rule_spec(&r);
    let names = alert_names(&spec);
    assert!(
        !names.contains(&"RedisEvictingKeys".to_string()),
        "{names:?}"
    );
    assert_eq!(names.last().map(String::as_str), Some("MyOwnAlert"));
    let rules = spec
        .pointer("/groups/0/rules")
        .and_then(Value::as_array)
        .unwrap();
    let rule = |name: &str| rules.iter().find(|r| r["alert"] == name).unwrap().clone();
    assert_eq!(rule("RedisDown")["for"], "3m");
    assert_eq!(
        rule("RedisDown")["labels"],
        json!({"team": "storage", "severity": "critical"})
    );
    let maxmemory = rule("RedisMemoryNearMaxmemory")["expr"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(maxmemory.ends_with("* 100 > 75"), "{maxmemory}");
    let limit = rule("RedisMemoryNearLimit")["expr"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(limit.contains("/ 1500000000 * 100 > 90"), "{limit}");
    assert_eq!(
        rule("MyOwnAlert")["annotations"]["summary"],
        "{{ $labels.job }} of rel"
    );

    // No memory limit: no limit alert (nothing to compare with).
    let r = render_values(
        &chart,
        "redis: {resources: {limits: null, requests: null}}\n",
        &["--api-versions", "monitoring.coreos.com/v1"],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let names = alert_names(&rule_spec(&r));
    assert!(
        !names.contains(&"RedisMemoryNearLimit".to_string()),
        "{names:?}"
    );

    // redis-ha keeps the public chart's behaviour: enabled renders without the API check.
    let base = chart_named("redis-ha");
    let r = render_values(&base, "prometheusRule: {enabled: true}\n", &[])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rule_spec(&r).pointer("/groups/0/rules"), Some(&json!([])));
}

// ---------------------------------------------------------------------------------------------
// promtool unit tests
// ---------------------------------------------------------------------------------------------

/// Labels of one scraped target of the release, as the Prometheus Operator sets them.
struct Target {
    job: String,
    pod: String,
    instance: String,
}

impl Target {
    fn redis(i: usize) -> Target {
        Target {
            job: "rel-redis-1g".into(),
            pod: format!("rel-redis-1g-server-{i}"),
            instance: format!("10.0.0.{}:9121", i + 1),
        }
    }

    fn haproxy(i: usize) -> Target {
        Target {
            job: "rel-redis-1g-haproxy".into(),
            pod: format!("rel-redis-1g-haproxy-{i}"),
            instance: format!("10.0.1.{}:9101", i + 1),
        }
    }

    /// `metric{namespace, job, pod, instance, extra...}` as a promtool series selector.
    fn series(&self, metric: &str, extra: &[(&str, &str)]) -> String {
        let mut labels = vec![
            format!("namespace=\"{NAMESPACE}\""),
            format!("job=\"{}\"", self.job),
            format!("pod=\"{}\"", self.pod),
            format!("instance=\"{}\"", self.instance),
        ];
        labels.extend(extra.iter().map(|(k, v)| format!("{k}=\"{v}\"")));
        format!("{metric}{{{}}}", labels.join(","))
    }

    /// The labels an alert on this target's series carries.
    fn labels(&self, severity: &str, extra: &[(&str, &str)]) -> Value {
        let mut m = json!({
            "namespace": NAMESPACE, "job": self.job, "pod": self.pod,
            "instance": self.instance, "severity": severity,
        });
        for (k, v) in extra {
            m[*k] = json!(v);
        }
        m
    }
}

fn series(name: String, values: &str) -> Value {
    json!({"series": name, "values": values})
}

/// One alert's unit test: series, then (time, expected alerts) evaluations.
struct AlertTest {
    alert: &'static str,
    input: Vec<Value>,
    evals: Vec<(&'static str, Vec<Value>)>,
}

fn firing(labels: Value, summary: String) -> Value {
    json!({"exp_labels": labels, "exp_annotations": {"summary": summary}})
}

const GROUP: &str = "default/rel-redis-1g";

/// RedisFailover firing for `t`'s pod (its labels are the aggregation's: no job, no instance).
fn failover_of(t: &Target) -> Value {
    firing(
        json!({"namespace": NAMESPACE, "pod": t.pod, "severity": "warning"}),
        format!(
            "{} became the master of {GROUP} (a failover in the last 10m)",
            t.pod
        ),
    )
}

/// Unit tests of every alert on redis-1g's defaults (release `rel`, namespace `default`,
/// memory limit 2Gi; series every 15 s).
fn alert_tests() -> Vec<AlertTest> {
    let (r0, r1) = (Target::redis(0), Target::redis(1));
    let h0 = Target::haproxy(0);
    let master = [("master_host", "10.0.0.1"), ("master_port", "6379")];
    let replica = [
        ("slave_ip", "10.0.0.2"),
        ("slave_port", "6379"),
        ("slave_state", "online"),
    ];
    vec![
        AlertTest {
            alert: "RedisDown",
            // pod 0: Prometheus cannot scrape it; pod 1: its exporter cannot reach Redis.
            input: vec![
                series(r0.series("up", &[]), "1 1 0x20"),
                series(r1.series("up", &[]), "1x22"),
                series(r1.series("redis_up", &[]), "1 1 0x20"),
            ],
            evals: vec![
                ("45s", vec![]),
                (
                    "2m",
                    vec![
                        firing(
                            r0.labels("critical", &[]),
                            format!("Redis pod {} of {GROUP} is down", r0.pod),
                        ),
                        firing(
                            r1.labels("critical", &[]),
                            format!("Redis pod {} of {GROUP} is down", r1.pod),
                        ),
                    ],
                ),
            ],
        },
        AlertTest {
            alert: "RedisTooFewPods",
            // Pod 2 is not ready, so it left the headless Service: no target, no `up == 0`.
            input: vec![
                series(r0.series("up", &[]), "1x20"),
                series(r0.series("redis_up", &[]), "1x20"),
                series(r1.series("up", &[]), "1x20"),
                series(r1.series("redis_up", &[]), "1 1 0x20"),
            ],
            evals: vec![
                ("45s", vec![]),
                (
                    "2m",
                    vec![firing(
                        json!({"severity": "warning"}),
                        format!("Only 1 of 3 Redis pods of {GROUP} are up"),
                    )],
                ),
            ],
        },
        AlertTest {
            alert: "RedisNoMaster",
            input: vec![
                series(
                    r0.series("redis_instance_info", &[("role", "slave")]),
                    "1x20",
                ),
                series(r0.series("redis_up", &[]), "1x20"),
            ],
            evals: vec![
                ("30s", vec![]),
                (
                    "2m",
                    vec![firing(
                        json!({"severity": "critical"}),
                        format!("{GROUP} has no Redis master: writes fail"),
                    )],
                ),
            ],
        },
        AlertTest {
            alert: "RedisMultipleMasters",
            input: vec![
                series(
                    r0.series("redis_instance_info", &[("role", "master")]),
                    "1x20",
                ),
                series(
                    r1.series("redis_instance_info", &[("role", "master")]),
                    "_x2 1x20",
                ),
            ],
            evals: vec![
                ("1m", vec![]),
                (
                    "2m",
                    vec![firing(
                        json!({"severity": "critical"}),
                        format!("{GROUP} has 2 Redis masters (split brain)"),
                    )],
                ),
            ],
        },
        AlertTest {
            alert: "RedisReplicationBroken",
            input: vec![series(r1.series("redis_master_link_up", &master), "1 0x20")],
            evals: vec![
                ("2m", vec![]),
                (
                    "3m",
                    vec![firing(
                        r1.labels("warning", &master),
                        format!("Replica {} of {GROUP} has lost its master link", r1.pod),
                    )],
                ),
            ],
        },
        AlertTest {
            alert: "RedisReplicaLagging",
            // 96 MiB between the master's offset and the replica's acknowledged one.
            input: vec![
                series(r0.series("redis_master_repl_offset", &[]), "200663296x40"),
                series(
                    r0.series("redis_connected_slave_offset_bytes", &replica),
                    "100000000x40",
                ),
            ],
            evals: vec![
                ("4m", vec![]),
                (
                    "6m",
                    vec![firing(
                        json!({"namespace": NAMESPACE, "pod": r0.pod, "slave_ip": "10.0.0.2",
                               "slave_port": "6379", "severity": "warning"}),
                        format!("A replica of {} ({GROUP}) is 96MiB behind", r0.pod),
                    )],
                ),
            ],
        },
        AlertTest {
            alert: "RedisMemoryNearMaxmemory",
            // pod 1 has no maxmemory (0): never compared.
            input: vec![
                series(r0.series("redis_memory_used_bytes", &[]), "95x40"),
                series(r0.series("redis_memory_max_bytes", &[]), "100x40"),
                series(r1.series("redis_memory_used_bytes", &[]), "95x40"),
                series(r1.series("redis_memory_max_bytes", &[]), "0x40"),
            ],
            evals: vec![
                ("4m", vec![]),
                (
                    "6m",
                    vec![firing(
                        r0.labels("warning", &[]),
                        format!("Redis {} of {GROUP} uses 95% of maxmemory", r0.pod),
                    )],
                ),
            ],
        },
        AlertTest {
            alert: "RedisMemoryNearLimit",
            // 95% of 2Gi, the variant's limit; pod 1 at 80%.
            input: vec![
                series(
                    r0.series("redis_memory_used_rss_bytes", &[]),
                    "2040109466x40",
                ),
                series(
                    r1.series("redis_memory_used_rss_bytes", &[]),
                    "1717986918x40",
                ),
            ],
            evals: vec![
                ("4m", vec![]),
                (
                    "6m",
                    vec![firing(
                        r0.labels("critical", &[]),
                        format!(
                            "Redis {} of {GROUP} uses 95% of its container memory limit",
                            r0.pod
                        ),
                    )],
                ),
            ],
        },
        AlertTest {
            alert: "RedisEvictingKeys",
            input: vec![series(
                r0.series("redis_evicted_keys_total", &[]),
                "0x40 10x80",
            )],
            evals: vec![
                ("10m", vec![]),
                (
                    "20m",
                    vec![firing(
                        r0.labels("warning", &[]),
                        format!("Redis {} of {GROUP} evicted 10 keys in 10m", r0.pod),
                    )],
                ),
                ("31m", vec![]),
            ],
        },
        AlertTest {
            alert: "RedisRejectingConnections",
            input: vec![series(
                r0.series("redis_rejected_connections_total", &[]),
                "0x40 3x80",
            )],
            evals: vec![
                ("10m", vec![]),
                (
                    "20m",
                    vec![firing(
                        r0.labels("warning", &[]),
                        format!("Redis {} of {GROUP} refused 3 connections in 10m", r0.pod),
                    )],
                ),
            ],
        },
        AlertTest {
            alert: "RedisFailover",
            // pod 0 is master for 15 minutes, then pod 1 (a replica until then) is.
            input: vec![
                series(
                    r0.series("redis_instance_info", &[("role", "master")]),
                    "1x60",
                ),
                series(
                    r1.series("redis_instance_info", &[("role", "slave")]),
                    "1x60",
                ),
                series(
                    r1.series("redis_instance_info", &[("role", "master")]),
                    "_x60 1x100",
                ),
            ],
            evals: vec![
                ("5m", vec![]),
                ("17m", vec![failover_of(&r1)]),
                ("26m", vec![]),
            ],
        },
        AlertTest {
            alert: "RedisFailover",
            // pod 1 is down until 12m (a lost node), comes back as a replica, and is promoted
            // at 15m: the alert fires at once, though pod 1 has no series one window earlier.
            input: vec![
                series(
                    r0.series("redis_instance_info", &[("role", "master")]),
                    "1x60",
                ),
                series(
                    r1.series("redis_instance_info", &[("role", "slave")]),
                    "_x48 1x11",
                ),
                series(
                    r1.series("redis_instance_info", &[("role", "master")]),
                    "_x60 1x100",
                ),
            ],
            evals: vec![("14m", vec![]), ("15m15s", vec![failover_of(&r1)])],
        },
        AlertTest {
            alert: "RedisFailover",
            // A new group: pod 1's first sample comes 15 s before pod 0's (the master), so one
            // window later pod 0 has no sample one window ago: no failover for all that.
            input: vec![
                series(
                    r0.series("redis_instance_info", &[("role", "master")]),
                    "_ 1x60",
                ),
                series(
                    r1.series("redis_instance_info", &[("role", "slave")]),
                    "1x61",
                ),
            ],
            evals: vec![("10m", vec![]), ("10m15s", vec![]), ("12m", vec![])],
        },
        AlertTest {
            alert: "RedisFailover",
            // pod 0 (master) is lost at 10m (its series goes stale), pod 1 is promoted at 11m:
            // the alert lasts one window from the promotion, not from the loss.
            input: vec![
                series(
                    r0.series("redis_instance_info", &[("role", "master")]),
                    "1x40 stale",
                ),
                series(
                    r1.series("redis_instance_info", &[("role", "slave")]),
                    "1x43 stale",
                ),
                series(
                    r1.series("redis_instance_info", &[("role", "master")]),
                    "_x44 1x100",
                ),
            ],
            evals: vec![
                ("10m30s", vec![]),
                ("20m30s", vec![failover_of(&r1)]),
                ("21m15s", vec![]),
            ],
        },
        AlertTest {
            alert: "RedisFullResync",
            // pod 0 (up for long) serves a full sync at 20m; pod 1 serves its replicas' first
            // syncs right after it starts, which is expected.
            input: vec![
                series(r0.series("redis_replica_resyncs_full", &[]), "0x80 1x80"),
                series(r0.series("redis_uptime_in_seconds", &[]), "1000+15x160"),
                series(r1.series("redis_replica_resyncs_full", &[]), "0x4 2x160"),
                series(r1.series("redis_uptime_in_seconds", &[]), "0+15x160"),
            ],
            evals: vec![
                ("5m", vec![]),
                (
                    "25m",
                    vec![firing(
                        r0.labels("warning", &[]),
                        format!("Master {} of {GROUP} served 1 full resyncs in 10m", r0.pod),
                    )],
                ),
            ],
        },
        AlertTest {
            alert: "RedisRdbSaveFailed",
            input: vec![series(
                r0.series("redis_rdb_last_bgsave_status", &[]),
                "1 1 0x10",
            )],
            evals: vec![
                ("15s", vec![]),
                (
                    "1m",
                    vec![firing(
                        r0.labels("critical", &[]),
                        format!("The last RDB save of {} ({GROUP}) failed", r0.pod),
                    )],
                ),
            ],
        },
        AlertTest {
            alert: "HaproxyNoMasterBackend",
            input: vec![
                series(
                    h0.series(
                        "haproxy_backend_active_servers",
                        &[("proxy", "bk_redis_master")],
                    ),
                    "1 0x20",
                ),
                series(
                    h0.series(
                        "haproxy_backend_active_servers",
                        &[("proxy", "bk_redis_slave")],
                    ),
                    "0x21",
                ),
            ],
            evals: vec![
                ("1m", vec![]),
                (
                    "2m",
                    vec![firing(
                        h0.labels("critical", &[("proxy", "bk_redis_master")]),
                        format!(
                            "HAProxy {} of {GROUP} has no Redis master to send clients to",
                            h0.pod
                        ),
                    )],
                ),
            ],
        },
    ]
}

/// A healthy 3-pod group with HAProxy for 30 minutes: no alert may fire at any evaluation.
fn healthy_input() -> Vec<Value> {
    let mut input = Vec::new();
    for i in 0..3 {
        let t = Target::redis(i);
        let role = if i == 0 { "master" } else { "slave" };
        input.push(series(t.series("up", &[]), "1x120"));
        input.push(series(t.series("redis_up", &[]), "1x120"));
        input.push(series(
            t.series("redis_instance_info", &[("role", role)]),
            "1x120",
        ));
        input.push(series(
            t.series("redis_memory_used_bytes", &[]),
            "500000000x120",
        ));
        input.push(series(
            t.series("redis_memory_max_bytes", &[]),
            "1073741824x120",
        ));
        input.push(series(
            t.series("redis_memory_used_rss_bytes", &[]),
            "600000000x120",
        ));
        input.push(series(t.series("redis_evicted_keys_total", &[]), "0x120"));
        input.push(series(
            t.series("redis_rejected_connections_total", &[]),
            "0x120",
        ));
        input.push(series(
            t.series("redis_rdb_last_bgsave_status", &[]),
            "1x120",
        ));
        input.push(series(t.series("redis_uptime_in_seconds", &[]), "0+15x120"));
        if i == 0 {
            // Both replicas' initial full syncs, right after the start.
            input.push(series(
                t.series("redis_replica_resyncs_full", &[]),
                "0 2x120",
            ));
            input.push(series(
                t.series("redis_master_repl_offset", &[]),
                "0+150000x120",
            ));
            for r in 1..3 {
                let ip = format!("10.0.0.{}", r + 1);
                input.push(series(
                    t.series(
                        "redis_connected_slave_offset_bytes",
                        &[
                            ("slave_ip", &ip),
                            ("slave_port", "6379"),
                            ("slave_state", "online"),
                        ],
                    ),
                    "0+150000x120",
                ));
            }
        } else {
            input.push(series(
                t.series(
                    "redis_master_link_up",
                    &[("master_host", "10.0.0.1"), ("master_port", "6379")],
                ),
                "1x120",
            ));
        }
    }
    for i in 0..3 {
        let h = Target::haproxy(i);
        input.push(series(h.series("up", &[]), "1x120"));
        input.push(series(
            h.series(
                "haproxy_backend_active_servers",
                &[("proxy", "bk_redis_master")],
            ),
            "1x120",
        ));
    }
    input
}

/// promtool's unit test file for `rules.yaml`.
fn promtool_tests(alerts: &[String]) -> Value {
    let mut tests = Vec::new();
    for t in alert_tests() {
        let cases: Vec<Value> = t
            .evals
            .into_iter()
            .map(|(at, exp)| json!({"eval_time": at, "alertname": t.alert, "exp_alerts": exp}))
            .collect();
        tests.push(
            json!({"name": t.alert, "interval": "15s", "input_series": t.input,
                          "alert_rule_test": cases}),
        );
    }
    let healthy: Vec<Value> = ["2m", "10m", "30m"]
        .iter()
        .flat_map(|at| {
            alerts
                .iter()
                .map(move |a| json!({"eval_time": at, "alertname": a, "exp_alerts": []}))
        })
        .collect();
    tests.push(json!({"name": "healthy group", "interval": "15s",
                      "input_series": healthy_input(), "alert_rule_test": healthy}));
    json!({"rule_files": ["rules.yaml"], "evaluation_interval": "15s", "tests": tests})
}

#[test]
fn every_alert_fires_in_promtool_unit_tests() {
    let chart = chart_named("redis-1g");
    let r = render(Helm::V4, &chart, &Case::monitoring_api());
    let mut spec = rule_spec(&r);
    let names = alert_names(&spec);
    let tested: BTreeSet<String> = alert_tests().iter().map(|t| t.alert.to_string()).collect();
    let rendered: BTreeSet<String> = names.iter().cloned().collect();
    assert_eq!(tested, rendered, "every rendered alert has a unit test");

    // The runbooks are static text; the tests compare labels and summaries.
    if let Some(rules) = spec
        .pointer_mut("/groups/0/rules")
        .and_then(Value::as_array_mut)
    {
        for rule in rules {
            if let Some(a) = rule.get_mut("annotations").and_then(Value::as_object_mut) {
                let runbook = a.shift_remove("runbook");
                assert!(
                    runbook
                        .as_ref()
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.len() > 80),
                    "{} needs a runbook that says what to do",
                    rule["alert"]
                );
            }
        }
    }
    let dir = temp_dir();
    write_file(dir.path(), "rules.yaml", &spec.to_string());
    let tests = write_file(
        dir.path(),
        "tests.yaml",
        &promtool_tests(&names).to_string(),
    );
    let mut cmd = Command::new(tool(Tool::Promtool));
    cmd.current_dir(dir.path())
        .arg("test")
        .arg("rules")
        .arg(&tests);
    let out = run(&mut cmd, TOOL_TIMEOUT);
    assert!(out.success(), "promtool test rules:\n{}", out.describe());
}
