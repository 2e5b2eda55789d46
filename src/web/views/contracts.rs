//! Views of contracts: the list, a contract with its evidence, its check sheets, the form, the ledger import.

use crate::db::checklists::Submission;
use crate::db::contracts::Contract;
use crate::db::departments::Department;
use crate::db::vendors::VendorChoice;
use crate::domain::dates::JpDate;
use crate::domain::ids::ContractId;
use crate::domain::{ContractStatus, FiscalYear};
use crate::error::FieldErrors;
use crate::excel::checksheet::CheckResult;
use crate::services::checklists::SubmissionView;
use crate::services::contracts::{ContractInput, ContractQuery};
use crate::services::ledger::ImportReport;
use crate::services::Paged;
use crate::web::guards::Chrome;
use askama::Template;
use chrono::NaiveDate;

#[derive(Template)]
#[template(path = "contracts/list.html")]
pub struct ContractList {
    pub chrome: Chrome,
    pub today: NaiveDate,
    pub paged: Paged<Contract>,
    pub query: ContractQuery,
    /// The filter and order as a query-string prefix for the pager links (`q=…&sort=…&`).
    pub page_query: String,
    /// The filter alone, for the column headings that change the order.
    pub filter_query: String,
    pub order: crate::db::contracts::Order,
    pub departments: Vec<Department>,
    /// The vendor the vendor field names, offered as its one suggestion until more are typed.
    pub shown_vendor: Option<VendorChoice>,
    pub statuses: [ContractStatus; 3],
    pub errors: FieldErrors,
}

/// A column heading that sorts the list: where it leads, and how the column is sorted now.
pub struct SortHeading {
    pub href: String,
    /// `ascending`, `descending` or `none`, for `aria-sort`.
    pub aria_sort: &'static str,
    pub arrow: &'static str,
}

impl ContractList {
    /// The vendor field's text: the number of the vendor filtered by id, else what was typed.
    pub fn vendor_value(&self) -> String {
        match (self.query.vendor_id, &self.shown_vendor) {
            (Some(_), Some(vendor)) => vendor.identifier.clone(),
            (Some(_), None) => String::new(),
            (None, _) => self.query.vendor.clone().unwrap_or_default(),
        }
    }

    /// The heading of the column sorted by `key`: a first click sorts ascending (dates descending,
    /// newest first), a second click reverses.
    pub fn sort_heading(&self, code: &str) -> SortHeading {
        use crate::db::contracts::{Order, OrderKey};
        let key = OrderKey::ALL
            .into_iter()
            .find(|key| key.code() == code)
            .unwrap_or(OrderKey::EndDate);
        let sorted_here = self.order.key == key;
        let first_descending = matches!(
            key,
            OrderKey::EndDate | OrderKey::StartDate | OrderKey::DeletionDeadline
        );
        let next = Order {
            key,
            descending: if sorted_here {
                !self.order.descending
            } else {
                first_descending
            },
        };
        SortHeading {
            href: format!("?{}sort={}", self.filter_query, next.code()),
            aria_sort: match (sorted_here, self.order.descending) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            },
            arrow: match (sorted_here, self.order.descending) {
                (false, _) => "",
                (true, false) => "▲",
                (true, true) => "▼",
            },
        }
    }
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
    /// Who else holds the data: the chain of subcontractors.
    pub subcontractors: Vec<crate::services::subcontractors::Link>,
    /// 是正 required of the vendor, and the latest check sheet's いいえ・一部 items one can be required for.
    pub corrective_actions: Vec<crate::db::corrective_actions::CorrectiveAction>,
    pub gaps: Vec<crate::db::checklists::StoredAnswer>,
    /// 特約条項: the clauses binding the contract and what they owe; the editions to choose from.
    pub clauses: crate::services::clauses::ClauseSet,
    pub clause_editions: Vec<crate::checklist::clauses::Catalogue>,
    /// The ★ level the contract requires and whether its vendor has it.
    pub star: crate::services::star_level::StarStanding,
    /// Incidents reported against the contract, newest first, each with its timeline.
    pub incidents: Vec<crate::services::incidents::Timeline>,
    /// The vendor's incident contacts, and what it agreed to do in an incident under this contract.
    pub incident_contacts: crate::services::incident_contacts::Contacts,
    pub incident_scope: Option<String>,
    /// The subcontractors each deletion certificate lists.
    pub deletion_coverage: Vec<(
        crate::domain::ids::DeletionId,
        crate::domain::ids::SubcontractorId,
    )>,
    pub forms: EvidenceForms,
}

/// The evidence forms on a contract's page, with what was typed and what was wrong when refused.
#[derive(Default)]
pub struct EvidenceForms {
    pub audit: crate::services::audit_reports::AuditReportInput,
    pub audit_errors: FieldErrors,
    pub deletion: crate::services::deletions::DeletionInput,
    pub deletion_errors: FieldErrors,
    pub subcontractor: crate::services::subcontractors::SubcontractorInput,
    pub subcontractor_errors: FieldErrors,
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
    /// 再委託, 再々委託, then 第N次再委託 for deeper links.
    fn chain_level(&self, depth: &usize) -> String {
        match depth {
            1 => "再委託".to_string(),
            2 => "再々委託".to_string(),
            n => format!("第{n}次再委託"),
        }
    }

    /// The name of the subcontractor another works for.
    fn parent_name(&self, parent: &Option<crate::domain::ids::SubcontractorId>) -> String {
        self.subcontractors
            .iter()
            .find(|l| Some(l.subcontractor.id) == *parent)
            .map(|l| l.subcontractor.name.clone())
            .unwrap_or_default()
    }

