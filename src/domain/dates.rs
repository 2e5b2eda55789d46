//! Every date a user types, imports or reads: ISO and 和暦 input, 和暦 display, fiscal years (年度).

use chrono::{Datelike, NaiveDate};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// A Japanese era with the first day it was in force.
struct Era {
    name: &'static str,
    letter: char,
    first_day: (i32, u32, u32),
}

const ERAS: [Era; 4] = [
    Era {
        name: "令和",
        letter: 'R',
        first_day: (2019, 5, 1),
    },
    Era {
        name: "平成",
        letter: 'H',
        first_day: (1989, 1, 8),
    },
    Era {
        name: "昭和",
        letter: 'S',
        first_day: (1926, 12, 25),
    },
    Era {
        name: "大正",
        letter: 'T',
        first_day: (1912, 7, 30),
    },
];

impl Era {
    fn start(&self) -> NaiveDate {
        let (y, m, d) = self.first_day;
        NaiveDate::from_ymd_opt(y, m, d).expect("era start dates are valid")
    }
    fn offset(&self) -> i32 {
        self.first_day.0 - 1
    }
}

/// Why a piece of text is not a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError(pub String);

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses a date as people here type it: `2025-03-31`, `2025/3/31`, `2025年3月31日`, `20250331`,
/// `令和7年3月31日`, `令和元年5月1日`, `R7.3.31`, `R07.03.31`, `H31.4.30`, full-width or half-width.
/// An era year past the era's end (平成32年) is read as the Gregorian year it names (2020).
pub fn parse_date(input: &str) -> Result<NaiveDate, DateError> {
    let text: String = input
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .collect::<String>();
    if text.is_empty() {
        return Err(DateError("日付が入力されていません".into()));
    }
    let text = strip_weekday(&text);
    let (offset, rest) = match split_era(text) {
        Some((era, rest)) => (Some(era.offset()), rest),
        None => (None, text),
    };
    let numbers = split_numbers(rest)
        .ok_or_else(|| DateError(format!("「{}」は日付として読み取れません", input.trim())))?;
    let (year, month, day) = match (offset, numbers.as_slice()) {
        (Some(offset), [y, m, d]) => {
            if *y < 1 || *y > 99 {
                return Err(DateError(format!(
                    "「{}」の年が正しくありません",
                    input.trim()
                )));
            }
            (offset + *y as i32, *m, *d)
        }
        (None, [y, m, d]) if *y >= 1000 => (*y as i32, *m, *d),
        (None, [compact]) if (10_000_000..=99_991_231).contains(compact) => (
            (*compact / 10_000) as i32,
            (*compact / 100 % 100),
            (*compact % 100),
        ),
        _ => {
            return Err(DateError(format!(
                "「{}」は日付として読み取れません",
                input.trim()
            )))
        }
    };
    NaiveDate::from_ymd_opt(year, month, day)
        .filter(|d| d.year() >= 1900 && d.year() <= 2200)
        .ok_or_else(|| DateError(format!("「{}」は存在しない日付です", input.trim())))
}

/// Drops a trailing weekday such as `(月)` or `（月）` that some ledgers append.
fn strip_weekday(text: &str) -> &str {
    for day in ["日", "月", "火", "水", "木", "金", "土"] {
        if let Some(stripped) = text.strip_suffix(&format!("({day})")) {
            return stripped;
        }
    }
    text
}

/// Splits a leading era name (`令和`, `R`, `r`) and returns the rest of the text.
fn split_era(text: &str) -> Option<(&'static Era, &str)> {
    for era in &ERAS {
        if let Some(rest) = text.strip_prefix(era.name) {
            return Some((era, rest));
        }
        let mut chars = text.chars();
        if let Some(first) = chars.next() {
            if first.to_ascii_uppercase() == era.letter {
                return Some((era, chars.as_str()));
            }
        }
    }
    None
}

