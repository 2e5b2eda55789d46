//! Notifications per user: written when a reminder goes to the user or something happens to records
//! the user works on; read on the notifications page.

use super::Conn;
use crate::domain::ids::{ContractId, NotificationId, UserId, VendorId};
use crate::domain::Timestamp;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Notification {
    pub id: NotificationId,
    pub title: String,
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// Notifies every active user the query `recipients` selects (a `SELECT id FROM users …` with one
/// parameter), inside the caller's transaction.
async fn notify_selected(
    conn: &mut Conn,
    recipients: &str,
    parameter: i64,
    title: &str,
    link: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO notifications (user_id, title, link, created_at) SELECT id, $2, $3, $4 FROM users WHERE active = 1 AND id IN ({recipients})"
    ))
    .bind(parameter)
    .bind(title)
    .bind(link)
    .bind(Timestamp::now())
    .execute(conn)
    .await?;
    Ok(())
}

/// The vendor's users.
pub async fn notify_vendor(
    conn: &mut Conn,
    vendor_id: VendorId,
    title: &str,
    link: &str,
) -> Result<(), sqlx::Error> {
    notify_selected(
        conn,
        "SELECT id FROM users WHERE role = 'vendor' AND vendor_id = $1",
        vendor_id.get(),
        title,
        link,
    )
    .await
}

/// The officers of the contract's department.
pub async fn notify_contract_officers(
    conn: &mut Conn,
    contract_id: ContractId,
    title: &str,
    link: &str,
) -> Result<(), sqlx::Error> {
    notify_selected(
        conn,
        "SELECT u.user_id FROM user_departments u JOIN contracts c ON c.department_id = u.department_id \
         JOIN users o ON o.id = u.user_id WHERE o.role = 'officer' AND c.id = $1",
        contract_id.get(),
        title,
        link,
    )
    .await
}

/// The user with this e-mail address, if there is one.
pub async fn notify_address(
    conn: &mut Conn,
    email: &str,
    title: &str,
    link: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notifications (user_id, title, link, created_at) SELECT id, $2, $3, $4 FROM users WHERE active = 1 AND email = $1",
    )
    .bind(email)
    .bind(title)
    .bind(link)
    .bind(Timestamp::now())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn for_user(
    conn: &mut Conn,
    user_id: UserId,
    limit: i64,
) -> Result<Vec<Notification>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, title, link, created_at, read_at FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn unread_count(conn: &mut Conn, user_id: UserId) -> Result<i64, sqlx::Error> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(conn)
    .await?;
    Ok(count)
}

/// Marks the user's notifications read: one (`Some(id)`) or all.
pub async fn mark_read(
    conn: &mut Conn,
    user_id: UserId,
    id: Option<NotificationId>,
) -> Result<u64, sqlx::Error> {
    let mut sql = String::from(
        "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
    );
    if id.is_some() {
        sql.push_str(" AND id = $3");
    }
    let mut query = sqlx::query(&sql).bind(user_id).bind(Timestamp::now());
    if let Some(id) = id {
        query = query.bind(id);
    }
    Ok(query.execute(conn).await?.rows_affected())
}
