//! Time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30 seconds) as authenticator apps make
//! them, the enrolment QR code (drawn on the server as SVG), and one-time recovery codes.

use totp_rs::{Algorithm, Secret, TOTP};

const DIGITS: usize = 6;
const PERIOD: u64 = 30;
/// Codes one period early or late are accepted too: phones' clocks drift.
const SKEW_STEPS: u64 = 1;
const ISSUER: &str = "Itaku";

/// A new random secret (160 bits, as RFC 4226 recommends), base32 as apps take it.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(text) => text,
        Secret::Raw(_) => unreachable!("to_encoded answers Encoded"),
    }
}

fn totp(secret: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, DIGITS, 0, PERIOD, bytes).ok()
}

/// The code for the period holding `unix_seconds` (for tests, and for nothing else).
pub fn code_at(secret: &str, unix_seconds: u64) -> Option<String> {
    totp(secret).map(|t| t.generate(unix_seconds))
}

/// The period (step) a right `code` belongs to, if it is right for `now` within the skew and newer
/// than `last_step`: a code that was used once is refused after (RFC 6238 §5.2).
pub fn verify(secret: &str, code: &str, unix_now: u64, last_step: u64) -> Option<u64> {
    let code: String = crate::domain::text::normalize(code)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if code.len() != DIGITS || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret)?;
    let now_step = unix_now / PERIOD;
    (now_step.saturating_sub(SKEW_STEPS)..=now_step + SKEW_STEPS)
        .filter(|step| *step > last_step)
        .find(|step| {
            let expected = totp.generate(step * PERIOD);
            subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), code.as_bytes()).into()
        })
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_url(account: &str, secret: &str) -> String {
    let label = crate::domain::text::percent_encode(&format!("{ISSUER}:{account}"));
    format!(
        "otpauth://totp/{label}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={PERIOD}"
    )
}

/// The QR code of `text` as an SVG element, drawn here so no image leaves the server.
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// The secret in groups of four, as people type it when they cannot scan.
pub fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// How many recovery codes a user gets at once.
pub const RECOVERY_CODES: usize = 10;

/// Ten new recovery codes (`abcde-fghjk`, 50 bits each, without look-alike characters).
pub fn new_recovery_codes() -> Vec<String> {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let raw: String = (0..10)
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
                .collect();
            format!("{}-{}", &raw[..5], &raw[5..])
        })
        .collect()
}

/// A recovery code as typed (any case, with or without the hyphen or spaces), as it is compared.
pub fn recovery_key(typed: &str) -> String {
    crate::domain::text::normalize(typed)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's SHA-1 test key, base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_the_rfc_test_vectors() {
        // RFC 6238 appendix B, last six digits of the 8-digit values.
        assert_eq!(code_at(RFC_SECRET, 59).unwrap(), "287082");
        assert_eq!(code_at(RFC_SECRET, 1_111_111_109).unwrap(), "081804");
        assert_eq!(code_at(RFC_SECRET, 2_000_000_000).unwrap(), "279037");
    }

    #[test]
    fn a_code_is_right_for_its_period_and_one_either_side_and_only_once() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now).unwrap();
        let step = verify(&secret, &code, now, 0).expect("right now");
        assert_eq!(step, now / 30);
        assert!(verify(&secret, &code, now + 30, 0).is_some(), "30 s late");
        assert!(verify(&secret, &code, now + 90, 0).is_none(), "90 s late");
        assert!(verify(&secret, &code, now, step).is_none(), "used once");
        assert!(verify(&secret, &format!("{} {}", &code[..3], &code[3..]), now, 0).is_some());
        assert!(verify(&secret, "12345", now, 0).is_none());
        assert!(verify(&secret, "abcdef", now, 0).is_none());
    }

    #[test]
    fn the_enrolment_address_and_qr_code() {
        let url = otpauth_url("sato@city.example.jp", "ABCD");
        assert!(url.starts_with("otpauth://totp/Itaku%3Asato%40city.example.jp?secret=ABCD"));
        let svg = qr_svg(&url);
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }

    #[test]
    fn recovery_codes_are_distinct_and_read_as_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), RECOVERY_CODES);
        assert_eq!(recovery_key(" ABCDE-FGHJK "), "abcdefghjk");
        assert_eq!(recovery_key(&codes[0]).len(), 10);
    }
}
