//! The command-line layers of the three tools, kept thin over the libraries in `crates/`:
//! argument parsing (clap), output to the terminal and exit codes. The binaries in `src/bin/`
//! call [`chartgen_cmd::main`], [`chartlint_cmd::main`] and [`podsim_cmd::main`]; chartgen also
//! uses the clap definitions here to write the man pages and shell completions.

pub mod chartgen_cmd;
pub mod chartlint_cmd;
pub mod cli_docs;
pub mod fleet_lint;
pub mod podsim_cmd;
