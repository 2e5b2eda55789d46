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
    settings: &crate::config::Settings,
    today: NaiveDate,
) -> Result<Option<ImportReport>, AppError> {
    let default_deletion_days = settings.default_deletion_days;
    let total = contracts::count(
        &mut *db.acquire().await?,
        &Visibility::All,
        &ContractFilter::default(),
        today,
    )
    .await?;
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
    load_tender(db, settings, &actor, today).await?;
    Ok(Some(report))
}

/// A tender a month from today with four of the sample vendors bidding, the check sheet asked for.
async fn load_tender(
    db: &Db,
    settings: &crate::config::Settings,
    actor: &crate::auth::Actor,
    today: NaiveDate,
) -> Result<(), AppError> {
    use super::tenders::{self, BidderInput, TenderInput};
    super::policies::install_shipped(db, settings).await?;
    let department =
        crate::db::departments::find_by_name(&mut *db.acquire().await?, "税務課").await?;
    let scope = crate::auth::policy::EditScope::everything();
    let input = TenderInput {
        title: Some("住民税課税資料の電子化・データ入力業務".into()),
        department_id: department.map(|d| d.id),
        evaluation_date: Some((today + chrono::Days::new(30)).to_string()),
        policy: None,
        uses_cloud: true,
        handles_personal_data: true,
        amount: Some("12,800,000円".into()),
    };
    let tender = tenders::create(db, settings, actor, &scope, &input).await?;
    for number in [
        "8154335349840",
        "4334107653877",
        "3534439589175",
        "9741520749048",
    ] {
        let bidder = BidderInput {
            identifier: Some(number.into()),
            name: None,
        };
        tenders::add_bidder(db, actor, &scope, tender, &bidder).await?;
    }
    tenders::request_checklists(db, actor, &scope, tender).await?;
    Ok(())
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
    let report = certifications::apply(
        db,
        actor,
        &crate::auth::policy::VendorRights::Any,
        &rows,
        report,
    )
    .await?;
    if report.accepted() {
        Ok(())
    } else {
        Err(AppError::Internal(format!(
            "demo certifications: {:?}",
            report.errors
        )))
    }
}
