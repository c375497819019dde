//! One test per upstream defect the chart fixes (the README's "Fixed upstream defects" table).
//! Each renders the offending values with Helm 4 and asserts the fixed output; where a real
//! program decides (redis-server, redis-sentinel, haproxy, dash), the rendered file is run.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use testkit::{
    base_chart, free_port, render_values, resp_command, run, temp_dir, tool, write_file, Rendered,
    Resp, ServerProcess, Tool, TOOL_TIMEOUT,
};

const F: &str = "rel-redis-ha";
const START_TIMEOUT: Duration = Duration::from_secs(20);

fn render(values: &str) -> Arc<Rendered> {
    render_with(values, &[])
}

fn render_with(values: &str, extra: &[&str]) -> Arc<Rendered> {
    render_values(&base_chart(), values, extra)
        .unwrap_or_else(|e| panic!("helm4 template failed for values:\n{values}\n{e}"))
}

fn redis_conf(r: &Rendered) -> &str {
    r.configmap_key(&format!("{F}-configmap"), "redis.conf")
}

fn sentinel_conf(r: &Rendered) -> &str {
    r.configmap_key(&format!("{F}-configmap"), "sentinel.conf")
}

fn haproxy_cfg(r: &Rendered) -> &str {
    r.configmap_key(&format!("{F}-configmap"), "haproxy.cfg")
}

fn has_line(text: &str, line: &str) -> bool {
    text.lines().any(|l| l.trim() == line)
}

/// Lines of one haproxy.cfg section (from its header to the next unindented line).
fn section<'a>(cfg: &'a str, header: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut inside = false;
    for l in cfg.lines() {
        if !l.starts_with(' ') && !l.trim().is_empty() && !l.starts_with('#') {
            inside = l.trim() == header;
            continue;
        }
        if inside && !l.trim().is_empty() {
            out.push(l.trim());
        }
    }
    assert!(
        !out.is_empty(),
        "no section `{header}` in haproxy.cfg:\n{cfg}"
    );
    out
}

fn statefulset(r: &Rendered) -> &Value {
    &r.get("StatefulSet", &format!("{F}-server")).value
}

/// A container (or init container) of a workload by name.
fn container<'a>(workload: &'a Value, list: &str, name: &str) -> &'a Value {
    let items = workload
        .pointer(&format!("/spec/template/spec/{list}"))
        .and_then(Value::as_array);
    match items.and_then(|c| c.iter().find(|c| c["name"] == name)) {
        Some(c) => c,
        None => panic!("no {list} entry named {name}:\n{workload:#}"),
    }
}

fn env<'a>(container: &'a Value, name: &str) -> Option<&'a Value> {
    container["env"]
        .as_array()
        .and_then(|e| e.iter().find(|v| v["name"] == name))
}

