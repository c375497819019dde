//! The fleet lint shared by `chartlint --fleet`, `chartgen fleet` (which refuses to write a
//! fleet with lint errors) and `chartgen plan` (which reports them before the plan): the
//! generator resolves the fleet, chartlint lints each instance against its generated chart.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use chartlint::config::Config;
use chartlint::diagnostic::{Severity, Summary};
use chartlint::engine::Chart;
use chartlint::fleet::{Instance, Report};
use chartlint::yaml::Limits;
use generator::fleet::{Catalog, FleetFile, Resolved};

/// Lints every resolved instance of `file` against its chart under `root/generated-charts`.
pub fn lint(
    root: &Path,
    file: &FleetFile,
    catalog: &Catalog,
    resolved: &[Resolved],
    config: &Config,
) -> Result<Report> {
    let limits = Limits::default();
    let charts_dir = shown(&root.join("generated-charts"));
    let mut charts: BTreeMap<&str, Chart> = BTreeMap::new();
    for r in resolved {
        if !charts.contains_key(r.chart.as_str()) {
            charts.insert(&r.chart, Chart::load(&charts_dir.join(&r.chart), &limits)?);
        }
    }
    let instances: Vec<Instance<'_>> = resolved
        .iter()
        .map(|r| Instance {
            name: r.name.clone(),
            namespace: r.namespace.clone(),
            name_loc: file.locate(&format!("/instances/{}/name", r.index)),
            chart: &charts[r.chart.as_str()],
            docs: file.instance_documents(r, &catalog.base),
        })
        .collect();
    Ok(chartlint::fleet::lint(&instances, config)?)
}

/// The report's errors in the human format (nothing when there are none).
pub fn errors_text(report: &Report) -> Option<String> {
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    if errors.is_empty() {
        return None;
    }
    let summary = Summary::of(&errors, report.instances);
    Some(chartlint::output::render_human(
        &errors,
        &report.sources,
        &summary,
        false,
    ))
}

/// A path relative to the current directory when below it, as the user would type it.
fn shown(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}
