use clap::Parser;
use std::process::ExitCode;

// glibc's allocator serialised the server's worker threads on its arena locks under load (measured in
// BENCHMARKS.md); mimalloc keeps per-thread heaps. Built without transparent huge pages (`no_thp`):
// each judgement's memory, freed and taken again, cost a 2 MiB page zeroed by the kernel each time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A parse worker starts no runtime and parses no command line: it only reads one file.
    if let Some(code) = itaku::sandbox::worker::run_if_requested() {
        return code;
    }
    let cli = itaku::cli::Cli::parse();
    // A worker started now starts while the command reads its settings.
    let early_worker = cli
        .reads_files()
        .then(itaku::sandbox::early_worker)
        .flatten();
    if cli.serves() {
        return itaku::app::block_on_server(itaku::cli::run(cli, early_worker));
    }
    // A one-off command needs no pool of worker threads; starting one cost a command about a millisecond.
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(itaku::cli::run(cli, early_worker)),
        Err(error) => {
            eprintln!("エラー: {error}");
            ExitCode::FAILURE
        }
    }
}
