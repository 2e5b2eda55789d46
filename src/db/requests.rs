//! 年度一斉依頼: a request to the vendors of chosen contracts, and the progress of each contract.

use super::contracts::{self, Contract, Visibility};
use super::values::{IntBool, IsoDate};
use super::{Conn, Sql};
use crate::domain::ids::{ContractId, DepartmentId, RequestId};
use crate::domain::Timestamp;
use chrono::NaiveDate;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Request {
    pub id: RequestId,
    pub title: String,
    pub fiscal_year: i64,
    #[sqlx(try_from = "IntBool")]
    pub wants_checklist: bool,
    pub definition_id: String,
    #[sqlx(try_from = "IntBool")]
    pub wants_audit_report: bool,
    #[sqlx(try_from = "IsoDate")]
    pub due_on: NaiveDate,
    pub message: String,
    pub created_by: String,
    pub created_at: Timestamp,
}

impl Request {
    /// 令和8年度.
    pub fn fiscal_year_label(&self) -> String {
        crate::domain::FiscalYear::new(self.fiscal_year as i32)
            .map_or_else(|| format!("{}年度", self.fiscal_year), |fy| fy.label())
    }
}

/// Which contracts a request goes to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Criteria {
    pub department_id: Option<DepartmentId>,
    pub important_only: bool,
    /// Contracts whose period overlaps this fiscal year (April to March).
    pub active_in: Option<(NaiveDate, NaiveDate)>,
    pub personal_data_only: bool,
}

/// The visible contracts that meet the criteria.
pub async fn matching(
    conn: &mut Conn,
    visibility: &Visibility,
    criteria: &Criteria,
) -> Result<Vec<Contract>, sqlx::Error> {
    let mut extra = Sql::new("");
    if let Some(department) = criteria.department_id {
        extra.push(" AND c.department_id = ").bind(department);
    }
    if criteria.important_only {
        extra.push(" AND c.importance = 'important'");
    }
    if criteria.personal_data_only {
        extra.push(" AND c.handles_personal_data = 1");
    }
    if let Some((start, end)) = criteria.active_in {
        extra
            .push(" AND c.start_date <= ")
            .bind(end.to_string())
            .push(" AND c.end_date >= ")
            .bind(start.to_string());
    }
    contracts::visible_where(conn, visibility, &extra).await
}

pub struct NewRequest<'a> {
    pub title: &'a str,
    pub fiscal_year: i32,
    pub wants_checklist: bool,
    pub definition_id: &'a str,
    pub wants_audit_report: bool,
    pub due_on: NaiveDate,
    pub message: &'a str,
    pub created_by: &'a str,
}

pub async fn insert(
    conn: &mut Conn,
    request: &NewRequest<'_>,
    contract_ids: &[ContractId],
) -> Result<RequestId, sqlx::Error> {
    let id: RequestId = sqlx::query_scalar(
        "INSERT INTO requests (title, fiscal_year, wants_checklist, definition_id, wants_audit_report, due_on, message,
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(request.title)
    .bind(request.fiscal_year as i64)
    .bind(request.wants_checklist as i64)
    .bind(request.definition_id)
    .bind(request.wants_audit_report as i64)
    .bind(request.due_on.to_string())
    .bind(request.message)
    .bind(request.created_by)
    .bind(Timestamp::now())
    .fetch_one(&mut *conn)
    .await?;
    for contract_id in contract_ids {
        sqlx::query("INSERT INTO request_contracts (request_id, contract_id) VALUES ($1, $2)")
            .bind(id)
            .bind(contract_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

const SELECT: &str = "SELECT id, title, fiscal_year, wants_checklist, definition_id, wants_audit_report, due_on, message,
    created_by, created_at FROM requests";

pub async fn find(conn: &mut Conn, id: RequestId) -> Result<Option<Request>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Requests with at least one contract `visibility` may see, newest first.
pub async fn visible(
    conn: &mut Conn,
    visibility: &Visibility,
) -> Result<Vec<Request>, sqlx::Error> {
    let mut seen = Sql::new("");
    match visibility {
        Visibility::All => {}
        Visibility::Vendor(vendor_id) => {
            seen.push(" WHERE id IN (SELECT r.request_id FROM request_contracts r JOIN contracts c ON c.id = r.contract_id WHERE c.vendor_id = ")
                .bind(*vendor_id)
                .push(")");
        }
        Visibility::Departments(ids) => {
            seen.push(" WHERE id IN (SELECT r.request_id FROM request_contracts r JOIN contracts c ON c.id = r.contract_id WHERE 1 = 1")
                .and_in("c.department_id", ids)
                .push(")");
        }
    }
    let mut sql = Sql::new(SELECT);
    sql.append(&seen).push(" ORDER BY id DESC");
    sql.query_as().fetch_all(conn).await
}

/// The request's contracts that `visibility` may see.
pub async fn contracts_of(
    conn: &mut Conn,
    visibility: &Visibility,
    request_id: RequestId,
) -> Result<Vec<Contract>, sqlx::Error> {
    let mut extra =
        Sql::new(" AND c.id IN (SELECT contract_id FROM request_contracts WHERE request_id = ");
    extra.bind(request_id).push(")");
    contracts::visible_where(conn, visibility, &extra).await
}

/// The latest check-sheet status of each of the contracts uploaded since `since`.
pub async fn checklist_states(
    conn: &mut Conn,
    contract_ids: &[ContractId],
    since: Timestamp,
) -> Result<Vec<(ContractId, String)>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT t.contract_id, t.status FROM checklist_submissions t WHERE t.uploaded_at >= ",
    );
    sql.bind(since)
        .and_in("t.contract_id", contract_ids)
        .push(" AND t.id = (SELECT MAX(u.id) FROM checklist_submissions u WHERE u.contract_id = t.contract_id)");
    sql.query_as().fetch_all(conn).await
}

/// The latest audit-report status of each of the contracts for the fiscal year.
pub async fn audit_states(
    conn: &mut Conn,
    contract_ids: &[ContractId],
    fiscal_year: i64,
) -> Result<Vec<(ContractId, String)>, sqlx::Error> {
    let mut sql =
        Sql::new("SELECT t.contract_id, t.status FROM audit_reports t WHERE t.fiscal_year = ");
    sql.bind(fiscal_year)
        .and_in("t.contract_id", contract_ids)
        .push(" AND t.id = (SELECT MAX(u.id) FROM audit_reports u WHERE u.contract_id = t.contract_id AND u.fiscal_year = t.fiscal_year)");
    sql.query_as().fetch_all(conn).await
}

/// Requests still open on `day` (due on or after the first day a reminder may still be sent is
/// decided by the caller), newest first.
pub async fn all(conn: &mut Conn) -> Result<Vec<Request>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} ORDER BY id DESC"))
        .fetch_all(conn)
        .await
}
