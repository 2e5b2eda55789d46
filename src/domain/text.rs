//! Text as people type it: NFKC, trimmed (full-width spaces too), and bounded non-empty strings.

use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// NFKC-normalizes and trims, so `　ＡＢＣ１２３ ` becomes `ABC123`; characters nobody sees (zero-width
/// spaces and joiners, the byte-order mark, soft hyphens) are dropped.
pub fn normalize(input: &str) -> String {
    input
        .nfkc()
        .filter(|c| !is_invisible(*c))
        .collect::<String>()
        .trim()
        .to_string()
}

/// Zero-width characters, soft hyphens and bidirectional controls: they change how a name reads
/// (「ｅｘｅ.pdf」 shown as 「fdp.exe」, a name that looks like another) without being seen.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{00AD}'
            | '\u{061C}'
            | '\u{202A}'..='\u{202E}'
    )
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for a URL's query value or label.
pub fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Refuses text with invisible characters (see `is_invisible`), naming the field.
pub fn visible(value: &str, label: &str) -> Result<(), String> {
    if value.chars().any(is_invisible) {
        Err(format!(
            "{label}に見えない文字（ゼロ幅文字や文字の向きを変える文字）が含まれています"
        ))
    } else {
        Ok(())
    }
}

/// A company name as compared, not shown: normalized, without spaces and without the legal form
/// (株式会社, ㈱, (株), 有限会社, 合同会社, 一般社団法人 …), so 「㈱いろは」 and 「株式会社 いろは」 match.
pub fn company_key(name: &str) -> String {
    const FORMS: [&str; 16] = [
        "特定非営利活動法人",
        "一般社団法人",
        "一般財団法人",
        "公益社団法人",
        "公益財団法人",
        "株式会社",
        "有限会社",
        "合同会社",
        "合資会社",
        "合名会社",
        "npo法人",
        "(株)",
        "(有)",
        "(同)",
        "(資)",
        "(名)",
    ];
    let mut key: String = normalize(name)
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for form in FORMS {
        key = key.replace(form, "");
    }
    key
}

/// The longest search text a list accepts.
pub const MAX_SEARCH_CHARS: usize = 200;

/// Search text as typed: normalized, empty as none, and at most `MAX_SEARCH_CHARS` characters (a
/// 60,000-character search used to reach the database and answer 500).
pub fn search_text(input: Option<&str>) -> Result<Option<String>, String> {
    let text = input.map(normalize).filter(|t| !t.is_empty());
    match text {
        Some(t) if t.chars().count() > MAX_SEARCH_CHARS => Err(format!(
            "検索語は{MAX_SEARCH_CHARS}文字以内で入力してください"
        )),
        other => Ok(other),
    }
}

/// An item id as people type it, reduced to one form: `Ａ－１`, `A‐1`, `A−1`, `Aー1`, `A - 1` and
/// `A-01` are all `A-1`. The one comparison of item ids, wherever they are read.
pub fn item_key(input: &str) -> String {
    let mut key = String::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, key: &mut String| {
        if !digits.is_empty() {
            let trimmed = digits.trim_start_matches('0');
            key.push_str(if trimmed.is_empty() { "0" } else { trimmed });
            digits.clear();
        }
    };
    for c in normalize(input).chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        flush(&mut digits, &mut key);
        match c {
            c if c.is_whitespace() => {}
            '-'
            | '\u{2010}'..='\u{2015}'
            | '\u{2212}'
            | '\u{30FC}'
            | '\u{2500}'
            | '\u{FE63}'
            | '_' => key.push('-'),
            c => key.extend(c.to_uppercase()),
        }
    }
    flush(&mut digits, &mut key);
    key
}

/// A header cell reduced for matching a column name: bracketed hints (「回答（はい・いいえ）」,
/// 「回答【必須】」) and line breaks inside the cell do not count.
pub fn header_key(input: &str) -> String {
    let mut kept = String::new();
    let mut depth = 0usize;
    for c in normalize(input).chars() {
        match c {
            '(' | '[' | '【' | '〔' | '<' | '《' | '〈' | '{' => depth += 1,
            ')' | ']' | '】' | '〕' | '>' | '》' | '〉' | '}' => {
                depth = depth.saturating_sub(1)
            }
            c if depth == 0 => kept.push(c),
            _ => {}
        }
    }
    label_key(&kept)
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
        visible(&value, label)?;
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

/// A count as people read it, its digits grouped by three: 120,144.
pub fn grouped(n: impl std::fmt::Display) -> String {
    let digits = n.to_string();
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", digits.as_str()),
    };
    let mut grouped = String::from(sign);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod item_and_header_tests {
    use super::*;

    #[test]
    fn item_ids_typed_every_way_are_one() {
        for typed in [
            "A-1",
            "Ａ－１",
            "A‐1",
            "A−1",
            "Aー1",
            "A - 1",
            "A-01",
            "a-1",
            "A―1",
            "\u{200B}A-1\u{FEFF}",
        ] {
            assert_eq!(item_key(typed), "A-1", "{typed}");
        }
        assert_eq!(item_key("10"), "10");
        assert_eq!(item_key("０１０"), "10");
        assert_ne!(item_key("A-10"), item_key("A-1"));
    }

    #[test]
    fn headers_match_without_hints_or_line_breaks() {
        assert_eq!(header_key("回答\n（はい・いいえ・一部・該当なし）"), "回答");
        assert_eq!(header_key("回答【必須】"), "回答");
        assert_eq!(header_key("確認\n項目"), "確認項目");
        assert_eq!(header_key("No."), label_key("No."));
    }
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
        for hidden in ["株式会社\u{202E}ふはら", "いろは\u{200B}", "\u{2066}いろは"] {
            assert!(BoundedText::<50>::parse(hidden, "事業者名")
                .unwrap_err()
                .contains("見えない文字"));
        }
        assert_eq!(company_key("㈱ いろは"), company_key("株式会社いろは"));
        assert_eq!(company_key("有限会社ＡＢＣ"), company_key("abc"));
        assert_ne!(company_key("株式会社いろは"), company_key("株式会社にほへ"));
        assert_eq!(
            BoundedText::<5>::parse("　abc　", "件名").unwrap().as_str(),
            "abc"
        );
        assert!(BoundedText::<50>::parse("a\u{0007}b", "件名").is_err());
    }

    #[test]
    fn a_count_groups_its_digits_by_three() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(120_144usize), "120,144");
        assert_eq!(grouped(1_000_000i64), "1,000,000");
        assert_eq!(grouped(-12_345), "-12,345");
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
