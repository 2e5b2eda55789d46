use super::sql::{contains_pattern, Sql};
use super::Conn;
use crate::domain::ids::{DepartmentId, VendorId};
use crate::domain::Timestamp;
use crate::domain::{CorporateNumber, InvoiceNumber, VendorCode, VendorIdentifier, VendorIdentity};
use sqlx::FromRow;

/// The identifier a vendor is known by, in SQL: its 法人番号, else its 登録番号, else its 業者番号.
pub const IDENTIFIER: &str = "COALESCE(v.corporate_number, v.invoice_number, v.vendor_code)";

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Vendor {
    pub id: VendorId,
    pub corporate_number: Option<String>,
    pub invoice_number: Option<String>,
    pub vendor_code: Option<String>,
    pub name: String,
    pub name_kana: String,
    pub address: String,
    /// 代表者.
    pub representative: String,
    pub contact_person: String,
    pub phone: String,
    pub email: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct VendorSummary {
    pub id: VendorId,
    /// Its 法人番号, else its 登録番号, else its 業者番号.
    pub identifier: String,
    pub name: String,
    pub name_kana: String,
    pub contract_count: i64,
}

/// The fields a vendor record is written with; each is already validated.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VendorRecord {
    pub corporate_number: Option<String>,
    pub invoice_number: Option<String>,
    pub vendor_code: Option<String>,
    pub name: String,
    pub name_kana: String,
    pub address: String,
    /// 代表者.
    pub representative: String,
    pub contact_person: String,
    pub phone: String,
    pub email: String,
}

const COLUMNS: &str = "id, corporate_number, invoice_number, vendor_code, name, name_kana, address,
    representative, contact_person, phone, email, created_at, updated_at";

pub async fn find(conn: &mut Conn, id: VendorId) -> Result<Option<Vendor>, sqlx::Error> {
    Sql::new(&format!("SELECT {COLUMNS} FROM vendors WHERE id = "))
        .bind(id)
        .query_as()
        .fetch_optional(conn)
        .await
}

/// The vendor an identifier names: a 法人番号 also finds a vendor registered by T + that number, and
/// a 登録番号 T + 13 digits also finds the corporation with those digits.
pub async fn find_by_identifier(
    conn: &mut Conn,
    identifier: &VendorIdentifier,
) -> Result<Option<Vendor>, sqlx::Error> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM vendors WHERE "));
    match identifier {
        VendorIdentifier::Corporate(number) => sql
            .push("corporate_number = ")
            .bind(number.as_str().to_string())
            .push(" OR invoice_number = ")
            .bind(format!("T{}", number.as_str())),
        VendorIdentifier::Invoice(invoice) => sql
            .push("invoice_number = ")
            .bind(invoice.as_str().to_string())
            .push(" OR corporate_number = ")
            .bind(invoice.digits().to_string()),
        VendorIdentifier::Code(code) => sql.push("vendor_code = ").bind(code.as_str().to_string()),
    };
    sql.push(" ORDER BY id LIMIT 1");
    sql.query_as().fetch_optional(conn).await
}

/// The vendors any of an identity's identifiers name (two when a ledger's 法人番号 and 業者番号 belong
/// to different registered vendors).
pub async fn find_by_identity(
    conn: &mut Conn,
    identity: &VendorIdentity,
) -> Result<Vec<Vendor>, sqlx::Error> {
    let mut found: Vec<Vendor> = Vec::new();
    let identifiers: Vec<VendorIdentifier> = identity.all().collect();
    for identifier in identifiers {
        if let Some(vendor) = find_by_identifier(conn, &identifier).await? {
            if !found.iter().any(|v| v.id == vendor.id) {
                found.push(vendor);
            }
        }
    }
    Ok(found)
}

