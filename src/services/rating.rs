//! Rating a tender's bidders: the facts gathered from the records (certificates, accepted audit reports,
//! the check sheet, deletion deadlines), rated under the tender's policy version; finalizing freezes the
//! facts, the policy text and the result, so the same numbers and explanations are shown ever after.

use super::audit::{self, Event};
use super::audit_reports::kind_label;
use super::japan_date_of;
use super::tenders::editable;
use crate::auth::policy::EditScope;
use crate::auth::Actor;
use crate::checklist::{Answer, Definition};
use crate::config::Settings;
use crate::db::contracts::Visibility;
use crate::db::policies;
use crate::db::tenders::{self, Bidder, NewTender, Tender};
use crate::db::{audit_reports, certifications, checklists, deletions, Conn, Db};
use crate::domain::dates::shift_years;
use crate::domain::ids::{TenderId, VendorId};
use crate::domain::FiscalYear;
use crate::domain::VendorIdentifier;
use crate::error::{AppError, AppResult};
use crate::excel::checksheet::ItemAnswer;
use crate::rating::facts::{
    AnswerFact, AuditFact, BidderFacts, CertificateFact, ChecklistFact, CorrectiveFact,
    DeletionFact, IncidentFact, SuspensionFact, TenderFacts,
};
use crate::rating::{rate, Policy, Rating};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Everything a rating was computed from; kept whole when a tender is finalized.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub policy_reference: String,
    /// The policy file exactly as it was used.
    pub policy_source: String,
    pub tender: TenderFacts,
    pub bidders: Vec<BidderFacts>,
}

/// A tender's rating as shown: live while open, frozen once finalized.
pub struct RatingView {
    pub tender: Tender,
    pub policy: Policy,
    pub rating: Rating,
    pub frozen: bool,
}

/// How far back records are read; the policy's windows (years, fiscal years) are limited below this.
const LOOKBACK_YEARS: i32 = 20;

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn answer_facts(
    definition: &Definition,
    answers: impl Iterator<Item = (String, Answer)>,
) -> Vec<AnswerFact> {
    answers
        .map(|(item_id, answer)| {
            let item = definition.item(&item_id);
            AnswerFact {
                category: item.map_or(String::new(), |i| i.category.clone()),
                mandatory: item.is_some_and(|i| i.mandatory),
                item_id,
                answer,
            }
        })
        .collect()
}

fn day_of(timestamp: &str) -> String {
    japan_date_of(timestamp).map_or_else(|| timestamp.to_string(), crate::domain::wareki)
}

/// The sheet handed in for this tender, else the vendor's latest approved sheet on any contract.
async fn checklist_fact(
    conn: &mut Conn,
    definition: &Definition,
    bidder: &Bidder,
) -> AppResult<Option<ChecklistFact>> {
    if let Some(sheet) = tenders::latest_sheet(conn, bidder.id).await? {
        let answers: Vec<ItemAnswer> =
            serde_json::from_str(&sheet.answers).map_err(|e| AppError::Internal(e.to_string()))?;
        return Ok(Some(ChecklistFact {
            source: format!(
                "入札時提出 第{}版（{}、{}提出）",
                sheet.version,
                sheet.file_name,
                day_of(&sheet.uploaded_at)
            ),
            definition_id: sheet.definition_id,
            answers: answer_facts(definition, answers.into_iter().map(|a| (a.id, a.answer))),
        }));
    }
    let Some((submission, contract_number)) =
        checklists::latest_approved_for_vendor(conn, bidder.vendor_id).await?
    else {
        return Ok(None);
    };
    let answers = checklists::answers(conn, submission.id).await?;
    Ok(Some(ChecklistFact {
        source: format!(
            "契約 {contract_number} の承認済みチェックシート 第{}版（{}承認）",
            submission.version,
            submission
                .reviewed_at
                .as_deref()
                .map(day_of)
                .unwrap_or_default()
        ),
        definition_id: submission.definition_id,
        answers: answer_facts(
            definition,
            answers
                .into_iter()
                .filter_map(|a| Answer::from_code(&a.answer).map(|answer| (a.item_id, answer))),
        ),
    }))
}

