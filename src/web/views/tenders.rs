//! Views of bid evaluation: tenders, their ratings and bid requests, and the scoring policies.

use crate::db::departments::Department;
use crate::domain::dates::JpDate;
use crate::domain::ids::TenderId;
use crate::error::FieldErrors;
use crate::web::guards::Chrome;
use askama::Template;

#[derive(Template)]
#[template(path = "tenders/list.html")]
pub struct TenderList {
    pub chrome: Chrome,
    pub tenders: Vec<crate::db::tenders::Tender>,
    /// Every policy version, to name each tender's by its title.
    pub policies: Vec<crate::db::policies::StoredPolicy>,
}

impl TenderList {
    /// 「情報セキュリティ加点方針（itaku-standard@1）」: the title, with the reference people quote.
    pub fn policy_label(&self, tender: &crate::db::tenders::Tender) -> String {
        let reference = tender.policy_reference();
        match self.policies.iter().find(|p| p.id == tender.policy_id) {
            Some(policy) => format!("{}（{reference}）", policy.title),
            None => reference,
        }
    }
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
