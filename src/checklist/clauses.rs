//! 情報セキュリティ特約条項 as data. A catalogue is a versioned TOML file under `checklists/clauses/`
//! (a new edition is a new file, never a code change): each clause has an id, a title, a summary of
//! its text and what it requires over time. `schedule` turns one clause's terms and a contract's
//! period into the dated submissions it owes.

use crate::domain::FiscalYear;
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

const BUILTIN: [&str; 2] = [
    include_str!("../../checklists/clauses/itaku-clauses-1.toml"),
    include_str!("../../checklists/clauses/itaku-clauses-2.toml"),
];

/// One edition of the clauses.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Catalogue {
    pub id: String,
    pub version: u32,
    pub title: String,
    #[serde(default)]
    pub edition: String,
    pub defaults: Defaults,
    pub clauses: Vec<Clause>,
}

/// The clauses a new contract gets, by its importance.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Defaults {
    pub important: Vec<String>,
    pub ordinary: Vec<String>,
}

/// A clause and what it requires.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Clause {
    pub id: String,
    pub title: String,
    pub summary: String,
    #[serde(flatten)]
    pub terms: Terms,
}

/// What a clause requires over a contract's period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Terms {
    /// A submission within `due_days` of the contract's start.
    #[serde(default)]
    pub at_start: bool,
    /// A submission for every period of this many months (fiscal years cut from April 1st), within
    /// `due_days` of the period's end.
    #[serde(default)]
    pub every_months: Option<u32>,
    #[serde(default)]
    pub due_days: u32,
    /// Submitted again whenever its content changes (no dated obligation).
    #[serde(default)]
    pub on_change: bool,
    /// An incident is reported within this many hours of becoming aware.
    #[serde(default)]
    pub report_within_hours: Option<u32>,
    /// The deletion certificate within the contract's deletion days of its end.
    #[serde(default)]
    pub deletion: bool,
}

impl Terms {
    /// What the clause requires, as a sentence: 「3か月ごと（期間末から30日以内）に提出」.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.at_start {
            parts.push(format!("契約開始から{}日以内に提出", self.due_days));
        }
        if let Some(months) = self.every_months {
            let every = match months {
                12 => "毎年度".to_string(),
                3 => "四半期ごと".to_string(),
                6 => "半期ごと".to_string(),
                1 => "毎月".to_string(),
                n => format!("{n}か月ごと"),
            };
            let lead = if self.at_start { "以後" } else { "" };
            parts.push(format!(
                "{lead}{every}（期間末から{}日以内）に提出",
                self.due_days
            ));
        }
        if self.on_change {
            parts.push("変更のつど提出".into());
        }
        if let Some(hours) = self.report_within_hours {
            parts.push(format!("事故を知ってから{hours}時間以内に報告"));
        }
        if self.deletion {
            parts.push("契約終了後、契約で定めた日数以内に消去証明書を提出".into());
        }
        parts.join("、")
    }

    /// Whether the clause owes dated submissions.
    pub fn periodic(&self) -> bool {
        self.at_start || self.every_months.is_some()
    }
}

/// One submission a clause owes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// Stable across changes of the contract's period: `start`, `2026-3m-3`.
    pub key: String,
    /// 「契約開始時」「2026年度第3四半期」
    pub label: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub due_on: NaiveDate,
}

fn add_days(day: NaiveDate, days: u32) -> NaiveDate {
    day.checked_add_days(Days::new(days.into()))
        .unwrap_or(NaiveDate::MAX)
}

/// 「2026年度第3四半期」「2026年度上期」「2026年10月分」
fn period_label(year: FiscalYear, months: u32, index: u32, first: NaiveDate) -> String {
    let y = year.start_year();
    match months {
        12 => format!("{y}年度"),
        6 => format!("{y}年度{}", if index == 0 { "上期" } else { "下期" }),
        3 => format!("{y}年度第{}四半期", index + 1),
        1 => format!("{}年{}月分", first.year(), first.month()),
        _ => format!("{y}年度第{}期", index + 1),
    }
}

/// The submissions `terms` owe over a contract running from `start` to `end`: one at the start, and
/// one per period that overlaps the contract, cut to it. With both, the period holding the start is
/// covered by the start's submission.
pub fn schedule(terms: &Terms, start: NaiveDate, end: NaiveDate) -> Vec<Due> {
    let mut dues = Vec::new();
    if terms.at_start {
        dues.push(Due {
            key: "start".into(),
            label: "契約開始時".into(),
            period_start: start,
            period_end: start,
            due_on: add_days(start, terms.due_days),
        });
    }
    let Some(months) = terms.every_months.filter(|m| *m > 0 && 12 % *m == 0) else {
        return dues;
    };
    let mut year = FiscalYear::of(start);
    while year.first_day() <= end {
        for index in 0..12 / months {
            let Some(first) = year
                .first_day()
                .checked_add_months(Months::new(index * months))
            else {
                continue;
            };
            let last = first
                .checked_add_months(Months::new(months))
                .and_then(|next| next.pred_opt())
                .unwrap_or(NaiveDate::MAX);
            if last < start || first > end || (terms.at_start && first <= start && start <= last) {
                continue;
            }
            let period_end = last.min(end);
            dues.push(Due {
                key: format!("{}-{months}m-{}", year.start_year(), index + 1),
                label: period_label(year, months, index, first),
                period_start: first.max(start),
                period_end,
                due_on: add_days(period_end, terms.due_days),
            });
        }
        let Some(next) = FiscalYear::new(year.start_year() + 1) else {
            break;
        };
        year = next;
    }
    dues
}

