//! Certifications per vendor: recorded by the vendor itself or by staff, one at a time with its
//! certificate file, or in bulk from the vendor list a municipality keeps in Excel.

use super::audit::{self, Event};
use super::evidence::{self, StoredFile, Upload};
use crate::auth::policy::VendorRights;
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::certifications::{self, Certification, Entry};
use crate::db::vendors::{self as vendor_rows, VendorRecord};
use crate::db::{Conn, Db};
use crate::domain::certification::{
    CertStatus, CertificationDraft, CertificationFields, ExpiryWindows, Scheme, Verification,
};
use crate::domain::ids::{CertificationId, VendorId};
use crate::domain::{parse_date, BoundedText, VendorIdentity};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::excel::header::{self, cell_ref, file_error, Column, RowError};
use crate::excel::{self, Limits, Row};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

/// A certification with how it stands on a day.
#[derive(Debug, Clone, Serialize)]
pub struct CertificationView {
    #[serde(flatten)]
    pub certification: Certification,
    pub status: CertStatus,
    pub status_label: &'static str,
    /// For プライバシーマーク: where the renewal application stands.
    pub renewal_note: String,
}

impl CertificationView {
    pub fn new(certification: Certification, windows: &ExpiryWindows, day: NaiveDate) -> Self {
        let status = windows.status(certification.scheme, certification.valid_until, day);
        let renewal_note = match (certification.scheme, certification.valid_until) {
            (Scheme::Pmark, Some(until)) if status != CertStatus::Expired => {
                let (opens, closes) = windows.pmark_renewal_period(until);
                let (opens_jp, closes_jp) =
                    (crate::domain::wareki(opens), crate::domain::wareki(closes));
                if day < opens {
                    format!("更新申請の受付は{opens_jp}から{closes_jp}まで")
                } else if day <= closes {
                    format!("更新申請の受付期間中（{closes_jp}まで）")
                } else {
                    format!("更新申請の受付期間（{closes_jp}まで）を過ぎています")
                }
            }
            _ => String::new(),
        };
        CertificationView {
            status,
            status_label: status.label(),
            renewal_note,
            certification,
        }
    }
}

/// A certification as typed on the form or sent to the API; dates in any form people write them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CertificationInput {
    pub scheme: String,
    pub number: String,
    pub level: String,
    pub certification_body: String,
    pub scope: String,
    pub issued_on: String,
    pub valid_until: String,
}

