//! 契約台帳の取込: reads the contract ledger a municipality already keeps in Excel or CSV.
//! Columns are found by header name in any order; every row is validated before anything is written,
//! and the whole import is one transaction, so a ledger with one bad row writes nothing.

mod columns;
mod read;
pub mod subcontracting;

use crate::auth::policy::EditScope;
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::contracts::{self as contract_rows, Contract};
use crate::db::vendors::{self as vendor_rows, VendorRecord};
use crate::db::{departments, ledger_uploads, Conn, Db, Tx};
use crate::domain::ids::{DepartmentId, VendorId};
use crate::domain::Timestamp;
use crate::domain::{ContractDraft, Importance};
use crate::error::AppResult;
pub use crate::excel::header::RowError;
use crate::excel::Limits;
use crate::sandbox::Sandbox;
use crate::services::audit;
use crate::services::audit::Event;
use crate::services::clauses;
use chrono::NaiveDate;
pub use columns::Field;
pub use read::{
    parse, parse_read, read_rows, LedgerRow, ParsedLedger, Refusal, SkippedRow, VendorDetails,
};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

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
    /// Every field as the contract will hold it, for the preview to show what was read.
    pub department: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub important: bool,
    pub handles_personal_data: bool,
    pub personal_records: Option<i64>,
    pub uses_cloud: bool,
    pub subcontracting_allowed: bool,
    pub deletion_days: i64,
    /// 契約金額 as people read it (`1,234,000円`).
    pub amount: Option<String>,
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
    /// Subcontractors written from the sheet 再委託先.
    pub subcontractors: usize,
    pub errors: Vec<RowError>,
    pub warnings: Vec<String>,
    pub ignored_columns: Vec<String>,
    /// Totals and notes under the table, left out.
    pub skipped: Vec<SkippedRow>,
    pub sheet: Option<String>,
    pub header_row: Option<u32>,
    pub rows: Vec<RowOutcome>,
}

impl RowOutcome {
    fn of(row: &LedgerRow, draft: &ContractDraft, action: Action) -> Self {
        RowOutcome {
            row: row.row,
            contract_number: row.contract_number.as_str().to_string(),
            title: row.title.as_str().to_string(),
            vendor_name: row.vendor_name.as_str().to_string(),
            action,
            department: row.department.as_str().to_string(),
            start_date: draft.period.start(),
            end_date: draft.period.end(),
            important: draft.importance == Importance::Important,
            handles_personal_data: draft.handles_personal_data,
            personal_records: draft.personal_records,
            uses_cloud: draft.uses_cloud,
            subcontracting_allowed: draft.subcontracting_allowed,
            deletion_days: draft.deletion_days,
            amount: draft.amount.map(|yen| yen.to_string()),
        }
    }
}

impl ImportReport {
    /// A row whose contract was unchanged but whose clauses changed counts as updated.
    fn count_changed_clauses(&mut self, action: Action, clauses_changed: bool) -> Action {
        if action != Action::Unchanged || !clauses_changed {
            return action;
        }
        self.unchanged -= 1;
        self.updated += 1;
        Action::Updated
    }

