//! Reads the facts every visible contract is judged on, and serves the judgement (`crate::judging`)
//! as the dashboard, a contract's list of what it owes, JSON reports and logged .xlsx exports.

mod export;
mod json;

pub use crate::judging::*;
pub use export::{export, log_export, workbook_of};
pub use json::{to_json, Window};

use crate::config::Settings;
use crate::db::certifications::{self, Certification};
use crate::db::contracts::{self, Contract, RecordScope, Visibility};
use crate::db::reviews::{self, Reviewed};
use crate::db::{checklists, Conn, Db};
use crate::domain::ids::{ContractId, VendorId};
use crate::error::AppResult;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

/// Which contracts the facts are read for.
enum Reach<'a> {
    Visible(&'a Visibility),
    /// One contract the reader may see, for its own page.
    One(Box<Contract>),
}

async fn facts(conn: &mut Conn, reach: Reach<'_>) -> AppResult<Facts> {
    let (contracts, scope) = match reach {
        Reach::Visible(visibility) => (
            contracts::all_visible(conn, visibility).await?,
            RecordScope::Visible(visibility),
        ),
        Reach::One(contract) => {
            let id = contract.id;
            (vec![*contract], RecordScope::Contract(id))
        }
    };
    let accepted = |rows: Vec<(ContractId, i64, String)>| -> HashMap<(ContractId, i32), NaiveDate> {
        rows.into_iter()
            .filter_map(|(contract, year, day)| Some(((contract, year as i32), date(&day)?)))
            .collect()
    };
    let open = |rows: Vec<(ContractId, i64, String)>| -> HashMap<(ContractId, i32), String> {
        rows.into_iter()
            .map(|(contract, year, status)| ((contract, year as i32), status))
            .collect()
    };
    let strip = |map: HashMap<(ContractId, i32), NaiveDate>| {
        map.into_iter().map(|((c, _), d)| (c, d)).collect()
    };
    let deletion_accepted = strip(accepted(
        reviews::accepted_dates(conn, Reviewed::DeletionCertificates, scope).await?,
    ));
    let deletion_open =
        open(reviews::open_states(conn, Reviewed::DeletionCertificates, scope).await?)
            .into_iter()
            .map(|((c, _), s)| (c, s))
            .collect();
    let audit_accepted =
        accepted(reviews::accepted_dates(conn, Reviewed::AuditReports, scope).await?);
    let audit_open = open(reviews::open_states(conn, Reviewed::AuditReports, scope).await?);
    let held = match scope {
        RecordScope::Visible(Visibility::Vendor(vendor_id)) => {
            certifications::for_vendor(conn, *vendor_id).await?
        }
        RecordScope::Contract(_) => match contracts.first() {
            Some(contract) => certifications::for_vendor(conn, contract.vendor_id).await?,
            None => Vec::new(),
        },
        RecordScope::Visible(_) => certifications::all(conn).await?,
    };
    let mut by_vendor: HashMap<VendorId, Vec<Certification>> = HashMap::new();
    // Only what staff verified counts; a declared certificate is neither valid nor expiring here.
    for certification in held.into_iter().filter(|c| c.verification.counts()) {
        by_vendor
            .entry(certification.vendor_id)
            .or_default()
            .push(certification);
    }
    let mut uploads: HashMap<ContractId, Vec<(NaiveDate, String)>> = HashMap::new();
    for (contract, uploaded_at, status) in checklists::upload_history(conn, scope).await? {
        if let Some(day) = super::japan_date_of(&uploaded_at) {
            uploads.entry(contract).or_default().push((day, status));
        }
    }
    Ok(Facts {
        contracts,
        deletion_accepted,
        deletion_open,
        audit_accepted,
        audit_open,
        certifications: by_vendor,
        checklists: uploads,
    })
}

/// Every report at once, with counts by department and by vendor.
pub async fn dashboard(
    db: &Db,
    settings: &Settings,
    visibility: &Visibility,
    as_of: NaiveDate,
) -> AppResult<Dashboard> {
    let facts = facts(&mut *db.acquire().await?, Reach::Visible(visibility)).await?;
    // Judging every contract is seconds of CPU at prefecture scale; a request thread would stall
    // every other request meanwhile.
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || judge(&facts, &settings, as_of))
        .await
        .map_err(|e| crate::error::AppError::Internal(e.to_string()))
}

/// What one contract owes on `as_of`, judged as the dashboard judges it but reading only its records.
pub async fn owed_by(
    db: &Db,
    settings: &Settings,
    contract: Contract,
    as_of: NaiveDate,
) -> AppResult<Vec<Entry>> {
    let facts = facts(&mut *db.acquire().await?, Reach::One(Box::new(contract))).await?;
    let dashboard = judge(&facts, settings, as_of);
    Ok(todo_list(&dashboard).into_iter().cloned().collect())
}

/// The reports one can ask for by name (`itaku report <kind>`, `/api/v1/reports/<kind>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ReportKind {
    Retention,
    Audits,
    Certifications,
    Checklists,
    Kpi,
    /// Everything on the CISO's dashboard.
    All,
}

impl ReportKind {
    pub fn parse(name: &str) -> Option<Self> {
        <Self as clap::ValueEnum>::from_str(name, true).ok()
    }
    pub fn name(self) -> &'static str {
        match self {
            ReportKind::Retention => "retention",
            ReportKind::Audits => "audits",
            ReportKind::Certifications => "certifications",
            ReportKind::Checklists => "checklists",
            ReportKind::Kpi => "kpi",
            ReportKind::All => "all",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            ReportKind::Retention => "データ消去（保持期限超過・期限間近）",
            ReportKind::Audits => "監査報告書（期限超過・期限間近）",
            ReportKind::Certifications => "認証（期限切れ・期限間近）",
            ReportKind::Checklists => "チェックシート（未提出・差戻し）",
            ReportKind::Kpi => "重点指標（KPI）",
            ReportKind::All => "委託先セキュリティ状況",
        }
    }
}