impl Catalogue {
    /// Parses and checks a catalogue; errors name the key.
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let catalogue: Catalogue =
            toml::from_str(text).map_err(|e| format!("特約条項の定義を読み取れません: {e}"))?;
        catalogue.check()?;
        Ok(catalogue)
    }

    fn check(&self) -> Result<(), String> {
        let plain = |id: &str| {
            !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        };
        if !plain(&self.id) {
            return Err("id は英小文字・数字・ハイフンで指定してください".into());
        }
        if self.clauses.is_empty() {
            return Err("clauses が1件もありません".into());
        }
        let mut seen = HashSet::new();
        for (index, clause) in self.clauses.iter().enumerate() {
            if !plain(&clause.id) || clause.title.trim().is_empty() {
                return Err(format!(
                    "clauses[{index}]: id（英小文字・数字・ハイフン）と title は必須です"
                ));
            }
            if !seen.insert(clause.id.as_str()) {
                return Err(format!(
                    "clauses[{index}].id: 「{}」が重複しています",
                    clause.id
                ));
            }
            if clause
                .terms
                .every_months
                .is_some_and(|m| m == 0 || 12 % m != 0)
            {
                return Err(format!(
                    "clauses[{index}].every_months: 1・2・3・4・6・12 のいずれかを指定してください"
                ));
            }
            if clause.terms.due_days > 366 {
                return Err(format!(
                    "clauses[{index}].due_days: 366日以内で指定してください"
                ));
            }
        }
        for (key, ids) in [
            ("defaults.important", &self.defaults.important),
            ("defaults.ordinary", &self.defaults.ordinary),
        ] {
            if let Some(unknown) = ids.iter().find(|id| !seen.contains(id.as_str())) {
                return Err(format!("{key}: 条項「{unknown}」は clauses にありません"));
            }
        }
        Ok(())
    }

    /// `itaku-clauses@2`
    pub fn reference(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }

    /// 「情報セキュリティ特約条項（Itaku 標準）第2版」
    pub fn label(&self) -> String {
        format!("{} {}", self.title, self.edition)
    }

    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.id == id)
    }

    /// The clause named by its id or its title as people type it (「アクセスログの提出」,
    /// 「アクセスログ提出」): spaces, width and the particle の are ignored.
    pub fn find(&self, named: &str) -> Option<&Clause> {
        let key = title_key(named);
        self.clause(named.trim()).or_else(|| {
            self.clauses
                .iter()
                .find(|c| !key.is_empty() && (title_key(&c.title) == key || c.id == key))
        })
    }

    /// The default clauses for a contract, important or not, in the catalogue's order.
    pub fn defaults_for(&self, important: bool) -> Vec<&Clause> {
        let ids = if important {
            &self.defaults.important
        } else {
            &self.defaults.ordinary
        };
        self.clauses
            .iter()
            .filter(|c| ids.contains(&c.id))
            .collect()
    }
}

fn title_key(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfkc()
        .filter(|c| !c.is_whitespace() && *c != 'の' && *c != '「' && *c != '」')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The catalogue `name` refers to: `id@version`, or an id for its newest edition.
pub fn named<'a>(all: &'a [Catalogue], name: &str) -> Option<&'a Catalogue> {
    let name = name.trim();
    match name.split_once('@') {
        Some((id, version)) => all
            .iter()
            .find(|c| c.id == id && version.parse() == Ok(c.version)),
        None => all
            .iter()
            .filter(|c| c.id == name)
            .max_by_key(|c| c.version),
    }
}