    /// Subcontractors that handled the data (not refused): each needs its deletion proven.
    fn data_holders(&self) -> Vec<&crate::db::subcontractors::Subcontractor> {
        self.subcontractors
            .iter()
            .map(|l| &l.subcontractor)
            .filter(|s| s.status != "refused" && (s.personal_data || !s.data_items.is_empty()))
            .collect()
    }

    /// Whether a subcontractor's deletion is stated in an accepted certificate (受理), one waiting
    /// for review (確認待ち), or none.
    fn deletion_state(&self, id: &crate::domain::ids::SubcontractorId) -> &'static str {
        let listing: Vec<&str> = self
            .deletions
            .iter()
            .filter(|d| self.deletion_coverage.contains(&(d.id, *id)))
            .map(|d| d.status.as_str())
            .collect();
        if listing.contains(&"accepted") {
            "受理済"
        } else if listing.contains(&"submitted") {
            "確認待ち"
        } else {
            "未提出"
        }
    }

    /// 対応待ち / 計画済 / 完了報告（確認待ち）/ 差戻し / 受理 / 完了（はいに改善）
    fn corrective_status(&self, code: &str) -> &'static str {
        match code {
            "planned" => "計画済",
            "reported" => "完了報告（確認待ち）",
            "returned" => "差戻し",
            "accepted" => "受理",
            "closed" => "完了（「はい」に改善）",
            _ => "対応待ち",
        }
    }

    /// Waiting for the vendor: a plan or a completion report may still be sent.
    fn corrective_open(&self, a: &crate::db::corrective_actions::CorrectiveAction) -> bool {
        !matches!(a.status.as_str(), "accepted" | "closed" | "reported")
    }

    /// Overdue today: past its due day and neither accepted nor closed.
    fn corrective_overdue(&self, a: &crate::db::corrective_actions::CorrectiveAction) -> bool {
        a.due_on < self.today && !matches!(a.status.as_str(), "accepted" | "closed")
    }

    /// 未提出 / 確認待ち / 差戻し / 受理
    fn clause_status(&self, code: &str) -> &'static str {
        match code {
            "submitted" => "確認待ち",
            "returned" => "差戻し",
            "accepted" => "受理",
            _ => "未提出",
        }
    }

    /// Past its deadline today and not accepted.
    fn clause_overdue(&self, o: &crate::db::clauses::ClauseObligation) -> bool {
        o.due_on < self.today && o.status != "accepted"
    }

    /// Every clause any edition offers, by id (the newest wording), with whether the contract has it.
    fn clause_choices(&self) -> Vec<(&str, &str, bool)> {
        let mut choices: Vec<(&str, &str, bool)> = Vec::new();
        for catalogue in self.clause_editions.iter().rev() {
            for clause in &catalogue.clauses {
                if !choices.iter().any(|(id, _, _)| *id == clause.id) {
                    let bound = self
                        .clauses
                        .clauses
                        .iter()
                        .any(|b| b.clause.clause_id == clause.id);
                    choices.push((clause.id.as_str(), clause.title.as_str(), bound));
                }
            }
        }
        choices
    }

    /// Whether the reader is the contract's vendor (it reports; staff record and note).
    fn is_vendor(&self) -> bool {
        matches!(
            self.chrome.user.contract_visibility(),
            crate::db::contracts::Visibility::Vendor(_)
        )
    }

    /// 令和8年12月6日 14:30
    fn moment(&self, at: &crate::domain::Timestamp) -> String {
        crate::domain::incident::moment_label(*at)
    }

    fn incident_status(&self, code: &str) -> &'static str {
        crate::domain::incident::status_label(code)
    }

    fn incident_update(&self, code: &str) -> &'static str {
        crate::domain::incident::update_label(code)
    }

    /// The clause every contract keeps (its box is always ticked).
    fn is_deletion(&self, id: &str) -> bool {
        id == crate::services::clauses::DELETION
    }

    /// At work today without an approval by today.
    fn unapproved_at_work(&self, s: &crate::db::subcontractors::Subcontractor) -> bool {
        let today = self.today.iso();
        s.status != "refused"
            && s.start_date <= self.today
            && s.end_date
                .as_deref()
                .is_none_or(|end| end >= today.as_str())
            && s.approved_on
                .as_deref()
                .is_none_or(|day| day > today.as_str())
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
    /// The vendor the vendor field names, offered as its one suggestion until more are typed.
    pub shown_vendor: Option<VendorChoice>,
    pub default_deletion_days: i64,
}

impl ContractForm {
    /// What the vendor field shows: what was typed, else the chosen vendor's number.
    pub fn vendor_value(&self) -> String {
        match (self.input.vendor_identifier.as_deref(), &self.shown_vendor) {
            (Some(typed), _) => typed.to_string(),
            (None, Some(vendor)) => vendor.identifier.clone(),
            (None, None) => String::new(),
        }
    }

    /// The name of the vendor the field names, shown beside it.
    pub fn vendor_name(&self) -> Option<&str> {
        self.shown_vendor.as_ref().map(|v| v.name.as_str())
    }

    /// The vendor field's error, whichever of its names the check used.
    pub fn vendor_error(&self) -> Option<&str> {
        self.errors
            .get("vendor_identifier")
            .or_else(|| self.errors.get("vendor_id"))
    }
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
