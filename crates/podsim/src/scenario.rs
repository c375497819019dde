//! Scenarios shared by the integration tests and the `podsim failover` command.

use crate::cluster::Cluster;
use crate::error::{Error, Result};
use crate::manifest::WorkloadKind;
use crate::resp::{self, Reply};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// State of the replication group at one instant.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// (pod, role) for every reachable redis.
    pub roles: Vec<(String, String)>,
    /// (pod, master address its sentinel names) for every reachable sentinel.
    pub sentinels: Vec<(String, String)>,
}

impl Snapshot {
    pub fn take(c: &Cluster) -> Snapshot {
        let mut roles = Vec::new();
        let mut sentinels = Vec::new();
        for p in c.pod_names(WorkloadKind::StatefulSet) {
            if let Some(r) = c.role(&p) {
                roles.push((p.clone(), r));
            }
            if let Some(m) = c.sentinel_master(&p) {
                sentinels.push((p, m));
            }
        }
        Snapshot { roles, sentinels }
    }

    pub fn masters(&self) -> Vec<String> {
        self.roles
            .iter()
            .filter(|(_, r)| r == "master")
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// The pod every reachable sentinel names, if they all agree and at least one answers.
    pub fn agreed_master(&self, c: &Cluster) -> Option<String> {
        let first = &self.sentinels.first()?.1;
        if self.sentinels.iter().all(|(_, m)| m == first) {
            c.pod_by_addr(first)
        } else {
            None
        }
    }
}

/// Scenario (a): start every pod; pod 0 master, the others replicas linked to it, every
/// sentinel names pod 0, a write through HAProxy lands on the master.
pub fn bootstrap(c: &Cluster) -> Result<String> {
    c.start_all()?;
    let pods = c.pod_names(WorkloadKind::StatefulSet);
    let pod0 = pods
        .first()
        .cloned()
        .ok_or_else(|| Error::Scenario("no redis pods".into()))?;
    let addr0 = c.pod_addr(&pod0).map(|a| a.to_string()).unwrap_or_default();
    // Replicas report link up and every sentinel knows pod 0 as master.
    c.wait_for(
        "replicas linked to pod 0 and sentinels agreeing",
        Duration::from_secs(60),
        |c| {
            let s = Snapshot::take(c);
            let linked = pods.iter().skip(1).all(|p| {
                c.redis_cmd(p, &["INFO", "replication"])
                    .ok()
                    .and_then(|r| r.text())
                    .is_some_and(|t| {
                        resp::info_field(&t, "role").as_deref() == Some("slave")
                            && resp::info_field(&t, "master_host").as_deref()
                                == Some(addr0.as_str())
                            && resp::info_field(&t, "master_link_status").as_deref() == Some("up")
                    })
            });
            // Settled: each sentinel knows every replica and every other sentinel (they learn
            // replicas from the master's INFO every 10 s and peers from hello messages every
            // 2 s; a failover before that leaves unknown replicas pointing at the old master).
            let settled = pods.iter().all(|p| {
                c.sentinel_peers(p) == Some(pods.len() - 1)
                    && pods.iter().skip(1).all(|r| {
                        let a = c.pod_addr(r).map(|a| a.to_string()).unwrap_or_default();
                        c.sentinel_replica_flags(p, &a).as_deref() == Some("slave")
                    })
            });
            let ok = s.masters() == vec![pod0.clone()]
                && s.sentinels.len() == pods.len()
                && s.sentinels.iter().all(|(_, m)| *m == addr0)
                && linked
                && settled;
            ok.then_some(())
        },
    )?;
    let ha = c
        .facts
        .haproxy
        .ok_or_else(|| Error::Scenario("HAProxy is not enabled in this chart's values".into()))?;
    let pw = c.facts.auth.clone();
    // HAProxy routes only after its checks see the master; poll the write until it succeeds.
    c.wait_for("a write through HAProxy", Duration::from_secs(30), |c| {
        let pw = pw.clone();
        c.client(move || {
            resp::once(
                ha,
                pw.as_deref(),
                &["SET", "podsim:bootstrap", "1"],
                Duration::from_millis(500),
            )
        })
        .ok()
        .and_then(|r| r.ok())
        .filter(|r| *r == Reply::Status("OK".into()))
    })?;
    let got = c.redis_cmd(&pod0, &["GET", "podsim:bootstrap"])?;
    if got != Reply::Bulk(Some(b"1".to_vec())) {
        return Err(Error::Scenario(format!(
            "write through HAProxy not on the master {pod0}: {got:?}"
        )));
    }
    Ok(pod0)
}

/// Result of a write stream through HAProxy around a fault.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outage {
    /// Longest gap between two acknowledged writes, ms.
    pub unavailable_ms: u64,
    pub writes_acked: u64,
    pub writes_failed: u64,
    /// Acknowledged writes absent from the final master.
    pub acked_writes_lost: u64,
    /// What the writer saw from the fault on, condensed: (ms after the fault, event), one
    /// entry per change (an error different from the previous one, or the first success after
    /// errors).
    pub timeline: Vec<(u64, String)>,
}

