//! What certificates, audit reports and deletion certificates share: the uploaded file (type checked
//! by content, size-limited, kept with its sha256) and the officer's decision to accept or return it.

use super::audit::{self, Event};
use crate::auth::Actor;
use crate::db::contracts::{self, Contract, Visibility};
use crate::db::files::{self, NewFile};
use crate::db::reviews::{self, Reviewed, ReviewedRow};
use crate::db::{Conn, Db};
use crate::domain::evidence_file::{sniff, stored_name};
use crate::domain::ids::{AuditReportId, ContractId, DeletionId, FileId};
use crate::domain::{parse_date, FiscalYear};
use crate::error::{AppError, AppResult, FieldErrors};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

/// A file as it arrived: the name the user gave it and its bytes.
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Checks an uploaded file before anything is written: within `limit`, and by its content a PDF,
/// an image or an Office document. The message names the field.
pub fn check_upload(upload: &Upload, field: &str, limit: usize, errors: &mut FieldErrors) {
    if upload.bytes.is_empty() {
        errors.add(field, "ファイルが空です");
    } else if upload.bytes.len() > limit {
        errors.add(field, AppError::too_large(limit).to_string());
    } else if sniff(&upload.bytes).is_none() {
        errors.add(
            field,
            format!(
                "「{}」は受け付けられない形式です。PDF、画像（PNG・JPEG・GIF・TIFF・WebP）、Word・Excel・PowerPoint のファイルを選んでください",
                upload.name
            ),
        );
    }
}

/// Stores a checked upload inside the caller's transaction and answers its id.
pub async fn store(conn: &mut Conn, actor: &Actor, upload: &Upload) -> AppResult<FileId> {
    let kind = sniff(&upload.bytes)
        .ok_or_else(|| AppError::Unprocessable("ファイルの形式を確認できません".into()))?;
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&upload.bytes));
    let name = stored_name(&upload.name, kind);
    Ok(files::insert(
        conn,
        &NewFile {
            file_name: &name,
            media_type: kind.media_type,
            sha256: &digest,
            content: &upload.bytes,
            uploaded_by: &actor.label,
        },
    )
    .await?)
}