impl CertificationInput {
    pub fn from_certification(c: &Certification) -> Self {
        CertificationInput {
            scheme: c.scheme.code().into(),
            number: c.number.clone(),
            level: c.level.map(|l| l.code().to_string()).unwrap_or_default(),
            certification_body: c.certification_body.clone(),
            scope: c.scope.clone(),
            issued_on: c.issued_on.map(|d| d.to_string()).unwrap_or_default(),
            valid_until: c.valid_until.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    fn draft(&self, errors: &mut FieldErrors) -> Option<CertificationDraft> {
        let mut date = |field: &str, text: &str| {
            if text.trim().is_empty() {
                None
            } else {
                errors.take(field, parse_date(text).map_err(|e| e.0))
            }
        };
        let fields = CertificationFields {
            scheme: self.scheme.clone(),
            number: self.number.clone(),
            level: self.level.clone(),
            certification_body: self.certification_body.clone(),
            scope: self.scope.clone(),
            issued_on: date("issued_on", &self.issued_on),
            valid_until: date("valid_until", &self.valid_until),
        };
        match CertificationDraft::build(&fields) {
            Ok(draft) => Some(draft),
            Err(problems) => {
                for (field, message) in problems {
                    if errors.get(field).is_none() {
                        errors.add(field, message);
                    }
                }
                None
            }
        }
    }
}

/// A vendor's certifications as they stand on `day`.
pub async fn for_vendor(
    db: &Db,
    settings: &Settings,
    vendor_id: VendorId,
    day: NaiveDate,
) -> AppResult<Vec<CertificationView>> {
    let windows = settings.expiry_windows();
    Ok(
        certifications::for_vendor(&mut *db.acquire().await?, vendor_id)
            .await?
            .into_iter()
            .map(|c| CertificationView::new(c, &windows, day))
            .collect(),
    )
}

/// Records a new certification for a vendor, or changes one (`id`), with an optional certificate file.
/// What staff record is verified by them; what a vendor records is declared until staff verify it.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    rights: &VendorRights,
    vendor_id: VendorId,
    id: Option<CertificationId>,
    input: &CertificationInput,
    file: Option<&Upload>,
) -> AppResult<CertificationId> {
    let mut tx = db.begin().await?;
    super::vendors::authorize(&mut tx, rights, vendor_id).await?;
    let mut errors = FieldErrors::new();
    let draft = input.draft(&mut errors);
    if let Some(upload) = file {
        evidence::check_upload(upload, "file", settings.upload_limit_bytes, &mut errors);
    }
    errors.into_result()?;
    let draft = draft.expect("checked");
    let vendor = vendor_rows::find(&mut tx, vendor_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let entry = entry_by(rights, actor);
    let existing = match id {
        Some(id) => Some(
            certifications::find(&mut tx, id)
                .await?
                .filter(|c| c.vendor_id == vendor_id)
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    let clash = certifications::find_by_number(&mut tx, vendor_id, draft.scheme, &draft.number)
        .await?
        .filter(|c| Some(c.id) != id);
    if clash.is_some() {
        let mut errors = FieldErrors::new();
        errors.add(
            "number",
            format!(
                "この事業者の{}（番号「{}」）は既に登録されています",
                draft.scheme.label(),
                draft.number
            ),
        );
        return Err(AppError::Validation(errors));
    }
    let file_id = match file {
        Some(upload) => Some(evidence::store(&mut tx, actor, upload).await?),
        None => None,
    };
    let label = format!("{} {} {}", vendor.name, draft.scheme.label(), draft.number);
    let id = match existing {
        Some(before) => {
            certifications::update(&mut tx, before.id, &draft, file_id, &entry).await?;
            audit::record(
                &mut tx,
                actor,
                Event::new(
                    "update",
                    "certification",
                    before.id,
                    format!("認証更新 {label}"),
                )
                .changes(
                    Some(json!({"values": before.draft(), "verification": before.verification})),
                    Some(
                        json!({"values": draft, "file_id": file_id, "verification": entry.verification()}),
                    ),
                ),
            )
            .await?;
            before.id
        }
        None => {
            let new_id =
                certifications::insert(&mut tx, vendor_id, &draft, file_id, &entry).await?;
            audit::record(
                &mut tx,
                actor,
                Event::new(
                    "create",
                    "certification",
                    new_id,
                    format!("認証登録 {label}"),
                )
                .changes(
                    None,
                    Some(
                        json!({"values": draft, "file_id": file_id, "verification": entry.verification()}),
                    ),
                ),
            )
            .await?;
            new_id
        }
    };
    tx.commit().await?;
    Ok(id)
}

/// Staff's entries are verified by them; a vendor's are declared.
fn entry_by(rights: &VendorRights, actor: &Actor) -> Entry {
    if rights.is_staff() {
        Entry::VerifiedBy(actor.label.clone())
    } else {
        Entry::Declared
    }
}

/// Staff's decision on a certificate a vendor declared.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VerificationInput {
    /// `verify` or `return`.
    pub decision: String,
    /// Where staff checked it (the certificate file, the issuer's register), or why it is returned.
    pub note: String,
}

/// Verifies a declared certificate, or returns it with the reason; staff who may change the vendor's
/// certificates only. Answers the vendor's id.
pub async fn decide(
    db: &Db,
    actor: &Actor,
    rights: &VendorRights,
    id: CertificationId,
    input: &VerificationInput,
) -> AppResult<VendorId> {
    if !rights.is_staff() {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let certification = certifications::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    super::vendors::authorize(&mut tx, rights, certification.vendor_id).await?;
    let mut errors = FieldErrors::new();
    let note = errors.take(
        "note",
        crate::domain::text::optional(Some(&input.note), |text| {
            BoundedText::<500>::parse(text, "確認の記録")
        }),
    );
    let verification = match input.decision.as_str() {
        "verify" | "verified" => Some(Verification::Verified),
        "return" | "returned" => Some(Verification::Returned),
        _ => {
            errors.add("decision", "確認済にするか差し戻すかを選んでください");
            None
        }
    };
    let note = note
        .flatten()
        .map(BoundedText::into_string)
        .unwrap_or_default();
    if verification == Some(Verification::Returned) && note.is_empty() {
        errors.add("note", "差し戻す理由を入力してください");
    }
    errors.into_result()?;
    let verification = verification.expect("checked");
    certifications::decide(&mut tx, id, verification, &actor.label, &note).await?;
    let verb = match verification {
        Verification::Verified => "確認",
        _ => "差戻し",
    };
    crate::db::notifications::notify_vendor(
        &mut tx,
        certification.vendor_id,
        &format!(
            "認証{verb} {} {}{}",
            certification.scheme.label(),
            certification.number,
            if note.is_empty() {
                String::new()
            } else {
                format!("（{note}）")
            }
        ),
        &format!("/vendors/{}#certification-{id}", certification.vendor_id),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "verify",
            "certification",
            id,
            format!(
                "認証{verb} {} {} {}",
                certification.vendor_name,
                certification.scheme.label(),
                certification.number
            ),
        )
        .changes(
            Some(json!({"verification": certification.verification})),
            Some(json!({"verification": verification, "note": note})),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(certification.vendor_id)
}

/// Certificates vendors declared that wait for these staff to verify them, oldest first.
pub async fn awaiting_verification(
    db: &Db,
    rights: &VendorRights,
    limit: i64,
) -> AppResult<Vec<Certification>> {
    let departments = match rights {
        VendorRights::Any => None,
        VendorRights::WorkingWith(departments) => Some(departments.as_slice()),
        VendorRights::Itself(_) | VendorRights::Nobody => return Ok(Vec::new()),
    };
    Ok(
        certifications::awaiting_verification(&mut *db.acquire().await?, departments, limit)
            .await?,
    )
}

/// One certification of a vendor (a vendor user is limited to its own by `own_vendor`).
pub async fn get(
    db: &Db,
    own_vendor: Option<VendorId>,
    id: CertificationId,
) -> AppResult<Certification> {
    certifications::find(&mut *db.acquire().await?, id)
        .await?
        .filter(|c| own_vendor.is_none_or(|own| own == c.vendor_id))
        .ok_or(AppError::NotFound)
}

pub async fn file(
    db: &Db,
    actor: &Actor,
    own_vendor: Option<VendorId>,
    id: CertificationId,
) -> AppResult<StoredFile> {
    let certification = get(db, own_vendor, id).await?;
    let file = evidence::load(
        &mut *db.acquire().await?,
        certification.file_id.ok_or(AppError::NotFound)?,
    )
    .await?;
    audit::downloaded(db, actor, "certification", id, &file.name, &file.bytes).await?;
    Ok(file)
}

/// A column of a certification list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    CorporateNumber,
    InvoiceNumber,
    VendorCode,
    VendorName,
    Scheme,
    Number,
    Level,
    IssuedOn,
    ValidUntil,
    Scope,
    Body,
}

impl Column for Field {
    const ALL: &'static [Self] = &[
        Field::CorporateNumber,
        Field::InvoiceNumber,
        Field::VendorCode,
        Field::VendorName,
        Field::Scheme,
        Field::Number,
        Field::Level,
        Field::IssuedOn,
        Field::ValidUntil,
        Field::Scope,
        Field::Body,
    ];

    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::CorporateNumber => &["法人番号", "事業者法人番号", "委託先法人番号"],
            // 「登録番号」 alone is a certificate's number here (Pマーク, SECURITY ACTION).
            Field::InvoiceNumber => &[
                "適格請求書発行事業者登録番号",
                "インボイス登録番号",
                "適格請求書登録番号",
            ],
            Field::VendorCode => &["業者番号", "業者コード", "登録業者番号"],
            Field::VendorName => &[
                "事業者名",
                "商号又は名称",
                "会社名",
                "事業者",
                "委託先",
                "委託先名",
            ],
            Field::Scheme => &[
                "種別",
                "認証種別",
                "認証の種類",
                "認証",
                "制度",
                "認証制度",
                "認証・登録",
            ],
            Field::Number => &[
                "番号",
                "登録番号",
                "認証番号",
                "認定番号",
                "証明書番号",
                "自己宣言ID",
                "宣言ID",
            ],
            Field::Level => &["区分", "ランク", "段階", "レベル", "星"],
            Field::IssuedOn => &[
                "取得日",
                "発行日",
                "認証日",
                "登録日",
                "宣言日",
                "初回登録日",
            ],
            Field::ValidUntil => &["有効期限", "有効期間満了日", "有効期限日", "満了日", "期限"],
            Field::Scope => &["適用範囲", "認証範囲", "登録範囲", "範囲", "サービス名"],
            Field::Body => &["認証機関", "審査機関", "認証機関名"],
        }
    }

    fn required(self) -> bool {
        matches!(self, Field::Scheme)
    }
}

/// One valid row of a certification list.
#[derive(Debug, Clone)]
pub struct ListRow {
    row: u32,
    identity: VendorIdentity,
    vendor_name: Option<BoundedText<200>>,
    draft: CertificationDraft,
}

/// What happened to one row.
#[derive(Debug, Clone, Serialize)]
pub struct RowOutcome {
    pub row: u32,
    /// The vendor's 法人番号, 登録番号 or 業者番号, as the row gave it.
    pub identifier: String,
    pub vendor_name: String,
    pub scheme: &'static str,
    pub number: String,
    pub action: &'static str,
}

/// The result of an import or a dry run; `errors` is empty when the list was (or would be) imported.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub dry_run: bool,
    pub imported: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub created_vendors: usize,
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

impl ListRow {
    /// Moves the dates by whole years (the demo keeps its certificates' states relative to today).
    pub fn shift_years(&mut self, years: i32) {
        let shift = |d: Option<NaiveDate>| d.map(|d| crate::domain::dates::shift_years(d, years));
        self.draft.issued_on = shift(self.draft.issued_on);
        self.draft.valid_until = shift(self.draft.valid_until);
    }
}

/// Reads (in this process: trusted files and tests) and checks a certification list; the report holds
/// every error (and nothing is returned then).
pub fn parse_list(bytes: &[u8], limits: &Limits, report: &mut ImportReport) -> Vec<ListRow> {
    check_list(excel::read_tables(bytes, limits), report)
}

/// Checks a certification list read by `excel::read_tables`, here or in the parse sandbox.
pub fn check_list(
    read: Result<Vec<excel::Table>, excel::ReadError>,
    report: &mut ImportReport,
) -> Vec<ListRow> {
    let wanted = header::ListHeader {
        key: Field::Scheme,
        not_found: "認証一覧の見出し行が見つかりません（「法人番号」「種別」「番号」「有効期限」などの列名が並んだ行が必要です）",
        any_of: &[Field::CorporateNumber, Field::InvoiceNumber, Field::VendorCode],
        any_of_label: "法人番号（または 適格請求書発行事業者登録番号・業者番号）",
    };
    let (tables, layout) = match header::read_list(read, &wanted) {
        Ok(found) => found,
        Err(refusal) => {
            report.errors.push(refusal.error);
            report.ignored_columns = refusal.ignored;
            return Vec::new();
        }
    };
    report.ignored_columns = layout.ignored.clone();
    let table = &tables[layout.table_index];
    report.sheet = Some(table.name.clone());
    report.header_row = Some(layout.header_row);
    let mut rows = Vec::new();
    let mut seen: HashMap<(String, Scheme, String), u32> = HashMap::new();
    for row in table.rows.iter().skip(layout.header_position + 1) {
        if layout.columns.iter().all(|(i, _)| row.cell(*i).is_blank()) {
            continue;
        }
        match parse_row(row, &layout.columns) {
            Ok(parsed) => {
                let key = (
                    parsed.identity.primary().as_str().to_string(),
                    parsed.draft.scheme,
                    parsed.draft.number.clone(),
                );
                if let Some(first) = seen.get(&key) {
                    report.errors.push(RowError {
                        row: Some(row.number),
                        column: Field::Number.label().into(),
                        cell: cell_ref(&layout.columns, Field::Number, row.number),
                        message: format!(
                            "同じ事業者の{}（番号「{}」）が{first}行目と重複しています",
                            key.1.label(),
                            key.2
                        ),
                    });
                    continue;
                }
                seen.insert(key, row.number);
                rows.push(parsed);
            }
            Err(errors) => report.errors.extend(errors),
        }
    }
    if rows.is_empty() && report.errors.is_empty() {
        report
            .errors
            .push(file_error("認証一覧にデータ行がありません"));
    }
    rows
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
        errors.push(RowError {
            row: Some(row.number),
            column: field.label().into(),
            cell: cell_ref(columns, field, row.number),
            message,
        })
    };
    let identity = VendorIdentity::parse(
        Some(&text(Field::CorporateNumber)),
        Some(&text(Field::InvoiceNumber)),
        Some(&text(Field::VendorCode)),
    )
    .map_err(|problems| {
        for (name, message) in problems {
            let field = match name {
                "invoice_number" => Field::InvoiceNumber,
                "vendor_code" => Field::VendorCode,
                _ => Field::CorporateNumber,
            };
            error(field, message);
        }
    })
    .ok();
    let vendor_name = match text(Field::VendorName) {
        name if name.is_empty() => None,
        name => crate::domain::fields::vendor_name(&name)
            .map_err(|m| error(Field::VendorName, m))
            .ok(),
    };
    let mut date = |field: Field| match cell(field) {
        Some(c) if !c.is_blank() => c.as_date().map_err(|m| error(field, m)).ok(),
        _ => None,
    };
    let issued_on = date(Field::IssuedOn);
    let valid_until = date(Field::ValidUntil);
    let fields = CertificationFields {
        scheme: text(Field::Scheme),
        number: text(Field::Number),
        level: text(Field::Level),
        certification_body: text(Field::Body),
        scope: text(Field::Scope),
        issued_on,
        valid_until,
    };
    let draft = CertificationDraft::build(&fields)
        .map_err(|problems| {
            for (name, message) in problems {
                let field = match name {
                    "scheme" => Field::Scheme,
                    "number" => Field::Number,
                    "level" => Field::Level,
                    "scope" => Field::Scope,
                    "issued_on" => Field::IssuedOn,
                    "valid_until" => Field::ValidUntil,
                    _ => Field::Body,
                };
                // A date already reported as unreadable is not also reported as missing.
                let unreadable = matches!(field, Field::IssuedOn | Field::ValidUntil)
                    && cell(field).is_some_and(|c| !c.is_blank());
                if !unreadable {
                    error(field, message);
                }
            }
        })
        .ok();
    match (identity, draft) {
        (Some(identity), Some(draft)) if errors.is_empty() => Ok(ListRow {
            row: row.number,
            identity,
            vendor_name,
            draft,
        }),
        _ => Err(errors),
    }
}