/// Vendors whose name, kana, 法人番号, 登録番号 or 業者番号 contains `query`, a page at a time, with the total.
pub async fn search(
    conn: &mut Conn,
    query: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<VendorSummary>, i64), sqlx::Error> {
    let mut filter = Sql::new(" FROM vendors v");
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        push_matching(filter.push(" WHERE "), q);
    }
    let mut count = Sql::new("SELECT COUNT(*)");
    count.append(&filter);
    let total: i64 = count.query_as::<(i64,)>().fetch_one(&mut *conn).await?.0;
    let mut page = Sql::new(&format!(
        "SELECT v.id, {IDENTIFIER} AS identifier, v.name, v.name_kana,
         (SELECT COUNT(*) FROM contracts c WHERE c.vendor_id = v.id) AS contract_count"
    ));
    page.append(&filter)
        .push(" ORDER BY v.name, v.id LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    let items = page.query_as().fetch_all(conn).await?;
    Ok((items, total))
}

/// Appends the condition that a vendor's name, kana, 法人番号, 登録番号 or 業者番号 contains `query`.
fn push_matching(sql: &mut Sql, query: &str) {
    let pattern = contains_pattern(query);
    sql.push("(LOWER(v.name) LIKE ")
        .bind(pattern.as_str())
        .push(" ESCAPE '\\' OR LOWER(v.name_kana) LIKE ")
        .bind(pattern.as_str())
        .push(" ESCAPE '\\' OR v.corporate_number LIKE ")
        .bind(pattern.as_str())
        .push(" ESCAPE '\\' OR LOWER(v.invoice_number) LIKE ")
        .bind(pattern.as_str())
        .push(" ESCAPE '\\' OR LOWER(v.vendor_code) LIKE ")
        .bind(pattern)
        .push(" ESCAPE '\\')");
}

/// One vendor as the directory lists it.
pub async fn summary(conn: &mut Conn, id: VendorId) -> Result<Option<VendorSummary>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT v.id, {IDENTIFIER} AS identifier, v.name, v.name_kana,
         (SELECT COUNT(*) FROM contracts c WHERE c.vendor_id = v.id) AS contract_count FROM vendors v WHERE v.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

impl VendorSummary {
    /// 「法人番号 7000012050002」「登録番号 T…」「業者番号 …」
    pub fn identifier(&self) -> VendorIdentifier {
        VendorIdentifier::of_stored(&self.identifier)
    }
}

/// A vendor as a form's drop-down offers it.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct VendorChoice {
    pub id: VendorId,
    pub name: String,
    /// Its 法人番号, else 登録番号, else 業者番号: what a vendor field takes.
    pub identifier: String,
}

