//! Untrusted spreadsheets are parsed in a child process, never in the server or the CLI: the `itaku`
//! binary itself in worker mode (`worker.rs`), limited in memory, CPU time and files, one file per
//! process. calamine can be made to ask for hundreds of gigabytes by a 9 KB file, and an allocation
//! failure aborts whatever process it happens in; here that process is a worker, and the caller gets
//! a refusal. Workers are started ahead of need (a warm one waits on its pipe), so a parse costs the
//! parse and two pipe copies, not a program start. The pipes are driven on a blocking thread, never
//! on the async workers.

pub mod protocol;
pub mod worker;

use crate::config::Settings;
use crate::error::{AppError, AppResult};
use crate::excel::{guard, Limits, ReadError, Table};
use protocol::Header;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// How workers are started and limited.
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxSettings {
    /// The `itaku` binary to start in worker mode …
    pub program: PathBuf,
    /// … with these arguments before the worker's own (a wrapper such as `bwrap` can go in `program`).
    pub arguments: Vec<String>,
    pub memory_mib: u64,
    pub timeout: Duration,
    /// Parses at once; the rest wait in the queue.
    pub concurrency: usize,
    /// Files that may wait for a worker; one more is refused as busy.
    pub queue: usize,
    /// Start the next worker as soon as one is used (a server); a one-off command reads one file.
    pub keep_warm: bool,
}

/// Starts a worker of `program` that waits for its request.
fn spawn_worker(program: &Path, arguments: &[String]) -> std::io::Result<Child> {
    Command::new(program)
        .args(arguments)
        .arg(worker::ARGUMENT)
        .env_clear()
        // mimalloc reserves a 1 GiB arena up front unless told not to; inside that reservation the
        // memory limits would not bind (measured: a worker limited to 40 MiB reached 280 MB).
        .env("MIMALLOC_ARENA_RESERVE", "0")
        .current_dir("/")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
}

/// A worker of this very program, started at once: a one-off command starts it first thing, so that
/// its start overlaps the command's own (`Sandbox::adopt`).
pub fn early_worker() -> Option<(PathBuf, Child)> {
    let program = std::env::current_exe().ok()?;
    let child = spawn_worker(&program, &[]).ok()?;
    Some((program, child))
}

impl SandboxSettings {
    pub fn from_settings(settings: &Settings) -> Self {
        let program = if settings.parse_worker.is_empty() {
            std::env::current_exe().unwrap_or_else(|_| PathBuf::from("itaku"))
        } else {
            PathBuf::from(&settings.parse_worker)
        };
        let cores = || std::thread::available_parallelism().map_or(2, |n| n.get());
        SandboxSettings {
            program,
            arguments: Vec::new(),
            memory_mib: settings.parse_memory_limit_mib,
            timeout: Duration::from_secs(settings.parse_timeout_seconds),
            concurrency: if settings.parse_concurrency == 0 {
                cores()
            } else {
                settings.parse_concurrency
            },
            queue: settings.parse_queue,
            keep_warm: true,
        }
    }
}

/// A handle on the workers; clones share them.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

struct Inner {
    settings: SandboxSettings,
    slots: tokio::sync::Semaphore,
    /// Files running or waiting.
    admitted: AtomicUsize,
    warm: Mutex<Vec<Child>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("settings", &self.inner.settings)
            .finish()
    }
}

/// Counts a file in from admission to its answer.
struct Admission<'a>(&'a AtomicUsize);

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How a worker ended.
enum Outcome {
    Answered(Vec<u8>),
    Failed(Option<ExitStatus>, Vec<u8>),
    TimedOut,
}

impl Sandbox {
    pub fn new(settings: SandboxSettings) -> Self {
        let slots = tokio::sync::Semaphore::new(settings.concurrency.max(1));
        Sandbox {
            inner: Arc::new(Inner {
                settings,
                slots,
                admitted: AtomicUsize::new(0),
                warm: Mutex::new(Vec::new()),
            }),
        }
    }

    pub fn from_settings(settings: &Settings) -> Self {
        Sandbox::new(SandboxSettings::from_settings(settings))
    }