/// Reads a certification list and writes it in one transaction: certifications match by vendor,
/// scheme and number; a vendor not yet registered is created when the row names it. With `dry_run`
/// the same writes run and are rolled back.
pub async fn import(
    db: &Db,
    settings: &Settings,
    sandbox: &crate::sandbox::Sandbox,
    actor: &Actor,
    rights: &VendorRights,
    bytes: &[u8],
    dry_run: bool,
) -> AppResult<ImportReport> {
    let mut report = ImportReport {
        dry_run,
        ..Default::default()
    };
    let limits = Limits::for_list(settings.upload_limit_bytes);
    let rows = check_list(sandbox.read_tables(bytes, &limits).await?, &mut report);
    if !report.errors.is_empty() {
        return Ok(report);
    }
    apply(db, actor, rights, &rows, report).await
}

/// Writes checked rows in one transaction (rolled back for a dry run or when a row fails).
/// Writes the list's rows: staff import it, so what it says is verified by them. An officer changes
/// only the certificates of vendors its departments work with (and may add new vendors).
pub async fn apply(
    db: &Db,
    actor: &Actor,
    rights: &VendorRights,
    rows: &[ListRow],
    mut report: ImportReport,
) -> AppResult<ImportReport> {
    if !rights.is_staff() {
        return Err(AppError::Forbidden);
    }
    let dry_run = report.dry_run;
    let entry = entry_by(rights, actor);
    let mut tx = db.begin().await?;
    let mut vendors = KnownVendors::default();
    for row in rows {
        let Some((vendor_id, vendor_name)) =
            vendor_of_row(&mut tx, actor, rights, row, &mut vendors, &mut report).await?
        else {
            continue;
        };
        let action = write_certification(
            &mut tx,
            actor,
            &entry,
            row,
            vendor_id,
            &vendor_name,
            &mut report,
        )
        .await?;
        report.rows.push(RowOutcome {
            row: row.row,
            identifier: row.identity.primary().as_str().to_string(),
            vendor_name,
            scheme: row.draft.scheme.label(),
            number: row.draft.number.clone(),
            action,
        });
    }
    if dry_run || !report.errors.is_empty() {
        tx.rollback().await?;
        if !report.errors.is_empty() {
            report.imported = 0;
            report.updated = 0;
            report.unchanged = 0;
            report.created_vendors = 0;
            report.rows.clear();
        }
    } else {
        tx.commit().await?;
    }
    Ok(report)
}

