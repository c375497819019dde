//! HA scenarios against the chart, run as real processes (requires root; fails, never skips).

use podsim::cluster::{Cluster, Options};
use podsim::manifest::Manifest;
use podsim::render::{helm_template, workspace_chart};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Scenarios share the machine's 2 cores: run them one at a time so timings mean something.
static SERIAL: Mutex<()> = Mutex::new(());

fn values(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/values").join(name)
}

fn cluster(extra: &[&str]) -> Cluster {
    let scratch = std::env::temp_dir().join(format!("podsim-chart-{}", std::process::id()));
    let chart = workspace_chart(&scratch).expect("chart");
    let mut files = vec![values("fast.yaml")];
    files.extend(extra.iter().map(|e| values(e)));
    let yaml = helm_template(&chart, &files, "rel").expect("helm template");
    let m = Manifest::parse(&yaml).expect("manifest");
    let opts = Options { keep_dir: std::env::var_os("PODSIM_KEEP").is_some(), ..Options::default() };
    Cluster::new(m, opts).expect("cluster")
}

#[test]
fn a_bootstrap_three_pods() {
    let _g = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let c = cluster(&[]);
    match podsim::scenario::bootstrap(&c) {
        Ok(master) => assert_eq!(master, "rel-redis-ha-server-0"),
        Err(e) => panic!("{e}\n{}", c.logs("rel-redis-ha-server-0", 20)),
    }
}
