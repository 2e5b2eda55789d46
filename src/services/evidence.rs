//! What certificates, audit reports and deletion certificates share: the uploaded file (type checked
//! by content, size-limited, kept with its sha256) and the officer's decision to accept or return it.

use super::audit::{self, Event};
use crate::auth::Actor;
use crate::db::files::{self, NewFile};
use crate::db::reviews::{self, Reviewed};
use crate::db::Conn;
use crate::domain::evidence_file::{sniff, stored_name};
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
pub async fn store(conn: &mut Conn, actor: &Actor, upload: &Upload) -> AppResult<i64> {
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

pub async fn load(conn: &mut Conn, file_id: i64) -> AppResult<StoredFile> {
    let (name, media_type, bytes) = files::content(conn, file_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(StoredFile {
        name,
        media_type,
        bytes,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Accept,
    Return,
}

/// An officer's decision on a submitted report or certificate.
#[derive(Debug, Clone)]
pub struct Decision {
    pub verdict: Verdict,
    /// The day the proof was received and accepted (default today; never in the future). It may be
    /// before the upload: a paper certificate received in June and scanned in July was accepted in June.
    pub accepted_on: Option<NaiveDate>,
    pub comment: String,
}

impl Decision {
    /// The acceptance day, checked; a return needs a reason.
    fn accepted_on(&self, today: NaiveDate) -> AppResult<Option<NaiveDate>> {
        let mut errors = FieldErrors::new();
        let day = match self.verdict {
            Verdict::Return => {
                if self.comment.trim().is_empty() {
                    errors.add("comment", "差戻しの理由を記入してください");
                }
                None
            }
            Verdict::Accept => {
                let day = self.accepted_on.unwrap_or(today);
                if day > today {
                    errors.add("accepted_on", "受理日に未来の日付は指定できません");
                }
                Some(day)
            }
        };
        errors.into_result()?;
        Ok(day)
    }
}

/// What is being decided on, for the record and the audit log.
pub struct Reviewing<'a> {
    pub table: Reviewed,
    pub id: i64,
    pub status: &'a str,
    /// 監査報告書 第3号（契約 R7-001 令和7年度）…
    pub summary: String,
}

/// Records the decision and its audit entry inside the caller's transaction.
pub async fn decide(
    conn: &mut Conn,
    actor: &Actor,
    reviewing: Reviewing<'_>,
    decision: &Decision,
    today: NaiveDate,
) -> AppResult<()> {
    let accepted_on = decision.accepted_on(today)?;
    let comment = decision.comment.trim();
    reviews::decide(
        conn,
        reviewing.table,
        reviewing.id,
        accepted_on,
        &actor.label,
        comment,
    )
    .await?;
    let (label, entity) = match reviewing.table {
        Reviewed::AuditReports => ("audit_report", "監査報告書"),
        Reviewed::DeletionCertificates => ("deletion_certificate", "データ消去証明書"),
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
    audit::record(
        conn,
        actor,
        Event::new(
            "review",
            label,
            reviewing.id,
            format!("{entity}{verb} {}", reviewing.summary),
        )
        .changes(Some(json!({"status": reviewing.status})), Some(after)),
    )
    .await?;
    Ok(())
}
