//! Askama views: one struct per page, rendered to a string the routes return as HTML.

use crate::auth::Role;
use crate::db::api_tokens::ApiToken;
use crate::db::audit::AuditEntry;
use crate::db::checklists::Submission;
use crate::db::contracts::Contract;
use crate::db::departments::{Department, DepartmentSummary};
use crate::db::users::UserSummary;
use crate::db::vendors::{Vendor, VendorChoice, VendorSummary};
use crate::domain::dates::JpDate;
use crate::domain::ids::{CertificationId, ContractId, DepartmentId, TenderId, UserId, VendorId};
use crate::domain::{ContractStatus, FiscalYear};
use crate::error::{AppError, FieldErrors};
use crate::excel::checksheet::CheckResult;
use crate::services::accounts::UserInput;
use crate::services::audit::AuditQuery;
use crate::services::checklists::SubmissionView;
use crate::services::contracts::{ContractInput, ContractQuery};
use crate::services::ledger::ImportReport;
use crate::services::vendors::VendorInput;
use crate::services::Paged;
use crate::web::guards::Chrome;
use askama::Template;
use chrono::NaiveDate;
use rocket::http::Status;
use rocket::response::content::RawHtml;

/// Renders a view; a template error is an internal error.
pub fn render(template: &impl Template) -> Result<RawHtml<String>, AppError> {
    template
        .render()
        .map(RawHtml)
        .map_err(|e| AppError::Internal(format!("template: {e}")))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    heading: &'a str,
    message: &'a str,
    details: &'a [String],
}

/// The HTML body for an error response.
pub fn error_page(status: Status, message: &str, details: &[String]) -> String {
    let heading = match status.code {
        404 => "ページが見つかりません",
        413 => "ファイルが大きすぎます",
        422 | 400 => "入力内容に誤りがあります",
        503 => "ただいま利用できません",
        _ => "エラーが発生しました",
    };
    ErrorPage {
        heading,
        message,
        details,
    }
    .render()
    .unwrap_or_else(|_| {
        format!(
            "<!doctype html><title>{}</title><p>{}</p>",
            status.code, heading
        )
    })
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct Home {
    pub chrome: Chrome,
    pub today: NaiveDate,
    pub fiscal_year: FiscalYear,
    pub counts: Vec<(ContractStatus, i64)>,
    pub ending_soon: Paged<Contract>,
    pub horizon: NaiveDate,
    /// What waits for this user: to review, returned to vendors, overdue.
    pub work: crate::services::inbox::WorkList,
}

#[derive(Template)]
#[template(path = "contracts/list.html")]
pub struct ContractList {
    pub chrome: Chrome,
    pub today: NaiveDate,
    pub paged: Paged<Contract>,
    pub query: ContractQuery,
    /// The filter as a query-string prefix for the pager links (`q=…&`).
    pub page_query: String,
    pub departments: Vec<Department>,
    pub vendors: Vec<VendorChoice>,
    pub statuses: [ContractStatus; 3],
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "contracts/show.html")]
pub struct ContractShow {
    pub chrome: Chrome,
    pub today: NaiveDate,
    pub c: Contract,
    pub saved: bool,
    pub submissions: Vec<Submission>,
    pub may_submit: bool,
    /// May accept or return what the vendor submitted.
    pub may_review: bool,
    /// What this contract owes today.
    pub owed: Vec<crate::services::reports::Entry>,
    pub audit_reports: Vec<crate::db::audit_reports::AuditReport>,
    pub deletions: Vec<crate::db::deletions::DeletionCertificate>,
    pub forms: EvidenceForms,
}

/// The evidence forms on a contract's page, with what was typed and what was wrong when refused.
#[derive(Default)]
pub struct EvidenceForms {
    pub audit: crate::services::audit_reports::AuditReportInput,
    pub audit_errors: FieldErrors,
    pub deletion: crate::services::deletions::DeletionInput,
    pub deletion_errors: FieldErrors,
    /// A refused decision: which record (`audit-reports/3`) and why.
    pub review_target: String,
    pub review_errors: FieldErrors,
}

