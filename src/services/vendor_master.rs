//! 入札参加資格者名簿の取込: the municipality's list of qualified bidders (業者番号, 商号又は名称, 法人番号
//! or 登録番号, 所在地, 代表者, 連絡先, メール) read into the vendor registry. Vendors are matched by any of
//! their identifiers, so a second import of the same list changes nothing; a blank cell leaves what
//! the registry holds; one error anywhere writes nothing.

use super::vendors::{self as vendor_service, Vendor, VendorInput};
use crate::auth::policy::VendorRights;
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::vendors::{self as vendor_rows, VendorRecord};
use crate::db::{Conn, Db};
use crate::error::{AppError, AppResult};
use crate::excel::header::{self, Column, RowError};
use crate::excel::{Limits, ReadError, Row, Table};
use crate::sandbox::Sandbox;
use crate::services::audit::{self, Event};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// A column of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    VendorCode,
    Name,
    CorporateNumber,
    InvoiceNumber,
    Kana,
    Address,
    Representative,
    Phone,
    ContactPerson,
    Email,
}

impl Column for Field {
    const ALL: &'static [Self] = &[
        Field::VendorCode,
        Field::Name,
        Field::CorporateNumber,
        Field::InvoiceNumber,
        Field::Kana,
        Field::Address,
        Field::Representative,
        Field::Phone,
        Field::ContactPerson,
        Field::Email,
    ];

    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::VendorCode => &[
                "業者番号",
                "業者コード",
                "登録業者番号",
                "業者No",
                "受付番号",
            ],
            Field::Name => &[
                "商号又は名称",
                "商号または名称",
                "商号",
                "名称",
                "事業者名",
                "業者名",
                "会社名",
            ],
            Field::CorporateNumber => &["法人番号"],
            Field::InvoiceNumber => &[
                "登録番号",
                "適格請求書発行事業者登録番号",
                "インボイス登録番号",
                "T番号",
            ],
            Field::Kana => &[
                "フリガナ",
                "ふりがな",
                "カナ",
                "商号又は名称(フリガナ)",
                "商号又は名称(カナ)",
                "商号カナ",
            ],
            Field::Address => &["所在地", "住所", "本店所在地", "本社所在地", "営業所所在地"],
            Field::Representative => &["代表者", "代表者名", "代表者氏名", "代表者職氏名"],
            Field::Phone => &["連絡先", "電話番号", "電話", "TEL", "連絡先電話番号"],
            Field::ContactPerson => &["担当者", "担当者名", "連絡担当者"],
            Field::Email => &["メール", "メールアドレス", "E-mail", "Email", "電子メール"],
        }
    }

    fn required(self) -> bool {
        self == Field::Name
    }
}

impl Field {
    /// The field of `VendorInput` (and of its errors) this column fills.
    fn input_field(self) -> &'static str {
        match self {
            Field::VendorCode => "vendor_code",
            Field::Name => "name",
            Field::CorporateNumber => "corporate_number",
            Field::InvoiceNumber => "invoice_number",
            Field::Kana => "name_kana",
            Field::Address => "address",
            Field::Representative => "representative",
            Field::Phone => "phone",
            Field::ContactPerson => "contact_person",
            Field::Email => "email",
        }
    }
}

/// One valid row: the record it describes, and which of its values the list gave.
#[derive(Debug, Clone)]
pub struct MasterRow {
    row: u32,
    record: VendorRecord,
    input: VendorInput,
}

/// What happened to one row.
#[derive(Debug, Clone, Serialize)]
pub struct RowOutcome {
    pub row: u32,
    /// 「法人番号 …」「登録番号 …」「業者番号 …」
    pub identifier: String,
    pub name: String,
    pub action: &'static str,
}

/// The result of an import or a dry run; `errors` is empty when the list was (or would be) imported.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub dry_run: bool,
    pub imported: usize,
    pub updated: usize,
    pub unchanged: usize,
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

/// Checks a list read by `excel::read_tables` (in the parse sandbox); every error goes in the report.
pub fn check_list(
    read: Result<Vec<Table>, ReadError>,
    report: &mut ImportReport,
) -> Vec<MasterRow> {
    let wanted = header::ListHeader {
        key: Field::Name,
        not_found: "名簿の見出し行が見つかりません（「業者番号」「商号又は名称」「法人番号」などの列名が並んだ行が必要です）",
        any_of: &[Field::VendorCode, Field::CorporateNumber, Field::InvoiceNumber],
        any_of_label: "業者番号・法人番号・登録番号のどれか",
    };
    let read = header::read_rows(read, &wanted, "名簿にデータ行がありません", parse_row);
    report.errors = read.errors;
    report.ignored_columns = read.ignored;
    report.sheet = read.sheet;
    report.header_row = read.header_row;
    let mut rows = Vec::new();
    let mut first_of: HashMap<String, u32> = HashMap::new();
    for parsed in read.rows {
        let mut repeated = false;
        for identifier in parsed.record.identity().all() {
            let key = identifier.to_string();
            if let Some(first) = first_of.get(&key) {
                let field = match identifier.field() {
                    "invoice_number" => Field::InvoiceNumber,
                    "vendor_code" => Field::VendorCode,
                    _ => Field::CorporateNumber,
                };
                report.errors.push(RowError::at(
                    &read.columns,
                    field,
                    parsed.row,
                    format!("{key} が{first}行目と重複しています"),
                ));
                repeated = true;
            } else {
                first_of.insert(key, parsed.row);
            }
        }
        if !repeated {
            rows.push(parsed);
        }
    }
    report.errors.sort_by_key(|e| e.row);
    rows
}

