//! `failover`: hard loss of the master pod, its return as a replica, then a graceful stop of
//! the new master. Also the older `podsim failover` summary (both losses on one cluster, a
//! fresh install for the graceful stop when the hard loss cannot fail over).

use super::Measured;
use crate::cluster::{Cluster, Options};
use crate::error::Result;
use crate::manifest::{Manifest, WorkloadKind};
use crate::scenario::{bootstrap, lose_master, rejoin, FailoverReport, Loss};
use crate::server::ServerKind;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn limit(c: &Cluster) -> Duration {
    Duration::from_millis(c.facts.down_after_ms) + Duration::from_secs(30)
}

/// The `run failover` scenario.
pub(super) fn run(c: &Cluster) -> Result<Measured> {
    bootstrap(c)?;
    let pods = c.pod_names(WorkloadKind::StatefulSet).len();
    let fs0 = c.full_syncs();
    let hard = lose_master(c, Loss::Hard, limit(c))?;
    let mut failures = Vec::new();
    let mut details = serde_json::Map::new();
    details.insert("hard_failed_over".into(), json!(hard.failed_over));
    let Some(outage) = hard.outage.clone() else {
        // No new master (a group without a majority of sentinels): nothing was written after
        // the loss, so nothing can be read back either.
        if pods >= 3 {
            failures.push(format!(
                "no failover after the master's loss: {:?}",
                hard.reason
            ));
        }
        details.insert("no_failover_reason".into(), json!(hard.reason));
        return Ok(Measured {
            outage: crate::scenario::Outage {
                unavailable_ms: 0,
                writes_acked: 0,
                writes_failed: 0,
                writes_replicated: 0,
                acked_writes_lost: 0,
                replicated_writes_lost: 0,
                last_ack_after_fault_ms: None,
                timeline: Vec::new(),
            },
            final_master: hard.old_master,
            full_syncs: c.full_syncs() - fs0,
            extra: Vec::new(),
            details,
            failures,
        });
    };
    let rejoined = rejoin(c, &hard.old_master, Duration::from_secs(60));
    details.insert("old_master_rejoined".into(), json!(rejoined.is_ok()));
    if let Err(e) = &rejoined {
        failures.push(format!("the old master did not rejoin as a replica: {e}"));
    }
    let graceful = lose_master(c, Loss::Graceful, limit(c))?;
    details.insert("graceful_failed_over".into(), json!(graceful.failed_over));
    let mut extra = Vec::new();
    match &graceful.outage {
        Some(o) => {
            details.insert("graceful_unavailable_ms".into(), json!(o.unavailable_ms));
            details.insert(
                "graceful_acked_writes_lost".into(),
                json!(o.acked_writes_lost),
            );
            if o.acked_writes_lost > 0 {
                failures.push(format!(
                    "a graceful stop lost {} acknowledged write(s)",
                    o.acked_writes_lost
                ));
            }
            extra.push(o.clone());
        }
        None => failures.push(format!(
            "no hand-over on a graceful stop: {:?}",
            graceful.reason
        )),
    }
    let final_master = graceful
        .new_master
        .clone()
        .or(hard.new_master.clone())
        .unwrap_or_default();
    Ok(Measured {
        outage,
        final_master,
        full_syncs: c.full_syncs() - fs0,
        extra,
        details,
        failures,
    })
}

/// The figures of `podsim failover`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FailoverSummary {
    pub server: ServerKind,
    pub server_version: String,
    pub pods: usize,
    pub quorum: u32,
    pub down_after_ms: u64,
    pub failed_over: bool,
    pub hard_kill_unavailable_ms: Option<u64>,
    pub acked_writes_lost: Option<u64>,
    pub no_failover_reason: Option<String>,
    pub old_master_rejoined: Option<bool>,
    pub graceful_failed_over: bool,
    pub graceful_unavailable_ms: Option<u64>,
    pub graceful_acked_writes_lost: Option<u64>,
    pub graceful_prestop_output: Vec<String>,
    /// What the writer saw after each fault: (ms after the fault, "ok" or the error), one
    /// entry per change.
    pub hard_timeline: Vec<(u64, String)>,
    pub graceful_timeline: Vec<(u64, String)>,
    /// Most redis reporting role master in one sample, across both faults.
    pub max_masters_seen: usize,
}

fn new_cluster(m: &str, keep: bool, hooks_first: bool, server: ServerKind) -> Result<Cluster> {
    let opts = Options {
        keep_dir: keep,
        hooks_before_sigterm: hooks_first,
        server,
        ..Options::default()
    };
    Cluster::new(Manifest::parse(m)?, opts)
}

