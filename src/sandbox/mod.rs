//! Untrusted spreadsheets are parsed in a child process, never in the server or the CLI: the `itaku`
//! binary itself in worker mode (`worker.rs`), limited in memory, CPU time and files, one file per
//! process. calamine can be made to ask for hundreds of gigabytes by a 9 KB file, and an allocation
//! failure aborts whatever process it happens in; here that process is a worker, and the caller gets
//! a refusal. Workers are started ahead of need (a warm one waits on its pipe), so a parse costs the
//! parse and two pipe copies, not a program start.

pub mod protocol;
pub mod worker;

use crate::config::Settings;
use crate::error::{AppError, AppResult};
use crate::excel::{guard, Limits, ReadError, Table};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

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
}

impl SandboxSettings {
    pub fn from_settings(settings: &Settings) -> Self {
        let program = if settings.parse_worker.is_empty() {
            std::env::current_exe().unwrap_or_else(|_| PathBuf::from("itaku"))
        } else {
            PathBuf::from(&settings.parse_worker)
        };
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        SandboxSettings {
            program,
            arguments: Vec::new(),
            memory_mib: settings.parse_memory_limit_mib,
            timeout: Duration::from_secs(settings.parse_timeout_seconds),
            concurrency: if settings.parse_concurrency == 0 {
                cores
            } else {
                settings.parse_concurrency
            },
            queue: settings.parse_queue,
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
        let worker = self.take_worker()?;
        let answer = self.exchange(worker, bytes, limits).await;
        self.keep_one_warm();
        Ok(answer)
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

    fn spawn(&self) -> AppResult<Child> {
        let settings = &self.inner.settings;
        Command::new(&settings.program)
            .args(&settings.arguments)
            .arg(worker::ARGUMENT)
            .arg("--memory-mib")
            .arg(settings.memory_mib.to_string())
            .arg("--cpu-seconds")
            .arg(settings.timeout.as_secs().max(1).to_string())
            .env_clear()
            // mimalloc reserves a 1 GiB arena up front unless told not to; inside that reservation
            // the address-space limit would not bind (measured: a 40 MiB worker reached 280 MB).
            .env("MIMALLOC_ARENA_RESERVE", "0")
            .current_dir("/")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| {
                AppError::Internal(format!(
                    "cannot start the parse worker {}: {error}",
                    settings.program.display()
                ))
            })
    }

    /// A warm worker that is still alive, or a new one.
    fn take_worker(&self) -> AppResult<Child> {
        let mut warm = self.inner.warm.lock().unwrap_or_else(|p| p.into_inner());
        while let Some(mut child) = warm.pop() {
            if matches!(child.try_wait(), Ok(None)) {
                return Ok(child);
            }
        }
        drop(warm);
        self.spawn()
    }

    /// Starts a worker now, so that the first file does not wait for a program start.
    pub fn prewarm(&self) {
        self.keep_one_warm();
    }

    /// Starts the next worker now, so the next file does not wait for a program start.
    fn keep_one_warm(&self) {
        let mut warm = self.inner.warm.lock().unwrap_or_else(|p| p.into_inner());
        if warm.len() < self.inner.settings.concurrency {
            match self.spawn() {
                Ok(child) => warm.push(child),
                Err(error) => log::warn!("{error}"),
            }
        }
    }

    async fn exchange(
        &self,
        mut child: Child,
        bytes: &[u8],
        limits: &Limits,
    ) -> Result<Vec<Table>, ReadError> {
        let settings = &self.inner.settings;
        let refused = ReadError::Unreadable {
            memory_mib: settings.memory_mib,
            seconds: settings.timeout.as_secs(),
        };
        let request = protocol::encode_request(limits, bytes);
        let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(refused);
        };
        let talk = async {
            let write = async {
                // A worker that died early closes its end; what it said is read below.
                let _ = stdin.write_all(&request).await;
                drop(stdin);
            };
            let mut output = Vec::new();
            let mut complaint = Vec::new();
            // The answer is smaller than the memory the worker may use; a worker that says more is wrong.
            let mut answer = (&mut stdout).take(settings.memory_mib.saturating_mul(1024 * 1024));
            let read = answer.read_to_end(&mut output);
            let read_errors = read_bounded(&mut stderr, &mut complaint, 4096);
            let ((), read, ()) = tokio::join!(write, read, read_errors);
            let status = child.wait().await;
            (read.map(|_| output), complaint, status)
        };
        let outcome = tokio::time::timeout(settings.timeout, talk).await;
        let digest = hex::encode(Sha256::digest(bytes));
        match outcome {
            Ok((Ok(output), _, Ok(status))) if status.success() => protocol::decode_answer(&output)
                .unwrap_or_else(|| {
                    log::warn!("parse worker answered nonsense for sha256 {digest}");
                    Err(refused)
                }),
            Ok((_, complaint, status)) => {
                log::warn!(
                    "parse worker failed on sha256 {digest} ({} bytes): {status:?}: {}",
                    bytes.len(),
                    String::from_utf8_lossy(&complaint).trim()
                );
                Err(refused)
            }
            Err(_) => {
                let _ = child.start_kill();
                let _ = child.wait().await;
                log::warn!(
                    "parse worker ran past {} s on sha256 {digest} ({} bytes) and was killed",
                    settings.timeout.as_secs(),
                    bytes.len()
                );
                Err(refused)
            }
        }
    }
}

/// Reads a pipe to its end, keeping at most `limit` bytes.
async fn read_bounded(pipe: &mut tokio::process::ChildStderr, kept: &mut Vec<u8>, limit: usize) {
    let mut chunk = [0u8; 4096];
    while let Ok(read) = pipe.read(&mut chunk).await {
        if read == 0 {
            break;
        }
        let room = limit.saturating_sub(kept.len()).min(read);
        kept.extend_from_slice(&chunk[..room]);
    }
}
