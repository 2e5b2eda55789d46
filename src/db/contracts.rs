use super::sql::{contains_pattern, Sql};
use super::values::{iso, IntBool, IsoDate};
use super::Conn;
use crate::domain::ids::{ContractId, DepartmentId, VendorId};
use crate::domain::Timestamp;
use crate::domain::{BoundedText, ContractDraft, ContractStatus, Importance, Period, Yen};
use chrono::NaiveDate;
use sqlx::FromRow;

/// What names a contract wherever it is listed as owing something: its number and title, its
/// department and vendor, and whether it is important. A list of a whole registry reads only these.
#[derive(Debug, Clone, FromRow)]
pub struct ContractHeading {
    pub id: ContractId,
    pub contract_number: String,
    pub title: String,
    pub department_id: DepartmentId,
    pub department_name: String,
    pub vendor_id: VendorId,
    pub vendor_name: String,
    /// The vendor's 法人番号, else its 登録番号, else its 業者番号 (`VendorIdentifier::of_stored` tells which).
    pub vendor_identifier: String,
    #[sqlx(try_from = "String")]
    pub importance: Importance,
}

#[derive(Debug, Clone, FromRow)]
pub struct Contract {
    /// Its number, title, department, vendor and importance, read as fields of the contract.
    #[sqlx(flatten)]
    pub heading: ContractHeading,
    #[sqlx(try_from = "IsoDate")]
    pub start_date: NaiveDate,
    #[sqlx(try_from = "IsoDate")]
    pub end_date: NaiveDate,
    #[sqlx(try_from = "IntBool")]
    pub handles_personal_data: bool,
    pub personal_records: Option<i64>,
    #[sqlx(try_from = "IntBool")]
    pub uses_cloud: bool,
    #[sqlx(try_from = "IntBool")]
    pub subcontracting_allowed: bool,
    pub deletion_days: i64,
    #[sqlx(try_from = "IsoDate")]
    pub deletion_deadline: NaiveDate,
    pub notes: String,
    pub amount: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl std::ops::Deref for Contract {
    type Target = ContractHeading;

    fn deref(&self) -> &ContractHeading {
        &self.heading
    }
}

impl Contract {
    /// 「法人番号 7000012050002」「登録番号 T…」「業者番号 …」
    pub fn vendor_identifier(&self) -> crate::domain::VendorIdentifier {
        crate::domain::VendorIdentifier::of_stored(&self.vendor_identifier)
    }

    /// 契約金額, when known.
    pub fn amount(&self) -> Option<Yen> {
        self.amount.and_then(|value| Yen::new(value).ok())
    }

    /// The stored contract in the shape of a draft, to compare with or to log.
    pub fn draft(&self) -> ContractDraft {
        ContractDraft {
            contract_number: BoundedText::parse(&self.contract_number, "契約番号")
                .expect("stored numbers are valid"),
            title: BoundedText::parse(&self.title, "件名").expect("stored titles are valid"),
            department_id: self.department_id,
            vendor_id: self.vendor_id,
            period: Period::new(self.start_date, self.end_date).expect("stored periods are valid"),
            handles_personal_data: self.handles_personal_data,
            personal_records: self.personal_records,
            importance: self.importance,
            uses_cloud: self.uses_cloud,
            subcontracting_allowed: self.subcontracting_allowed,
            deletion_days: self.deletion_days,
            amount: self.amount(),
            notes: self.notes.clone(),
        }
    }

    pub fn status(&self, today: &NaiveDate) -> ContractStatus {
        ContractStatus::on(self.start_date, self.end_date, *today)
    }
}

pub use crate::auth::policy::Visibility;

/// Whose records a report reads: everything a reader may see, or one contract's.
#[derive(Debug, Clone, Copy)]
pub enum RecordScope<'a> {
    Visible(&'a Visibility),
    Contract(ContractId),
}

impl RecordScope<'_> {
    /// Narrows a query of a table with a `contract_id` column (`column` names it) to this scope.
    pub(crate) fn restrict(&self, sql: &mut Sql, column: &str) {
        match self {
            RecordScope::Contract(id) => {
                sql.push(&format!(" AND {column} = ")).bind(*id);
            }
            RecordScope::Visible(Visibility::All) => {}
            RecordScope::Visible(Visibility::Vendor(vendor_id)) => {
                sql.push(&format!(
                    " AND {column} IN (SELECT s.id FROM contracts s WHERE s.vendor_id = "
                ))
                .bind(*vendor_id)
                .push(")");
            }
            RecordScope::Visible(Visibility::Departments(ids)) => {
                sql.push(&format!(
                    " AND {column} IN (SELECT s.id FROM contracts s WHERE 1 = 1"
                ))
                .and_in("s.department_id", ids)
                .push(")");
            }
        }
    }
}

