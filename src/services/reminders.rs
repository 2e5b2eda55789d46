//! Itaku does the chasing: for each obligation the dashboard judges (deletion certificates, audit
//! reports, check sheets, certificates), the vendor is reminded before and after its deadline, the
//! contract's officers once it is overdue, and the CISO once it is long overdue (`domain::reminder`).
//! A run writes each due message to the outbox (unique on obligation, deadline, stage and recipient,
//! so nothing is sent twice), then sends what the outbox holds; a failed send stays there with its
//! error and is tried again. The in-process daily run and `itaku remind` both call `run`.

use super::audit::{self, Event};
use super::reports::{self, Dashboard, Entry};
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::contracts::Visibility;
use crate::db::outbox::{self, NewMessage};
use crate::db::{Conn, Db};
use crate::domain::dates::JpDate;
use crate::domain::reminder::{Audience, Stage};
use crate::domain::Timestamp;
use crate::error::{AppError, AppResult};
use crate::mail::{Mailer, Outgoing};
use askama::Template;
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One obligation as reminders name it.
struct Due<'a> {
    /// Stable across runs: `deletion:41`, `audit:41:2025`, `certificate:7`, `checklist:41:2026`.
    key: String,
    entry: &'a Entry,
    /// The page where it is done, under `public_url`.
    path: String,
}

fn push_all<'a>(all: &mut Vec<Due<'a>>, entries: &'a [Entry], key: impl Fn(&Entry) -> String) {
    for entry in entries {
        let path = match &entry.certification {
            Some(_) => format!("/vendors/{}#certifications", entry.vendor_id),
            None => format!("/contracts/{}", entry.contract_id),
        };
        all.push(Due {
            key: key(entry),
            entry,
            path,
        });
    }
}

/// Every obligation of the dashboard, each with its key and page.
fn obligations(dashboard: &Dashboard) -> Vec<Due<'_>> {
    let year = |e: &Entry| {
        e.fiscal_year
            .map_or("contract".to_string(), |y| y.to_string())
    };
    let mut all = Vec::new();
    for list in [
        &dashboard.retention.violations,
        &dashboard.retention.due_soon,
    ] {
        push_all(&mut all, list, |e| format!("deletion:{}", e.contract_id));
    }
    for list in [&dashboard.audits.overdue, &dashboard.audits.due_soon] {
        push_all(&mut all, list, |e| {
            format!("audit:{}:{}", e.contract_id, year(e))
        });
    }
    for list in [
        &dashboard.certifications.expired,
        &dashboard.certifications.expiring,
    ] {
        push_all(&mut all, list, |e| {
            format!(
                "certificate:{}",
                e.certification.as_ref().map_or(0, |c| c.id.get())
            )
        });
    }
    push_all(&mut all, &dashboard.checklists.missing, |e| {
        format!("checklist:{}:{}", e.contract_id, year(e))
    });
    push_all(&mut all, &dashboard.checklists.returned, |e| {
        format!("checklist-returned:{}", e.contract_id)
    });
    // The subject names the item, the subcontractor or the clause and period within the contract.
    for (kind, list) in [
        ("subcontracting", &dashboard.subcontracting.unapproved),
        ("corrective", &dashboard.corrective.overdue),
        ("corrective", &dashboard.corrective.due),
        ("clause", &dashboard.clauses.overdue),
        ("clause", &dashboard.clauses.due_soon),
        ("contacts", &dashboard.contacts.missing),
        ("declaration", &dashboard.certifications.unconfirmed),
    ] {
        push_all(&mut all, list, |e| {
            format!("{kind}:{}:{}", e.contract_id, e.what)
        });
    }
    all
}

