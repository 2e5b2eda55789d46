//! Certifications per vendor.

use super::locked;
use super::sql::Sql;
use super::values::iso;
use super::Conn;
use crate::domain::certification::{
    effective_valid_until, CertificationDraft, IsmsStandard, Level, Scheme, Verification,
};
use crate::domain::ids::{CertificationId, DepartmentId, FileId, VendorId};
use crate::domain::Timestamp;
use chrono::NaiveDate;
use sqlx::FromRow;
use std::any::Any;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, FromRow)]
struct Row {
    id: CertificationId,
    vendor_id: VendorId,
    vendor_name: String,
    vendor_identifier: String,
    scheme: String,
    number: String,
    level: String,
    certification_body: String,
    scope: String,
    issued_on: Option<String>,
    valid_until: Option<String>,
    file_id: Option<FileId>,
    updated_at: String,
    verification: String,
    verified_by: String,
    verified_at: Option<String>,
    verification_note: String,
    standard: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Certification {
    pub id: CertificationId,
    pub vendor_id: VendorId,
    pub vendor_name: String,
    pub vendor_identifier: String,
    pub scheme: Scheme,
    pub number: String,
    pub level: Option<Level>,
    pub certification_body: String,
    pub scope: String,
    pub issued_on: Option<NaiveDate>,
    /// The expiry the certificate counts to (`domain::certification::effective_valid_until`).
    pub valid_until: Option<NaiveDate>,
    /// The expiry printed on the certificate, when the one it counts to is earlier.
    pub printed_valid_until: Option<NaiveDate>,
    pub standard: IsmsStandard,
    pub file_id: Option<FileId>,
    pub updated_at: String,
    pub verification: Verification,
    /// Who verified or returned it, and when; empty while declared.
    pub verified_by: String,
    pub verified_at: Option<String>,
    /// Why it was returned.
    pub verification_note: String,
}

impl Certification {
    pub fn draft(&self) -> CertificationDraft {
        CertificationDraft {
            scheme: self.scheme,
            number: self.number.clone(),
            level: self.level,
            certification_body: self.certification_body.clone(),
            scope: self.scope.clone(),
            issued_on: self.issued_on,
            valid_until: self.printed_valid_until.or(self.valid_until),
            standard: self.standard,
        }
    }
    pub fn scheme_label(&self) -> &'static str {
        self.scheme.label()
    }
    pub fn level_label(&self) -> &'static str {
        self.level.map(Level::label).unwrap_or("")
    }
}

fn date(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok())
}

impl From<Row> for Certification {
    fn from(row: Row) -> Self {
        let scheme = Scheme::from_code(&row.scheme).unwrap_or(Scheme::Isms);
        let standard = IsmsStandard::from_code(&row.standard);
        let printed = date(row.valid_until);
        let effective = effective_valid_until(scheme, standard, printed);
        Certification {
            id: row.id,
            vendor_id: row.vendor_id,
            vendor_name: row.vendor_name,
            vendor_identifier: row.vendor_identifier,
            scheme,
            number: row.number,
            level: Level::from_code(&row.level),
            certification_body: row.certification_body,
            scope: row.scope,
            issued_on: date(row.issued_on),
            valid_until: effective,
            printed_valid_until: printed.filter(|_| printed != effective),
            standard,
            file_id: row.file_id,
            updated_at: row.updated_at,
            verification: Verification::from_code(&row.verification)
                .unwrap_or(Verification::Declared),
            verified_by: row.verified_by,
            verified_at: row.verified_at,
            verification_note: row.verification_note,
        }
    }
}

const SELECT: &str = "SELECT c.id, c.vendor_id, v.name AS vendor_name, COALESCE(v.corporate_number, v.invoice_number, v.vendor_code) AS vendor_identifier,
    c.scheme, c.number, c.level, c.certification_body, c.scope, c.issued_on, c.valid_until, c.file_id, c.updated_at,
    c.verification, c.verified_by, c.verified_at, c.verification_note, c.standard
    FROM certifications c JOIN vendors v ON v.id = c.vendor_id";

pub async fn for_vendor(
    conn: &mut Conn,
    vendor_id: VendorId,
) -> Result<Vec<Certification>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE c.vendor_id = $1 ORDER BY c.scheme, c.valid_until DESC, c.id DESC"
    ))
    .bind(vendor_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Certification::from).collect())
}

/// Every certification, kept between reads while the table stands (`table_versions`): the reports
/// read them all after any change of anything, and they seldom change.
#[derive(Default)]
pub struct KeptAll {
    all: Mutex<Option<(i64, Arc<Vec<Certification>>)>>,
    /// What a layer above works out from the certifications kept, dropped when they change.
    derived: Mutex<Option<Arc<dyn Any + Send + Sync>>>,
}

impl std::fmt::Debug for KeptAll {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kept = locked(&self.all)
            .as_ref()
            .map(|(version, all)| (*version, all.len()));
        f.debug_struct("KeptAll")
            .field("version, certifications", &kept)
            .finish()
    }
}

