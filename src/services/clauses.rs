//! 情報セキュリティ特約条項 on a contract: its clause set (a default per importance from the
//! catalogue in force, changed by the officer), the dated submissions the periodic clauses owe, the
//! vendor's submissions with their files, and the officer's review (受理 / 差戻し).

use super::audit::{self, Event};
use super::evidence::{self, ReviewInput, StoredFile, Upload};
use crate::auth::Actor;
use crate::checklist::clauses::{named, Catalogue, Clause};
use crate::config::Settings;
use crate::db::clauses::{self, ClauseObligation, ClauseSubmission, ContractClause};
use crate::db::contracts::{self, Contract, Visibility};
use crate::db::{notifications, Conn, Db};
use crate::domain::ids::{ClauseObligationId, ClauseSubmissionId, ContractId};
use crate::domain::BoundedText;
use crate::error::{AppError, AppResult, FieldErrors};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The clause every contract keeps: the guidelines require deletion at the end of any outsourcing.
pub const DELETION: &str = "deletion";

/// A clause set as the officer's form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ClauseSetInput {
    /// `itaku-clauses@2`; blank: the edition the contract has, or the one in force.
    pub catalogue: String,
    /// Clause ids or titles.
    pub clauses: Vec<String>,
}

/// A vendor's submission for an obligation (the file comes beside it).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SubmissionInput {
    pub note: String,
}

/// A clause of a contract with what it requires, in words.
#[derive(Debug, Clone, Serialize)]
pub struct BindingClause {
    #[serde(flatten)]
    pub clause: ContractClause,
    pub requires: String,
}

/// An obligation with its submissions, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct Owed {
    #[serde(flatten)]
    pub obligation: ClauseObligation,
    pub what: String,
    pub submissions: Vec<ClauseSubmission>,
}

/// A contract's clauses, and what they owe when.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseSet {
    /// `itaku-clauses@2`, when the contract has clauses.
    pub catalogue: Option<String>,
    /// 「情報セキュリティ特約条項（Itaku 標準）第2版」
    pub catalogue_label: String,
    pub clauses: Vec<BindingClause>,
    pub obligations: Vec<Owed>,
}

/// Clause ids or titles as a ledger cell or a form gives them, split on 、 , ，; and line breaks.
pub fn split_named(text: &str) -> Vec<&str> {
    text.split(['、', ',', '，', ';', '；', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The clauses `named` names in `catalogue`, in the catalogue's order with the deletion clause
/// always in; an unknown name is the error, quoted.
pub fn resolve<'a, S: AsRef<str>>(
    catalogue: &'a Catalogue,
    names: &[S],
) -> Result<Vec<&'a Clause>, String> {
    let mut chosen = Vec::new();
    for name in names {
        let name = name.as_ref();
        match catalogue.find(name) {
            Some(clause) => chosen.push(clause.id.as_str()),
            None => {
                return Err(format!(
                    "特約条項「{}」は{}にありません",
                    name.trim(),
                    catalogue.label()
                ))
            }
        }
    }
    Ok(catalogue
        .clauses
        .iter()
        .filter(|c| c.id == DELETION || chosen.contains(&c.id.as_str()))
        .collect())
}

/// Gives a new contract the default clauses of `catalogue` for its importance, in the same
/// transaction. A contract that had already ended when registered (a ledger of past years) gets
/// those that owe nothing dated: it was not signed with submissions it could still make.
pub async fn assign_defaults(
    conn: &mut Conn,
    catalogue: &Catalogue,
    contract_id: ContractId,
    draft: &crate::domain::ContractDraft,
) -> AppResult<()> {
    let important = draft.importance == crate::domain::Importance::Important;
    let ended = draft.period.end() < super::today();
    let chosen: Vec<&Clause> = catalogue
        .defaults_for(important)
        .into_iter()
        .filter(|c| !ended || !c.terms.periodic())
        .collect();
    clauses::set(conn, contract_id, &catalogue.id, catalogue.version, &chosen).await?;
    Ok(())
}

/// Gives a contract exactly `chosen` (with the deletion clause) of `catalogue`, in the same transaction.
pub async fn assign(
    conn: &mut Conn,
    catalogue: &Catalogue,
    contract_id: ContractId,
    chosen: &[&Clause],
) -> AppResult<()> {
    let mut all: Vec<&Clause> = chosen.to_vec();
    if !all.iter().any(|c| c.id == DELETION) {
        all.extend(catalogue.clause(DELETION));
    }
    clauses::set(conn, contract_id, &catalogue.id, catalogue.version, &all).await?;
    Ok(())
}

fn link(contract_id: ContractId) -> String {
    format!("/contracts/{contract_id}#clauses")
}

/// The catalogue edition a set is chosen from: the one asked for, else the contract's own, else the
/// one in force.
fn edition<'a>(
    all: &'a [Catalogue],
    asked: &str,
    current: Option<&ContractClause>,
    settings: &Settings,
) -> Result<&'a Catalogue, String> {
    let name = if !asked.trim().is_empty() {
        asked.trim().to_string()
    } else if let Some(c) = current {
        format!("{}@{}", c.catalogue, c.version)
    } else {
        settings.clause_catalogue.clone()
    };
    named(all, &name).ok_or_else(|| format!("特約条項の版「{name}」はありません"))
}

