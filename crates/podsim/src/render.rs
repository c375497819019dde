//! Runs `helm template` for a chart and values files.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The helm binary: $PODSIM_HELM, else the workspace's .tools/bin/helm4, else `helm` on PATH.
pub fn helm_binary() -> PathBuf {
    if let Ok(p) = std::env::var("PODSIM_HELM") {
        return PathBuf::from(p);
    }
    let ws = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/bin/helm4");
    if ws.exists() {
        return ws;
    }
    PathBuf::from("helm")
}

/// `helm template <release> <chart> -f ...` (namespace "default").
pub fn helm_template(chart: &Path, values: &[PathBuf], release: &str) -> Result<String> {
    helm_template_with(chart, values, release, &[])
}

/// [`helm_template`] with extra arguments (e.g. `--api-versions`).
pub fn helm_template_with(
    chart: &Path,
    values: &[PathBuf],
    release: &str,
    extra: &[&str],
) -> Result<String> {
    let helm = helm_binary();
    let mut c = Command::new(&helm);
    c.args(["template", release])
        .arg(chart)
        .args(["--namespace", "default"])
        .args(extra);
    for v in values {
        c.arg("-f").arg(v);
    }
    let out = c
        .output()
        .map_err(|e| Error::MissingTool(format!("{}: {e}", helm.display())))?;
    if !out.status.success() {
        return Err(Error::Command {
            cmd: format!("{} template {release} {}", helm.display(), chart.display()),
            detail: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The repository's generated `redis-ha` chart (`cargo run -p chartgen` writes it).
pub fn workspace_chart() -> Result<PathBuf> {
    let chart = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../generated-charts/redis-ha");
    if chart.join("Chart.yaml").exists() && chart.join("templates").exists() {
        return Ok(chart);
    }
    Err(Error::MissingTool(format!(
        "{} is missing: run `cargo run -p chartgen`",
        chart.display()
    )))
}