impl KeptAll {
    /// What was worked out last from the certifications kept, when of type `T`.
    pub fn derived<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        locked(&self.derived).clone()?.downcast().ok()
    }

    /// Keeps `value`, worked out from `certifications`, while they are the ones kept.
    pub fn keep_derived<T: Any + Send + Sync>(
        &self,
        certifications: &Arc<Vec<Certification>>,
        value: Arc<T>,
    ) {
        let all = locked(&self.all);
        if all
            .as_ref()
            .is_some_and(|(_, kept)| Arc::ptr_eq(kept, certifications))
        {
            *locked(&self.derived) = Some(value);
        }
    }
}

/// Every certification of every vendor in the snapshot `conn` reads: kept ones when the table's
/// version in that snapshot (`reads`) is theirs, else read (and kept, when newer than those kept).
pub async fn all_kept(
    conn: &mut Conn,
    kept: &KeptAll,
    reads: &super::kept_reads::Reads<'_>,
) -> Result<Arc<Vec<Certification>>, sqlx::Error> {
    let Some(version) = reads.version("certifications") else {
        return Ok(Arc::new(all(conn).await?));
    };
    if let Some((kept_version, all)) = locked(&kept.all).as_ref() {
        if *kept_version == version {
            return Ok(all.clone());
        }
    }
    let read = Arc::new(all(conn).await?);
    let mut slot = locked(&kept.all);
    if slot
        .as_ref()
        .is_none_or(|(kept_version, _)| *kept_version < version)
    {
        *slot = Some((version, read.clone()));
        // What was worked out from the certifications replaced is of no further use.
        *locked(&kept.derived) = None;
    }
    Ok(read)
}

/// Every certification of every vendor.
pub async fn all(conn: &mut Conn) -> Result<Vec<Certification>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} ORDER BY c.vendor_id, c.scheme, c.id"))
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(Certification::from).collect())
}

pub async fn find(
    conn: &mut Conn,
    id: CertificationId,
) -> Result<Option<Certification>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Certification::from))
}

pub async fn find_by_number(
    conn: &mut Conn,
    vendor_id: VendorId,
    scheme: Scheme,
    number: &str,
) -> Result<Option<Certification>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE c.vendor_id = $1 AND c.scheme = $2 AND c.number = $3"
    ))
    .bind(vendor_id)
    .bind(scheme.code())
    .bind(number)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Certification::from))
}

/// The vendor's stored certificate that `number` renews or repeats: for a Pマーク any renewal of the
/// same registration (the latest, if several were kept apart before), else the same number.
pub async fn find_same_registration(
    conn: &mut Conn,
    vendor_id: VendorId,
    scheme: Scheme,
    number: &str,
) -> Result<Option<Certification>, sqlx::Error> {
    if scheme != Scheme::Pmark {
        return find_by_number(conn, vendor_id, scheme, number).await;
    }
    let registration = crate::domain::certification::renewal_key(scheme, number);
    let row: Option<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE c.vendor_id = $1 AND c.scheme = $2 AND (c.number = $3 OR c.number LIKE $4)
         ORDER BY c.valid_until IS NULL, c.valid_until DESC, c.id DESC LIMIT 1"
    ))
    .bind(vendor_id)
    .bind(scheme.code())
    .bind(registration)
    .bind(format!("{registration}(%"))
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Certification::from))
}

/// Who stands behind a certificate's values: staff who recorded or checked them (verified), or the
/// vendor itself (declared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Declared,
    VerifiedBy(String),
}

impl Entry {
    pub fn verification(&self) -> Verification {
        self.state().0
    }
    fn state(&self) -> (Verification, &str, Option<String>) {
        match self {
            Entry::Declared => (Verification::Declared, "", None),
            Entry::VerifiedBy(who) => (
                Verification::Verified,
                who,
                Some(Timestamp::now().to_string()),
            ),
        }
    }
}

pub async fn insert(
    conn: &mut Conn,
    vendor_id: VendorId,
    draft: &CertificationDraft,
    file_id: Option<FileId>,
    entry: &Entry,
) -> Result<CertificationId, sqlx::Error> {
    let now = Timestamp::now();
    let (verification, verified_by, verified_at) = entry.state();
    sqlx::query_scalar(
        "INSERT INTO certifications (vendor_id, scheme, number, level, certification_body, scope, issued_on, valid_until,
         file_id, created_at, updated_at, verification, verified_by, verified_at, standard)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(vendor_id)
    .bind(draft.scheme.code())
    .bind(draft.number.as_str())
    .bind(draft.level.map(Level::code).unwrap_or(""))
    .bind(draft.certification_body.as_str())
    .bind(draft.scope.as_str())
    .bind(draft.issued_on.map(iso))
    .bind(draft.valid_until.map(iso))
    .bind(file_id)
    .bind(now)
    .bind(verification.code())
    .bind(verified_by)
    .bind(verified_at)
    .bind(draft.standard.code())
    .fetch_one(conn)
    .await
}

