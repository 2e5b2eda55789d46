//! 契約金額: an amount of yen as ledgers and finance systems write it.

use super::text::normalize;
use std::fmt;

/// A non-negative whole number of yen, below a trillion (no municipal contract comes near it).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(into = "i64", try_from = "i64")]
pub struct Yen(i64);

impl From<Yen> for i64 {
    fn from(yen: Yen) -> i64 {
        yen.0
    }
}

impl TryFrom<i64> for Yen {
    type Error = String;
    fn try_from(value: i64) -> Result<Self, String> {
        Yen::new(value)
    }
}

const MOST: i64 = 999_999_999_999;

impl Yen {
    pub fn new(value: i64) -> Result<Self, String> {
        if (0..=MOST).contains(&value) {
            Ok(Yen(value))
        } else {
            Err("契約金額は0円以上1兆円未満で入力してください".into())
        }
    }

    /// Reads 「¥1,234,000」「1,234,000円」「1,234千円」「123万円」「1.5百万円」「１，２３４，０００」 and a plain
    /// number; 税込/税抜 notes around it are ignored.
    pub fn parse(input: &str) -> Result<Self, String> {
        let text: String = normalize(input)
            .chars()
            .filter(|c| !matches!(c, ',' | ' ' | '¥' | '\\' | '￥'))
            .collect();
        // 「金1,234,000円也」「¥1,234,000-」: the marks written on a cheque so nothing can be added.
        let text = text
            .trim_start_matches('金')
            .trim_end_matches('也')
            .trim_end_matches(['-', '−', '―'])
            .replace("(税込)", "")
            .replace("(税抜)", "")
            .replace("税込", "")
            .replace("税抜", "");
        let unreadable = || format!("「{}」は金額として読み取れません", input.trim());
        if text.is_empty() {
            return Err("契約金額が入力されていません".into());
        }
        let number = text.strip_suffix('円').unwrap_or(&text);
        let (number, unit) = [("百万", 1_000_000.0), ("千", 1_000.0), ("万", 10_000.0)]
            .iter()
            .find_map(|(suffix, unit)| number.strip_suffix(suffix).map(|n| (n, *unit)))
            .unwrap_or((number, 1.0));
        if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return Err(unreadable());
        }
        let value: f64 = number.parse().map_err(|_| unreadable())?;
        let exact = value * unit;
        let yen = exact.round();
        if (exact - yen).abs() > 1e-6 {
            return Err(format!("「{}」に1円未満の端数があります", input.trim()));
        }
        if !(0.0..=MOST as f64).contains(&yen) {
            return Err("契約金額は0円以上1兆円未満で入力してください".into());
        }
        Ok(Yen(yen as i64))
    }

    pub fn value(self) -> i64 {
        self.0
    }
}

/// 1,234,000円
impl fmt::Display for Yen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        let mut grouped = String::new();
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        write!(f, "{grouped}円")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_amounts_as_ledgers_write_them() {
        for (input, yen) in [
            ("¥1,234,000", 1_234_000),
            ("1,234,000円", 1_234_000),
            ("1,234千円", 1_234_000),
            ("１，２３４，０００", 1_234_000),
            ("￥１２３４０００－", 1_234_000),
            ("123万円", 1_230_000),
            ("1.5百万円", 1_500_000),
            ("1234000", 1_234_000),
            ("1234000.0", 1_234_000),
            ("金1,234,000円（税込）", 1_234_000),
            ("0", 0),
        ] {
            assert_eq!(Yen::parse(input).map(Yen::value), Ok(yen), "{input}");
        }
        for bad in ["", "未定", "-5", "1.5円", "1兆円", "12a"] {
            assert!(Yen::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shows_amounts_with_commas_and_yen() {
        assert_eq!(Yen(1_234_000).to_string(), "1,234,000円");
        assert_eq!(Yen(999).to_string(), "999円");
        assert_eq!(Yen(0).to_string(), "0円");
    }
}
