//! The standings tables (migration 0022): what each contract owes, kept by the transaction that changes
//! one of its records. `restand` rewrites one contract's rows from its records; `rebuild` and
//! `differences` do the same for every contract, in batches, to build them for older data and to check
//! (`itaku rejudge`) that the rows kept write by write equal the rows the records make.

pub mod judged;

use super::reviews::Reviewed;
use super::sql::{insert_rows, Param};
use super::values::iso;
use super::Conn;
use crate::domain::ids::{ContractId, DepartmentId, VendorId};
use crate::domain::standing::{
    AuditStanding, ChecklistStanding, ContractStanding, Holder, Proof, Records, Standings, Upload,
};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Contracts read and written per batch by `rebuild` and `differences`.
const BATCH: i64 = 5_000;

/// Rewrites the standings of one contract from its records. Every write that changes a contract, its
/// deletion certificates, audit reports or check sheets calls it in its own transaction.
pub async fn restand(conn: &mut Conn, contract_id: ContractId) -> Result<(), sqlx::Error> {
    let id = contract_id.get();
    let new = derive(conn, id, id).await?.remove(&id);
    let old = stored(conn, id, id).await?.remove(&id);
    record_touches(conn, id, touched(old.as_ref(), new.as_ref())).await?;
    // Only the rows that change are written: results read from an unchanged table stay kept
    // (`db::kept_reads`), and an upload changes two rows of one table whatever the contract's history.
    let contract_changed = new.as_ref().map(|s| &s.contract) != old.as_ref().map(|s| &s.contract);
    if contract_changed {
        sqlx::query("DELETE FROM contract_standings WHERE contract_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    let (old_audits, old_checklists) = old.map(|s| (s.audits, s.checklists)).unwrap_or_default();
    let (new_audits, new_checklists) = new
        .as_ref()
        .map(|s| (s.audits.as_slice(), s.checklists.as_slice()))
        .unwrap_or_default();
    let gone = old_audits
        .iter()
        .filter(|a| !new_audits.contains(a))
        .map(|a| ("audit_standings", "fiscal_year", i64::from(a.fiscal_year)));
    let gone = gone.chain(
        old_checklists
            .iter()
            .filter(|c| !new_checklists.contains(c))
            .map(|c| ("checklist_standings", "version", c.version)),
    );
    for (table, key, value) in gone.collect::<Vec<_>>() {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE contract_id = $1 AND {key} = $2"
        ))
        .bind(id)
        .bind(value)
        .execute(&mut *conn)
        .await?;
    }
    if let Some(mut new) = new {
        new.audits.retain(|a| !old_audits.contains(a));
        new.checklists.retain(|c| !old_checklists.contains(c));
        insert(conn, BTreeMap::from([(id, new)]), contract_changed).await?;
    }
    Ok(())
}

