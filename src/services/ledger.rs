//! 契約台帳の取込: reads the contract ledger a municipality already keeps in Excel or CSV.
//! Columns are found by header name in any order; every row is validated before anything is written,
//! and the whole import is one transaction, so a ledger with one bad row writes nothing.

use crate::auth::policy::EditScope;
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::contracts::{self as contract_rows, Contract};
use crate::db::vendors::{self as vendor_rows, VendorRecord};
use crate::db::{departments, ledger_uploads, Conn, Db};
use crate::domain::text::{normalize, parse_count};
use crate::domain::{
    parse_yes_no, BoundedText, ContractDraft, CorporateNumber, Email, Importance, Period,
};
pub use crate::excel::header::RowError;
use crate::excel::header::{self, cell_ref, file_error, Column};
use crate::excel::{self, Cell, Limits, ReadError, Row, Table};
use crate::sandbox::Sandbox;
use crate::services::audit;
use crate::services::audit::Event;
use crate::services::contracts::parse_deletion_days;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// A column the ledger may have, with the header names people give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    ContractNumber,
    Title,
    Department,
    VendorName,
    CorporateNumber,
    StartDate,
    EndDate,
    PersonalData,
    PersonalRecords,
    Importance,
    Cloud,
    DeletionDays,
    Subcontracting,
    Notes,
    VendorKana,
    VendorAddress,
    VendorContact,
    VendorPhone,
    VendorEmail,
}

impl Field {
    const ALL: [Field; 19] = [
        Field::ContractNumber,
        Field::Title,
        Field::Department,
        Field::VendorName,
        Field::CorporateNumber,
        Field::StartDate,
        Field::EndDate,
        Field::PersonalData,
        Field::PersonalRecords,
        Field::Importance,
        Field::Cloud,
        Field::DeletionDays,
        Field::Subcontracting,
        Field::Notes,
        Field::VendorKana,
        Field::VendorAddress,
        Field::VendorContact,
        Field::VendorPhone,
        Field::VendorEmail,
    ];

    /// The header name reported in messages.
    pub fn label(self) -> &'static str {
        self.synonyms()[0]
    }

    pub fn required(self) -> bool {
        matches!(
            self,
            Field::ContractNumber
                | Field::Title
                | Field::Department
                | Field::VendorName
                | Field::CorporateNumber
                | Field::StartDate
                | Field::EndDate
        )
    }

    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::ContractNumber => &[
                "契約番号",
                "契約No",
                "契約No.",
                "契約ナンバー",
                "契約管理番号",
                "契約コード",
                "契約ID",
                "No.",
                "No",
                "番号",
            ],
            Field::Title => &[
                "件名",
                "契約件名",
                "契約名",
                "契約名称",
                "業務名",
                "委託業務名",
                "業務名称",
                "委託件名",
            ],
            Field::Department => &[
                "所管課",
                "担当課",
                "所管部署",
                "担当部署",
                "所属",
                "課名",
                "所管課名",
                "担当課名",
                "部署",
                "発注課",
            ],
            Field::VendorName => &[
                "事業者名",
                "委託先",
                "委託先名",
                "委託事業者",
                "委託事業者名",
                "事業者",
                "契約相手方",
                "相手方",
                "業者名",
                "受託者",
                "受託者名",
                "商号又は名称",
                "商号",
            ],
            Field::CorporateNumber => &["法人番号", "事業者法人番号", "委託先法人番号"],
            Field::StartDate => &[
                "契約開始日",
                "開始日",
                "契約期間開始",
                "契約期間自",
                "契約期間(自)",
                "履行期間開始",
                "履行期間自",
                "委託期間開始",
                "始期",
                "契約日",
            ],
            Field::EndDate => &[
                "契約終了日",
                "終了日",
                "契約期間終了",
                "契約期間至",
                "契約期間(至)",
                "履行期間終了",
                "履行期間至",
                "委託期間終了",
                "終期",
                "履行期限",
            ],
            Field::PersonalData => &[
                "個人情報",
                "個人情報の有無",
                "個人情報有無",
                "個人情報取扱い",
                "個人情報の取扱い",
                "個人情報取扱",
            ],
            Field::PersonalRecords => &[
                "個人情報件数",
                "個人情報の件数",
                "件数",
                "取扱件数",
                "レコード数",
            ],
            Field::Importance => &["重要度", "重要", "重要区分", "重要契約", "区分"],
            Field::Cloud => &[
                "クラウド利用",
                "クラウド",
                "クラウドサービス利用",
                "クラウドの利用",
                "クラウドサービス",
            ],
            Field::DeletionDays => &[
                "消去期限(日)",
                "消去期限",
                "消去日数",
                "データ消去期限",
                "消去期限日数",
                "返却・消去期限(日)",
            ],
            Field::Subcontracting => &["再委託", "再委託の可否", "再委託可否", "再委託の有無"],
            Field::Notes => &["備考", "摘要", "メモ"],
            Field::VendorKana => &[
                "事業者名カナ",
                "事業者名(カナ)",
                "フリガナ",
                "ふりがな",
                "事業者カナ",
            ],
            Field::VendorAddress => &["所在地", "住所", "事業者所在地"],
            Field::VendorContact => &["担当者", "担当者名", "事業者担当者", "連絡担当者"],
            Field::VendorPhone => &["電話番号", "電話", "連絡先電話番号", "TEL"],
            Field::VendorEmail => &["メールアドレス", "メール", "E-mail", "Email", "電子メール"],
        }
    }
}

