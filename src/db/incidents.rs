//! Incidents at contractors and their timelines.

use super::contracts::Visibility;
use super::sql::Sql;
use super::values::IntBool;
use super::Conn;
use crate::domain::ids::{ContractId, DepartmentId, IncidentId, VendorId};
use crate::domain::Timestamp;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Incident {
    pub id: IncidentId,
    pub contract_id: ContractId,
    pub contract_number: String,
    pub contract_title: String,
    pub department_id: DepartmentId,
    pub vendor_id: VendorId,
    pub vendor_name: String,
    pub occurred_at: Option<Timestamp>,
    pub aware_at: Timestamp,
    pub reported_at: Timestamp,
    pub deadline_at: Timestamp,
    #[sqlx(try_from = "IntBool")]
    pub reported_by_vendor: bool,
    #[sqlx(try_from = "IntBool")]
    pub on_time: bool,
    pub minutes_late: i64,
    pub summary: String,
    #[sqlx(try_from = "IntBool")]
    pub personal_data: bool,
    pub records: Option<i64>,
    pub actions: String,
    /// `responding`, `contained` or `closed`.
    pub status: String,
    pub closed_at: Option<Timestamp>,
    pub recorded_by: String,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct IncidentUpdate {
    pub id: i64,
    pub incident_id: IncidentId,
    /// `first`, `follow_up`, `final` or `note`.
    pub kind: String,
    pub body: String,
    pub status: String,
    pub at: Timestamp,
    pub written_by: String,
}

pub struct NewIncident<'a> {
    pub contract_id: ContractId,
    pub occurred_at: Option<Timestamp>,
    pub aware_at: Timestamp,
    pub reported_at: Timestamp,
    pub deadline_at: Timestamp,
    pub reported_by_vendor: bool,
    pub on_time: bool,
    pub minutes_late: i64,
    pub summary: &'a str,
    pub personal_data: bool,
    pub records: Option<i64>,
    pub actions: &'a str,
    pub recorded_by: &'a str,
}

const SELECT: &str = "SELECT i.id, i.contract_id, c.contract_number, c.title AS contract_title, c.department_id,
    c.vendor_id, v.name AS vendor_name, i.occurred_at, i.aware_at, i.reported_at, i.deadline_at,
    i.reported_by_vendor, i.on_time, i.minutes_late, i.summary, i.personal_data, i.records, i.actions, i.status,
    i.closed_at, i.recorded_by
    FROM incidents i JOIN contracts c ON c.id = i.contract_id JOIN vendors v ON v.id = c.vendor_id";

pub async fn insert(conn: &mut Conn, new: &NewIncident<'_>) -> Result<IncidentId, sqlx::Error> {
    let id: IncidentId = sqlx::query_scalar(
        "INSERT INTO incidents (contract_id, occurred_at, aware_at, reported_at, deadline_at, reported_by_vendor,
         on_time, minutes_late, summary, personal_data, records, actions, status, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'responding', $13) RETURNING id",
    )
    .bind(new.contract_id)
    .bind(new.occurred_at)
    .bind(new.aware_at)
    .bind(new.reported_at)
    .bind(new.deadline_at)
    .bind(i64::from(new.reported_by_vendor))
    .bind(i64::from(new.on_time))
    .bind(new.minutes_late)
    .bind(new.summary)
    .bind(i64::from(new.personal_data))
    .bind(new.records)
    .bind(new.actions)
    .bind(new.recorded_by)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Adds a step to the timeline and sets the incident's status (closing it at `at` when `closed`).
pub async fn add_update(
    conn: &mut Conn,
    incident_id: IncidentId,
    kind: &str,
    body: &str,
    status: &str,
    at: Timestamp,
    written_by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO incident_updates (incident_id, kind, body, status, at, written_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(incident_id)
    .bind(kind)
    .bind(body)
    .bind(status)
    .bind(at)
    .bind(written_by)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE incidents SET status = $1,
         closed_at = CASE WHEN $1 = 'closed' THEN COALESCE(closed_at, $2) ELSE NULL END WHERE id = $3",
    )
    .bind(status)
    .bind(at)
    .bind(incident_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut Conn, id: IncidentId) -> Result<Option<Incident>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE i.id = ").bind(id);
    sql.query_as().fetch_optional(conn).await
}

pub async fn for_contract(
    conn: &mut Conn,
    contract_id: ContractId,
) -> Result<Vec<Incident>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE i.contract_id = ")
        .bind(contract_id)
        .push(" ORDER BY i.reported_at DESC, i.id DESC");
    sql.query_as().fetch_all(conn).await
}

pub async fn updates(
    conn: &mut Conn,
    incident_id: IncidentId,
) -> Result<Vec<IncidentUpdate>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, incident_id, kind, body, status, at, written_by FROM incident_updates
         WHERE incident_id = $1 ORDER BY at, id",
    )
    .bind(incident_id)
    .fetch_all(conn)
    .await
}

/// The incidents `visibility` covers that were reported by `until`, newest first.
pub async fn reported_by(
    conn: &mut Conn,
    visibility: &Visibility,
    until: Timestamp,
) -> Result<Vec<Incident>, sqlx::Error> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE i.reported_at <= ").bind(until);
    super::contracts::visible_contracts(&mut sql, visibility);
    sql.push(" ORDER BY i.reported_at DESC, i.id DESC");
    sql.query_as().fetch_all(conn).await
}
