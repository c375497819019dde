//! Files that chartgen writes from the command-line definitions and the linter, beside the
//! charts: the rule reference (docs/rules.md), a man page per tool and subcommand (man/) and
//! shell completions (completions/). Generated like the charts, so `chartgen --check` finds them
//! stale when a flag or a rule changes.

use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;
use generator::{FileOut, Output};

/// Directories these files own entirely.
pub const OWNED_DIRS: [&str; 2] = ["completions", "man"];

/// Adds the rule reference, the man pages and the completions to `output`.
pub fn add_to(output: &mut Output) -> std::io::Result<()> {
    // The rule reference is generated from the rules' doc blocks, never written by hand.
    output.files.insert(
        PathBuf::from("docs/rules.md"),
        FileOut::text(chartlint::rules_markdown() + &chartlint::fleet::rules_markdown()),
    );
    output.owned.extend(OWNED_DIRS.iter().map(PathBuf::from));
    for cmd in commands() {
        let name = cmd.get_name().to_string();
        for page in man_pages(&cmd, &name)? {
            output.files.insert(page.0, page.1);
        }
        for (shell, file) in [
            (Shell::Bash, format!("{name}.bash")),
            (Shell::Zsh, format!("_{name}")),
            (Shell::Fish, format!("{name}.fish")),
        ] {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd.clone(), name.clone(), &mut buf);
            output.files.insert(
                PathBuf::from("completions").join(file),
                FileOut::bytes(buf, false),
            );
        }
    }
    Ok(())
}

/// The three tools' clap definitions, named as installed.
fn commands() -> [clap::Command; 3] {
    [
        crate::chartgen_cmd::Cli::command().name("chartgen"),
        crate::chartlint_cmd::Cli::command().name("chartlint"),
        crate::podsim_cmd::Cli::command().name("podsim"),
    ]
}

/// `man/NAME.1`, plus `man/NAME-SUB.1` for each subcommand (as git does).
fn man_pages(cmd: &clap::Command, name: &str) -> std::io::Result<Vec<(PathBuf, FileOut)>> {
    let mut pages = Vec::new();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut buf)?;
    pages.push((
        PathBuf::from("man").join(format!("{name}.1")),
        FileOut::bytes(buf, false),
    ));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let full = format!("{name}-{}", sub.get_name());
        let mut buf = Vec::new();
        clap_mangen::Man::new(sub.clone().name(full.clone())).render(&mut buf)?;
        pages.push((
            PathBuf::from("man").join(format!("{full}.1")),
            FileOut::bytes(buf, false),
        ));
    }
    Ok(pages)
}
