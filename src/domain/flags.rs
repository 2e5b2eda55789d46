//! Yes/no cells and the importance of a contract, as people write them in ledgers.

use super::text::{fold_kana, normalize};

/// あり/なし, 有/無, ○/×, はい/いいえ, yes/no, true/false, 1/0, 要/不要, 可/否.
pub fn parse_yes_no(input: &str, label: &str) -> Result<bool, String> {
    let key = fold_kana(&normalize(input)).to_lowercase();
    match key.as_str() {
        "あり" | "有" | "有り" | "○" | "〇" | "◯" | "はい" | "yes" | "y" | "true" | "1" | "要"
        | "可" | "対象" | "利用" | "使用" => Ok(true),
        "なし"
        | "無"
        | "無し"
        | "×"
        | "✕"
        | "x"
        | "いいえ"
        | "no"
        | "n"
        | "false"
        | "0"
        | "不要"
        | "否"
        | "不可"
        | "対象外"
        | "-"
        | "ー"
        | "―"
        | "なし(利用しない)" => Ok(false),
        _ => Err(format!(
            "{label}は「あり」「なし」で入力してください（「{}」）",
            input.trim()
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Importance {
    Important,
    Ordinary,
}

impl Importance {
    pub fn parse(input: &str) -> Result<Self, String> {
        match normalize(input).to_lowercase().as_str() {
            "重要" | "important" | "高" | "a" | "○" | "〇" | "◯" | "はい" | "あり" => {
                Ok(Importance::Important)
            }
            "通常" | "ordinary" | "一般" | "普通" | "低" | "中" | "b" | "c" | "" | "-" | "×"
            | "いいえ" | "なし" => Ok(Importance::Ordinary),
            _ => Err(format!(
                "重要度は「重要」か「通常」で入力してください（「{}」）",
                input.trim()
            )),
        }
    }
    pub fn as_code(self) -> &'static str {
        match self {
            Importance::Important => "important",
            Importance::Ordinary => "ordinary",
        }
    }
    pub fn from_code(code: &str) -> Self {
        if code == "important" {
            Importance::Important
        } else {
            Importance::Ordinary
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Importance::Important => "重要",
            Importance::Ordinary => "通常",
        }
    }
}

impl From<String> for Importance {
    fn from(code: String) -> Self {
        Importance::from_code(&code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_no_variants() {
        for yes in [
            "あり",
            "有",
            "○",
            "〇",
            "はい",
            "ハイ",
            "YES",
            "ｙｅｓ",
            "1",
            " 有 ",
        ] {
            assert_eq!(parse_yes_no(yes, "個人情報"), Ok(true), "{yes}");
        }
        for no in ["なし", "無", "×", "いいえ", "no", "0", "－"] {
            assert_eq!(parse_yes_no(no, "個人情報"), Ok(false), "{no}");
        }
        assert!(parse_yes_no("たぶん", "個人情報")
            .unwrap_err()
            .contains("個人情報"));
    }

    #[test]
    fn importance_variants() {
        assert_eq!(Importance::parse("重要"), Ok(Importance::Important));
        assert_eq!(Importance::parse("通常"), Ok(Importance::Ordinary));
        assert_eq!(Importance::parse(""), Ok(Importance::Ordinary));
        assert!(Importance::parse("最重要?").is_err());
    }
}
