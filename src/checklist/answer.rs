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
        "適合" => Answer::Yes,
        "いいえ" | "×" | "✕" | "✖" | "x" | "未" | "未対応" | "未実施" | "no" | "n" | "false"
        | "否" | "無" | "なし" | "不適合" | "非適合" => Answer::No,
        "一部" | "△" | "▲" | "一部対応" | "一部対応済" | "一部実施" | "一部済" | "partial"
        | "部分的" | "一部適合" | "部分適合" | "一部不適合" => Answer::Partial,
        "該当なし" | "該当無し" | "該当無" | "非該当" | "対象外" | "n/a" | "na" | "-" | "ー"
        | "―" | "‐" | "—" | "–" | "−" | "--" => Answer::Na,
        _ => return Err(()),
    };
    Ok(Some(answer))
}

/// What an answer cell says, read the ways people fill it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    Blank,
    /// An answer, and what was written after it (「はい（別紙参照）」: the remark 「別紙参照」).
    Answer(Answer, Option<String>),
    /// More than one choice in one cell (「はい・いいえ」, two filled boxes).
    Several(Vec<Answer>),
    Unreadable,
}

/// Boxes and radio marks before each choice: 「■はい　□いいえ」, 「☑はい ☐いいえ」, 「●適合 ○不適合」.
const FILLED_BOXES: [char; 7] = ['■', '☑', '☒', '●', '◉', '✓', '✔'];
const EMPTY_BOXES: [char; 5] = ['□', '☐', '○', '◯', '〇'];
const SEPARATORS: [char; 10] = ['・', '/', '／', ',', '、', '|', '｜', ';', '；', '\n'];
const REMARK_STARTS: [char; 8] = ['(', '（', ':', '：', '、', ',', ' ', '\n'];

/// Reads an answer cell: a plain answer, a filled box among empty ones, an answer with a remark after
/// it, or more than one choice (an error the caller names).
pub fn read_answer(raw: &str) -> Reading {
    let text = normalize(raw);
    if text.is_empty() {
        return Reading::Blank;
    }
    if let Some(reading) = read_boxes(&text) {
        return reading;
    }
    if let Ok(Some(answer)) = parse_answer(&text) {
        return Reading::Answer(answer, None);
    }
    let parts: Vec<&str> = text
        .split(|c| SEPARATORS.contains(&c))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() > 1 {
        let answers: Vec<Answer> = parts
            .iter()
            .filter_map(|p| parse_answer(p).ok().flatten())
            .collect();
        if answers.len() == parts.len() {
            return Reading::Several(answers);
        }
    }
    if let Some(at) = text.find(|c| REMARK_STARTS.contains(&c)) {
        if let Ok(Some(answer)) = parse_answer(&text[..at]) {
            let remark = text[at..]
                .trim_matches(|c: char| c.is_whitespace() || "()（）:：、,".contains(c))
                .to_string();
            return Reading::Answer(answer, (!remark.is_empty()).then_some(remark));
        }
    }
    Reading::Unreadable
}

/// Choices each preceded by a box: `None` when the text is not laid out so.
fn read_boxes(text: &str) -> Option<Reading> {
    let mut options: Vec<(bool, String)> = Vec::new();
    for c in text.chars() {
        if FILLED_BOXES.contains(&c) || EMPTY_BOXES.contains(&c) {
            options.push((FILLED_BOXES.contains(&c), String::new()));
        } else if let Some((_, label)) = options.last_mut() {
            label.push(c);
        } else if !c.is_whitespace() {
            return None;
        }
    }
    let labelled: Vec<(bool, Answer)> = options
        .iter()
        .map(|(filled, label)| parse_answer(label).ok().flatten().map(|a| (*filled, a)))
        .collect::<Option<_>>()?;
    if labelled.len() < 2 {
        return None;
    }
    let chosen: Vec<Answer> = labelled
        .iter()
        .filter(|(f, _)| *f)
        .map(|(_, a)| *a)
        .collect();
    Some(match chosen.as_slice() {
        [] => Reading::Blank,
        [answer] => Reading::Answer(*answer, None),
        _ => Reading::Several(chosen),
    })
}

/// A mark in one of several choice columns (one column per answer): ○ ◯ 〇 ● ✓ ✔ レ or 1.
pub fn is_mark(raw: &str) -> Option<bool> {
    let text = normalize(raw);
    match text.as_str() {
        "" | "0" | "-" | "×" | "✕" | "false" | "FALSE" => Some(false),
        "○" | "◯" | "〇" | "●" | "◎" | "✓" | "✔" | "✅" | "☑" | "■" | "レ" | "1" | "true"
        | "TRUE" | "v" | "V" => Some(true),
        _ => None,
    }
}

/// A header that names one choice (はい, 適合, 該当なし …) rather than a mark.
pub fn choice_label(header: &str) -> Option<Answer> {
    let text = normalize(header);
    if !text.chars().any(char::is_alphabetic) {
        return None;
    }
    parse_answer(&text).ok().flatten()
}

#[cfg(test)]
mod reading_tests {
    use super::*;

    #[test]
    fn words_boxes_remarks_and_invisible_characters() {
        for (typed, expected) in [
            ("適合", Reading::Answer(Answer::Yes, None)),
            ("不適合", Reading::Answer(Answer::No, None)),
            ("一部適合", Reading::Answer(Answer::Partial, None)),
            ("対応済み", Reading::Answer(Answer::Yes, None)),
            ("実施済", Reading::Answer(Answer::Yes, None)),
            ("未実施", Reading::Answer(Answer::No, None)),
            ("■はい　□いいえ", Reading::Answer(Answer::Yes, None)),
            ("□はい　■いいえ", Reading::Answer(Answer::No, None)),
            ("☐はい ☑いいえ ☐該当なし", Reading::Answer(Answer::No, None)),
            ("●適合 ○不適合", Reading::Answer(Answer::Yes, None)),
            ("□はい　□いいえ", Reading::Blank),
            (
                "■はい　■いいえ",
                Reading::Several(vec![Answer::Yes, Answer::No]),
            ),
            (
                "はい（別紙参照）",
                Reading::Answer(Answer::Yes, Some("別紙参照".into())),
            ),
            (
                "いいえ：令和8年3月までに対応予定",
                Reading::Answer(Answer::No, Some("令和8年3月までに対応予定".into())),
            ),
            ("\u{200B}はい\u{FEFF}", Reading::Answer(Answer::Yes, None)),
            ("\u{00A0}はい\u{00A0}", Reading::Answer(Answer::Yes, None)),
            (
                "はい・いいえ",
                Reading::Several(vec![Answer::Yes, Answer::No]),
            ),
            (
                "はい/一部",
                Reading::Several(vec![Answer::Yes, Answer::Partial]),
            ),
            ("検討中", Reading::Unreadable),
            ("", Reading::Blank),
        ] {
            assert_eq!(read_answer(typed), expected, "{typed}");
        }
    }

    #[test]
    fn marks_and_choice_headers() {
        for mark in ["○", "◯", "〇", "●", "✓", "✔", "レ", "1", "１"] {
            assert_eq!(is_mark(mark), Some(true), "{mark}");
        }
        assert_eq!(is_mark(""), Some(false));
        assert_eq!(is_mark("たぶん"), None);
        assert_eq!(choice_label("はい"), Some(Answer::Yes));
        assert_eq!(choice_label("一部適合"), Some(Answer::Partial));
        assert_eq!(choice_label("該当なし"), Some(Answer::Na));
        assert_eq!(choice_label("○"), None);
        assert_eq!(choice_label("確認項目"), None);
    }
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
