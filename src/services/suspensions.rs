//! 指名停止の取込と一覧: the contract office's list of suspensions (法人番号, 開始日, 終了日, 理由, 文書番号),
//! imported all or nothing. A suspension is named by its company and first day, so importing the same
//! list again changes nothing, and a shortened or extended period is one audited update. Companies not
//! registered as vendors are kept too: the list is the municipality's whole list.

use crate::auth::policy::VendorRights;
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::suspensions::{self, StoredSuspension};
use crate::db::{Conn, Db};
use crate::domain::ids::VendorId;
use crate::domain::suspension::{period_label, Suspension, SuspensionFields};
use crate::error::{AppError, AppResult};
use crate::excel::header::{self, Column, RowError};
use crate::excel::{Cell, Limits, ReadError, Row, Table};
use crate::sandbox::Sandbox;
use crate::services::audit::{self, Event};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// A column of a suspension list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    CorporateNumber,
    CompanyName,
    StartsOn,
    EndsOn,
    /// 「令和7年4月1日～令和8年3月31日」 in one cell, as many published lists have it.
    Period,
    Reason,
    DocumentNumber,
}

impl Column for Field {
    const ALL: &'static [Self] = &[
        Field::CorporateNumber,
        Field::CompanyName,
        Field::StartsOn,
        Field::EndsOn,
        Field::Period,
        Field::Reason,
        Field::DocumentNumber,
    ];

    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::CorporateNumber => &["法人番号", "事業者法人番号"],
            Field::CompanyName => &[
                "事業者名",
                "商号又は名称",
                "商号または名称",
                "業者名",
                "会社名",
                "名称",
                "商号",
            ],
            Field::StartsOn => &[
                "開始日",
                "停止開始日",
                "指名停止開始日",
                "始期",
                "期間開始",
                "停止期間開始",
                "開始",
            ],
            Field::EndsOn => &[
                "終了日",
                "停止終了日",
                "指名停止終了日",
                "終期",
                "期間終了",
                "停止期間終了",
                "満了日",
                "終了",
            ],
            Field::Period => &["指名停止期間", "停止期間", "期間", "措置期間"],
            Field::Reason => &[
                "理由",
                "停止理由",
                "指名停止理由",
                "措置理由",
                "事由",
                "措置要件",
                "概要",
            ],
            Field::DocumentNumber => &[
                "文書番号",
                "決定番号",
                "通知番号",
                "決定文書番号",
                "決裁番号",
                "番号",
            ],
        }
    }

    fn required(self) -> bool {
        matches!(self, Field::CorporateNumber | Field::Reason)
    }
}

/// One checked row.
#[derive(Debug, Clone)]
pub struct ListRow {
    row: u32,
    suspension: Suspension,
}

/// What happened to one row.
#[derive(Debug, Clone, Serialize)]
pub struct RowOutcome {
    pub row: u32,
    pub corporate_number: String,
    /// The registered vendor's name, else the list's.
    pub name: String,
    pub period: String,
    pub registered: bool,
    pub action: &'static str,
}

/// The result of an import or a dry run; `errors` is empty when the list was (or would be) imported.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub dry_run: bool,
    pub imported: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Rows of companies not registered as vendors (kept, and matched once they are).
    pub unregistered: usize,
    pub errors: Vec<RowError>,
    pub ignored_columns: Vec<String>,
    pub sheet: Option<String>,
    pub header_row: Option<u32>,
    pub rows: Vec<RowOutcome>,
}

