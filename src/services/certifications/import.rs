//! The checked list written in one transaction: each row's vendor found or registered, its
//! certification added or updated, nothing written when any row is wrong.

use super::list::{check_list, Field, ImportReport, ListRow, RowOutcome};
use super::records::entry_by;
use crate::auth::policy::VendorRights;
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::certifications::{self, Entry};
use crate::db::vendors::{self as vendor_rows, VendorRecord};
use crate::db::{Conn, Db};
use crate::domain::certification::{renewal, CertificationDraft, IsmsStandard, Renewal};
use crate::domain::ids::VendorId;
use crate::error::{AppError, AppResult};
use crate::excel::header::RowError;
use crate::excel::Limits;
use crate::services::audit::{self, Event};
use serde_json::json;
use std::collections::HashMap;

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
                    report.errors.push(RowError::in_column(
                        Field::CorporateNumber,
                        row.row,
                        message,
                    ));
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
        let message = format!(
            "{identifier} の事業者は登録されていません（「事業者名」列があれば新しく登録します）"
        );
        report.errors.push(RowError::in_column(
            Field::CorporateNumber,
            row.row,
            message,
        ));
        return Ok(None);
    };
    if !known.created_here.contains(&vendor_id) {
        match crate::services::vendors::authorize(&mut *tx, rights, vendor_id).await {
            Ok(()) => {}
            Err(AppError::Forbidden) => {
                report.errors.push(RowError::in_column(
                    Field::CorporateNumber,
                    row.row,
                    format!(
                        "{vendor_name}の認証は変更できません（所管課の契約・入札がない事業者です）"
                    ),
                ));
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
    let existing = certifications::find_same_registration(
        &mut *tx,
        vendor_id,
        row.draft.scheme,
        &row.draft.number,
    )
    .await?;
    let label = format!(
        "{vendor_name} {} {}",
        row.draft.scheme.label(),
        row.draft.number
    );
    // A renewal updates its predecessor; an older renewal than the stored one changes nothing.
    let draft = match &existing {
        Some(before) => match renewal(&row.draft, &before.draft()) {
            // A list without the 規格 column leaves the edition on record.
            Renewal::Supersedes(draft) if draft.standard == IsmsStandard::Unknown => {
                CertificationDraft {
                    standard: before.standard,
                    ..draft
                }
            }
            Renewal::Supersedes(draft) => draft,
            Renewal::Older => {
                report.unchanged += 1;
                return Ok("unchanged");
            }
        },
        None => row.draft.clone(),
    };
    let action = match existing {
        Some(before) if before.draft() == draft && before.verification.counts() => {
            report.unchanged += 1;
            "unchanged"
        }
        Some(before) => {
            certifications::update(&mut *tx, before.id, &draft, None, entry).await?;
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
                    Some(json!({"values": draft, "verification": entry.verification()})),
                ),
            )
            .await?;
            report.updated += 1;
            "updated"
        }
        None => {
            let id = certifications::insert(&mut *tx, vendor_id, &draft, None, entry).await?;
            audit::record(
                &mut *tx,
                actor,
                Event::new(
                    "import",
                    "certification",
                    id,
                    format!("認証登録 {label}（一覧取込）"),
                )
                .changes(None, Some(json!(draft))),
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
    match crate::services::vendors::find_for_identity(conn, &row.identity).await? {
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
