//! The worker side of the parse sandbox: `itaku __parse-worker`. It reads the request's header (its
//! limits, from the server), limits itself (memory, CPU time, no new files, no file writes, no core
//! dump) before it reads a byte of the file, parses it, writes the answer to stdout and exits. An
//! allocation failure aborts only this process; the server sees a dead worker and refuses the file.

use super::protocol::{self, Header};
use std::io::{Read, Write};
use std::process::ExitCode;

/// The argument that selects worker mode; checked before anything else starts (no runtime, no clap).
pub const ARGUMENT: &str = "__parse-worker";

/// Runs the worker when the process was started as one; `None` otherwise.
pub fn run_if_requested() -> Option<ExitCode> {
    (std::env::args().nth(1).as_deref() == Some(ARGUMENT)).then(run)
}

fn run() -> ExitCode {
    let mut stdin = std::io::stdin().lock();
    let mut prefix = [0u8; 4];
    let header = stdin.read_exact(&mut prefix).ok().and_then(|()| {
        let mut encoded = vec![0u8; protocol::header_length(prefix)?];
        stdin.read_exact(&mut encoded).ok()?;
        protocol::decode_header(&encoded)
    });
    let Some(Header {
        memory_mib,
        cpu_seconds,
        limits,
    }) = header
    else {
        eprintln!("parse worker: malformed request");
        return ExitCode::from(3);
    };
    if let Err(error) = confine(memory_mib, cpu_seconds) {
        eprintln!("parse worker: cannot set its limits: {error}");
        return ExitCode::from(3);
    }
    let mut file = Vec::new();
    if let Err(error) = stdin.read_to_end(&mut file) {
        eprintln!("parse worker: cannot read the file: {error}");
        return ExitCode::from(3);
    }
    let answer = crate::excel::read_tables(&file, &limits);
    let encoded = protocol::encode_answer(&answer);
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&encoded).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(3),
    }
}

/// The limits a worker puts on itself. RLIMIT_DATA bounds every private writable mapping, the heap
/// calamine allocates from among them, to `memory_mib`; RLIMIT_AS backs it with a bound on all
/// address space (the worker's own code and libraries take well under the extra gigabyte). The CPU
/// limit ends a loop even if the server's wall-clock timer were late; with RLIMIT_NOFILE at 3 it can
/// open no file or socket beyond the three pipes it was given, and RLIMIT_FSIZE 0 forbids writing any
/// file.
fn confine(memory_mib: u64, cpu_seconds: u64) -> std::io::Result<()> {
    use rlimit::Resource;
    const MIB: u64 = 1024 * 1024;
    let memory = memory_mib.saturating_mul(MIB);
    Resource::DATA.set(memory, memory)?;
    let address_space = memory.saturating_add(1024 * MIB);
    Resource::AS.set(address_space, address_space)?;
    Resource::CPU.set(cpu_seconds.max(1), cpu_seconds.max(1) + 1)?;
    Resource::CORE.set(0, 0)?;
    Resource::FSIZE.set(0, 0)?;
    Resource::NOFILE.set(3, 3)?;
    Ok(())
}
