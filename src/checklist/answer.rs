//! Answers as typed into the answer column: はい / いいえ / 一部 / 該当なし and every mark people use for them.

use crate::domain::text::{fold_kana, normalize};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    Yes,
    No,
    Partial,
    Na,
}

impl Answer {
    pub fn label(self) -> &'static str {
        match self {
            Answer::Yes => "はい",
            Answer::No => "いいえ",
            Answer::Partial => "一部",
            Answer::Na => "該当なし",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::Partial => "partial",
            Answer::Na => "na",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        Answer::CHOICES.into_iter().find(|a| a.code() == code)
    }
    pub const CHOICES: [Answer; 4] = [Answer::Yes, Answer::No, Answer::Partial, Answer::Na];
}

/// Reads an answer: NFKC, trimmed (full-width spaces too), katakana folded to hiragana.
/// `Ok(None)` is a blank cell; `Err(())` is text that is no answer.
#[allow(clippy::result_unit_err)]
pub fn parse_answer(raw: &str) -> Result<Option<Answer>, ()> {
    let key: String = fold_kana(&normalize(raw))
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if key.is_empty() {
        return Ok(None);
    }
    let answer = match key.as_str() {
        "はい" | "○" | "〇" | "◯" | "◎" | "済" | "済み" | "対応済" | "対応済み" | "実施済"
        | "実施済み" | "yes" | "y" | "true" | "可" | "有" | "あり" | "✓" | "✔" | "レ" => {
            Answer::Yes
        }
        "いいえ" | "×" | "✕" | "✖" | "x" | "未" | "未対応" | "未実施" | "no" | "n" | "false"
        | "否" | "無" | "なし" => Answer::No,
        "一部" | "△" | "▲" | "一部対応" | "一部対応済" | "一部実施" | "一部済" | "partial"
        | "部分的" => Answer::Partial,
        "該当なし" | "該当無し" | "該当無" | "非該当" | "対象外" | "n/a" | "na" | "-" | "ー"
        | "―" | "‐" | "—" | "–" | "−" | "--" => Answer::Na,
        _ => return Err(()),
    };
    Ok(Some(answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_people_write_an_answer() {
        for (typed, expected) in [
            ("はい", Answer::Yes),
            ("ハイ", Answer::Yes),
            (" ○ ", Answer::Yes),
            ("〇", Answer::Yes),
            ("◯", Answer::Yes),
            ("済", Answer::Yes),
            ("対応済", Answer::Yes),
            ("　ＹＥＳ　", Answer::Yes),
            ("いいえ", Answer::No),
            ("イイエ", Answer::No),
            ("×", Answer::No),
            ("✕", Answer::No),
            ("未", Answer::No),
            ("未対応", Answer::No),
            ("一部", Answer::Partial),
            ("△", Answer::Partial),
            ("一部対応", Answer::Partial),
            ("該当なし", Answer::Na),
            ("該当無し", Answer::Na),
            ("N/A", Answer::Na),
            ("ｎ／ａ", Answer::Na),
            ("-", Answer::Na),
            ("－", Answer::Na),
            ("―", Answer::Na),
            ("ー", Answer::Na),
        ] {
            assert_eq!(parse_answer(typed), Ok(Some(expected)), "{typed}");
        }
        assert_eq!(parse_answer("  　"), Ok(None));
        assert_eq!(parse_answer("検討中"), Err(()));
        assert_eq!(parse_answer("はいはい"), Err(()));
    }
}
