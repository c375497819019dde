//! `podsim failover CHART [-f VALUES]... [--json]`: runs the chart's pods as local processes
//! and measures a hard loss and a graceful stop of the master.

use clap::{Parser, Subcommand};
use podsim::cluster::{Cluster, Options};
use podsim::manifest::{Manifest, WorkloadKind};
use podsim::scenario::{bootstrap, lose_master, rejoin, FailoverReport, Loss};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "podsim",
    about = "Run a rendered redis-ha chart's pods as real processes (root, no Kubernetes)"
)]
pub struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Measure the write outage of a hard loss and of a graceful stop of the master pod.
    Failover {
        /// Chart directory (e.g. generated-charts/redis-ha).
        chart: PathBuf,
        /// Values files, as for `helm template -f`.
        #[arg(short = 'f', long = "values")]
        values: Vec<PathBuf>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        /// Release name.
        #[arg(long, default_value = "podsim")]
        release: String,
        /// Keep the run directory (logs) under the temp dir.
        #[arg(long)]
        keep: bool,
        /// Comparison only, not Kubernetes semantics: on the graceful stop run every preStop
        /// hook before any container of the pod gets SIGTERM.
        #[arg(long)]
        hooks_before_sigterm: bool,
    },
}

#[derive(serde::Serialize)]
struct Summary {
    pods: usize,
    quorum: u32,
    down_after_ms: u64,
    failed_over: bool,
    hard_kill_unavailable_ms: Option<u64>,
    acked_writes_lost: Option<u64>,
    no_failover_reason: Option<String>,
    old_master_rejoined: Option<bool>,
    graceful_failed_over: bool,
    graceful_unavailable_ms: Option<u64>,
    graceful_acked_writes_lost: Option<u64>,
    graceful_prestop_output: Vec<String>,
    /// What the writer saw after each fault: (ms after the fault, "ok" or the error), one
    /// entry per change.
    hard_timeline: Vec<(u64, String)>,
    graceful_timeline: Vec<(u64, String)>,
    /// Most redis reporting role master in one sample, across both faults.
    max_masters_seen: usize,
}

fn limit(c: &Cluster) -> Duration {
    Duration::from_millis(c.facts.down_after_ms) + Duration::from_secs(30)
}

fn new_cluster(m: &str, keep: bool, hooks_first: bool) -> podsim::Result<Cluster> {
    let opts = Options {
        keep_dir: keep,
        hooks_before_sigterm: hooks_first,
        ..Options::default()
    };
    Cluster::new(Manifest::parse(m)?, opts)
}

fn failover(
    chart: &std::path::Path,
    values: &[PathBuf],
    release: &str,
    keep: bool,
    hooks_first: bool,
) -> podsim::Result<Summary> {
    let yaml = podsim::render::helm_template(chart, values, release)?;
    let c = new_cluster(&yaml, keep, hooks_first)?;
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
        let c2 = new_cluster(&yaml, keep, hooks_first)?;
        bootstrap(&c2)?;
        (lose_master(&c2, Loss::Graceful, limit(&c2))?, c2)
    };
    Ok(summary(&c, pods, &hard, rejoined, &graceful))
}

fn summary(
    c: &Cluster,
    pods: usize,
    hard: &FailoverReport,
    rejoined: Option<bool>,
    graceful: &FailoverReport,
) -> Summary {
    Summary {
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
        hard_timeline: timeline(hard),
        graceful_timeline: timeline(graceful),
        max_masters_seen: hard.max_masters_seen.max(graceful.max_masters_seen),
    }
}

fn timeline(r: &FailoverReport) -> Vec<(u64, String)> {
    r.outage
        .as_ref()
        .map(|o| o.timeline.clone())
        .unwrap_or_default()
}

/// The writer's timeline, one change per line.
fn print_timeline(t: &[(u64, String)]) {
    for (ms, event) in t {
        println!("    +{ms:>6} ms  {event}");
    }
}

fn ms(v: Option<u64>) -> String {
    v.map(|v| format!("{v} ms")).unwrap_or_else(|| "-".into())
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Before any thread exists, so that every thread inherits the blocked mask.
    podsim::cleanup::install_signal_handlers();
    match cli.cmd {
        Cmd::Failover {
            chart,
            values,
            json,
            release,
            keep,
            hooks_before_sigterm,
        } => match failover(&chart, &values, &release, keep, hooks_before_sigterm) {
            Ok(s) => {
                if json {
                    println!("{}", serde_json::to_string(&s).unwrap_or_default());
                } else {
                    println!(
                        "pods: {}  quorum: {}  down-after: {} ms",
                        s.pods, s.quorum, s.down_after_ms
                    );
                    println!("hard loss of the master pod:");
                    println!("  failed over:        {}", s.failed_over);
                    println!("  unavailable:        {}", ms(s.hard_kill_unavailable_ms));
                    println!(
                        "  acked writes lost:  {}",
                        s.acked_writes_lost
                            .map(|v| v.to_string())
                            .unwrap_or_else(|| "-".into())
                    );
                    if let Some(r) = &s.no_failover_reason {
                        println!("  reason:             {r}");
                    }
                    println!("  writer (ms after the kill):");
                    print_timeline(&s.hard_timeline);
                    if let Some(r) = s.old_master_rejoined {
                        println!("  old master rejoined as replica: {r}");
                    }
                    println!("graceful stop of the master pod (preStop, then SIGTERM):");
                    println!("  handed over:        {}", s.graceful_failed_over);
                    println!("  unavailable:        {}", ms(s.graceful_unavailable_ms));
                    println!(
                        "  acked writes lost:  {}",
                        s.graceful_acked_writes_lost
                            .map(|v| v.to_string())
                            .unwrap_or_else(|| "-".into())
                    );
                    println!("  writer (ms after the pod deletion):");
                    print_timeline(&s.graceful_timeline);
                    for h in &s.graceful_prestop_output {
                        println!("  {}", h.trim_end().replace('\n', "\n  "));
                    }
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("podsim: {e}");
                ExitCode::FAILURE
            }
        },
    }
}
