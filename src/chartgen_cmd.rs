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
        /// The fleet file (schemas/fleet.schema.json).
        fleet: PathBuf,
        /// Output directory, replaced as a whole (only a directory chartgen fleet wrote, or a
        /// new or empty one).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
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
        Some(Command::Fleet { fleet, out }) => return fleet_cmd(&root, &fleet, &out, cli.check),
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

fn fleet_cmd(root: &Path, fleet: &Path, out: &Path, check: bool) -> Result<ExitCode> {
    let catalog = generator::fleet::Catalog::load(root)?;
    let (resolved, files) = generator::fleet::generate(fleet, &catalog)?;
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
    generator::output::write(&parent, &output)?;
    eprintln!(
        "chartgen: wrote {} instances to {} ({} files)",
        resolved.len(),
        out.display(),
        output.files.len()
    );
    Ok(ExitCode::SUCCESS)
}
