//! 是正: when a vendor answers いいえ or 一部 to a check-sheet item, the officer can require a corrective
//! action (what, by when). The vendor answers with a plan, then reports completion with evidence; the
//! officer accepts it on a day or returns it. A later check sheet answering the item はい closes it.
//! An action neither accepted nor closed by its due day is overdue like any other obligation.

use super::audit::{self, Event};
use super::evidence::{self, StoredFile, Upload};
use crate::auth::Actor;
use crate::db::checklists;
use crate::db::contracts::{self, Contract, Visibility};
use crate::db::corrective_actions::{self as actions, CorrectiveAction, NewAction};
use crate::db::{notifications, Conn, Db};
use crate::domain::ids::{ContractId, CorrectiveActionId};
use crate::domain::{parse_date, BoundedText};
use crate::error::{AppError, AppResult, FieldErrors};
use serde::Deserialize;
use serde_json::json;

/// What the officer requires for one item.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RequireInput {
    pub item_id: String,
    pub what: String,
    pub due_on: String,
}

/// The vendor's plan, or its completion report (with the evidence file).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AnswerInput {
    pub text: String,
}

/// The officer's decision on a completion report, as on any other proof.
pub use super::evidence::ReviewInput;

fn link(contract_id: ContractId) -> String {
    format!("/contracts/{contract_id}#corrective-actions")
}

