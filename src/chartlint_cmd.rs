//! `chartlint`: a thin command line over the chartlint library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chartlint::config::Config;
use chartlint::diagnostic::{Diagnostic, Severity, Summary};
use chartlint::engine::{self, Chart, Request};
use chartlint::output;
use chartlint::rules;
use chartlint::source::Src;
use chartlint::yaml::{Limits, LoadError};
use clap::{Parser, ValueEnum};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// Lint redis-ha values files with Helm's own merge and typing rules.
///
/// Arguments mirror `helm install`/`helm template`: the chart directory, then `-f` files merged
/// in order, then `--set` and `--set-string`.
/// Exit status: 0 no errors, 1 errors (or warnings with --strict), 2 usage or input error.
#[derive(Parser, Debug)]
#[command(name = "chartlint", version)]
pub struct Cli {
    /// Chart directory (with values.yaml and values.schema.json).
    #[arg(default_value = "generated-charts/redis-ha")]
    chart_dir: PathBuf,
    /// Values file; repeat to merge several in order, as Helm does.
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    values: Vec<PathBuf>,
    /// Set a value as Helm's --set does (`a.b=1,c={x,y}`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Set a string value as Helm's --set-string does.
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    set_string: Vec<String>,
    /// Lint each file (or every *.yaml / *.yml under each directory) on its own against the chart,
    /// after the -f files.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    each: Vec<PathBuf>,
    /// Lint every instance of a fleet file as it will be installed (findings located in the
    /// fleet file), check the fleet as a whole (duplicate releases, shared Sentinel master
    /// names) and print its total memory and CPU requests.
    #[arg(long, value_name = "FLEET", conflicts_with_all = ["values", "set", "set_string", "each"])]
    fleet: Option<PathBuf>,
    /// With --fleet: the repository holding chart-src/ and generated-charts/. Default: found
    /// upwards from the fleet file's directory, else from the current directory.
    #[arg(long, value_name = "DIR", requires = "fleet")]
    root: Option<PathBuf>,
    /// Judge redis.conf for this server version instead of the one image.repository and
    /// image.tag name: `redis:7.2`, `redis:8.2.3`, `valkey:9` (a bare version is Redis).
    #[arg(long, value_name = "SERVER:VERSION")]
    server_version: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    strict: bool,
    /// Configuration file (default: .chartlint.yaml in the current directory, if present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Colored human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// List the rules (id, name, default severity) and exit.
    #[arg(long)]
    list_rules: bool,
    /// Print the documentation of a rule and exit.
    #[arg(long, value_name = "RULE-ID")]
    explain: Option<String>,
    /// Print the rule reference (docs/rules.md) and exit.
    #[arg(long, hide = true)]
    rules_markdown: bool,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    if cli.list_rules {
        let metas: Vec<_> = rules::registry()
            .iter()
            .map(|r| r.meta())
            .chain(chartlint::fleet::RULES.iter().copied())
            .collect();
        // The name column is as wide as the longest name, so the severities line up.
        let width = metas.iter().map(|m| m.name.len()).max().unwrap_or(0);
        for m in metas {
            let _ = writeln!(
                stdout,
                "{}  {:<width$}  {}",
                m.id,
                m.name,
                m.severity.as_str()
            );
        }
        return ExitCode::SUCCESS;
    }
    if let Some(id) = &cli.explain {
        return match rules::find(id) {
            Some(m) => {
                let _ = write!(stdout, "{}", rules::explain(m));
                ExitCode::SUCCESS
            }
            None if chartlint::fleet::RULES.iter().any(|m| m.id == id) => {
                let m = chartlint::fleet::RULES.iter().find(|m| m.id == id);
                let _ = m.map(|m| write!(stdout, "{}", rules::explain(m)));
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("error: unknown rule `{id}` (see chartlint --list-rules)");
                ExitCode::from(2)
            }
        };
    }
    if cli.rules_markdown {
        let _ = write!(
            stdout,
            "{}{}",
            rules::rules_markdown(),
            chartlint::fleet::rules_markdown()
        );
        return ExitCode::SUCCESS;
    }
    if let Some(Err(e)) = cli
        .server_version
        .as_deref()
        .map(engine::validate_server_version)
    {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    if let Some(fleet) = &cli.fleet {
        return match run_fleet(&cli, fleet, &mut stdout) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        };
    }
    match run(&cli, &mut stdout) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn load_config(cli: &Cli) -> Result<Config, LoadError> {
    match &cli.config {
        Some(p) => Config::load(p),
        None if Path::new(".chartlint.yaml").is_file() => {
            Config::load(Path::new(".chartlint.yaml"))
        }
        None => Ok(Config::default()),
    }
}

/// `chartlint --fleet`: resolves the fleet against the charts (the generator's fleet module),
/// lints every instance against its chart in generated-charts/, and prints the totals.
fn run_fleet(cli: &Cli, fleet_path: &Path, stdout: &mut impl Write) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    use generator::fleet;
    let config = load_config(cli)?;
    let root = match &cli.root {
        Some(r) => r.clone(),
        None => {
            let start = std::path::absolute(fleet_path)?
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let cwd = std::env::current_dir()?;
            generator::find_root(&start)
                .or_else(|| generator::find_root(&cwd))
                .context("no chart-src/ directory above the fleet file or here; pass --root")?
        }
    };
    let file = fleet::load(fleet_path)?;
    let catalog = fleet::Catalog::load(&root)?;
    let resolved = fleet::resolve(&file, &catalog)?;
    let report = crate::fleet_lint::lint(&root, &file, &catalog, &resolved, &config)?;
    let summary = Summary::of(&report.diagnostics, report.instances);
    let totals = chartlint::fleet::totals_text(&report);
    let _ = match cli.format {
        Format::Human => {
            let text = output::render_human(
                &report.diagnostics,
                &report.sources,
                &summary,
                color(cli.color),
            );
            write!(stdout, "{text}\n{totals}")
        }
        Format::Json | Format::Sarif => {
            // stdout stays one JSON document; the totals go to stderr.
            eprint!("{totals}");
            match cli.format {
                Format::Json => output::write_json(stdout, &report.diagnostics, &summary),
                _ => stdout.write_all(output::render_sarif(&report.diagnostics).as_bytes()),
            }
        }
    };
    let failing = report
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error || (cli.strict && d.severity == Severity::Warning));
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn color(choice: Color) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

