use super::sql::{contains_pattern, Sql};
use super::{now_text, Conn};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Vendor {
    pub id: i64,
    pub corporate_number: String,
    pub name: String,
    pub name_kana: String,
    pub address: String,
    pub contact_person: String,
    pub phone: String,
    pub email: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct VendorSummary {
    pub id: i64,
    pub corporate_number: String,
    pub name: String,
    pub name_kana: String,
    pub contract_count: i64,
}

/// The fields a vendor record is written with; each is already validated.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VendorRecord {
    pub corporate_number: String,
    pub name: String,
    pub name_kana: String,
    pub address: String,
    pub contact_person: String,
    pub phone: String,
    pub email: String,
}

const COLUMNS: &str =
    "id, corporate_number, name, name_kana, address, contact_person, phone, email, created_at, updated_at";

pub async fn find(conn: &mut Conn, id: i64) -> Result<Option<Vendor>, sqlx::Error> {
    Sql::new(&format!("SELECT {COLUMNS} FROM vendors WHERE id = "))
        .bind(id)
        .query_as()
        .fetch_optional(conn)
        .await
}

pub async fn find_by_corporate_number(
    conn: &mut Conn,
    number: &str,
) -> Result<Option<Vendor>, sqlx::Error> {
    Sql::new(&format!(
        "SELECT {COLUMNS} FROM vendors WHERE corporate_number = "
    ))
    .bind(number)
    .query_as()
    .fetch_optional(conn)
    .await
}

/// Vendors whose name, kana or corporate number contains `query`, a page at a time, with the total.
pub async fn search(
    conn: &mut Conn,
    query: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<VendorSummary>, i64), sqlx::Error> {
    let mut filter = Sql::new(" FROM vendors v");
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        let pattern = contains_pattern(q);
        filter
            .push(" WHERE (LOWER(v.name) LIKE ")
            .bind(pattern.as_str())
            .push(" ESCAPE '\\' OR LOWER(v.name_kana) LIKE ")
            .bind(pattern.as_str())
            .push(" ESCAPE '\\' OR v.corporate_number LIKE ")
            .bind(pattern)
            .push(" ESCAPE '\\')");
    }
    let mut count = Sql::new("SELECT COUNT(*)");
    count.append(&filter);
    let total: i64 = count.query_as::<(i64,)>().fetch_one(&mut *conn).await?.0;
    let mut page = Sql::new(
        "SELECT v.id, v.corporate_number, v.name, v.name_kana,
         (SELECT COUNT(*) FROM contracts c WHERE c.vendor_id = v.id) AS contract_count",
    );
    page.append(&filter)
        .push(" ORDER BY v.name, v.id LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    let items = page.query_as().fetch_all(conn).await?;
    Ok((items, total))
}

/// One vendor as the directory lists it.
pub async fn summary(conn: &mut Conn, id: i64) -> Result<Option<VendorSummary>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.id, v.corporate_number, v.name, v.name_kana,
         (SELECT COUNT(*) FROM contracts c WHERE c.vendor_id = v.id) AS contract_count FROM vendors v WHERE v.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// A vendor as a form's drop-down offers it.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct VendorChoice {
    pub id: i64,
    pub name: String,
}

pub async fn choices(conn: &mut Conn) -> Result<Vec<VendorChoice>, sqlx::Error> {
    sqlx::query_as("SELECT id, name FROM vendors ORDER BY name, id")
        .fetch_all(conn)
        .await
}

pub async fn insert(conn: &mut Conn, record: &VendorRecord) -> Result<i64, sqlx::Error> {
    let now = now_text();
    sqlx::query_scalar(
        "INSERT INTO vendors (corporate_number, name, name_kana, address, contact_person, phone, email, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(&record.corporate_number)
    .bind(&record.name)
    .bind(&record.name_kana)
    .bind(&record.address)
    .bind(&record.contact_person)
    .bind(&record.phone)
    .bind(&record.email)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn update(conn: &mut Conn, id: i64, record: &VendorRecord) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE vendors SET corporate_number = $1, name = $2, name_kana = $3, address = $4, contact_person = $5,
         phone = $6, email = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(&record.corporate_number)
    .bind(&record.name)
    .bind(&record.name_kana)
    .bind(&record.address)
    .bind(&record.contact_person)
    .bind(&record.phone)
    .bind(&record.email)
    .bind(now_text())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() > 0)
}

impl Vendor {
    pub fn record(&self) -> VendorRecord {
        VendorRecord {
            corporate_number: self.corporate_number.clone(),
            name: self.name.clone(),
            name_kana: self.name_kana.clone(),
            address: self.address.clone(),
            contact_person: self.contact_person.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
        }
    }
}

/// ` AND {column} IN (…)`: the vendors with a contract, or a bid in a tender, of one of `departments`.
pub fn and_works_with(sql: &mut Sql, column: &str, departments: &[i64]) {
    let mut contracts = Sql::new("");
    contracts.and_in("department_id", departments);
    let mut tenders = Sql::new("");
    tenders.and_in("t.department_id", departments);
    sql.push(&format!(" AND {column} IN (SELECT vendor_id FROM contracts WHERE 1 = 1"))
        .append(&contracts)
        .push(" UNION SELECT b.vendor_id FROM tender_bidders b JOIN tenders t ON t.id = b.tender_id WHERE 1 = 1")
        .append(&tenders)
        .push(")");
}

/// Whether the vendor has a contract, or a bid in a tender, of one of `departments`.
pub async fn works_with(
    conn: &mut Conn,
    vendor_id: i64,
    departments: &[i64],
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("SELECT id FROM vendors WHERE id = ");
    sql.bind(vendor_id);
    and_works_with(&mut sql, "id", departments);
    Ok(sql
        .query_as::<(i64,)>()
        .fetch_optional(conn)
        .await?
        .is_some())
}
