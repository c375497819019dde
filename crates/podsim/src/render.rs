//! Runs `helm template` for a chart and values files.

use crate::error::{io, Error, Result};
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
    let helm = helm_binary();
    let mut c = Command::new(&helm);
    c.args(["template", release])
        .arg(chart)
        .args(["--namespace", "default"]);
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

/// The chart to test: generated-charts/redis-ha when it exists, else a scratch chart assembled
/// from chart-src (templates, files, the default values) in `scratch`.
pub fn workspace_chart(scratch: &Path) -> Result<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let generated = root.join("generated-charts/redis-ha");
    if generated.join("Chart.yaml").exists() && generated.join("templates").exists() {
        return Ok(generated);
    }
    let src = root.join("chart-src");
    let _ = std::fs::remove_dir_all(scratch);
    for sub in ["templates", "files"] {
        copy_dir(&src.join(sub), &scratch.join(sub))?;
    }
    let values = root.join("../shared/../brief/scratch-values.yaml");
    let values = if values.exists() {
        values
    } else {
        PathBuf::from("/work/brief/scratch-values.yaml")
    };
    std::fs::copy(&values, scratch.join("values.yaml")).map_err(io(&values))?;
    let chart_yaml = scratch.join("Chart.yaml");
    std::fs::write(
        &chart_yaml,
        "apiVersion: v2\nname: redis-ha\nversion: 5.0.0\nappVersion: 8.8.0\n",
    )
    .map_err(io(&chart_yaml))?;
    Ok(scratch.to_path_buf())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(io(to))?;
    for e in std::fs::read_dir(from).map_err(io(from))? {
        let e = e.map_err(io(from))?;
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &dest)?;
        } else {
            std::fs::copy(&p, &dest).map_err(io(&p))?;
        }
    }
    Ok(())
}
