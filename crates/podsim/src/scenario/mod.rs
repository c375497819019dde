//! Scenarios shared by the integration tests and the `podsim failover` command.

use crate::cluster::Cluster;
use crate::error::{Error, Result};
use crate::manifest::WorkloadKind;
use crate::resp::{self, Reply};

mod writer;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
pub use writer::{Outage, Writer};

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
    /// When the master was lost.
    #[serde(skip)]
    pub lost_at: Option<Instant>,
    /// When the harness first saw another pod report role master (it polls every 100 ms).
    #[serde(skip)]
    pub new_master_seen_at: Option<Instant>,
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
    let mut seen_at = None;
    let found = c.wait_for("a new master taking writes through HAProxy", limit, |c| {
        let s = Snapshot::take(c);
        max_masters = max_masters.max(s.masters().len());
        if seen_at.is_none() && s.masters().iter().any(|m| *m != old) {
            seen_at = Some(Instant::now());
        }
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
                lost_at: Some(t0),
                new_master_seen_at: seen_at,
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
                lost_at: Some(t0),
                new_master_seen_at: None,
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

/// Waits (bounded) until [`settled`] names a master.
pub fn settle(c: &Cluster, limit: Duration) -> Result<String> {
    c.wait_for("the group to settle on one master", limit, settled)
}

/// The master when the group is whole: every sentinel that answers names one master M, M is
/// the only redis reporting master, and every other started pod replicates M with its link up
/// and is listed by every running sentinel (sentinels learn replicas from the master's INFO
/// every 10 s; a failover before that leaves an unknown replica behind).
pub fn settled(c: &Cluster) -> Option<String> {
    let snap = Snapshot::take(c);
    let m = snap.agreed_master(c)?;
    if snap.masters() != vec![m.clone()] {
        return None;
    }
    let maddr = c.pod_addr(&m)?.to_string();
    let up: Vec<String> = c
        .pod_names(WorkloadKind::StatefulSet)
        .into_iter()
        .filter(|p| {
            matches!(
                c.pod_state(p),
                Some(crate::cluster::PodState::Ready | crate::cluster::PodState::Starting)
            )
        })
        .collect();
    for p in up.iter().filter(|p| **p != m) {
        let info = c.redis_cmd(p, &["INFO", "replication"]).ok()?.text()?;
        let linked = resp::info_field(&info, "role").as_deref() == Some("slave")
            && resp::info_field(&info, "master_host").as_deref() == Some(maddr.as_str())
            && resp::info_field(&info, "master_link_status").as_deref() == Some("up");
        let addr = c.pod_addr(p)?.to_string();
        let known = up
            .iter()
            .all(|s| c.sentinel_replica_flags(s, &addr).as_deref() == Some("slave"));
        if !(linked && known) {
            return None;
        }
    }
    Some(m)
}