/// A row checked by the same rules as the vendor form, each error placed on its cell.
fn parse_row(row: &Row, columns: &[(usize, Field)]) -> Result<MasterRow, Vec<RowError>> {
    let text = |field: Field| {
        columns
            .iter()
            .find(|(_, f)| *f == field)
            .map(|(i, _)| row.cell(*i).as_text().trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let input = VendorInput {
        corporate_number: text(Field::CorporateNumber),
        invoice_number: text(Field::InvoiceNumber),
        vendor_code: text(Field::VendorCode),
        name: text(Field::Name),
        name_kana: text(Field::Kana),
        address: text(Field::Address),
        representative: text(Field::Representative),
        contact_person: text(Field::ContactPerson),
        phone: text(Field::Phone),
        email: text(Field::Email),
    };
    input
        .parse()
        .map(|record| MasterRow {
            row: row.number,
            record,
            input: input.clone(),
        })
        .map_err(|errors| {
            errors
                .iter()
                .map(|error| {
                    let field = Field::ALL
                        .iter()
                        .copied()
                        .find(|f| f.input_field() == error.field)
                        .unwrap_or(Field::Name);
                    RowError::at(columns, field, row.number, error.message.to_string())
                })
                .collect()
        })
}

/// Reads the list in the parse sandbox and writes it in one transaction (rolled back for a dry run or
/// when any row fails). An officer changes only vendors its departments work with.
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
    if rows.is_empty() {
        return Ok(report);
    }
    let mut tx = db.begin().await?;
    for row in &rows {
        match apply_row(&mut tx, actor, rights, row).await? {
            Ok(outcome) => {
                match outcome.action {
                    "imported" => report.imported += 1,
                    "updated" => report.updated += 1,
                    _ => report.unchanged += 1,
                }
                report.rows.push(outcome);
            }
            Err(message) => report
                .errors
                .push(RowError::in_column(Field::Name, row.row, message)),
        }
    }
    report.errors.sort_by_key(|e| e.row);
    if dry_run || !report.accepted() {
        tx.rollback().await?;
        if !report.accepted() {
            report.rows.clear();
            (report.imported, report.updated, report.unchanged) = (0, 0, 0);
        }
    } else {
        let summary = format!(
            "入札参加資格者名簿の取込: 新規 {} 件、更新 {} 件、変更なし {} 件",
            report.imported, report.updated, report.unchanged
        );
        audit::record(&mut tx, actor, Event::new("import", "vendor", "", summary)).await?;
        tx.commit().await?;
    }
    Ok(report)
}

/// Registers or updates the vendor one row describes, or says why it cannot.
async fn apply_row(
    conn: &mut Conn,
    actor: &Actor,
    rights: &VendorRights,
    row: &MasterRow,
) -> AppResult<Result<RowOutcome, String>> {
    let identity = row.record.identity();
    let existing = match vendor_service::find_for_identity(conn, &identity).await? {
        Ok(existing) => existing,
        Err(message) => return Ok(Err(message)),
    };
    let outcome = |action| RowOutcome {
        row: row.row,
        identifier: identity.primary().to_string(),
        name: row.record.name.clone(),
        action,
    };
    let Some(vendor) = existing else {
        let id = vendor_rows::insert(conn, &row.record).await?;
        let summary = format!("事業者登録 {}（名簿取込）", row.record.name);
        audit::record(
            conn,
            actor,
            Event::new("create", "vendor", id, summary).changes(None, Some(json!(row.record))),
        )
        .await?;
        return Ok(Ok(outcome("imported")));
    };
    match vendor_service::authorize(conn, rights, vendor.id).await {
        Ok(()) => {}
        Err(AppError::Forbidden) => {
            return Ok(Err(format!(
                "{}は担当する所管課の契約・入札がない事業者のため変更できません",
                vendor.name
            )))
        }
        Err(other) => return Err(other),
    }
    let current = vendor.record();
    let updated = merged(&vendor, row);
    if updated == current {
        return Ok(Ok(outcome("unchanged")));
    }
    vendor_rows::update(conn, vendor.id, &updated).await?;
    let summary = format!("事業者変更 {}（名簿取込）", updated.name);
    audit::record(
        conn,
        actor,
        Event::new("update", "vendor", vendor.id, summary)
            .changes(Some(json!(current)), Some(json!(updated))),
    )
    .await?;
    Ok(Ok(outcome("updated")))
}

/// The registered vendor with what the row gives: a blank cell keeps the registered value, a number the
/// vendor lacks is added, and the list's 業者番号 replaces an older one (the list is where the
/// municipality assigns them).
fn merged(vendor: &Vendor, row: &MasterRow) -> VendorRecord {
    let current = vendor.record();
    let given = &row.record;
    let keep = |typed: &Option<String>, new: &str, old: &str| {
        if typed.is_some() {
            new.to_string()
        } else {
            old.to_string()
        }
    };
    let (corporate_number, invoice_number, registered_code) =
        vendor_service::with_added(&vendor.identity(), &given.identity()).columns();
    let vendor_code = given.vendor_code.clone().or(registered_code);
    let input = &row.input;
    VendorRecord {
        corporate_number,
        invoice_number,
        vendor_code,
        name: given.name.clone(),
        name_kana: keep(&input.name_kana, &given.name_kana, &current.name_kana),
        address: keep(&input.address, &given.address, &current.address),
        representative: keep(
            &input.representative,
            &given.representative,
            &current.representative,
        ),
        contact_person: keep(
            &input.contact_person,
            &given.contact_person,
            &current.contact_person,
        ),
        phone: keep(&input.phone, &given.phone, &current.phone),
        email: keep(&input.email, &given.email, &current.email),
    }
}