impl Column for Field {
    const ALL: &'static [Self] = &Field::ALL;
    fn synonyms(self) -> &'static [&'static str] {
        Field::synonyms(self)
    }
    fn required(self) -> bool {
        Field::required(self)
    }
}

/// Vendor details some ledgers carry; blank ones leave the registry as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VendorDetails {
    pub kana: Option<String>,
    pub address: Option<String>,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// One valid ledger row. `None` in an optional field means the ledger has no value for it.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    pub row: u32,
    pub contract_number: BoundedText<64>,
    pub title: BoundedText<200>,
    pub department: BoundedText<100>,
    pub vendor_name: BoundedText<200>,
    pub corporate_number: CorporateNumber,
    pub period: Period,
    pub handles_personal_data: Option<bool>,
    pub personal_records: Option<i64>,
    pub importance: Option<Importance>,
    pub uses_cloud: Option<bool>,
    pub subcontracting_allowed: Option<bool>,
    pub deletion_days: Option<i64>,
    pub notes: Option<String>,
    pub vendor: VendorDetails,
}

/// The rows of a ledger that passed every check.
#[derive(Debug, Clone)]
pub struct ParsedLedger {
    pub sheet: String,
    pub header_row: u32,
    pub rows: Vec<LedgerRow>,
    pub ignored_columns: Vec<String>,
    pub warnings: Vec<String>,
}

impl ParsedLedger {
    /// Moves every contract by whole years (the demo keeps its dates near today).
    pub fn shift_years(&mut self, years: i32) {
        let shift = |date: NaiveDate| crate::domain::dates::shift_years(date, years);
        for row in &mut self.rows {
            row.period = Period::new(shift(row.period.start()), shift(row.period.end()))
                .unwrap_or(row.period);
        }
    }
}

/// Everything wrong with a ledger that was refused.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Refusal {
    pub errors: Vec<RowError>,
    pub ignored_columns: Vec<String>,
    pub warnings: Vec<String>,
}

/// Reads and validates a ledger in this process (trusted files and tests); nothing touches the database.
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<ParsedLedger, Refusal> {
    parse_read(excel::read_tables(bytes, limits))
}

