//! Incidents at contractors: the vendor reports one against its contract (the report's time is the
//! server's receipt time) or staff record one they learnt of elsewhere; it is judged against the
//! contract's reporting clause (`incident-report`, one hour by default) and the contract's officers
//! and every CISO hear of it at once, in their inboxes and by e-mail (never in a digest). Follow-ups
//! (続報, 最終報告) and the municipality's notes form its timeline.

use super::audit::{self, Event};
use super::input::{flag, text_or_number};
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::contracts::{self, Contract, Visibility};
use crate::db::incidents::{self, Incident, IncidentUpdate, NewIncident};
use crate::db::outbox::{self, NewMessage};
use crate::db::{clauses, notifications, Conn, Db};
use crate::domain::ids::{ContractId, IncidentId};
use crate::domain::incident::{
    moment_label, parse_moment, status_label, Timeliness, DEFAULT_REPORT_HOURS, STATUSES,
    UPDATE_KINDS,
};
use crate::domain::text::{optional, parse_count};
use crate::domain::{BoundedText, Timestamp};
use crate::error::{AppError, AppResult, FieldErrors};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A report as the vendor's form or the API sends it; times as RFC 3339 or 和暦 with a time.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct IncidentInput {
    pub occurred_at: String,
    pub aware_at: String,
    pub summary: String,
    #[serde(deserialize_with = "flag")]
    pub personal_data: bool,
    #[serde(deserialize_with = "text_or_number")]
    pub records: Option<String>,
    pub actions: String,
}

/// A step of the timeline: the vendor's 続報 or 最終報告, or the municipality's note, with the status.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UpdateInput {
    /// `follow_up`, `final` or `note`.
    pub kind: String,
    pub body: String,
    /// `responding`, `contained` or `closed`; blank keeps the incident's.
    pub status: String,
}

/// What the API answers for a new report.
#[derive(Debug, Clone, Serialize)]
pub struct Received {
    pub id: IncidentId,
    pub reported_at: Timestamp,
    pub deadline: Timestamp,
    pub on_time: bool,
    pub minutes_late: i64,
    pub reported_by_vendor: bool,
}

/// An incident with its timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    #[serde(flatten)]
    pub incident: Incident,
    pub updates: Vec<IncidentUpdate>,
}

/// A vendor may be a few minutes ahead of the server's clock; beyond that a time is in the future.
const CLOCK_SKEW_MINUTES: i64 = 5;

struct Checked {
    occurred_at: Option<Timestamp>,
    aware_at: Timestamp,
    summary: BoundedText<2000>,
    records: Option<i64>,
    actions: String,
}

impl IncidentInput {
    fn check(&self, now: Timestamp) -> AppResult<Checked> {
        let mut errors = FieldErrors::new();
        let latest = now + Duration::minutes(CLOCK_SKEW_MINUTES);
        let mut moment = |field: &str, text: &str, label: &str| {
            let at = errors.take(
                field,
                parse_moment(text).map_err(|e| format!("{label}: {e}")),
            );
            if at.is_some_and(|at| at > latest) {
                errors.add(field, format!("{label}に未来の日時は指定できません"));
            }
            at
        };
        let aware_at = moment("aware_at", &self.aware_at, "事故を知った日時");
        let occurred_at = if self.occurred_at.trim().is_empty() {
            None
        } else {
            moment("occurred_at", &self.occurred_at, "発生日時")
        };
        if let (Some(occurred), Some(aware)) = (occurred_at, aware_at) {
            if occurred > aware {
                errors.add(
                    "occurred_at",
                    "発生日時は事故を知った日時より前にしてください",
                );
            }
        }
        let summary = errors.take(
            "summary",
            BoundedText::<2000>::parse(&self.summary, "事故の概要"),
        );
        let records = errors.take(
            "records",
            optional(self.records.as_deref(), |t| parse_count(t, "影響件数")),
        );
        if self.actions.chars().count() > 2000 {
            errors.add("actions", "対応状況は2000文字以内で入力してください");
        }
        errors.into_result()?;
        Ok(Checked {
            occurred_at,
            aware_at: aware_at.expect("checked"),
            summary: summary.expect("checked"),
            records: records.flatten(),
            actions: self.actions.trim().to_string(),
        })
    }
}

/// The hours the contract's reporting clause allows, or the default.
async fn report_hours(conn: &mut Conn, contract_id: ContractId) -> AppResult<u32> {
    Ok(clauses::for_contract(conn, contract_id)
        .await?
        .iter()
        .find_map(|c| c.terms().report_within_hours)
        .unwrap_or(DEFAULT_REPORT_HOURS))
}