/// One message of a run, as `--json` and the page report it.
#[derive(Debug, Clone, Serialize)]
pub struct MessageLine {
    pub to: String,
    pub audience: Audience,
    pub contract_number: String,
    /// The obligation's key (`deletion:41`, `audit:41:2025`, `certificate:7` …).
    pub obligation: String,
    /// What is owed, in Japanese (for sent messages, the subject).
    pub what: String,
    pub stage: String,
    /// `sent`, `failed` (kept, tried again next run), `would_send` (dry run or no SMTP server).
    pub status: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub error: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub as_of: NaiveDate,
    pub dry_run: bool,
    /// Whether an SMTP server is configured; without one nothing is written or sent.
    pub mail_configured: bool,
    /// Messages newly written to the outbox by this run.
    pub queued: usize,
    pub sent: usize,
    pub failed: usize,
    /// Messages still waiting in the outbox after the run.
    pub pending: i64,
    pub messages: Vec<MessageLine>,
}

/// What one reminder says, in text and in HTML.
struct Reminder<'a> {
    subject: &'a str,
    greeting: &'a str,
    overdue: bool,
    entry: &'a Entry,
    deadline_jp: String,
    status: String,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/reminder.txt")]
struct ReminderText<'a> {
    r: &'a Reminder<'a>,
}

#[derive(Template)]
#[template(path = "mail/reminder.html")]
struct ReminderHtml<'a> {
    r: &'a Reminder<'a>,
}

/// Subject, plain text and HTML of one reminder.
fn compose(
    due: &Due<'_>,
    audience: Audience,
    as_of: NaiveDate,
    public_url: &str,
) -> AppResult<(String, String, String)> {
    let entry = due.entry;
    let days = (as_of - entry.deadline).num_days();
    let (status, overdue) = match days {
        d if d > 0 => (format!("期限を{d}日過ぎています"), true),
        0 => ("本日が期限です".to_string(), false),
        d => (format!("期限まであと{}日です", -d), false),
    };
    let subject = format!(
        "【Itaku】{}（契約番号 {}）{}",
        entry.what,
        entry.contract_number,
        if overdue {
            "期限超過"
        } else {
            "期限のお知らせ"
        }
    );
    let greeting = match audience {
        Audience::Vendor => format!("{} ご担当者様", entry.vendor_name),
        Audience::Officer => format!("{} ご担当者様", entry.department_name),
        Audience::Ciso => "最高情報セキュリティ責任者（CISO）様".to_string(),
    };
    let link = format!("{}{}", public_url.trim_end_matches('/'), due.path);
    let reminder = Reminder {
        subject: &subject,
        greeting: &greeting,
        overdue,
        entry,
        deadline_jp: entry.deadline.jp(),
        status,
        link: &link,
    };
    let text = ReminderText { r: &reminder }
        .render()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let html = ReminderHtml { r: &reminder }
        .render()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((subject, text, html))
}

/// Who of `audience` hears of an entry: the vendor's addresses, its department's officers, the CISO.
/// A recipient's address, and whether it chose a daily digest.
type Recipient = (String, bool);

async fn recipients(
    conn: &mut Conn,
    cache: &mut HashMap<(Audience, i64), Vec<Recipient>>,
    audience: Audience,
    entry: &Entry,
) -> AppResult<Vec<Recipient>> {
    let id = match audience {
        Audience::Vendor => entry.vendor_id.get(),
        Audience::Officer => entry.department_id.get(),
        Audience::Ciso => 0,
    };
    if let Some(found) = cache.get(&(audience, id)) {
        return Ok(found.clone());
    }
    let found = match audience {
        Audience::Vendor => outbox::vendor_recipients(conn, entry.vendor_id)
            .await?
            .into_iter()
            .map(|address| (address, false))
            .collect(),
        Audience::Officer => outbox::officer_recipients(conn, entry.department_id).await?,
        Audience::Ciso => outbox::ciso_recipients(conn).await?,
    };
    cache.insert((audience, id), found.clone());
    Ok(found)
}

/// When a failed message is tried again: at the next run after its first failure (never the same
/// run: a run takes only what was due when it began), then after 5, 10, 20 … minutes (at most a day).
fn retry_at(attempts_before: i64) -> Timestamp {
    let wait = match attempts_before {
        0 => Duration::seconds(1),
        n => Duration::minutes((5i64 << (n - 1).min(8)).min(24 * 60)),
    };
    Timestamp::now() + wait
}