/// Updates the values; a new file replaces the old one, `None` keeps it. Values a vendor changes are
/// declared again, whatever staff had verified before.
pub async fn update(
    conn: &mut Conn,
    id: CertificationId,
    draft: &CertificationDraft,
    file_id: Option<FileId>,
    entry: &Entry,
) -> Result<(), sqlx::Error> {
    let (verification, verified_by, verified_at) = entry.state();
    sqlx::query(
        "UPDATE certifications SET scheme = $1, number = $2, level = $3, certification_body = $4, scope = $5,
         issued_on = $6, valid_until = $7, file_id = COALESCE($8, file_id), updated_at = $9,
         verification = $11, verified_by = $12, verified_at = $13, verification_note = '', standard = $14
         WHERE id = $10",
    )
    .bind(draft.scheme.code())
    .bind(draft.number.as_str())
    .bind(draft.level.map(Level::code).unwrap_or(""))
    .bind(draft.certification_body.as_str())
    .bind(draft.scope.as_str())
    .bind(draft.issued_on.map(iso))
    .bind(draft.valid_until.map(iso))
    .bind(file_id)
    .bind(Timestamp::now())
    .bind(id)
    .bind(verification.code())
    .bind(verified_by)
    .bind(verified_at)
    .bind(draft.standard.code())
    .execute(conn)
    .await?;
    Ok(())
}

/// Staff's decision on a declared certificate: verified, or returned with the reason.
pub async fn decide(
    conn: &mut Conn,
    id: CertificationId,
    verification: Verification,
    by: &str,
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE certifications SET verification = $2, verified_by = $3, verified_at = $4, verification_note = $5
         WHERE id = $1",
    )
    .bind(id)
    .bind(verification.code())
    .bind(by)
    .bind(Timestamp::now())
    .bind(note)
    .execute(conn)
    .await?;
    Ok(())
}

/// Declared certificates waiting for staff, oldest first: of every vendor, or (`Some`) of the vendors
/// those departments work with.
pub async fn awaiting_verification(
    conn: &mut Conn,
    departments: Option<&[DepartmentId]>,
    limit: i64,
) -> Result<Vec<Certification>, sqlx::Error> {
    let mut sql = Sql::new(&format!("{SELECT} WHERE c.verification = 'declared'"));
    if let Some(departments) = departments {
        super::vendors::and_works_with(&mut sql, "c.vendor_id", departments);
    }
    sql.push(" ORDER BY c.updated_at, c.id LIMIT ").bind(limit);
    let rows: Vec<Row> = sql.query_as().fetch_all(conn).await?;
    Ok(rows.into_iter().map(Certification::from).collect())
}

/// Records that a SECURITY ACTION declaration still stands on `day`.
pub async fn confirm(
    conn: &mut Conn,
    id: CertificationId,
    day: NaiveDate,
    by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO certification_confirmations (certification_id, confirmed_on, confirmed_by, confirmed_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(iso(day))
    .bind(by)
    .bind(Timestamp::now())
    .execute(conn)
    .await?;
    Ok(())
}

/// The latest confirmation on or before `day` of each of the vendor's certificates that has one.
pub async fn last_confirmations(
    conn: &mut Conn,
    vendor_id: VendorId,
    day: NaiveDate,
) -> Result<std::collections::HashMap<CertificationId, NaiveDate>, sqlx::Error> {
    let rows: Vec<(CertificationId, String)> = sqlx::query_as(
        "SELECT f.certification_id, MAX(f.confirmed_on) FROM certification_confirmations f
         JOIN certifications c ON c.id = f.certification_id
         WHERE c.vendor_id = $1 AND f.confirmed_on <= $2 GROUP BY f.certification_id",
    )
    .bind(vendor_id)
    .bind(iso(day))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, on)| Some((id, on.parse().ok()?)))
        .collect())
}

/// Records a surveillance audit (維持審査) of an ISMS certificate.
pub async fn add_surveillance(
    conn: &mut Conn,
    id: CertificationId,
    audited_on: NaiveDate,
    result: &str,
    note: &str,
    by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO certification_surveillances (certification_id, audited_on, result, note, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(iso(audited_on))
    .bind(result)
    .bind(note)
    .bind(by)
    .bind(Timestamp::now())
    .execute(conn)
    .await?;
    Ok(())
}

/// The latest surveillance audit on or before `day` of each of the vendor's certificates: its day and
/// result.
pub async fn last_surveillances(
    conn: &mut Conn,
    vendor_id: VendorId,
    day: NaiveDate,
) -> Result<std::collections::HashMap<CertificationId, (NaiveDate, String)>, sqlx::Error> {
    let rows: Vec<(CertificationId, String, String)> = sqlx::query_as(
        "SELECT s.certification_id, s.audited_on, s.result FROM certification_surveillances s
         JOIN certifications c ON c.id = s.certification_id
         WHERE c.vendor_id = $1 AND s.audited_on <= $2
         ORDER BY s.certification_id, s.audited_on, s.id",
    )
    .bind(vendor_id)
    .bind(iso(day))
    .fetch_all(conn)
    .await?;
    // Ordered by day, so the last of each certificate stays.
    Ok(rows
        .into_iter()
        .filter_map(|(id, on, result)| Some((id, (on.parse().ok()?, result))))
        .collect())
}