/// The vendors an import has met so far, and which of them it registered itself.
#[derive(Default)]
struct KnownVendors {
    ids: HashMap<String, (VendorId, String)>,
    created_here: std::collections::HashSet<VendorId>,
}

/// The vendor a row names, found, registered or remembered; `None` (with the error recorded) when it is
/// unknown without a name, its numbers clash, or the importer may not change its certificates.
async fn vendor_of_row(
    tx: &mut Conn,
    actor: &Actor,
    rights: &VendorRights,
    row: &ListRow,
    known: &mut KnownVendors,
    report: &mut ImportReport,
) -> AppResult<Option<(VendorId, String)>> {
    let identifier = row.identity.primary();
    let key = identifier.as_str().to_string();
    let vendor = match known.ids.get(&key) {
        Some(found) => Some(found.clone()),
        None => {
            let created_before = report.created_vendors;
            let found = match find_or_create_vendor(&mut *tx, actor, row, report).await? {
                Ok(found) => found,
                Err(message) => {
                    report.errors.push(RowError {
                        row: Some(row.row),
                        column: Field::CorporateNumber.label().into(),
                        cell: None,
                        message,
                    });
                    return Ok(None);
                }
            };
            if let Some(found) = &found {
                known.ids.insert(key.clone(), found.clone());
                if report.created_vendors > created_before {
                    known.created_here.insert(found.0);
                }
            }
            found
        }
    };
    let Some((vendor_id, vendor_name)) = vendor else {
        report.errors.push(RowError {
            row: Some(row.row),
            column: Field::CorporateNumber.label().into(),
            cell: None,
            message: format!(
                "{identifier} の事業者は登録されていません（「事業者名」列があれば新しく登録します）"
            ),
        });
        return Ok(None);
    };
    if !known.created_here.contains(&vendor_id) {
        match super::vendors::authorize(&mut *tx, rights, vendor_id).await {
            Ok(()) => {}
            Err(AppError::Forbidden) => {
                report.errors.push(RowError {
                    row: Some(row.row),
                    column: Field::CorporateNumber.label().into(),
                    cell: None,
                    message: format!(
                        "{vendor_name}の認証は変更できません（所管課の契約・入札がない事業者です）"
                    ),
                });
                return Ok(None);
            }
            Err(other) => return Err(other),
        }
    }
    Ok(Some((vendor_id, vendor_name)))
}

