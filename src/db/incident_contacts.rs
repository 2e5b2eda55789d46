//! Vendors' incident contacts, their yearly confirmations, the per-contract scope of what the vendor
//! does in an incident, and the CSIRT binder's rows.

use super::contracts::Visibility;
use super::sql::Sql;
use super::values::{iso, IntBool, IsoDate};
use super::Conn;
use crate::domain::ids::{ContractId, VendorId};
use crate::domain::incident_contact::IncidentContact;
use crate::domain::Timestamp;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct StoredContact {
    pub name: String,
    pub role: String,
    pub phone: String,
    pub email: String,
    pub hours: String,
    #[sqlx(try_from = "IntBool")]
    pub around_the_clock: bool,
}

const CONTACT_COLUMNS: &str = "k.name, k.role, k.phone, k.email, k.hours, k.around_the_clock";

pub async fn for_vendor(
    conn: &mut Conn,
    vendor_id: VendorId,
) -> Result<Vec<StoredContact>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {CONTACT_COLUMNS} FROM incident_contacts k WHERE k.vendor_id = $1 ORDER BY k.position"
    ))
    .bind(vendor_id)
    .fetch_all(conn)
    .await
}

/// Replaces the vendor's contacts with `contacts`, in their order, and the status the dashboard reads.
pub async fn replace(
    conn: &mut Conn,
    vendor_id: VendorId,
    contacts: &[IncidentContact],
    by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM incident_contacts WHERE vendor_id = $1")
        .bind(vendor_id)
        .execute(&mut *conn)
        .await?;
    for (position, contact) in contacts.iter().enumerate() {
        sqlx::query(
            "INSERT INTO incident_contacts (vendor_id, position, name, role, phone, email, hours, around_the_clock)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(vendor_id)
        .bind(position as i64)
        .bind(contact.name.as_str())
        .bind(&contact.role)
        .bind(&contact.phone)
        .bind(contact.email.as_str())
        .bind(&contact.hours)
        .bind(i64::from(contact.around_the_clock))
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "INSERT INTO incident_contact_status (vendor_id, contacts, around_the_clock, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (vendor_id) DO UPDATE SET contacts = excluded.contacts,
         around_the_clock = excluded.around_the_clock, updated_by = excluded.updated_by,
         updated_at = excluded.updated_at",
    )
    .bind(vendor_id)
    .bind(contacts.len() as i64)
    .bind(contacts.iter().filter(|c| c.around_the_clock).count() as i64)
    .bind(by)
    .bind(Timestamp::now())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn confirm(
    conn: &mut Conn,
    vendor_id: VendorId,
    day: NaiveDate,
    by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO incident_contact_confirmations (vendor_id, confirmed_on, confirmed_by, confirmed_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(vendor_id)
    .bind(iso(day))
    .bind(by)
    .bind(Timestamp::now())
    .execute(conn)
    .await?;
    Ok(())
}

/// The latest confirmation on or before `day`, with who made it.
pub async fn last_confirmation(
    conn: &mut Conn,
    vendor_id: VendorId,
    day: NaiveDate,
) -> Result<Option<(NaiveDate, String)>, sqlx::Error> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(try_from = "IsoDate")]
        confirmed_on: NaiveDate,
        confirmed_by: String,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT confirmed_on, confirmed_by FROM incident_contact_confirmations
         WHERE vendor_id = $1 AND confirmed_on <= $2 ORDER BY confirmed_on DESC, id DESC LIMIT 1",
    )
    .bind(vendor_id)
    .bind(iso(day))
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.confirmed_on, r.confirmed_by)))
}

pub async fn scope(
    conn: &mut Conn,
    contract_id: ContractId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT scope FROM contract_incident_scopes WHERE contract_id = $1")
        .bind(contract_id)
        .fetch_optional(conn)
        .await
}

pub async fn set_scope(
    conn: &mut Conn,
    contract_id: ContractId,
    scope: &str,
    by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO contract_incident_scopes (contract_id, scope, updated_by, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (contract_id) DO UPDATE SET scope = excluded.scope, updated_by = excluded.updated_by,
         updated_at = excluded.updated_at",
    )
    .bind(contract_id)
    .bind(scope)
    .bind(by)
    .bind(Timestamp::now())
    .execute(conn)
    .await?;
    Ok(())
}

/// One line of the CSIRT binder: a running contract and one of its vendor's contacts (none when the
/// vendor has registered none).
#[derive(Debug, Clone, FromRow)]
pub struct BinderRow {
    pub contract_number: String,
    pub title: String,
    pub department_name: String,
    pub importance: String,
    pub vendor_name: String,
    pub corporate_number: Option<String>,
    pub scope: Option<String>,
    pub confirmed_on: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub hours: Option<String>,
    pub around_the_clock: Option<i64>,
}

/// Every contract `visibility` covers that runs on `day`, with each contact of its vendor.
pub async fn binder(
    conn: &mut Conn,
    visibility: &Visibility,
    day: NaiveDate,
) -> Result<Vec<BinderRow>, sqlx::Error> {
    let day = iso(day);
    let mut sql = Sql::new(
        "SELECT c.contract_number, c.title, d.name AS department_name, c.importance, v.name AS vendor_name,
         v.corporate_number, s.scope,
         (SELECT MAX(f.confirmed_on) FROM incident_contact_confirmations f WHERE f.vendor_id = c.vendor_id
          AND f.confirmed_on <= ",
    );
    sql.bind(day.as_str()).push(
        ") AS confirmed_on, k.name, k.role, k.phone, k.email, k.hours, k.around_the_clock
         FROM contracts c JOIN vendors v ON v.id = c.vendor_id JOIN departments d ON d.id = c.department_id
         LEFT JOIN contract_incident_scopes s ON s.contract_id = c.id
         LEFT JOIN incident_contacts k ON k.vendor_id = c.vendor_id
         WHERE c.start_date <= ",
    );
    sql.bind(day.as_str())
        .push(" AND c.end_date >= ")
        .bind(day.as_str());
    super::contracts::visible_contracts(&mut sql, visibility);
    sql.push(" ORDER BY c.contract_number, k.position");
    sql.query_as().fetch_all(conn).await
}