fn link(id: IncidentId, contract_id: ContractId) -> String {
    format!("/contracts/{contract_id}#incident-{id}")
}

/// Reports an incident against a contract within `scope`: by its vendor, or recorded by staff (then
/// "not reported by the vendor"). Tells the officers and the CISO at once.
pub async fn report(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    scope: &Visibility,
    contract_id: ContractId,
    input: &IncidentInput,
) -> AppResult<Received> {
    let now = Timestamp::now();
    let mut tx = db.begin().await?;
    let contract = contracts::find(&mut tx, scope, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let checked = input.check(now)?;
    let by_vendor = matches!(scope, Visibility::Vendor(_));
    let hours = report_hours(&mut tx, contract_id).await?;
    let judged = Timeliness::judge(checked.aware_at, now, hours);
    let id = incidents::insert(
        &mut tx,
        &NewIncident {
            contract_id,
            occurred_at: checked.occurred_at,
            aware_at: checked.aware_at,
            reported_at: now,
            deadline_at: judged.deadline,
            reported_by_vendor: by_vendor,
            on_time: by_vendor && judged.on_time,
            minutes_late: judged.minutes_late,
            summary: checked.summary.as_str(),
            personal_data: input.personal_data,
            records: checked.records,
            actions: &checked.actions,
            recorded_by: &actor.label,
        },
    )
    .await?;
    let first = format!("{}\n{}", checked.summary.as_str(), checked.actions);
    incidents::add_update(
        &mut tx,
        id,
        "first",
        first.trim(),
        "responding",
        now,
        &actor.label,
    )
    .await?;
    let timing = if !by_vendor {
        "事業者からの報告なし（本市が把握）".to_string()
    } else if judged.on_time {
        "期限内に報告".to_string()
    } else {
        format!("報告期限を{}分超過", judged.minutes_late)
    };
    let summary = format!(
        "事故報告 {} {}（{timing}）",
        contract.contract_number, contract.vendor_name
    );
    let event = Event::new("create", "incident", id, summary.clone()).changes(
        None,
        Some(json!({"aware_at": checked.aware_at, "reported_at": now, "deadline": judged.deadline,
            "on_time": by_vendor && judged.on_time, "minutes_late": judged.minutes_late,
            "reported_by_vendor": by_vendor, "personal_data": input.personal_data, "records": checked.records})),
    );
    audit::record(&mut tx, actor, event).await?;
    tell_at_once(
        &mut tx, settings, &contract, id, &summary, &checked, input, now,
    )
    .await?;
    tx.commit().await?;
    super::reminders::send_soon(db, settings);
    Ok(Received {
        id,
        reported_at: now,
        deadline: judged.deadline,
        on_time: by_vendor && judged.on_time,
        minutes_late: judged.minutes_late,
        reported_by_vendor: by_vendor,
    })
}

/// The contract's officers and every CISO: an inbox notice and, when mail is configured, an e-mail
/// each, queued to go now.
#[allow(clippy::too_many_arguments)]
async fn tell_at_once(
    tx: &mut Conn,
    settings: &Settings,
    contract: &Contract,
    id: IncidentId,
    summary: &str,
    checked: &Checked,
    input: &IncidentInput,
    now: Timestamp,
) -> AppResult<()> {
    let link = link(id, contract.id);
    notifications::notify_contract_officers(tx, contract.id, summary, &link).await?;
    let mut recipients: Vec<(String, &str)> = Vec::new();
    for (email, _) in outbox::officer_recipients(tx, contract.department_id).await? {
        recipients.push((email, "officer"));
    }
    for (email, _) in outbox::ciso_recipients(tx).await? {
        notifications::notify_address(tx, &email, summary, &link).await?;
        recipients.push((email, "ciso"));
    }
    // Without an SMTP server nothing is queued (as for reminders): the inbox notices stand alone.
    if !matches!(crate::mail::Mailer::from_settings(settings), Ok(Some(_))) {
        return Ok(());
    }
    let url = format!("{}{link}", settings.public_url.trim_end_matches('/'));
    let records = checked.records.map_or("不明".to_string(), |n| {
        format!("{}件", crate::domain::text::grouped(n))
    });
    let body = format!(
        "委託先から事故の報告がありました。\n\n契約: {} {}\n事業者: {}\n事故を知った日時: {}\n報告を受けた日時: {}\n個人情報: {}（{records}）\n\n概要:\n{}\n\n対応状況:\n{}\n\n{url}\n",
        contract.contract_number,
        contract.title,
        contract.vendor_name,
        moment_label(checked.aware_at),
        moment_label(now),
        if input.personal_data { "あり" } else { "なし" },
        checked.summary.as_str(),
        checked.actions,
    );
    let html = askama::filters::escape(&body, askama::filters::Html)
        .map(|escaped| format!("<pre>{escaped}</pre>"))
        .unwrap_or_default();
    let key = format!("incident:{id}");
    let stage = now.to_string();
    for (recipient, audience) in &recipients {
        outbox::enqueue(
            tx,
            &NewMessage {
                obligation: &key,
                deadline: &stage,
                stage: "received",
                recipient,
                audience,
                contract_id: Some(contract.id),
                contract_number: &contract.contract_number,
                subject: &format!("【至急】{summary}"),
                body_text: &body,
                body_html: &html,
                status: "pending",
            },
        )
        .await?;
    }
    Ok(())
}

/// An incident of a contract within `scope`, with the contract.
async fn owned(
    conn: &mut Conn,
    scope: &Visibility,
    id: IncidentId,
) -> AppResult<(Incident, Contract)> {
    let incident = incidents::find(conn, id).await?.ok_or(AppError::NotFound)?;
    let contract = contracts::find(conn, scope, incident.contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((incident, contract))
}

/// Adds a follow-up (the vendor's 続報 or 最終報告) or a note (staff) to an incident within `scope`.
pub async fn update(
    db: &Db,
    actor: &Actor,
    scope: &Visibility,
    id: IncidentId,
    input: &UpdateInput,
) -> AppResult<ContractId> {
    let mut tx = db.begin().await?;
    let (incident, contract) = owned(&mut tx, scope, id).await?;
    let mut errors = FieldErrors::new();
    let by_vendor = matches!(scope, Visibility::Vendor(_));
    let kind = input.kind.trim();
    let allowed: &[&str] = if by_vendor {
        &["follow_up", "final"]
    } else {
        &["follow_up", "final", "note"]
    };
    if !allowed.contains(&kind) || !UPDATE_KINDS.iter().any(|(c, _)| *c == kind) {
        errors.add(
            "kind",
            "続報・最終報告・本市の記録のいずれかを選んでください",
        );
    }
    let body = errors.take("body", BoundedText::<4000>::parse(&input.body, "内容"));
    let status = match input.status.trim() {
        "" if kind == "final" => "closed".to_string(),
        "" => incident.status.clone(),
        code if STATUSES.iter().any(|(c, _)| *c == code) => code.to_string(),
        _ => {
            errors.add("status", "対応中・収束・完了のいずれかを選んでください");
            String::new()
        }
    };
    errors.into_result()?;
    let body = body.expect("checked");
    let now = Timestamp::now();
    incidents::add_update(&mut tx, id, kind, body.as_str(), &status, now, &actor.label).await?;
    let summary = format!(
        "事故報告の{} {}（{}）",
        crate::domain::incident::update_label(kind),
        contract.contract_number,
        status_label(&status)
    );
    let event = Event::new("update", "incident", id, summary.clone()).changes(
        Some(json!({"status": incident.status})),
        Some(json!({"kind": kind, "status": status, "body": body.as_str()})),
    );
    let link = link(id, contract.id);
    if by_vendor {
        notifications::notify_contract_officers(&mut tx, contract.id, &summary, &link).await?;
    } else {
        notifications::notify_vendor(&mut tx, contract.vendor_id, &summary, &link).await?;
    }
    audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(contract.id)
}

/// The incidents of a contract within `scope`, newest first, each with its timeline.
pub async fn for_contract(
    db: &Db,
    scope: &Visibility,
    contract_id: ContractId,
) -> AppResult<Vec<Timeline>> {
    let mut conn = db.acquire().await?;
    contracts::find(&mut conn, scope, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut all = Vec::new();
    for incident in incidents::for_contract(&mut conn, contract_id).await? {
        let updates = incidents::updates(&mut conn, incident.id).await?;
        all.push(Timeline { incident, updates });
    }
    Ok(all)
}

/// The contract of an incident within `scope`.
pub async fn contract_of(db: &Db, scope: &Visibility, id: IncidentId) -> AppResult<ContractId> {
    let (_, contract) = owned(&mut *db.acquire().await?, scope, id).await?;
    Ok(contract.id)
}
