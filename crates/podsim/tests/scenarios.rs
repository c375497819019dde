//! The seed's two pods against the chart, run as real processes (requires root; fails, never
//! skips). The other scenarios (bootstrap, failover, rejoin, graceful stop, auth, the faults of
//! issue 10) are in faults.rs.

use podsim::cluster::{Cluster, Options};
use podsim::manifest::Manifest;
use podsim::render::{helm_template, workspace_chart};
use podsim::scenario::{bootstrap, lose_master, Loss};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// Scenarios share the machine's 2 cores: run them one at a time so timings mean something.
static SERIAL: Mutex<()> = Mutex::new(());

fn values(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/values")
        .join(name)
}

/// A cluster of the chart rendered with `base` values files, then fast.yaml (short timings).
fn cluster_with(base: &[&str], extra: &[&str]) -> Cluster {
    let chart = workspace_chart().expect("chart");
    let mut files: Vec<PathBuf> = base.iter().map(|e| values(e)).collect();
    files.push(values("fast.yaml"));
    files.extend(extra.iter().map(|e| values(e)));
    let yaml = helm_template(&chart, &files, "rel").expect("helm template");
    let m = Manifest::parse(&yaml).expect("manifest");
    let opts = Options {
        keep_dir: std::env::var_os("PODSIM_KEEP").is_some(),
        ..Options::default()
    };
    Cluster::new(m, opts).expect("cluster")
}

fn must<T>(c: &Cluster, r: podsim::Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => {
            let logs: String = c
                .pod_names(podsim::manifest::WorkloadKind::StatefulSet)
                .iter()
                .map(|p| c.logs(p, 15))
                .collect();
            panic!("{e}\n{logs}")
        }
    }
}

#[test]
fn e_two_pods_hard_loss_does_not_fail_over() {
    let _g = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let c = cluster_with(&["seed-redis-1g.yaml"], &[]);
    assert_eq!(
        c.pod_names(podsim::manifest::WorkloadKind::StatefulSet)
            .len(),
        2
    );
    must(&c, bootstrap(&c));
    // Sentinel's election timeout is 10 s; a failover that can happen happens within
    // down-after + that. Watch for twice as long.
    let watch = Duration::from_millis(c.facts.down_after_ms) + Duration::from_secs(20);
    let r = must(&c, lose_master(&c, Loss::Hard, watch));
    println!(
        "(e) hard loss with 2 pods: {}",
        serde_json::to_string(&r).unwrap_or_default()
    );
    assert!(
        !r.failed_over,
        "a 2-pod group failed over after losing the master pod: {r:?}"
    );
    let reason = r.reason.unwrap_or_default();
    println!("(e) no failover, as expected: {reason}");
    assert!(
        reason.contains("NOQUORUM") || reason.contains("majority"),
        "unexpected reason: {reason}"
    );
}
