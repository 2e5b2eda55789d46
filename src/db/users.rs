use super::sql::Sql;
use super::values::IntBool;
use super::Conn;
use crate::domain::ids::{DepartmentId, UserId, VendorId};
use crate::domain::Timestamp;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub vendor_id: Option<VendorId>,
    pub password_hash: String,
    #[sqlx(try_from = "IntBool")]
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A user as the administration pages list them.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct UserSummary {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub vendor_id: Option<VendorId>,
    pub vendor_name: Option<String>,
    #[sqlx(try_from = "IntBool")]
    pub active: bool,
    pub departments: String,
}

const COLUMNS: &str =
    "id, email, display_name, role, vendor_id, password_hash, active, created_at, updated_at";

pub async fn count(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    Ok(sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM users")
        .fetch_one(conn)
        .await?
        .0)
}

pub async fn find(conn: &mut Conn, id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
    Sql::new(&format!("SELECT {COLUMNS} FROM users WHERE id = "))
        .bind(id)
        .query_as()
        .fetch_optional(conn)
        .await
}

/// The user columns and the departments join that a session or token lookup adds after its own row
/// (`{credential}` is that row's alias), so that a request is resolved to its user in one statement.
pub(super) const SIGNED_IN_COLUMNS: &str = "u.id, u.email, u.display_name, u.role, u.vendor_id,
    u.password_hash, u.active, u.created_at, u.updated_at, ud.department_id";

pub(super) fn signed_in_join(credential: &str) -> String {
    format!(
        "JOIN users u ON u.id = {credential}.user_id
         LEFT JOIN user_departments ud ON ud.user_id = u.id"
    )
}

/// Rows of (credential, user, one department) folded into the credential, its user and every
/// department, or `None` when there were no rows.
pub(super) fn with_departments<T>(
    rows: Vec<(T, UserRow, Option<DepartmentId>)>,
) -> Option<(T, UserRow, Vec<DepartmentId>)> {
    let departments = rows.iter().filter_map(|(_, _, d)| *d).collect();
    let (credential, user, _) = rows.into_iter().next()?;
    Some((credential, user, departments))
}

pub async fn find_by_email(conn: &mut Conn, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    Sql::new(&format!("SELECT {COLUMNS} FROM users WHERE email = "))
        .bind(email)
        .query_as()
        .fetch_optional(conn)
        .await
}

pub async fn department_ids(
    conn: &mut Conn,
    user_id: UserId,
) -> Result<Vec<DepartmentId>, sqlx::Error> {
    let rows: Vec<(DepartmentId,)> = sqlx::query_as(
        "SELECT department_id FROM user_departments WHERE user_id = $1 ORDER BY department_id",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

pub async fn list(conn: &mut Conn) -> Result<Vec<UserSummary>, sqlx::Error> {
    let users: Vec<UserSummary> = sqlx::query_as(
        "SELECT u.id, u.email, u.display_name, u.role, u.vendor_id, v.name AS vendor_name, u.active, '' AS departments
         FROM users u LEFT JOIN vendors v ON v.id = u.vendor_id ORDER BY u.role, u.email",
    )
    .fetch_all(&mut *conn)
    .await?;
    let pairs: Vec<(UserId, String)> = sqlx::query_as(
        "SELECT ud.user_id, d.name FROM user_departments ud JOIN departments d ON d.id = ud.department_id ORDER BY d.name",
    )
    .fetch_all(conn)
    .await?;
    Ok(users
        .into_iter()
        .map(|mut user| {
            user.departments = pairs
                .iter()
                .filter(|(id, _)| *id == user.id)
                .map(|(_, name)| name.as_str())
                .collect::<Vec<_>>()
                .join("、");
            user
        })
        .collect())
}

/// How many users each role has, active and not: `(role, active, count)`.
pub async fn counts_by_role(conn: &mut Conn) -> Result<Vec<(String, bool, i64)>, sqlx::Error> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT role, CAST(active AS BIGINT), CAST(COUNT(*) AS BIGINT) FROM users GROUP BY role, active ORDER BY role, active",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(role, active, count)| (role, active == 1, count))
        .collect())
}

/// What a user record is written with.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub vendor_id: Option<VendorId>,
    pub password_hash: &'a str,
}

pub async fn insert(conn: &mut Conn, user: &NewUser<'_>) -> Result<UserId, sqlx::Error> {
    let now = Timestamp::now();
    sqlx::query_scalar(
        "INSERT INTO users (email, display_name, role, vendor_id, password_hash, active, created_at, updated_at, password_changed_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6, $6) RETURNING id",
    )
    .bind(user.email)
    .bind(user.display_name)
    .bind(user.role)
    .bind(user.vendor_id)
    .bind(user.password_hash)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn update_profile(
    conn: &mut Conn,
    id: UserId,
    display_name: &str,
    role: &str,
    vendor_id: Option<VendorId>,
    active: bool,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE users SET display_name = $1, role = $2, vendor_id = $3, active = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(display_name)
    .bind(role)
    .bind(vendor_id)
    .bind(active as i64)
    .bind(Timestamp::now())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() > 0)
}

pub async fn set_departments(
    conn: &mut Conn,
    user_id: UserId,
    department_ids: &[DepartmentId],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM user_departments WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for department_id in department_ids {
        sqlx::query("INSERT INTO user_departments (user_id, department_id) VALUES ($1, $2)")
            .bind(user_id)
            .bind(*department_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn set_password(
    conn: &mut Conn,
    id: UserId,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    let now = Timestamp::now();
    sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether the user gets reminders as one daily digest.
pub async fn mail_digest(conn: &mut Conn, user_id: UserId) -> Result<bool, sqlx::Error> {
    let (digest,): (i64,) =
        sqlx::query_as("SELECT CAST(mail_digest AS BIGINT) FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(conn)
            .await?;
    Ok(digest == 1)
}

pub async fn set_mail_digest(
    conn: &mut Conn,
    user_id: UserId,
    digest: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET mail_digest = $2 WHERE id = $1")
        .bind(user_id)
        .bind(digest as i64)
        .execute(conn)
        .await?;
    Ok(())
}
