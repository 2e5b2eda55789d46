//! Check-sheet submissions: a vendor uploads the filled workbook for its own contract (each upload a new
//! version, the original kept), an officer approves or returns it with comments, and anyone who may see
//! the contract sees the summary and what changed since the previous version.

use super::audit::{self, Event};
use crate::auth::policy::EditScope;
use crate::auth::Actor;
use crate::checklist::{Answer, Definition};
use crate::config::Settings;
use crate::db::checklists::{self, NewSubmission, StoredAnswer, Submission};
use crate::db::contracts::{self, Contract, Visibility};
use crate::db::notifications;
use crate::db::vendors::{self, Vendor};
use crate::db::Db;
use crate::domain::ids::{ContractId, CorrectiveActionId, SubmissionId};
use crate::domain::text::company_key;
use crate::domain::VendorIdentifier;
use crate::error::{AppError, AppResult};
use crate::excel::checksheet::{self, CheckResult, SheetError};
use crate::excel::Limits;
use crate::sandbox::Sandbox;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

pub enum Submitted<Id = SubmissionId> {
    Accepted {
        submission_id: Id,
        version: i64,
        result: CheckResult,
    },
    Refused(CheckResult),
}

/// Reads an uploaded check sheet for a contract the uploader may see and stores it as the next version;
/// a sheet that would be refused, or whose 法人番号 is another company's, stores nothing.
#[allow(clippy::too_many_arguments)]
pub async fn submit(
    db: &Db,
    actor: &Actor,
    visibility: &Visibility,
    contract_id: ContractId,
    file_name: &str,
    bytes: &[u8],
    settings: &Settings,
    sandbox: &Sandbox,
) -> AppResult<Submitted> {
    let contract = contracts::find(&mut *db.acquire().await?, visibility, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let definition = settings.definition();
    let vendor = vendors::find(&mut *db.acquire().await?, contract.vendor_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let result = read_for_vendor(sandbox, settings, &definition, bytes, &vendor).await?;
    if !result.accepted {
        return Ok(Submitted::Refused(result));
    }
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
    let respondent = &result.respondent;
    let mut tx = db.begin().await?;
    let new = NewSubmission {
        contract_id,
        definition_id: &definition.id,
        file_name,
        content: bytes,
        sha256: &digest,
        uploaded_by: actor.user_id,
        uploader: &actor.label,
        vendor_name: respondent.vendor_name.as_deref().unwrap_or(""),
        respondent_identifier: respondent.identifier.as_deref().unwrap_or(""),
        filled_on: respondent.filled_on.as_deref(),
        filled_by: respondent.filled_by.as_deref().unwrap_or(""),
    };
    let (submission_id, version) = checklists::insert(&mut tx, &new).await?;
    let answers: Vec<(&str, &str, &str, &str)> = result
        .answers
        .iter()
        .map(|a| {
            (
                a.id.as_str(),
                a.answer.code(),
                a.note.as_str(),
                a.cell.as_str(),
            )
        })
        .collect();
    checklists::insert_answers(&mut tx, submission_id, &answers).await?;
    let (closing, closed_ids) =
        close_corrective_actions(&mut tx, contract_id, submission_id, &result).await?;
    let summary = format!(
        "チェックシート提出 {} 第{version}版（{file_name}）{closing}",
        contract.contract_number
    );
    let after = json!({"sha256": digest, "size": bytes.len(), "answer_count": result.answers.len(),
        "closed_corrective_actions": closed_ids});
    notifications::notify_contract_officers(
        &mut tx,
        contract_id,
        &summary,
        &format!("/checklists/{submission_id}"),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("upload", "checklist", submission_id, summary).changes(None, Some(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(Submitted::Accepted {
        submission_id,
        version,
        result,
    })
}

/// Closes the contract's corrective actions whose items this version answers はい; what the submission's
/// summary adds to say so, and the actions closed.
async fn close_corrective_actions(
    tx: &mut crate::db::Conn,
    contract_id: ContractId,
    submission_id: SubmissionId,
    result: &CheckResult,
) -> AppResult<(String, Vec<CorrectiveActionId>)> {
    let now_yes: Vec<&str> = result
        .answers
        .iter()
        .filter(|a| a.answer == Answer::Yes)
        .map(|a| a.id.as_str())
        .collect();
    let closed = crate::db::corrective_actions::close_answered(
        tx,
        contract_id,
        &now_yes,
        submission_id,
        super::today(),
    )
    .await?;
    if closed.is_empty() {
        return Ok((String::new(), Vec::new()));
    }
    let items: Vec<&str> = closed.iter().map(|(_, item)| item.as_str()).collect();
    Ok((
        format!(
            "。項目{}が「はい」になったため是正を完了としました",
            items.join("・")
        ),
        closed.into_iter().map(|(id, _)| id).collect(),
    ))
}

/// Reads a filled check sheet in the parse sandbox and checks it against `definition`.
pub async fn read(
    sandbox: &Sandbox,
    settings: &Settings,
    definition: &Definition,
    bytes: &[u8],
) -> AppResult<CheckResult> {
    let limits = Limits::for_check_sheet(settings.upload_limit_bytes);
    Ok(match sandbox.read_tables(bytes, &limits).await? {
        Ok(tables) => checksheet::from_tables(&tables, definition),
        Err(error) => CheckResult::refused(definition, error.to_string()),
    })
}

/// Derives a definition (with id `id`) from a blank workbook of a new edition, read in the parse sandbox.
pub async fn learn(
    sandbox: &Sandbox,
    settings: &Settings,
    bytes: &[u8],
    id: &str,
) -> AppResult<Result<Definition, String>> {
    let limits = Limits::for_check_sheet(settings.upload_limit_bytes);
    Ok(match sandbox.read_tables(bytes, &limits).await? {
        Ok(tables) => checksheet::learn_from_tables(&tables, &Definition::builtin(), id),
        Err(error) => Err(error.to_string()),
    })
}

/// Reads a check sheet filled by `vendor` in the parse sandbox: refused when it would be refused anyway,
/// or when its 回答者欄 names another company.
pub async fn read_for_vendor(
    sandbox: &Sandbox,
    settings: &Settings,
    definition: &Definition,
    bytes: &[u8],
    vendor: &Vendor,
) -> AppResult<CheckResult> {
    let mut result = read(sandbox, settings, definition, bytes).await?;
    if !result.accepted && result.sheet.is_none() {
        return Ok(result);
    }
    let name = &vendor.name;
    let own = vendor.identifier();
    // The 法人番号 (or a sole proprietor's 登録番号 or 業者番号) says whose answers these are: it must be
    // there and be this vendor's. (A sheet with the box left empty and another company's name was once
    // accepted.)
    let written = result
        .respondent
        .identifier
        .as_deref()
        .map(VendorIdentifier::of_stored);
    let refusal = match written {
        None => Some(format!(
            "回答者欄の法人番号が記入されていません（{name}の{own} を記入してください）"
        )),
        Some(written) if !vendor.identity().is_named_by(&written) => Some(format!(
            "回答者欄の{written}が事業者（{name} {own}）と一致しません"
        )),
        Some(_) => None,
    };
    if let Some(message) = refusal {
        result.errors.push(SheetError {
            cell: None,
            item: None,
            message,
        });
        result.accepted = false;
    } else if let Some(written) = &result.respondent.vendor_name {
        if company_key(written) != company_key(name) {
            result.warnings.push(format!(
                "回答者欄の事業者名「{written}」が登録されている事業者名「{name}」と異なります（{}は一致しています。社名の変更などがあれば事業者の登録を更新してください）", own.kind()
            ));
        }
    }
    Ok(result)
}

/// The versions of a contract's check sheet, newest first.
pub async fn for_contract(
    db: &Db,
    visibility: &Visibility,
    contract_id: ContractId,
) -> AppResult<Vec<Submission>> {
    let mut conn = db.acquire().await?;
    contracts::find(&mut conn, visibility, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(checklists::for_contract(&mut conn, contract_id).await?)
}

/// One line of a submission as a reviewer reads it.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerLine {
    pub id: String,
    pub category: String,
    pub requirement: String,
    pub mandatory: bool,
    pub answer: String,
    pub answer_label: &'static str,
    pub note: String,
    pub cell: String,
    pub review_comment: String,
    /// The previous version's answer when it differed.
    pub previous: Option<&'static str>,
    /// The reviewer's comment on the same item in the previous version, carried forward while this
    /// version has none of its own.
    pub previous_comment: Option<String>,
}

impl AnswerLine {
    /// いいえ or 一部: an answer a reviewer looks at first.
    pub fn is_concern(&self) -> bool {
        matches!(self.answer.as_str(), "no" | "partial")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SubmissionView {
    pub submission: Submission,
    pub contract_number: String,
    pub contract_title: String,
    /// Counts of はい / いいえ / 一部 / 該当なし.
    pub counts: Vec<(&'static str, usize)>,
    /// Mandatory items first when answered いいえ, then the rest in definition order.
    pub lines: Vec<AnswerLine>,
    pub previous_version: Option<i64>,
    /// Items whose answer differs from the previous version's.
    pub changed: usize,
    /// Items answered いいえ or 一部.
    pub concerns: usize,
}

fn answer_of(code: &str) -> Option<Answer> {
    Answer::CHOICES.into_iter().find(|a| a.code() == code)
}

pub async fn view(
    db: &Db,
    settings: &Settings,
    visibility: &Visibility,
    submission_id: SubmissionId,
) -> AppResult<(SubmissionView, Contract)> {
    let mut conn = db.acquire().await?;
    let submission = checklists::find(&mut conn, submission_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let contract = contracts::find(&mut conn, visibility, submission.contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let answers = checklists::answers(&mut conn, submission_id).await?;
    let previous =
        checklists::previous(&mut conn, submission.contract_id, submission.version).await?;
    let previous_answers: HashMap<String, StoredAnswer> = match &previous {
        Some(p) => checklists::answers(&mut conn, p.id)
            .await?
            .into_iter()
            .map(|a| (a.item_id.clone(), a))
            .collect(),
        None => HashMap::new(),
    };
    let definition = Definition::resolve(
        Some(&submission.definition_id),
        std::path::Path::new(&settings.checklists_dir),
    )
    .unwrap_or_else(|_| settings.definition());
    let by_id: HashMap<&str, &StoredAnswer> =
        answers.iter().map(|a| (a.item_id.as_str(), a)).collect();
    let mut lines: Vec<AnswerLine> = definition
        .items
        .iter()
        .filter_map(|item| {
            let stored = by_id.get(item.id.as_str())?;
            let label = answer_of(&stored.answer).map(Answer::label).unwrap_or("");
            let before = previous_answers.get(&item.id);
            let previous = before
                .filter(|p| p.answer != stored.answer)
                .map(|p| answer_of(&p.answer).map(Answer::label).unwrap_or(""));
            let previous_comment = before
                .map(|p| p.review_comment.trim().to_string())
                .filter(|c| !c.is_empty() && stored.review_comment.trim().is_empty());
            Some(AnswerLine {
                id: item.id.clone(),
                category: item.category.clone(),
                requirement: item.requirement.clone(),
                mandatory: item.mandatory,
                answer: stored.answer.clone(),
                answer_label: label,
                note: stored.note.clone(),
                cell: stored.cell.clone(),
                review_comment: stored.review_comment.clone(),
                previous,
                previous_comment,
            })
        })
        .collect();
    lines.sort_by_key(|line| !(line.mandatory && line.answer == "no"));
    let counts = Answer::CHOICES
        .iter()
        .map(|a| {
            (
                a.label(),
                answers.iter().filter(|s| s.answer == a.code()).count(),
            )
        })
        .collect();
    let changed = lines.iter().filter(|l| l.previous.is_some()).count();
    let concerns = lines.iter().filter(|l| l.is_concern()).count();
    let view = SubmissionView {
        contract_number: contract.contract_number.clone(),
        contract_title: contract.title.clone(),
        previous_version: previous.map(|p| p.version),
        submission,
        counts,
        lines,
        changed,
        concerns,
    };
    Ok((view, contract))
}

/// The uploaded file, for those who may see its contract.
pub async fn file(
    db: &Db,
    actor: &Actor,
    visibility: &Visibility,
    submission_id: SubmissionId,
) -> AppResult<(String, Vec<u8>)> {
    let (name, bytes) = original(db, visibility, submission_id).await?;
    audit::downloaded(db, actor, "checklist", submission_id, &name, &bytes).await?;
    Ok((name, bytes))
}

async fn original(
    db: &Db,
    visibility: &Visibility,
    submission_id: SubmissionId,
) -> AppResult<(String, Vec<u8>)> {
    let mut conn = db.acquire().await?;
    let submission = checklists::find(&mut conn, submission_id)
        .await?
        .ok_or(AppError::NotFound)?;
    contracts::find(&mut conn, visibility, submission.contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    checklists::file(&mut conn, submission_id)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approve,
    Return,
}

/// Approves or returns a submission of a contract the reviewer may edit, with an overall comment and
/// comments per item; a return needs a reason.
pub async fn review(
    db: &Db,
    actor: &Actor,
    scope: &EditScope,
    submission_id: SubmissionId,
    decision: Decision,
    comment: &str,
    item_comments: &HashMap<String, String>,
) -> AppResult<()> {
    let comment = comment.trim();
    let has_item_comment = item_comments.values().any(|c| !c.trim().is_empty());
    if decision == Decision::Return && comment.is_empty() && !has_item_comment {
        let mut errors = crate::error::FieldErrors::new();
        errors.add(
            "comment",
            "差戻しの理由を全体または項目ごとに記入してください",
        );
        return Err(AppError::Validation(errors));
    }
    let mut tx = db.begin().await?;
    let submission = checklists::find(&mut tx, submission_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let contract = contracts::find(&mut tx, &scope.contracts, submission.contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = match decision {
        Decision::Approve => "approved",
        Decision::Return => "returned",
    };
    checklists::review(&mut tx, submission_id, status, &actor.label, comment).await?;
    for (item_id, text) in item_comments {
        checklists::comment_item(&mut tx, submission_id, item_id, text.trim()).await?;
    }
    let label = if decision == Decision::Approve {
        "承認"
    } else {
        "差戻し"
    };
    let summary = format!(
        "チェックシート{label} {} 第{}版",
        contract.contract_number, submission.version
    );
    notifications::notify_vendor(
        &mut tx,
        contract.vendor_id,
        &summary,
        &format!("/checklists/{submission_id}"),
    )
    .await?;
    let before = json!({"status": submission.status});
    let after = json!({"status": status, "comment": comment, "items": item_comments});
    audit::record(
        &mut tx,
        actor,
        Event::new("review", "checklist", submission_id, summary)
            .changes(Some(before), Some(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One submission's answers as .xlsx; the export is logged.
pub async fn export_submission(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    visibility: &Visibility,
    submission_id: SubmissionId,
) -> AppResult<Vec<u8>> {
    let (view, contract) = view(db, settings, visibility, submission_id).await?;
    let definition = settings.definition();
    let lines: Vec<_> = view
        .lines
        .iter()
        .filter_map(|line| {
            let item = definition.item(&line.id)?;
            Some((
                item,
                crate::excel::writer::AnswerCell {
                    answer: &line.answer,
                    label: line.answer_label,
                },
                line.note.as_str(),
                line.review_comment.as_str(),
            ))
        })
        .collect();
    let title = format!(
        "{} {} チェックシート 第{}版（{}）",
        contract.contract_number, contract.title, view.submission.version, contract.vendor_name
    );
    let bytes = crate::excel::writer::submission_answers(&title, &lines)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let summary = format!(
        "チェックシート出力 {} 第{}版",
        contract.contract_number, view.submission.version
    );
    audit::record_alone(
        db,
        actor,
        Event::new("export", "checklist", submission_id, summary),
    )
    .await?;
    Ok(bytes)
}

/// Every visible vendor's latest answers side by side (a row per vendor); the export is logged.
/// Answers are read a batch of vendors at a time and written straight to the workbook's sheet.
pub async fn export_matrix(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    visibility: &Visibility,
) -> AppResult<Vec<u8>> {
    const BATCH: usize = 500;
    let internal = |e: crate::excel::writer::XlsxError| AppError::Internal(e.to_string());
    let mut conn = db.acquire().await?;
    let latest = checklists::latest_per_vendor(&mut conn, visibility).await?;
    let definition = settings.definition();
    let mut matrix =
        crate::excel::writer::AnswerMatrix::new(&definition.items).map_err(internal)?;
    for batch in latest.chunks(BATCH) {
        let ids: Vec<SubmissionId> = batch.iter().map(|row| row.submission_id).collect();
        let mut answers: HashMap<SubmissionId, HashMap<String, String>> = HashMap::new();
        for (submission, item, answer) in checklists::answers_of(&mut conn, &ids).await? {
            answers.entry(submission).or_default().insert(item, answer);
        }
        for row in batch {
            let given = answers.get(&row.submission_id);
            let lookup = |item: &str| {
                let code = given?.get(item)?;
                Some((
                    code.clone(),
                    answer_of(code).map(Answer::label).unwrap_or(""),
                ))
            };
            matrix
                .add_vendor(&row.vendor_name, &row.contract_number, row.version, lookup)
                .map_err(internal)?;
        }
    }
    drop(conn);
    let bytes = tokio::task::spawn_blocking(move || matrix.finish())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(internal)?;
    let summary = format!("チェックシート回答一覧を出力（{}社）", latest.len());
    audit::record_alone(db, actor, Event::new("export", "checklist", "", summary)).await?;
    Ok(bytes)
}
