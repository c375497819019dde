//! `chartlint`: lint redis-ha values files with Helm's merge and typing rules.

// `--each` allocates and frees many small trees per file on every core; glibc's per-thread
// arenas grow and trim their heaps (mprotect system calls) for each file, mimalloc does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::chartlint_cmd::main()
}
