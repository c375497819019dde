//! `chartgen`: regenerate generated-charts/ and schemas/ (no arguments), or check that they are
//! fresh (`--check`, for CI).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    version,
    about = "Generate the redis-ha chart, its sized variants and the values schema"
)]
pub struct Cli {
    /// Write nothing; exit 1 with a unified diff of every stale generated file.
    #[arg(long, global = true)]
    check: bool,
    /// Repository root (the directory holding chart-src/). Default: found from the current
    /// directory upwards.
    #[arg(long, global = true)]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Print how a sized variant's memory, CPU and PVC were derived, term by term.
    Explain {
        /// Variant name, e.g. redis-1g.
        name: String,
    },
    /// Add a sized variant to chart-src/variants.yaml and regenerate.
    NewVariant {
        /// Chart name, e.g. redis-3g.
        #[arg(long)]
        name: String,
        /// Redis maxmemory in Redis units, e.g. 3gb.
        #[arg(long)]
        maxmemory: String,
    },
    /// Write a fleet's deployment input: one values file per instance (only what differs from
    /// its chart), a helmfile.yaml and an Argo CD ApplicationSet. With --check, write nothing
    /// and exit 1 with a diff when DIR is stale.
    Fleet {
        /// The fleet file (schemas/fleet.schema.json). Refused, with nothing written, when an
        /// instance fails the linter.
        fleet: PathBuf,
        /// Output directory, replaced as a whole (only a directory chartgen fleet wrote, or a
        /// new or empty one).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Write even when an instance fails the linter.
        #[arg(long)]
        no_lint: bool,
    },
    /// Package every generated chart (`helm package`) into a chart repository directory with
    /// an index.yaml. A chart version already packaged there is never replaced: a chart whose
    /// files changed without a new version fails (exit 1). With --check, write nothing and
    /// exit 1 when DIR lacks a package.
    Package {
        /// The chart repository directory.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The helm binary.
        #[arg(long, value_name = "PATH", default_value = "helm")]
        helm: PathBuf,
    },
    /// Say what a fleet change will do, per instance: the values and objects that change and
    /// each consequence (live, rolling restart, PVC expansion, refused by Kubernetes, new,
    /// removed). Lint errors in the new fleet are reported first (exit 1).
    Plan {
        /// OLD.yaml NEW.yaml, or NEW.yaml with --git-rev.
        #[arg(num_args = 1..=2, required = true, value_name = "FLEET")]
        fleets: Vec<PathBuf>,
        /// Compare NEW.yaml with the same file at this git revision (e.g. HEAD, main).
        #[arg(long, value_name = "REV")]
        git_rev: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
        format: PlanFormat,
        /// Plan memory increases as zero-restart in-place pod resizes where they apply
        /// (Kubernetes 1.35+): exact kubectl and redis-cli steps.
        #[arg(long)]
        in_place: bool,
        /// The cluster's Kubernetes version, for --in-place.
        #[arg(long, value_name = "MAJOR.MINOR", default_value = "1.35")]
        kube_version: String,
    },
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum PlanFormat {
    Human,
    Json,
}

pub fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("chartgen: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    let root = match cli.root {
        Some(r) => r,
        None => {
            let cwd = std::env::current_dir().context("reading the current directory")?;
            generator::find_root(&cwd)
                .context("no chart-src/ directory here or above; pass --root")?
        }
    };
    match cli.command {
        Some(Command::Explain { name }) => {
            print!("{}", generator::explain(&root, &name)?);
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::NewVariant { name, maxmemory }) => {
            if cli.check {
                bail!("--check cannot be combined with new-variant");
            }
            generator::add_variant(&root, &name, &maxmemory)?;
            eprintln!("chartgen: added {name} (maxmemory {maxmemory}) to chart-src/variants.yaml");
        }
        Some(Command::Fleet {
            fleet,
            out,
            no_lint,
        }) => return fleet_cmd(&root, &fleet, &out, cli.check, !no_lint),
        Some(Command::Package { out, helm }) => return package_cmd(&root, &out, &helm, cli.check),
        Some(Command::Plan {
            fleets,
            git_rev,
            format,
            in_place,
            kube_version,
        }) => {
            return plan_cmd(
                &root,
                &fleets,
                git_rev.as_deref(),
                format,
                in_place,
                &kube_version,
            )
        }
        None => {}
    }
    let mut generated = generator::generate(&root)?;
    crate::cli_docs::add_to(&mut generated.output).context("rendering the man pages")?;
    if !generated.unused_values.is_empty() {
        eprintln!(
            "chartgen: note: {} values keys are not referenced by any chart source: {}",
            generated.unused_values.len(),
            generated.unused_values.join(", ")
        );
    }
    if cli.check {
        let stale = generator::output::check(&root, &generated.output)?;
        if stale.is_empty() {
            eprintln!(
                "chartgen: {} generated files are up to date",
                generated.output.files.len()
            );
            return Ok(ExitCode::SUCCESS);
        }
        for s in &stale {
            print!("{}", s.diff);
        }
        eprintln!(
            "chartgen: {} generated files are stale; run `cargo run -p chartgen`",
            stale.len()
        );
        return Ok(ExitCode::from(1));
    }
    generator::output::write(&root, &generated.output)?;
    eprintln!(
        "chartgen: wrote {} files (charts, schemas, rule reference, man pages, completions)",
        generated.output.files.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn fleet_cmd(root: &Path, fleet: &Path, out: &Path, check: bool, lint: bool) -> Result<ExitCode> {
    let catalog = generator::fleet::Catalog::load(root)?;
    let file = generator::fleet::load(fleet)?;
    let (resolved, files) = generator::fleet::generate(&file, &catalog)?;
    let (parent, output) = generator::fleet::output(out, files)?;
    if check {
        let stale = generator::output::check(&parent, &output)?;
        for s in &stale {
            print!("{}", s.diff);
        }
        if stale.is_empty() {
            eprintln!(
                "chartgen: {} is up to date ({} instances)",
                out.display(),
                resolved.len()
            );
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "chartgen: {} files in {} are stale; run `chartgen fleet {} --out {}`",
            stale.len(),
            out.display(),
            fleet.display(),
            out.display()
        );
        return Ok(ExitCode::from(1));
    }
    generator::fleet::check_replaceable(out)?;
    // The files are staged while the fleet is linted (creating a thousand files is mostly the
    // file system's time); a fleet that fails the linter is reported and nothing is written.
    let config = lint_config()?;
    let (report, staged) = std::thread::scope(|scope| {
        let report = lint.then(|| {
            scope.spawn(|| crate::fleet_lint::lint(root, &file, &catalog, &resolved, &config))
        });
        let staged = generator::output::stage(&parent, &output);
        let report = report.map(|h| {
            h.join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the linter panicked")))
        });
        (report, staged)
    });
    let report = report.transpose()?;
    if let Some(errors) = report.as_ref().and_then(crate::fleet_lint::errors_text) {
        eprint!("{errors}");
        eprintln!("chartgen: {} not written: fix the errors above (chartlint --fleet {} shows every finding)", out.display(), fleet.display());
        return Ok(ExitCode::from(1));
    }
    staged?.commit()?;
    eprintln!(
        "chartgen: wrote {} instances to {} ({} files)",
        resolved.len(),
        out.display(),
        output.files.len()
    );
    // A chart directory is named relative to the output: say so now if helmfile will not find it.
    if let generator::fleet::ChartSource::Dir(dir) =
        generator::fleet::ChartSource::parse(&file.fleet.charts.repository)
    {
        let charts: std::collections::BTreeSet<&str> =
            resolved.iter().map(|r| r.chart.as_str()).collect();
        for chart in charts {
            let path = out.join(&dir).join(chart);
            if !path.join("Chart.yaml").is_file() {
                eprintln!(
                    "chartgen: warning: charts.repository `{dir}` is relative to {}: there is no chart at {} (helmfile will not find it)",
                    out.display(),
                    path.display()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The linter configuration: .chartlint.yaml in the current directory, if present.
fn lint_config() -> Result<chartlint::config::Config> {
    let path = Path::new(".chartlint.yaml");
    Ok(if path.is_file() {
        chartlint::config::Config::load(path)?
    } else {
        chartlint::config::Config::default()
    })
}

fn plan_cmd(
    root: &Path,
    fleets: &[PathBuf],
    git_rev: Option<&str>,
    format: PlanFormat,
    in_place: bool,
    kube_version: &str,
) -> Result<ExitCode> {
    use generator::fleet;
    let kube_version = kube_version
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        .with_context(|| {
            format!("--kube-version {kube_version}: expected MAJOR.MINOR, e.g. 1.35")
        })?;
    let catalog = fleet::Catalog::load(root)?;
    let (old_file, new_path) = match (fleets, git_rev) {
        ([old, new], None) => (fleet::load(old)?, new.clone()),
        ([new], Some(rev)) => (fleet_at_revision(new, rev)?, new.clone()),
        ([_, _], Some(_)) => bail!("give OLD.yaml NEW.yaml, or NEW.yaml --git-rev REV, not both"),
        _ => bail!("give OLD.yaml NEW.yaml, or NEW.yaml --git-rev REV"),
    };
    let new_file = fleet::load(&new_path)?;
    let old = fleet::resolve(&old_file, &catalog)?;
    let new = fleet::resolve(&new_file, &catalog)?;
    let report = crate::fleet_lint::lint(root, &new_file, &catalog, &new, &lint_config()?)?;
    if let Some(errors) = crate::fleet_lint::errors_text(&report) {
        eprint!("{errors}");
        eprintln!(
            "chartgen: the new fleet fails the linter: fix it before applying (nothing planned)"
        );
        return Ok(ExitCode::from(1));
    }
    let source = fleet::ChartSource::parse(&new_file.fleet.charts.repository);
    let plan = generator::plan::plan(
        &old,
        &new,
        &source,
        generator::plan::Options {
            in_place,
            kube_version,
        },
    );
    match format {
        PlanFormat::Human => print!("{}", generator::plan::render_human(&plan)),
        PlanFormat::Json => println!("{}", serde_json::to_string_pretty(&plan)?),
    }
    Ok(ExitCode::SUCCESS)
}

/// A fleet file as it was at a git revision (`git show REV:./FILE`, run in the file's
/// directory), located in errors as `REV:FILE`.
fn fleet_at_revision(path: &Path, rev: &str) -> Result<generator::fleet::FleetFile> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("{}: not a file", path.display()))?;
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .arg("show")
        .arg(format!("{rev}:./{}", name.to_string_lossy()))
        .output()
        .context("running git")?;
    if !out.status.success() {
        bail!(
            "git show {rev}:{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8(out.stdout).context("the fleet file is not UTF-8")?;
    Ok(generator::fleet::parse(
        &format!("{rev}:{}", path.display()),
        &text,
    )?)
}

fn package_cmd(root: &Path, out: &Path, helm: &Path, check: bool) -> Result<ExitCode> {
    use generator::package::{self, Outcome};
    // Only what chartgen would generate now is packaged.
    let generated = generator::generate(root)?;
    let stale = generator::output::check(root, &generated.output)?;
    if stale.iter().any(|s| s.path.starts_with("generated-charts")) {
        bail!("generated-charts/ is stale: run `cargo run -p chartgen` first");
    }
    let charts = root.join("generated-charts");
    let planned = match package::plan(&charts, out)? {
        Ok(planned) => planned,
        Err(conflicts) => {
            for c in &conflicts {
                eprintln!(
                    "chartgen: error: {} {} is already packaged in {} with other content ({}): a changed chart needs a new version; raise `version` in chart-src/variants.yaml",
                    c.name,
                    c.version,
                    out.display(),
                    c.files.join(", ")
                );
            }
            return Ok(ExitCode::from(1));
        }
    };
    let new: Vec<&str> = planned
        .iter()
        .filter(|p| p.outcome == Outcome::Packaged)
        .map(|p| p.archive.as_str())
        .collect();
    if check {
        if new.is_empty() {
            eprintln!("chartgen: {} holds every chart version", out.display());
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("chartgen: {} lacks {}", out.display(), new.join(", "));
        return Ok(ExitCode::from(1));
    }
    package::write(helm, &charts, out, &planned)?;
    eprintln!(
        "chartgen: {} packaged, {} unchanged, index.yaml written in {}",
        new.len(),
        planned.len() - new.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
