//! E-mail addresses.

use super::text::normalize;
use validator::ValidateEmail;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, String> {
        let value = normalize(input).to_lowercase();
        if value.chars().count() <= 254 && value.validate_email() {
            Ok(Email(value))
        } else {
            Err(format!(
                "メールアドレスの形式が正しくありません（「{}」）",
                input.trim()
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Sato@Example.JP ").unwrap().as_str(),
            "sato@example.jp"
        );
        assert!(Email::parse("sato@").is_err());
        assert!(Email::parse("").is_err());
    }
}
