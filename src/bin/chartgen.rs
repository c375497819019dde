//! `chartgen`: regenerate the charts, schemas and docs, or check that they are fresh.
fn main() -> std::process::ExitCode {
    cli::chartgen_cmd::main()
}
