//! The `lookout` binary.

/// Many small allocations per request from every worker thread: mimalloc keeps
/// them thread-local where glibc's malloc takes a shared lock (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    server::cli::main()
}