/// Rewrites every contract's standings from the records, in one transaction held by the caller.
pub async fn rebuild(conn: &mut Conn) -> Result<usize, sqlx::Error> {
    let mut contracts = 0;
    for (first, last) in batches(conn).await? {
        let derived = derive(conn, first, last).await?;
        contracts += derived.len();
        replace(conn, first, last, derived).await?;
    }
    // Rows of contracts that no longer exist (there is no way to delete one today; a restore could).
    for table in TABLES {
        sqlx::query(&format!("DELETE FROM {table} WHERE {NO_CONTRACT}"))
            .execute(&mut *conn)
            .await?;
    }
    let everything = TABLES.map(|table| vec![Param::from(table)]).to_vec();
    insert_rows(
        conn,
        "standing_touches",
        &["name"],
        everything,
        TABLES.len(),
    )
    .await?;
    sqlx::query("UPDATE standings_built SET built = 1 WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    Ok(contracts)
}

/// The departments and vendors of the rows `restand` rewrites, by table: of the rows that go and of
/// those that come.
fn touched(old: Option<&Standings>, new: Option<&Standings>) -> Vec<(&'static str, Holder)> {
    let mut touched = Vec::new();
    if old.map(|s| &s.contract) != new.map(|s| &s.contract) {
        let holders = old.into_iter().chain(new).map(|s| s.contract.holder);
        touched.extend(holders.map(|holder| ("contract_standings", holder)));
    }
    fn audits(s: Option<&Standings>) -> &[AuditStanding] {
        s.map(|s| s.audits.as_slice()).unwrap_or_default()
    }
    fn checklists(s: Option<&Standings>) -> &[ChecklistStanding] {
        s.map(|s| s.checklists.as_slice()).unwrap_or_default()
    }
    for (these, those) in [(old, new), (new, old)] {
        let (audits, other_audits) = (audits(these), audits(those));
        let gone = audits.iter().filter(|a| !other_audits.contains(a));
        touched.extend(gone.map(|a| ("audit_standings", a.holder)));
        let (checklists, other_checklists) = (checklists(these), checklists(those));
        let gone = checklists.iter().filter(|c| !other_checklists.contains(c));
        touched.extend(gone.map(|c| ("checklist_standings", c.holder)));
    }
    touched
}

/// Notes the contract and which departments and vendors the write changed its standings of
/// (migrations 0040, 0041); the transaction's audit entry labels them with the tables' new versions.
async fn record_touches(
    conn: &mut Conn,
    contract_id: i64,
    touched: Vec<(&'static str, Holder)>,
) -> Result<(), sqlx::Error> {
    let mut rows: Vec<(&str, i64, i64)> = touched
        .iter()
        .map(|(table, h)| (*table, h.department_id.get(), h.vendor_id.get()))
        .collect();
    rows.sort_unstable();
    rows.dedup();
    let rows = rows
        .into_iter()
        .map(|(table, department, vendor)| {
            let ids = [contract_id, department, vendor].map(Param::from);
            [vec![Param::from(table)], ids.to_vec()].concat()
        })
        .collect();
    let columns = ["name", "contract_id", "department_id", "vendor_id"];
    insert_rows(conn, "standing_touches", &columns, rows, 64).await
}

/// Whether the standings were built for the data that existed before they did (migration 0022).
pub async fn built(conn: &mut Conn) -> Result<bool, sqlx::Error> {
    let built: i64 = sqlx::query_scalar("SELECT built FROM standings_built WHERE id = 1")
        .fetch_one(conn)
        .await?;
    Ok(built == 1)
}

/// A contract whose kept standings differ from those its records make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub contract_id: ContractId,
    pub kept: Option<Standings>,
    pub derived: Option<Standings>,
}

/// Every contract whose kept standings are not those its records make, and how many were compared.
pub async fn differences(conn: &mut Conn) -> Result<(usize, Vec<Difference>), sqlx::Error> {
    let mut compared = 0;
    let mut found = Vec::new();
    for (first, last) in batches(conn).await? {
        let mut derived = derive(conn, first, last).await?;
        let mut kept = stored(conn, first, last).await?;
        compared += derived.len();
        let ids: std::collections::BTreeSet<i64> =
            derived.keys().chain(kept.keys()).copied().collect();
        for id in ids {
            let (derived, kept) = (derived.remove(&id), kept.remove(&id));
            if derived != kept {
                found.push(Difference {
                    contract_id: ContractId::new(id),
                    kept,
                    derived,
                });
            }
        }
    }
    let orphans: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM contract_standings WHERE {NO_CONTRACT}"
    ))
    .fetch_one(&mut *conn)
    .await?;
    if orphans > 0 {
        found.push(Difference {
            contract_id: ContractId::new(0),
            kept: None,
            derived: None,
        });
    }
    Ok((compared, found))
}

/// A standing's contract no longer exists. (As `NOT IN (SELECT id FROM contracts)`, PostgreSQL
/// compares each row with every contract once the ids outgrow its working memory: the seed of a
/// million contracts spent more than 18 minutes on this statement.)
const NO_CONTRACT: &str = "NOT EXISTS (SELECT 1 FROM contracts c WHERE c.id = contract_id)";

/// The standings tables.
const TABLES: [&str; 3] = [
    "contract_standings",
    "audit_standings",
    "checklist_standings",
];

/// Contract id ranges of at most `BATCH` ids each, covering every contract.
async fn batches(conn: &mut Conn) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let (low, high): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT MIN(id), MAX(id) FROM contracts")
            .fetch_one(conn)
            .await?;
    let (Some(low), Some(high)) = (low, high) else {
        return Ok(Vec::new());
    };
    Ok((low..=high)
        .step_by(BATCH as usize)
        .map(|first| (first, (first + BATCH - 1).min(high)))
        .collect())
}

fn day(text: &str) -> Result<NaiveDate, sqlx::Error> {
    text.get(..10)
        .and_then(|head| head.parse().ok())
        .ok_or_else(|| sqlx::Error::Decode(format!("not a date: {text:?}").into()))
}

fn maybe_day(text: Option<String>) -> Result<Option<NaiveDate>, sqlx::Error> {
    text.as_deref().map(day).transpose()
}

type HolderRow = (i64, i64, i64, String, String, String, String);