async fn bidder_facts(
    conn: &mut Conn,
    definition: &Definition,
    day: NaiveDate,
    bidder: &Bidder,
) -> AppResult<BidderFacts> {
    let certificates = certifications::for_vendor(conn, bidder.vendor_id)
        .await?
        .into_iter()
        .map(|c| CertificateFact {
            scheme: c.scheme,
            level: c.level,
            number: c.number,
            certification_body: c.certification_body,
            scope: c.scope,
            issued_on: c.issued_on,
            valid_until: c.valid_until,
            verified: c.verification.counts(),
        })
        .collect();
    let first_year = FiscalYear::of(day).start_year() - LOOKBACK_YEARS;
    let audit_reports = audit_reports::accepted_for_vendor(conn, bidder.vendor_id, first_year, day)
        .await?
        .into_iter()
        .filter_map(|r| {
            Some(AuditFact {
                accepted_on: date(&r.accepted_on)?,
                kind_label: kind_label(&r.kind).to_string(),
                contract_number: r.contract_number,
                fiscal_year: r.fiscal_year as i32,
                kind: r.kind,
                auditor: r.auditor,
            })
        })
        .collect();
    let deletions = deletions::deadlines_for_vendor(
        conn,
        bidder.vendor_id,
        shift_years(day, -LOOKBACK_YEARS),
        day,
    )
    .await?
    .into_iter()
    .filter_map(|(contract_number, deadline, accepted_on)| {
        Some(DeletionFact {
            contract_number,
            deadline: date(&deadline)?,
            accepted_on: accepted_on.as_deref().and_then(date),
        })
    })
    .collect();
    let corrective = crate::db::corrective_actions::for_vendor(conn, bidder.vendor_id)
        .await?
        .into_iter()
        .filter_map(
            |(contract_number, item_id, due_on, accepted_on, closed_on)| {
                let done = [accepted_on, closed_on]
                    .into_iter()
                    .flatten()
                    .filter_map(|d| date(&d))
                    .min();
                Some(CorrectiveFact {
                    contract_number,
                    item_id,
                    due_on: date(&due_on)?,
                    done_on: done,
                })
            },
        )
        .collect();
    let (suspensions, incidents) = conduct_facts(conn, bidder.vendor_id, day).await?;
    Ok(BidderFacts {
        suspensions,
        incidents,
        identifier: bidder.identifier.clone(),
        name: bidder.name.clone(),
        isms_scope_confirmed: bidder.isms_scope_confirmed,
        certificates,
        audit_reports,
        checklist: checklist_fact(conn, definition, bidder).await?,
        deletions,
        corrective,
    })
}

/// The bidder's suspensions from bidding, and its incidents reported by the end of `day`.
async fn conduct_facts(
    conn: &mut Conn,
    vendor_id: VendorId,
    day: NaiveDate,
) -> AppResult<(Vec<SuspensionFact>, Vec<IncidentFact>)> {
    let suspensions = crate::db::suspensions::for_vendor(conn, vendor_id)
        .await?
        .into_iter()
        .map(|s| SuspensionFact {
            starts_on: s.starts_on,
            ends_on: s.ends_on,
            reason: s.reason,
            document_number: s.document_number,
        })
        .collect();
    let incidents = crate::db::incidents::reported_by(
        conn,
        &crate::db::contracts::Visibility::Vendor(vendor_id),
        crate::domain::incident::end_of_day(day),
    )
    .await?
    .into_iter()
    .map(|i| IncidentFact {
        contract_number: i.contract_number,
        aware_on: crate::domain::time::japan_day_of(&i.aware_at.to_string()).unwrap_or(day),
        reported_by_vendor: i.reported_by_vendor,
        on_time: i.on_time,
        minutes_late: i.minutes_late,
    })
    .collect();
    Ok((suspensions, incidents))
}