/// What a contract list is narrowed to, beyond what the reader may see.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ContractFilter {
    pub query: Option<String>,
    pub department_id: Option<DepartmentId>,
    pub vendor_id: Option<VendorId>,
    pub status: Option<ContractStatus>,
    pub end_from: Option<NaiveDate>,
    pub end_to: Option<NaiveDate>,
    /// 契約金額 at least / at most (a contract whose amount is unknown matches neither bound).
    pub amount_min: Option<Yen>,
    pub amount_max: Option<Yen>,
}

/// The columns of a [`ContractHeading`], from [`FROM`]'s tables.
macro_rules! heading_columns {
    () => {
        "c.id, c.contract_number, c.title, c.department_id, d.name AS department_name,
    c.vendor_id, v.name AS vendor_name,
    COALESCE(v.corporate_number, v.invoice_number, v.vendor_code) AS vendor_identifier, c.importance"
    };
}
pub(crate) const HEADING_COLUMNS: &str = heading_columns!();

/// The columns of a [`Contract`], from [`FROM`]'s tables.
pub(crate) const COLUMNS: &str = concat!(
    heading_columns!(),
    ", c.start_date, c.end_date, c.handles_personal_data, c.personal_records, c.uses_cloud,
    c.subcontracting_allowed, c.deletion_days, c.deletion_deadline, c.notes, c.amount, c.created_at, c.updated_at"
);

pub(crate) const FROM: &str =
    "FROM contracts c JOIN departments d ON d.id = c.department_id JOIN vendors v ON v.id = c.vendor_id";

fn select() -> String {
    format!("SELECT {COLUMNS} {FROM}")
}

/// The `WHERE` clause for a reader's visibility and a filter, evaluated on `today`.
pub(crate) fn where_clause(
    visibility: &Visibility,
    filter: &ContractFilter,
    today: NaiveDate,
) -> Sql {
    conditions(visibility, filter, today).into_where()
}

/// ` AND …` narrowing contracts aliased `c` to those `visibility` covers.
pub fn visible_contracts(sql: &mut Sql, visibility: &Visibility) {
    match visibility {
        Visibility::All => {}
        Visibility::Vendor(vendor_id) => {
            sql.push(" AND c.vendor_id = ").bind(*vendor_id);
        }
        Visibility::Departments(ids) => {
            sql.and_in("c.department_id", ids);
        }
    }
}

/// The conditions of `where_clause`, each as ` AND …`.
fn conditions(visibility: &Visibility, filter: &ContractFilter, today: NaiveDate) -> Sql {
    let mut sql = Sql::new("");
    visible_contracts(&mut sql, visibility);
    if let Some(q) = filter.query.as_deref().filter(|q| !q.is_empty()) {
        let pattern = contains_pattern(q);
        sql.push(" AND (LOWER(c.title) LIKE ")
            .bind(pattern.as_str())
            .push(" ESCAPE '\\' OR LOWER(c.contract_number) LIKE ")
            .bind(pattern.as_str())
            // The vendors named so are found once, not by a join for every contract.
            .push(" ESCAPE '\\' OR c.vendor_id IN (SELECT n.id FROM vendors n WHERE LOWER(n.name) LIKE ")
            .bind(pattern)
            .push(" ESCAPE '\\'))");
    }
    if let Some(id) = filter.department_id {
        sql.push(" AND c.department_id = ").bind(id);
    }
    if let Some(id) = filter.vendor_id {
        sql.push(" AND c.vendor_id = ").bind(id);
    }
    if let Some(status) = filter.status {
        sql.append(&in_status(status, today));
    }
    if let Some(from) = filter.end_from {
        sql.push(" AND c.end_date >= ").bind(iso(from));
    }
    if let Some(to) = filter.end_to {
        sql.push(" AND c.end_date <= ").bind(iso(to));
    }
    if let Some(least) = filter.amount_min {
        sql.push(" AND c.amount >= ").bind(least.value());
    }
    if let Some(most) = filter.amount_max {
        sql.push(" AND c.amount <= ").bind(most.value());
    }
    sql
}

