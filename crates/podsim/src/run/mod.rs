//! `podsim run SCENARIO CHART [-f FILE]... [--server S]`: one fault scenario on a fresh
//! cluster of the chart, reported as one [`RunReport`] (the JSON the CLI prints).
//!
//! Every scenario runs a [`Writer`](crate::scenario::Writer) that confirms one write in
//! [`WAIT_EVERY`](crate::scenario::writer::WAIT_EVERY) with `WAIT 1`, injects its fault, waits
//! (bounded) for the group to settle, and reads the acknowledged keys back from the final
//! master. A scenario *passes* when its promises hold; every scenario promises that no write
//! confirmed by `WAIT 1` is lost.

mod failover;
mod faults;
mod monitoring;

use crate::cluster::{Cluster, Options};
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::scenario::Outage;
use crate::server::ServerKind;
use std::path::{Path, PathBuf};

pub use failover::{failover_summary, FailoverSummary};
pub use monitoring::{monitoring, AlertCheck, MonitoringOptions, MonitoringReport, PanelData};

/// The scenarios `podsim run` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// Hard loss of the master pod, its return, then a graceful stop of the new master.
    Failover,
    /// The master's redis container is killed and restarted at once (OOMKill, crash).
    ContainerRestart,
    /// Every pod stops; pod 0 had missed the last writes; all restart in ordinal order.
    FullOutage,
    /// `full-outage` with pod 0's volume emptied before the restart.
    FullOutageEmptyVolume,
    /// The master's pod is cut off from the other pods while a client still reaches it.
    Partition,
    /// A replica's full sync lasts longer than the startup probe lets a stalled start take.
    SlowSync,
    /// Every pod stopped gracefully and restarted in reverse ordinal order under writes.
    RollingRestart,
    /// The master is stopped gracefully while its replicas are behind.
    LaggingReplica,
}

impl Scenario {
    pub const ALL: [Scenario; 8] = [
        Scenario::Failover,
        Scenario::ContainerRestart,
        Scenario::FullOutage,
        Scenario::FullOutageEmptyVolume,
        Scenario::Partition,
        Scenario::SlowSync,
        Scenario::RollingRestart,
        Scenario::LaggingReplica,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Failover => "failover",
            Scenario::ContainerRestart => "container-restart",
            Scenario::FullOutage => "full-outage",
            Scenario::FullOutageEmptyVolume => "full-outage-empty-volume",
            Scenario::Partition => "partition",
            Scenario::SlowSync => "slow-sync",
            Scenario::RollingRestart => "rolling-restart",
            Scenario::LaggingReplica => "lagging-replica",
        }
    }
}

impl std::str::FromStr for Scenario {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Scenario::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Scenario::ALL.iter().map(|k| k.name()).collect();
                format!(
                    "unknown scenario `{s}`; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// How to run a scenario (besides the chart and values).
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub server: ServerKind,
    pub release: String,
    /// Keep the run directory (logs).
    pub keep: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            server: ServerKind::default(),
            release: "podsim".into(),
            keep: false,
        }
    }
}

/// What one scenario run measured, and whether its promises held.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunReport {
    pub scenario: Scenario,
    pub server: ServerKind,
    pub server_version: String,
    pub chart: String,
    pub values: Vec<String>,
    pub pods: usize,
    /// Pods whose traffic the rendered NetworkPolicies filtered (nftables in their namespace).
    pub network_policy_pods: usize,
    /// Acknowledged writes missing on the final master (async replication may lose writes
    /// only the master had).
    pub acked_writes_lost: u64,
    /// Writes confirmed by `WAIT 1` (a replica had them) missing on the final master.
    pub replicated_writes_lost: u64,
    pub writes_acked: u64,
    pub writes_replicated: u64,
    /// Longest gap between two acknowledged writes of the writer through HAProxy after the
    /// fault, ms.
    pub unavailable_ms: u64,
    /// Full resynchronisations served after the fault (masters' "Full resync requested").
    pub full_syncs: u64,
    /// The pod that was master at the end.
    pub final_master: String,
    /// True when every promise of the scenario held.
    pub passed: bool,
    /// The promises that did not hold.
    pub failures: Vec<String>,
    /// Scenario-specific figures (see each scenario).
    pub details: serde_json::Map<String, serde_json::Value>,
    /// What the writer through HAProxy saw from the fault on: (ms after the fault, event).
    pub timeline: Vec<(u64, String)>,
}

