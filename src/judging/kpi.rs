//! The KPIs of the policy goals: shares of the important contracts active on the day that meet each goal.

use super::{Indicator, Kpi};
use crate::db::standings::judged::ImportantActive;
use crate::domain::certification::{CertStatus, Level, Scheme};
use crate::domain::obligation::Rules;
use crate::domain::FiscalYear;
use chrono::NaiveDate;

/// The KPIs from the counts of important active contracts and the certificates that count on `as_of`.
pub fn kpi(
    important: &ImportantActive,
    counting: &super::Counting<'_>,
    rules: &Rules,
    as_of: NaiveDate,
) -> Kpi {
    let year = FiscalYear::of(as_of);
    let windows = rules.expiry;
    let contracts_whose_vendor_holds = |test: &dyn Fn(Scheme, Option<Level>) -> bool| -> usize {
        important
            .by_vendor
            .iter()
            .filter(|(vendor_id, _)| {
                counting
                    .get(vendor_id)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .filter(|c| test(c.scheme, c.level))
                    .any(|c| windows.status(c.scheme, c.valid_until, as_of) != CertStatus::Expired)
            })
            .map(|(_, contracts)| *contracts as usize)
            .sum()
    };
    // ★★, or METI's ★3 and above, which build on SECURITY ACTION's two stars.
    let two_stars = contracts_whose_vendor_holds(&|scheme, level| {
        matches!(
            (scheme, level),
            (Scheme::SecurityAction, Some(Level::TwoStars)) | (Scheme::Meti, Some(_))
        )
    });
    let isms = contracts_whose_vendor_holds(&|scheme, _| scheme == Scheme::Isms);
    let pmark = contracts_whose_vendor_holds(&|scheme, _| scheme == Scheme::Pmark);
    let either =
        contracts_whose_vendor_holds(&|scheme, _| matches!(scheme, Scheme::Isms | Scheme::Pmark));
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
