//! Evidence for every Redis rule whose doc says "Redis (or Sentinel) refuses to start": the
//! offending values are rendered with the chart (`helm4 template`), redis.conf or
//! sentinel.conf is taken from the rendered ConfigMap, and Debian's redis-server or
//! redis-sentinel is started on it in a temporary directory on 127.0.0.1 with a free port. The
//! test asserts that the server exits with the message quoted in the rule's doc, that chartlint
//! reports the rule for the same values, and (controls) that the unmodified config starts.
//!
//! Two edits are made to the rendered file, both what the pod does too: the `dir "/data"` line
//! points at the temporary directory (Redis chdirs while reading the file, before any
//! command-line override), and for Sentinel a `sentinel monitor` line is prepended exactly as
//! init.sh does (with `resolve-hostnames` / `announce-hostnames` lines from vars.sh first).

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chartlint::config::Config;
use chartlint::engine::{self, Chart};
use chartlint::source::{SourceFile, SourceKind};
use chartlint::yaml::{self, Limits};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chart_dir() -> PathBuf {
    root().join("generated-charts/redis-ha")
}

/// A required tool; missing tools fail the test (they are installed by scripts/test.sh).
fn tool(name: &str) -> PathBuf {
    let local = root().join(".tools/bin").join(name);
    if local.is_file() {
        return local;
    }
    for dir in ["/usr/bin", "/usr/sbin", "/usr/local/bin"] {
        let p = Path::new(dir).join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!("{name} is not installed: run scripts/test.sh (it installs the test tools)");
}

struct Rendered {
    redis_conf: String,
    sentinel_conf: String,
    vars: Vec<(String, String)>,
}

/// `helm4 template` the ConfigMap with `values`.
fn render(values: &str, tmp: &Path) -> Rendered {
    let file = tmp.join("values.yaml");
    fs::write(&file, values).expect("write values");
    let out = Command::new(tool("helm4"))
        .args(["template", "t"])
        .arg(chart_dir())
        .arg("-f")
        .arg(&file)
        .args(["-s", "templates/redis-ha-configmap.yaml"])
        .output()
        .expect("helm4 runs");
    assert!(
        out.status.success(),
        "helm4 template failed for {values:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = String::from_utf8_lossy(&out.stdout).to_string();
    let vars = block(&manifest, "vars.sh")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_string(),
                v.trim().trim_matches('\'').to_string(),
            )
        })
        .collect();
    Rendered {
        redis_conf: block(&manifest, "redis.conf"),
        sentinel_conf: block(&manifest, "sentinel.conf"),
        vars,
    }
}

/// The literal block `  <key>: |` of a ConfigMap's data, unindented.
fn block(manifest: &str, key: &str) -> String {
    let header = format!("  {key}: |");
    let mut lines = manifest.lines().skip_while(|l| l.trim_end() != header);
    assert!(
        lines.next().is_some(),
        "{key} not in the rendered ConfigMap"
    );
    let mut out = String::new();
    for l in lines {
        if !l.is_empty() && !l.starts_with("    ") {
            break;
        }
        out.push_str(l.get(4..).unwrap_or(""));
        out.push('\n');
    }
    out
}

fn var<'a>(r: &'a Rendered, name: &str) -> &'a str {
    r.vars
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{name} not in vars.sh"))
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

enum Outcome {
    /// Ready; with the reply of the query, when one was given.
    Started(String),
    Refused(String),
}