/// Reads what the records say today about every bidder of the tender.
async fn snapshot(conn: &mut Conn, settings: &Settings, tender: &Tender) -> AppResult<Snapshot> {
    let stored = policies::find(conn, tender.policy_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let definition = settings.definition();
    let mut bidders = Vec::new();
    for bidder in tenders::bidders(conn, tender.id).await? {
        bidders.push(bidder_facts(conn, &definition, tender.evaluation_date, &bidder).await?);
    }
    Ok(Snapshot {
        policy_reference: stored.reference(),
        policy_source: stored.source,
        tender: TenderFacts {
            evaluation_date: tender.evaluation_date,
            uses_cloud: tender.uses_cloud,
            handles_personal_data: tender.handles_personal_data,
            amount: tender.amount(),
        },
        bidders,
    })
}

fn policy_of(snapshot: &Snapshot) -> AppResult<Policy> {
    Policy::parse(&snapshot.policy_source)
        .map_err(|e| AppError::Internal(format!("stored policy: {e}")))
}

fn internal(error: serde_json::Error) -> AppError {
    AppError::Internal(error.to_string())
}

/// The rating of a tender `visibility` may see: frozen when finalized, computed now otherwise.
pub async fn current(
    db: &Db,
    settings: &Settings,
    visibility: &Visibility,
    id: TenderId,
) -> AppResult<RatingView> {
    let mut conn = db.acquire().await?;
    let tender = tenders::find(&mut conn, visibility, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some((facts, rating)) = tenders::frozen(&mut conn, id).await? {
        let snapshot: Snapshot = serde_json::from_str(&facts).map_err(internal)?;
        return Ok(RatingView {
            policy: policy_of(&snapshot)?,
            rating: serde_json::from_str(&rating).map_err(internal)?,
            tender,
            frozen: true,
        });
    }
    let snapshot = snapshot(&mut conn, settings, &tender).await?;
    let policy = policy_of(&snapshot)?;
    let rating = rate(&policy, &snapshot.tender, &snapshot.bidders);
    Ok(RatingView {
        tender,
        policy,
        rating,
        frozen: false,
    })
}

/// Rates the tender and freezes it with the facts and the policy it used, in one transaction.
pub async fn finalize(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    scope: &EditScope,
    id: TenderId,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let tender = editable(&mut tx, scope, id).await?;
    if tender.bidder_count == 0 {
        return Err(AppError::Unprocessable(
            "入札者のいない案件は確定できません".into(),
        ));
    }
    let snapshot = snapshot(&mut tx, settings, &tender).await?;
    let policy = policy_of(&snapshot)?;
    let rating = rate(&policy, &snapshot.tender, &snapshot.bidders);
    let facts = serde_json::to_string(&snapshot).map_err(internal)?;
    let result = serde_json::to_string(&rating).map_err(internal)?;
    if !tenders::finalize(&mut tx, id, &actor.label, &facts, &result).await? {
        return Err(AppError::Unprocessable(
            "この案件は既に確定しています".into(),
        ));
    }
    let totals: Vec<_> = rating
        .bidders
        .iter()
        .map(|b| json!({"identifier": b.identifier, "kind": VendorIdentifier::of_stored(&b.identifier).kind(), "points": b.points, "disqualified": b.disqualified}))
        .collect();
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "finalize",
            "tender",
            id,
            format!("評価確定 {}（{}）", tender.title, rating.policy),
        )
        .changes(
            None,
            Some(json!({"policy": rating.policy, "bidders": totals})),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Starts a new evaluation from a tender: same title, department, dates, policy version and bidders
/// (with their scope confirmations and latest check sheets), open for rating again.
pub async fn copy(db: &Db, actor: &Actor, scope: &EditScope, id: TenderId) -> AppResult<TenderId> {
    let mut tx = db.begin().await?;
    let tender = tenders::find(&mut tx, &scope.contracts, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !super::tenders::in_scope(scope, &tender) {
        return Err(AppError::Forbidden);
    }
    let title = format!("{}（再評価）", tender.title.trim_end_matches("（再評価）"));
    let new_id = tenders::insert(
        &mut tx,
        &NewTender {
            title: &title,
            department_id: tender.department_id,
            evaluation_date: tender.evaluation_date,
            policy_id: tender.policy_id,
            uses_cloud: tender.uses_cloud,
            handles_personal_data: tender.handles_personal_data,
            amount: tender.amount(),
            copied_from: Some(id),
            created_by: &actor.label,
        },
    )
    .await?;
    for bidder in tenders::bidders(&mut tx, id).await? {
        let bidder_id = tenders::add_bidder(
            &mut tx,
            new_id,
            bidder.vendor_id,
            bidder.isms_scope_confirmed,
        )
        .await?;
        if let Some(sheet) = tenders::latest_sheet(&mut tx, bidder.id).await? {
            let content = tenders::sheet_content(&mut tx, sheet.id)
                .await?
                .unwrap_or_default();
            tenders::insert_sheet(
                &mut tx,
                &tenders::NewBidSheet {
                    bidder_id,
                    definition_id: &sheet.definition_id,
                    file_name: &sheet.file_name,
                    content: &content,
                    sha256: &sheet.sha256,
                    answers: &sheet.answers,
                    uploader: &sheet.uploader,
                },
            )
            .await?;
        }
    }
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "create",
            "tender",
            new_id,
            format!("案件複製 {} → {title}", tender.title),
        )
        .changes(None, Some(json!({"copied_from": id}))),
    )
    .await?;
    tx.commit().await?;
    Ok(new_id)
}

/// The rating as the API and `itaku rate --json` answer it.
pub fn to_json(view: &RatingView) -> serde_json::Value {
    let tender = &view.tender;
    json!({
        "tender": {
            "id": tender.id,
            "title": tender.title,
            "department": tender.department_name,
            "evaluation_date": tender.evaluation_date,
            "uses_cloud": tender.uses_cloud,
            "handles_personal_data": tender.handles_personal_data,
            "status": tender.status,
            "finalized_at": tender.finalized_at,
            "finalized_by": tender.finalized_by,
        },
        "policy": view.rating.policy,
        "policy_title": view.rating.policy_title,
        "finalized": view.frozen,
        "bidders": view.rating.bidders,
    })
}

/// The 評価表 workbook for the committee.
/// The 評価表 workbook of a rating, recorded in the audit log as it leaves the system.
pub async fn export_evaluation(db: &Db, actor: &Actor, view: &RatingView) -> AppResult<Vec<u8>> {
    let bytes = evaluation_sheet(view)?;
    let name = format!("evaluation-{}.xlsx", view.tender.id);
    super::audit::downloaded(db, actor, "tender", view.tender.id, &name, &bytes).await?;
    Ok(bytes)
}

pub fn evaluation_sheet(view: &RatingView) -> AppResult<Vec<u8>> {
    crate::excel::evaluation::workbook(&crate::excel::evaluation::Sheet {
        title: &view.tender.title,
        department: view.tender.department_name.as_deref().unwrap_or(""),
        finalized_at: view.tender.finalized_at.as_deref().filter(|_| view.frozen),
        policy: &view.policy,
        rating: &view.rating,
    })
    .map_err(|e| AppError::Internal(e.to_string()))
}