/// The rendered redis.conf / sentinel.conf start with `dir "/data"` (the pod's volume). This
/// machine has no /data, and Redis applies `dir` while reading the file (a command-line `--dir`
/// comes too late), so the copy run here differs from the rendered text in that line only.
fn local_copy(conf: &str, dir: &Path) -> String {
    let pod_dir = "dir \"/data\"";
    assert_eq!(
        conf.lines().filter(|l| l.trim() == pod_dir).count(),
        1,
        "expected exactly one `{pod_dir}` line:\n{conf}"
    );
    conf.lines()
        .map(|l| {
            if l.trim() == pod_dir {
                format!("dir \"{}\"", dir.display())
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn start_redis(conf_path: &Path, dir: &Path) -> ServerProcess {
    let port = free_port();
    let mut cmd = Command::new(tool(Tool::RedisServer));
    cmd.arg(conf_path)
        .arg("--port")
        .arg(port.to_string())
        .arg("--dir")
        .arg(dir);
    let server = ServerProcess::start(cmd, port, "Ready to accept connections", START_TIMEOUT);
    let pong = resp_command(port, &["PING"]).unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    assert_eq!(pong, Resp::Simple("PONG".into()), "{}", server.log());
    server
}

fn config_get(port: u16, key: &str) -> String {
    let reply = resp_command(port, &["CONFIG", "GET", key]).unwrap_or_else(|e| panic!("{e}"));
    match reply.pairs().into_iter().find(|(k, _)| k == key) {
        Some((_, v)) => v,
        None => panic!("CONFIG GET {key}: {reply:?}"),
    }
}

/// redis-server must refuse `conf` at start-up: exit status 1 with `message` in its output.
fn assert_redis_refuses(conf: &str, dir: &Path, message: &str) {
    let path = write_file(dir, "refused.conf", conf);
    let mut cmd = Command::new(tool(Tool::RedisServer));
    cmd.arg(&path).arg("--port").arg(free_port().to_string());
    let out = run(&mut cmd, TOOL_TIMEOUT);
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(
        out.code == Some(1) && text.contains(message),
        "redis-server should refuse with {message:?}:\n{}",
        out.describe()
    );
}

// ---------------------------------------------------------------------------------------------

/// Defect 1: YAML 1.1 booleans and large integers in redis.config / sentinel.config. Helm reads
/// `yes` as true and 2147483648 as a float64; upstream printed `appendonly true` and
/// `maxmemory 2.147483648e+09`, which Redis refuses. The chart prints yes/no and plain digits.
#[test]
fn defect_01_conf_values_render_yes_no_and_plain_integers() {
    let r = render(
        r#"
redis:
  config:
    appendonly: yes
    maxmemory: 2147483648
    repl-diskless-sync: yes
    rdbcompression: no
    activedefrag: off
    save:
      - 900 1
      - 300 10
sentinel:
  config:
    down-after-milliseconds: 1000000
"#,
    );
    let conf = redis_conf(&r);
    for line in [
        "appendonly yes",
        "maxmemory 2147483648",
        "repl-diskless-sync yes",
        "rdbcompression no",
        "activedefrag no",
        "save 900 1",
        "save 300 10",
    ] {
        assert!(has_line(conf, line), "redis.conf lacks `{line}`:\n{conf}");
    }
    for l in conf.lines() {
        let value = l.split_whitespace().nth(1).unwrap_or("");
        assert!(
            value != "true" && value != "false" && !l.contains("e+"),
            "redis.conf line `{l}` is not Redis syntax:\n{conf}"
        );
    }
    let sconf = sentinel_conf(&r);
    assert!(
        has_line(sconf, "sentinel down-after-milliseconds mymaster 1000000"),
        "sentinel.conf:\n{sconf}"
    );

    // The real redis-server starts on the rendered file and reads the values as meant.
    let tmp = temp_dir();
    let conf_path = write_file(tmp.path(), "redis.conf", &local_copy(conf, tmp.path()));
    let server = start_redis(&conf_path, tmp.path());
    assert_eq!(config_get(server.port, "appendonly"), "yes");
    assert_eq!(config_get(server.port, "maxmemory"), "2147483648");
    assert_eq!(config_get(server.port, "rdbcompression"), "no");
    assert_eq!(config_get(server.port, "save"), "900 1 300 10");
    drop(server);

    // What upstream rendered for the same values is refused by the same redis-server.
    let copy = local_copy(conf, tmp.path());
    assert_redis_refuses(
        &copy.replace("appendonly yes\n", "appendonly true\n"),
        tmp.path(),
        "argument must be 'yes' or 'no'",
    );
    assert_redis_refuses(
        &copy.replace("maxmemory 2147483648\n", "maxmemory 2.147483648e+09\n"),
        tmp.path(),
        "argument must be a memory value",
    );

    // The real redis-sentinel accepts the rendered sentinel.conf. init.sh prepends the
    // `sentinel monitor` line at pod start (per-master directives need the master declared
    // first); this COPY gets one prepended by the test, pointing at a local port.
    let monitor = format!("sentinel monitor mymaster 127.0.0.1 {} 2\n", free_port());
    let sentinel_path = write_file(
        tmp.path(),
        "sentinel.conf",
        &(monitor + &local_copy(sconf, tmp.path())),
    );
    let port = free_port();
    let mut cmd = Command::new(tool(Tool::RedisSentinel));
    cmd.arg(&sentinel_path).arg("--port").arg(port.to_string());
    let sentinel = ServerProcess::start(cmd, port, "+monitor master mymaster", START_TIMEOUT);
    let master = resp_command(port, &["SENTINEL", "MASTER", "mymaster"])
        .unwrap_or_else(|e| panic!("{e}\n{}", sentinel.log()));
    let dam = master
        .pairs()
        .into_iter()
        .find(|(k, _)| k == "down-after-milliseconds");
    assert_eq!(
        dam,
        Some(("down-after-milliseconds".into(), "1000000".into())),
        "{master:?}"
    );
}

/// Defect 2: TLS directives were gated on sentinel.tlsPort. Now redis.conf follows
/// redis.tlsPort and sentinel.conf's `tls-port` follows sentinel.tlsPort.
#[test]
fn defect_02_tls_directives_follow_their_own_ports() {
    // redis.tlsPort alone: redis serves TLS (upstream: port advertised, nothing served).
    let r = render("redis:\n  tlsPort: 6385\n");
    let conf = redis_conf(&r);
    assert!(has_line(conf, "tls-port 6385"), "redis.conf:\n{conf}");
    for d in ["tls-cert-file", "tls-key-file", "tls-ca-cert-file"] {
        assert!(
            conf.lines()
                .any(|l| l.starts_with(d) && l.contains("/tls-certs/")),
            "redis.conf lacks {d} under /tls-certs:\n{conf}"
        );
    }
    let sconf = sentinel_conf(&r);
    assert!(
        !sconf.lines().any(|l| l.starts_with("tls-port")),
        "sentinel.conf has tls-port without sentinel.tlsPort:\n{sconf}"
    );

    // sentinel.tlsPort alone: no TLS line in redis.conf (upstream: an empty `tls-port `).
    let r = render("sentinel:\n  tlsPort: 26385\n");
    let conf = redis_conf(&r);
    assert!(
        !conf.lines().any(|l| l.starts_with("tls-")),
        "redis.conf has TLS directives without redis.tlsPort:\n{conf}"
    );
    let sconf = sentinel_conf(&r);
    assert!(has_line(sconf, "tls-port 26385"), "sentinel.conf:\n{sconf}");
    // ... and redis-server starts on it.
    let tmp = temp_dir();
    let path = write_file(tmp.path(), "redis.conf", &local_copy(conf, tmp.path()));
    drop(start_redis(&path, tmp.path()));
}

/// `haproxy -c` on a rendered haproxy.cfg after the substitution haproxy_init.sh does at pod
/// start (REPLACE_ANNOUNCE<i> → the address of announce Service i; loopback addresses here).
fn assert_haproxy_accepts(cfg: &str, replicas: usize) {
    let mut text = cfg.to_string();
    // Longest index first so REPLACE_ANNOUNCE1 does not eat the prefix of REPLACE_ANNOUNCE10.
    for i in (0..replicas).rev() {
        text = text.replace(
            &format!("REPLACE_ANNOUNCE{i}"),
            &format!("127.0.0.{}", i + 1),
        );
    }
    assert!(
        !text
            .lines()
            .any(|l| !l.trim_start().starts_with('#') && l.contains("REPLACE_ANNOUNCE")),
        "unreplaced token:\n{text}"
    );
    let tmp = temp_dir();
    let path = write_file(tmp.path(), "haproxy.cfg", &text);
    let mut cmd = Command::new(tool(Tool::Haproxy));
    cmd.arg("-c").arg("-f").arg(&path);
    let out = run(&mut cmd, TOOL_TIMEOUT);
    assert!(
        out.success(),
        "haproxy -c refused the config:\n{}\n{text}",
        out.describe()
    );
}

/// Defect 3: HAProxy sentinel checks dialled a hard-coded :26379, the "sentinels agree"
/// threshold was a hard-coded 2, and TLS-only redis/sentinels could not be checked.
#[test]
fn defect_03_haproxy_checks_use_configured_ports_quorum_and_tls() {
    let r = render("haproxy:\n  enabled: true\nsentinel:\n  port: 26380\n");
    let cfg = haproxy_cfg(&r);
    assert!(
        !cfg.contains(":26379"),
        "haproxy.cfg still dials 26379:\n{cfg}"
    );
    for i in 0..3 {
        let servers: Vec<&str> = section(cfg, &format!("backend check_if_redis_is_master_{i}"))
            .into_iter()
            .filter(|l| l.starts_with("server "))
            .collect();
        assert_eq!(servers.len(), 3, "one check per sentinel:\n{cfg}");
        for (j, s) in servers.iter().enumerate() {
            assert!(
                s.starts_with(&format!("server R{j} REPLACE_ANNOUNCE{j}:26380 ")),
                "sentinel check `{s}` does not dial sentinel.port"
            );
        }
    }
    assert_haproxy_accepts(cfg, 3);

    // Threshold follows sentinel.quorum.
    let r = render("haproxy:\n  enabled: true\nreplicas: 5\nsentinel:\n  quorum: 3\n");
    let cfg = haproxy_cfg(&r);
    let master = section(cfg, "backend bk_redis_master");
    for i in 0..5 {
        assert!(
            master
                .iter()
                .any(|l| l.starts_with(&format!("use-server R{i} "))
                    && l.contains(&format!("nbsrv(check_if_redis_is_master_{i}) ge 3"))),
            "no quorum-3 use-server rule for R{i}:\n{cfg}"
        );
    }
    assert!(
        !cfg.contains(") ge 2"),
        "hard-coded threshold 2 left:\n{cfg}"
    );
    assert_haproxy_accepts(cfg, 5);

    // TLS-only redis and sentinels: backends dial the TLS ports over TLS.
    let r = render(
        "haproxy:\n  enabled: true\nredis:\n  port: 0\n  tlsPort: 6385\nsentinel:\n  port: 0\n  tlsPort: 26385\n",
    );
    let cfg = haproxy_cfg(&r);
    let servers: Vec<&str> = section(cfg, "backend bk_redis_master")
        .into_iter()
        .filter(|l| l.starts_with("server "))
        .collect();
    assert_eq!(servers.len(), 3, "{cfg}");
    for s in &servers {
        assert!(
            s.contains(":6385 ") && s.contains(" ssl") && s.contains("check-ssl"),
            "master backend server `{s}` is not a TLS check on redis.tlsPort"
        );
    }
    for s in section(cfg, "backend check_if_redis_is_master_0")
        .into_iter()
        .filter(|l| l.starts_with("server "))
    {
        assert!(
            s.contains(":26385 ") && s.contains("check-ssl"),
            "sentinel check `{s}` is not a TLS check on sentinel.tlsPort"
        );
    }
}

/// Defect 4: exporter probes were pinned to 9121 and /metrics whatever exporter.port said.
#[test]
fn defect_04_exporter_probes_follow_port_and_scrape_path() {
    let r = render("exporter:\n  enabled: true\n  port: 9999\n  scrapePath: /custom-metrics\n");
    let sts = statefulset(&r);
    let exporter = container(sts, "containers", "redis-exporter");
    assert_eq!(exporter["ports"][0]["containerPort"], 9999, "{exporter:#}");
    for probe in ["livenessProbe", "readinessProbe"] {
        assert_eq!(
            exporter[probe]["httpGet"]["port"], 9999,
            "{probe}: {exporter:#}"
        );
        assert_eq!(
            exporter[probe]["httpGet"]["path"], "/custom-metrics",
            "{probe}: {exporter:#}"
        );
    }
    // A user's own httpGet is kept.
    let r = render(
        "exporter:\n  enabled: true\n  port: 9999\n  livenessProbe:\n    httpGet:\n      port: 8080\n      path: /healthz\n",
    );
    let exporter = container(statefulset(&r), "containers", "redis-exporter");
    assert_eq!(
        exporter["livenessProbe"]["httpGet"]["port"], 8080,
        "{exporter:#}"
    );
    assert_eq!(exporter["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(exporter["readinessProbe"]["httpGet"]["port"], 9999);
}

/// Runs the rendered init.sh (config-init) as a local process for pod `index` and returns the
/// redis.conf it writes. The cluster is simulated by a `getent` on PATH that resolves
/// `<fullname>-announce-<i>` to 127.0.0.<i+1> (the Service ClusterIPs); no sentinel answers
/// (the sentinel Service name does not resolve), so init.sh takes its no-master defaults path.
/// The retry pauses are skipped by a no-op `sleep` on PATH.
fn run_init(r: &Rendered, index: usize) -> String {
    let cm = format!("{F}-configmap");
    let tmp = temp_dir();
    let scripts = tmp.path().join("readonly-config");
    for key in [
        "vars.sh",
        "lib.sh",
        "init.sh",
        "redis.conf",
        "sentinel.conf",
    ] {
        write_file(&scripts, key, r.configmap_key(&cm, key));
    }
    let bin = getent_stub(tmp.path());
    let sleep = write_file(
        &bin,
        "sleep",
        "#!/bin/sh\n# test stub: no retry pauses\nexit 0\n",
    );
    let mut chmod = Command::new("chmod");
    chmod.arg("+x").arg(&sleep);
    assert!(run(&mut chmod, TOOL_TIMEOUT).success());
    let data = tmp.path().join("data");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new(tool(Tool::Dash));
    cmd.arg(scripts.join("init.sh"))
        .env("PATH", path)
        .env("REDIS_HA_DATA_DIR", &data)
        .env("REDIS_HA_HOSTNAME", format!("{F}-server-{index}"))
        .env("REDIS_HA_CLI_TIMEOUT", "5")
        .env("REDIS_HA_RESOLVE_ATTEMPTS", "1");
    let out = run(&mut cmd, Duration::from_secs(60));
    assert!(
        out.success(),
        "init.sh for pod {index}:\n{}",
        out.describe()
    );
    std::fs::read_to_string(data.join("conf").join("redis.conf"))
        .unwrap_or_else(|e| panic!("init.sh wrote no redis.conf: {e}\n{}", out.describe()))
}

/// A directory under `dir` with a `getent` stub: announce Service i resolves to 127.0.0.(i+1).
fn getent_stub(dir: &Path) -> std::path::PathBuf {
    let bin = dir.join("bin");
    let getent = write_file(
        &bin,
        "getent",
        &format!(
            "#!/bin/sh\n# test stub: announce Service i resolves to 127.0.0.(i+1)\n\
             case \"$2\" in {F}-announce-*) i=\"${{2##*-}}\"; echo \"127.0.0.$((i + 1)) $2\" ;; *) exit 2 ;; esac\n"
        ),
    );
    let mut chmod = Command::new("chmod");
    chmod.arg("+x").arg(&getent);
    assert!(run(&mut chmod, TOOL_TIMEOUT).success());
    bin
}

/// Defect 5: ro_replicas was matched with `grep`, so "10" also made pods 1 and 0 read-only.
/// The rendered init.sh is run for real (see `run_init`).
#[test]
fn defect_05_ro_replicas_match_whole_indexes() {
    let r = render("replicas: 3\nro_replicas: \"10\"\n");
    for i in 0..3 {
        let conf = run_init(&r, i);
        assert!(
            !has_line(&conf, "replica-priority 0"),
            "pod {i} made read-only by ro_replicas \"10\":\n{conf}"
        );
    }
    let r = render("replicas: 11\nro_replicas: \"10\"\n");
    assert!(
        has_line(&run_init(&r, 10), "replica-priority 0"),
        "pod 10 must be read-only"
    );
    assert!(!has_line(&run_init(&r, 1), "replica-priority 0"));

    let r = render("replicas: 3\nro_replicas: \"1, 2\"\n");
    let conf0 = run_init(&r, 0);
    assert!(!has_line(&conf0, "replica-priority 0"), "{conf0}");
    for i in 1..3 {
        let conf = run_init(&r, i);
        assert!(has_line(&conf, "replica-priority 0"), "pod {i}:\n{conf}");
    }
    // No sentinel answers: every pod waits for the bootstrap election as a replica of its own
    // announce address (it keeps its data and syncs from no one; podsim's full-outage
    // scenarios run the election). Upstream made ordinal 0 master with whatever it had.
    for i in 0..3 {
        let conf = run_init(&r, i);
        let own = format!("slaveof 127.0.0.{} 6379", i + 1);
        assert!(has_line(&conf, &own), "pod {i} must wait:\n{conf}");
    }
}

/// Defect 6: the preStop failover ran `redis-cli -a $SENTINELAUTH` in a container that had no
/// SENTINELAUTH, and used `[[` (a no-op under dash). The redis container now gets SENTINELAUTH
/// and the rendered script, run by dash against a real password-protected sentinel, reaches it.
#[test]
fn defect_06_prestop_failover_works_with_sentinel_auth() {
    let (redis_port, sentinel_port) = (free_port(), free_port());
    let password = "s3nt inel'pw";
    let r = render(&format!(
        "redis:\n  port: {redis_port}\nsentinel:\n  port: {sentinel_port}\n  auth: true\n  password: \"{}\"\n",
        password
    ));
    let sts = statefulset(&r);
    let redis = container(sts, "containers", "redis");
    let sa = env(redis, "SENTINELAUTH").unwrap_or_else(|| panic!("no SENTINELAUTH:\n{redis:#}"));
    assert_eq!(
        sa["valueFrom"]["secretKeyRef"]["name"],
        format!("{F}-sentinel")
    );
    assert_eq!(sa["valueFrom"]["secretKeyRef"]["key"], "sentinel-password");
    let pre_stop = redis["lifecycle"]["preStop"]["exec"]["command"].to_string();
    assert!(
        pre_stop.contains("trigger-failover-if-master.sh"),
        "{pre_stop}"
    );

    let cm = format!("{F}-configmap");
    let tmp = temp_dir();
    let scripts = tmp.path().join("readonly-config");
    for key in ["vars.sh", "lib.sh", "trigger-failover-if-master.sh"] {
        write_file(&scripts, key, r.configmap_key(&cm, key));
    }
    let script = scripts.join("trigger-failover-if-master.sh");
    let text = std::fs::read_to_string(&script).unwrap_or_default();
    assert!(
        !text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .any(|l| l.contains("[[")),
        "preStop script uses [[:\n{text}"
    );

    // A real master (the rendered redis.conf, on 127.0.0.1), its replica (the announce
    // address of ordinal 1, 127.0.0.2, as the getent stub resolves it) and a sentinel with the
    // rendered sentinel.conf. init.sh would prepend the monitor line and fill the password
    // placeholder; this copy gets both from the test. The hook fails over only to a replica
    // that has every write, so the request needs one.
    let bin = getent_stub(tmp.path());
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let master_dir = tmp.path().join("master");
    let replica_dir = tmp.path().join("replica");
    let mut servers = Vec::new();
    for (dir, bind, extra) in [
        (&master_dir, "127.0.0.1", None),
        (&replica_dir, "127.0.0.2", Some(redis_port)),
    ] {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let conf = write_file(dir, "redis.conf", &local_copy(redis_conf(&r), dir));
        let mut cmd = Command::new(tool(Tool::RedisServer));
        cmd.arg(&conf).args(["--bind", bind]);
        let ready = match extra {
            Some(port) => {
                // The master would list it by its connection's source address, 127.0.0.1.
                cmd.args(["--replicaof", "127.0.0.1", &port.to_string()])
                    .args(["--replica-announce-ip", "127.0.0.2"]);
                "sync: Finished with success"
            }
            None => "Ready to accept connections",
        };
        servers.push(ServerProcess::start(cmd, redis_port, ready, START_TIMEOUT));
    }
    let sconf = local_copy(sentinel_conf(&r), tmp.path());
    assert!(sconf.contains("replace-default-sentinel-auth"), "{sconf}");
    let sconf = format!("sentinel monitor mymaster 127.0.0.1 {redis_port} 1\n{sconf}")
        .replace("\"replace-default-sentinel-auth\"", "\"s3nt inel'pw\"");
    let sentinel_path = write_file(tmp.path(), "sentinel.conf", &sconf);
    let mut cmd = Command::new(tool(Tool::RedisSentinel));
    cmd.arg(&sentinel_path).args(["--bind", "127.0.0.1"]);
    let sentinel =
        ServerProcess::start(cmd, sentinel_port, "+slave slave 127.0.0.2", START_TIMEOUT);

    let prestop = |auth: Option<&str>| {
        let mut cmd = Command::new(tool(Tool::Dash));
        cmd.arg(&script)
            .env("PATH", &path)
            .env("REDIS_HA_HOSTNAME", format!("{F}-server-0"))
            .env("REDIS_HA_LOCAL_HOST", "127.0.0.1")
            .env("REDIS_HA_FAILOVER_TIMEOUT", "10")
            .env("REDIS_HA_RESOLVE_ATTEMPTS", "1")
            .env("REDIS_HA_CLI_TIMEOUT", "2")
            .env_remove("SENTINELAUTH")
            .env_remove("AUTH");
        if let Some(a) = auth {
            cmd.env("SENTINELAUTH", a);
        }
        run(&mut cmd, Duration::from_secs(60))
    };
    // Without SENTINELAUTH (upstream's redis container) the sentinel refuses to talk.
    let out = prestop(None);
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(
        out.code == Some(1) && text.contains("NOAUTH"),
        "unauthenticated request should be refused:\n{}",
        out.describe()
    );
    // With the container's SENTINELAUTH the sentinel accepts the request and promotes the
    // replica, which has every write.
    let out = prestop(Some(password));
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(
        out.success() && text.contains("started a failover") && !text.contains("NOAUTH"),
        "authenticated failover request did not reach the sentinel:\n{}\n{}",
        out.describe(),
        sentinel.log()
    );
    drop(servers);
}

fn secret_value(r: &Rendered, name: &str, key: &str) -> String {
    let doc = r.get("Secret", name);
    let b64 = doc
        .value
        .pointer(&format!("/data/{key}"))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("Secret {name} has no data.{key}:\n{}", doc.text));
    let mut cmd = Command::new("base64");
    let tmp = temp_dir();
    let f = write_file(tmp.path(), "v", b64);
    cmd.arg("-d").arg(&f);
    let out = run(&mut cmd, TOOL_TIMEOUT);
    assert!(out.success(), "{}", out.describe());
    out.stdout
}

fn pod_annotation(r: &Rendered, kind: &str, name: &str, key: &str) -> String {
    let doc = r.get(kind, name);
    doc.value
        .pointer(&format!(
            "/spec/template/metadata/annotations/{}",
            testkit::escape_pointer(key)
        ))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{kind}/{name} pod template has no {key}:\n{}", doc.text))
        .to_string()
}

/// Defect 7: `auth: true` without a password crashed in b64enc. The chart now generates a
/// 32-character password (looked up from the existing Secret on upgrades).
#[test]
fn defect_07_auth_without_password_generates_one() {
    let values = "auth: true\nsentinel:\n  auth: true\n";
    let a = render(values);
    let b = render(values);
    for (secret, key) in [
        (F.to_string(), "auth"),
        (format!("{F}-sentinel"), "sentinel-password"),
    ] {
        let pa = secret_value(&a, &secret, key);
        let pb = secret_value(&b, &secret, key);
        for p in [&pa, &pb] {
            assert!(
                p.len() == 32 && p.chars().all(|c| c.is_ascii_alphanumeric()),
                "generated {secret}.{key} is not 32 alphanumerics: {p:?}"
            );
        }
        // No cluster to look up here, so each render generates afresh.
        assert_ne!(pa, pb, "{secret}.{key} is not random");
    }
    let redis = container(statefulset(&a), "containers", "redis");
    let auth = env(redis, "AUTH").unwrap_or_else(|| panic!("no AUTH env:\n{redis:#}"));
    assert_eq!(auth["valueFrom"]["secretKeyRef"]["name"], F);
    assert_eq!(auth["valueFrom"]["secretKeyRef"]["key"], "auth");
    // Kept across upgrades: a template reads the release's existing Secret first (no cluster
    // here, so this part can only be checked in the template source).
    let templates = base_chart().dir.join("templates");
    let looks_up = std::fs::read_dir(&templates)
        .map(|rd| {
            rd.flatten().any(|e| {
                std::fs::read_to_string(e.path())
                    .is_ok_and(|t| t.contains("lookup \"v1\" \"Secret\""))
            })
        })
        .unwrap_or(false);
    assert!(looks_up, "no template looks up the existing Secret");
}

/// Defect 8: a password change did not change any pod-template annotation, so pods kept the
/// old password until restarted by hand. `checksum/secret` now covers the password sources.
#[test]
fn defect_08_password_change_rolls_the_pods() {
    let values = |pw: &str, spw: &str| {
        format!(
            "auth: true\nredisPassword: {pw}\nsentinel:\n  auth: true\n  password: {spw}\nhaproxy:\n  enabled: true\n"
        )
    };
    let a = render(&values("first", "sentinel-one"));
    let a2 = render(&values("first", "sentinel-one"));
    let b = render(&values("second", "sentinel-one"));
    let c = render(&values("first", "sentinel-two"));
    let targets = [
        ("StatefulSet", format!("{F}-server")),
        ("Deployment", format!("{F}-haproxy")),
    ];
    for (kind, name) in &targets {
        let sum = |r: &Rendered| pod_annotation(r, kind, name, "checksum/secret");
        assert_eq!(sum(&a), sum(&a2), "{kind}: same passwords, same checksum");
        assert_ne!(
            sum(&a),
            sum(&b),
            "{kind}: redis password change must roll the pods"
        );
        assert_ne!(
            sum(&a),
            sum(&c),
            "{kind}: sentinel password change must roll the pods"
        );
    }
}

/// Defect 9: restore-redis only ran when the hostname contained the fixed text `ha-server-0`
/// and the restore containers used BusyBox-only `timeout -t`.
#[test]
fn defect_09_restore_uses_real_fullname_and_portable_timeout() {
    let r = render(
        "fullnameOverride: cache\nrestore:\n  redis:\n    source: redis://backup:6379/0\n  s3:\n    source: s3://bucket/dump.rdb\n    access_key: a\n    secret_key: b\n  ssh:\n    source: user@host:/dump.rdb\n    key: k\n",
    );
    let sts = &r.get("StatefulSet", "cache-server").value;
    let restore = container(sts, "initContainers", "restore-redis").to_string();
    assert!(
        restore.contains("cache-server-0"),
        "guard does not use the fullname:\n{restore}"
    );
    assert!(
        !restore.contains("ha-server-0"),
        "hard-coded guard left:\n{restore}"
    );
    for name in ["restore-redis", "restore-s3", "restore-ssh"] {
        let c = container(sts, "initContainers", name).to_string();
        assert!(c.contains("timeout "), "{name} has no time bound:\n{c}");
        assert!(
            !c.contains("timeout -t"),
            "{name} uses BusyBox-only `timeout -t`:\n{c}"
        );
    }
}

/// Defect 10: the HAProxy PDB and ServiceMonitor rendered with haproxy off, and plain-mode
/// HAProxy listened on redis.port while its Service targeted haproxy.containerPort.
#[test]
fn defect_10_haproxy_objects_gated_and_bind_container_port() {
    let off = render_with(
        "haproxy:\n  enabled: false\n  podDisruptionBudget:\n    minAvailable: 1\n  metrics:\n    enabled: true\n    serviceMonitor:\n      enabled: true\n",
        &["--api-versions", "monitoring.coreos.com/v1"],
    );
    assert!(
        off.find("PodDisruptionBudget", &format!("{F}-haproxy-pdb"))
            .is_none(),
        "{:?}",
        off.ids()
    );
    assert!(
        off.find("ServiceMonitor", &format!("{F}-haproxy"))
            .is_none(),
        "{:?}",
        off.ids()
    );
    // The same values with haproxy on do render both.
    let on = render_with(
        "haproxy:\n  enabled: true\n  podDisruptionBudget:\n    minAvailable: 1\n  metrics:\n    enabled: true\n    serviceMonitor:\n      enabled: true\n",
        &["--api-versions", "monitoring.coreos.com/v1"],
    );
    on.get("PodDisruptionBudget", &format!("{F}-haproxy-pdb"));
    on.get("ServiceMonitor", &format!("{F}-haproxy"));

    let r = render("haproxy:\n  enabled: true\n  containerPort: 7000\n");
    let cfg = haproxy_cfg(&r);
    let front = section(cfg, "frontend ft_redis_master");
    assert!(
        front
            .iter()
            .any(|l| l.starts_with("bind ") && l.contains(":7000")),
        "ft_redis_master does not bind haproxy.containerPort:\n{cfg}"
    );
    assert!(!front.iter().any(|l| l.contains(":6379")), "{cfg}");
    let deploy = &r.get("Deployment", &format!("{F}-haproxy")).value;
    let haproxy = container(deploy, "containers", "haproxy");
    let port = haproxy["ports"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "redis"))
        .unwrap_or_else(|| panic!("no port named redis:\n{haproxy:#}"));
    assert_eq!(port["containerPort"], 7000);
    let svc = &r.get("Service", &format!("{F}-haproxy")).value;
    let target = &svc["spec"]["ports"][0]["targetPort"];
    assert!(
        *target == "redis" || *target == 7000,
        "Service targets {target}, not the port HAProxy binds"
    );
    assert_haproxy_accepts(cfg, 3);
}

/// GET `path` from 127.0.0.1:`port` (HTTP/1.0, the whole response body).
fn http_get(port: u16, path: &str) -> Result<String, String> {
    use std::io::{Read, Write};
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map_err(|e| format!("connect {addr}: {e}"))?;
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").as_bytes())
        .map_err(|e| e.to_string())?;
    let mut body = String::new();
    s.read_to_string(&mut body).map_err(|e| e.to_string())?;
    Ok(body)
}

/// (status, check_status) of one server in HAProxy's CSV stats.
fn server_state(csv: &str, backend: &str, server: &str) -> Option<(String, String)> {
    let mut lines = csv.lines().skip_while(|l| !l.starts_with("# pxname"));
    let header: Vec<&str> = lines.next()?.trim_start_matches("# ").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (status, check) = (col("status")?, col("check_status")?);
    lines.find_map(|l| {
        let f: Vec<&str> = l.split(',').collect();
        if f.first() == Some(&backend) && f.get(1) == Some(&server) {
            Some((f.get(status)?.to_string(), f.get(check)?.to_string()))
        } else {
            None
        }
    })
}

/// Runs HAProxy with a config and waits (bounded) until the sentinel check of R0 has
/// completed once; returns its (status, check_status) and the master backend's.
fn haproxy_check_results(cfg: &Path, stats_port: u16) -> ((String, String), (String, String)) {
    let mut cmd = Command::new(tool(Tool::Haproxy));
    cmd.arg("-db").arg("-f").arg(cfg);
    // No log line marks readiness; the stats endpoint answering is the readiness signal.
    let proc = ServerProcess::spawn(cmd);
    let deadline = std::time::Instant::now() + START_TIMEOUT;
    loop {
        let csv = http_get(stats_port, "/stats;csv").unwrap_or_default();
        let sentinel = server_state(&csv, "check_if_redis_is_master_0", "R0");
        let redis = server_state(&csv, "bk_redis_master", "R0");
        // check_status is "INI" (or starts with "*" while running) until a check completed.
        let done = |s: &Option<(String, String)>| {
            s.as_ref()
                .is_some_and(|(_, c)| !c.is_empty() && c != "INI" && !c.starts_with('*'))
        };
        if done(&sentinel) && done(&redis) {
            drop(proc);
            return (sentinel.unwrap_or_default(), redis.unwrap_or_default());
        }
        assert!(
            std::time::Instant::now() < deadline,
            "HAProxy checks did not complete; stats:\n{csv}\nlog:\n{}",
            proc.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Defect 3 at runtime: HAProxy, configured by the rendered haproxy.cfg (addresses filled in
/// by the rendered haproxy_init.sh), checks a real sentinel on a non-default sentinel.port and
/// routes to the real master; the upstream hard-coded :26379 would fail that check.
#[test]
fn defect_03_haproxy_checks_a_real_sentinel_on_its_configured_port() {
    let (redis_port, sentinel_port, front_port, stats_port) =
        (free_port(), free_port(), free_port(), free_port());
    let r = render(&format!(
        "replicas: 1\nredis:\n  port: {redis_port}\nsentinel:\n  port: {sentinel_port}\n  quorum: 1\n\
         haproxy:\n  enabled: true\n  containerPort: {front_port}\n  IPv6:\n    enabled: false\n\
         \x20 metrics:\n    enabled: true\n    port: {stats_port}\n"
    ));
    let tmp = temp_dir();
    let redis_path = write_file(
        tmp.path(),
        "redis.conf",
        &local_copy(redis_conf(&r), tmp.path()),
    );
    let mut cmd = Command::new(tool(Tool::RedisServer));
    cmd.arg(&redis_path);
    let _redis = ServerProcess::start(
        cmd,
        redis_port,
        "Ready to accept connections",
        START_TIMEOUT,
    );
    // init.sh prepends the monitor line at pod start; this copy gets it from the test.
    let sconf = format!(
        "sentinel monitor mymaster 127.0.0.1 {redis_port} 1\n{}",
        local_copy(sentinel_conf(&r), tmp.path())
    );
    let sentinel_path = write_file(tmp.path(), "sentinel.conf", &sconf);
    let mut cmd = Command::new(tool(Tool::RedisSentinel));
    cmd.arg(&sentinel_path);
    let _sentinel = ServerProcess::start(
        cmd,
        sentinel_port,
        "+monitor master mymaster",
        START_TIMEOUT,
    );

    // The rendered haproxy_init.sh fills in the announce addresses (getent stub: announce-0
    // is 127.0.0.1). The health listener's fixed :8888 is moved to a free port so that the
    // test cannot clash with other processes of this shared machine.
    let cm = format!("{F}-configmap");
    let scripts = tmp.path().join("haproxy-init");
    for key in ["vars.sh", "haproxy_init.sh"] {
        write_file(&scripts, key, r.configmap_key(&cm, key));
    }
    let cfg_src = haproxy_cfg(&r).replace("bind :8888\n", &format!("bind :{}\n", free_port()));
    write_file(&scripts, "haproxy.cfg", &cfg_src);
    let bin = tmp.path().join("bin");
    let getent = write_file(
        &bin,
        "getent",
        &format!("#!/bin/sh\n# test stub\n[ \"$2\" = {F}-announce-0 ] && echo \"127.0.0.1 $2\"\n"),
    );
    let mut chmod = Command::new("chmod");
    chmod.arg("+x").arg(&getent);
    assert!(run(&mut chmod, TOOL_TIMEOUT).success());
    let cfg = tmp.path().join("haproxy.cfg");
    let mut init = Command::new(tool(Tool::Dash));
    init.arg(scripts.join("haproxy_init.sh"))
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("HAPROXY_CONF", &cfg)
        .env("HAPROXY_RESOLVE_ATTEMPTS", "1");
    let out = run(&mut init, TOOL_TIMEOUT);
    assert!(out.success(), "haproxy_init.sh:\n{}", out.describe());

    let (sentinel, redis) = haproxy_check_results(&cfg, stats_port);
    assert_eq!(
        sentinel,
        ("UP".to_string(), "L7OK".to_string()),
        "sentinel check on sentinel.port"
    );
    assert_eq!(
        redis,
        ("UP".to_string(), "L7OK".to_string()),
        "role:master check"
    );

    // Clients reach the master through HAProxy's frontend (haproxy.containerPort).
    let mut cmd = Command::new(tool(Tool::Haproxy));
    cmd.arg("-db").arg("-f").arg(&cfg);
    let proc = ServerProcess::spawn(cmd);
    let deadline = std::time::Instant::now() + START_TIMEOUT;
    let info = loop {
        match resp_command(front_port, &["INFO", "replication"]) {
            Ok(Resp::Bulk(Some(s))) => break s,
            other => {
                assert!(
                    std::time::Instant::now() < deadline,
                    "no answer through HAProxy: {other:?}\n{}",
                    proc.log()
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    };
    assert!(info.contains("role:master"), "{info}");
    drop(proc);

    // The same config with upstream's hard-coded sentinel port: that check fails.
    let text = std::fs::read_to_string(&cfg).unwrap_or_default();
    let upstream = text.replace(
        &format!("127.0.0.1:{sentinel_port} check"),
        "127.0.0.1:26379 check",
    );
    assert_ne!(upstream, text, "sentinel server line not found:\n{text}");
    let upstream_cfg = write_file(tmp.path(), "upstream.cfg", &upstream);
    let (sentinel, _) = haproxy_check_results(&upstream_cfg, stats_port);
    assert_eq!(
        sentinel.0, "DOWN",
        "check against :26379 must fail: {sentinel:?}"
    );
}

/// Issue 10: `sentinel master-reboot-down-after-period` only where the image's sentinel knows
/// it (Redis 7.0 and later, Valkey); Redis 6.2 refuses unknown sentinel options. podsim starts
/// sentinels with it on Redis 7.0.15, 8.2.3 and Valkey 9.1.2 (crates/podsim/tests/faults.rs).
#[test]
fn issue10_sentinel_reboot_period_only_where_supported() {
    for (values, present) in [
        ("image: {tag: 6.2.5-alpine}\n", false),
        ("", true),
        ("image: {repository: valkey/valkey, tag: \"8.1\"}\n", true),
        ("image: {tag: latest}\n", true),
        (
            "sentinel: {config: {master-reboot-down-after-period: 5000}}\n",
            true,
        ),
    ] {
        let r = render(values);
        let conf = sentinel_conf(&r);
        let lines = conf
            .lines()
            .filter(|l| l.starts_with("sentinel master-reboot-down-after-period mymaster"))
            .count();
        assert_eq!(lines, usize::from(present), "{values}:\n{conf}");
    }
}

/// Issue 10: HAProxy closes the sessions of a server it marks down (a demoted master) and runs
/// one thread per core of its CPU limit, not of the node.
#[test]
fn issue10_haproxy_shutdown_sessions_and_threads() {
    let cm = format!("{F}-configmap");
    let r = render("haproxy: {enabled: true, resources: {limits: {cpu: 1500m}}}\n");
    let cfg = r.configmap_key(&cm, "haproxy.cfg");
    assert!(cfg.contains("\n  nbthread 2\n"), "{cfg}");
    let servers: Vec<&str> = cfg
        .lines()
        .filter(|l| l.trim_start().starts_with("server R") && l.contains(":6379"))
        .collect();
    assert!(!servers.is_empty(), "{cfg}");
    assert!(
        servers
            .iter()
            .all(|l| l.contains("on-marked-down shutdown-sessions")),
        "{cfg}"
    );
    let r = render("haproxy: {enabled: true, resources: {limits: {cpu: 250m}}}\n");
    assert!(r
        .configmap_key(&cm, "haproxy.cfg")
        .contains("\n  nbthread 1\n"));
    let r = render("haproxy: {enabled: true}\n");
    assert!(!r.configmap_key(&cm, "haproxy.cfg").contains("nbthread"));
}
