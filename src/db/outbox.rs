//! The reminder outbox: messages decided and waiting to be sent, sent, or failed and waiting to be
//! tried again.

use super::{Backend, Conn};
use crate::domain::ids::{ContractId, DepartmentId, VendorId};
use crate::domain::Timestamp;
use sqlx::FromRow;

pub struct NewMessage<'a> {
    pub obligation: &'a str,
    pub deadline: &'a str,
    pub stage: &'a str,
    pub recipient: &'a str,
    pub audience: &'a str,
    pub contract_id: Option<ContractId>,
    pub contract_number: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    /// `pending` (to be sent), or `digested` (listed in a daily digest instead).
    pub status: &'a str,
}

/// Queues a message unless the same obligation, deadline, stage and recipient was queued before;
/// answers whether it was queued now.
pub async fn enqueue(conn: &mut Conn, message: &NewMessage<'_>) -> Result<bool, sqlx::Error> {
    let now = Timestamp::now();
    let inserted = sqlx::query(
        "INSERT INTO mail_outbox (obligation, deadline, stage, recipient, audience, contract_id, contract_number,
         subject, body_text, body_html, status, attempts, last_error, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, 0, '', $11, $11)
         ON CONFLICT (obligation, deadline, stage, recipient) DO NOTHING",
    )
    .bind(message.obligation)
    .bind(message.deadline)
    .bind(message.stage)
    .bind(message.recipient)
    .bind(message.audience)
    .bind(message.contract_id)
    .bind(message.contract_number)
    .bind(message.subject)
    .bind(message.body_text)
    .bind(message.body_html)
    .bind(now)
    .bind(message.status)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Whether that stage was queued (or sent) for that recipient already.
pub async fn known(
    conn: &mut Conn,
    obligation: &str,
    deadline: &str,
    stage: &str,
    recipient: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "SELECT id FROM mail_outbox WHERE obligation = $1 AND deadline = $2 AND stage = $3 AND recipient = $4",
    )
    .bind(obligation)
    .bind(deadline)
    .bind(stage)
    .bind(recipient)
    .fetch_optional(conn)
    .await?
    .is_some())
}

#[derive(Debug, Clone, FromRow)]
pub struct Queued {
    pub id: i64,
    pub obligation: String,
    pub stage: String,
    pub recipient: String,
    pub audience: String,
    pub contract_id: Option<ContractId>,
    pub contract_number: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub attempts: i64,
}

/// Takes up to `limit` messages due by `now` and marks them as being sent by this run. On
/// PostgreSQL, rows another server has taken are skipped (`FOR UPDATE SKIP LOCKED`), so two servers
/// running at once never take the same message; SQLite has one writer. A message left "sending" by a
/// run that died is taken again after `stale_before`.
pub async fn claim(
    conn: &mut Conn,
    backend: Backend,
    now: Timestamp,
    stale_before: Timestamp,
    limit: i64,
) -> Result<Vec<Queued>, sqlx::Error> {
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    sqlx::query_as(&format!(
        "UPDATE mail_outbox SET status = 'sending', claimed_at = $1 WHERE id IN (
            SELECT id FROM mail_outbox
            WHERE (status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND claimed_at < $2)
            ORDER BY id LIMIT $3{lock})
         RETURNING id, obligation, stage, recipient, audience, contract_id, contract_number, subject, body_text, body_html, attempts"
    ))
    .bind(now)
    .bind(stale_before)
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn mark_sent(conn: &mut Conn, id: i64, response: &str) -> Result<(), sqlx::Error> {
    let now = Timestamp::now();
    sqlx::query(
        "UPDATE mail_outbox SET status = 'sent', sent_at = $2, smtp_response = $3, attempts = attempts + 1,
         last_error = '', claimed_at = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(response)
    .execute(conn)
    .await?;
    Ok(())
}

/// Puts a message back with its error, to be tried again from `retry_at`.
pub async fn mark_failed(
    conn: &mut Conn,
    id: i64,
    error: &str,
    retry_at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE mail_outbox SET status = 'pending', attempts = attempts + 1, last_error = $2,
         next_attempt_at = $3, claimed_at = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(retry_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Messages waiting to be sent (including failed ones waiting for their next try).
pub async fn pending_count(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM mail_outbox WHERE status IN ('pending', 'sending')",
    )
    .fetch_one(conn)
    .await?;
    Ok(count)
}

/// Messages whose last try failed and that wait to be tried again.
pub async fn failing_count(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM mail_outbox WHERE status = 'pending' AND attempts > 0",
    )
    .fetch_one(conn)
    .await?;
    Ok(count)
}

/// Who gets reminders for a vendor: the vendor record's address and its active vendor users.
pub async fn vendor_recipients(
    conn: &mut Conn,
    vendor_id: VendorId,
) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT email FROM vendors WHERE id = $1 AND email <> ''
         UNION SELECT email FROM users WHERE vendor_id = $1 AND role = 'vendor' AND active = 1",
    )
    .bind(vendor_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(e,)| e).collect())
}

/// The active officers of a department, each with whether it chose a daily digest.
pub async fn officer_recipients(
    conn: &mut Conn,
    department_id: DepartmentId,
) -> Result<Vec<(String, bool)>, sqlx::Error> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT u.email, CAST(u.mail_digest AS BIGINT) FROM users u JOIN user_departments d ON d.user_id = u.id
         WHERE d.department_id = $1 AND u.role = 'officer' AND u.active = 1",
    )
    .bind(department_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(e, d)| (e, d == 1)).collect())
}

/// The active CISO users, each with whether it chose a daily digest.
pub async fn ciso_recipients(conn: &mut Conn) -> Result<Vec<(String, bool)>, sqlx::Error> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT email, CAST(mail_digest AS BIGINT) FROM users WHERE role = 'ciso' AND active = 1",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(e, d)| (e, d == 1)).collect())
}
