//! The worker side of the parse sandbox: `itaku __parse-worker --memory-mib N --cpu-seconds S`.
//! It limits itself before it reads a byte of input (address space, CPU time, no new files, no file
//! writes, no core dump), reads one request from stdin, parses it, writes the answer to stdout and
//! exits. An allocation failure aborts only this process; the server sees a dead worker.

use super::protocol::{self, Request};
use std::io::{Read, Write};
use std::process::ExitCode;

/// The argument that selects worker mode; checked before anything else starts (no runtime, no clap).
pub const ARGUMENT: &str = "__parse-worker";

/// Runs the worker when the process was started as one; `None` otherwise.
pub fn run_if_requested() -> Option<ExitCode> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    if arguments.first().map(String::as_str) != Some(ARGUMENT) {
        return None;
    }
    let value = |flag: &str| -> Option<u64> {
        let at = arguments.iter().position(|a| a == flag)?;
        arguments.get(at + 1)?.parse().ok()
    };
    let (Some(memory_mib), Some(cpu_seconds)) = (value("--memory-mib"), value("--cpu-seconds"))
    else {
        eprintln!("usage: itaku {ARGUMENT} --memory-mib N --cpu-seconds S");
        return Some(ExitCode::from(2));
    };
    Some(run(memory_mib, cpu_seconds))
}

fn run(memory_mib: u64, cpu_seconds: u64) -> ExitCode {
    if let Err(error) = confine(memory_mib, cpu_seconds) {
        eprintln!("parse worker: cannot set its limits: {error}");
        return ExitCode::from(3);
    }
    let mut input = Vec::new();
    if let Err(error) = std::io::stdin().lock().read_to_end(&mut input) {
        eprintln!("parse worker: cannot read its request: {error}");
        return ExitCode::from(3);
    }
    let answer = match protocol::decode_request(&input) {
        Some(Request { limits, bytes }) => crate::excel::read_tables(bytes, &limits),
        None => {
            eprintln!("parse worker: malformed request");
            return ExitCode::from(3);
        }
    };
    let encoded = protocol::encode_answer(&answer);
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&encoded).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(3),
    }
}

/// The limits a worker puts on itself. RLIMIT_AS bounds every allocation calamine can ask for: it is
/// the address space the worker already holds (its code, libraries and stack, measured here) plus
/// `memory_mib`. The CPU limit ends a loop even if the server's wall-clock timer were late; with
/// RLIMIT_NOFILE at 3 it can open no file or socket beyond the three pipes it was given, and
/// RLIMIT_FSIZE 0 forbids writing any file.
fn confine(memory_mib: u64, cpu_seconds: u64) -> std::io::Result<()> {
    use rlimit::Resource;
    let address_space =
        held_address_space()?.saturating_add(memory_mib.saturating_mul(1024 * 1024));
    Resource::AS.set(address_space, address_space)?;
    Resource::CPU.set(cpu_seconds.max(1), cpu_seconds.max(1) + 1)?;
    Resource::CORE.set(0, 0)?;
    Resource::FSIZE.set(0, 0)?;
    Resource::NOFILE.set(3, 3)?;
    Ok(())
}

/// VmSize of this process, in bytes.
fn held_address_space() -> std::io::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmSize:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map(|kib| kib * 1024)
        .ok_or_else(|| std::io::Error::other("no VmSize in /proc/self/status"))
}
