//! Differential test of chartlint's redis.conf verdicts against the real servers: for every
//! directive of the catalogues, values of each shape (valid, bounds, out of range, wrong
//! type, wrong argument count, unit and case forms, names of other versions) are written into
//! `redis.config`, rendered as the chart renders them (model::conf, checked against Helm by
//! tests/conf_render.rs) after the chart's own first lines, and given to each installed
//! server. The server accepts a value when it answers PING, and refuses it when it exits;
//! chartlint, told the server's version (`--server-version`), must report an error for
//! exactly the refused ones.
//!
//! `cargo test` runs a fixed sample (every SAMPLE_STEP-th value); `scripts/differential.sh`
//! runs them all (DIFFERENTIAL_FULL=1) and prints the agreement per server.
//!
//! Directives the pod or the chart owns, or that a server only judges at run time (files,
//! addresses, certificates, processes), are not tried: see [`SKIPPED`].

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chartlint::config::Config;
use chartlint::diagnostic::Severity;
use chartlint::engine::{self, Chart};
use chartlint::source::{SourceFile, SourceKind};
use chartlint::yaml::{self, Limits};
use model::directives::{catalogues, Directive, Kind};
use testkit::{free_port, par_map, repo_root, resp_command, temp_dir, write_file};

/// Every SAMPLE_STEP-th generated value runs in `cargo test`.
const SAMPLE_STEP: usize = 9;

/// Directives not tried, and why.
const SKIPPED: &[(&str, &str)] = &[
    (
        "daemonize",
        "a daemonized server leaves its process: the pod's container would exit",
    ),
    (
        "dir",
        "the chart writes dir; a missing directory is the pod's business",
    ),
    ("port", "the chart writes port"),
    ("tls-port", "needs certificates"),
    ("bind", "addresses are the pod's"),
    ("bind-source-addr", "addresses are the pod's"),
    ("unixsocket", "a file of the pod"),
    ("pidfile", "a file of the pod"),
    ("logfile", "a file of the pod"),
    ("include", "a file of the pod"),
    ("loadmodule", "a file of the pod"),
    ("aclfile", "a file of the pod"),
    ("dbfilename", "a file of the pod"),
    ("appendfilename", "a file of the pod"),
    ("appenddirname", "a file of the pod"),
    ("cluster-config-file", "a file of the pod"),
    ("replicaof", "init.sh writes it; a replica connects at once"),
    ("slaveof", "init.sh writes it; a replica connects at once"),
    ("rename-command", "the command must exist: judged at load"),
    ("user", "ACL rules: judged at load"),
    ("supervised", "talks to the init system"),
    ("syslog-enabled", "talks to syslog"),
    ("locale-collate", "the locale must exist on the host"),
    ("server_cpulist", "CPU affinity of the host"),
    ("bio_cpulist", "CPU affinity of the host"),
    ("aof_rewrite_cpulist", "CPU affinity of the host"),
    ("bgsave_cpulist", "CPU affinity of the host"),
    ("server-cpulist", "CPU affinity of the host"),
    ("bio-cpulist", "CPU affinity of the host"),
    ("aof-rewrite-cpulist", "CPU affinity of the host"),
    ("bgsave-cpulist", "CPU affinity of the host"),
    ("cluster-enabled", "a cluster node, not this chart"),
    ("sentinel", "Sentinel mode only"),
    ("enable-debug-command", "no effect on start"),
    ("rdma-bind", "RDMA transport"),
    ("rdma-port", "RDMA transport"),
    ("mptcp", "needs kernel MPTCP support"),
    ("repl-mptcp", "needs kernel MPTCP support"),
    ("watchdog-period", "signals the server"),
    ("crash-log-enabled", "signal handlers"),
    ("oom-score-adj", "writes /proc of the process"),
    ("oom-score-adj-values", "writes /proc of the process"),
    ("disable-thp", "writes process flags"),
    ("hash-seed", "fixed-seed builds"),
    (
        "activedefrag",
        "needs an allocator built with defrag support (Debian's 7.0.15 and this Valkey 9 lack it)",
    ),
    (
        "vset-force-single-threaded-execution",
        "configuration of Redis 8's bundled vector-set module",
    ),
    ("cluster-announce-client-ipv4", "cluster mode"),
    ("cluster-announce-client-ipv6", "cluster mode"),
];

/// Values not tried, and why.
const SKIPPED_VALUES: &[(&str, &str, &str)] = &[(
    "databases",
    "2147483647",
    "allocates 2^31 databases: the test machine's memory, not the config, decides",
)];

