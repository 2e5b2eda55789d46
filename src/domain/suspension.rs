//! 指名停止: a period in which a company may not bid, decided by the contract office with a reason and
//! the deciding document's number.

use super::{wareki, BoundedText, CorporateNumber};
use chrono::NaiveDate;
use serde::Serialize;

/// A checked suspension: both ends inclusive, the start not after the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suspension {
    pub corporate_number: CorporateNumber,
    pub company_name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub reason: BoundedText<500>,
    /// e.g. 「契第123号」; empty when the list does not give it.
    pub document_number: String,
}

/// What a suspension list's row or the form says, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct SuspensionFields<'a> {
    pub corporate_number: &'a str,
    pub company_name: &'a str,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub reason: &'a str,
    pub document_number: &'a str,
}

impl Suspension {
    /// Checks every field; the errors name their field (`corporate_number`, `starts_on`, …).
    pub fn build(fields: &SuspensionFields<'_>) -> Result<Self, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let corporate_number = CorporateNumber::parse(fields.corporate_number)
            .map_err(|m| errors.push(("corporate_number", m)))
            .ok();
        let company_name = fields.company_name.trim().to_string();
        if company_name.chars().count() > 200 {
            errors.push((
                "company_name",
                "事業者名は200文字以内で入力してください".into(),
            ));
        }
        let reason = BoundedText::<500>::parse(fields.reason, "理由")
            .map_err(|m| errors.push(("reason", m)))
            .ok();
        let document_number = fields.document_number.trim().to_string();
        if document_number.chars().count() > 100 {
            errors.push((
                "document_number",
                "文書番号は100文字以内で入力してください".into(),
            ));
        }
        if fields.starts_on.is_none() {
            errors.push(("starts_on", "開始日を入力してください".into()));
        }
        if fields.ends_on.is_none() {
            errors.push(("ends_on", "終了日を入力してください".into()));
        }
        if let (Some(start), Some(end)) = (fields.starts_on, fields.ends_on) {
            if end < start {
                errors.push((
                    "ends_on",
                    format!(
                        "終了日（{}）が開始日（{}）より前です",
                        wareki(end),
                        wareki(start)
                    ),
                ));
            }
        }
        match (corporate_number, reason, fields.starts_on, fields.ends_on) {
            (Some(corporate_number), Some(reason), Some(starts_on), Some(ends_on))
                if errors.is_empty() =>
            {
                Ok(Suspension {
                    corporate_number,
                    company_name,
                    starts_on,
                    ends_on,
                    reason,
                    document_number,
                })
            }
            _ => Err(errors),
        }
    }

    /// Suspended on `day`: both the first and the last day count.
    pub fn covers(&self, day: NaiveDate) -> bool {
        covers(self.starts_on, self.ends_on, day)
    }
}

/// A period from `starts_on` to `ends_on`, both inclusive, covers `day`.
pub fn covers(starts_on: NaiveDate, ends_on: NaiveDate, day: NaiveDate) -> bool {
    starts_on <= day && day <= ends_on
}

/// 「令和7年4月1日〜令和8年3月31日」
pub fn period_label(starts_on: NaiveDate, ends_on: NaiveDate) -> String {
    format!("{}〜{}", wareki(starts_on), wareki(ends_on))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn fields<'a>(start: &str, end: &str) -> SuspensionFields<'a> {
        SuspensionFields {
            corporate_number: "7000012050002",
            company_name: "株式会社いろは",
            starts_on: Some(day(start)),
            ends_on: Some(day(end)),
            reason: "個人情報の漏えい",
            document_number: "契第12号",
        }
    }

    #[test]
    fn both_ends_of_the_period_count() {
        let s = Suspension::build(&fields("2025-04-01", "2026-03-31")).unwrap();
        assert!(!s.covers(day("2025-03-31")));
        assert!(s.covers(day("2025-04-01")));
        assert!(s.covers(day("2026-03-31")));
        assert!(!s.covers(day("2026-04-01")));
    }

    #[test]
    fn names_each_bad_field() {
        let mut bad = fields("2026-04-01", "2026-03-31");
        bad.corporate_number = "123";
        bad.reason = " ";
        let errors = Suspension::build(&bad).unwrap_err();
        let names: Vec<&str> = errors.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["corporate_number", "reason", "ends_on"]);
    }
}
