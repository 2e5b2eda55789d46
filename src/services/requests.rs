//! 年度一斉依頼: an officer (for its departments) or the CISO asks the vendors of chosen contracts
//! (by department, importance, being active in a fiscal year, holding personal data) for the year's
//! check sheet and/or audit report by a due date. Each vendor gets one message naming all its
//! contracts in the request and sees them on its home page; the request page follows each contract
//! (提出済 / 確認待ち / 差戻し / 未提出); reminders follow the usual schedule until it is handed in.

use super::audit::{self, Event};
use crate::auth::{Actor, Role, User};
use crate::config::Settings;
use crate::db::contracts::{Contract, Visibility};
use crate::db::outbox::{self, NewMessage};
use crate::db::requests::{self, Criteria, NewRequest, Request};
use crate::db::{notifications, Db};
use crate::domain::dates::JpDate;
use crate::domain::ids::{ContractId, DepartmentId, RequestId, VendorId};
use crate::domain::{parse_date, BoundedText, FiscalYear};
use crate::error::{AppError, AppResult, FieldErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// A request as typed on the form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RequestInput {
    pub title: String,
    pub fiscal_year: String,
    pub department_id: Option<DepartmentId>,
    #[serde(default, deserialize_with = "super::input::flag")]
    pub important_only: bool,
    #[serde(default, deserialize_with = "super::input::flag")]
    pub personal_data_only: bool,
    #[serde(default, deserialize_with = "super::input::flag")]
    pub wants_checklist: bool,
    #[serde(default, deserialize_with = "super::input::flag")]
    pub wants_audit_report: bool,
    pub due_on: String,
    pub message: String,
}

impl RequestInput {
    /// Whether the form has this department chosen.
    pub fn selects(&self, department_id: &DepartmentId) -> bool {
        self.department_id == Some(*department_id)
    }
}

/// A checked request.
pub struct Valid {
    pub title: String,
    pub fiscal_year: FiscalYear,
    pub criteria: Criteria,
    pub wants_checklist: bool,
    pub wants_audit_report: bool,
    pub due_on: NaiveDate,
    pub message: String,
}

/// Who may send requests and follow them: administrators, officers (their departments' contracts)
/// and the CISO.
pub fn may_send(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::Officer | Role::Ciso)
}