/// What a scenario hands back to [`run`].
struct Measured {
    outage: Outage,
    final_master: String,
    full_syncs: u64,
    /// Writes of other writers (a direct client in a partition): added to the totals.
    extra: Vec<Outage>,
    details: serde_json::Map<String, serde_json::Value>,
    /// Promises specific to the scenario that did not hold.
    failures: Vec<String>,
}

impl Measured {
    fn new(
        outage: Outage,
        final_master: String,
        full_syncs: u64,
        details: serde_json::Map<String, serde_json::Value>,
        failures: Vec<String>,
    ) -> Measured {
        Measured {
            outage,
            final_master,
            full_syncs,
            extra: Vec::new(),
            details,
            failures,
        }
    }
}

/// Renders `chart` with `values`, runs `scenario` on a fresh cluster and reports.
pub fn run(
    scenario: Scenario,
    chart: &Path,
    values: &[PathBuf],
    opts: &RunOptions,
) -> Result<RunReport> {
    let yaml = crate::render::helm_template(chart, values, &opts.release)?;
    run_manifest(scenario, Manifest::parse(&yaml)?, chart, values, opts)
}

/// Runs `scenario` on an already rendered (and possibly edited) manifest of `chart`.
pub fn run_manifest(
    scenario: Scenario,
    manifest: Manifest,
    chart: &Path,
    values: &[PathBuf],
    opts: &RunOptions,
) -> Result<RunReport> {
    let cluster = Cluster::new(
        manifest,
        Options {
            keep_dir: opts.keep,
            server: opts.server,
            ..Options::default()
        },
    )?;
    eprintln!(
        "podsim: {} on {} {} (run directory {})",
        scenario.name(),
        cluster.server.kind,
        cluster.server.version,
        cluster.dir.display()
    );
    let c = &cluster;
    let m = match scenario {
        Scenario::Failover => failover::run(c)?,
        Scenario::ContainerRestart => faults::container_restart(c)?,
        Scenario::FullOutage => faults::full_outage(c, false)?,
        Scenario::FullOutageEmptyVolume => faults::full_outage(c, true)?,
        Scenario::Partition => faults::partition(c)?,
        Scenario::SlowSync => faults::slow_sync(c)?,
        Scenario::RollingRestart => faults::rolling_restart(c)?,
        Scenario::LaggingReplica => faults::lagging_replica(c)?,
    };
    let mut failures = m.failures;
    let sum = |f: fn(&Outage) -> u64| f(&m.outage) + m.extra.iter().map(f).sum::<u64>();
    let replicated_lost = sum(|o| o.replicated_writes_lost);
    if replicated_lost > 0 {
        failures.insert(
            0,
            format!("{replicated_lost} write(s) confirmed by WAIT 1 were lost"),
        );
    }
    Ok(RunReport {
        scenario,
        server: c.server.kind,
        server_version: c.server.version.clone(),
        chart: chart.display().to_string(),
        values: values.iter().map(|v| v.display().to_string()).collect(),
        pods: c
            .pod_names(crate::manifest::WorkloadKind::StatefulSet)
            .len(),
        network_policy_pods: c.policed_pods.len(),
        acked_writes_lost: sum(|o| o.acked_writes_lost),
        replicated_writes_lost: replicated_lost,
        writes_acked: sum(|o| o.writes_acked),
        writes_replicated: sum(|o| o.writes_replicated),
        unavailable_ms: m.outage.unavailable_ms,
        full_syncs: m.full_syncs,
        final_master: m.final_master,
        passed: failures.is_empty(),
        failures,
        details: m.details,
        timeline: m.outage.timeline,
    })
}

impl RunReport {
    /// A short human summary (the CLI without `--json`).
    pub fn human(&self) -> String {
        let mut out = format!(
            "{} on {} {} ({} pods): {}\n",
            self.scenario.name(),
            self.server,
            self.server_version,
            self.pods,
            if self.passed { "PASSED" } else { "FAILED" }
        );
        out += &format!(
            "  writes acknowledged {} (lost {}), confirmed by WAIT 1 {} (lost {})\n",
            self.writes_acked,
            self.acked_writes_lost,
            self.writes_replicated,
            self.replicated_writes_lost
        );
        out += &format!(
            "  unavailable {} ms, full syncs {}, final master {}\n",
            self.unavailable_ms, self.full_syncs, self.final_master
        );
        for (k, v) in &self.details {
            out += &format!("  {k}: {v}\n");
        }
        for f in &self.failures {
            out += &format!("  promise broken: {f}\n");
        }
        out
    }
}

fn scenario_err(what: &str, e: Error) -> Error {
    Error::Scenario(format!("{what}: {e}"))
}
