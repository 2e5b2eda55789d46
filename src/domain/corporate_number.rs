//! 法人番号: the 13-digit corporate number assigned by the National Tax Agency.

use super::text::normalize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct CorporateNumber(String);

impl CorporateNumber {
    /// Accepts full-width or half-width digits with stray spaces or hyphens, and checks the
    /// check digit (the first digit) by the National Tax Agency's rule.
    pub fn parse(input: &str) -> Result<Self, String> {
        let digits: String = normalize(input)
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .collect();
        if digits.is_empty() {
            return Err("法人番号が入力されていません".into());
        }
        if super::vendor_identity::looks_like_my_number(input) {
            return Err(super::vendor_identity::MY_NUMBER_REFUSED.into());
        }
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err("法人番号は数字13桁で入力してください".into());
        }
        if digits.len() != 13 {
            return Err(format!(
                "法人番号は13桁です（{}桁入力されています）",
                digits.len()
            ));
        }
        if !check_digit_valid(&digits) {
            return Err("法人番号のチェックディジットが一致しません".into());
        }
        Ok(CorporateNumber(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether 13 ASCII digits carry the right check digit in front (法人番号, and the digits of a 登録番号).
pub(crate) fn check_digit_valid(digits: &str) -> bool {
    let values: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    values.len() == 13 && values[0] == check_digit(&values[1..])
}

/// 9 − (Σ Pn × Qn mod 9), with Pn the n-th digit counted from the right of the 12-digit base
/// number and Qn 1 for odd n, 2 for even n.
fn check_digit(base: &[u32]) -> u32 {
    let sum: u32 = base
        .iter()
        .rev()
        .enumerate()
        .map(|(i, digit)| digit * if i % 2 == 0 { 1 } else { 2 })
        .sum();
    9 - sum % 9
}

impl fmt::Display for CorporateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Builds a valid corporate number from any 12-digit base (for sample and seed data).
pub fn with_check_digit(base: u64) -> CorporateNumber {
    let text = format!("{:012}", base % 1_000_000_000_000);
    let values: Vec<u32> = text.chars().map(|c| c.to_digit(10).unwrap_or(0)).collect();
    CorporateNumber(format!("{}{}", check_digit(&values), text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_numbers() {
        // 国税庁 and トヨタ自動車株式会社, as published in the corporate-number register.
        assert!(CorporateNumber::parse("7000012050002").is_ok());
        assert!(CorporateNumber::parse("1180301018771").is_ok());
        assert_eq!(
            CorporateNumber::parse("７０００ ０１２ ０５０ ００２")
                .unwrap()
                .as_str(),
            "7000012050002"
        );
        assert_eq!(
            CorporateNumber::parse("7-0000-1205-0002").unwrap().as_str(),
            "7000012050002"
        );
    }

    #[test]
    fn refuses_bad_numbers() {
        assert!(CorporateNumber::parse("8000012050002")
            .unwrap_err()
            .contains("チェックディジット"));
        assert_eq!(
            CorporateNumber::parse("700001205000").unwrap_err(),
            "個人番号（マイナンバー）は入力できません"
        );
        assert!(CorporateNumber::parse("70000120500")
            .unwrap_err()
            .contains("11桁"));
        assert!(CorporateNumber::parse("70000120500A2").is_err());
        assert!(CorporateNumber::parse("").is_err());
    }

    #[test]
    fn every_generated_number_validates() {
        for base in (0..1_000_000_000_000u64).step_by(7_919_000_013) {
            let number = with_check_digit(base);
            assert_eq!(CorporateNumber::parse(number.as_str()), Ok(number));
        }
    }
}