fn sender(user: &User) -> AppResult<()> {
    if may_send(user) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The form as it first shows: this fiscal year, important contracts, the check sheet.
pub fn blank(user: &User, today: NaiveDate) -> AppResult<RequestInput> {
    sender(user)?;
    Ok(RequestInput {
        fiscal_year: FiscalYear::of(today).start_year().to_string(),
        wants_checklist: true,
        important_only: true,
        ..Default::default()
    })
}

fn validate(input: &RequestInput, user: &User, today: NaiveDate) -> Result<Valid, FieldErrors> {
    let mut errors = FieldErrors::new();
    let title = errors.take("title", BoundedText::<200>::parse(&input.title, "件名"));
    let fiscal_year = errors.take("fiscal_year", FiscalYear::parse(&input.fiscal_year));
    let due_on = errors.take(
        "due_on",
        parse_date(&input.due_on).map_err(|e| format!("提出期限: {}", e.0)),
    );
    if due_on.is_some_and(|d| d < today) {
        errors.add("due_on", "提出期限が過去の日付です");
    }
    if !input.wants_checklist && !input.wants_audit_report {
        errors.add(
            "wants_checklist",
            "チェックシートと監査報告書のどちらか（または両方）を選んでください",
        );
    }
    if let (Some(department), Visibility::Departments(own)) =
        (input.department_id, user.contract_visibility())
    {
        if !own.contains(&department) {
            errors.add("department_id", "担当していない所管課は選べません");
        }
    }
    let message = input.message.trim().to_string();
    if message.chars().count() > 2000 {
        errors.add("message", "依頼文は2000文字以内で入力してください");
    }
    errors.take("message", crate::domain::text::visible(&message, "依頼文"));
    if !errors.is_empty() {
        return Err(errors);
    }
    let fiscal_year = fiscal_year.expect("checked");
    Ok(Valid {
        title: title.expect("checked").into_string(),
        criteria: Criteria {
            department_id: input.department_id,
            important_only: input.important_only,
            active_in: Some((fiscal_year.first_day(), fiscal_year.last_day())),
            personal_data_only: input.personal_data_only,
        },
        fiscal_year,
        wants_checklist: input.wants_checklist,
        wants_audit_report: input.wants_audit_report,
        due_on: due_on.expect("checked"),
        message,
    })
}

/// The contracts a request would go to.
pub async fn preview(
    db: &Db,
    user: &User,
    input: &RequestInput,
    today: NaiveDate,
) -> AppResult<Vec<Contract>> {
    sender(user)?;
    let valid = validate(input, user, today).map_err(AppError::Validation)?;
    Ok(requests::matching(
        &mut *db.acquire().await?,
        &user.contract_visibility(),
        &valid.criteria,
    )
    .await?)
}

impl Valid {
    fn what(&self) -> String {
        match (self.wants_checklist, self.wants_audit_report) {
            (true, true) => "チェックシートと監査報告書".into(),
            (true, false) => "チェックシート".into(),
            _ => "監査報告書".into(),
        }
    }
}

/// Sends a request: stored with its contracts, one message per vendor address through the outbox
/// (when an SMTP server is configured), a notification to each vendor's users; all in one transaction.
pub async fn create(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    user: &User,
    input: &RequestInput,
    today: NaiveDate,
) -> AppResult<RequestId> {
    sender(user)?;
    let valid = validate(input, user, today).map_err(AppError::Validation)?;
    let mut tx = db.begin().await?;
    let contracts =
        requests::matching(&mut tx, &user.contract_visibility(), &valid.criteria).await?;
    if contracts.is_empty() {
        let mut errors = FieldErrors::new();
        errors.add("department_id", "条件に合う契約がありません");
        return Err(AppError::Validation(errors));
    }
    let definition = settings.definition();
    let id = requests::insert(
        &mut tx,
        &NewRequest {
            title: &valid.title,
            fiscal_year: valid.fiscal_year.start_year(),
            wants_checklist: valid.wants_checklist,
            definition_id: if valid.wants_checklist {
                &definition.id
            } else {
                ""
            },
            wants_audit_report: valid.wants_audit_report,
            due_on: valid.due_on,
            message: &valid.message,
            created_by: &actor.label,
        },
        &contracts.iter().map(|c| c.id).collect::<Vec<_>>(),
    )
    .await?;
    let mut by_vendor: BTreeMap<VendorId, Vec<&Contract>> = BTreeMap::new();
    for contract in &contracts {
        by_vendor
            .entry(contract.vendor_id)
            .or_default()
            .push(contract);
    }
    tell_vendors(&mut tx, settings, &valid, id, &by_vendor).await?;
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "create",
            "request",
            id,
            format!(
                "一斉依頼 {}（{}件、{}社）",
                valid.title,
                contracts.len(),
                by_vendor.len()
            ),
        )
        .changes(
            None,
            Some(json!({
                "fiscal_year": valid.fiscal_year.start_year(), "wants_checklist": valid.wants_checklist,
                "wants_audit_report": valid.wants_audit_report, "due_on": valid.due_on.to_string(),
                "contracts": contracts.iter().map(|c| c.contract_number.as_str()).collect::<Vec<_>>(),
            })),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Each vendor of the request gets one message listing its contracts (by mail when a server is set)
/// and a notification, in the request's transaction.
async fn tell_vendors(
    tx: &mut crate::db::Conn,
    settings: &Settings,
    valid: &Valid,
    id: RequestId,
    by_vendor: &BTreeMap<VendorId, Vec<&Contract>>,
) -> AppResult<()> {
    let mail = !settings.smtp_url.trim().is_empty();
    let subject = format!(
        "【Itaku】{}の{}のご提出のお願い（期限 {}）",
        valid.fiscal_year.label(),
        valid.what(),
        valid.due_on.jp()
    );
    for (vendor_id, own) in by_vendor {
        let link = format!("{}/", settings.public_url.trim_end_matches('/'));
        let (text, html) = request_mail(valid, &own[..], &link);
        if mail {
            for to in outbox::vendor_recipients(&mut *tx, *vendor_id).await? {
                outbox::enqueue(
                    &mut *tx,
                    &NewMessage {
                        obligation: &format!("request:{id}"),
                        deadline: &valid.due_on.to_string(),
                        stage: "request",
                        recipient: &to,
                        audience: "vendor",
                        contract_id: own.first().map(|c| c.id),
                        contract_number: &own
                            .iter()
                            .map(|c| c.contract_number.as_str())
                            .collect::<Vec<_>>()
                            .join("、"),
                        subject: &subject,
                        body_text: &text,
                        body_html: &html,
                        status: "pending",
                    },
                )
                .await?;
            }
        }
        notifications::notify_vendor(&mut *tx, *vendor_id, &subject, "/").await?;
    }
    Ok(())
}

/// The one message a vendor gets: every contract of its in the request.
fn request_mail(valid: &Valid, contracts: &[&Contract], link: &str) -> (String, String) {
    let lines: Vec<String> = contracts
        .iter()
        .map(|c| {
            format!(
                "・{} {}（{}）",
                c.contract_number, c.title, c.department_name
            )
        })
        .collect();
    let vendor = contracts.first().map_or("", |c| c.vendor_name.as_str());
    let message = if valid.message.is_empty() {
        String::new()
    } else {
        format!("\n{}\n", valid.message)
    };
    let text = format!(
        "{vendor} ご担当者様\n\n{}の{}のご提出をお願いします。\n{message}\n件名: {}\n提出期限: {}（{}）\n対象の契約（{}件）:\n{}\n\nItaku にログインし、ホームの「対応が必要なこと」から提出してください:\n{link}\n\nこのメールは Itaku から自動で送信しています。\n",
        valid.fiscal_year.label(),
        valid.what(),
        valid.title,
        valid.due_on.jp(),
        valid.due_on,
        contracts.len(),
        lines.join("\n"),
    );
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let html = format!(
        "<!doctype html><html lang=\"ja\"><body style=\"font-family: sans-serif; line-height: 1.7;\"><p>{} ご担当者様</p><p>{}の{}のご提出をお願いします。</p>{}<p>件名: {}<br>提出期限: {}（{}）</p><ul>{}</ul><p><a href=\"{}\">Itaku で提出する</a></p><p style=\"color: #626264;\">このメールは Itaku から自動で送信しています。</p></body></html>",
        escape(vendor),
        valid.fiscal_year.label(),
        valid.what(),
        if valid.message.is_empty() {
            String::new()
        } else {
            format!("<p>{}</p>", escape(&valid.message).replace('\n', "<br>"))
        },
        escape(&valid.title),
        valid.due_on.jp(),
        valid.due_on,
        contracts
            .iter()
            .map(|c| format!(
                "<li>{} {}（{}）</li>",
                escape(&c.contract_number),
                escape(&c.title),
                escape(&c.department_name)
            ))
            .collect::<String>(),
        escape(link),
    );
    (text, html)
}

/// Where one contract of a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Accepted or approved.
    Done,
    /// Handed in, waiting for review.
    Waiting,
    Returned,
    Missing,
}

impl State {
    fn of(status: Option<&str>) -> State {
        match status {
            Some("approved" | "accepted") => State::Done,
            Some("submitted") => State::Waiting,
            Some("returned") => State::Returned,
            _ => State::Missing,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            State::Done => "提出済",
            State::Waiting => "確認待ち",
            State::Returned => "差戻し",
            State::Missing => "未提出",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            State::Done => "done",
            State::Waiting => "waiting",
            State::Returned => "returned",
            State::Missing => "missing",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    #[serde(skip)]
    pub contract: Contract,
    pub contract_id: ContractId,
    pub contract_number: String,
    pub vendor_name: String,
    pub checklist: Option<State>,
    pub audit_report: Option<State>,
    /// The furthest behind of what was asked.
    pub state: State,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub done: usize,
    pub waiting: usize,
    pub returned: usize,
    pub missing: usize,
    pub total: usize,
}

impl Tally {
    /// The share handed in and accepted, in percent.
    pub fn percent_done(&self) -> usize {
        (self.done * 100).checked_div(self.total).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub request: Request,
    pub lines: Vec<Line>,
    pub tally: Tally,
}

async fn progress_of(db: &Db, visibility: &Visibility, request: Request) -> AppResult<Progress> {
    let mut conn = db.acquire().await?;
    let contracts = requests::contracts_of(&mut conn, visibility, request.id).await?;
    let ids: Vec<ContractId> = contracts.iter().map(|c| c.id).collect();
    let checklists: HashMap<ContractId, String> = if request.wants_checklist {
        requests::checklist_states(&mut conn, &ids, request.created_at)
            .await?
            .into_iter()
            .collect()
    } else {
        HashMap::new()
    };
    let audits: HashMap<ContractId, String> = if request.wants_audit_report {
        requests::audit_states(&mut conn, &ids, request.fiscal_year)
            .await?
            .into_iter()
            .collect()
    } else {
        HashMap::new()
    };
    let mut tally = Tally::default();
    let lines: Vec<Line> = contracts
        .into_iter()
        .map(|contract| {
            let checklist = request
                .wants_checklist
                .then(|| State::of(checklists.get(&contract.id).map(String::as_str)));
            let audit_report = request
                .wants_audit_report
                .then(|| State::of(audits.get(&contract.id).map(String::as_str)));
            let state = checklist
                .into_iter()
                .chain(audit_report)
                .max()
                .unwrap_or(State::Done);
            match state {
                State::Done => tally.done += 1,
                State::Waiting => tally.waiting += 1,
                State::Returned => tally.returned += 1,
                State::Missing => tally.missing += 1,
            }
            tally.total += 1;
            Line {
                contract_id: contract.id,
                contract_number: contract.contract_number.clone(),
                vendor_name: contract.vendor_name.clone(),
                contract,
                checklist,
                audit_report,
                state,
            }
        })
        .collect();
    Ok(Progress {
        request,
        lines,
        tally,
    })
}

/// A request with the progress of each contract the sender may see (404 when it sees none).
pub async fn progress(db: &Db, user: &User, id: RequestId) -> AppResult<Progress> {
    sender(user)?;
    let request = requests::find(&mut *db.acquire().await?, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let progress = progress_of(db, &user.contract_visibility(), request).await?;
    if progress.lines.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(progress)
}

/// The requests the sender may see, each with its progress, newest first.
pub async fn list(db: &Db, user: &User) -> AppResult<Vec<Progress>> {
    sender(user)?;
    visible(db, &user.contract_visibility()).await
}

/// The requests naming a vendor's contracts that it has not finished, with only its own contracts.
pub async fn open_for_vendor(db: &Db, vendor_id: VendorId) -> AppResult<Vec<Progress>> {
    let mut open = visible(db, &Visibility::Vendor(vendor_id)).await?;
    open.retain(|p| p.tally.done < p.tally.total);
    Ok(open)
}

async fn visible(db: &Db, visibility: &Visibility) -> AppResult<Vec<Progress>> {
    let found = requests::visible(&mut *db.acquire().await?, visibility).await?;
    let mut all = Vec::new();
    for request in found {
        all.push(progress_of(db, visibility, request).await?);
    }
    Ok(all)
}

/// Every request's contracts not yet handed in, for the reminders (the vendor is chased like for any
/// deadline).
pub async fn open_lines(db: &Db) -> AppResult<Vec<(Request, Line)>> {
    let found = requests::all(&mut *db.acquire().await?).await?;
    let mut open = Vec::new();
    for request in found {
        let progress = progress_of(db, &Visibility::All, request).await?;
        for line in progress.lines {
            if matches!(line.state, State::Missing | State::Returned) {
                open.push((progress.request.clone(), line));
            }
        }
    }
    Ok(open)
}

/// The request's progress as a workbook; the export is in the audit log.
pub async fn export(db: &Db, actor: &Actor, user: &User, id: RequestId) -> AppResult<Vec<u8>> {
    let progress = progress(db, user, id).await?;
    let request = &progress.request;
    let title = vec![
        format!(
            "{}（{}年度、提出期限 {}）",
            request.title,
            request.fiscal_year,
            request.due_on.jp()
        ),
        format!(
            "提出済 {}・確認待ち {}・差戻し {}・未提出 {}（全{}件）",
            progress.tally.done,
            progress.tally.waiting,
            progress.tally.returned,
            progress.tally.missing,
            progress.tally.total
        ),
    ];
    let label = |s: Option<State>| s.map_or("（依頼なし）", State::label).to_string();
    let rows: Vec<Vec<String>> = progress
        .lines
        .iter()
        .map(|l| {
            vec![
                l.contract.contract_number.clone(),
                l.contract.title.clone(),
                l.contract.department_name.clone(),
                l.contract.vendor_name.clone(),
                label(l.checklist),
                label(l.audit_report),
                l.state.label().to_string(),
            ]
        })
        .collect();
    let bytes = crate::excel::writer::table(
        "依頼の状況",
        &title,
        &[
            "契約番号",
            "件名",
            "所管課",
            "事業者",
            "チェックシート",
            "監査報告書",
            "状況",
        ],
        &rows,
        &[14.0, 36.0, 14.0, 28.0, 14.0, 14.0, 12.0],
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    audit::record_alone(
        db,
        actor,
        Event::new(
            "export",
            "request",
            id,
            format!("一斉依頼の状況を出力 {}", request.title),
        ),
    )
    .await?;
    Ok(bytes)
}
