//! The fault scenarios of `podsim run`, each asserting its promise on real servers (root;
//! fails, never skips, without root or the servers of scripts/install-test-tools.sh).
//! Every scenario runs on Redis 8; failover, container-restart and rolling-restart also on
//! Redis 7 and Valkey 9. The whole matrix is benchmarks/podsim-fault-matrix.sh. The live
//! monitoring scenario (`podsim monitoring`) is here too, so that it shares the two slots.

use podsim::run::{monitoring, run, MonitoringOptions, RunOptions, RunReport, Scenario};
use podsim::server::ServerKind;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

/// At most two scenarios at a time, whatever the number of test threads. A scenario mostly
/// waits (down-after, elections, syncs), so two side by side on 2 cores keep their timings
/// (each one also passes under a load average of 10), and the suite takes half as long.
const SLOTS: usize = 2;
static RUNNING: Mutex<usize> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

/// One of the [`SLOTS`], held while a scenario runs.
struct Slot;

impl Slot {
    fn take() -> Slot {
        let mut running = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
        while *running >= SLOTS {
            running = FREED.wait(running).unwrap_or_else(|p| p.into_inner());
        }
        *running += 1;
        Slot
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut running = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
        *running -= 1;
        FREED.notify_one();
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn values(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/values")
        .join(name)
}

/// Runs `scenario` on the generated chart `chart` with `files` (under tests/values) and
/// checks the promise every scenario makes: no write confirmed by `WAIT 1` is lost.
fn scenario(scenario: Scenario, chart: &str, files: &[&str], server: ServerKind) -> RunReport {
    let _slot = Slot::take();
    let opts = RunOptions {
        server,
        release: "rel".into(),
        keep: std::env::var_os("PODSIM_KEEP").is_some(),
    };
    let files: Vec<PathBuf> = files.iter().map(|f| values(f)).collect();
    let chart = repo().join("generated-charts").join(chart);
    let report = match run(scenario, &chart, &files, &opts) {
        Ok(r) => r,
        Err(e) => panic!("{} on {server}: {e}", scenario.name()),
    };
    println!("{}", serde_json::to_string(&report).unwrap_or_default());
    assert!(
        report.writes_replicated > 0,
        "no write was confirmed by WAIT 1: the scenario proves nothing"
    );
    assert_eq!(
        report.replicated_writes_lost, 0,
        "writes confirmed by WAIT 1 were lost: {report:?}"
    );
    report
}

fn passed(r: &RunReport) {
    assert!(
        r.passed,
        "{} on {}: {:?}",
        r.scenario.name(),
        r.server,
        r.failures
    );
}

#[test]
fn redis8_failover() {
    let r = scenario(
        Scenario::Failover,
        "redis-ha",
        &["fast.yaml"],
        ServerKind::Redis8,
    );
    passed(&r);
    // Hard loss: down-after (2 s in fast.yaml) + election + HAProxy checks.
    assert!(
        r.unavailable_ms <= 5000,
        "hard-loss window {} ms",
        r.unavailable_ms
    );
    // Graceful stop: the preStop hook hands over (0.4-0.8 s measured).
    let graceful = r.details["graceful_unavailable_ms"]
        .as_u64()
        .unwrap_or(u64::MAX);
    assert!(graceful <= 2000, "graceful window {graceful} ms");
}

#[test]
fn redis7_failover() {
    passed(&scenario(
        Scenario::Failover,
        "redis-ha",
        &["fast.yaml"],
        ServerKind::Redis7,
    ));
}

#[test]
fn valkey9_failover() {
    passed(&scenario(
        Scenario::Failover,
        "redis-ha",
        &["fast.yaml"],
        ServerKind::Valkey9,
    ));
}

#[test]
fn redis8_container_restart() {
    let r = scenario(
        Scenario::ContainerRestart,
        "redis-ha",
        &["fast.yaml"],
        ServerKind::Redis8,
    );
    passed(&r);
    assert_eq!(r.acked_writes_lost, 0);
}

#[test]
fn redis7_container_restart() {
    passed(&scenario(
        Scenario::ContainerRestart,
        "redis-ha",
        &["fast.yaml"],
        ServerKind::Redis7,
    ));
}

/// The valkey/valkey image (valkey-server, valkey-sentinel, valkey-cli only) with both
/// passwords: the scripts find valkey-cli and pass the passwords to it.
#[test]
fn valkey9_container_restart_valkey_image_with_auth() {
    passed(&scenario(
        Scenario::ContainerRestart,
        "redis-ha",
        &["fast.yaml", "valkey-image.yaml", "auth.yaml"],
        ServerKind::Valkey9,
    ));
}

#[test]
fn redis8_full_outage() {
    passed(&scenario(
        Scenario::FullOutage,
        "redis-ha",
        &["fast.yaml"],
        ServerKind::Redis8,
    ));
}

#[test]
fn redis8_full_outage_with_pod0_volume_emptied() {
    passed(&scenario(
        Scenario::FullOutageEmptyVolume,
        "redis-ha",
        // With both passwords: the election points the sentinels at the winner with
        // SENTINEL SET auth-pass.
        &["fast.yaml", "auth.yaml"],
        ServerKind::Redis8,
    ));
}

/// The variants' min-replicas-to-write 1 / max-lag 5: the isolated master stops acknowledging
/// writes within max-lag + 2 s.
#[test]
fn redis8_partition_with_the_variant_values() {
    let r = scenario(
        Scenario::Partition,
        "redis-1g",
        &["fast.yaml"],
        ServerKind::Redis8,
    );
    passed(&r);
    assert!(r.details["min_replicas_to_write"].as_u64() >= Some(1));
    let lag = r.details["min_replicas_max_lag_s"].as_u64().unwrap_or(0);
    let accepted = r.details["isolated_accepted_writes_for_ms"]
        .as_u64()
        .unwrap_or(u64::MAX);
    assert!(
        accepted <= (lag + 2) * 1000,
        "the isolated master acknowledged writes for {accepted} ms"
    );
}

/// The seed's min-replicas-to-write 0: the isolated master keeps acknowledging writes (they
/// are lost when it rejoins: reported, not promised), but none is confirmed by WAIT 1.
#[test]
fn redis8_partition_with_the_seed_values() {
    let r = scenario(
        Scenario::Partition,
        "redis-ha",
        &["seed-redis-1g.yaml", "fast.yaml"],
        ServerKind::Redis8,
    );
    passed(&r);
    assert_eq!(r.details["min_replicas_to_write"].as_u64(), Some(0));
}

#[test]
fn redis8_slow_sync() {
    let r = scenario(
        Scenario::SlowSync,
        "redis-ha",
        &["fast.yaml"],
        ServerKind::Redis8,
    );
    passed(&r);
    assert_eq!(r.details["replica_redis_restarts"].as_u64(), Some(0));
}

#[test]
fn redis8_rolling_restart() {
    let r = scenario(
        Scenario::RollingRestart,
        "redis-ha",
        &["fast.yaml"],
        ServerKind::Redis8,
    );
    passed(&r);
    assert_eq!(r.full_syncs, 0);
}

#[test]
fn redis7_rolling_restart() {
    let r = scenario(
        Scenario::RollingRestart,
        "redis-ha",
        &["fast.yaml"],
        ServerKind::Redis7,
    );
    passed(&r);
    assert_eq!(r.full_syncs, 0);
}

#[test]
fn valkey9_rolling_restart() {
    let r = scenario(
        Scenario::RollingRestart,
        "redis-ha",
        &["fast.yaml"],
        ServerKind::Valkey9,
    );
    passed(&r);
    assert_eq!(r.full_syncs, 0);
}

#[test]
fn redis8_lagging_replica() {
    let r = scenario(
        Scenario::LaggingReplica,
        "redis-ha",
        &["fast.yaml"],
        ServerKind::Redis8,
    );
    passed(&r);
    assert_eq!(r.acked_writes_lost, 0);
}

/// The variant's NetworkPolicies (on by default there), enforced with nftables in every pod's
/// network namespace: replication, Sentinel and the HAProxy path keep working through a
/// failover.
#[test]
fn redis8_failover_with_the_variant_network_policies_enforced() {
    let r = scenario(
        Scenario::Failover,
        "redis-1g",
        &["fast.yaml"],
        ServerKind::Redis8,
    );
    passed(&r);
    // 3 Redis pods and fast.yaml's 1 HAProxy pod, each filtered.
    assert_eq!(r.network_policy_pods, 4, "{r:?}");
}

/// The enforcement is real: the same run with Sentinel's port taken out of the rule that
/// admits the release's own pods (the sentinels cannot reach each other to vote) fails.
#[test]
fn redis8_failover_fails_when_the_policy_blocks_sentinel() {
    use podsim::manifest::Manifest;
    use podsim::run::run_manifest;
    let _slot = Slot::take();
    let chart = repo().join("generated-charts/redis-1g");
    let files = vec![values("fast.yaml")];
    let yaml = podsim::render::helm_template(&chart, &files, "rel")
        .unwrap_or_else(|e| panic!("helm template: {e}"));
    let mut m = Manifest::parse(&yaml).unwrap_or_else(|e| panic!("{e}"));
    let mut edited = 0;
    for p in &mut m.network_policies {
        if p["metadata"]["name"] != "rel-redis-1g-network-policy" {
            continue;
        }
        let Some(rules) = p["spec"]["ingress"].as_array_mut() else {
            continue;
        };
        for rule in rules {
            let from_own_pods = rule["from"][0]["podSelector"]["matchLabels"]["app"] == "redis-1g";
            if let (true, Some(ports)) = (from_own_pods, rule["ports"].as_array_mut()) {
                ports.retain(|port| port["port"] != 26379);
                edited += 1;
            }
        }
    }
    assert_eq!(
        edited, 1,
        "the rule admitting the release's pods was not found"
    );
    let opts = RunOptions {
        server: ServerKind::Redis8,
        release: "rel".into(),
        keep: std::env::var_os("PODSIM_KEEP").is_some(),
    };
    match run_manifest(Scenario::Failover, m, &chart, &files, &opts) {
        Ok(r) => {
            println!("{}", serde_json::to_string(&r).unwrap_or_default());
            assert!(!r.passed, "failover passed with Sentinel blocked: {r:?}");
            // The sentinels could not reach each other to vote.
            assert!(
                r.failures.iter().any(|f| f.contains("NOQUORUM")),
                "failed for another reason: {:?}",
                r.failures
            );
        }
        // The group may not even form or fail over within the scenario's bounds; a harness
        // error (a command, the manifest, a tool) would prove nothing.
        Err(e @ (podsim::Error::Timeout { .. } | podsim::Error::Scenario(_))) => {
            println!("failed as expected: {e}")
        }
        Err(e) => panic!("the run failed for another reason than the policy: {e}"),
    }
}

/// The sized variant's alerts and dashboard under a real Prometheus 2.42 that scrapes the
/// redis_exporter sidecars (Debian's prometheus-redis-exporter 1.45, reading the password
/// file) and HAProxy's endpoint through the rendered NetworkPolicies, from the namespace they
/// admit: healthy, no alert; every panel has data; a replica lost and the master lost fire
/// RedisDown, HaproxyNoMasterBackend and RedisFailover within their `for:` plus a scrape and
/// two evaluations, and they resolve on recovery; memory filled fires the memory alerts.
#[test]
fn redis8_monitoring_alerts_fire_and_resolve_and_every_panel_has_data() {
    let _slot = Slot::take();
    let dir = std::env::temp_dir().join(format!("podsim-monitoring-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let png = dir.join("dashboard.png");
    let opts = MonitoringOptions {
        server: ServerKind::Redis8,
        release: "rel".into(),
        keep: std::env::var_os("PODSIM_KEEP").is_some(),
        png: Some(png.clone()),
        ..MonitoringOptions::default()
    };
    let chart = repo().join("generated-charts/redis-1g");
    let files = [values("fast.yaml"), values("monitoring.yaml")];
    let r = match monitoring(&chart, &files, &opts) {
        Ok(r) => r,
        Err(e) => panic!("monitoring on redis8: {e}"),
    };
    println!("{}", r.human());
    assert!(r.passed, "{:?}", r.failures);
    // Three exporters and one HAProxy, found through the ServiceMonitors, scraped through the
    // policies (every pod is policed).
    assert_eq!(
        r.targets.values().copied().collect::<Vec<_>>(),
        [3, 1],
        "{:?}",
        r.targets
    );
    assert_eq!(r.network_policy_pods, 4);
    for alert in [
        "RedisDown/rel-redis-1g-server-",
        "HaproxyNoMasterBackend",
        "RedisFailover/rel-redis-1g-server-",
        "RedisMemoryNearMaxmemory/rel-redis-1g-server-",
    ] {
        assert!(
            r.alerts
                .iter()
                .any(|a| a.alert.starts_with(alert) && a.fired_after_ms.is_some()),
            "{alert} not measured: {:?}",
            r.alerts
        );
    }
    // The failover alert holds for its window (eventWindow 20 s in monitoring.yaml).
    let failover = r
        .alerts
        .iter()
        .find(|a| a.alert.starts_with("RedisFailover/"))
        .and_then(|a| a.resolved_after_ms);
    assert!(
        failover.is_some_and(|ms| ms >= 19_000),
        "RedisFailover resolved {failover:?} ms after the promotion, before its 20 s window"
    );
    // The values put RSS past 40% of the limit and the policy evicts: both fire too.
    for alert in ["RedisMemoryNearLimit", "RedisEvictingKeys"] {
        assert!(
            r.fired
                .iter()
                .any(|(phase, a)| phase == "memory filled" && a.starts_with(alert)),
            "{alert} did not fire: {:?}",
            r.fired
        );
    }
    assert!(r.panels.len() >= 12, "{:?}", r.panels);
    for p in &r.panels {
        assert!(p.series.iter().all(|n| *n > 0), "{p:?}");
    }
    let lost = r.master_loss.as_ref().map(|o| o.replicated_writes_lost);
    assert_eq!(lost, Some(0), "writes confirmed by WAIT 1 lost");
    // The plot: a PNG of the panels' grid.
    let bytes = std::fs::read(&png).expect("the PNG was written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let (w, h) = podsim::plot::image_size(r.panels.len());
    let size =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    assert_eq!((size(16), size(20)), (w, h));
    let _ = std::fs::remove_dir_all(&dir);
}