/// The rules that say a server refuses a redis.conf line: the verdicts compared.
const REFUSAL_RULES: &[&str] = &[
    "RHA122", "RHA127", "RHA130", "RHA131", "RHA132", "RHA133", "RHA155",
];

#[path = "common/installed_servers.rs"]
mod installed_servers;
use installed_servers::{installed, Installed};

/// One generated `redis.config` entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Case {
    key: String,
    /// The value as a YAML string (always quoted: Helm's typing is tests/conf_render.rs's).
    value: String,
}

/// Values of each shape for a directive, from the way `d` reads them.
fn values_for(d: &Directive) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    let num = |n: i128| n.to_string();
    match d.kind {
        Kind::Bool => v.extend(["yes", "NO", "on", "1", ""].map(String::from)),
        Kind::Int => {
            let (lo, hi) = (d.min.unwrap_or(0), d.max.unwrap_or(0));
            v.extend([num(lo), num(hi), "5s".into(), "1.5".into(), "+1".into()]);
            if lo > i128::from(i64::MIN) {
                v.push(num(lo - 1));
            }
            if hi < i128::from(i64::MAX) {
                v.push(num(hi + 1));
            }
        }
        Kind::Memory | Kind::MemoryPercent => {
            v.extend(
                ["1gb", "1GB", "1g", "64mb", "1Gi", "1.5gb", "1e9", "-1", "0"].map(String::from),
            );
            if let Some(hi) = d.max.filter(|h| *h < i128::from(u64::MAX)) {
                v.push(num(hi + 1));
            }
            if d.kind == Kind::MemoryPercent {
                v.extend(["10%", "101%"].map(String::from));
            }
        }
        Kind::Octal => v.extend(["700", "493", "1777"].map(String::from)),
        Kind::Enum | Kind::Flags => {
            if let Some(first) = d.values.first() {
                v.push(first.clone());
                v.push(first.to_ascii_uppercase());
            }
            v.push("bogus".into());
            if d.kind == Kind::Flags && d.values.len() > 1 {
                v.push(format!("{} {}", d.values[0], d.values[1]));
            }
        }
        Kind::String => v.extend(["abc", ""].map(String::from)),
        Kind::Special => match d.name.as_str() {
            "save" => v.extend(["900 1", "900", "\"\"", "0 1", "900 1 300 10"].map(String::from)),
            "client-output-buffer-limit" => v.extend(
                [
                    "normal 0 0 0",
                    "replica 256mb 64mb 60",
                    "master 0 0 0",
                    "replica 1Gi 0 0",
                    "pubsub 32mb 8mb",
                ]
                .map(String::from),
            ),
            "notify-keyspace-events" => v.extend(["Ex", ""].map(String::from)),
            "latency-tracking-info-percentiles" => v.extend(["50 99 99.9"].map(String::from)),
            _ => {}
        },
        Kind::FileOnly => {}
        Kind::Deprecated => v.extend(["128", "1 2"].map(String::from)),
    }
    if d.name == "proc-title-template" {
        v.extend(["{title} {listen-addr}", "{title}", "{nope}", "x {title"].map(String::from));
    }
    // A single-value directive given two words.
    if !d.multi && !matches!(d.kind, Kind::FileOnly | Kind::Deprecated | Kind::Special) {
        v.push("a b".into());
    }
    v.sort();
    v.dedup();
    v
}

/// Every case: each directive of any catalogue, with values shaped by each catalogue that
/// has it (so a name unknown to one server is tried there too), plus typos.
fn cases() -> Vec<Case> {
    let skipped: BTreeSet<&str> = SKIPPED.iter().map(|(n, _)| *n).collect();
    // TLS settings take effect only with certificates, which the test servers do not have.
    let skipped_name = |n: &str| skipped.contains(n) || n.starts_with("tls-");
    let mut out = BTreeSet::new();
    for c in catalogues() {
        for d in &c.directives {
            if skipped_name(&d.name) || d.hidden {
                continue;
            }
            for name in std::iter::once(&d.name).chain(&d.aliases) {
                if skipped_name(name) {
                    continue;
                }
                for value in values_for(d) {
                    if SKIPPED_VALUES
                        .iter()
                        .any(|(n, v, _)| n == name && *v == value)
                    {
                        continue;
                    }
                    out.insert(Case {
                        key: name.clone(),
                        value,
                    });
                }
            }
        }
    }
    for typo in ["maxmemory-polcy", "appendonyl", "min-replica-to-write"] {
        out.insert(Case {
            key: typo.into(),
            value: "1".into(),
        });
    }
    out.into_iter().collect()
}