/// Start `bin` on `conf` in `tmp`; once its log says it is ready, run `query` with redis-cli
/// (if any) and stop the server by PID.
fn start(bin: &str, conf: &str, ready: &str, tmp: &Path, query: &[&str]) -> Outcome {
    let conf = conf.replace("dir \"/data\"", &format!("dir \"{}\"", tmp.display()));
    let conf_path = tmp.join(format!("{bin}.conf"));
    fs::write(&conf_path, conf).expect("write conf");
    let log_path = tmp.join(format!("{bin}.log"));
    let log = fs::File::create(&log_path).expect("log file");
    let port = free_port().to_string();
    let mut child = Command::new(tool(bin))
        .arg(&conf_path)
        .args(["--port", &port, "--bind", "127.0.0.1", "--dir"])
        .arg(tmp)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("dup log"))
        .stderr(log)
        .spawn()
        .expect("server starts");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let text = fs::read_to_string(&log_path).unwrap_or_default();
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(!status.success(), "{bin} exited 0: {text}");
            return Outcome::Refused(text);
        }
        if text.contains(ready) {
            let reply = if query.is_empty() {
                String::new()
            } else {
                let out = Command::new(tool("redis-cli"))
                    .args(["-h", "127.0.0.1", "-p", &port])
                    .args(query)
                    .output()
                    .expect("redis-cli runs");
                String::from_utf8_lossy(&out.stdout).into_owned()
            };
            child.kill().expect("stop by pid");
            child.wait().expect("reap");
            return Outcome::Started(reply);
        }
        if Instant::now() > deadline {
            child.kill().expect("stop by pid");
            child.wait().expect("reap");
            panic!("{bin} neither became ready nor exited within 15 s: {text}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// sentinel.conf with the lines init.sh prepends (myid aside).
fn sentinel_with_monitor(r: &Rendered) -> String {
    let hostnames = |v: &str| var(r, v) == "true";
    let mut head = String::new();
    if hostnames("RESOLVE_HOSTNAMES") {
        head.push_str("sentinel resolve-hostnames yes\n");
    }
    if hostnames("ANNOUNCE_HOSTNAMES") {
        head.push_str("sentinel announce-hostnames yes\n");
    }
    // init.sh writes the announce Service's DNS name in hostname mode and its IP otherwise;
    // `localhost` stands in for a resolvable name here.
    let master = if hostnames("ANNOUNCE_HOSTNAMES") || hostnames("RESOLVE_HOSTNAMES") {
        "localhost"
    } else {
        "127.0.0.1"
    };
    head.push_str(&format!(
        "sentinel monitor {} {master} {} {}\n",
        var(r, "MASTER_GROUP"),
        free_port(),
        var(r, "QUORUM")
    ));
    format!("{head}{}", r.sentinel_conf)
}

#[derive(Clone, Copy)]
enum Server {
    Redis,
    Sentinel,
}

fn run(server: Server, values: &str) -> Outcome {
    query(server, values, &[])
}

fn query(server: Server, values: &str, query: &[&str]) -> Outcome {
    let tmp = tempfile::tempdir().expect("tempdir");
    let r = render(values, tmp.path());
    match server {
        Server::Redis => start(
            "redis-server",
            &r.redis_conf,
            "Ready to accept connections",
            tmp.path(),
            query,
        ),
        Server::Sentinel => start(
            "redis-sentinel",
            &sentinel_with_monitor(&r),
            "+monitor master",
            tmp.path(),
            query,
        ),
    }
}

fn chartlint_rules(values: &str) -> Vec<String> {
    let limits = Limits::default();
    let chart = Chart::load(&chart_dir(), &limits).expect("chart");
    let doc = yaml::load_str(
        SourceFile::new("case.yaml", values, SourceKind::ValuesFile),
        &limits,
    )
    .expect("values parse");
    engine::lint_documents(&chart, &[doc], &[], &[], &Config::default())
        .expect("lint")
        .diagnostics
        .into_iter()
        .map(|d| d.rule)
        .collect()
}

/// (rule, server, values, the message the server prints when it refuses to start).
const CASES: &[(&str, Server, &str, &str)] = &[
    (
        "RHA102",
        Server::Sentinel,
        "sentinel:\n  quorum: 0\n",
        "Quorum must be 1 or greater.",
    ),
    (
        "RHA111",
        Server::Sentinel,
        "sentinel:\n  config:\n    down-after-milliseconds: 0\n",
        "negative or zero time parameter.",
    ),
    (
        "RHA115",
        Server::Sentinel,
        "sentinel:\n  announceHostnames: true\n",
        "Can't resolve instance hostname.",
    ),
    (
        "RHA116",
        Server::Sentinel,
        "sentinel:\n  config:\n    down-after-milisecond: 10000\n",
        "Unrecognized sentinel configuration statement.",
    ),
    (
        "RHA122",
        Server::Redis,
        "redis:\n  config:\n    maxmemory: 1Gi\n",
        "argument must be a memory value",
    ),
    (
        "RHA127",
        Server::Redis,
        "redis:\n  config:\n    client-output-buffer-limit: replica 512Mi 64mb 60\n",
        "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
    ),
    (
        "RHA127",
        Server::Redis,
        "redis:\n  config:\n    client-output-buffer-limit: master 256mb 64mb 60\n",
        "Invalid client class specified in buffer limit configuration.",
    ),
    (
        "RHA130",
        Server::Redis,
        "redis:\n  config:\n    maxmemory-polcy: allkeys-lru\n",
        "Bad directive or wrong number of arguments",
    ),
    (
        "RHA131",
        Server::Redis,
        "redis:\n  config:\n    maxmemory-policy: allkeys-lru-typo\n",
        "argument(s) must be one of the following",
    ),
    (
        "RHA132",
        Server::Redis,
        "redis:\n  config:\n    appendonly: \"on\"\n",
        "argument must be 'yes' or 'no'",
    ),
    (
        "RHA133",
        Server::Redis,
        "redis:\n  config:\n    min-replicas-max-lag: 5s\n",
        "argument couldn't be parsed into an integer",
    ),
    (
        "RHA133",
        Server::Redis,
        "redis:\n  config:\n    min-replicas-to-write: -1\n",
        "argument must be between 0 and 2147483647 inclusive",
    ),
    (
        "RHA164",
        Server::Sentinel,
        "sentinel:\n  config:\n    failover-timeout: 0\n",
        "negative or zero time parameter.",
    ),
    (
        "RHA164",
        Server::Sentinel,
        "sentinel:\n  config:\n    deny-scripts-reconfig: maybe\n",
        "Please specify yes or no for the deny-scripts-reconfig options.",
    ),
    (
        "RHA155",
        Server::Redis,
        "redis:\n  config:\n    maxmemory: 1 gb\n",
        "wrong number of arguments",
    ),
    (
        "RHA155",
        Server::Redis,
        "redis:\n  config:\n    save: \"900\"\n",
        "Invalid save parameters",
    ),
];

#[test]
fn refusals_are_real_and_quoted_in_the_docs() {
    let mut failures = Vec::new();
    for (rule, server, values, message) in CASES {
        match run(*server, values) {
            Outcome::Started(_) => {
                failures.push(format!("{rule}: the server started with {values:?}"))
            }
            Outcome::Refused(log) if !log.contains(message) => {
                failures.push(format!("{rule}: refused without `{message}`:\n{log}"))
            }
            Outcome::Refused(_) => {}
        }
        if !chartlint_rules(values).iter().any(|r| r == rule) {
            failures.push(format!("{rule}: chartlint does not report {values:?}"));
        }
        let meta = chartlint::rules::find(rule).expect("rule exists");
        let quoted = message.trim_end_matches('.');
        if !meta.doc.contains(quoted) {
            failures.push(format!("{rule}: the doc does not quote `{message}`"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn controls_start() {
    // The same chart defaults start, so the refusals above come from the offending values.
    for (server, values) in [
        (Server::Redis, "{}\n"),
        (Server::Redis, "redis:\n  config:\n    maxmemory: 1gb\n    appendonly: \"yes\"\n    client-output-buffer-limit: replica 512mb 64mb 60\n"),
        (Server::Sentinel, "{}\n"),
        (Server::Sentinel, "sentinel:\n  announceHostnames: true\n  resolveHostnames: true\n"),
    ] {
        assert!(
            matches!(run(server, values), Outcome::Started(_)),
            "did not start with {values:?}"
        );
    }
}

#[test]
fn every_refusing_rule_has_evidence() {
    for rule in chartlint::rules::registry() {
        let m = rule.meta();
        if m.id >= "RHA100" && m.doc.contains("refuses to start") {
            assert!(
                CASES.iter().any(|(id, ..)| *id == m.id),
                "{} says the server refuses to start but has no evidence case",
                m.id
            );
        }
    }
}

#[test]
fn sentinel_reads_units_and_exponents_as_milliseconds_silently() {
    // RHA114: Sentinel starts, and its atoi reads `5s` as 5 ms and `1.8e+06` as 1 ms.
    for (values, field, expected) in [
        (
            "sentinel:\n  config:\n    down-after-milliseconds: 5s\n",
            "down-after-milliseconds",
            "5",
        ),
        (
            "sentinel:\n  config:\n    failover-timeout: \"1.8e+06\"\n",
            "failover-timeout",
            "1",
        ),
    ] {
        let Outcome::Started(reply) = query(
            Server::Sentinel,
            values,
            &["SENTINEL", "MASTER", "mymaster"],
        ) else {
            panic!("sentinel did not start with {values:?}");
        };
        let lines: Vec<&str> = reply.lines().map(str::trim).collect();
        let at = lines
            .iter()
            .position(|l| *l == field)
            .unwrap_or_else(|| panic!("{field} not in {reply}"));
        assert_eq!(lines.get(at + 1).copied(), Some(expected), "{reply}");
        assert!(
            chartlint_rules(values).iter().any(|r| r == "RHA114"),
            "{values:?}"
        );
    }
}

#[test]
fn chart_refuses_to_render() {
    // RHA110 and RHA150 say this chart refuses to render: helm4 template fails with the
    // chart's own message, and chartlint reports the rule before anyone runs helm.
    for (rule, values, message) in [
        (
            "RHA110",
            "redis:\n  masterGroupName: \"my master\"\n",
            "is not valid",
        ),
        (
            "RHA150",
            "haproxy:\n  enabled: true\n  tls:\n    enabled: true\n",
            "haproxy.tls.enabled needs haproxy.tls.secretName",
        ),
    ] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("values.yaml");
        fs::write(&file, values).expect("write values");
        let out = Command::new(tool("helm4"))
            .args(["template", "t"])
            .arg(chart_dir())
            .arg("-f")
            .arg(&file)
            .output()
            .expect("helm4 runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{rule}: helm rendered {values:?}");
        assert!(stderr.contains(message), "{rule}: {stderr}");
        assert!(
            chartlint_rules(values).iter().any(|r| r == rule),
            "{rule} not reported"
        );
    }
}
