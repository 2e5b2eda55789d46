//! The KPIs of the policy goals: shares of the important contracts active on the day that meet each goal.

use super::certificates::{Certified, Goals};
use super::{Indicator, Kpi};
use crate::db::standings::judged::ImportantActive;
use crate::domain::FiscalYear;
use chrono::NaiveDate;

/// The KPIs from the counts of important active contracts and the certificates as judged on `as_of`.
pub fn kpi(important: &ImportantActive, certified: &Certified, as_of: NaiveDate) -> Kpi {
    let year = FiscalYear::of(as_of);
    let mut held = Held::default();
    for &(vendor_id, contracts) in &important.by_vendor {
        held.add(certified.goals_of(vendor_id), contracts as usize);
    }
    let Held {
        two_stars,
        isms,
        pmark,
        either,
    } = held;
    let n = important.contracts as usize;
    Kpi {
        as_of,
        fiscal_year: year.start_year(),
        fiscal_year_label: year.label(),
        important_contracts: n,
        indicators: vec![
            Indicator::new(
                "audit_report_accepted",
                "今年度の監査報告書を受理した重要契約の割合",
                important.audited as usize,
                n,
                Some(1.0),
            ),
            Indicator::new(
                "security_action_two_stars",
                "委託先がSECURITY ACTION ★★以上の重要契約の割合",
                two_stars,
                n,
                Some(0.8),
            ),
            Indicator::new(
                "isms",
                "委託先がISMS認証を持つ重要契約の割合",
                isms,
                n,
                None,
            ),
            Indicator::new(
                "pmark",
                "委託先がプライバシーマークを持つ重要契約の割合",
                pmark,
                n,
                None,
            ),
            Indicator::new(
                "isms_or_pmark",
                "委託先がISMSまたはプライバシーマークを持つ重要契約の割合",
                either,
                n,
                None,
            ),
        ],
    }
}

/// How many important contracts have a vendor that meets each goal.
#[derive(Default)]
struct Held {
    two_stars: usize,
    isms: usize,
    pmark: usize,
    either: usize,
}

impl Held {
    fn add(&mut self, goals: Goals, contracts: usize) {
        let of = |met: bool| if met { contracts } else { 0 };
        self.two_stars += of(goals.two_stars);
        self.isms += of(goals.isms);
        self.pmark += of(goals.pmark);
        self.either += of(goals.isms || goals.pmark);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::certifications::Certification;
    use crate::domain::certification::{IsmsStandard, Level, Scheme, Verification};
    use crate::domain::ids::{CertificationId, VendorId};

    fn certificate(id: i64, vendor: i64, scheme: Scheme, level: Option<Level>) -> Certification {
        Certification {
            id: CertificationId::new(id),
            vendor_id: VendorId::new(vendor),
            vendor_name: String::new(),
            vendor_identifier: String::new(),
            scheme,
            number: format!("C-{id}"),
            level,
            certification_body: String::new(),
            scope: String::new(),
            issued_on: None,
            valid_until: NaiveDate::from_ymd_opt(2026, 3, 31),
            printed_valid_until: None,
            standard: IsmsStandard::Unknown,
            file_id: None,
            updated_at: String::new(),
            verification: Verification::Verified,
            verified_by: String::new(),
            verified_at: None,
            verification_note: String::new(),
        }
    }

    #[test]
    fn each_goal_counts_the_important_contracts_of_vendors_holding_a_certificate_not_expired() {
        let as_of = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let mut expired_isms = certificate(2, 1, Scheme::Isms, None);
        expired_isms.valid_until = NaiveDate::from_ymd_opt(2025, 5, 31);
        let mut declared_pmark = certificate(7, 4, Scheme::Pmark, None);
        declared_pmark.verification = Verification::Declared;
        let held = vec![
            // Vendor 1: ★★ and a valid プライバシーマーク; its ISMS has expired.
            certificate(1, 1, Scheme::SecurityAction, Some(Level::TwoStars)),
            expired_isms,
            certificate(3, 1, Scheme::Pmark, None),
            // Vendor 2: METI ★3 (two stars and more) and ISMS.
            certificate(4, 2, Scheme::Meti, Some(Level::Star3)),
            certificate(5, 2, Scheme::Isms, None),
            // Vendor 3: one star only.
            certificate(6, 3, Scheme::SecurityAction, Some(Level::OneStar)),
            // Vendor 4: a プライバシーマーク declared, not verified.
            declared_pmark,
        ];
        let important = ImportantActive {
            contracts: 3 + 5 + 7 + 11 + 13,
            audited: 0,
            // Vendor 5 holds nothing.
            by_vendor: [(2, 5), (1, 3), (3, 7), (4, 11), (5, 13)]
                .map(|(vendor, n)| (VendorId::new(vendor), n))
                .to_vec(),
        };
        let rules = crate::config::Settings::default().obligation_rules();
        let certified = Certified::on(std::sync::Arc::new(held), rules.expiry, as_of);
        let kpi = kpi(&important, &certified, as_of);
        let numerator = |key: &str| {
            let indicator = kpi.indicators.iter().find(|i| i.key == key).unwrap();
            indicator.numerator
        };
        assert_eq!(kpi.important_contracts, 39);
        assert_eq!(numerator("security_action_two_stars"), 3 + 5);
        assert_eq!(numerator("isms"), 5);
        assert_eq!(numerator("pmark"), 3);
        assert_eq!(numerator("isms_or_pmark"), 3 + 5);
    }
}