/// Reads `7年3月31日`, `7.3.31`, `2025-03-31`, `2025/3/31` or `20250331` as its numbers; `元` is 1.
fn split_numbers(text: &str) -> Option<Vec<u32>> {
    let text = text.replace('元', "1");
    let mut numbers = Vec::new();
    let mut current = String::new();
    let mut expect_end = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if expect_end {
                return None;
            }
            current.push(c);
        } else if matches!(c, '年' | '月' | '.' | '-' | '/') {
            numbers.push(take_number(&mut current)?);
        } else if c == '日' {
            numbers.push(take_number(&mut current)?);
            expect_end = true;
        } else {
            return None;
        }
    }
    if !current.is_empty() {
        numbers.push(take_number(&mut current)?);
    }
    if numbers.len() == 3 || numbers.len() == 1 {
        Some(numbers)
    } else {
        None
    }
}

fn take_number(current: &mut String) -> Option<u32> {
    if current.is_empty() || current.len() > 8 {
        return None;
    }
    let n = current.parse().ok();
    current.clear();
    n
}

/// Converts an Excel serial day number (1900 date system) to a date.
pub fn from_excel_serial(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    // Serials from 61 on count from 1899-12-30 because Excel treats 1900 as a leap year.
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_days(chrono::Days::new(serial.floor() as u64))
}

/// 令和7年3月31日; dates before 大正 fall back to the Gregorian form.
pub fn wareki(date: NaiveDate) -> String {
    match era_of(date) {
        Some(era) => format!(
            "{}{}年{}月{}日",
            era.name,
            era_year(date.year() - era.offset()),
            date.month(),
            date.day()
        ),
        None => format!("{}年{}月{}日", date.year(), date.month(), date.day()),
    }
}

fn era_of(date: NaiveDate) -> Option<&'static Era> {
    ERAS.iter().find(|era| date >= era.start())
}

fn era_year(year: i32) -> String {
    if year == 1 {
        "元".to_string()
    } else {
        year.to_string()
    }
}

/// The same day `years` later (or earlier); February 29th becomes the 28th in a common year.
pub fn shift_years(date: NaiveDate, years: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(date.year() + years, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(date.year() + years, date.month(), date.day() - 1))
        .unwrap_or(date)
}

/// The fiscal year (年度, April to March) a date falls in, named by the calendar year it starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct FiscalYear(i32);

impl FiscalYear {
    pub fn of(date: NaiveDate) -> Self {
        if date.month() >= 4 {
            FiscalYear(date.year())
        } else {
            FiscalYear(date.year() - 1)
        }
    }
    pub fn new(start_year: i32) -> Option<Self> {
        (1900..=2200)
            .contains(&start_year)
            .then_some(FiscalYear(start_year))
    }
    pub fn start_year(self) -> i32 {
        self.0
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 4, 1).expect("April 1st exists")
    }
    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 + 1, 3, 31).expect("March 31st exists")
    }
    /// A fiscal year as typed: `2025`, `2025年度`, `令和7年度`, `R7`, `令和元年度`.
    pub fn parse(input: &str) -> Result<Self, String> {
        let text: String = input
            .nfkc()
            .filter(|c| !c.is_whitespace())
            .collect::<String>();
        let text = text.trim_end_matches('度').trim_end_matches('年');
        let year = if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
            text.parse::<i32>().ok()
        } else {
            parse_date(&format!("{text}年4月1日"))
                .or_else(|_| parse_date(&format!("{text}.4.1")))
                .ok()
                .map(|d| d.year())
        };
        year.and_then(FiscalYear::new).ok_or_else(|| {
            format!(
                "年度「{}」は読み取れません（例: 2025、令和7年度）",
                input.trim()
            )
        })
    }

    /// 令和7年度; a fiscal year starting in April 2019 is 平成31年度 (the era in force on April 1st).
    pub fn label(self) -> String {
        let first = self.first_day();
        match era_of(first) {
            Some(era) => format!("{}{}年度", era.name, era_year(self.0 - era.offset())),
            None => format!("{}年度", self.0),
        }
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.label())
    }
}

/// How templates show a date: `date.jp()` is 令和7年3月31日, `date.iso()` is 2025-03-31.
pub trait JpDate {
    fn jp(&self) -> String;
    fn iso(&self) -> String;
}