impl ImportReport {
    pub fn accepted(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Reads the list in the parse sandbox and writes it in one transaction (rolled back for a dry run or
/// when any row fails). Suspensions are the contract office's: staff who edit the registry import them.
pub async fn import(
    db: &Db,
    settings: &Settings,
    sandbox: &Sandbox,
    actor: &Actor,
    rights: &VendorRights,
    bytes: &[u8],
    dry_run: bool,
) -> AppResult<ImportReport> {
    if !rights.is_staff() {
        return Err(AppError::Forbidden);
    }
    let mut report = ImportReport {
        dry_run,
        ..Default::default()
    };
    let limits = Limits::for_list(settings.upload_limit_bytes);
    let rows = check_list(sandbox.read_tables(bytes, &limits).await?, &mut report);
    if !report.accepted() {
        return Ok(report);
    }
    let mut tx = db.begin().await?;
    for row in &rows {
        let outcome = apply_row(&mut tx, actor, row).await?;
        match outcome.action {
            "imported" => report.imported += 1,
            "updated" => report.updated += 1,
            _ => report.unchanged += 1,
        }
        report.unregistered += usize::from(!outcome.registered);
        report.rows.push(outcome);
    }
    if dry_run {
        tx.rollback().await?;
    } else {
        let summary = format!(
            "指名停止一覧の取込: 新規 {} 件、更新 {} 件、変更なし {} 件",
            report.imported, report.updated, report.unchanged
        );
        audit::record(
            &mut tx,
            actor,
            Event::new("import", "suspension", "", summary),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(report)
}

async fn apply_row(conn: &mut Conn, actor: &Actor, row: &ListRow) -> AppResult<RowOutcome> {
    let s = &row.suspension;
    let existing = suspensions::find(conn, s.corporate_number.as_str(), s.starts_on).await?;
    let period = period_label(s.starts_on, s.ends_on);
    let list_name = if s.company_name.is_empty() {
        s.corporate_number.to_string()
    } else {
        s.company_name.clone()
    };
    let (action, registered_name) = match &existing {
        Some(before) if before.same_as(s) => ("unchanged", before.vendor_name.clone()),
        Some(before) => {
            suspensions::update(conn, before.id, s, &actor.label).await?;
            let summary = format!(
                "指名停止変更 {list_name} {period}（一覧取込、変更前 {}）",
                period_label(before.starts_on, before.ends_on)
            );
            audit::record(
                conn,
                actor,
                Event::new("import", "suspension", before.id, summary)
                    .changes(Some(json!(before)), Some(json!(s))),
            )
            .await?;
            ("updated", before.vendor_name.clone())
        }
        None => {
            let id = suspensions::insert(conn, s, &actor.label).await?;
            let stored = suspensions::find(conn, s.corporate_number.as_str(), s.starts_on).await?;
            audit::record(
                conn,
                actor,
                Event::new(
                    "import",
                    "suspension",
                    id,
                    format!("指名停止登録 {list_name} {period}（一覧取込）"),
                )
                .changes(None, Some(json!(s))),
            )
            .await?;
            ("imported", stored.and_then(|stored| stored.vendor_name))
        }
    };
    Ok(RowOutcome {
        row: row.row,
        corporate_number: s.corporate_number.to_string(),
        registered: registered_name.is_some(),
        name: registered_name.unwrap_or(list_name),
        period,
        action,
    })
}

/// Checks a list read by `excel::read_tables` (in the parse sandbox); every error goes in the report.
pub fn check_list(read: Result<Vec<Table>, ReadError>, report: &mut ImportReport) -> Vec<ListRow> {
    let wanted = header::ListHeader {
        key: Field::CorporateNumber,
        not_found: "指名停止一覧の見出し行が見つかりません（「法人番号」「開始日」「終了日」「理由」などの列名が並んだ行が必要です）",
        any_of: &[Field::StartsOn, Field::Period],
        any_of_label: "開始日（または 指名停止期間）",
    };
    let read = header::read_rows(
        read,
        &wanted,
        "指名停止一覧にデータ行がありません",
        parse_row,
    );
    report.errors = read.errors;
    report.ignored_columns = read.ignored;
    report.sheet = read.sheet;
    report.header_row = read.header_row;
    let mut first_of: HashMap<(String, NaiveDate), u32> = HashMap::new();
    let mut rows = Vec::new();
    for parsed in read.rows {
        let s = &parsed.suspension;
        let key = (s.corporate_number.to_string(), s.starts_on);
        if let Some(first) = first_of.get(&key) {
            report.errors.push(RowError::at(
                &read.columns,
                Field::CorporateNumber,
                parsed.row,
                format!(
                    "{} の {} からの指名停止が{first}行目と重複しています",
                    key.0,
                    crate::domain::wareki(key.1)
                ),
            ));
            continue;
        }
        first_of.insert(key, parsed.row);
        rows.push(parsed);
    }
    report.errors.sort_by_key(|e| e.row);
    rows
}

/// Splits 「R7.4.1～R8.3.31」 (also with 〜, ~, から or 至) into its two dates.
fn split_period(text: &str) -> Option<(&str, &str)> {
    ["～", "〜", "~", "から", "至", "－", "―"]
        .iter()
        .find_map(|separator| text.split_once(separator))
        .map(|(start, end)| (start.trim().trim_start_matches('自').trim(), end.trim()))
        .map(|(start, end)| (start, end.trim_end_matches("まで").trim()))
}

fn parse_row(row: &Row, columns: &[(usize, Field)]) -> Result<ListRow, Vec<RowError>> {
    let mut errors = Vec::new();
    let cell = |field: Field| {
        columns
            .iter()
            .find(|(_, f)| *f == field)
            .map(|(i, _)| row.cell(*i))
    };
    let text = |field: Field| {
        cell(field)
            .map(|c| c.as_text().trim().to_string())
            .unwrap_or_default()
    };
    let mut error = |field: Field, message: String| {
        errors.push(RowError::at(columns, field, row.number, message))
    };
    let mut date = |field: Field, cell: Option<&Cell>| match cell {
        Some(c) if !c.is_blank() => c.as_date().map_err(|m| error(field, m)).ok(),
        _ => None,
    };
    let mut starts_on = date(Field::StartsOn, cell(Field::StartsOn));
    let mut ends_on = date(Field::EndsOn, cell(Field::EndsOn));
    let period = text(Field::Period);
    if !period.is_empty() && (starts_on.is_none() || ends_on.is_none()) {
        match split_period(&period) {
            Some((start, end)) => {
                starts_on = starts_on.or(date(Field::Period, Some(&Cell::Text(start.into()))));
                ends_on = ends_on.or(date(Field::Period, Some(&Cell::Text(end.into()))));
            }
            None => error(
                Field::Period,
                format!(
                    "「{period}」を期間として読み取れません（例: 令和7年4月1日～令和8年3月31日）"
                ),
            ),
        }
    }
    let corporate_number = text(Field::CorporateNumber);
    let company_name = text(Field::CompanyName);
    let reason = text(Field::Reason);
    let document_number = text(Field::DocumentNumber);
    let fields = SuspensionFields {
        corporate_number: &corporate_number,
        company_name: &company_name,
        starts_on,
        ends_on,
        reason: &reason,
        document_number: &document_number,
    };
    let period_column = cell(Field::StartsOn).is_none();
    let suspension = Suspension::build(&fields)
        .map_err(|problems| {
            for (name, message) in problems {
                let field = match name {
                    "corporate_number" => Field::CorporateNumber,
                    "company_name" => Field::CompanyName,
                    "reason" => Field::Reason,
                    "document_number" => Field::DocumentNumber,
                    _ if period_column => Field::Period,
                    "starts_on" => Field::StartsOn,
                    _ => Field::EndsOn,
                };
                // A date already reported as unreadable is not also reported as missing.
                let unreadable = matches!(field, Field::StartsOn | Field::EndsOn | Field::Period)
                    && cell(field).is_some_and(|c| !c.is_blank())
                    && message.ends_with("を入力してください");
                if !unreadable {
                    error(field, message);
                }
            }
        })
        .ok();
    match suspension {
        Some(suspension) if errors.is_empty() => Ok(ListRow {
            row: row.number,
            suspension,
        }),
        _ => Err(errors),
    }
}

/// Suspensions in force on `day`, to come, or ended within the year before it: what the list page
/// shows.
pub async fn recent(db: &Db, day: NaiveDate) -> AppResult<Vec<StoredSuspension>> {
    let mut conn = db.acquire().await?;
    let from = crate::domain::dates::shift_years(day, -1);
    Ok(suspensions::ending_from(&mut conn, from).await?)
}

/// A registered vendor's suspensions, latest first.
pub async fn of_vendor(db: &Db, vendor_id: VendorId) -> AppResult<Vec<StoredSuspension>> {
    let mut conn = db.acquire().await?;
    Ok(suspensions::for_vendor(&mut conn, vendor_id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = "指名停止措置一覧（令和8年度）,,,,,\n\
        法人番号,商号又は名称,開始日,終了日,理由,文書番号\n\
        7000012050002,株式会社いろは,R8.4.1,R9.3.31,委託業務における個人情報の漏えい,契第12号\n\
        1180301018771,株式会社ほへと,2026/5/1,2026/7/31,入札談合,契第15号\n";

    fn check(text: &str) -> (Vec<ListRow>, ImportReport) {
        let mut report = ImportReport::default();
        let rows = check_list(
            crate::excel::read_tables(text.as_bytes(), &Limits::default()),
            &mut report,
        );
        (rows, report)
    }

    #[test]
    fn reads_a_list_below_its_title() {
        let (rows, report) = check(LIST);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.header_row, Some(2));
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].suspension.ends_on,
            NaiveDate::from_ymd_opt(2027, 3, 31).unwrap()
        );
        assert_eq!(rows[1].suspension.document_number, "契第15号");
    }

    #[test]
    fn reads_the_period_from_one_cell() {
        let (rows, report) = check(
            "法人番号,業者名,指名停止期間,停止理由\n\
             7000012050002,株式会社いろは,令和8年4月1日～令和9年3月31日,情報漏えい\n\
             1180301018771,株式会社ほへと,自 R8.5.1 至 R8.7.31,談合\n",
        );
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(
            rows[0].suspension.starts_on,
            NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()
        );
        assert_eq!(
            rows[1].suspension.ends_on,
            NaiveDate::from_ymd_opt(2026, 7, 31).unwrap()
        );
    }

    #[test]
    fn names_every_bad_cell_and_repeated_rows() {
        let bad = LIST
            .replace("7000012050002", "7000012050003")
            .replace("2026/7/31", "2026/4/30")
            + "1180301018771,株式会社ほへと,2026/5/1,2026/8/31,入札談合,契第16号\n";
        let (rows, report) = check(&bad);
        let messages: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
        assert!(rows.len() < 3);
        assert!(
            messages.iter().any(|m| m.starts_with("3行目 法人番号:")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.starts_with("4行目 終了日:")),
            "{messages:?}"
        );
        assert_eq!(report.errors.len(), 2, "{messages:?}");
        let (_, report) = check(
            &(LIST.to_string() + "1180301018771,株式会社ほへと,2026/5/1,2026/8/31,入札談合,\n"),
        );
        assert!(
            report.errors[0].message.contains("4行目と重複"),
            "{:?}",
            report.errors
        );
    }

    #[test]
    fn refuses_a_list_without_its_key_columns() {
        let (_, report) = check("商号又は名称,開始日,理由\nいろは,2026/4/1,x\n");
        assert!(!report.accepted());
        let (_, report) = check("法人番号,理由\n7000012050002,x\n");
        assert!(
            report.errors[0].message.contains("開始日"),
            "{:?}",
            report.errors
        );
    }
}