/// The values file of a case.
fn values_yaml(case: &Case) -> String {
    format!(
        "redis:\n  config:\n    {}: {}\n",
        serde_json::to_string(&case.key).expect("key"),
        serde_json::to_string(&case.value).expect("value")
    )
}

/// Does the server keep running on the chart's redis.conf with this entry?
fn server_accepts(s: &Installed, case: &Case) -> Result<bool, String> {
    let dir = temp_dir();
    let port = free_port();
    // The chart's first lines (dir, port), then the user's entry, rendered as the chart does.
    let mut conf = format!(
        "dir \"{}\"\nport {port}\nbind 127.0.0.1\n",
        dir.path().display()
    );
    let value = serde_json::Value::String(case.value.clone());
    for line in model::conf::lines(&value) {
        conf.push_str(&format!("{} {line}\n", case.key));
    }
    keeps_running(&s.binary, dir.path(), "redis.conf", &conf, port, s.label)
}

/// Start `binary` on `conf` (written as `file` in `dir`) and tell whether it keeps running:
/// true once it answers PING on `port` (any reply: PONG, or NOAUTH with requirepass), false
/// when it exits; the process is stopped by its PID either way, within a bound.
fn keeps_running(
    binary: &std::path::Path,
    dir: &std::path::Path,
    file: &str,
    conf: &str,
    port: u16,
    label: &str,
) -> Result<bool, String> {
    let path = write_file(dir, file, conf);
    let mut child = Command::new(binary)
        .arg(&path)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    let verdict = loop {
        if let Ok(Some(_)) = child.try_wait() {
            break Ok(false);
        }
        if resp_command(port, &["PING"]).is_ok() {
            break Ok(true);
        }
        if Instant::now() > deadline {
            break Err(format!("{label}: neither ready nor stopped: {conf}"));
        }
        // Poll interval of the bounded readiness check.
        std::thread::sleep(Duration::from_millis(10));
    };
    let _ = child.kill();
    let _ = child.wait();
    verdict
}

/// Does chartlint report an error for the case, judging for this server version?
fn chartlint_refuses(chart: &Chart, s: &Installed, case: &Case) -> (bool, Vec<String>) {
    let limits = Limits::default();
    let doc = yaml::load_str(
        SourceFile::new("case.yaml", values_yaml(case), SourceKind::ValuesFile),
        &limits,
    )
    .expect("case parses");
    let report = engine::lint_documents_for(
        chart,
        &[doc],
        &[],
        &[],
        &Config::default(),
        Some(s.server_version),
    )
    .expect("lint runs");
    let errors: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && REFUSAL_RULES.contains(&d.rule.as_str()))
        .map(|d| format!("{} {}", d.rule, d.message))
        .collect();
    (!errors.is_empty(), errors)
}

fn run(full: bool) {
    let chart = Chart::load(
        &repo_root().join("generated-charts/redis-ha"),
        &Limits::default(),
    )
    .expect("chart loads");
    let all = cases();
    let picked: Vec<Case> = if full {
        all
    } else {
        all.into_iter().step_by(SAMPLE_STEP).collect()
    };
    let mut report = Vec::new();
    let mut disagreements = Vec::new();
    for s in installed() {
        let results = par_map(&picked, 2, |case| {
            let server = server_accepts(&s, case);
            let (lint, errors) = chartlint_refuses(&chart, &s, case);
            (case.clone(), server, lint, errors)
        });
        let mut agreed = 0;
        for (case, server, lint, errors) in &results {
            match server {
                Ok(accepts) if *accepts != *lint => agreed += 1,
                Ok(accepts) => disagreements.push(format!(
                    "{}: `{} {}`: server {}, chartlint {} {errors:?}",
                    s.label,
                    case.key,
                    case.value,
                    if *accepts { "accepts" } else { "refuses" },
                    if *lint { "errors" } else { "passes" }
                )),
                Err(e) => disagreements.push(e.clone()),
            }
        }
        report.push(format!(
            "{} ({}): {agreed} of {} values agree",
            s.label,
            s.catalogue().label(),
            results.len()
        ));
    }
    println!("differential agreement:\n  {}", report.join("\n  "));
    assert!(
        disagreements.is_empty(),
        "chartlint and the servers disagree on {} values:\n{}\n\n{}",
        disagreements.len(),
        disagreements.join("\n"),
        report.join("\n")
    );
}

#[test]
fn chartlint_agrees_with_the_servers() {
    run(std::env::var_os("DIFFERENTIAL_FULL").is_some());
}