    pub fn accepted(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn refused(refusal: Refusal, dry_run: bool) -> Self {
        ImportReport {
            dry_run,
            errors: refusal.errors,
            warnings: refusal.warnings,
            ignored_columns: refusal.ignored_columns,
            skipped: refusal.skipped,
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
    let limits = Limits::for_list(settings.upload_limit_bytes);
    match read_rows(sandbox.read_tables(bytes, &limits).await?) {
        Ok(ledger) => apply(db, actor, scope, &ledger, settings, dry_run, progress).await,
        Err(refusal) => Ok(ImportReport::refused(refusal, dry_run)),
    }
}

/// Writes a parsed ledger in one transaction: departments by name, vendors by 法人番号, contracts by 契約番号.
/// The rows are checked against the actor's departments even when the file has errors of its own, so
/// every error is reported in one pass; with any error, nothing is kept.
pub async fn apply(
    db: &Db,
    actor: &Actor,
    scope: &EditScope,
    ledger: &ParsedLedger,
    settings: &Settings,
    dry_run: bool,
    progress: Progress<'_>,
) -> Result<ImportReport, crate::error::AppError> {
    let default_deletion_days = settings.default_deletion_days;
    let (catalogues, in_force) = (settings.clause_catalogues(), settings.clause_catalogue());
    let clauses = ClauseCatalogues {
        all: &catalogues.map_err(crate::error::AppError::Internal)?,
        in_force: &in_force.map_err(crate::error::AppError::Internal)?,
    };
    let mut report = ImportReport {
        dry_run,
        errors: ledger.errors.clone(),
        warnings: ledger.warnings.clone(),
        ignored_columns: ledger.ignored_columns.clone(),
        skipped: ledger.skipped.clone(),
        sheet: Some(ledger.sheet.clone()),
        header_row: Some(ledger.header_row),
        ..Default::default()
    };
    let mut tx = db.begin().await?;
    let mut department_ids: HashMap<String, DepartmentId> = HashMap::new();
    let mut vendor_ids: HashMap<String, VendorId> = HashMap::new();
    let total = ledger.rows.len();
    for (done, row) in ledger.rows.iter().enumerate() {
        let Some(department_id) =
            department_for(&mut tx, actor, scope, row, &mut department_ids, &mut report).await?
        else {
            continue;
        };
        if !scope.may_use_department(department_id) {
            report.errors.push(scope_error(
                row,
                Field::Department,
                "担当していない所管課の契約は取り込めません",
            ));
            continue;
        }
        let Some(vendor_id) = vendor_for(&mut tx, actor, row, &mut vendor_ids, &mut report).await?
        else {
            continue;
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
        let existed = existing.is_some();
        let action = write_contract(&mut tx, actor, row, &draft, existing, &mut report).await?;
        let clauses_changed = clauses
            .write(&mut tx, actor, row, &draft, existed, &mut report)
            .await?;
        let star_changed = write_star(&mut tx, actor, row).await?;
        let action = report.count_changed_clauses(action, clauses_changed || star_changed);
        report.rows.push(RowOutcome::of(row, &draft, action));
        progress(done + 1, total);
    }
    if !ledger.subcontractors.is_empty() {
        let mut contracts = HashMap::new();
        for row in &ledger.subcontractors {
            if let Some(contract) =
                contract_rows::find_by_number(&mut tx, &row.contract_number).await?
            {
                contracts.insert(row.contract_number.clone(), contract.id);
            }
        }
        let (written, errors) =
            subcontracting::write(&mut tx, actor, &ledger.subcontractors, &contracts).await?;
        report.subcontractors = written;
        report.errors.extend(errors);
    }
    finish(tx, actor, &mut report, dry_run).await?;
    Ok(report)
}

/// The row's department, from the cache, the registry, or newly registered when the scope allows it;
/// `None` (with the error recorded) when the row may not be filed under it.
async fn department_for(
    tx: &mut Conn,
    actor: &Actor,
    scope: &EditScope,
    row: &LedgerRow,
    department_ids: &mut HashMap<String, DepartmentId>,
    report: &mut ImportReport,
) -> AppResult<Option<DepartmentId>> {
    let id = match department_ids.get(row.department.as_str()) {
        Some(id) => *id,
        None => {
            let id = match departments::find_by_name(&mut *tx, row.department.as_str()).await? {
                Some(department) => department.id,
                None if scope.may_create_departments() => {
                    report.created_departments += 1;
                    let id = departments::insert(&mut *tx, row.department.as_str()).await?;
                    let summary = format!("所管課登録 {}（台帳取込）", row.department.as_str());
                    audit::record(
                        &mut *tx,
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
                    return Ok(None);
                }
            };
            department_ids.insert(row.department.as_str().to_string(), id);
            id
        }
    };
    Ok(Some(id))
}

/// The row's vendor, from the cache or found or registered by its number; `None` (with the error
/// recorded) when its number clashes.
async fn vendor_for(
    tx: &mut Conn,
    actor: &Actor,
    row: &LedgerRow,
    vendor_ids: &mut HashMap<String, VendorId>,
    report: &mut ImportReport,
) -> AppResult<Option<VendorId>> {
    let key = row.identity.primary().to_string();
    let vendor_id = match vendor_ids.get(&key) {
        Some(id) => *id,
        None => match upsert_vendor(&mut *tx, actor, row, report).await? {
            Ok(id) => {
                vendor_ids.insert(key, id);
                id
            }
            Err(message) => {
                report.errors.push(RowError::in_column(
                    Field::CorporateNumber,
                    row.row,
                    message,
                ));
                return Ok(None);
            }
        },
    };
    Ok(Some(vendor_id))
}

/// Inserts the contract, updates it, or leaves it when nothing changed; each change is audited.
async fn write_contract(
    tx: &mut Conn,
    actor: &Actor,
    row: &LedgerRow,
    draft: &ContractDraft,
    existing: Option<Contract>,
    report: &mut ImportReport,
) -> AppResult<Action> {
    let action = match existing {
        None => {
            let id = contract_rows::insert(&mut *tx, draft).await?;
            let summary = format!("契約登録 {}（台帳取込）", row.contract_number.as_str());
            audit::record(
                &mut *tx,
                actor,
                Event::new("create", "contract", id, summary).changes(None, Some(draft.to_json())),
            )
            .await?;
            report.imported += 1;
            Action::Imported
        }
        Some(contract) if contract.draft() == *draft => {
            report.unchanged += 1;
            Action::Unchanged
        }
        Some(contract) => {
            contract_rows::update(&mut *tx, contract.id, draft).await?;
            let summary = format!("契約変更 {}（台帳取込）", row.contract_number.as_str());
            let before = Some(contract.draft().to_json());
            audit::record(
                &mut *tx,
                actor,
                Event::new("update", "contract", contract.id, summary)
                    .changes(before, Some(draft.to_json())),
            )
            .await?;
            report.updated += 1;
            Action::Updated
        }
    };
    Ok(action)
}

/// Commits a clean import (audited as one), or rolls back a dry run or one with errors, keeping none of
/// its counts.
async fn finish(
    mut tx: Tx,
    actor: &Actor,
    report: &mut ImportReport,
    dry_run: bool,
) -> AppResult<()> {
    if dry_run || !report.errors.is_empty() {
        tx.rollback().await?;
        report.errors.sort_by_key(|e| e.row);
        if !report.errors.is_empty() {
            report.rows.clear();
            (report.imported, report.updated, report.unchanged) = (0, 0, 0);
            (report.created_departments, report.created_vendors) = (0, 0);
            report.subcontractors = 0;
        }
    } else {
        let summary = format!(
            "契約台帳の取込: 新規 {} 件、更新 {} 件、変更なし {} 件、再委託先 {} 社",
            report.imported, report.updated, report.unchanged, report.subcontractors
        );
        audit::record(&mut tx, actor, Event::new("import", "ledger", "", summary)).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The clause catalogues a ledger's 特約条項 column is read against.
struct ClauseCatalogues<'a> {
    all: &'a [crate::checklist::clauses::Catalogue],
    in_force: &'a crate::checklist::clauses::Catalogue,
}

impl ClauseCatalogues<'_> {
    /// Gives a new contract the clauses its row names (or the defaults for its importance), and an
    /// existing one those its row names when they differ from what it has; whether anything changed.
    async fn write(
        &self,
        tx: &mut Conn,
        actor: &Actor,
        row: &LedgerRow,
        draft: &ContractDraft,
        existed: bool,
        report: &mut ImportReport,
    ) -> AppResult<bool> {
        let Some(contract) =
            contract_rows::find_by_number(&mut *tx, draft.contract_number.as_str()).await?
        else {
            return Ok(false);
        };
        let current = crate::db::clauses::for_contract(&mut *tx, contract.id).await?;
        let catalogue = current
            .first()
            .and_then(|c| {
                crate::checklist::clauses::named(
                    self.all,
                    &format!("{}@{}", c.catalogue, c.version),
                )
            })
            .unwrap_or(self.in_force);
        let Some(text) = &row.clauses else {
            if !existed {
                clauses::assign_defaults(&mut *tx, catalogue, contract.id, draft).await?;
            }
            return Ok(false);
        };
        let names = clauses::split_named(text);
        let chosen = match clauses::resolve(catalogue, &names) {
            Ok(chosen) => chosen,
            Err(message) => {
                report
                    .errors
                    .push(scope_error(row, Field::Clauses, &message));
                return Ok(false);
            }
        };
        let same = current.len() == chosen.len()
            && current
                .iter()
                .zip(&chosen)
                .all(|(a, b)| a.clause_id == b.id);
        if same && existed {
            return Ok(false);
        }
        clauses::assign(&mut *tx, catalogue, contract.id, &chosen).await?;
        if existed {
            let ids: Vec<&str> = chosen.iter().map(|c| c.id.as_str()).collect();
            let summary = format!(
                "特約条項の設定 {}（台帳取込）",
                draft.contract_number.as_str()
            );
            audit::record(
                &mut *tx,
                actor,
                Event::new("update", "contract_clauses", contract.id, summary).changes(
                    None,
                    Some(serde_json::json!({"catalogue": catalogue.reference(), "clauses": ids})),
                ),
            )
            .await?;
        }
        Ok(existed)
    }
}

fn scope_error(row: &LedgerRow, field: Field, message: &str) -> RowError {
    let cell = match field {
        Field::Department => row.department_cell.clone(),
        Field::ContractNumber => row.number_cell.clone(),
        Field::Clauses => row.clauses_cell.clone(),
        _ => None,
    };
    RowError {
        row: Some(row.row),
        column: field.label().into(),
        cell,
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
    let cutoff = Timestamp::now() - chrono::Duration::hours(STAGED_FOR_HOURS);
    let mut conn = db.acquire().await?;
    ledger_uploads::delete_older_than(&mut conn, cutoff).await?;
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

/// Finds the vendor by its 法人番号, 登録番号 or 業者番号, creating it or filling in what the ledger says
/// about it (an identifier it lacks among them); a row whose identifiers name two vendors is an error.
async fn upsert_vendor(
    conn: &mut Conn,
    actor: &Actor,
    row: &LedgerRow,
    report: &mut ImportReport,
) -> crate::error::AppResult<Result<VendorId, String>> {
    let existing = match crate::services::vendors::find_for_identity(conn, &row.identity).await? {
        Ok(existing) => existing,
        Err(message) => return Ok(Err(message)),
    };
    let identity = match &existing {
        Some(vendor) => crate::services::vendors::with_added(&vendor.identity(), &row.identity),
        None => row.identity.clone(),
    };
    let (corporate_number, invoice_number, vendor_code) = identity.columns();
    let current = existing
        .as_ref()
        .map(|v| v.record())
        .unwrap_or_else(|| VendorRecord {
            corporate_number: corporate_number.clone(),
            invoice_number: invoice_number.clone(),
            vendor_code: vendor_code.clone(),
            name: String::new(),
            name_kana: String::new(),
            address: String::new(),
            representative: String::new(),
            contact_person: String::new(),
            phone: String::new(),
            email: String::new(),
        });
    let details = &row.vendor;
    let merge = |given: &Option<String>, current: &str| {
        given.clone().unwrap_or_else(|| current.to_string())
    };
    let record = VendorRecord {
        corporate_number,
        invoice_number,
        vendor_code,
        name: row.vendor_name.as_str().to_string(),
        name_kana: merge(&details.kana, &current.name_kana),
        address: merge(&details.address, &current.address),
        representative: current.representative.clone(),
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
            Ok(Ok(id))
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
            Ok(Ok(vendor.id))
        }
    }
}

/// The contract the row describes; columns the ledger lacks keep the registered values.
fn draft_for(
    row: &LedgerRow,
    department_id: DepartmentId,
    vendor_id: VendorId,
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
        amount: row.amount.or(existing.and_then(Contract::amount)),
        notes: row
            .notes
            .clone()
            .or(existing.map(|c| c.notes.clone()))
            .unwrap_or_default(),
    }
}

/// Records the row's ★ conditions on its contract, when the ledger gives them; whether they changed.
async fn write_star(tx: &mut Conn, actor: &Actor, row: &LedgerRow) -> AppResult<bool> {
    let Some(conditions) = row.star else {
        return Ok(false);
    };
    let Some(contract) =
        contract_rows::find_by_number(&mut *tx, row.contract_number.as_str()).await?
    else {
        return Ok(false);
    };
    crate::services::star_level::record(
        tx,
        actor,
        contract.id,
        row.contract_number.as_str(),
        conditions,
    )
    .await
}