/// ` AND …`: the contract (`c`) is in `status` on `today`.
fn in_status(status: ContractStatus, today: NaiveDate) -> Sql {
    let today = iso(today);
    let mut sql = Sql::new("");
    match status {
        ContractStatus::Planned => sql.push(" AND c.start_date > ").bind(today),
        ContractStatus::Active => sql
            .push(" AND c.start_date <= ")
            .bind(today.as_str())
            .push(" AND c.end_date >= ")
            .bind(today),
        ContractStatus::Ended => sql.push(" AND c.end_date < ").bind(today),
    };
    sql
}

/// How many contracts a reader sees in each status on a day, in the order of `ContractStatus::ALL`:
/// counted by department, and after a write brought forward from the departments it touched
/// (`kept_reads::fetch_regrouped`), since counting is a scan of the table.
pub async fn count_by_status(
    conn: &mut Conn,
    reads: &super::kept_reads::Reads<'_>,
    visibility: &Visibility,
    today: NaiveDate,
) -> Result<[i64; 3], sqlx::Error> {
    let counted = |departments: Option<&[i64]>| {
        let mut sql = Sql::new("SELECT c.department_id");
        for status in ContractStatus::ALL {
            sql.push(", CAST(SUM(CASE WHEN 1 = 1")
                .append(&in_status(status, today))
                .push(" THEN 1 ELSE 0 END) AS BIGINT)");
        }
        sql.push(" FROM contracts c WHERE 1 = 1");
        visible_contracts(&mut sql, visibility);
        if let Some(ids) = departments {
            sql.and_in("c.department_id", ids);
        }
        sql.push(" GROUP BY c.department_id");
        sql
    };
    let department_of = |row: &(i64, i64, i64, i64)| row.0;
    let only = |ids: &[i64]| Some(counted(Some(ids)));
    let regrouped = super::kept_reads::fetch_regrouped(
        conn,
        reads,
        &counted(None),
        "department_id",
        department_of,
        only,
    )
    .await?;
    Ok(regrouped
        .rows
        .iter()
        .fold([0; 3], |sums, (_, planned, active, ended)| {
            [sums[0] + planned, sums[1] + active, sums[2] + ended]
        }))
}

/// How many contracts a reader sees through a filter on a day, kept while the tables it reads stand
/// (`kept_reads`): counting is a scan of the table, and a record's upload leaves it as it was.
pub async fn count(
    conn: &mut Conn,
    reads: &super::kept_reads::Reads<'_>,
    visibility: &Visibility,
    filter: &ContractFilter,
    today: NaiveDate,
) -> Result<i64, sqlx::Error> {
    let mut count = Sql::new("SELECT COUNT(*) FROM contracts c");
    count.append(&where_clause(visibility, filter, today));
    let counted = super::kept_reads::fetch_all::<(i64,)>(conn, reads, &count).await?;
    Ok(counted.first().map_or(0, |(count,)| *count))
}

/// A column the contract list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderKey {
    EndDate,
    StartDate,
    ContractNumber,
    Title,
    Department,
    Vendor,
    DeletionDeadline,
}

impl OrderKey {
    pub const ALL: [OrderKey; 7] = [
        OrderKey::ContractNumber,
        OrderKey::Title,
        OrderKey::Department,
        OrderKey::Vendor,
        OrderKey::StartDate,
        OrderKey::EndDate,
        OrderKey::DeletionDeadline,
    ];