/// sentinel.config keys tried: the options the chart renders (scripts aside: their paths are
/// the pod's), options the chart renders with a group although they take none, and typos.
const SENTINEL_KEYS: &[&str] = &[
    "down-after-milliseconds",
    "failover-timeout",
    "parallel-syncs",
    "master-reboot-down-after-period",
    "auth-pass",
    "auth-user",
    "rename-command",
    "resolve-hostnames",
    "announce-hostnames",
    "deny-scripts-reconfig",
    "sentinel-user",
    "sentinel-pass",
    "maxclients",
    "announce-ip",
    "quorum",
    "down-after-milisecond",
];

const SENTINEL_VALUES: &[&str] = &[
    "10000", "0", "-1", "5s", "abc", "a b", "yes", "NO", "maybe", "",
];

/// The rules that say Sentinel refuses a sentinel.conf line.
const SENTINEL_REFUSAL_RULES: &[&str] = &["RHA111", "RHA116", "RHA164"];

/// The chart's sentinel.conf line for a key (templates/_config.tpl `redis-ha.sentinelConf`).
fn sentinel_line(key: &str, value: &str) -> String {
    let value = model::conf::value_text(&serde_json::Value::String(value.to_string()));
    const GLOBAL: &[&str] = &[
        "resolve-hostnames",
        "announce-hostnames",
        "deny-scripts-reconfig",
        "sentinel-user",
        "sentinel-pass",
    ];
    if key == "maxclients" {
        format!("maxclients {value}")
    } else if GLOBAL.contains(&key) {
        format!("sentinel {key} {value}")
    } else {
        format!("sentinel {key} mymaster {value}")
    }
}

fn sentinel_accepts(s: &Installed, line: &str) -> Result<bool, String> {
    let dir = temp_dir();
    let port = free_port();
    // init.sh puts the monitor line first; the chart's options follow.
    let conf = format!(
        "port {port}\nbind 127.0.0.1\ndir \"{}\"\nsentinel monitor mymaster 127.0.0.1 {} 2\n{line}\n",
        dir.path().display(),
        free_port()
    );
    keeps_running(
        &s.sentinel,
        dir.path(),
        "sentinel.conf",
        &conf,
        port,
        &format!("{} sentinel", s.label),
    )
}

#[test]
fn chartlint_agrees_with_sentinel() {
    let chart = Chart::load(
        &repo_root().join("generated-charts/redis-ha"),
        &Limits::default(),
    )
    .expect("chart loads");
    let cases: Vec<(&str, &str)> = SENTINEL_KEYS
        .iter()
        .flat_map(|k| SENTINEL_VALUES.iter().map(move |v| (*k, *v)))
        .collect();
    let mut report = Vec::new();
    let mut disagreements = Vec::new();
    for s in installed() {
        let results = par_map(&cases, 2, |(key, value)| {
            let server = sentinel_accepts(&s, &sentinel_line(key, value));
            let yaml = format!(
                "sentinel:\n  config:\n    {}: {}\n",
                serde_json::to_string(key).expect("key"),
                serde_json::to_string(value).expect("value")
            );
            let limits = Limits::default();
            let doc = yaml::load_str(
                SourceFile::new("case.yaml", yaml, SourceKind::ValuesFile),
                &limits,
            )
            .expect("case parses");
            let errors: Vec<String> = engine::lint_documents_for(
                &chart,
                &[doc],
                &[],
                &[],
                &Config::default(),
                Some(s.server_version),
            )
            .expect("lint runs")
            .diagnostics
            .into_iter()
            .filter(|d| {
                d.severity == Severity::Error && SENTINEL_REFUSAL_RULES.contains(&d.rule.as_str())
            })
            .map(|d| format!("{} {}", d.rule, d.message))
            .collect();
            (*key, *value, server, errors)
        });
        let mut agreed = 0;
        for (key, value, server, errors) in &results {
            match server {
                Ok(accepts) if *accepts == errors.is_empty() => agreed += 1,
                Ok(accepts) => disagreements.push(format!(
                    "{} sentinel: `{}`: server {}, chartlint {errors:?}",
                    s.label,
                    sentinel_line(key, value),
                    if *accepts { "accepts" } else { "refuses" },
                )),
                Err(e) => disagreements.push(e.clone()),
            }
        }
        report.push(format!(
            "{} Sentinel: {agreed} of {} values agree",
            s.label,
            results.len()
        ));
    }
    println!(
        "sentinel differential agreement:\n  {}",
        report.join("\n  ")
    );
    assert!(
        disagreements.is_empty(),
        "chartlint and Sentinel disagree on {} values:\n{}\n\n{}",
        disagreements.len(),
        disagreements.join("\n"),
        report.join("\n")
    );
}