/// Every catalogue: the built-in editions and any `*.toml` under `dir`, by id and version (a file
/// in `dir` with an id and version of its own wins over the built-in one), oldest first.
pub fn catalogues(dir: &Path) -> Result<Vec<Catalogue>, String> {
    let mut all: Vec<Catalogue> = BUILTIN
        .iter()
        .map(|text| Catalogue::parse(text).expect("the built-in catalogues are valid"))
        .collect();
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for file in files {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let catalogue =
                Catalogue::parse(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            all.retain(|c| c.reference() != catalogue.reference());
            all.push(catalogue);
        }
    }
    all.sort_by(|a, b| (&a.id, a.version).cmp(&(&b.id, b.version)));
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn quarterly(due_days: u32) -> Terms {
        Terms {
            every_months: Some(3),
            due_days,
            ..Terms::default()
        }
    }

    #[test]
    fn the_built_in_catalogues_parse_and_differ_where_the_second_edition_changed() {
        let all = catalogues(Path::new("/nonexistent")).unwrap();
        assert_eq!(
            all.iter().map(Catalogue::reference).collect::<Vec<_>>(),
            ["itaku-clauses@1", "itaku-clauses@2"]
        );
        let days = |c: &Catalogue| c.clause("access-log").unwrap().terms.due_days;
        assert_eq!((days(&all[0]), days(&all[1])), (30, 14));
        assert!(all[0].clause("vulnerability-scan").is_none());
        assert!(all[1]
            .defaults_for(true)
            .iter()
            .any(|c| c.id == "vulnerability-scan"));
        assert!(all[1]
            .defaults_for(false)
            .iter()
            .all(|c| c.id != "access-log"));
    }

    #[test]
    fn a_clause_is_found_by_its_id_or_its_title_as_typed() {
        let all = catalogues(Path::new("/nonexistent")).unwrap();
        let c = &all[1];
        for typed in [
            "access-log",
            "アクセスログの提出",
            "アクセスログ提出",
            " 「アクセスログの提出」",
        ] {
            assert_eq!(c.find(typed).map(|c| c.id.as_str()), Some("access-log"));
        }
        assert!(c.find("ログ").is_none());
        assert!(c.find("").is_none());
    }

    #[test]
    fn a_quarterly_submission_is_owed_for_every_quarter_the_contract_touches_across_the_year_end() {
        let dues = schedule(&quarterly(30), d(2026, 11, 15), d(2027, 5, 31));
        let got: Vec<_> = dues
            .iter()
            .map(|due| {
                (
                    due.label.as_str(),
                    due.period_start,
                    due.period_end,
                    due.due_on,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "2026年度第3四半期",
                    d(2026, 11, 15),
                    d(2026, 12, 31),
                    d(2027, 1, 30)
                ),
                (
                    "2026年度第4四半期",
                    d(2027, 1, 1),
                    d(2027, 3, 31),
                    d(2027, 4, 30)
                ),
                (
                    "2027年度第1四半期",
                    d(2027, 4, 1),
                    d(2027, 5, 31),
                    d(2027, 6, 30)
                ),
            ]
        );
        // Extended to September: the cut quarter becomes whole under the same key, and one is added.
        let longer = schedule(&quarterly(30), d(2026, 11, 15), d(2027, 9, 30));
        assert_eq!(longer.len(), 4);
        assert_eq!(longer[2].key, dues[2].key);
        assert_eq!(longer[2].period_end, d(2027, 6, 30));
        assert_eq!(longer[3].label, "2027年度第2四半期");
    }

    #[test]
    fn a_start_submission_covers_the_period_it_falls_in() {
        let terms = Terms {
            at_start: true,
            every_months: Some(12),
            due_days: 30,
            ..Terms::default()
        };
        let dues = schedule(&terms, d(2026, 6, 1), d(2028, 3, 31));
        let labels: Vec<_> = dues.iter().map(|d| d.label.as_str()).collect();
        assert_eq!(labels, ["契約開始時", "2027年度"]);
        assert_eq!(dues[0].due_on, d(2026, 7, 1));
        assert_eq!(dues[1].due_on, d(2028, 4, 30));
    }

    #[test]
    fn monthly_and_half_year_periods_are_named_as_people_name_them() {
        let monthly = Terms {
            every_months: Some(1),
            ..Terms::default()
        };
        let labels: Vec<_> = schedule(&monthly, d(2027, 2, 10), d(2027, 4, 5))
            .into_iter()
            .map(|d| d.label)
            .collect();
        assert_eq!(labels, ["2027年2月分", "2027年3月分", "2027年4月分"]);
        let half = Terms {
            every_months: Some(6),
            ..Terms::default()
        };
        let labels: Vec<_> = schedule(&half, d(2026, 4, 1), d(2027, 3, 31))
            .into_iter()
            .map(|d| d.label)
            .collect();
        assert_eq!(labels, ["2026年度上期", "2026年度下期"]);
    }

    #[test]
    fn a_catalogue_with_a_bad_clause_is_refused_by_its_key() {
        let bad = BUILTIN[0].replace("every_months = 3", "every_months = 5");
        assert!(Catalogue::parse(&bad).unwrap_err().contains("every_months"));
        let unknown = BUILTIN[0].replace(
            "ordinary = [\"deletion\"",
            "ordinary = [\"no-such\", \"deletion\"",
        );
        assert!(Catalogue::parse(&unknown).unwrap_err().contains("no-such"));
    }

    #[test]
    fn terms_read_as_a_sentence() {
        assert_eq!(
            quarterly(30).describe(),
            "四半期ごと（期間末から30日以内）に提出"
        );
        let mfa = Terms {
            at_start: true,
            every_months: Some(12),
            due_days: 30,
            ..Terms::default()
        };
        assert_eq!(
            mfa.describe(),
            "契約開始から30日以内に提出、以後毎年度（期間末から30日以内）に提出"
        );
    }
}
