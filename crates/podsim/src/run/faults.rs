//! The fault scenarios of issue 10: container restart, full outage, partition, slow sync,
//! rolling restart and a graceful stop with lagging replicas.

use super::{scenario_err, Measured};
use crate::cluster::Cluster;
use crate::error::{Error, Result};
use crate::manifest::WorkloadKind;
use crate::resp::Reply;
use crate::scenario::{bootstrap, settle, settled, Writer};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Bound for the group to settle after a fault: Sentinel's down-after, an election and the
/// sentinels learning every replica (10 s INFO period), with room to spare.
fn settle_limit(c: &Cluster) -> Duration {
    Duration::from_millis(c.facts.down_after_ms) + Duration::from_secs(60)
}

/// Writes the scenarios wait for before a fault, and after it to close the window.
const BEFORE: usize = 100;
const AFTER: usize = 50;

/// The group up, a writer through HAProxy, and `BEFORE` writes confirmed by `WAIT 1`.
fn start(c: &Cluster) -> Result<(String, Writer)> {
    let master = bootstrap(c)?;
    let w = Writer::start(c, "podsim:w")?;
    w.wait_more(c, BEFORE, true, Duration::from_secs(30))?;
    Ok((master, w))
}

/// Waits until the group has settled and the writer has had a write acknowledged since `t`;
/// then `AFTER` more writes. Returns the master.
fn settled_with_writes(c: &Cluster, w: &Writer, t: Instant) -> Result<String> {
    let m = c
        .wait_for(
            "one settled master taking writes through HAProxy",
            settle_limit(c),
            |c| {
                if w.last_ack().is_none_or(|a| a <= t) {
                    return None;
                }
                settled(c)
            },
        )
        .map_err(|e| {
            Error::Scenario(format!(
                "{e}; last write error: {}; state: {:?}",
                w.last_error(),
                crate::scenario::Snapshot::take(c)
            ))
        })?;
    w.wait_more(c, AFTER, false, Duration::from_secs(30))?;
    Ok(m)
}

fn others(c: &Cluster, pod: &str) -> Vec<String> {
    c.pod_names(WorkloadKind::StatefulSet)
        .into_iter()
        .filter(|p| p != pod)
        .collect()
}

/// `container-restart`: the master's redis container is SIGKILLed and restarted at once, as
/// kubelet restarts an OOM-killed or crashed container (init containers do not run again), so
/// it is back long before Sentinel's down-after.
pub(super) fn container_restart(c: &Cluster) -> Result<Measured> {
    let (master, w) = start(c)?;
    let fs0 = c.full_syncs();
    let t0 = Instant::now();
    c.restart_container(&master, "redis", None)?;
    let fin = settled_with_writes(c, &w, t0)?;
    let outage = w.finish(c, &fin, t0)?;
    let mut details = serde_json::Map::new();
    details.insert("restarted_master".into(), json!(master));
    details.insert("master_changed".into(), json!(fin != master));
    Ok(Measured::new(
        outage,
        fin,
        c.full_syncs() - fs0,
        details,
        Vec::new(),
    ))
}

/// `full-outage`: pod 0 (the first master) is stopped gracefully and misses the writes that
/// follow; then every other pod stops gracefully (replicas first, the master last); then all
/// start again in ordinal order, as an OrderedReady StatefulSet does. With `empty_pod0`, pod
/// 0's volume is emptied before the restart (a lost PVC).
pub(super) fn full_outage(c: &Cluster, empty_pod0: bool) -> Result<Measured> {
    let (pod0, w) = start(c)?;
    c.stop_pod_graceful(&pod0)?;
    let t_stop0 = Instant::now();
    let m1 = settled_with_writes(c, &w, t_stop0)?;
    w.wait_more(c, BEFORE, true, Duration::from_secs(30))?;
    let fs0 = c.full_syncs();
    let t0 = Instant::now();
    for p in others(c, &m1).into_iter().filter(|p| *p != pod0) {
        c.stop_pod_graceful(&p)?;
    }
    let hook = c.stop_pod_graceful(&m1)?;
    let mut details = serde_json::Map::new();
    details.insert("master_before_outage".into(), json!(m1));
    details.insert("last_master_prestop".into(), json!(hook));
    if empty_pod0 {
        let claim =
            c.claims(&pod0).into_iter().next().ok_or_else(|| {
                Error::Scenario("the chart has no persistent volume to empty".into())
            })?;
        c.wipe_claim(&pod0, &claim)?;
    }
    let mut failures = Vec::new();
    for p in c.pod_names(WorkloadKind::StatefulSet) {
        if let Err(e) = c.start_pod(&p) {
            failures.push(format!("{p} did not become ready after the outage: {e}"));
            break;
        }
    }
    let fin = settled_with_writes(c, &w, t0).map_err(|e| scenario_err("after the outage", e))?;
    details.insert("elected".into(), json!(fin));
    let outage = w.finish(c, &fin, t0)?;
    Ok(Measured::new(
        outage,
        fin,
        c.full_syncs() - fs0,
        details,
        failures,
    ))
}

