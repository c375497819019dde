//! `podsim`: run a rendered chart's pods as real processes and inject faults (root only).
fn main() -> std::process::ExitCode {
    cli::podsim_cmd::main()
}