/// A client writing `podsim:w:<n>` through HAProxy every 10 ms from the client namespace.
pub struct Writer {
    seen: Arc<Seen>,
    handle: Option<std::thread::JoinHandle<Result<()>>>,
    prefix: String,
}

/// What the writer thread records, shared with the scenario.
#[derive(Default)]
struct Seen {
    stop: AtomicBool,
    /// (write number, when acknowledged).
    acked: Mutex<Vec<(u64, Instant)>>,
    failed: Mutex<u64>,
    last_error: Mutex<String>,
    /// Every change between success and a given error: (time, "ok" or the error).
    changes: Mutex<Vec<(Instant, String)>>,
}

impl Writer {
    pub fn start(c: &Cluster, prefix: &str) -> Result<Writer> {
        let ha = c
            .facts
            .haproxy
            .ok_or_else(|| Error::Scenario("HAProxy is not enabled".into()))?;
        let pw = c.facts.auth.clone();
        let seen = Arc::new(Seen::default());
        let (seen2, prefix2) = (seen.clone(), prefix.to_string());
        let handle = crate::netns::spawn_in_netns(&c.client_ns, move || {
            write_loop(ha, pw, &prefix2, &seen2);
        })?;
        Ok(Writer {
            seen,
            handle: Some(handle),
            prefix: prefix.to_string(),
        })
    }

    /// The last failed write's error (reply or I/O).
    pub fn last_error(&self) -> String {
        self.seen
            .last_error
            .lock()
            .map(|e| e.clone())
            .unwrap_or_default()
    }

    pub fn acked_count(&self) -> usize {
        self.seen.acked.lock().map(|a| a.len()).unwrap_or(0)
    }

    /// Time of the last acknowledged write.
    pub fn last_ack(&self) -> Option<Instant> {
        self.seen
            .acked
            .lock()
            .ok()
            .and_then(|a| a.last().map(|x| x.1))
    }

