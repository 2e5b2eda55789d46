use clap::Parser;
use std::process::ExitCode;

// glibc's allocator serialised the server's worker threads on its arena locks under load (measured in
// BENCHMARKS.md); mimalloc keeps per-thread heaps.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A parse worker starts no runtime and parses no command line: it only reads one file.
    if let Some(code) = itaku::sandbox::worker::run_if_requested() {
        return code;
    }
    rocket::async_main(async { itaku::cli::run(itaku::cli::Cli::parse()).await })
}
