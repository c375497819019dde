//! `chartgen`: regenerate the charts, schemas and docs, or check that they are fresh.

// `fleet` and `plan` merge a thousand values trees and lint each instance on every core: many
// small allocations, which mimalloc serves faster than glibc's arenas (as in chartlint).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::chartgen_cmd::main()
}