/// Registers the row's certificate, updates it, or leaves it when nothing changed; each change audited.
async fn write_certification(
    tx: &mut Conn,
    actor: &Actor,
    entry: &Entry,
    row: &ListRow,
    vendor_id: VendorId,
    vendor_name: &str,
    report: &mut ImportReport,
) -> AppResult<&'static str> {
    let existing =
        certifications::find_by_number(&mut *tx, vendor_id, row.draft.scheme, &row.draft.number)
            .await?;
    let label = format!(
        "{vendor_name} {} {}",
        row.draft.scheme.label(),
        row.draft.number
    );
    let action = match existing {
        Some(before) if before.draft() == row.draft && before.verification.counts() => {
            report.unchanged += 1;
            "unchanged"
        }
        Some(before) => {
            certifications::update(&mut *tx, before.id, &row.draft, None, entry).await?;
            audit::record(
                &mut *tx,
                actor,
                Event::new(
                    "import",
                    "certification",
                    before.id,
                    format!("認証更新 {label}（一覧取込）"),
                )
                .changes(
                    Some(json!({"values": before.draft(), "verification": before.verification})),
                    Some(json!({"values": row.draft, "verification": entry.verification()})),
                ),
            )
            .await?;
            report.updated += 1;
            "updated"
        }
        None => {
            let id = certifications::insert(&mut *tx, vendor_id, &row.draft, None, entry).await?;
            audit::record(
                &mut *tx,
                actor,
                Event::new(
                    "import",
                    "certification",
                    id,
                    format!("認証登録 {label}（一覧取込）"),
                )
                .changes(None, Some(json!(row.draft))),
            )
            .await?;
            report.imported += 1;
            "imported"
        }
    };
    Ok(action)
}