/// Changes the clauses of a contract within `scope` (the officer's); obligations follow at once.
pub async fn set(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    scope: &Visibility,
    contract_id: ContractId,
    input: &ClauseSetInput,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let contract = contracts::find(&mut tx, scope, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = clauses::for_contract(&mut tx, contract_id).await?;
    let all = settings.clause_catalogues().map_err(AppError::Internal)?;
    let mut errors = FieldErrors::new();
    let catalogue = errors.take(
        "catalogue",
        edition(&all, &input.catalogue, before.first(), settings),
    );
    let chosen = catalogue.and_then(|c| errors.take("clauses", resolve(c, &input.clauses)));
    errors.into_result()?;
    let (catalogue, chosen) = (catalogue.expect("checked"), chosen.expect("checked"));
    assign(&mut tx, catalogue, contract_id, &chosen).await?;
    let ids = |list: Vec<&str>| json!(list);
    let summary = format!(
        "特約条項の設定 {}（{}）",
        contract.contract_number,
        catalogue.label()
    );
    let event = Event::new("update", "contract_clauses", contract_id, summary).changes(
        Some(json!({
            "catalogue": before.first().map(|c| format!("{}@{}", c.catalogue, c.version)),
            "clauses": ids(before.iter().map(|c| c.clause_id.as_str()).collect()),
        })),
        Some(json!({
            "catalogue": catalogue.reference(),
            "clauses": ids(chosen.iter().map(|c| c.id.as_str()).collect()),
        })),
    );
    audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(())
}

/// The clauses of a contract within `scope`, and what they owe.
pub async fn for_contract(
    db: &Db,
    settings: &Settings,
    scope: &Visibility,
    contract_id: ContractId,
) -> AppResult<ClauseSet> {
    let mut conn = db.acquire().await?;
    contracts::find(&mut conn, scope, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let bound = clauses::for_contract(&mut conn, contract_id).await?;
    let mut submissions = clauses::submissions(&mut conn, contract_id).await?;
    let obligations = clauses::obligations(&mut conn, contract_id)
        .await?
        .into_iter()
        .map(|obligation| {
            let (mine, rest) = submissions
                .drain(..)
                .partition(|s| s.obligation_id == obligation.id);
            submissions = rest;
            Owed {
                what: obligation.what(),
                obligation,
                submissions: mine,
            }
        })
        .collect();
    let catalogue = bound
        .first()
        .map(|c| format!("{}@{}", c.catalogue, c.version));
    let all = settings.clause_catalogues().map_err(AppError::Internal)?;
    let catalogue_label = catalogue
        .as_deref()
        .and_then(|name| named(&all, name))
        .map_or_else(|| catalogue.clone().unwrap_or_default(), Catalogue::label);
    Ok(ClauseSet {
        catalogue,
        catalogue_label,
        clauses: bound
            .into_iter()
            .map(|clause| BindingClause {
                requires: clause.terms().describe(),
                clause,
            })
            .collect(),
        obligations,
    })
}

/// An obligation of a contract within `scope`, with the contract.
async fn owed(
    conn: &mut Conn,
    scope: &Visibility,
    id: ClauseObligationId,
) -> AppResult<(ClauseObligation, Contract)> {
    let obligation = clauses::find_obligation(conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let contract = contracts::find(conn, scope, obligation.contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((obligation, contract))
}

/// A submission of a contract within `scope`, with its obligation and contract.
async fn submitted(
    conn: &mut Conn,
    scope: &Visibility,
    id: ClauseSubmissionId,
) -> AppResult<(ClauseSubmission, ClauseObligation, Contract)> {
    let submission = clauses::find_submission(conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (obligation, contract) = owed(conn, scope, submission.obligation_id).await?;
    Ok((submission, obligation, contract))
}

/// The vendor's submission (or an officer's record of one received on paper) for an obligation of a
/// contract within `scope`, with its file.
pub async fn submit(
    db: &Db,
    actor: &Actor,
    scope: &Visibility,
    id: ClauseObligationId,
    input: &SubmissionInput,
    file: Option<&Upload>,
    upload_limit: usize,
) -> AppResult<ClauseSubmissionId> {
    let mut tx = db.begin().await?;
    let (obligation, contract) = owed(&mut tx, scope, id).await?;
    let mut errors = FieldErrors::new();
    if obligation.withdrawn {
        errors.add(
            "file",
            "契約の変更により、この提出物はもう求められていません",
        );
    }
    match obligation.status.as_str() {
        "accepted" => errors.add("file", "この提出物は受理済みです"),
        "submitted" => errors.add(
            "file",
            "提出済みで確認待ちです。差し戻されたら提出し直してください",
        ),
        _ => {}
    }
    let note = errors.take(
        "note",
        if input.note.trim().is_empty() {
            Ok(None)
        } else {
            BoundedText::<2000>::parse(&input.note, "備考").map(Some)
        },
    );
    match file {
        Some(upload) => evidence::check_upload(upload, "file", upload_limit, &mut errors),
        None => errors.add("file", "提出するファイルを添付してください"),
    }
    errors.into_result()?;
    let note = note.flatten();
    let note = note.as_ref().map_or("", |n| n.as_str());
    let file_id = evidence::store(&mut tx, actor, file.expect("checked")).await?;
    let submission = clauses::submit(&mut tx, id, note, file_id, &actor.label).await?;
    let summary = format!(
        "特約条項の提出 {} {}",
        contract.contract_number,
        obligation.what()
    );
    let event = Event::new("upload", "clause_submission", submission, summary.clone()).changes(
        None,
        Some(json!({"obligation_id": id, "file_id": file_id, "note": note})),
    );
    notifications::notify_contract_officers(&mut tx, contract.id, &summary, &link(contract.id))
        .await?;
    audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(submission)
}

/// Accepts a submission on a day, or returns it with a reason.
pub async fn review(
    db: &Db,
    actor: &Actor,
    scope: &Visibility,
    id: ClauseSubmissionId,
    input: &ReviewInput,
) -> AppResult<ContractId> {
    let mut tx = db.begin().await?;
    let (submission, obligation, contract) = submitted(&mut tx, scope, id).await?;
    if submission.status != "submitted" {
        let mut errors = FieldErrors::new();
        errors.add("decision", "この提出物はすでに確認済みです");
        return Err(AppError::Validation(errors));
    }
    let accepted_on = input.accepted_on(super::today())?;
    clauses::review(
        &mut tx,
        &submission,
        accepted_on,
        input.comment(),
        &actor.label,
    )
    .await?;
    let verdict = if accepted_on.is_some() {
        "受理"
    } else {
        "差戻し"
    };
    let summary = format!(
        "特約条項の提出物の{verdict} {} {}",
        contract.contract_number,
        obligation.what()
    );
    let event = Event::new("review", "clause_submission", id, summary.clone()).changes(
        Some(json!({"status": submission.status})),
        Some(
            json!({"status": if accepted_on.is_some() { "accepted" } else { "returned" },
            "accepted_on": accepted_on, "comment": input.comment()}),
        ),
    );
    notifications::notify_vendor(&mut tx, contract.vendor_id, &summary, &link(contract.id)).await?;
    audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(contract.id)
}

/// The contract of an obligation within `scope`.
pub async fn contract_of_obligation(
    db: &Db,
    scope: &Visibility,
    id: ClauseObligationId,
) -> AppResult<ContractId> {
    let (_, contract) = owed(&mut *db.acquire().await?, scope, id).await?;
    Ok(contract.id)
}

/// The contract of a submission within `scope`.
pub async fn contract_of_submission(
    db: &Db,
    scope: &Visibility,
    id: ClauseSubmissionId,
) -> AppResult<ContractId> {
    let (_, _, contract) = submitted(&mut *db.acquire().await?, scope, id).await?;
    Ok(contract.id)
}

/// A submission's file, for whoever may see the contract; the download is logged.
pub async fn file(
    db: &Db,
    actor: &Actor,
    scope: &Visibility,
    id: ClauseSubmissionId,
) -> AppResult<StoredFile> {
    let mut conn = db.acquire().await?;
    let (submission, _, _) = submitted(&mut conn, scope, id).await?;
    let file = evidence::load(&mut conn, submission.file_id).await?;
    drop(conn);
    audit::downloaded(
        db,
        actor,
        "clause_submission",
        id.get(),
        &file.name,
        &file.bytes,
    )
    .await?;
    Ok(file)
}

/// The editions a contract's clauses can be chosen from, and the clauses of each.
pub fn editions(settings: &Settings) -> AppResult<Vec<Catalogue>> {
    settings.clause_catalogues().map_err(AppError::Internal)
}