    /// The name used in `sort=` (`-` in front for descending).
    pub fn code(self) -> &'static str {
        match self {
            OrderKey::EndDate => "end_date",
            OrderKey::StartDate => "start_date",
            OrderKey::ContractNumber => "contract_number",
            OrderKey::Title => "title",
            OrderKey::Department => "department",
            OrderKey::Vendor => "vendor",
            OrderKey::DeletionDeadline => "deletion_deadline",
        }
    }

    fn column(self) -> &'static str {
        match self {
            OrderKey::EndDate => "c.end_date",
            OrderKey::StartDate => "c.start_date",
            OrderKey::ContractNumber => "c.contract_number",
            OrderKey::Title => "c.title",
            OrderKey::Department => "d.name",
            OrderKey::Vendor => "v.name",
            OrderKey::DeletionDeadline => "c.deletion_deadline",
        }
    }
}

/// The contract list's order: a column and a direction, ties broken by contract number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    pub key: OrderKey,
    pub descending: bool,
}

impl Order {
    /// The latest end first: what an officer looks at most, and the order deep pages continue in.
    pub const DEFAULT: Order = Order {
        key: OrderKey::EndDate,
        descending: true,
    };

    /// `end_date` ascending, `-end_date` descending.
    pub fn parse(text: &str) -> Option<Order> {
        let (descending, code) = match text.strip_prefix('-') {
            Some(code) => (true, code),
            None => (false, text),
        };
        let key = OrderKey::ALL.into_iter().find(|key| key.code() == code)?;
        Some(Order { key, descending })
    }

    pub fn code(self) -> String {
        format!(
            "{}{}",
            if self.descending { "-" } else { "" },
            self.key.code()
        )
    }

    fn clause(self) -> String {
        let direction = if self.descending { "DESC" } else { "ASC" };
        match self.key {
            OrderKey::ContractNumber => format!(" ORDER BY c.contract_number {direction}"),
            key => format!(" ORDER BY {} {direction}, c.contract_number", key.column()),
        }
    }
}

impl Default for Order {
    fn default() -> Self {
        Order::DEFAULT
    }
}

/// Where a page of the list starts: after the `offset` first contracts, or just after a given one (the
/// list's order key), which the index on that key finds at once however deep the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    Offset(i64),
    After {
        end_date: NaiveDate,
        contract_number: String,
    },
}

/// One page of the contracts a reader may see, in `order`, kept while the tables it reads stand
/// (`kept_reads`): a search by a word in few titles walks every contract, and an upload leaves it as
/// it was. A page that starts after a given contract follows the default order, the one its index
/// serves.
#[allow(clippy::too_many_arguments)]
pub async fn page(
    conn: &mut Conn,
    reads: &super::kept_reads::Reads<'_>,
    visibility: &Visibility,
    filter: &ContractFilter,
    today: NaiveDate,
    limit: i64,
    start: &Start,
    order: Order,
) -> Result<Vec<Contract>, sqlx::Error> {
    let order = match start {
        Start::After { .. } => Order::DEFAULT,
        Start::Offset(_) => order,
    };
    let mut page = Sql::new(&select());
    page.append(&where_clause(visibility, filter, today));
    if let Start::After {
        end_date,
        contract_number,
    } = start
    {
        // The `<=` bound alone is what lets the planner start the index range at the row; the rest
        // skips the rows before it that share its end date.
        page.push(" AND c.end_date <= ")
            .bind(iso(*end_date))
            .push(" AND (c.end_date < ")
            .bind(iso(*end_date))
            .push(" OR c.contract_number > ")
            .bind(contract_number.as_str())
            .push(")");
    }
    page.push(&order.clause()).push(" LIMIT ").bind(limit);
    if let Start::Offset(offset) = start {
        page.push(" OFFSET ").bind(*offset);
    }
    let rows = super::kept_reads::fetch_all::<Contract>(conn, reads, &page).await?;
    Ok(std::sync::Arc::unwrap_or_clone(rows))
}

/// The contracts `visibility` may see that also meet `extra` (conditions written as ` AND …` on `c`),
/// by contract number.
pub async fn visible_where(
    conn: &mut Conn,
    visibility: &Visibility,
    extra: &Sql,
) -> Result<Vec<Contract>, sqlx::Error> {
    let mut condition = conditions(visibility, &ContractFilter::default(), NaiveDate::MIN);
    condition.append(extra);
    let mut sql = Sql::new(&select());
    sql.append(&condition.into_where())
        .push(" ORDER BY c.contract_number");
    sql.query_as().fetch_all(conn).await
}

