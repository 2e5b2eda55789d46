//! A contractor's incident report: when it happened, when the vendor became aware, when the report
//! arrived, and whether that was within the contract's reporting clause (default one hour).

use super::dates::parse_date;
use super::Timestamp;
use chrono::{DateTime, Duration, FixedOffset, NaiveTime, TimeZone, Utc};
use unicode_normalization::UnicodeNormalization;

/// The reporting deadline when a contract's clauses say nothing else.
pub const DEFAULT_REPORT_HOURS: u32 = 1;

/// 対応中 / 収束 / 完了
pub const STATUSES: [(&str, &str); 3] = [
    ("responding", "対応中"),
    ("contained", "収束"),
    ("closed", "完了"),
];

/// 第一報 / 続報 / 最終報告 / 本市の記録
pub const UPDATE_KINDS: [(&str, &str); 4] = [
    ("first", "第一報"),
    ("follow_up", "続報"),
    ("final", "最終報告"),
    ("note", "本市の記録"),
];

pub fn status_label(code: &str) -> &'static str {
    STATUSES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, l)| l)
}

pub fn update_label(code: &str) -> &'static str {
    UPDATE_KINDS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, l)| l)
}

fn japan() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("UTC+9 is an offset")
}

/// A moment as people type it: RFC 3339 (`2026-12-06T14:30:00+09:00`), or a date in any form the
/// date fields take followed by a time (`2026-12-06 14:30`, `令和8年12月6日 14時30分`), read in Japan time.
pub fn parse_moment(input: &str) -> Result<Timestamp, String> {
    let text: String = input.nfkc().collect::<String>().trim().to_string();
    let refuse = || {
        format!(
            "日時「{}」は読み取れません（例: 令和8年12月6日 14時30分、2026-12-06 14:30）",
            input.trim()
        )
    };
    if text.is_empty() {
        return Err("日時を入力してください".into());
    }
    if let Ok(instant) = DateTime::parse_from_rfc3339(&text) {
        return Ok(Timestamp::at(instant.with_timezone(&Utc)));
    }
    let split = text
        .find('日')
        .map(|at| at + '日'.len_utf8())
        .or_else(|| text.find(['T', ' ']))
        .ok_or_else(refuse)?;
    let (day, time) = text.split_at(split);
    let day = parse_date(day.trim()).map_err(|_| refuse())?;
    let time = time
        .trim_start_matches('T')
        .trim()
        .replace(['時', '分'], ":")
        .replace('秒', "");
    let time = time.trim_end_matches(':');
    let time = NaiveTime::parse_from_str(time, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(time, "%H:%M"))
        .or_else(|_| NaiveTime::parse_from_str(&format!("{time}:00"), "%H:%M"))
        .map_err(|_| refuse())?;
    let local = japan()
        .from_local_datetime(&day.and_time(time))
        .single()
        .ok_or_else(refuse)?;
    Ok(Timestamp::at(local.with_timezone(&Utc)))
}

/// 令和8年12月6日 14:30 (Japan time).
pub fn moment_label(at: Timestamp) -> String {
    let local = at.instant().with_timezone(&japan());
    format!(
        "{} {}",
        super::wareki(local.date_naive()),
        local.format("%H:%M")
    )
}

/// The last second of a day in Japan: what "by `day`" means for a moment.
pub fn end_of_day(day: chrono::NaiveDate) -> Timestamp {
    let last = day.and_hms_opt(23, 59, 59).expect("a valid time");
    let local = japan()
        .from_local_datetime(&last)
        .single()
        .expect("UTC+9 has no gaps");
    Timestamp::at(local.with_timezone(&Utc))
}

/// Whether a report arrived within the deadline, and by how many minutes it missed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeliness {
    pub deadline: Timestamp,
    pub on_time: bool,
    /// Whole minutes past the deadline (at least 1 when late), 0 when on time.
    pub minutes_late: i64,
}

impl Timeliness {
    pub fn judge(aware_at: Timestamp, reported_at: Timestamp, within_hours: u32) -> Self {
        let deadline = aware_at + Duration::hours(within_hours.into());
        let late_by = reported_at.instant() - deadline.instant();
        let on_time = late_by <= Duration::zero();
        Timeliness {
            deadline,
            on_time,
            minutes_late: if on_time {
                0
            } else {
                late_by.num_minutes().max(1)
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        parse_moment(text).unwrap()
    }

    #[test]
    fn moments_are_read_as_people_type_them_in_japan_time() {
        let expected = at("2026-12-06T05:30:00Z");
        for typed in [
            "2026-12-06T14:30:00+09:00",
            "2026-12-06 14:30",
            "2026-12-06T14:30",
            "令和8年12月6日 14時30分",
            "令和8年12月6日14:30",
            "R8.12.6 14:30:00",
            "２０２６－１２－０６　１４：３０",
        ] {
            assert_eq!(parse_moment(typed), Ok(expected), "{typed}");
        }
        assert_eq!(at("令和8年12月6日 9時"), at("2026-12-06T00:00:00Z"));
        for bad in [
            "",
            "明日",
            "2026-12-06",
            "2026-12-06 25:00",
            "令和8年13月1日 10:00",
        ] {
            assert!(parse_moment(bad).is_err(), "{bad}");
        }
        assert_eq!(moment_label(expected), "令和8年12月6日 14:30");
    }

    #[test]
    fn a_report_is_on_time_up_to_the_deadline_and_late_by_whole_minutes_after_it() {
        let aware = at("2026-12-06 10:00");
        let judge = |reported: &str| Timeliness::judge(aware, at(reported), 1);
        assert!(judge("2026-12-06 10:59").on_time);
        assert!(judge("2026-12-06 11:00").on_time, "the deadline itself");
        let late = judge("2026-12-06 11:01");
        assert_eq!((late.on_time, late.minutes_late), (false, 1));
        assert_eq!(judge("2026-12-06 11:00:20").minutes_late, 1);
        assert_eq!(judge("2026-12-06 13:15").minutes_late, 135);
        assert_eq!(
            Timeliness::judge(aware, at("2026-12-06 12:30"), 4).deadline,
            at("2026-12-06 14:00")
        );
    }
}
