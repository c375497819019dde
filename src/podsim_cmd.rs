//! `podsim`: runs a rendered redis-ha chart's pods as local processes and injects faults.
//! A thin command line over the podsim library (scenarios and reports live there).

use clap::{Parser, Subcommand};
use podsim::run::run;
use podsim::run::{failover_summary, monitoring, MonitoringOptions, RunOptions, Scenario};
use podsim::server::ServerKind;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "podsim",
    about = "Run a rendered redis-ha chart's pods as real processes (root, no Kubernetes)"
)]
pub struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Args)]
struct Common {
    /// Chart directory (e.g. generated-charts/redis-ha).
    chart: PathBuf,
    /// Values files, as for `helm template -f`.
    #[arg(short = 'f', long = "values")]
    values: Vec<PathBuf>,
    /// Server behind the image's binaries: redis7 (Debian 7.0.15), redis8 (8.2.3) or valkey9
    /// (9.1.2; both from .tools/servers, see scripts/install-test-tools.sh).
    #[arg(long, default_value = "redis7", value_parser = parse_server)]
    server: ServerKind,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Release name.
    #[arg(long, default_value = "podsim")]
    release: String,
    /// Keep the run directory (logs) under the temp dir.
    #[arg(long)]
    keep: bool,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run one fault scenario: failover, container-restart, full-outage,
    /// full-outage-empty-volume, partition, slow-sync, rolling-restart, lagging-replica.
    /// Exit status 1 when a promise of the scenario does not hold.
    Run {
        #[arg(value_parser = parse_scenario)]
        scenario: Scenario,
        #[command(flatten)]
        common: Common,
    },
    /// Measure the write outage of a hard loss and of a graceful stop of the master pod.
    Failover {
        #[command(flatten)]
        common: Common,
        /// Comparison only, not Kubernetes semantics: on the graceful stop run every preStop
        /// hook before any container of the pod gets SIGTERM.
        #[arg(long)]
        hooks_before_sigterm: bool,
    },
    /// Prove the chart's alerts and dashboard on a live group: a real Prometheus (Debian's
    /// prometheus) scrapes the exporters as the rendered ServiceMonitors say and evaluates the
    /// rendered PrometheusRule while a replica and the master are lost and memory fills.
    /// Exit status 1 when an expected alert does not fire in time, an unexpected one fires,
    /// or a dashboard panel has no data.
    Monitoring {
        #[command(flatten)]
        common: Common,
        /// Plot every dashboard panel's series over the run to this PNG file.
        #[arg(long)]
        png: Option<PathBuf>,
        /// Kubernetes namespace of Prometheus's pod (the NetworkPolicies must admit it).
        #[arg(long, default_value = "monitoring")]
        prometheus_namespace: String,
    },
}

fn parse_server(s: &str) -> Result<ServerKind, String> {
    s.parse()
}

fn parse_scenario(s: &str) -> Result<Scenario, String> {
    s.parse()
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Before any thread exists, so that every thread inherits the blocked mask.
    podsim::cleanup::install_signal_handlers();
    let result = match cli.cmd {
        Cmd::Run { scenario, common } => {
            let opts = RunOptions {
                server: common.server,
                release: common.release.clone(),
                keep: common.keep,
            };
            run(scenario, &common.chart, &common.values, &opts).map(|r| {
                let text = if common.json {
                    serde_json::to_string(&r).unwrap_or_default()
                } else {
                    r.human()
                };
                (text, r.passed)
            })
        }
        Cmd::Failover {
            common,
            hooks_before_sigterm,
        } => failover_summary(
            &common.chart,
            &common.values,
            &common.release,
            common.keep,
            hooks_before_sigterm,
            common.server,
        )
        .map(|s| {
            let text = if common.json {
                serde_json::to_string(&s).unwrap_or_default()
            } else {
                s.human()
            };
            (text, true)
        }),
        Cmd::Monitoring {
            common,
            png,
            prometheus_namespace,
        } => {
            let opts = MonitoringOptions {
                server: common.server,
                release: common.release.clone(),
                keep: common.keep,
                png,
                prometheus_namespace,
                ..MonitoringOptions::default()
            };
            monitoring(&common.chart, &common.values, &opts).map(|r| {
                let text = if common.json {
                    serde_json::to_string(&r).unwrap_or_default()
                } else {
                    r.human()
                };
                (text, r.passed)
            })
        }
    };
    match result {
        Ok((text, passed)) => {
            println!("{}", text.trim_end());
            if passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("podsim: {e}");
            ExitCode::from(2)
        }
    }
}