pub async fn find(
    conn: &mut Conn,
    visibility: &Visibility,
    id: ContractId,
) -> Result<Option<Contract>, sqlx::Error> {
    let mut condition = conditions(visibility, &ContractFilter::default(), NaiveDate::MIN);
    condition.push(" AND c.id = ").bind(id);
    let mut sql = Sql::new(&select());
    sql.append(&condition.into_where());
    sql.query_as().fetch_optional(conn).await
}

pub async fn find_by_number(
    conn: &mut Conn,
    number: &str,
) -> Result<Option<Contract>, sqlx::Error> {
    let mut sql = Sql::new(&select());
    sql.push(" WHERE c.contract_number = ").bind(number);
    sql.query_as().fetch_optional(conn).await
}

pub async fn insert(conn: &mut Conn, draft: &ContractDraft) -> Result<ContractId, sqlx::Error> {
    let now = Timestamp::now();
    let id = bind_draft(
        sqlx::query_scalar(
            "INSERT INTO contracts (contract_number, title, department_id, vendor_id, start_date, end_date,
             handles_personal_data, personal_records, importance, uses_cloud, subcontracting_allowed, deletion_days,
             deletion_deadline, notes, amount, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id",
        ),
        draft,
    )
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map(ContractId::new)?;
    super::standings::restand(conn, id).await?;
    Ok(id)
}

pub async fn update(
    conn: &mut Conn,
    id: ContractId,
    draft: &ContractDraft,
) -> Result<bool, sqlx::Error> {
    let result = bind_draft(
        sqlx::query_scalar::<_, i64>(
            "UPDATE contracts SET contract_number = $1, title = $2, department_id = $3, vendor_id = $4,
             start_date = $5, end_date = $6, handles_personal_data = $7, personal_records = $8, importance = $9,
             uses_cloud = $10, subcontracting_allowed = $11, deletion_days = $12, deletion_deadline = $13,
             notes = $14, amount = $15, updated_at = $16 WHERE id = $17 RETURNING id",
        ),
        draft,
    )
    .bind(Timestamp::now())
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if result.is_some() {
        super::standings::restand(conn, id).await?;
        super::clauses::sync(conn, id).await?;
    }
    Ok(result.is_some())
}

type ScalarQuery<'q> = sqlx::query::QueryScalar<'q, sqlx::Any, i64, sqlx::any::AnyArguments<'q>>;

fn bind_draft<'q>(query: ScalarQuery<'q>, draft: &'q ContractDraft) -> ScalarQuery<'q> {
    query
        .bind(draft.contract_number.as_str())
        .bind(draft.title.as_str())
        .bind(draft.department_id)
        .bind(draft.vendor_id)
        .bind(iso(draft.period.start()))
        .bind(iso(draft.period.end()))
        .bind(draft.handles_personal_data as i64)
        .bind(draft.personal_records)
        .bind(draft.importance.as_code())
        .bind(draft.uses_cloud as i64)
        .bind(draft.subcontracting_allowed as i64)
        .bind(draft.deletion_days)
        .bind(iso(draft.deletion_deadline()))
        .bind(draft.notes.as_str())
        .bind(draft.amount.map(Yen::value))
}

/// Whether the contract's vendor has handed in anything for it: a check sheet, an audit report or a
/// deletion certificate.
pub async fn has_vendor_records(conn: &mut Conn, id: ContractId) -> Result<bool, sqlx::Error> {
    let (found,): (i64,) = sqlx::query_as(
        "SELECT CAST(CASE WHEN EXISTS (SELECT 1 FROM checklist_submissions WHERE contract_id = $1) \
         OR EXISTS (SELECT 1 FROM audit_reports WHERE contract_id = $1) \
         OR EXISTS (SELECT 1 FROM deletion_certificates WHERE contract_id = $1) THEN 1 ELSE 0 END AS BIGINT)",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(found == 1)
}
