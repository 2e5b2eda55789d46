//! What a bidder is rated on, as plain values: gathered from the records for a live rating, and kept
//! as JSON when the rating is finalized, so the same facts give the same points years later.

use crate::checklist::Answer;
use crate::domain::certification::{Level, Scheme};
use crate::domain::Yen;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderFacts {
    pub evaluation_date: NaiveDate,
    pub uses_cloud: bool,
    pub handles_personal_data: bool,
    /// 予定価格 or 契約金額 in yen (absent in ratings finalized before amounts were kept).
    #[serde(default)]
    pub amount: Option<Yen>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateFact {
    pub scheme: Scheme,
    pub level: Option<Level>,
    pub number: String,
    pub certification_body: String,
    pub scope: String,
    pub issued_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    /// Verified by staff; a certificate the vendor only declared earns nothing. (Ratings finalized
    /// before verification existed counted every certificate, and are read back that way.)
    #[serde(default = "verified_by_default")]
    pub verified: bool,
}

fn verified_by_default() -> bool {
    true
}

/// An accepted audit report of one of the bidder's contracts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFact {
    pub contract_number: String,
    pub fiscal_year: i32,
    pub kind: String,
    pub kind_label: String,
    pub auditor: String,
    pub accepted_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerFact {
    pub item_id: String,
    pub category: String,
    pub mandatory: bool,
    pub answer: Answer,
}

/// The check sheet the bidder is rated on, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistFact {
    /// e.g. 「入札時提出 第2版（2026-11-01 提出）」
    pub source: String,
    pub definition_id: String,
    pub answers: Vec<AnswerFact>,
}

/// The data-deletion deadline of one of the bidder's ended contracts, and when (if ever) the
/// certificate was accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionFact {
    pub contract_number: String,
    pub deadline: NaiveDate,
    pub accepted_on: Option<NaiveDate>,
}

/// A corrective action (是正) required of the bidder, and the day it was done (accepted or closed by a
/// later check sheet), if it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectiveFact {
    pub contract_number: String,
    pub item_id: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

/// A 指名停止 period of the bidder: both ends count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspensionFact {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub reason: String,
    pub document_number: String,
}

/// An incident at one of the bidder's contracts, as it was judged on its report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentFact {
    pub contract_number: String,
    /// The day the vendor became aware of it.
    pub aware_on: NaiveDate,
    /// False when staff learnt of it elsewhere and recorded it themselves.
    pub reported_by_vendor: bool,
    pub on_time: bool,
    pub minutes_late: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidderFacts {
    /// The vendor's 法人番号, 登録番号 or 業者番号 (kept judgements before sole proprietors name it
    /// `corporate_number`).
    #[serde(alias = "corporate_number")]
    pub identifier: String,
    pub name: String,
    /// The officer confirmed that the ISMS scope covers the work (default yes).
    pub isms_scope_confirmed: bool,
    pub certificates: Vec<CertificateFact>,
    pub audit_reports: Vec<AuditFact>,
    pub checklist: Option<ChecklistFact>,
    pub deletions: Vec<DeletionFact>,
    /// Judgements frozen before corrective actions existed have none.
    #[serde(default)]
    pub corrective: Vec<CorrectiveFact>,
    /// Judgements frozen before suspensions were kept have none.
    #[serde(default)]
    pub suspensions: Vec<SuspensionFact>,
    #[serde(default)]
    pub incidents: Vec<IncidentFact>,
}