/// `partition`: the master's pod is cut off from every other pod (HAProxy included) while a
/// client in the client namespace still reaches it directly; the cut lasts until the other
/// side has a new master taking writes (when it can) and at least min-replicas-max-lag + 3 s;
/// then it heals. With min-replicas-to-write ≥ 1 the isolated master must stop acknowledging
/// writes within min-replicas-max-lag + 2 s.
pub(super) fn partition(c: &Cluster) -> Result<Measured> {
    let (master, w) = start(c)?;
    let maddr = SocketAddr::from((
        c.pod_addr(&master)
            .ok_or_else(|| Error::Scenario("no master address".into()))?,
        c.facts.redis_port,
    ));
    let d = Writer::start_at(c, maddr, "podsim:direct")?;
    d.wait_more(c, 20, true, Duration::from_secs(30))?;
    let fs0 = c.full_syncs();
    let t0 = Instant::now();
    c.partition(&master, true)?;
    let majority = others(c, &master);
    let lag = Duration::from_secs(c.facts.min_replicas_max_lag_s);
    // The other side's view: its sentinels agree on a master other than the isolated one.
    let failover_limit = Duration::from_millis(c.facts.down_after_ms) + Duration::from_secs(30);
    let new_master = c
        .wait_for("a master on the majority side", failover_limit, |c| {
            let named: Vec<String> = majority
                .iter()
                .filter_map(|p| c.sentinel_master(p))
                .collect();
            let first = named.first()?;
            let m = c.pod_by_addr(first)?;
            let all = named.len() == majority.len() && named.iter().all(|n| n == first);
            (all && m != master && c.role(&m).as_deref() == Some("master")).then_some(m)
        })
        .ok();
    let hold_until = t0 + lag + Duration::from_secs(3);
    c.wait_for(
        "the partition's minimum length",
        lag + Duration::from_secs(5),
        |_| (Instant::now() >= hold_until).then_some(()),
    )?;
    let isolated_acks = d.last_ack().filter(|t| *t > t0);
    c.partition(&master, false)?;
    let t_heal = Instant::now();
    let fin = settled_with_writes(c, &w, t_heal)?;
    let od = d.finish(c, &fin, t0)?;
    let outage = w.finish(c, &fin, t0)?;
    let accepting_ms = isolated_acks.map_or(0, |t| t.duration_since(t0).as_millis() as u64);
    let mut details = serde_json::Map::new();
    details.insert("isolated_master".into(), json!(master));
    details.insert("majority_master".into(), json!(new_master));
    details.insert(
        "min_replicas_to_write".into(),
        json!(c.facts.min_replicas_to_write),
    );
    details.insert(
        "min_replicas_max_lag_s".into(),
        json!(c.facts.min_replicas_max_lag_s),
    );
    details.insert(
        "isolated_accepted_writes_for_ms".into(),
        json!(accepting_ms),
    );
    details.insert(
        "isolated_side_acked_writes_lost".into(),
        json!(od.acked_writes_lost),
    );
    let mut failures = Vec::new();
    let bound = (c.facts.min_replicas_max_lag_s + 2) * 1000;
    if c.facts.min_replicas_to_write >= 1 && accepting_ms > bound {
        failures.push(format!(
            "the isolated master acknowledged writes for {accepting_ms} ms (> min-replicas-max-lag + 2 s = {bound} ms)"
        ));
    }
    let mut m = Measured::new(outage, fin, c.full_syncs() - fs0, details, failures);
    m.extra.push(od);
    Ok(m)
}

/// Keys written to stretch full syncs, and per MSET.
const FILL_KEYS: u64 = 20_000;
const FILL_BATCH: u64 = 500;