/// The vendors registered under exactly this name (at most two: enough to tell one from several).
pub async fn ids_named(conn: &mut Conn, name: &str) -> Result<Vec<VendorId>, sqlx::Error> {
    let ids: Vec<(VendorId,)> =
        sqlx::query_as("SELECT id FROM vendors WHERE name = $1 ORDER BY id LIMIT 2")
            .bind(name)
            .fetch_all(conn)
            .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

const CHOICE: &str = "SELECT v.id, v.name, COALESCE(v.corporate_number, v.invoice_number, v.vendor_code, '') AS identifier FROM vendors v";

/// The first `limit` vendors whose name, kana or number contains `query`: those whose name begins
/// with it first, then by name.
pub async fn suggestions(
    conn: &mut Conn,
    query: &str,
    limit: i64,
) -> Result<Vec<VendorChoice>, sqlx::Error> {
    let mut sql = Sql::new(CHOICE);
    push_matching(sql.push(" WHERE "), query);
    let starting = contains_pattern(query)[1..].to_string();
    sql.push(" ORDER BY CASE WHEN LOWER(v.name) LIKE ")
        .bind(starting)
        .push(" ESCAPE '\\' THEN 0 ELSE 1 END, v.name, v.id LIMIT ")
        .bind(limit);
    sql.query_as().fetch_all(conn).await
}

/// The vendor `id` as a vendor field offers it.
pub async fn choice(conn: &mut Conn, id: VendorId) -> Result<Option<VendorChoice>, sqlx::Error> {
    Sql::new(&format!("{CHOICE} WHERE v.id = "))
        .bind(id)
        .query_as()
        .fetch_optional(conn)
        .await
}

pub async fn insert(conn: &mut Conn, record: &VendorRecord) -> Result<VendorId, sqlx::Error> {
    let now = Timestamp::now();
    sqlx::query_scalar(
        "INSERT INTO vendors (corporate_number, invoice_number, vendor_code, name, name_kana, address, representative,
         contact_person, phone, email, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(&record.corporate_number)
    .bind(&record.invoice_number)
    .bind(&record.vendor_code)
    .bind(&record.name)
    .bind(&record.name_kana)
    .bind(&record.address)
    .bind(&record.representative)
    .bind(&record.contact_person)
    .bind(&record.phone)
    .bind(&record.email)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn update(
    conn: &mut Conn,
    id: VendorId,
    record: &VendorRecord,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE vendors SET corporate_number = $1, invoice_number = $2, vendor_code = $3, name = $4, name_kana = $5,
         address = $6, representative = $7, contact_person = $8, phone = $9, email = $10, updated_at = $11
         WHERE id = $12",
    )
    .bind(&record.corporate_number)
    .bind(&record.invoice_number)
    .bind(&record.vendor_code)
    .bind(&record.name)
    .bind(&record.name_kana)
    .bind(&record.address)
    .bind(&record.representative)
    .bind(&record.contact_person)
    .bind(&record.phone)
    .bind(&record.email)
    .bind(Timestamp::now())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() > 0)
}

impl Vendor {
    /// Its identifiers, as stored (each was valid when written).
    pub fn identity(&self) -> VendorIdentity {
        stored_identity(
            &self.corporate_number,
            &self.invoice_number,
            &self.vendor_code,
        )
    }

    /// 「法人番号 7000012050002」「登録番号 T…」「業者番号 …」
    pub fn identifier(&self) -> VendorIdentifier {
        self.identity().primary()
    }

    pub fn record(&self) -> VendorRecord {
        VendorRecord {
            corporate_number: self.corporate_number.clone(),
            invoice_number: self.invoice_number.clone(),
            vendor_code: self.vendor_code.clone(),
            name: self.name.clone(),
            name_kana: self.name_kana.clone(),
            address: self.address.clone(),
            representative: self.representative.clone(),
            contact_person: self.contact_person.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
        }
    }
}

impl VendorRecord {
    pub fn identity(&self) -> VendorIdentity {
        stored_identity(
            &self.corporate_number,
            &self.invoice_number,
            &self.vendor_code,
        )
    }
}

fn stored_identity(
    corporate: &Option<String>,
    invoice: &Option<String>,
    code: &Option<String>,
) -> VendorIdentity {
    VendorIdentity {
        corporate: corporate
            .as_deref()
            .and_then(|n| CorporateNumber::parse(n).ok()),
        invoice: invoice
            .as_deref()
            .and_then(|n| InvoiceNumber::parse(n).ok()),
        code: code.as_deref().and_then(|c| VendorCode::parse(c).ok()),
    }
}

/// ` AND {column} IN (…)`: the vendors with a contract, or a bid in a tender, of one of `departments`.
pub fn and_works_with(sql: &mut Sql, column: &str, departments: &[DepartmentId]) {
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
    vendor_id: VendorId,
    departments: &[DepartmentId],
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

/// Beyond this many vendors asked for, every vendor's name is read (and kept) instead.
const MOST_NAMED: usize = 500;

/// The names of the vendors with these ids, sorted by id: in one statement for a few, else every
/// vendor's, kept while the vendors stand (the dashboard names the vendors of most contracts).
pub async fn names_of(
    conn: &mut Conn,
    reads: &super::kept_reads::Reads<'_>,
    ids: impl IntoIterator<Item = VendorId>,
) -> Result<std::sync::Arc<Vec<(VendorId, String)>>, sqlx::Error> {
    let mut ids: Vec<VendorId> = ids.into_iter().collect();
    if ids.len() > MOST_NAMED {
        let every = Sql::new("SELECT id, name FROM vendors ORDER BY id");
        return super::kept_reads::fetch_all(conn, reads, &every).await;
    }
    ids.sort_unstable();
    ids.dedup();
    let mut sql = Sql::new("SELECT id, name FROM vendors WHERE 1 = 1");
    sql.and_in("id", &ids).push(" ORDER BY id");
    super::kept_reads::fetch_all(conn, reads, &sql).await
}
