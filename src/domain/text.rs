//! Text as people type it: NFKC, trimmed (full-width spaces too), and bounded non-empty strings.

use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// NFKC-normalizes and trims, so `　ＡＢＣ１２３ ` becomes `ABC123`.
pub fn normalize(input: &str) -> String {
    input.nfkc().collect::<String>().trim().to_string()
}

/// Folds katakana to hiragana, for comparing answers typed in either script.
pub fn fold_kana(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Normalizes for matching a label or header: NFKC, no white space, no brackets or marks, kana folded.
pub fn label_key(input: &str) -> String {
    fold_kana(&normalize(input))
        .chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '(' | ')'
                        | '['
                        | ']'
                        | '【'
                        | '】'
                        | '「'
                        | '」'
                        | '※'
                        | '*'
                        | ':'
                        | '・'
                        | '_'
                        | '〔'
                        | '〕'
                )
        })
        .collect::<String>()
        .to_lowercase()
}

/// A trimmed, non-empty string of at most `MAX` characters, without control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct BoundedText<const MAX: usize>(String);

impl<const MAX: usize> BoundedText<MAX> {
    pub fn parse(input: &str, label: &str) -> Result<Self, String> {
        let value = input.trim().trim_matches('\u{3000}').trim().to_string();
        if value.is_empty() {
            return Err(format!("{label}を入力してください"));
        }
        if value.chars().count() > MAX {
            return Err(format!("{label}は{MAX}文字以内で入力してください"));
        }
        if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(format!("{label}に使用できない制御文字が含まれています"));
        }
        Ok(BoundedText(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<const MAX: usize> fmt::Display for BoundedText<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses an optional field: blank means `None`.
pub fn optional<T>(
    input: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    match input.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse(text).map(Some),
    }
}

/// A count typed with full-width digits, thousands separators or a unit (`12,000件`).
pub fn parse_count(input: &str, label: &str) -> Result<i64, String> {
    let text: String = normalize(input)
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '件' | '人' | '日'))
        .collect();
    let value = if let Some(float) = text.strip_suffix(".0") {
        float.to_string()
    } else {
        text
    };
    value
        .parse::<i64>()
        .ok()
        .filter(|n| (0..=1_000_000_000_000).contains(n))
        .ok_or_else(|| {
            format!(
                "{label}は0以上の整数で入力してください（「{}」）",
                input.trim()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_width_and_spaces() {
        assert_eq!(normalize("　ＡＢＣ１２３ "), "ABC123");
        assert_eq!(label_key("消去期限（日）"), "消去期限日");
        assert_eq!(label_key("契約 番号"), "契約番号");
        assert_eq!(fold_kana("ハイ"), "はい");
    }

    #[test]
    fn bounded_text() {
        assert!(BoundedText::<5>::parse("  ", "件名")
            .unwrap_err()
            .contains("件名を入力"));
        assert!(BoundedText::<5>::parse("123456", "件名").is_err());
        assert_eq!(
            BoundedText::<5>::parse("　abc　", "件名").unwrap().as_str(),
            "abc"
        );
        assert!(BoundedText::<50>::parse("a\u{0007}b", "件名").is_err());
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("１２，０００件", "件数"), Ok(12000));
        assert_eq!(parse_count("30", "日数"), Ok(30));
        assert_eq!(parse_count("30.0", "日数"), Ok(30));
        assert!(parse_count("-1", "日数").is_err());
        assert!(parse_count("たくさん", "件数").is_err());
    }
}