/// 提出済 / 承認 / 差戻し
pub fn submission_status_label(code: &str) -> &'static str {
    match code {
        "approved" => "承認",
        "returned" => "差戻し",
        _ => "確認待ち",
    }
}

impl ContractShow {
    fn status_label(&self, code: &str) -> &'static str {
        submission_status_label(code)
    }
    fn evidence_status(&self, code: &str) -> &'static str {
        evidence_status_label(code)
    }
    fn audit_kinds(&self) -> &'static [(&'static str, &'static str)] {
        &crate::services::audit_reports::KINDS
    }
    fn follow_ups(&self) -> &'static [(&'static str, &'static str)] {
        &crate::services::audit_reports::FOLLOW_UPS
    }
    fn kind_label(&self, code: &str) -> &'static str {
        crate::services::audit_reports::kind_label(code)
    }
    fn follow_up_label(&self, code: &str) -> &'static str {
        crate::services::audit_reports::follow_up_label(code)
    }
    fn year_label(&self, year: &i64) -> String {
        FiscalYear::new(*year as i32)
            .map(FiscalYear::label)
            .unwrap_or_default()
    }
    fn day(&self, iso: &str) -> String {
        NaiveDate::parse_from_str(iso, "%Y-%m-%d")
            .map(|d| d.jp())
            .unwrap_or_else(|_| iso.to_string())
    }
    fn review_errors_for(&self, target: &str) -> Vec<String> {
        if self.forms.review_target == target {
            self.forms
                .review_errors
                .iter()
                .map(|e| e.message.clone())
                .collect()
        } else {
            Vec::new()
        }
    }
}

/// 受理待ち / 受理 / 差戻し
pub fn evidence_status_label(code: &str) -> &'static str {
    match code {
        "accepted" => "受理",
        "returned" => "差戻し",
        _ => "受理待ち",
    }
}

#[derive(Template)]
#[template(path = "checklists/show.html")]
pub struct ChecklistShow {
    pub chrome: Chrome,
    pub v: SubmissionView,
    pub contract: Contract,
    pub may_review: bool,
    pub submitted: bool,
    pub reviewed: bool,
    pub errors: FieldErrors,
}

impl ChecklistShow {
    fn status_label(&self, code: &str) -> &'static str {
        submission_status_label(code)
    }
}

#[derive(Template)]
#[template(path = "checklists/refused.html")]
pub struct ChecklistRefused {
    pub chrome: Chrome,
    /// Where "back" leads: the contract, or the bid the sheet was for.
    pub back: String,
    pub result: CheckResult,
}

#[derive(Template)]
#[template(path = "contracts/form.html")]
pub struct ContractForm {
    pub chrome: Chrome,
    pub id: Option<ContractId>,
    pub input: ContractInput,
    pub errors: FieldErrors,
    pub departments: Vec<Department>,
    pub vendors: Vec<VendorChoice>,
    pub default_deletion_days: i64,
}

#[derive(Template)]
#[template(path = "vendors/list.html")]
pub struct VendorList {
    pub chrome: Chrome,
    pub q: String,
    pub paged: Paged<VendorSummary>,
    pub page_query: String,
}

#[derive(Template)]
#[template(path = "vendors/show.html")]
pub struct VendorShow {
    pub chrome: Chrome,
    pub today: NaiveDate,
    pub v: Vendor,
    pub contracts: Paged<Contract>,
    pub saved: bool,
    pub certifications: Vec<crate::services::certifications::CertificationView>,
    pub may_record_certifications: bool,
    /// Staff who may change this vendor's certificates: they verify or return declared ones.
    pub may_verify_certifications: bool,
    pub may_edit_vendor: bool,
    /// The certificate whose return was refused for want of a reason.
    pub needs_reason: Option<CertificationId>,
}