/// Validates a ledger read by `excel::read_tables`, here or in the parse sandbox.
pub fn parse_read(read: Result<Vec<Table>, ReadError>) -> Result<ParsedLedger, Refusal> {
    let tables = read.map_err(|e| Refusal {
        errors: vec![file_error(e.to_string())],
        ..Default::default()
    })?;
    let layout = header::find_layout(&tables, Field::ContractNumber).ok_or_else(|| Refusal {
        errors: vec![file_error(
            "契約台帳の見出し行が見つかりません（「契約番号」「件名」「事業者名」などの列名が並んだ行が必要です）",
        )],
        ..Default::default()
    })?;
    let missing = layout.missing_required();
    if !missing.is_empty() {
        return Err(Refusal {
            errors: vec![file_error(format!(
                "必須の列がありません: {}",
                missing.join("、")
            ))],
            ignored_columns: layout.ignored,
            ..Default::default()
        });
    }
    let table = &tables[layout.table_index];
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut seen_numbers: HashMap<String, u32> = HashMap::new();
    let mut vendor_names: HashMap<String, (String, u32)> = HashMap::new();
    for row in table.rows.iter().skip(layout.header_position + 1) {
        if layout
            .columns
            .iter()
            .all(|(index, _)| row.cell(*index).is_blank())
        {
            continue;
        }
        match parse_row(row, &layout.columns) {
            Ok(parsed) => {
                let number = parsed.contract_number.as_str().to_string();
                if let Some(first) = seen_numbers.get(&number) {
                    errors.push(RowError {
                        row: Some(row.number),
                        column: Field::ContractNumber.label().into(),
                        cell: cell_ref(&layout.columns, Field::ContractNumber, row.number),
                        message: format!("契約番号「{number}」が{first}行目と重複しています"),
                    });
                    continue;
                }
                seen_numbers.insert(number, row.number);
                let key = parsed.corporate_number.as_str().to_string();
                match vendor_names.get(&key) {
                    Some((name, first)) if name != parsed.vendor_name.as_str() => warnings.push(format!(
                        "{}行目: 法人番号 {key} の事業者名が{first}行目（「{name}」）と異なります。「{name}」を使います",
                        row.number
                    )),
                    Some(_) => {}
                    None => {
                        vendor_names.insert(key, (parsed.vendor_name.as_str().to_string(), row.number));
                    }
                }
                rows.push(parsed);
            }
            Err(row_errors) => errors.extend(row_errors),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(file_error("契約台帳にデータ行がありません"));
    }
    if errors.is_empty() {
        Ok(ParsedLedger {
            sheet: table.name.clone(),
            header_row: layout.header_row,
            rows,
            ignored_columns: layout.ignored,
            warnings,
        })
    } else {
        Err(Refusal {
            errors,
            ignored_columns: layout.ignored,
            warnings,
        })
    }
}

/// Parses one row, collecting an error for every bad cell.
fn parse_row(row: &Row, columns: &[(usize, Field)]) -> Result<LedgerRow, Vec<RowError>> {
    let mut errors = Vec::new();
    let cell_of = |field: Field| {
        columns
            .iter()
            .find(|(_, f)| *f == field)
            .map(|(index, _)| row.cell(*index))
    };
    let mut check = |field: Field, result: Result<(), String>| {
        if let Err(message) = result {
            errors.push(RowError {
                row: Some(row.number),
                column: field.label().into(),
                cell: cell_ref(columns, field, row.number),
                message,
            });
        }
    };
    let text_of = |field: Field| {
        cell_of(field)
            .map(Cell::as_text)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    };

    macro_rules! field {
        ($field:expr, $parse:expr) => {{
            let result = $parse;
            match result {
                Ok(value) => Some(value),
                Err(message) => {
                    check($field, Err(message));
                    None
                }
            }
        }};
    }

    let contract_number = field!(
        Field::ContractNumber,
        BoundedText::<64>::parse(
            &normalize(&text_of(Field::ContractNumber).unwrap_or_default()),
            "契約番号"
        )
    );
    let title = field!(
        Field::Title,
        BoundedText::<200>::parse(&text_of(Field::Title).unwrap_or_default(), "件名")
    );
    let department = field!(
        Field::Department,
        BoundedText::<100>::parse(
            &normalize(&text_of(Field::Department).unwrap_or_default()),
            "所管課"
        )
    );
    let vendor_name = field!(
        Field::VendorName,
        BoundedText::<200>::parse(&text_of(Field::VendorName).unwrap_or_default(), "事業者名")
    );
    let corporate_number = field!(
        Field::CorporateNumber,
        CorporateNumber::parse(&text_of(Field::CorporateNumber).unwrap_or_default())
    );
    let start = field!(
        Field::StartDate,
        cell_of(Field::StartDate).unwrap_or(&Cell::Empty).as_date()
    );
    let end = field!(
        Field::EndDate,
        cell_of(Field::EndDate).unwrap_or(&Cell::Empty).as_date()
    );
    let period = match (start, end) {
        (Some(start), Some(end)) => field!(Field::EndDate, Period::new(start, end)),
        _ => None,
    };
    let flag = |field: Field, label: &str| -> Result<Option<bool>, String> {
        match cell_of(field) {
            Some(Cell::Bool(value)) => Ok(Some(*value)),
            _ => text_of(field).map(|t| parse_yes_no(&t, label)).transpose(),
        }
    };
    let handles_personal_data = field!(Field::PersonalData, flag(Field::PersonalData, "個人情報"));
    let personal_records = field!(
        Field::PersonalRecords,
        text_of(Field::PersonalRecords)
            .map(|t| parse_count(&t, "個人情報件数"))
            .transpose()
    );
    let importance = field!(
        Field::Importance,
        text_of(Field::Importance)
            .map(|t| Importance::parse(&t))
            .transpose()
    );
    let uses_cloud = field!(Field::Cloud, flag(Field::Cloud, "クラウド利用"));
    let subcontracting_allowed =
        field!(Field::Subcontracting, flag(Field::Subcontracting, "再委託"));
    let deletion_days = field!(
        Field::DeletionDays,
        text_of(Field::DeletionDays)
            .map(|t| parse_deletion_days(Some(&t), 0))
            .transpose()
    );
    let email = field!(
        Field::VendorEmail,
        text_of(Field::VendorEmail)
            .map(|t| Email::parse(&t).map(|e| e.as_str().to_string()))
            .transpose()
    );
    let notes = text_of(Field::Notes);
    if notes.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        check(
            Field::Notes,
            Err("備考は2000文字以内で入力してください".into()),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    match (
        contract_number,
        title,
        department,
        vendor_name,
        corporate_number,
        period,
    ) {
        (
            Some(contract_number),
            Some(title),
            Some(department),
            Some(vendor_name),
            Some(corporate_number),
            Some(period),
        ) => Ok(LedgerRow {
            row: row.number,
            contract_number,
            title,
            department,
            vendor_name,
            corporate_number,
            period,
            handles_personal_data: handles_personal_data.flatten(),
            personal_records: personal_records.flatten(),
            importance: importance.flatten(),
            uses_cloud: uses_cloud.flatten(),
            subcontracting_allowed: subcontracting_allowed.flatten(),
            deletion_days: deletion_days.flatten(),
            notes,
            vendor: VendorDetails {
                kana: text_of(Field::VendorKana),
                address: text_of(Field::VendorAddress),
                contact: text_of(Field::VendorContact),
                phone: text_of(Field::VendorPhone),
                email: email.flatten(),
            },
        }),
        _ => Err(errors),
    }
}

/// What happened to one ledger row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Imported,
    Updated,
    Unchanged,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Imported => "imported",
            Action::Updated => "updated",
            Action::Unchanged => "unchanged",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Action::Imported => "新規",
            Action::Updated => "更新",
            Action::Unchanged => "変更なし",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RowOutcome {
    pub row: u32,
    pub contract_number: String,
    pub title: String,
    pub vendor_name: String,
    pub action: Action,
}

/// The result of an import or a dry run; `errors` is empty when the ledger was (or would be) imported.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub dry_run: bool,
    pub imported: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub created_departments: usize,
    pub created_vendors: usize,
    pub errors: Vec<RowError>,
    pub warnings: Vec<String>,
    pub ignored_columns: Vec<String>,
    pub sheet: Option<String>,
    pub header_row: Option<u32>,
    pub rows: Vec<RowOutcome>,
}

impl ImportReport {
    pub fn accepted(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn refused(refusal: Refusal, dry_run: bool) -> Self {
        ImportReport {
            dry_run,
            errors: refusal.errors,
            warnings: refusal.warnings,
            ignored_columns: refusal.ignored_columns,
            ..Default::default()
        }
    }
}

/// Reports progress as (rows done, rows in all).
pub type Progress<'a> = &'a mut (dyn FnMut(usize, usize) + Send);

/// Parses (in the parse sandbox) and imports a ledger; with `dry_run` the same writes run and are rolled back.
#[allow(clippy::too_many_arguments)]
pub async fn import(
    db: &Db,
    actor: &Actor,
    scope: &EditScope,
    bytes: &[u8],
    settings: &Settings,
    sandbox: &Sandbox,
    dry_run: bool,
    progress: Progress<'_>,
) -> Result<ImportReport, crate::error::AppError> {
    let limits = Limits::with_upload_bytes(settings.upload_limit_bytes);
    match parse_read(sandbox.read_tables(bytes, &limits).await?) {
        Ok(ledger) => {
            apply(
                db,
                actor,
                scope,
                &ledger,
                settings.default_deletion_days,
                dry_run,
                progress,
            )
            .await
        }
        Err(refusal) => Ok(ImportReport::refused(refusal, dry_run)),
    }
}

/// Writes a parsed ledger in one transaction: departments by name, vendors by 法人番号, contracts by 契約番号.
pub async fn apply(
    db: &Db,
    actor: &Actor,
    scope: &EditScope,
    ledger: &ParsedLedger,
    default_deletion_days: i64,
    dry_run: bool,
    progress: Progress<'_>,
) -> Result<ImportReport, crate::error::AppError> {
    let mut report = ImportReport {
        dry_run,
        warnings: ledger.warnings.clone(),
        ignored_columns: ledger.ignored_columns.clone(),
        sheet: Some(ledger.sheet.clone()),
        header_row: Some(ledger.header_row),
        ..Default::default()
    };
    let mut tx = db.begin().await?;
    let mut department_ids: HashMap<String, i64> = HashMap::new();
    let mut vendor_ids: HashMap<String, i64> = HashMap::new();
    let total = ledger.rows.len();
    for (done, row) in ledger.rows.iter().enumerate() {
        let department_id = match department_ids.get(row.department.as_str()) {
            Some(id) => *id,
            None => {
                let id = match departments::find_by_name(&mut tx, row.department.as_str()).await? {
                    Some(department) => department.id,
                    None if scope.may_create_departments() => {
                        report.created_departments += 1;
                        let id = departments::insert(&mut tx, row.department.as_str()).await?;
                        let summary = format!("所管課登録 {}（台帳取込）", row.department.as_str());
                        audit::record(
                            &mut tx,
                            actor,
                            Event::new("create", "department", id, summary),
                        )
                        .await?;
                        id
                    }
                    None => {
                        report.errors.push(scope_error(
                            row,
                            Field::Department,
                            "この所管課は登録されていません（管理者に追加を依頼してください）",
                        ));
                        continue;
                    }
                };
                department_ids.insert(row.department.as_str().to_string(), id);
                id
            }
        };
        if !scope.may_use_department(department_id) {
            report.errors.push(scope_error(
                row,
                Field::Department,
                "担当していない所管課の契約は取り込めません",
            ));
            continue;
        }
        let vendor_id = match vendor_ids.get(row.corporate_number.as_str()) {
            Some(id) => *id,
            None => {
                let id = upsert_vendor(&mut tx, actor, row, &mut report).await?;
                vendor_ids.insert(row.corporate_number.as_str().to_string(), id);
                id
            }
        };
        let existing = contract_rows::find_by_number(&mut tx, row.contract_number.as_str()).await?;
        if let Some(contract) = &existing {
            if contract_rows::find(&mut tx, &scope.contracts, contract.id)
                .await?
                .is_none()
            {
                report.errors.push(scope_error(
                    row,
                    Field::ContractNumber,
                    "担当していない契約と契約番号が重複しています",
                ));
                continue;
            }
        }
        let draft = draft_for(
            row,
            department_id,
            vendor_id,
            existing.as_ref(),
            default_deletion_days,
        );
        let action = match existing {
            None => {
                let id = contract_rows::insert(&mut tx, &draft).await?;
                let summary = format!("契約登録 {}（台帳取込）", row.contract_number.as_str());
                audit::record(
                    &mut tx,
                    actor,
                    Event::new("create", "contract", id, summary)
                        .changes(None, Some(draft.to_json())),
                )
                .await?;
                report.imported += 1;
                Action::Imported
            }
            Some(contract) if contract.draft() == draft => {
                report.unchanged += 1;
                Action::Unchanged
            }
            Some(contract) => {
                contract_rows::update(&mut tx, contract.id, &draft).await?;
                let summary = format!("契約変更 {}（台帳取込）", row.contract_number.as_str());
                let before = Some(contract.draft().to_json());
                audit::record(
                    &mut tx,
                    actor,
                    Event::new("update", "contract", contract.id, summary)
                        .changes(before, Some(draft.to_json())),
                )
                .await?;
                report.updated += 1;
                Action::Updated
            }
        };
        report.rows.push(RowOutcome {
            row: row.row,
            contract_number: row.contract_number.as_str().to_string(),
            title: row.title.as_str().to_string(),
            vendor_name: row.vendor_name.as_str().to_string(),
            action,
        });
        progress(done + 1, total);
    }
    if dry_run || !report.errors.is_empty() {
        tx.rollback().await?;
        if !report.errors.is_empty() {
            report.rows.clear();
            (report.imported, report.updated, report.unchanged) = (0, 0, 0);
            (report.created_departments, report.created_vendors) = (0, 0);
        }
    } else {
        let summary = format!(
            "契約台帳の取込: 新規 {} 件、更新 {} 件、変更なし {} 件",
            report.imported, report.updated, report.unchanged
        );
        audit::record(&mut tx, actor, Event::new("import", "ledger", "", summary)).await?;
        tx.commit().await?;
    }
    Ok(report)
}

fn scope_error(row: &LedgerRow, field: Field, message: &str) -> RowError {
    RowError {
        row: Some(row.row),
        column: field.label().into(),
        cell: None,
        message: message.into(),
    }
}

/// How long an uploaded ledger waits for its confirmation.
const STAGED_FOR_HOURS: i64 = 24;

/// Dry-runs an uploaded ledger and keeps the file for `confirm_staged` when it would be accepted;
/// returns the report and the token that names the kept file.
pub async fn preview(
    db: &Db,
    actor: &Actor,
    scope: &EditScope,
    file_name: &str,
    bytes: &[u8],
    settings: &Settings,
    sandbox: &Sandbox,
) -> Result<(ImportReport, Option<String>), crate::error::AppError> {
    let report = import(
        db,
        actor,
        scope,
        bytes,
        settings,
        sandbox,
        true,
        &mut |_, _| {},
    )
    .await?;
    if !report.accepted() {
        return Ok((report, None));
    }
    let token = crate::random_token();
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
    let cutoff = (chrono::Utc::now() - chrono::Duration::hours(STAGED_FOR_HOURS))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let mut conn = db.acquire().await?;
    ledger_uploads::delete_older_than(&mut conn, &cutoff).await?;
    ledger_uploads::insert(&mut conn, &token, file_name, bytes, &digest).await?;
    Ok((report, Some(token)))
}

/// Imports a ledger kept by `preview`; the kept file is dropped once imported.
pub async fn confirm_staged(
    db: &Db,
    actor: &Actor,
    scope: &EditScope,
    token: &str,
    settings: &Settings,
    sandbox: &Sandbox,
) -> Result<(String, ImportReport), crate::error::AppError> {
    let upload = ledger_uploads::find(&mut *db.acquire().await?, token)
        .await?
        .ok_or_else(|| {
            crate::error::AppError::BadRequest(
                "確認済みの台帳が見つかりません。もう一度アップロードしてください".into(),
            )
        })?;
    let report = import(
        db,
        actor,
        scope,
        &upload.content,
        settings,
        sandbox,
        false,
        &mut |_, _| {},
    )
    .await?;
    if report.accepted() {
        ledger_uploads::delete(&mut *db.acquire().await?, token).await?;
    }
    Ok((upload.file_name, report))
}

/// Finds the vendor by 法人番号, creating it or filling in what the ledger says about it.
async fn upsert_vendor(
    conn: &mut Conn,
    actor: &Actor,
    row: &LedgerRow,
    report: &mut ImportReport,
) -> Result<i64, sqlx::Error> {
    let existing =
        vendor_rows::find_by_corporate_number(conn, row.corporate_number.as_str()).await?;
    let current = existing
        .as_ref()
        .map(|v| v.record())
        .unwrap_or_else(|| VendorRecord {
            corporate_number: row.corporate_number.as_str().to_string(),
            name: String::new(),
            name_kana: String::new(),
            address: String::new(),
            contact_person: String::new(),
            phone: String::new(),
            email: String::new(),
        });
    let details = &row.vendor;
    let merge = |given: &Option<String>, current: &str| {
        given.clone().unwrap_or_else(|| current.to_string())
    };
    let record = VendorRecord {
        corporate_number: current.corporate_number.clone(),
        name: row.vendor_name.as_str().to_string(),
        name_kana: merge(&details.kana, &current.name_kana),
        address: merge(&details.address, &current.address),
        contact_person: merge(&details.contact, &current.contact_person),
        phone: merge(&details.phone, &current.phone),
        email: merge(&details.email, &current.email),
    };
    match existing {
        None => {
            report.created_vendors += 1;
            let id = vendor_rows::insert(conn, &record).await?;
            let summary = format!("事業者登録 {}（台帳取込）", record.name);
            audit::record(
                conn,
                actor,
                Event::new("create", "vendor", id, summary).changes(None, Some(json!(record))),
            )
            .await?;
            Ok(id)
        }
        Some(vendor) => {
            if record != current {
                vendor_rows::update(conn, vendor.id, &record).await?;
                let summary = format!("事業者変更 {}（台帳取込）", record.name);
                let (before, after) = (Some(json!(current)), Some(json!(record)));
                audit::record(
                    conn,
                    actor,
                    Event::new("update", "vendor", vendor.id, summary).changes(before, after),
                )
                .await?;
            }
            Ok(vendor.id)
        }
    }
}

/// The contract the row describes; columns the ledger lacks keep the registered values.
fn draft_for(
    row: &LedgerRow,
    department_id: i64,
    vendor_id: i64,
    existing: Option<&Contract>,
    default_deletion_days: i64,
) -> ContractDraft {
    let handles_personal_data = row
        .handles_personal_data
        .or(existing.map(|c| c.handles_personal_data))
        .unwrap_or(row.personal_records.is_some_and(|n| n > 0));
    ContractDraft {
        contract_number: row.contract_number.clone(),
        title: row.title.clone(),
        department_id,
        vendor_id,
        period: row.period,
        handles_personal_data,
        personal_records: row
            .personal_records
            .or(existing.and_then(|c| c.personal_records))
            .filter(|_| handles_personal_data),
        importance: row
            .importance
            .or(existing.map(|c| c.importance))
            .unwrap_or(Importance::Ordinary),
        uses_cloud: row
            .uses_cloud
            .or(existing.map(|c| c.uses_cloud))
            .unwrap_or(false),
        subcontracting_allowed: row
            .subcontracting_allowed
            .or(existing.map(|c| c.subcontracting_allowed))
            .unwrap_or(false),
        deletion_days: row
            .deletion_days
            .or(existing.map(|c| c.deletion_days))
            .unwrap_or(default_deletion_days),
        notes: row
            .notes
            .clone()
            .or(existing.map(|c| c.notes.clone()))
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "令和7年度 委託契約台帳,,,,,,,\n\
        ,,,,,,,\n\
        No.,件名,担当課,委託先,法人番号,契約期間（自）,契約期間（至）,個人情報の有無,重要度,担当者メモ\n\
        R7-001,住民税通知書印刷,税務課,株式会社いろは印刷,7000012050002,R7.4.1,令和8年3月31日,有,重要,\n\
        ,,,,,,,,,\n\
        R7-002,庁舎清掃,管財課,はにほ清掃株式会社,1180301018771,2025/04/01,2026-03-31,なし,通常,x\n";

    #[test]
    fn finds_headers_below_a_title_in_any_order() {
        let ledger = parse(GOOD.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(ledger.header_row, 3);
        assert_eq!(ledger.rows.len(), 2);
        assert_eq!(ledger.rows[0].row, 4);
        assert_eq!(ledger.rows[1].row, 6);
        assert_eq!(ledger.rows[0].department.as_str(), "税務課");
        assert_eq!(
            ledger.rows[0].period.end(),
            NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()
        );
        assert_eq!(ledger.rows[0].handles_personal_data, Some(true));
        assert_eq!(ledger.rows[0].importance, Some(Importance::Important));
        assert_eq!(ledger.ignored_columns, vec!["担当者メモ".to_string()]);
    }

    #[test]
    fn reports_every_bad_row_with_its_row_number_and_column() {
        let bad = GOOD
            .replace("7000012050002", "7000012050003")
            .replace("2026-03-31", "2025-03-31")
            .replace(",有,", ",たぶん,");
        let refusal = parse(bad.as_bytes(), &Limits::default()).unwrap_err();
        let messages: Vec<String> = refusal.errors.iter().map(|e| e.to_string()).collect();
        assert!(
            messages.contains(
                &"4行目 法人番号: 法人番号のチェックディジットが一致しません".to_string()
            ),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.starts_with("4行目 個人情報:")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.starts_with("6行目 契約終了日:")),
            "{messages:?}"
        );
        assert_eq!(refusal.errors[0].cell.as_deref(), Some("E4"));
    }

    #[test]
    fn refuses_duplicate_numbers_and_missing_columns() {
        let duplicated = GOOD.replace("R7-002", "R7-001");
        let refusal = parse(duplicated.as_bytes(), &Limits::default()).unwrap_err();
        assert!(refusal.errors[0].to_string().contains("4行目と重複"));
        let no_dates = "契約番号,件名,所管課,事業者名,法人番号\nK-1,a,b,c,7000012050002\n";
        let refusal = parse(no_dates.as_bytes(), &Limits::default()).unwrap_err();
        assert!(refusal.errors[0].message.contains("契約開始日"));
        let refusal = parse("氏名,住所\n山田,東京\n".as_bytes(), &Limits::default()).unwrap_err();
        assert!(refusal.errors[0]
            .message
            .contains("見出し行が見つかりません"));
    }

    #[test]
    fn recognizes_header_variants() {
        let field = |text: &str| header::recognize::<Field>(text).map(|(field, _)| field);
        assert_eq!(field("消去期限（日）"), Some(Field::DeletionDays));
        assert_eq!(field("契約番号"), Some(Field::ContractNumber));
        assert_eq!(field("契約ＮＯ．"), Some(Field::ContractNumber));
        assert_eq!(field("個人情報件数"), Some(Field::PersonalRecords));
        assert_eq!(field("契約開始日（yyyy/mm/dd）"), Some(Field::StartDate));
        assert_eq!(field("事業者名（カナ）"), Some(Field::VendorKana));
        assert_eq!(field("担当者メモ"), None);
    }

    #[test]
    fn a_contract_number_column_beats_a_serial_number_column() {
        let ledger = "No.,契約番号,件名,所管課,事業者名,法人番号,契約開始日,契約終了日\n1,K-9,a,b,c,7000012050002,R7.4.1,R8.3.31\n";
        let parsed = parse(ledger.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(parsed.rows[0].contract_number.as_str(), "K-9");
        assert_eq!(parsed.ignored_columns, vec!["No.（重複）".to_string()]);
    }
}
