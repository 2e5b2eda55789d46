//! Demo data: the sample ledger under `samples/`, moved by whole fiscal years so that its contracts
//! stand in the same states relative to today as they did on the day it was written.

use super::certifications;
use super::ledger::{self, ImportReport};
use crate::db::contracts::{self, ContractFilter, Visibility};
use crate::db::Db;
use crate::domain::FiscalYear;
use crate::error::AppError;
use crate::excel::Limits;
use chrono::NaiveDate;

pub const SAMPLE_LEDGER: &[u8] = include_bytes!("../../samples/demo-ledger.csv");
pub const SAMPLE_CERTIFICATIONS: &[u8] = include_bytes!("../../samples/demo-certifications.csv");

/// The fiscal year the sample ledger was written in (令和7年度).
const SAMPLE_FISCAL_YEAR: i32 = 2025;

/// Loads the sample ledger when the database has no contracts; says what it loaded, if anything.
pub async fn load_if_empty(
    db: &Db,
    today: NaiveDate,
    default_deletion_days: i64,
) -> Result<Option<ImportReport>, AppError> {
    let mut conn = db.acquire().await?;
    let (_, total) = contracts::list(
        &mut conn,
        &Visibility::All,
        &ContractFilter::default(),
        today,
        1,
        0,
    )
    .await?;
    drop(conn);
    if total > 0 {
        return Ok(None);
    }
    let mut ledger = ledger::parse(SAMPLE_LEDGER, &Limits::default()).map_err(|refusal| {
        AppError::Internal(format!(
            "the sample ledger is invalid: {:?}",
            refusal.errors
        ))
    })?;
    ledger.shift_years(FiscalYear::of(today).start_year() - SAMPLE_FISCAL_YEAR);

    let actor = crate::auth::Actor::system("demo");
    let scope = crate::auth::policy::EditScope::everything();
    let shift = FiscalYear::of(today).start_year() - SAMPLE_FISCAL_YEAR;
    let report = ledger::apply(
        db,
        &actor,
        &scope,
        &ledger,
        default_deletion_days,
        false,
        &mut |_, _| {},
    )
    .await?;
    load_certifications(db, &actor, shift).await?;
    Ok(Some(report))
}

/// The sample certification list, moved like the ledger: some valid, some expiring, some expired.
async fn load_certifications(
    db: &Db,
    actor: &crate::auth::Actor,
    years: i32,
) -> Result<(), AppError> {
    let mut report = certifications::ImportReport::default();
    let mut rows =
        certifications::parse_list(SAMPLE_CERTIFICATIONS, &Limits::default(), &mut report);
    if !report.accepted() {
        return Err(AppError::Internal(format!(
            "the sample certification list is invalid: {:?}",
            report.errors
        )));
    }
    for row in &mut rows {
        row.shift_years(years);
    }
    let report = certifications::apply(db, actor, &rows, report).await?;
    if report.accepted() {
        Ok(())
    } else {
        Err(AppError::Internal(format!(
            "demo certifications: {:?}",
            report.errors
        )))
    }
}
