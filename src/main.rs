use clap::Parser;
use std::process::ExitCode;

// glibc's allocator serialised the server's worker threads on its arena locks under load (measured in
// BENCHMARKS.md); mimalloc keeps per-thread heaps.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[rocket::main]
async fn main() -> ExitCode {
    itaku::cli::run(itaku::cli::Cli::parse()).await
}