    /// Takes a worker started early (`early_worker`) as the first warm one, when it is of the program
    /// the settings name.
    pub fn adopt(self, early: Option<(PathBuf, Child)>) -> Self {
        if let Some((program, child)) = early {
            let settings = &self.inner.settings;
            if program == settings.program && settings.arguments.is_empty() {
                self.warm_workers().push(child);
            }
        }
        self
    }

    pub fn settings(&self) -> &SandboxSettings {
        &self.inner.settings
    }

    /// The tables of an uploaded file. The outer error says the server cannot take the file now (every
    /// worker busy and the queue full, or no worker could be started); the inner one says why the file
    /// itself cannot be read. The cheap checks run here first, so most bad files never need a worker.
    pub async fn read_tables(
        &self,
        bytes: &[u8],
        limits: &Limits,
    ) -> AppResult<Result<Vec<Table>, ReadError>> {
        if let Err(refusal) = guard::check(bytes, limits) {
            return Ok(Err(refusal));
        }
        let _admission = self.admit()?;
        let _slot = self
            .inner
            .slots
            .acquire()
            .await
            .map_err(|_| AppError::Internal("the parse sandbox was closed".into()))?;
        let settings = &self.inner.settings;
        let header = Header {
            memory_mib: settings.memory_mib,
            cpu_seconds: settings.timeout.as_secs().max(1),
            limits: *limits,
        };
        let request = protocol::encode_request(&header, bytes);
        let (timeout, most) = (
            settings.timeout,
            settings.memory_mib.saturating_mul(1024 * 1024),
        );
        // Starting a program blocks, like the pipes: both stay off the async workers.
        let sandbox = self.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let worker = sandbox.take_worker()?;
            if sandbox.settings().keep_warm {
                let next = sandbox.clone();
                std::thread::spawn(move || next.keep_one_warm());
            }
            Ok::<_, AppError>(exchange(worker, request, timeout, most))
        })
        .await
        .map_err(|e| AppError::Internal(format!("the parse exchange failed: {e}")))??;
        Ok(self.judge(outcome, bytes))
    }

    /// Starts a worker now unless one waits already, so that the first file does not wait for a
    /// program start.
    pub fn prewarm(&self) {
        if self.warm_workers().is_empty() {
            self.keep_one_warm();
        }
    }

    /// The same sandbox for a command that reads one file: no worker is started after it.
    pub fn one_off(settings: &Settings) -> Self {
        let one_at_a_time = Settings {
            parse_concurrency: 1,
            ..settings.clone()
        };
        Sandbox::new(SandboxSettings {
            keep_warm: false,
            ..SandboxSettings::from_settings(&one_at_a_time)
        })
    }

    fn admit(&self) -> AppResult<Admission<'_>> {
        let settings = &self.inner.settings;
        let admitted = self.inner.admitted.fetch_add(1, Ordering::SeqCst);
        let admission = Admission(&self.inner.admitted);
        if admitted >= settings.concurrency + settings.queue {
            return Err(AppError::Busy(
                "ファイルの読み取りが混み合っています。しばらくしてからもう一度お試しください"
                    .into(),
            ));
        }
        Ok(admission)
    }

    fn warm_workers(&self) -> std::sync::MutexGuard<'_, Vec<Child>> {
        self.inner.warm.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn spawn(&self) -> AppResult<Child> {
        let settings = &self.inner.settings;
        spawn_worker(&settings.program, &settings.arguments).map_err(|error| {
            AppError::Internal(format!(
                "cannot start the parse worker {}: {error}",
                settings.program.display()
            ))
        })
    }

    /// A warm worker that is still alive, or a new one.
    fn take_worker(&self) -> AppResult<Child> {
        let mut warm = self.warm_workers();
        while let Some(mut child) = warm.pop() {
            if matches!(child.try_wait(), Ok(None)) {
                return Ok(child);
            }
        }
        drop(warm);
        self.spawn()
    }

    /// Starts the next worker now, so the next file does not wait for a program start.
    fn keep_one_warm(&self) {
        let mut warm = self.warm_workers();
        if warm.len() < self.inner.settings.concurrency {
            match self.spawn() {
                Ok(child) => warm.push(child),
                Err(error) => log::warn!("{error}"),
            }
        }
    }

    /// The answer, or a refusal naming the limits with the cause in the log.
    fn judge(&self, outcome: Outcome, bytes: &[u8]) -> Result<Vec<Table>, ReadError> {
        let settings = &self.inner.settings;
        let refused = ReadError::Unreadable {
            memory_mib: settings.memory_mib,
            seconds: settings.timeout.as_secs(),
        };
        let digest = || hex::encode(Sha256::digest(bytes));
        match outcome {
            Outcome::Answered(output) => protocol::decode_answer(&output).unwrap_or_else(|| {
                log::warn!("parse worker answered nonsense for sha256 {}", digest());
                Err(refused)
            }),
            Outcome::Failed(status, complaint) => {
                log::warn!(
                    "parse worker failed on sha256 {} ({} bytes): {status:?}: {}",
                    digest(),
                    bytes.len(),
                    String::from_utf8_lossy(&complaint).trim()
                );
                Err(refused)
            }
            Outcome::TimedOut => {
                log::warn!(
                    "parse worker ran past {} s on sha256 {} ({} bytes) and was killed",
                    settings.timeout.as_secs(),
                    digest(),
                    bytes.len()
                );
                Err(refused)
            }
        }
    }
}