fn run(cli: &Cli, stdout: &mut impl Write) -> Result<ExitCode, LoadError> {
    let limits = Limits::default();
    let config = load_config(cli)?;
    let chart = Chart::load(&cli.chart_dir, &limits)?;
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut sources: Vec<Src> = Vec::new();
    let inputs;
    let mut input_errors = false;
    let base = Request {
        files: cli.values.clone(),
        set: cli.set.clone(),
        set_string: cli.set_string.clone(),
        server_version: cli.server_version.clone(),
    };
    if cli.each.is_empty() {
        let report = engine::lint(&chart, &base, &config, &limits)?;
        diags = report.diagnostics;
        sources = report.sources;
        inputs = 1;
    } else {
        let files = expand_each(&cli.each)?;
        inputs = files.len();
        let results = engine::lint_each(&chart, &base, &files, &config, &limits);
        for result in results {
            match result {
                Ok(report) => {
                    diags.extend(report.diagnostics);
                    sources.extend(report.sources);
                }
                Err(e) => {
                    // Keep going: one unreadable file must not hide the findings of the others.
                    eprintln!("error: {e}");
                    input_errors = true;
                }
            }
        }
    }
    let summary = Summary::of(&diags, inputs);
    let text = match cli.format {
        Format::Human => output::render_human(&diags, &sources, &summary, color(cli.color)),
        Format::Json => String::new(),
        Format::Sarif => output::render_sarif(&diags),
    };
    let _ = match cli.format {
        // Written part by part: with --each the report can be megabytes.
        Format::Json => output::write_json(stdout, &diags, &summary),
        Format::Human | Format::Sarif => stdout.write_all(text.as_bytes()),
    };
    let failing = diags
        .iter()
        .any(|d| d.severity == Severity::Error || (cli.strict && d.severity == Severity::Warning));
    Ok(if input_errors {
        ExitCode::from(2)
    } else if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Files given to `--each`, with directories expanded to their *.yaml / *.yml files (sorted).
/// A chart's own values.yaml is skipped, with a note on stderr.
fn expand_each(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(p)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(|e| e.into_path())
                .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
                .collect();
            found.sort();
            out.extend(found);
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(LoadError {
                path: p.display().to_string(),
                line: 1,
                column: 1,
                message: "file not found".to_string(),
            });
        }
    }
    out.retain(|p| {
        let defaults = engine::is_chart_defaults(p);
        if defaults {
            eprintln!(
                "chartlint: skipping {}: a chart's own defaults (beside its Chart.yaml), not a file to install it with",
                p.display()
            );
        }
        !defaults
    });
    Ok(out)
}