/// Requires an action for an item that the contract's latest check sheet answered いいえ or 一部, of a
/// contract within `scope` (the officer's).
pub async fn require(
    db: &Db,
    actor: &Actor,
    scope: &Visibility,
    contract_id: ContractId,
    input: &RequireInput,
) -> AppResult<CorrectiveActionId> {
    let mut tx = db.begin().await?;
    let contract = contracts::find(&mut tx, scope, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(latest) = checklists::for_contract(&mut tx, contract_id)
        .await?
        .into_iter()
        .max_by_key(|s| s.version)
    else {
        let mut errors = FieldErrors::new();
        errors.add("item_id", "チェックシートがまだ提出されていません");
        return Err(AppError::Validation(errors));
    };
    let submission_id = latest.id;
    let mut errors = FieldErrors::new();
    let item_id = input.item_id.trim();
    let answered = checklists::answers(&mut tx, submission_id)
        .await?
        .into_iter()
        .find(|a| a.item_id == item_id);
    match answered {
        Some(a) if a.answer == "no" || a.answer == "partial" => {
            if actions::exists(&mut tx, submission_id, item_id).await? {
                errors.add("item_id", "この項目の是正はすでに求めています");
            }
        }
        Some(_) => errors.add(
            "item_id",
            "是正を求められるのは「いいえ」「一部」と回答した項目です",
        ),
        None => errors.add("item_id", "この版にない項目です"),
    }
    let what = errors.take(
        "what",
        BoundedText::<1000>::parse(&input.what, "是正の内容"),
    );
    let due_on = errors.take(
        "due_on",
        parse_date(&input.due_on).map_err(|e| format!("是正の期限: {}", e.0)),
    );
    let today = super::today();
    if due_on.is_some_and(|day| day < today) {
        errors.add("due_on", "是正の期限に過去の日付は指定できません");
    }
    errors.into_result()?;
    let (what, due_on) = (what.expect("checked"), due_on.expect("checked"));
    let id = actions::insert(
        &mut tx,
        &NewAction {
            contract_id: contract.id,
            submission_id,
            item_id,
            what: what.as_str(),
            due_on,
            required_on: today,
            required_by: &actor.label,
        },
    )
    .await?;
    let summary = format!(
        "是正の要求 {} 項目{item_id}（期限 {}）",
        contract.contract_number,
        crate::domain::wareki(due_on)
    );
    let after = json!({"submission_id": submission_id, "item_id": item_id, "what": what.as_str(), "due_on": due_on});
    let event =
        Event::new("create", "corrective_action", id, summary.clone()).changes(None, Some(after));
    announce(&mut tx, actor, &contract, Whom::Vendor, &summary, event).await?;
    tx.commit().await?;
    Ok(id)
}

/// Who hears of a step.
enum Whom {
    Vendor,
    Officers,
}

/// Tells the vendor or the contract's officers of a step, and records it in the audit log.
async fn announce(
    tx: &mut Conn,
    actor: &Actor,
    contract: &Contract,
    whom: Whom,
    summary: &str,
    event: Event<'_>,
) -> AppResult<()> {
    let link = link(contract.id);
    match whom {
        Whom::Vendor => {
            notifications::notify_vendor(tx, contract.vendor_id, summary, &link).await?
        }
        Whom::Officers => {
            notifications::notify_contract_officers(tx, contract.id, summary, &link).await?
        }
    }
    audit::record(tx, actor, event).await?;
    Ok(())
}

/// An action of a contract within `scope`, with the contract.
async fn owned(
    conn: &mut Conn,
    scope: &Visibility,
    id: CorrectiveActionId,
) -> AppResult<(CorrectiveAction, Contract)> {
    let action = actions::find(conn, id).await?.ok_or(AppError::NotFound)?;
    let contract = contracts::find(conn, scope, action.contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((action, contract))
}

fn still_open(action: &CorrectiveAction, errors: &mut FieldErrors) {
    if matches!(action.status.as_str(), "accepted" | "closed") {
        errors.add("text", "この是正は完了しています");
    }
}

/// The vendor's plan (or an officer's record of it) for an action of a contract within `scope`.
pub async fn plan(
    db: &Db,
    actor: &Actor,
    scope: &Visibility,
    id: CorrectiveActionId,
    input: &AnswerInput,
) -> AppResult<ContractId> {
    let mut tx = db.begin().await?;
    let (action, contract) = owned(&mut tx, scope, id).await?;
    let mut errors = FieldErrors::new();
    still_open(&action, &mut errors);
    let plan = errors.take(
        "text",
        BoundedText::<2000>::parse(&input.text, "是正の計画"),
    );
    errors.into_result()?;
    let plan = plan.expect("checked");
    actions::set_plan(&mut tx, id, plan.as_str(), super::today()).await?;
    let summary = format!(
        "是正の計画 {} 項目{}",
        contract.contract_number, action.item_id
    );
    let event = Event::new("update", "corrective_action", id, summary.clone()).changes(
        Some(json!({"status": action.status, "plan": action.plan})),
        Some(json!({"status": "planned", "plan": plan.as_str()})),
    );
    announce(&mut tx, actor, &contract, Whom::Officers, &summary, event).await?;
    tx.commit().await?;
    Ok(contract.id)
}

/// The vendor's report that the action is done, with its evidence file.
pub async fn report(
    db: &Db,
    actor: &Actor,
    scope: &Visibility,
    id: CorrectiveActionId,
    input: &AnswerInput,
    file: Option<&Upload>,
    upload_limit: usize,
) -> AppResult<ContractId> {
    let mut tx = db.begin().await?;
    let (action, contract) = owned(&mut tx, scope, id).await?;
    let mut errors = FieldErrors::new();
    still_open(&action, &mut errors);
    let report = errors.take(
        "text",
        BoundedText::<2000>::parse(&input.text, "是正の完了報告"),
    );
    match file {
        Some(upload) => evidence::check_upload(upload, "file", upload_limit, &mut errors),
        None => errors.add(
            "file",
            "是正の証跡（規程・記録・写真など）のファイルを添付してください",
        ),
    }
    errors.into_result()?;
    let (report, upload) = (report.expect("checked"), file.expect("checked"));
    let file_id = evidence::store(&mut tx, actor, upload).await?;
    actions::set_report(&mut tx, id, report.as_str(), file_id, super::today()).await?;
    let summary = format!(
        "是正の完了報告 {} 項目{}",
        contract.contract_number, action.item_id
    );
    let event = Event::new("upload", "corrective_action", id, summary.clone()).changes(
        Some(json!({"status": action.status})),
        Some(json!({"status": "reported", "report": report.as_str(), "file_id": file_id})),
    );
    announce(&mut tx, actor, &contract, Whom::Officers, &summary, event).await?;
    tx.commit().await?;
    Ok(contract.id)
}

/// Accepts a completion report on a day, or returns it with a reason.
pub async fn review(
    db: &Db,
    actor: &Actor,
    scope: &Visibility,
    id: CorrectiveActionId,
    input: &ReviewInput,
) -> AppResult<ContractId> {
    let mut tx = db.begin().await?;
    let (action, contract) = owned(&mut tx, scope, id).await?;
    if action.status != "reported" {
        let mut errors = FieldErrors::new();
        errors.add(
            "decision",
            "完了報告を受けていない是正は受理・差戻しできません",
        );
        return Err(AppError::Validation(errors));
    }
    let accepted_on = input.accepted_on(super::today())?;
    let comment = input.comment();
    actions::review(&mut tx, id, accepted_on, comment, &actor.label).await?;
    let verdict = if accepted_on.is_some() {
        "受理"
    } else {
        "差戻し"
    };
    let summary = format!(
        "是正の{verdict} {} 項目{}",
        contract.contract_number, action.item_id
    );
    let event = Event::new("review", "corrective_action", id, summary.clone()).changes(
        Some(json!({"status": action.status})),
        Some(
            json!({"status": if accepted_on.is_some() { "accepted" } else { "returned" },
                "accepted_on": accepted_on, "comment": comment}),
        ),
    );
    announce(&mut tx, actor, &contract, Whom::Vendor, &summary, event).await?;
    tx.commit().await?;
    Ok(contract.id)
}

/// The actions of a contract within `scope`.
pub async fn for_contract(
    db: &Db,
    scope: &Visibility,
    contract_id: ContractId,
) -> AppResult<Vec<CorrectiveAction>> {
    let mut conn = db.acquire().await?;
    contracts::find(&mut conn, scope, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(actions::for_contract(&mut conn, contract_id).await?)
}

/// The items the contract's latest check sheet answered いいえ or 一部, with the answer (`no`,
/// `partial`) and its note: those an action can be required for.
pub async fn gaps(
    db: &Db,
    scope: &Visibility,
    contract_id: ContractId,
) -> AppResult<Vec<checklists::StoredAnswer>> {
    let mut conn = db.acquire().await?;
    contracts::find(&mut conn, scope, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(latest) = checklists::for_contract(&mut conn, contract_id)
        .await?
        .into_iter()
        .max_by_key(|s| s.version)
    else {
        return Ok(Vec::new());
    };
    Ok(checklists::answers(&mut conn, latest.id)
        .await?
        .into_iter()
        .filter(|a| a.answer == "no" || a.answer == "partial")
        .collect())
}

/// The contract of an action within `scope`.
pub async fn contract_of(
    db: &Db,
    scope: &Visibility,
    id: CorrectiveActionId,
) -> AppResult<ContractId> {
    let (_, contract) = owned(&mut *db.acquire().await?, scope, id).await?;
    Ok(contract.id)
}

/// The evidence file of a completion report, for whoever may see the contract; the download is logged.
pub async fn file(
    db: &Db,
    actor: &Actor,
    scope: &Visibility,
    id: CorrectiveActionId,
) -> AppResult<StoredFile> {
    let mut conn = db.acquire().await?;
    let (action, _) = owned(&mut conn, scope, id).await?;
    let file = evidence::load(&mut conn, action.file_id.ok_or(AppError::NotFound)?).await?;
    drop(conn);
    audit::downloaded(
        db,
        actor,
        "corrective_action",
        id.get(),
        &file.name,
        &file.bytes,
    )
    .await?;
    Ok(file)
}