impl JpDate for NaiveDate {
    fn jp(&self) -> String {
        wareki(*self)
    }
    fn iso(&self) -> String {
        // Written by hand: chrono's `format` parses its pattern on every call, and lists write
        // thousands of dates.
        format!("{:04}-{:02}-{:02}", self.year(), self.month(), self.day())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_iso_and_gregorian_forms() {
        for text in [
            "2025-03-31",
            "2025/3/31",
            "2025.3.31",
            "2025年3月31日",
            "20250331",
            " ２０２５－０３－３１ ",
            "2025/03/31(月)",
        ] {
            assert_eq!(parse_date(text), Ok(d(2025, 3, 31)), "{text}");
        }
    }

    #[test]
    fn parses_wareki_forms() {
        let cases = [
            ("令和7年3月31日", d(2025, 3, 31)),
            ("令和元年5月1日", d(2019, 5, 1)),
            ("令和１年５月１日", d(2019, 5, 1)),
            ("R7.3.31", d(2025, 3, 31)),
            ("R07.03.31", d(2025, 3, 31)),
            ("r7.4.1", d(2025, 4, 1)),
            ("H31.4.30", d(2019, 4, 30)),
            ("平成32年3月31日", d(2020, 3, 31)),
            ("昭和64年1月7日", d(1989, 1, 7)),
            ("S64.1.7", d(1989, 1, 7)),
            ("平成元年1月8日", d(1989, 1, 8)),
            ("令和 7年 4月 1日", d(2025, 4, 1)),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_date(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for text in [
            "",
            "未定",
            "令和7年2月30日",
            "2025-13-01",
            "R0.1.1",
            "令和7年",
            "12/31",
            "2025-03-31x",
            "令和7年3月31日1",
        ] {
            assert!(parse_date(text).is_err(), "{text} should be refused");
        }
    }

    #[test]
    fn displays_era_boundaries() {
        assert_eq!(wareki(d(1989, 1, 7)), "昭和64年1月7日");
        assert_eq!(wareki(d(1989, 1, 8)), "平成元年1月8日");
        assert_eq!(wareki(d(2019, 4, 30)), "平成31年4月30日");
        assert_eq!(wareki(d(2019, 5, 1)), "令和元年5月1日");
        assert_eq!(wareki(d(2025, 3, 31)), "令和7年3月31日");
    }

    #[test]
    fn round_trips_every_day_across_era_boundaries() {
        let mut day = d(1988, 12, 1);
        while day < d(2019, 6, 1) {
            assert_eq!(parse_date(&wareki(day)), Ok(day));
            day = day.succ_opt().unwrap();
            if day == d(1989, 3, 1) {
                day = d(2019, 3, 1);
            }
        }
    }

    #[test]
    fn excel_serials() {
        assert_eq!(from_excel_serial(45747.0), Some(d(2025, 3, 31)));
        assert_eq!(from_excel_serial(43586.0), Some(d(2019, 5, 1)));
        assert_eq!(from_excel_serial(61.0), Some(d(1900, 3, 1)));
        assert_eq!(from_excel_serial(f64::NAN), None);
        assert_eq!(from_excel_serial(-3.0), None);
    }

    #[test]
    fn fiscal_years() {
        assert_eq!(FiscalYear::of(d(2025, 3, 31)).start_year(), 2024);
        assert_eq!(FiscalYear::of(d(2025, 4, 1)).start_year(), 2025);
        assert_eq!(FiscalYear::of(d(2024, 2, 29)).start_year(), 2023);
        assert_eq!(FiscalYear::new(2025).unwrap().label(), "令和7年度");
        assert_eq!(FiscalYear::new(2019).unwrap().label(), "平成31年度");
        assert_eq!(FiscalYear::new(2025).unwrap().last_day(), d(2026, 3, 31));
        for text in ["2025", "２０２５年度", "令和7年度", "R7", "令和７年度"] {
            assert_eq!(
                FiscalYear::parse(text).unwrap().start_year(),
                2025,
                "{text}"
            );
        }
        assert_eq!(FiscalYear::parse("令和元年度").unwrap().start_year(), 2019);
        assert!(FiscalYear::parse("来年").is_err());
    }
}