/// The standings the records of contracts `first..=last` make, by contract id.
async fn derive(
    conn: &mut Conn,
    first: i64,
    last: i64,
) -> Result<BTreeMap<i64, Standings>, sqlx::Error> {
    let holders: Vec<HolderRow> = sqlx::query_as(
        "SELECT id, department_id, vendor_id, importance, start_date, end_date, deletion_deadline
         FROM contracts WHERE id BETWEEN $1 AND $2",
    )
    .bind(first)
    .bind(last)
    .fetch_all(&mut *conn)
    .await?;
    let mut records: BTreeMap<i64, Records> = BTreeMap::new();
    for (id, department, vendor, importance, start, end, deadline) in holders {
        let holder = Holder {
            contract_id: ContractId::new(id),
            department_id: DepartmentId::new(department),
            vendor_id: VendorId::new(vendor),
            important: importance == "important",
            start_date: day(&start)?,
            end_date: day(&end)?,
        };
        let records_of = Records {
            holder,
            deletion_deadline: day(&deadline)?,
            deletions: Vec::new(),
            audits: Vec::new(),
            uploads: Vec::new(),
            data_holders: Vec::new(),
        };
        records.insert(id, records_of);
    }
    let covered = deletion_coverage(conn, first, last).await?;
    for table in [Reviewed::DeletionCertificates, Reviewed::AuditReports] {
        let rows: Vec<(i64, i64, String, Option<String>, i64)> = sqlx::query_as(&format!(
            "SELECT t.contract_id, {} AS year, t.status, t.accepted_on, t.id FROM {} t
             WHERE t.contract_id BETWEEN $1 AND $2 ORDER BY t.contract_id, t.id",
            table.year("t"),
            table.table()
        ))
        .bind(first)
        .bind(last)
        .fetch_all(&mut *conn)
        .await?;
        for (id, year, status, accepted_on, proof_id) in rows {
            let Some(of) = records.get_mut(&id) else {
                continue;
            };
            let proof = Proof {
                fiscal_year: (table == Reviewed::AuditReports).then_some(year as i32),
                status,
                accepted_on: maybe_day(accepted_on)?,
                covers: match table {
                    Reviewed::DeletionCertificates => {
                        covered.lists.get(&proof_id).cloned().unwrap_or_default()
                    }
                    Reviewed::AuditReports => Vec::new(),
                },
            };
            match table {
                Reviewed::DeletionCertificates => of.deletions.push(proof),
                Reviewed::AuditReports => of.audits.push(proof),
            }
        }
    }
    for (contract_id, holder) in covered.holders {
        if let Some(of) = records.get_mut(&contract_id) {
            of.data_holders.push(holder);
        }
    }
    let uploads: Vec<(i64, i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT contract_id, version, uploaded_at, status, reviewed_at FROM checklist_submissions
         WHERE contract_id BETWEEN $1 AND $2 ORDER BY contract_id, version",
    )
    .bind(first)
    .bind(last)
    .fetch_all(&mut *conn)
    .await?;
    let japan_day = |at: &str| {
        crate::domain::time::japan_day_of(at)
            .ok_or_else(|| sqlx::Error::Decode(format!("not a time: {at:?}").into()))
    };
    for (id, version, uploaded_at, status, reviewed_at) in uploads {
        let uploaded_on = japan_day(&uploaded_at)?;
        let reviewed_on = reviewed_at.as_deref().map(japan_day).transpose()?;
        if let Some(of) = records.get_mut(&id) {
            of.uploads.push(Upload {
                version,
                uploaded_on,
                status,
                reviewed_on,
            });
        }
    }
    Ok(records
        .into_iter()
        .map(|(id, records)| (id, Standings::of(&records)))
        .collect())
}

/// Of contracts `first..=last`: the subcontractors each deletion certificate lists, and the
/// subcontractors that handled each contract's data (those with data items or personal data, not
/// refused).
struct Coverage {
    lists: BTreeMap<i64, Vec<i64>>,
    holders: Vec<(i64, i64)>,
}

async fn deletion_coverage(
    conn: &mut Conn,
    first: i64,
    last: i64,
) -> Result<Coverage, sqlx::Error> {
    let listed: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT l.deletion_id, l.subcontractor_id FROM deletion_subcontractors l
         JOIN deletion_certificates d ON d.id = l.deletion_id
         WHERE d.contract_id BETWEEN $1 AND $2",
    )
    .bind(first)
    .bind(last)
    .fetch_all(&mut *conn)
    .await?;
    let mut lists: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (deletion, subcontractor) in listed {
        lists.entry(deletion).or_default().push(subcontractor);
    }
    let holders = sqlx::query_as(
        "SELECT contract_id, id FROM subcontractors WHERE contract_id BETWEEN $1 AND $2
         AND status <> 'refused' AND (personal_data = 1 OR data_items <> '') ORDER BY contract_id, id",
    )
    .bind(first)
    .bind(last)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Coverage { lists, holders })
}