/// `podsim failover`: a hard loss and a graceful stop of the master, measured.
pub fn failover_summary(
    chart: &Path,
    values: &[PathBuf],
    release: &str,
    keep: bool,
    hooks_first: bool,
    server: ServerKind,
) -> Result<FailoverSummary> {
    let yaml = crate::render::helm_template(chart, values, release)?;
    let c = new_cluster(&yaml, keep, hooks_first, server)?;
    eprintln!("podsim: run directory {}", c.dir.display());
    bootstrap(&c)?;
    let pods = c.pod_names(WorkloadKind::StatefulSet).len();
    eprintln!("podsim: {pods} redis pods up; hard loss of the master");
    let hard = lose_master(&c, Loss::Hard, limit(&c))?;
    let mut rejoined = None;
    let (graceful, c) = if hard.failed_over {
        eprintln!(
            "podsim: failed over to {:?}; restarting {}",
            hard.new_master, hard.old_master
        );
        let r = rejoin(&c, &hard.old_master, Duration::from_secs(60));
        if let Err(e) = &r {
            eprintln!("podsim: rejoin failed: {e}");
        }
        rejoined = Some(r.is_ok());
        eprintln!("podsim: graceful stop of the master");
        (lose_master(&c, Loss::Graceful, limit(&c))?, c)
    } else {
        // The group is stuck without a master: measure the graceful stop on a fresh install.
        eprintln!(
            "podsim: no failover ({:?}); fresh install for the graceful stop",
            hard.reason
        );
        drop(c);
        let c2 = new_cluster(&yaml, keep, hooks_first, server)?;
        bootstrap(&c2)?;
        (lose_master(&c2, Loss::Graceful, limit(&c2))?, c2)
    };
    let timeline = |r: &FailoverReport| {
        r.outage
            .as_ref()
            .map(|o| o.timeline.clone())
            .unwrap_or_default()
    };
    Ok(FailoverSummary {
        server,
        server_version: c.server.version.clone(),
        pods,
        quorum: c.facts.quorum,
        down_after_ms: c.facts.down_after_ms,
        failed_over: hard.failed_over,
        hard_kill_unavailable_ms: hard.outage.as_ref().map(|o| o.unavailable_ms),
        acked_writes_lost: hard.outage.as_ref().map(|o| o.acked_writes_lost),
        no_failover_reason: hard.reason.clone(),
        old_master_rejoined: rejoined,
        graceful_failed_over: graceful.failed_over,
        graceful_unavailable_ms: graceful.outage.as_ref().map(|o| o.unavailable_ms),
        graceful_acked_writes_lost: graceful.outage.as_ref().map(|o| o.acked_writes_lost),
        graceful_prestop_output: graceful.hook_output.clone(),
        hard_timeline: timeline(&hard),
        graceful_timeline: timeline(&graceful),
        max_masters_seen: hard.max_masters_seen.max(graceful.max_masters_seen),
    })
}

fn ms(v: Option<u64>) -> String {
    v.map(|v| format!("{v} ms")).unwrap_or_else(|| "-".into())
}

fn count(v: Option<u64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

fn timeline_text(t: &[(u64, String)]) -> String {
    t.iter()
        .map(|(ms, event)| format!("    +{ms:>6} ms  {event}\n"))
        .collect()
}

impl FailoverSummary {
    /// The human report of `podsim failover`.
    pub fn human(&self) -> String {
        let mut o = format!(
            "{} {}: pods: {}  quorum: {}  down-after: {} ms\n",
            self.server, self.server_version, self.pods, self.quorum, self.down_after_ms
        );
        o += "hard loss of the master pod:\n";
        o += &format!("  failed over:        {}\n", self.failed_over);
        o += &format!(
            "  unavailable:        {}\n",
            ms(self.hard_kill_unavailable_ms)
        );
        o += &format!("  acked writes lost:  {}\n", count(self.acked_writes_lost));
        if let Some(r) = &self.no_failover_reason {
            o += &format!("  reason:             {r}\n");
        }
        o += "  writer (ms after the kill):\n";
        o += &timeline_text(&self.hard_timeline);
        if let Some(r) = self.old_master_rejoined {
            o += &format!("  old master rejoined as replica: {r}\n");
        }
        o += "graceful stop of the master pod (preStop, then SIGTERM):\n";
        o += &format!("  handed over:        {}\n", self.graceful_failed_over);
        o += &format!(
            "  unavailable:        {}\n",
            ms(self.graceful_unavailable_ms)
        );
        o += &format!(
            "  acked writes lost:  {}\n",
            count(self.graceful_acked_writes_lost)
        );
        o += "  writer (ms after the pod deletion):\n";
        o += &timeline_text(&self.graceful_timeline);
        for h in &self.graceful_prestop_output {
            o += &format!("  {}\n", h.trim_end().replace('\n', "\n  "));
        }
        o
    }
}