#[derive(Template)]
#[template(path = "certifications/form.html")]
pub struct CertificationForm {
    pub chrome: Chrome,
    pub vendor: Vendor,
    /// The certification being changed, `None` for a new one.
    pub id: Option<CertificationId>,
    pub input: crate::services::certifications::CertificationInput,
    pub has_file: bool,
    pub errors: FieldErrors,
}

impl CertificationForm {
    fn schemes(&self) -> Vec<(&'static str, &'static str)> {
        crate::domain::certification::Scheme::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect()
    }
    fn levels(&self) -> Vec<(&'static str, &'static str)> {
        crate::domain::certification::Scheme::ALL
            .iter()
            .flat_map(|s| s.levels())
            .map(|l| (l.code(), l.label()))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "vendors/import.html")]
pub struct VendorImport {
    pub chrome: Chrome,
    pub report: Option<crate::services::vendor_master::ImportReport>,
}

#[derive(Template)]
#[template(path = "certifications/import.html")]
pub struct CertificationImport {
    pub chrome: Chrome,
    pub report: Option<crate::services::certifications::ImportReport>,
}

#[derive(Template)]
#[template(path = "vendors/form.html")]
pub struct VendorForm {
    pub chrome: Chrome,
    pub id: Option<VendorId>,
    pub errors: FieldErrors,
    /// (field name, label, typed value, hint) in the order shown.
    pub fields: Vec<(&'static str, &'static str, String, &'static str)>,
}

impl VendorForm {
    pub fn new(
        chrome: Chrome,
        id: Option<VendorId>,
        input: &VendorInput,
        errors: FieldErrors,
    ) -> Self {
        let value = |v: &Option<String>| v.clone().unwrap_or_default();
        VendorForm {
            chrome,
            id,
            errors,
            fields: vec![
                (
                    "corporate_number",
                    "法人番号（13桁）",
                    value(&input.corporate_number),
                    "国税庁の法人番号公表サイトで確認できます。法人番号・登録番号・業者番号のどれか1つは必須です。",
                ),
                (
                    "invoice_number",
                    "適格請求書発行事業者登録番号（T＋13桁）",
                    value(&input.invoice_number),
                    "法人番号のない個人事業主のときに入力します。個人番号（マイナンバー）は入力しないでください。",
                ),
                (
                    "vendor_code",
                    "業者番号",
                    value(&input.vendor_code),
                    "入札参加資格者名簿の業者番号（あれば）。",
                ),
                ("name", "事業者名（必須）", value(&input.name), ""),
                ("name_kana", "フリガナ", value(&input.name_kana), ""),
                ("address", "所在地", value(&input.address), ""),
                ("representative", "代表者", value(&input.representative), ""),
                ("contact_person", "担当者", value(&input.contact_person), ""),
                ("phone", "電話番号", value(&input.phone), ""),
                ("email", "メールアドレス", value(&input.email), ""),
            ],
        }
    }
}

#[derive(Template)]
#[template(path = "departments/list.html")]
pub struct DepartmentList {
    pub chrome: Chrome,
    pub departments: Vec<DepartmentSummary>,
    pub errors: FieldErrors,
    pub new_name: String,
    pub saved: bool,
}

#[derive(Template)]
#[template(path = "ledger/upload.html")]
pub struct LedgerUpload {
    pub chrome: Chrome,
    pub limit_mib: usize,
}

#[derive(Template)]
#[template(path = "ledger/result.html")]
pub struct LedgerResult {
    pub chrome: Chrome,
    pub file_name: String,
    pub report: ImportReport,
    pub token: String,
}

#[derive(Template)]
#[template(path = "auth/login.html")]
pub struct Login {
    pub csrf: String,
    pub next: String,
    pub email: String,
    pub message: Option<String>,
    pub signed_out: bool,
    /// The demo server does not ask for a second factor; the page says a real one would.
    pub demo: bool,
}

#[derive(Template)]
#[template(path = "auth/mfa_challenge.html")]
pub struct MfaChallenge {
    pub csrf: String,
    pub next: String,
    pub email: String,
    /// The set-up, when the user has no second factor yet.
    pub enrolment: Option<crate::services::mfa::Enrolment>,
    pub message: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/mfa_setup.html")]
pub struct MfaSetup {
    pub chrome: Chrome,
    pub enrolment: crate::services::mfa::Enrolment,
    pub errors: FieldErrors,
}

/// Recovery codes, shown once.
#[derive(Template)]
#[template(path = "auth/recovery_codes.html")]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
    pub next: String,
}

#[derive(Template)]
#[template(path = "auth/setup.html")]
pub struct Setup {
    pub csrf: String,
    pub token: String,
    pub email: String,
    pub errors: FieldErrors,
    pub min_length: usize,
}

#[derive(Template)]
#[template(path = "auth/account.html")]
pub struct Account {
    pub chrome: Chrome,
    pub tokens: Vec<ApiToken>,
    pub new_token: Option<String>,
    pub errors: FieldErrors,
    pub password_changed: bool,
    /// How many sessions elsewhere were just ended.
    pub signed_out_elsewhere: Option<u64>,
    pub sessions: Vec<SessionLine>,
    pub mfa: crate::services::mfa::Status,
    /// Reminders as one daily digest (staff).
    pub mail_digest: bool,
    /// A code typed to renew recovery codes or turn the second factor off was wrong.
    pub mfa_code_wrong: bool,
    pub min_length: usize,
}

/// One of the user's open sessions, as the account page lists it.
pub struct SessionLine {
    /// The session this page was requested with.
    pub this_one: bool,
    pub signed_in: String,
    pub last_seen: String,
    pub ip: String,
    pub browser: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UserList {
    pub chrome: Chrome,
    pub users: Vec<UserSummary>,
}

impl UserList {
    fn role_label(&self, code: &str) -> &'static str {
        Role::parse(code).map(Role::label).unwrap_or("")
    }
}

#[derive(Template)]
#[template(path = "admin/user_form.html")]
pub struct UserForm {
    pub chrome: Chrome,
    pub id: Option<UserId>,
    pub input: UserInput,
    pub errors: FieldErrors,
    pub roles: [Role; 4],
    pub departments: Vec<Department>,
    pub tokens: Vec<ApiToken>,
    pub shown_password: Option<String>,
    pub saved: bool,
    /// Until when the user's sign-in is locked after failures (UTC), if it is.
    pub locked_until: Option<crate::domain::Timestamp>,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditLog {
    pub chrome: Chrome,
    pub query: AuditQuery,
    pub page_query: String,
    pub paged: Paged<AuditEntry>,
    pub errors: FieldErrors,
    pub actions: Vec<(&'static str, &'static str)>,
    pub entity_types: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "portal.html")]
pub struct Portal {
    pub chrome: Chrome,
    pub today: NaiveDate,
    pub vendor: Vendor,
    pub contracts: Paged<Contract>,
    /// What the vendor owes, soonest deadline first.
    pub owed: Vec<crate::services::reports::Entry>,
    /// Open tenders that asked this vendor for a check sheet it has not handed in.
    pub bids_asked: Vec<crate::db::tenders::Bid>,
    /// 年度一斉依頼 naming this vendor's contracts, with where each stands.
    pub requests: Vec<crate::services::requests::Progress>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub chrome: Chrome,
    pub today: NaiveDate,
    pub d: std::sync::Arc<crate::services::reports::Dashboard>,
    /// Set while a newer judgement is being made: when the data shown was read, in Japan.
    pub judging_since: Option<String>,
    pub errors: FieldErrors,
    /// For administrators: no SMTP server is configured, so nobody is reminded of anything.
    pub mail_off: bool,
}

#[derive(Template)]
#[template(path = "tenders/list.html")]
pub struct TenderList {
    pub chrome: Chrome,
    pub tenders: Vec<crate::db::tenders::Tender>,
}

#[derive(Template)]
#[template(path = "tenders/form.html")]
pub struct TenderForm {
    pub chrome: Chrome,
    /// The tender being changed, `None` for a new one.
    pub id: Option<TenderId>,
    pub input: crate::services::tenders::TenderInput,
    pub departments: Vec<Department>,
    pub policies: Vec<crate::db::policies::StoredPolicy>,
    pub errors: FieldErrors,
}

impl TenderForm {
    fn chosen_policy(&self) -> &str {
        self.input.policy.as_deref().unwrap_or("")
    }
}

#[derive(Template)]
#[template(path = "tenders/show.html")]
pub struct TenderPage {
    pub chrome: Chrome,
    pub view: crate::services::rating::RatingView,
    pub bidders: Vec<crate::db::tenders::Bidder>,
    /// The officer may change this tender (it is open and in their department).
    pub editable: bool,
    pub notice: Option<String>,
    pub errors: FieldErrors,
    pub bidder_input: crate::services::tenders::BidderInput,
}

impl TenderPage {
    fn tender(&self) -> &crate::db::tenders::Tender {
        &self.view.tender
    }
    fn rating(&self) -> &crate::rating::Rating {
        &self.view.rating
    }
    fn rules(&self) -> &[crate::rating::policy::Rule] {
        &self.view.policy.rules
    }
    /// The points a bidder got for a rule, as the side-by-side table shows them.
    fn cell(&self, bidder: &crate::rating::BidderRating, rule: &str) -> String {
        match bidder.breakdown.iter().find(|l| l.rule == rule) {
            Some(line) if line.applicable => line.points.to_string(),
            _ => "対象外".to_string(),
        }
    }
    fn bidder_record(&self, identifier: &str) -> Option<&crate::db::tenders::Bidder> {
        self.bidders.iter().find(|b| b.identifier == identifier)
    }
}

#[derive(Template)]
#[template(path = "tenders/bids.html")]
pub struct BidList {
    pub chrome: Chrome,
    pub bids: Vec<crate::db::tenders::Bid>,
}

#[derive(Template)]
#[template(path = "tenders/bid.html")]
pub struct BidPage {
    pub chrome: Chrome,
    pub bid: crate::db::tenders::Bid,
    pub sheet: Option<crate::db::tenders::BidSheet>,
    pub submitted: bool,
}

#[derive(Template)]
#[template(path = "admin/policies.html")]
pub struct PolicyList {
    pub chrome: Chrome,
    pub policies: Vec<crate::db::policies::StoredPolicy>,
    pub error: Option<String>,
    pub added: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/policy.html")]
pub struct PolicyPage {
    pub chrome: Chrome,
    pub stored: crate::db::policies::StoredPolicy,
    pub policy: crate::rating::Policy,
}

#[derive(Template)]
#[template(path = "notifications.html")]
pub struct NotificationList {
    pub chrome: Chrome,
    pub items: Vec<crate::db::notifications::Notification>,
}

#[derive(Template)]
#[template(path = "requests/list.html")]
pub struct RequestList {
    pub chrome: Chrome,
    pub items: Vec<crate::services::requests::Progress>,
}

#[derive(Template)]
#[template(path = "requests/form.html")]
pub struct RequestForm {
    pub chrome: Chrome,
    pub input: crate::services::requests::RequestInput,
    /// The departments the user may ask for: (id, name).
    pub departments: Vec<(DepartmentId, String)>,
    pub errors: FieldErrors,
    /// The contracts the request would go to, before it is sent.
    pub preview: Option<Vec<Contract>>,
}

#[derive(Template)]
#[template(path = "requests/show.html")]
pub struct RequestShow {
    pub chrome: Chrome,
    pub p: crate::services::requests::Progress,
}

#[derive(Template)]
#[template(path = "auth/sign_in_link.html")]
pub struct SignInLink {
    pub csrf: String,
    /// The link being used, when it is valid.
    pub token: Option<String>,
    pub message: Option<String>,
    /// A link was asked for (the same answer whether or not the address has an account).
    pub sent: bool,
    /// Whether mail can be sent at all.
    pub available: bool,
}