    /// Stops the client and checks the acknowledged keys on `master` (a pod name).
    pub fn finish(mut self, c: &Cluster, master: &str, since: Instant) -> Result<Outage> {
        self.seen.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        let acked = self
            .seen
            .acked
            .lock()
            .map(|a| a.clone())
            .unwrap_or_default();
        let failed = self.seen.failed.lock().map(|f| *f).unwrap_or(0);
        let mut gap = Duration::ZERO;
        for w in acked.windows(2) {
            if w[1].1 >= since {
                gap = gap.max(w[1].1.duration_since(w[0].1));
            }
        }
        let mut lost = 0u64;
        for chunk in acked.chunks(200) {
            let keys: Vec<String> = chunk
                .iter()
                .map(|(n, _)| format!("{}:{n}", self.prefix))
                .collect();
            let mut args = vec!["MGET"];
            args.extend(keys.iter().map(String::as_str));
            match c.redis_cmd(master, &args)? {
                Reply::Array(Some(v)) => {
                    lost += v.iter().filter(|r| matches!(r, Reply::Bulk(None))).count() as u64
                }
                other => return Err(Error::Scenario(format!("MGET on {master}: {other:?}"))),
            }
        }
        let timeline = self
            .seen
            .changes
            .lock()
            .map(|c| {
                c.iter()
                    .filter(|(t, _)| *t >= since)
                    .map(|(t, e)| (t.duration_since(since).as_millis() as u64, e.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Outage {
            unavailable_ms: gap.as_millis() as u64,
            writes_acked: acked.len() as u64,
            writes_failed: failed,
            acked_writes_lost: lost,
            timeline,
        })
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.seen.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn write_loop(ha: SocketAddr, pw: Option<String>, prefix: &str, seen: &Seen) {
    let Seen {
        stop,
        acked,
        failed,
        last_error,
        changes,
    } = seen;
    let timeout = Duration::from_millis(300);
    let mut conn: Option<resp::Conn> = None;
    let mut n: u64 = 0;
    let mut next = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        if conn.is_none() {
            conn = resp::Conn::open(ha, pw.as_deref(), timeout).ok();
        }
        let key = format!("{prefix}:{n}");
        let (ok, err) = match conn.as_mut().map(|c| c.cmd(&["SET", &key, "1"])) {
            Some(Ok(Reply::Status(s))) if s == "OK" => (true, String::new()),
            Some(Ok(other)) => (false, format!("{other:?}")),
            Some(Err(e)) => {
                conn = None;
                (false, e.to_string())
            }
            None => (false, "cannot connect to HAProxy".to_string()),
        };
        let event = if ok { "ok" } else { err.as_str() };
        if let Ok(mut c) = changes.lock() {
            // The first event, then each change (an ok run is one entry).
            if c.last().is_none_or(|(_, last)| last != event) {
                c.push((Instant::now(), event.to_string()));
            }
        }
        if !ok {
            if let Ok(mut e) = last_error.lock() {
                *e = err;
            }
        }
        if ok {
            if let Ok(mut a) = acked.lock() {
                a.push((n, Instant::now()));
            }
        } else if let Ok(mut f) = failed.lock() {
            *f += 1;
        }
        next += Duration::from_millis(10);
        let now = Instant::now();
        if next > now {
            std::thread::sleep(next - now);
        } else {
            next = now;
        }
    }
}

/// Figures of one master loss.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FailoverReport {
    pub old_master: String,
    pub new_master: Option<String>,
    pub failed_over: bool,
    pub outage: Option<Outage>,
    /// Why no failover happened (sentinel CKQUORUM of a survivor), when none did.
    pub reason: Option<String>,
    /// preStop hook output (graceful stop only).
    pub hook_output: Vec<String>,
    /// Largest number of redis reporting role master in one sample while waiting.
    pub max_masters_seen: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// SIGKILL of every process of the pod (node loss).
    Hard,
    /// preStop hook, then SIGTERM (pod deletion, rolling update).
    Graceful,
}

/// Scenarios (b), (c), (e): lose the current master under a writer through HAProxy, wait for a
/// new master that takes writes (bounded by `limit`), and measure the outage.
pub fn lose_master(c: &Cluster, loss: Loss, limit: Duration) -> Result<FailoverReport> {
    let snap = Snapshot::take(c);
    let old = snap
        .agreed_master(c)
        .ok_or_else(|| Error::Scenario(format!("no agreed master before the loss: {snap:?}")))?;
    let prefix = format!(
        "podsim:{}",
        if loss == Loss::Hard {
            "hard"
        } else {
            "graceful"
        }
    );
    let writer = Writer::start(c, &prefix)?;
    c.wait_for(
        "the writer's first 20 acknowledged writes",
        Duration::from_secs(20),
        |_| (writer.acked_count() >= 20).then_some(()),
    )?;
    let t0 = Instant::now();
    let mut hook_output = Vec::new();
    match loss {
        Loss::Hard => c.kill_pod(&old)?,
        Loss::Graceful => hook_output = c.stop_pod_graceful(&old)?,
    }
    let mut max_masters = 0usize;
    let found = c.wait_for("a new master taking writes through HAProxy", limit, |c| {
        let s = Snapshot::take(c);
        max_masters = max_masters.max(s.masters().len());
        let m = s.agreed_master(c)?;
        let acked_after = writer.last_ack().is_some_and(|t| t > t0);
        (m != old && s.masters() == vec![m.clone()] && acked_after).then_some(m)
    });
    match found {
        Ok(new) => {
            // Keep writing a little so the window is closed by several acknowledged writes.
            let n = writer.acked_count();
            let more = c.wait_for(
                "50 more acknowledged writes",
                Duration::from_secs(20),
                |_| (writer.acked_count() >= n + 50).then_some(()),
            );
            if let Err(e) = more {
                return Err(Error::Scenario(format!(
                    "{e}: new master {new}, last write error {:?}, state {:?}",
                    writer.last_error(),
                    Snapshot::take(c)
                )));
            }
            let outage = writer.finish(c, &new, t0)?;
            Ok(FailoverReport {
                old_master: old,
                new_master: Some(new),
                failed_over: true,
                outage: Some(outage),
                reason: None,
                hook_output,
                max_masters_seen: max_masters,
            })
        }
        Err(Error::Timeout { .. }) => {
            let acks = writer.acked_count();
            let writes_after = writer.last_ack().is_some_and(|t| t > t0);
            drop(writer);
            let snap = Snapshot::take(c);
            let reason = format!(
                "{}; state after {} ms: roles {:?}, sentinels {:?}; writes acknowledged after the loss: {writes_after} ({acks} in all)",
                ckquorum(c, &old),
                limit.as_millis(),
                snap.roles,
                snap.sentinels
            );
            Ok(FailoverReport {
                old_master: old,
                new_master: None,
                failed_over: false,
                outage: None,
                reason: Some(reason),
                hook_output,
                max_masters_seen: max_masters,
            })
        }
        Err(e) => Err(e),
    }
}

/// `SENTINEL CKQUORUM` answers of the sentinels outside `lost`.
pub fn ckquorum(c: &Cluster, lost: &str) -> String {
    let mut out = Vec::new();
    for p in c.pod_names(WorkloadKind::StatefulSet) {
        if p == lost {
            continue;
        }
        let Some(ip) = c.pod_addr(&p) else { continue };
        let a = SocketAddr::from((ip, c.facts.sentinel_port));
        let pw = c.facts.sentinel_auth.clone();
        let group = c.facts.master_group.clone();
        let r = c
            .client(move || {
                resp::once(
                    a,
                    pw.as_deref(),
                    &["SENTINEL", "CKQUORUM", &group],
                    Duration::from_millis(500),
                )
            })
            .ok()
            .and_then(|r| r.ok());
        let text = match r {
            Some(Reply::Error(e)) => e,
            Some(other) => other.text().unwrap_or_else(|| format!("{other:?}")),
            None => "unreachable".into(),
        };
        out.push(format!("sentinel of {p}: {text}"));
    }
    out.join("; ")
}

/// Scenario (d): recreate a lost pod; it must rejoin as a replica of the current master,
/// and no sample taken meanwhile may show two masters. Returns the samples taken.
pub fn rejoin(c: &Cluster, pod: &str, limit: Duration) -> Result<usize> {
    let master = Snapshot::take(c)
        .agreed_master(c)
        .ok_or_else(|| Error::Scenario("no agreed master before the rejoin".into()))?;
    let master_addr = c
        .pod_addr(&master)
        .map(|a| a.to_string())
        .unwrap_or_default();
    let mut samples = 0usize;
    let mut violation: Option<Snapshot> = None;
    let started = std::thread::scope(|s| {
        let h = s.spawn(|| c.start_pod(pod));
        while !h.is_finished() {
            let snap = Snapshot::take(c);
            samples += 1;
            if snap.masters().len() > 1 && violation.is_none() {
                violation = Some(snap);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        h.join()
            .map_err(|_| Error::Scenario("start thread panicked".into()))?
    });
    started?;
    let linked = c.wait_for(&format!("{pod} replicating from {master}"), limit, |c| {
        let snap = Snapshot::take(c);
        samples += 1;
        if snap.masters().len() > 1 && violation.is_none() {
            violation = Some(snap.clone());
        }
        let info = c.redis_cmd(pod, &["INFO", "replication"]).ok()?.text()?;
        let me = c.pod_addr(pod).map(|a| a.to_string()).unwrap_or_default();
        // Settled: every sentinel lists the rejoined replica as healthy (sentinels learn
        // replicas from the master's INFO every 10 s; one that does not know a replica will
        // not repoint it in the next failover).
        let known = c
            .pod_names(WorkloadKind::StatefulSet)
            .iter()
            .filter(|p| c.pod_state(p) == Some(crate::cluster::PodState::Ready))
            .all(|p| c.sentinel_replica_flags(p, &me).as_deref() == Some("slave"));
        let ok = resp::info_field(&info, "role").as_deref() == Some("slave")
            && resp::info_field(&info, "master_host").as_deref() == Some(master_addr.as_str())
            && resp::info_field(&info, "master_link_status").as_deref() == Some("up")
            && snap.agreed_master(c).as_deref() == Some(master.as_str())
            && known;
        ok.then_some(())
    });
    if let Some(v) = violation {
        return Err(Error::Scenario(format!(
            "two masters at one sample during the rejoin: {v:?}"
        )));
    }
    linked?;
    Ok(samples)
}