/// Decides, writes and sends the reminders due on `as_of`. With `dry_run` (or no SMTP server) it
/// answers what would be sent and writes nothing.
pub async fn run(
    db: &Db,
    settings: &Settings,
    mailer: Option<&Mailer>,
    as_of: NaiveDate,
    dry_run: bool,
) -> AppResult<RunReport> {
    let dashboard = reports::dashboard(
        db,
        settings,
        &Visibility::All,
        as_of,
        reports::ReportKind::All,
        reports::Window::ALL,
    )
    .await?;
    let requested: Vec<(String, Entry)> = super::requests::open_lines(db)
        .await?
        .into_iter()
        .map(|(request, line)| {
            (
                format!("request:{}:{}", request.id, line.contract.id),
                request_entry(&request, &line, as_of),
            )
        })
        .collect();
    let schedule = settings.reminder_schedule();
    let writes = !dry_run && mailer.is_some();
    let mut report = RunReport {
        as_of,
        dry_run,
        mail_configured: mailer.is_some(),
        queued: 0,
        sent: 0,
        failed: 0,
        pending: 0,
        messages: Vec::new(),
    };
    let mut all = obligations(&dashboard);
    for (key, entry) in &requested {
        all.push(Due {
            key: key.clone(),
            entry,
            path: format!("/contracts/{}", entry.contract_id),
        });
    }
    // Who has reached which stage, read without taking the database's writer.
    let mut conn = db.acquire().await?;
    let mut cache = HashMap::new();
    let mut due_now = Vec::new();
    for due in &all {
        for audience in Audience::ALL {
            let Some(stage) = schedule.stage(audience, due.entry.deadline, as_of) else {
                continue;
            };
            for (to, digest) in recipients(&mut conn, &mut cache, audience, due.entry).await? {
                due_now.push((due, audience, stage, to, digest));
            }
        }
    }
    if !writes {
        for (due, audience, stage, to, _) in &due_now {
            let deadline = due.entry.deadline.to_string();
            if !outbox::known(&mut conn, &due.key, &deadline, &stage.code(), to).await? {
                report
                    .messages
                    .push(line(to, *audience, due, *stage, "would_send"));
            }
        }
        report.pending = outbox::pending_count(&mut conn).await?;
        return Ok(report);
    }
    drop(conn);
    let digests = queue_due(db, settings, &due_now, as_of, &mut report).await?;
    queue_digests(db, &digests, as_of, &mut report).await?;
    if let Some(mailer) = mailer {
        send_queued(db, mailer, &mut report).await?;
    }
    report.pending = outbox::pending_count(&mut *db.acquire().await?).await?;
    Ok(report)
}

/// One message due now: the obligation, who it goes to, at which stage, and whether the recipient takes
/// a daily digest instead.
type DueMessage<'a> = (&'a Due<'a>, Audience, Stage, String, bool);