async fn find_or_create_vendor(
    conn: &mut Conn,
    actor: &Actor,
    row: &ListRow,
    report: &mut ImportReport,
) -> AppResult<Result<Option<(VendorId, String)>, String>> {
    match super::vendors::find_for_identity(conn, &row.identity).await? {
        Ok(Some(vendor)) => return Ok(Ok(Some((vendor.id, vendor.name)))),
        Ok(None) => {}
        Err(message) => return Ok(Err(message)),
    }
    let Some(name) = &row.vendor_name else {
        return Ok(Ok(None));
    };
    let (corporate_number, invoice_number, vendor_code) = row.identity.columns();
    let record = VendorRecord {
        corporate_number,
        invoice_number,
        vendor_code,
        name: name.as_str().to_string(),
        name_kana: String::new(),
        address: String::new(),
        representative: String::new(),
        contact_person: String::new(),
        phone: String::new(),
        email: String::new(),
    };
    let id = vendor_rows::insert(conn, &record).await?;
    audit::record(
        conn,
        actor,
        Event::new(
            "create",
            "vendor",
            id,
            format!("事業者登録 {}（認証一覧取込）", record.name),
        )
        .changes(None, Some(json!(record))),
    )
    .await?;
    report.created_vendors += 1;
    Ok(Ok(Some((id, record.name))))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = "取引先認証一覧（令和7年度）,,,,,,\n\
        法人番号,事業者名,種別,番号,区分,取得日,有効期限,適用範囲\n\
        7000012050002,株式会社いろは,ISMS,JQA-IM0685,,2024/4/1,R9.3.31,本社 情報システム部\n\
        7000012050002,株式会社いろは,Pマーク,第11820163号,,,2027-03-31,\n\
        7000012050002,株式会社いろは,セキュリティアクション,123-4567-8901,★★,令和6年5月1日,,\n";

    #[test]
    fn reads_a_list_with_a_title_row() {
        let mut report = ImportReport::default();
        let rows = parse_list(LIST.as_bytes(), &Limits::default(), &mut report);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.header_row, Some(2));
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].draft.scheme, Scheme::Isms);
        assert_eq!(
            rows[0].draft.valid_until,
            NaiveDate::from_ymd_opt(2027, 3, 31)
        );
        assert_eq!(rows[1].draft.number, "11820163");
        assert_eq!(rows[2].draft.number, "12345678901");
    }

    #[test]
    fn names_every_bad_cell() {
        let bad = LIST
            .replace("第11820163号", "ABC")
            .replace("R9.3.31", "いつか")
            .replace("★★", "★3");
        let mut report = ImportReport::default();
        parse_list(bad.as_bytes(), &Limits::default(), &mut report);
        let messages: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
        assert!(
            messages.iter().any(|m| m.starts_with("3行目 有効期限:")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.starts_with("4行目 番号:")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.starts_with("5行目 区分:")),
            "{messages:?}"
        );
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert_eq!(report.errors[0].cell.as_deref(), Some("G3"));
    }

    #[test]
    fn refuses_duplicates_and_lists_without_the_key_columns() {
        let doubled =
            format!("{LIST}7000012050002,株式会社いろは,ISMS,JQA-IM0685,,2024/4/1,R9.3.31,\n");
        let mut report = ImportReport::default();
        parse_list(doubled.as_bytes(), &Limits::default(), &mut report);
        assert!(
            report.errors[0].to_string().contains("3行目と重複"),
            "{:?}",
            report.errors
        );
        let mut report = ImportReport::default();
        parse_list(
            "種別,番号,有効期限\nISMS,X,2027-01-01\n".as_bytes(),
            &Limits::default(),
            &mut report,
        );
        assert!(report.errors[0].message.contains("法人番号"));
    }
}
