//! Argon2id password hashes, kept off the async threads, and the password policy.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 128;

/// Passwords too common to accept whatever their length (a short list of the most used ones and their
/// obvious extensions; the length rule already excludes most of the rest).
const COMMON: &[&str] = &[
    "password",
    "password1",
    "password123",
    "passw0rd",
    "123456789012",
    "1234567890123",
    "qwertyuiop",
    "qwertyuiopasdf",
    "iloveyou",
    "letmein",
    "welcome",
    "administrator",
    "admin12345",
    "changeme",
    "abc123456789",
    "123456789abc",
    "aaaaaaaaaaaa",
    "111111111111",
    "000000000000",
    "123123123123",
    "qwerty123456",
    "1qaz2wsx3edc",
    "zaq12wsxcde3",
    "p@ssw0rd",
    "p@ssword",
    "itaku",
    "itakuitaku",
    "monkey",
    "dragon",
    "sunshine",
    "princess",
    "football",
];

/// Checks the policy: length, not the e-mail address or its name part, not a common password,
/// not one character repeated.
pub fn check_policy(password: &str, email: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!("パスワードは{MIN_LENGTH}文字以上にしてください"));
    }
    if length > MAX_LENGTH {
        return Err(format!("パスワードは{MAX_LENGTH}文字以内にしてください"));
    }
    let lower = password.to_lowercase();
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or("");
    if lower == email || (local.chars().count() >= 4 && lower.contains(local)) {
        return Err("パスワードにメールアドレスを含めないでください".into());
    }
    let first = lower.chars().next().unwrap_or(' ');
    if lower.chars().all(|c| c == first) {
        return Err("同じ文字の繰り返しはパスワードにできません".into());
    }
    let stripped: String = lower
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '!')
        .to_string();
    if COMMON
        .iter()
        .any(|common| lower == *common || stripped == *common)
    {
        return Err("よく使われるパスワードは使えません".into());
    }
    Ok(())
}

/// Password work is Argon2id at 19 MiB and tens of milliseconds of a core each: at most `permits` run at
/// once and `queue` more wait; beyond that the caller is told to come back (300 sign-ins at once used
/// to take 2.2 GB on 216 threads and stall `/healthz` for 9 s).
struct Gate {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    queue: usize,
}

static GATE: Mutex<Option<Arc<Gate>>> = Mutex::new(None);

/// Sizes the gate (when the server is built); checks already running keep their places. `permits` 0
/// means one per core.
pub fn configure(permits: usize, queue: usize) {
    *GATE.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(Gate::new(permits, queue)));
}

impl Gate {
    fn new(permits: usize, queue: usize) -> Self {
        let permits = if permits == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            permits
        };
        Gate {
            permits: Arc::new(Semaphore::new(permits)),
            waiting: AtomicUsize::new(0),
            queue,
        }
    }
}

fn gate() -> Arc<Gate> {
    GATE.lock()
        .unwrap_or_else(|p| p.into_inner())
        .get_or_insert_with(|| Arc::new(Gate::new(0, 16)))
        .clone()
}

/// Too many password checks at once; try again in a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl From<Busy> for crate::error::AppError {
    fn from(_: Busy) -> Self {
        crate::error::AppError::TooManyRequests {
            message: "処理が混み合っています。数秒後にもう一度お試しください".into(),
            retry_after_seconds: 2,
        }
    }
}

/// A place at the gate: one password check may run with it.
pub struct Slot {
    permit: OwnedSemaphorePermit,
}

/// Leaves the queue when the caller has its place, or gives up waiting.
struct Waiting(Arc<Gate>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Waits for a place at the gate, or answers `Busy` at once when the queue is full.
pub async fn slot() -> Result<Slot, Busy> {
    slot_at(gate()).await
}

async fn slot_at(gate: Arc<Gate>) -> Result<Slot, Busy> {
    if let Ok(permit) = gate.permits.clone().try_acquire_owned() {
        return Ok(Slot { permit });
    }
    let permits = gate.permits.clone();
    let queue = gate.queue;
    let waiting = Waiting(gate);
    if waiting.0.waiting.fetch_add(1, Ordering::SeqCst) >= queue {
        return Err(Busy);
    }
    let permit = permits.acquire_owned().await.map_err(|_| Busy)?;
    Ok(Slot { permit })
}

impl Slot {
    /// Runs the work off the async threads, holding the place until it ends (even if the request is
    /// dropped meanwhile, so at most `permits` hashes ever run).
    async fn run<T: Send + 'static>(self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let permit = self.permit;
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(permit);
            result
        })
        .await
        .ok()
    }

    /// Verifies against `stored`, or against a dummy hash when there is no account, so timing tells
    /// nothing.
    pub async fn verify(self, password: String, stored: Option<String>) -> bool {
        let exists = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
        let matched = self
            .run(move || {
                PasswordHash::new(&stored)
                    .map(|parsed| {
                        Argon2::default()
                            .verify_password(password.as_bytes(), &parsed)
                            .is_ok()
                    })
                    .unwrap_or(false)
            })
            .await
            .unwrap_or(false);
        exists && matched
    }
}

/// Hashes with Argon2id and a random salt (OWASP's default parameters), through the gate.
pub async fn hash(password: String) -> crate::error::AppResult<String> {
    let slot = slot().await?;
    slot.run(move || hash_blocking(&password))
        .await
        .unwrap_or_else(|| Err("hash task failed".into()))
        .map_err(crate::error::AppError::Internal)
}

pub fn hash_blocking(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| format!("argon2: {e}"))
}

/// A hash to verify against when no account has the e-mail, so timing tells nothing.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("this account does not exist").unwrap_or_default())
}

/// Verifies a password through the gate.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, Busy> {
    Ok(slot().await?.verify(password, stored).await)
}

/// A random password that satisfies the policy, for accounts created from the command line.
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    use rand::Rng;
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert!(check_policy("short", "a@example.jp").is_err());
        assert!(check_policy("password1234", "a@example.jp").is_err());
        assert!(check_policy("aaaaaaaaaaaaaa", "a@example.jp").is_err());
        assert!(
            check_policy("sato.hanako@city.example.jp", "sato.hanako@city.example.jp").is_err()
        );
        assert!(check_policy("xxsato.hanakoxx", "sato.hanako@city.example.jp").is_err());
        assert!(check_policy("correct horse battery staple", "sato@city.example.jp").is_ok());
        assert!(check_policy(&generate(), "sato@city.example.jp").is_ok());
    }

    #[tokio::test]
    async fn hashes_and_verifies() {
        let stored = hash("correct horse battery staple".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert_eq!(
            verify("correct horse battery staple".into(), Some(stored.clone())).await,
            Ok(true)
        );
        assert_eq!(
            verify("wrong horse battery staple".into(), Some(stored)).await,
            Ok(false)
        );
        assert_eq!(
            verify("this account does not exist".into(), None).await,
            Ok(false),
            "the dummy never signs anyone in"
        );
    }

    #[tokio::test]
    async fn a_full_gate_answers_busy_at_once_and_a_waiter_gets_the_freed_place() {
        let gate = Arc::new(Gate::new(1, 1));
        let running = slot_at(gate.clone()).await.unwrap();
        let waiter = tokio::spawn(slot_at(gate.clone()));
        while gate.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        assert!(slot_at(gate.clone()).await.is_err(), "the queue is full");
        drop(running);
        assert!(waiter.await.unwrap().is_ok(), "the waiter gets the place");
        assert!(slot_at(gate).await.is_ok(), "and after it, the next one");
    }
}
