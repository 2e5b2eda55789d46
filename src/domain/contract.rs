//! A contract's validated fields, its status on a day, and its data-deletion deadline.

use super::dates::parse_date;
use super::ids::{DepartmentId, VendorId};
use super::{BoundedText, Importance, Yen};
use chrono::{Days, NaiveDate};

/// 予定 / 契約中 / 終了, derived from the contract period and a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContractStatus {
    Planned,
    Active,
    Ended,
}

impl ContractStatus {
    pub fn on(start: NaiveDate, end: NaiveDate, day: NaiveDate) -> Self {
        if day < start {
            ContractStatus::Planned
        } else if day <= end {
            ContractStatus::Active
        } else {
            ContractStatus::Ended
        }
    }
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "planned" | "予定" => Some(ContractStatus::Planned),
            "active" | "契約中" => Some(ContractStatus::Active),
            "ended" | "終了" => Some(ContractStatus::Ended),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            ContractStatus::Planned => "planned",
            ContractStatus::Active => "active",
            ContractStatus::Ended => "ended",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ContractStatus::Planned => "予定",
            ContractStatus::Active => "契約中",
            ContractStatus::Ended => "終了",
        }
    }
    pub const ALL: [ContractStatus; 3] = [
        ContractStatus::Planned,
        ContractStatus::Active,
        ContractStatus::Ended,
    ];
}

/// The contract period; the end is never before the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    start: NaiveDate,
    end: NaiveDate,
}

impl Period {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, String> {
        if end < start {
            Err("契約終了日は契約開始日以降の日付にしてください".into())
        } else {
            Ok(Period { start, end })
        }
    }
    /// A period written in one cell: two dates in any form `parse_date` reads, between ～ 〜 ~ - –
    /// or 「から…まで」 (「令和7年4月1日～令和8年3月31日」「R7.4.1〜R8.3.31」「2025/04/01-2026/03/31」).
    pub fn parse_one_cell(input: &str) -> Result<Self, String> {
        let text = input
            .trim()
            .trim_end_matches("まで")
            .replace("から", "~")
            .replace("より", "~");
        if text.trim().is_empty() {
            return Err("契約期間が入力されていません".into());
        }
        let separators = ['～', '〜', '~', '-', '－', '−', '–', '—', '―', 'ー'];
        // A hyphen may also sit inside a date (2025-04-01): try each separator until both sides read.
        let both = text
            .char_indices()
            .filter(|(_, c)| separators.contains(c))
            .find_map(|(at, c)| {
                let (start, end) = (&text[..at], &text[at + c.len_utf8()..]);
                Some((parse_date(start).ok()?, parse_date(end).ok()?))
            });
        match both {
            Some((start, end)) => Period::new(start, end),
            None => Err(format!(
                "「{}」は契約期間として読み取れません（例: 令和7年4月1日～令和8年3月31日）",
                input.trim()
            )),
        }
    }

    pub fn start(self) -> NaiveDate {
        self.start
    }
    pub fn end(self) -> NaiveDate {
        self.end
    }
}

/// Upper bound on deletion days: ten years is already far beyond any clause seen in practice.
pub const MAX_DELETION_DAYS: i64 = 3650;

/// The last day on which deleting the data is still on time: the end date plus the allowed days.
pub fn deletion_deadline(end: NaiveDate, deletion_days: i64) -> NaiveDate {
    let days = deletion_days.clamp(0, MAX_DELETION_DAYS) as u64;
    end.checked_add_days(Days::new(days))
        .unwrap_or(NaiveDate::MAX)
}

/// Everything a contract record holds, each value already valid.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractDraft {
    pub contract_number: BoundedText<64>,
    pub title: BoundedText<200>,
    pub department_id: DepartmentId,
    pub vendor_id: VendorId,
    pub period: Period,
    pub handles_personal_data: bool,
    pub personal_records: Option<i64>,
    pub importance: Importance,
    pub uses_cloud: bool,
    pub subcontracting_allowed: bool,
    pub deletion_days: i64,
    /// 契約金額, when known.
    pub amount: Option<Yen>,
    pub notes: String,
}

impl ContractDraft {
    pub fn deletion_deadline(&self) -> NaiveDate {
        deletion_deadline(self.period.end(), self.deletion_days)
    }

    /// The values as the audit log keeps them.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "contract_number": self.contract_number.as_str(),
            "title": self.title.as_str(),
            "department_id": self.department_id,
            "vendor_id": self.vendor_id,
            "start_date": self.period.start().to_string(),
            "end_date": self.period.end().to_string(),
            "handles_personal_data": self.handles_personal_data,
            "personal_records": self.personal_records,
            "importance": self.importance.as_code(),
            "uses_cloud": self.uses_cloud,
            "subcontracting_allowed": self.subcontracting_allowed,
            "deletion_days": self.deletion_days,
            "amount": self.amount,
            "notes": self.notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_period_in_one_cell_is_read_in_every_written_form() {
        let fiscal = Period::new(d(2025, 4, 1), d(2026, 3, 31)).unwrap();
        for text in [
            "令和7年4月1日～令和8年3月31日",
            "令和 7年 4月 1日 〜 令和 8年 3月31日",
            "R7.4.1〜R8.3.31",
            "2025/04/01-2026/03/31",
            "2025-04-01 - 2026-03-31",
            "2025-04-01~2026-03-31",
            "令和7年4月1日から令和8年3月31日まで",
            "２０２５年４月１日－２０２６年３月３１日",
        ] {
            assert_eq!(Period::parse_one_cell(text), Ok(fiscal), "{text}");
        }
        assert_eq!(
            Period::parse_one_cell("平成31年4月1日～令和2年3月31日"),
            Ok(Period::new(d(2019, 4, 1), d(2020, 3, 31)).unwrap())
        );
        assert!(Period::parse_one_cell("令和8年3月31日～令和7年4月1日").is_err());
        assert!(Period::parse_one_cell("令和7年4月1日").is_err());
        assert!(Period::parse_one_cell("").is_err());
    }

    #[test]
    fn status_at_the_edges() {
        let (start, end) = (d(2025, 4, 1), d(2026, 3, 31));
        assert_eq!(
            ContractStatus::on(start, end, d(2025, 3, 31)),
            ContractStatus::Planned
        );
        assert_eq!(
            ContractStatus::on(start, end, start),
            ContractStatus::Active
        );
        assert_eq!(ContractStatus::on(start, end, end), ContractStatus::Active);
        assert_eq!(
            ContractStatus::on(start, end, d(2026, 4, 1)),
            ContractStatus::Ended
        );
    }

    #[test]
    fn period_and_deadline() {
        assert!(Period::new(d(2025, 4, 1), d(2025, 3, 31)).is_err());
        assert!(Period::new(d(2025, 4, 1), d(2025, 4, 1)).is_ok());
        assert_eq!(deletion_deadline(d(2026, 3, 31), 30), d(2026, 4, 30));
        assert_eq!(deletion_deadline(d(2024, 2, 28), 1), d(2024, 2, 29));
        assert_eq!(deletion_deadline(d(2026, 3, 31), 0), d(2026, 3, 31));
    }
}