/// The standings kept for contracts `first..=last`, by contract id.
async fn stored(
    conn: &mut Conn,
    first: i64,
    last: i64,
) -> Result<BTreeMap<i64, Standings>, sqlx::Error> {
    let mut kept = stored_contracts(conn, first, last).await?;
    stored_audits(conn, first, last, &mut kept).await?;
    stored_checklists(conn, first, last, &mut kept).await?;
    Ok(kept)
}

type ContractRow = (
    i64,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

async fn stored_contracts(
    conn: &mut Conn,
    first: i64,
    last: i64,
) -> Result<BTreeMap<i64, Standings>, sqlx::Error> {
    let rows: Vec<ContractRow> = sqlx::query_as(
        "SELECT contract_id, department_id, vendor_id, important, start_date, end_date, deletion_deadline,
                deletion_accepted_on, deletion_submission, first_checklist_on
         FROM contract_standings WHERE contract_id BETWEEN $1 AND $2",
    )
    .bind(first)
    .bind(last)
    .fetch_all(&mut *conn)
    .await?;
    let mut kept = BTreeMap::new();
    for (id, department, vendor, important, start, end, deadline, accepted, open, first_on) in rows
    {
        let holder = stored_holder(id, department, vendor, important, &start, &end)?;
        let contract = ContractStanding {
            holder,
            deletion_deadline: day(&deadline)?,
            deletion_accepted_on: maybe_day(accepted)?,
            deletion_submission: open,
            first_checklist_on: maybe_day(first_on)?,
        };
        kept.insert(
            id,
            Standings {
                contract,
                audits: Vec::new(),
                checklists: Vec::new(),
            },
        );
    }
    Ok(kept)
}

type AuditRow = (
    i64,
    i64,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
);

async fn stored_audits(
    conn: &mut Conn,
    first: i64,
    last: i64,
    kept: &mut BTreeMap<i64, Standings>,
) -> Result<(), sqlx::Error> {
    let audits: Vec<AuditRow> = sqlx::query_as(
        "SELECT contract_id, fiscal_year, department_id, vendor_id, important, start_date, end_date,
                owed_from, year_end, accepted_on, accepted_after_year_end, submission
         FROM audit_standings WHERE contract_id BETWEEN $1 AND $2 ORDER BY contract_id, fiscal_year",
    )
    .bind(first)
    .bind(last)
    .fetch_all(&mut *conn)
    .await?;
    for (
        id,
        year,
        department,
        vendor,
        important,
        start,
        end,
        owed,
        year_end,
        accepted,
        after,
        open,
    ) in audits
    {
        let holder = stored_holder(id, department, vendor, important, &start, &end)?;
        let standing = AuditStanding {
            holder,
            fiscal_year: year as i32,
            owed_from: day(&owed)?,
            year_end: day(&year_end)?,
            accepted_on: maybe_day(accepted)?,
            accepted_after_year_end: after,
            submission: open,
        };
        orphan_or(kept, id, holder).audits.push(standing);
    }
    Ok(())
}

type ChecklistRow = (
    i64,
    i64,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
);

async fn stored_checklists(
    conn: &mut Conn,
    first: i64,
    last: i64,
    kept: &mut BTreeMap<i64, Standings>,
) -> Result<(), sqlx::Error> {
    let checklists: Vec<ChecklistRow> = sqlx::query_as(
        "SELECT contract_id, version, department_id, vendor_id, important, start_date, end_date,
                uploaded_on, superseded_on, status, returned_on
         FROM checklist_standings WHERE contract_id BETWEEN $1 AND $2 ORDER BY contract_id, version",
    )
    .bind(first)
    .bind(last)
    .fetch_all(&mut *conn)
    .await?;
    for (
        id,
        version,
        department,
        vendor,
        important,
        start,
        end,
        uploaded,
        superseded,
        status,
        returned,
    ) in checklists
    {
        let holder = stored_holder(id, department, vendor, important, &start, &end)?;
        let standing = ChecklistStanding {
            holder,
            version,
            uploaded_on: day(&uploaded)?,
            superseded_on: maybe_day(superseded)?,
            status,
            returned_on: maybe_day(returned)?,
        };
        orphan_or(kept, id, holder).checklists.push(standing);
    }
    Ok(())
}

fn stored_holder(
    id: i64,
    department: i64,
    vendor: i64,
    important: i64,
    start: &str,
    end: &str,
) -> Result<Holder, sqlx::Error> {
    Ok(Holder {
        contract_id: ContractId::new(id),
        department_id: DepartmentId::new(department),
        vendor_id: VendorId::new(vendor),
        important: important == 1,
        start_date: day(start)?,
        end_date: day(end)?,
    })
}

/// The kept standings of a contract, or, for rows whose contract row is missing, standings that can
/// only differ from the derived ones.
fn orphan_or(kept: &mut BTreeMap<i64, Standings>, id: i64, holder: Holder) -> &mut Standings {
    kept.entry(id).or_insert_with(|| Standings {
        contract: ContractStanding {
            holder,
            deletion_deadline: NaiveDate::MIN,
            deletion_accepted_on: None,
            deletion_submission: None,
            first_checklist_on: None,
        },
        audits: Vec::new(),
        checklists: Vec::new(),
    })
}

fn holder_params(holder: &Holder) -> Vec<Param> {
    vec![
        holder.contract_id.get().into(),
        holder.department_id.get().into(),
        holder.vendor_id.get().into(),
        i64::from(holder.important).into(),
        iso(holder.start_date).into(),
        iso(holder.end_date).into(),
    ]
}

const HOLDER_COLUMNS: [&str; 6] = [
    "contract_id",
    "department_id",
    "vendor_id",
    "important",
    "start_date",
    "end_date",
];

/// Rows per statement: a few hundred parameters each, as the seed measured.
fn per_statement(columns: usize) -> usize {
    500 / columns
}

/// Replaces the kept standings of contracts `first..=last` by `derived`.
/// Rewrites the rows of contracts `first..=last`.
async fn replace(
    conn: &mut Conn,
    first: i64,
    last: i64,
    derived: BTreeMap<i64, Standings>,
) -> Result<(), sqlx::Error> {
    for table in TABLES {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE contract_id BETWEEN $1 AND $2"
        ))
        .bind(first)
        .bind(last)
        .execute(&mut *conn)
        .await?;
    }
    insert(conn, derived, true).await
}

