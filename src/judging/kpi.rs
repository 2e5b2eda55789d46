//! The KPIs of the policy goals: shares of the important contracts active on the day that meet each goal.

use super::deadlines::is_active;
use super::{Facts, Indicator, Kpi};
use crate::config::Settings;
use crate::db::contracts::Contract;
use crate::domain::certification::{CertStatus, Level, Scheme};
use crate::domain::{FiscalYear, Importance};
use chrono::NaiveDate;

pub(super) fn kpi(facts: &Facts, settings: &Settings, as_of: NaiveDate) -> Kpi {
    let year = FiscalYear::of(as_of);
    let important: Vec<&Contract> = facts
        .contracts
        .iter()
        .filter(|c| c.importance == Importance::Important && is_active(c, as_of))
        .collect();
    let windows = settings.expiry_windows();
    let holds = |contract: &Contract, test: &dyn Fn(Scheme, Option<Level>) -> bool| {
        facts
            .certifications
            .get(&contract.vendor_id)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|c| test(c.scheme, c.level))
            .filter(|c| c.issued_on.is_none_or(|issued| issued <= as_of))
            .any(|c| windows.status(c.scheme, c.valid_until, as_of) != CertStatus::Expired)
    };
    let count = |test: &dyn Fn(&Contract) -> bool| important.iter().filter(|c| test(c)).count();
    let audited = count(&|c| {
        facts
            .audit_accepted
            .get(&(c.id, year.start_year()))
            .is_some_and(|day| *day <= as_of)
    });
    // ★★, or METI's ★3 and above, which build on SECURITY ACTION's two stars.
    let two_stars = count(&|c| {
        holds(c, &|scheme, level| {
            matches!(
                (scheme, level),
                (Scheme::SecurityAction, Some(Level::TwoStars)) | (Scheme::Meti, Some(_))
            )
        })
    });
    let isms = count(&|c| holds(c, &|scheme, _| scheme == Scheme::Isms));
    let pmark = count(&|c| holds(c, &|scheme, _| scheme == Scheme::Pmark));
    let either = count(&|c| {
        holds(c, &|scheme, _| {
            matches!(scheme, Scheme::Isms | Scheme::Pmark)
        })
    });
    let n = important.len();
    Kpi {
        as_of,
        fiscal_year: year.start_year(),
        fiscal_year_label: year.label(),
        important_contracts: n,
        indicators: vec![
            Indicator::new(
                "audit_report_accepted",
                "今年度の監査報告書を受理した重要契約の割合",
                audited,
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