/// Writes each due message to the outbox a chunk at a time: each outbox row is the record of its own
/// stage, and a prefecture's first run writes thousands, so one transaction would hold SQLite's writer
/// (and every upload behind it) for seconds. Answers the lines of each recipient's digest.
async fn queue_due(
    db: &Db,
    settings: &Settings,
    due_now: &[DueMessage<'_>],
    as_of: NaiveDate,
    report: &mut RunReport,
) -> AppResult<BTreeMap<(String, Audience), Vec<String>>> {
    let mut digests: BTreeMap<(String, Audience), Vec<String>> = BTreeMap::new();
    for chunk in due_now.chunks(500) {
        let mut tx = db.begin().await?;
        for (due, audience, stage, to, digest) in chunk {
            let (subject, text, html) = compose(due, *audience, as_of, &settings.public_url)?;
            let queued = outbox::enqueue(
                &mut tx,
                &NewMessage {
                    obligation: &due.key,
                    deadline: &due.entry.deadline.to_string(),
                    stage: &stage.code(),
                    recipient: to,
                    audience: audience.code(),
                    contract_id: Some(due.entry.contract_id),
                    contract_number: &due.entry.contract_number,
                    subject: &subject,
                    body_text: &text,
                    body_html: &html,
                    status: if *digest { "digested" } else { "pending" },
                },
            )
            .await?;
            if queued && *digest {
                digests
                    .entry((to.clone(), *audience))
                    .or_default()
                    .push(digest_line(due, as_of, &settings.public_url));
            } else if queued {
                report.queued += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(digests)
}

/// One digest per recipient and audience, of the lines `queue_due` collected.
async fn queue_digests(
    db: &Db,
    digests: &BTreeMap<(String, Audience), Vec<String>>,
    as_of: NaiveDate,
    report: &mut RunReport,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    for ((to, audience), lines) in digests {
        let (subject, text, html) = compose_digest(lines, as_of);
        if outbox::enqueue(
            &mut tx,
            &NewMessage {
                obligation: "digest",
                deadline: &as_of.to_string(),
                stage: "digest",
                recipient: to,
                audience: audience.code(),
                contract_id: None,
                contract_number: "",
                subject: &subject,
                body_text: &text,
                body_html: &html,
                status: "pending",
            },
        )
        .await?
        {
            report.queued += 1;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// One obligation as a digest lists it.
fn digest_line(due: &Due<'_>, as_of: NaiveDate, public_url: &str) -> String {
    let entry = due.entry;
    let days = (as_of - entry.deadline).num_days();
    let status = match days {
        d if d > 0 => format!("{d}日超過"),
        0 => "本日期限".to_string(),
        d => format!("あと{}日", -d),
    };
    format!(
        "・{} {}（{}）: {} 期限 {}（{}）{}{}",
        entry.contract_number,
        entry.contract_title,
        entry.vendor_name,
        entry.what,
        entry.deadline.jp(),
        status,
        public_url.trim_end_matches('/'),
        due.path
    )
}

/// The daily digest: every reminder due to one staff member today, in one message.
fn compose_digest(lines: &[String], as_of: NaiveDate) -> (String, String, String) {
    let subject = format!(
        "【Itaku】本日の期限のお知らせ（{}件、{}）",
        lines.len(),
        as_of.jp()
    );
    let text = format!(
        "Itaku（委託先セキュリティ管理）から、{}時点の期限のお知らせをまとめてお送りします（{}件）。\n\n{}\n\nこのメールは Itaku から自動で送信しています。受け取り方は「アカウント」画面で変えられます。\n",
        as_of.jp(),
        lines.len(),
        lines.join("\n")
    );
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let html = format!(
        "<!doctype html><html lang=\"ja\"><body style=\"font-family: sans-serif; line-height: 1.7;\"><p>Itaku（委託先セキュリティ管理）から、{}時点の期限のお知らせをまとめてお送りします（{}件）。</p><ul>{}</ul><p style=\"color: #626264;\">受け取り方は「アカウント」画面で変えられます。</p></body></html>",
        as_of.jp(),
        lines.len(),
        lines
            .iter()
            .map(|l| format!("<li>{}</li>", escape(l.trim_start_matches('・'))))
            .collect::<String>()
    );
    (subject, text, html)
}

/// A contract of a 一斉依頼 not yet handed in, as the reminders name an obligation.
fn request_entry(
    request: &crate::db::requests::Request,
    line: &super::requests::Line,
    as_of: NaiveDate,
) -> Entry {
    let what = format!("{}（{}）", request.title, line.state.label());
    Entry {
        fiscal_year: Some(request.fiscal_year as i32),
        ..Entry::new(line.contract.heading.clone(), request.due_on, as_of, what)
    }
}

fn line(
    to: &str,
    audience: Audience,
    due: &Due<'_>,
    stage: Stage,
    status: &'static str,
) -> MessageLine {
    MessageLine {
        to: to.to_string(),
        audience,
        contract_number: due.entry.contract_number.clone(),
        obligation: due.key.clone(),
        what: due.entry.what.clone(),
        stage: stage.code(),
        status,
        error: String::new(),
    }
}

/// Sends what waits in the outbox in the background now (after a request was made), when an SMTP
/// server is configured; the daily run would otherwise send it within the minute.
pub fn send_soon(db: &Db, settings: &Settings) {
    let Ok(Some(mailer)) = Mailer::from_settings(settings) else {
        return;
    };
    let db = db.clone();
    tokio::spawn(async move {
        if let Err(error) = send_pending(&db, &mailer).await {
            log::warn!("reminders: {error}");
        }
    });
}

/// Sends what waits in the outbox (messages that failed before), without deciding new ones.
pub async fn send_pending(db: &Db, mailer: &Mailer) -> AppResult<RunReport> {
    let mut report = RunReport {
        as_of: super::today(),
        dry_run: false,
        mail_configured: true,
        queued: 0,
        sent: 0,
        failed: 0,
        pending: 0,
        messages: Vec::new(),
    };
    send_queued(db, mailer, &mut report).await?;
    report.pending = outbox::pending_count(&mut *db.acquire().await?).await?;
    Ok(report)
}

/// Sends what the outbox holds for now, a batch at a time; each sent message is in the audit log.
pub async fn send_queued(db: &Db, mailer: &Mailer, report: &mut RunReport) -> AppResult<()> {
    const BATCH: i64 = 100;
    let system = Actor::system("itaku remind");
    let started = Timestamp::now();
    loop {
        let stale = Timestamp::now() - Duration::minutes(10);
        let claimed = outbox::claim(
            &mut *db.acquire().await?,
            db.backend(),
            started,
            stale,
            BATCH,
        )
        .await?;
        if claimed.is_empty() {
            return Ok(());
        }
        // A batch goes out at once over the transport's pooled connections, then its outcomes are
        // written in one transaction.
        let mut sending = tokio::task::JoinSet::new();
        for message in claimed {
            let mailer = mailer.clone();
            sending.spawn(async move {
                let outcome = mailer
                    .send(&Outgoing {
                        to: &message.recipient,
                        subject: &message.subject,
                        text: &message.body_text,
                        html: &message.body_html,
                    })
                    .await;
                (message, outcome)
            });
        }
        let mut outcomes = Vec::new();
        while let Some(done) = sending.join_next().await {
            outcomes.push(done.map_err(|e| AppError::Internal(e.to_string()))?);
        }
        outcomes.sort_by_key(|(message, _)| message.id);
        let mut tx = db.begin().await?;
        let sent_before = report.sent;
        for (message, outcome) in outcomes {
            let (status, error) = match outcome {
                Ok(response) => {
                    record_sent(&mut tx, &system, &message, &response).await?;
                    report.sent += 1;
                    ("sent", String::new())
                }
                Err(error) => {
                    outbox::mark_failed(&mut tx, message.id, &error, retry_at(message.attempts))
                        .await?;
                    report.failed += 1;
                    ("failed", error)
                }
            };
            report.messages.push(MessageLine {
                to: message.recipient,
                audience: match message.audience.as_str() {
                    "officer" => Audience::Officer,
                    "ciso" => Audience::Ciso,
                    _ => Audience::Vendor,
                },
                contract_number: message.contract_number,
                obligation: message.obligation,
                what: message.subject,
                stage: message.stage,
                status,
                error,
            });
        }
        tx.commit().await?;
        if report.sent == sent_before {
            // Nothing of this batch went out: the server is away; the rest waits for the next run.
            return Ok(());
        }
    }
}

/// A message that went out: marked sent with the server's answer, a notification for its addressee,
/// and its audit entry.
async fn record_sent(
    conn: &mut Conn,
    system: &Actor,
    message: &outbox::Queued,
    response: &str,
) -> AppResult<()> {
    outbox::mark_sent(&mut *conn, message.id, response).await?;
    crate::db::notifications::notify_address(
        &mut *conn,
        &message.recipient,
        &message.subject,
        &message
            .contract_id
            .map(|id| format!("/contracts/{id}"))
            .unwrap_or_default(),
    )
    .await?;
    audit::record(
        conn,
        system,
        Event::new(
            "mail",
            "reminder",
            message.id,
            format!(
                "リマインダー送信 {} {}（{}）",
                message.recipient, message.contract_number, message.stage
            ),
        )
        .changes(
            None,
            Some(serde_json::json!({
                "to": message.recipient,
                "obligation": message.obligation,
                "stage": message.stage,
                "subject": message.subject,
                "smtp_response": response,
            })),
        ),
    )
    .await?;
    Ok(())
}