/// Inserts the rows of `derived`: every audit and check-sheet row, and the contract rows when
/// `with_contracts`.
async fn insert(
    conn: &mut Conn,
    derived: BTreeMap<i64, Standings>,
    with_contracts: bool,
) -> Result<(), sqlx::Error> {
    let optional = |date: Option<NaiveDate>| Param::from(date.map(iso));
    let (mut contracts, mut audits, mut checklists) = (Vec::new(), Vec::new(), Vec::new());
    for standings in derived.into_values() {
        let c = &standings.contract;
        let mut row = holder_params(&c.holder);
        row.extend([
            iso(c.deletion_deadline).into(),
            optional(c.deletion_accepted_on),
            c.deletion_submission.clone().into(),
            optional(c.first_checklist_on),
        ]);
        contracts.push(row);
        for a in &standings.audits {
            let mut row = holder_params(&a.holder);
            row.extend([
                i64::from(a.fiscal_year).into(),
                iso(a.owed_from).into(),
                iso(a.year_end).into(),
                optional(a.accepted_on),
                a.accepted_after_year_end.into(),
                a.submission.clone().into(),
            ]);
            audits.push(row);
        }
        for s in &standings.checklists {
            let mut row = holder_params(&s.holder);
            row.extend([
                s.version.into(),
                iso(s.uploaded_on).into(),
                optional(s.superseded_on),
                s.status.clone().into(),
                optional(s.returned_on),
            ]);
            checklists.push(row);
        }
    }
    let columns = |extra: &[&'static str]| -> Vec<&'static str> {
        HOLDER_COLUMNS.iter().chain(extra).copied().collect()
    };
    let tables = [
        (
            "contract_standings",
            columns(&[
                "deletion_deadline",
                "deletion_accepted_on",
                "deletion_submission",
                "first_checklist_on",
            ]),
            contracts,
        ),
        (
            "audit_standings",
            columns(&[
                "fiscal_year",
                "owed_from",
                "year_end",
                "accepted_on",
                "accepted_after_year_end",
                "submission",
            ]),
            audits,
        ),
        (
            "checklist_standings",
            columns(&[
                "version",
                "uploaded_on",
                "superseded_on",
                "status",
                "returned_on",
            ]),
            checklists,
        ),
    ];
    let written = |table: &str| with_contracts || table != "contract_standings";
    for (table, columns, rows) in tables.into_iter().filter(|(table, ..)| written(table)) {
        let per = per_statement(columns.len());
        insert_rows(conn, table, &columns, rows, per).await?;
    }
    Ok(())
}