/// Writes [`FILL_KEYS`] keys of 100 bytes to the master, so that `rdb-key-save-delay` (a
/// hidden server config that delays each key of an RDB, for tests) stretches full syncs.
fn fill(c: &Cluster, master: &str) -> Result<()> {
    let value = "x".repeat(100);
    for b in 0..FILL_KEYS / FILL_BATCH {
        let keys: Vec<String> = (0..FILL_BATCH)
            .map(|i| format!("podsim:fill:{}", b * FILL_BATCH + i))
            .collect();
        let mut args = vec!["MSET"];
        for k in &keys {
            args.push(k);
            args.push(&value);
        }
        c.redis_cmd(master, &args)?;
    }
    Ok(())
}

/// Makes every full sync served by `master` last about `length` (0: back to normal).
fn stretch_full_syncs(c: &Cluster, master: &str, length: Duration) -> Result<()> {
    let us = (length.as_micros() as u64 / FILL_KEYS).to_string();
    match c.redis_cmd(master, &["CONFIG", "SET", "rdb-key-save-delay", &us])? {
        Reply::Status(_) => Ok(()),
        other => Err(Error::Scenario(format!(
            "CONFIG SET rdb-key-save-delay on {master}: {other:?}"
        ))),
    }
}

/// `slow-sync`: a replica with an emptied volume needs a full sync that the master's
/// `rdb-key-save-delay` (a hidden Redis config that slows each key of an RDB) stretches to
/// twice the startup probe's budget for a stalled start, plus 10 s. A replica that keeps
/// making progress must not be restarted.
pub(super) fn slow_sync(c: &Cluster) -> Result<Measured> {
    let (master, w) = start(c)?;
    fill(c, &master)?;
    let replica = others(c, &master)
        .into_iter()
        .next()
        .ok_or_else(|| Error::Scenario("slow-sync needs a replica".into()))?;
    let budget = c.stalled_start_budget(&replica, "redis").ok_or_else(|| {
        Error::Scenario("the redis container has no startup or liveness probe".into())
    })?;
    let target = budget * 2 + Duration::from_secs(10);
    let claim = c
        .claims(&replica)
        .into_iter()
        .next()
        .ok_or_else(|| Error::Scenario("the chart has no persistent volume to empty".into()))?;
    c.stop_pod_graceful(&replica)?;
    c.wipe_claim(&replica, &claim)?;
    stretch_full_syncs(c, &master, target)?;
    let fs0 = c.full_syncs();
    let t0 = Instant::now();
    let started = c.start_pod(&replica);
    let took = t0.elapsed();
    stretch_full_syncs(c, &master, Duration::ZERO)?;
    let restarts = c.restarts(&replica, "redis");
    let mut failures = Vec::new();
    if restarts > 0 {
        failures.push(format!(
            "the syncing replica's redis container was restarted {restarts} time(s)"
        ));
    }
    if let Err(e) = &started {
        failures.push(format!("the replica did not finish its sync: {e}"));
        // Let it finish without the delay before the losses are read.
        settle(c, settle_limit(c))?;
    }
    let fin = settled_with_writes(c, &w, t0)?;
    let outage = w.finish(c, &fin, t0)?;
    let mut details = serde_json::Map::new();
    details.insert("replica".into(), json!(replica));
    details.insert("stalled_start_budget_s".into(), json!(budget.as_secs()));
    details.insert("sync_stretched_to_s".into(), json!(target.as_secs()));
    details.insert(
        "replica_ready_after_ms".into(),
        json!(took.as_millis() as u64),
    );
    details.insert("replica_redis_restarts".into(), json!(restarts));
    details.insert("replica_events".into(), json!(c.events(&replica)));
    Ok(Measured::new(
        outage,
        fin,
        c.full_syncs() - fs0,
        details,
        failures,
    ))
}

/// Replication traffic: one 2.5 KiB value written every 10 ms (256 KiB/s, the design write rate
/// of `model::timing`'s backlog sizing) through HAProxy, overwriting one key so that memory
/// stays flat.
struct Load {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<Result<()>>>,
}