/// Hands a worker its request and reads its answer (at most `most` bytes) on this blocking thread; a
/// watchdog kills the worker when `timeout` passes first. The answer is length-prefixed, so it is taken
/// as soon as it is whole: the worker's exit (unmapping its memory) is waited for on another thread.
fn exchange(mut child: Child, request: Vec<u8>, timeout: Duration, most: u64) -> Outcome {
    let (Some(mut stdin), Some(mut stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Outcome::Failed(None, Vec::new());
    };
    let child = Arc::new(Mutex::new(child));
    let (done, done_or_late) = mpsc::channel::<()>();
    let watchdog = {
        let child = Arc::clone(&child);
        std::thread::spawn(move || {
            let late = done_or_late.recv_timeout(timeout).is_err();
            if late {
                let _ = lock(&child).kill();
            }
            late
        })
    };
    // A worker that died early closes its end; what it said is read below.
    std::thread::spawn(move || {
        let _ = stdin.write_all(&request);
    });
    let (complaint_sender, complaint) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = complaint_sender.send(read_bounded(stderr, 4096));
    });
    let answer = read_answer(&mut stdout, most);
    let _ = done.send(());
    let timed_out = watchdog.join().unwrap_or(true);
    match answer {
        Some(answer) if !timed_out => {
            std::thread::spawn(move || lock(&child).wait());
            Outcome::Answered(answer)
        }
        _ if timed_out => {
            let _ = lock(&child).wait();
            Outcome::TimedOut
        }
        _ => {
            let status = lock(&child).wait().ok();
            let said = complaint
                .recv_timeout(Duration::from_secs(1))
                .unwrap_or_default();
            Outcome::Failed(status, said)
        }
    }
}

fn lock(child: &Mutex<Child>) -> std::sync::MutexGuard<'_, Child> {
    child.lock().unwrap_or_else(|p| p.into_inner())
}

/// A length-prefixed answer, whole, or None when the pipe ended first or it claims more than `most`.
fn read_answer(stdout: &mut impl Read, most: u64) -> Option<Vec<u8>> {
    let mut prefix = [0u8; 8];
    stdout.read_exact(&mut prefix).ok()?;
    let length = u64::from_le_bytes(prefix);
    if length > most {
        return None;
    }
    let mut answer = vec![0u8; length as usize];
    stdout.read_exact(&mut answer).ok()?;
    Some(answer)
}

/// Reads a pipe to its end, keeping at most `limit` bytes.
fn read_bounded(mut pipe: impl Read, limit: usize) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(read) = pipe.read(&mut chunk) {
        if read == 0 {
            break;
        }
        let room = limit.saturating_sub(kept.len()).min(read);
        kept.extend_from_slice(&chunk[..room]);
    }
    kept
}
