//! Argon2id password hashes, kept off the async threads, and the password policy.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::OnceLock;

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

/// Hashes with Argon2id and a random salt (OWASP's default parameters).
pub async fn hash(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| format!("hash task failed: {e}"))?
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

/// Verifies against `stored`, or against a dummy hash when there is no account.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    let exists = stored.is_some();
    let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
    let matched = tokio::task::spawn_blocking(move || {
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

    #[rocket::async_test]
    async fn hashes_and_verifies() {
        let stored = hash("correct horse battery staple".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery staple".into(), Some(stored.clone())).await);
        assert!(!verify("wrong horse battery staple".into(), Some(stored)).await);
        assert!(
            !verify("this account does not exist".into(), None).await,
            "the dummy never signs anyone in"
        );
    }
}