impl Load {
    fn start(c: &Cluster) -> Result<Load> {
        let ha = c
            .facts
            .haproxy
            .ok_or_else(|| Error::Scenario("HAProxy is not enabled".into()))?;
        let pw = c.facts.auth.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let handle = crate::netns::spawn_in_netns(&c.client_ns, move || {
            let value = "v".repeat(2560);
            let mut conn: Option<crate::resp::Conn> = None;
            while !stop2.load(Ordering::SeqCst) {
                if conn.is_none() {
                    conn =
                        crate::resp::Conn::open(ha, pw.as_deref(), Duration::from_millis(300)).ok();
                }
                if let Some(k) = conn.as_mut() {
                    if k.cmd(&["SET", "podsim:load", &value]).is_err() {
                        conn = None;
                    }
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        })?;
        Ok(Load {
            stop,
            handle: Some(handle),
        })
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// How long a deleted pod of a rolling update stays away before its replacement starts
/// (scheduling, volume attach, container creation): a few seconds in a real cluster.
const POD_RECREATION: Duration = Duration::from_secs(5);

/// `rolling-restart`: as `helm upgrade` of an OrderedReady StatefulSet: from the highest
/// ordinal down, each pod is deleted (preStop, SIGTERM) and recreated, and the next one goes
/// when the group has settled again; a [`Load`] of 256 KiB/s runs throughout. No pod may need a
/// full sync.
pub(super) fn rolling_restart(c: &Cluster) -> Result<Measured> {
    let (_, w) = start(c)?;
    let load = Load::start(c)?;
    let fs0 = c.full_syncs();
    let t0 = Instant::now();
    let mut hooks = Vec::new();
    for p in c.pod_names(WorkloadKind::StatefulSet).into_iter().rev() {
        hooks.extend(c.stop_pod_graceful(&p)?);
        // The pod is away while Kubernetes recreates it; part of the fault, not a readiness
        // wait.
        std::thread::sleep(POD_RECREATION);
        c.start_pod(&p)?;
        settle(c, settle_limit(c))?;
    }
    drop(load);
    let fin = settled_with_writes(c, &w, t0)?;
    let outage = w.finish(c, &fin, t0)?;
    let full_syncs = c.full_syncs() - fs0;
    let mut failures = Vec::new();
    if full_syncs > 0 {
        failures.push(format!(
            "{full_syncs} full sync(s) during the rolling restart"
        ));
    }
    let mut details = serde_json::Map::new();
    details.insert("prestop_output".into(), json!(hooks));
    Ok(Measured::new(outage, fin, full_syncs, details, failures))
}

/// How long the replicas' full syncs last in `lagging-replica`: longer than the previous
/// preStop hook waited for replicas (2 s), well within the pod's grace period.
const LAG: Duration = Duration::from_secs(8);

/// `lagging-replica`: both replicas are behind, catching up through a full sync that the
/// master serves slowly (their redis containers restarted without their data, each sync
/// stretched to [`LAG`]), when the master's pod is deleted. No acknowledged write may be lost: the hand-over
/// must not promote a replica that has not caught up.
pub(super) fn lagging_replica(c: &Cluster) -> Result<Measured> {
    let (master, w) = start(c)?;
    fill(c, &master)?;
    let replicas = others(c, &master);
    stretch_full_syncs(c, &master, LAG)?;
    let fs0 = c.full_syncs();
    for r in &replicas {
        let claim = c.claims(r).into_iter().next();
        c.restart_container(r, "redis", claim.as_deref())?;
    }
    // Behind from here on: no replica's link is up and the master serves a sync (with
    // repl-diskless-sync-delay 0 the second replica waits for the first one's sync to end).
    c.wait_for("the replicas catching up", Duration::from_secs(30), |c| {
        let infos: Vec<String> = replicas
            .iter()
            .filter_map(|r| c.redis_cmd(r, &["INFO", "replication"]).ok()?.text())
            .collect();
        let field = |t: &String, k: &str| crate::resp::info_field(t, k).unwrap_or_default();
        let behind = infos.len() == replicas.len()
            && infos.iter().all(|t| field(t, "master_link_status") != "up");
        let syncing = infos
            .iter()
            .any(|t| field(t, "master_sync_in_progress") == "1");
        (behind && syncing).then_some(())
    })?;
    let t0 = Instant::now();
    let hook = c.stop_pod_graceful(&master)?;
    let fin = settled_with_writes(c, &w, t0)?;
    let _ = stretch_full_syncs(c, &fin, Duration::ZERO);
    let outage = w.finish(c, &fin, t0)?;
    let mut failures = Vec::new();
    if outage.acked_writes_lost > 0 {
        failures.push(format!(
            "{} acknowledged write(s) lost: the master was replaced by a replica that missed them",
            outage.acked_writes_lost
        ));
    }
    let mut details = serde_json::Map::new();
    details.insert("stopped_master".into(), json!(master));
    details.insert(
        "replica_sync_stretched_to_ms".into(),
        json!(LAG.as_millis() as u64),
    );
    details.insert("prestop_output".into(), json!(hook));
    Ok(Measured::new(
        outage,
        fin,
        c.full_syncs() - fs0,
        details,
        failures,
    ))
}