/// A stored file, ready to be sent.
pub struct StoredFile {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

pub async fn load(conn: &mut Conn, file_id: FileId) -> AppResult<StoredFile> {
    let (name, media_type, bytes) = files::content(conn, file_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(StoredFile {
        name,
        media_type,
        bytes,
    })
}

/// An officer's decision as the review form or the API sends it: `decision` is `accept` (or
/// `approve`, as for check sheets) or `return`; `accepted_on` in any date form, default today.
#[derive(Debug, Clone, Deserialize)]
pub struct ReviewInput {
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub accepted_on: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

impl ReviewInput {
    /// The acceptance day when accepting (checked: a real date, never in the future; it may be before
    /// the upload, as for a paper certificate received in June and scanned in July), `None` when
    /// returning (which needs a reason).
    pub fn accepted_on(&self, today: NaiveDate) -> AppResult<Option<NaiveDate>> {
        let mut errors = FieldErrors::new();
        let day = match self.decision.trim() {
            "accept" | "approve" => {
                let day = match self.accepted_on.as_deref().map(str::trim) {
                    Some(text) if !text.is_empty() => errors.take(
                        "accepted_on",
                        parse_date(text).map_err(|e| format!("受理日: {}", e.0)),
                    ),
                    _ => Some(today),
                };
                if day.is_some_and(|d| d > today) {
                    errors.add("accepted_on", "受理日に未来の日付は指定できません");
                }
                day
            }
            "return" => {
                if self.comment().is_empty() {
                    errors.add("comment", "差戻しの理由を記入してください");
                }
                None
            }
            _ => {
                errors.add("decision", "受理か差戻しを選んでください");
                None
            }
        };
        errors.into_result()?;
        Ok(day)
    }

    pub fn comment(&self) -> &str {
        self.comment.as_deref().unwrap_or("").trim()
    }
}

/// A proof that staff review: an audit report or a deletion certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    AuditReport(AuditReportId),
    Deletion(DeletionId),
}

impl Proof {
    fn table(self) -> Reviewed {
        match self {
            Proof::AuditReport(_) => Reviewed::AuditReports,
            Proof::Deletion(_) => Reviewed::DeletionCertificates,
        }
    }

    fn row_id(self) -> i64 {
        match self {
            Proof::AuditReport(id) => id.get(),
            Proof::Deletion(id) => id.get(),
        }
    }
}

/// The contract a reviewed record belongs to, when `visibility` includes it.
async fn owner(
    conn: &mut Conn,
    visibility: &Visibility,
    proof: Proof,
) -> AppResult<(ReviewedRow, Contract)> {
    let (table, id) = (proof.table(), proof.row_id());
    let record = reviews::find(conn, table, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let contract = contracts::find(conn, visibility, record.contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((record, contract))
}

/// The id of the contract a report or certificate belongs to, when the reader may see it.
pub async fn contract_of(db: &Db, visibility: &Visibility, proof: Proof) -> AppResult<ContractId> {
    let (_, contract) = owner(&mut *db.acquire().await?, visibility, proof).await?;
    Ok(contract.id)
}

/// The file of a report or certificate, for those who may see its contract.
pub async fn file(
    db: &Db,
    actor: &Actor,
    visibility: &Visibility,
    proof: Proof,
) -> AppResult<StoredFile> {
    let (table, id) = (proof.table(), proof.row_id());
    let mut conn = db.acquire().await?;
    let (record, _) = owner(&mut conn, visibility, proof).await?;
    let file = load(&mut conn, record.file_id.ok_or(AppError::NotFound)?).await?;
    drop(conn);
    let entity = match table {
        Reviewed::AuditReports => "audit_report",
        Reviewed::DeletionCertificates => "deletion_certificate",
    };
    audit::downloaded(db, actor, entity, id, &file.name, &file.bytes).await?;
    Ok(file)
}

/// Accepts or returns a report or certificate of a contract within `scope` (what the reviewer may
/// edit); a record outside it is 404 before anything about the input is said. Answers the contract's id.
pub async fn review(
    db: &Db,
    actor: &Actor,
    scope: &Visibility,
    proof: Proof,
    input: &ReviewInput,
) -> AppResult<ContractId> {
    let (table, id) = (proof.table(), proof.row_id());
    let mut tx = db.begin().await?;
    let (record, contract) = owner(&mut tx, scope, proof).await?;
    let accepted_on = input.accepted_on(super::today())?;
    let comment = input.comment();
    reviews::decide(&mut tx, table, id, accepted_on, &actor.label, comment).await?;
    let (label, entity, subject) = match table {
        Reviewed::AuditReports => (
            "audit_report",
            "監査報告書",
            format!(
                "{} {}",
                contract.contract_number,
                FiscalYear::new(record.fiscal_year as i32)
                    .map(FiscalYear::label)
                    .unwrap_or_default()
            ),
        ),
        Reviewed::DeletionCertificates => (
            "deletion_certificate",
            "データ消去証明書",
            contract.contract_number.clone(),
        ),
    };
    let verb = if accepted_on.is_some() {
        "受理"
    } else {
        "差戻し"
    };
    let after = json!({
        "status": if accepted_on.is_some() { "accepted" } else { "returned" },
        "accepted_on": accepted_on.map(|d| d.to_string()),
        "comment": comment,
    });
    let summary = format!("{entity}{verb} {subject}");
    crate::db::notifications::notify_vendor(
        &mut tx,
        contract.vendor_id,
        &summary,
        &format!("/contracts/{}", contract.id),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("review", label, id, summary)
            .changes(Some(json!({"status": record.status})), Some(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(contract.id)
}
