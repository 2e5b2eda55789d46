//! Which of a vendor's certificates of a scheme counts on a day, and the entry it makes on a contract.

use super::{CertificateRef, Entry};
use crate::db::certifications::Certification;
use crate::db::contracts::ContractHeading;
use crate::domain::certification::{CertStatus, ExpiryWindows, Level, Scheme};
use crate::domain::ids::VendorId;
use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// The certificates that count on a day (verified, issued by then), by vendor: one vector in vendor
/// order, each vendor's in the order held, so that no vector is made for each vendor.
pub struct Counting<'a> {
    certificates: Vec<&'a Certification>,
}

impl<'a> Counting<'a> {
    /// Those of `held` that count on `as_of`.
    pub fn on(held: &'a [Certification], as_of: NaiveDate) -> Self {
        let mut certificates: Vec<&Certification> = held
            .iter()
            .filter(|c| c.verification.counts())
            .filter(|c| c.issued_on.is_none_or(|issued| issued <= as_of))
            .collect();
        // Certificates are read in vendor order: the stable sort only checks that, and keeps each
        // vendor's order, which decides between certificates that tie in `current`.
        certificates.sort_by_key(|c| c.vendor_id);
        Counting { certificates }
    }

    /// Each vendor with a certificate that counts, and those certificates.
    pub fn by_vendor(&self) -> impl Iterator<Item = (VendorId, &[&'a Certification])> {
        self.certificates
            .chunk_by(|a, b| a.vendor_id == b.vendor_id)
            .map(|held| (held[0].vendor_id, held))
    }
}

/// Each vendor's certificates as judged on a day, worked out once from those held: the current
/// certificate of each scheme when it has expired or is expiring, and the KPIs' goals they meet. A
/// dashboard walks every vendor's judgement; judging them again at each one cost a cache miss per
/// certificate, so this is kept with the certificates (`db::certifications::KeptAll::derived`).
pub struct Certified {
    held: Arc<Vec<Certification>>,
    as_of: NaiveDate,
    windows: ExpiryWindows,
    of_vendor: FxHashMap<VendorId, Judged>,
    /// Every vendor's certificates ending, as indices into `held`, in vendor order.
    ending: Vec<(u32, CertStatus)>,
}

/// One vendor's judgement: where its certificates ending are in `Certified::ending`, and its goals.
#[derive(Clone, Copy, Default)]
struct Judged {
    ending: (u32, u32),
    goals: Goals,
}

/// Which of the KPIs' goals a vendor's certificates meet on a day: one not expired of the scheme (and
/// level).
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Goals {
    /// ★★, or METI's ★3 and above, which build on SECURITY ACTION's two stars.
    pub two_stars: bool,
    pub isms: bool,
    pub pmark: bool,
}

impl Goals {
    fn of(certificates: &[&Certification], windows: &ExpiryWindows, as_of: NaiveDate) -> Self {
        let mut goals = Goals::default();
        for c in certificates {
            if windows.status(c.scheme, c.valid_until, as_of) == CertStatus::Expired {
                continue;
            }
            match (c.scheme, c.level) {
                (Scheme::SecurityAction, Some(Level::TwoStars)) | (Scheme::Meti, Some(_)) => {
                    goals.two_stars = true
                }
                (Scheme::Isms, _) => goals.isms = true,
                (Scheme::Pmark, _) => goals.pmark = true,
                _ => {}
            }
        }
        goals
    }
}

impl Certified {
    /// The certificates `held` as judged on `as_of`.
    pub fn on(held: Arc<Vec<Certification>>, windows: ExpiryWindows, as_of: NaiveDate) -> Self {
        // `held` is one slice: a certificate's index is its offset in it.
        let at = |c: &Certification| {
            let offset = (c as *const Certification as usize) - (held.as_ptr() as usize);
            (offset / std::mem::size_of::<Certification>()) as u32
        };
        let counting = Counting::on(&held, as_of);
        let mut of_vendor = FxHashMap::default();
        let mut ending = Vec::new();
        for (vendor, certificates) in counting.by_vendor() {
            let first = ending.len() as u32;
            let ends = Scheme::ALL
                .into_iter()
                .filter_map(|scheme| current(certificates, scheme, &windows, as_of))
                .filter(|(c, status)| *status != CertStatus::Valid && c.valid_until.is_some());
            ending.extend(ends.map(|(c, status)| (at(c), status)));
            let judged = Judged {
                ending: (first, ending.len() as u32),
                goals: Goals::of(certificates, &windows, as_of),
            };
            of_vendor.insert(vendor, judged);
        }
        Certified {
            held,
            as_of,
            windows,
            of_vendor,
            ending,
        }
    }

    /// Whether this is the judgement of `held` on `as_of` with these windows.
    pub fn judges(
        &self,
        held: &Arc<Vec<Certification>>,
        windows: &ExpiryWindows,
        as_of: NaiveDate,
    ) -> bool {
        Arc::ptr_eq(&self.held, held) && self.windows == *windows && self.as_of == as_of
    }

    /// The current certificate of each scheme of `vendor` that has expired or is expiring.
    pub fn ending_of(
        &self,
        vendor: VendorId,
    ) -> impl Iterator<Item = (&Certification, CertStatus)> {
        let (first, end) = self.of_vendor.get(&vendor).map_or((0, 0), |j| j.ending);
        self.ending[first as usize..end as usize]
            .iter()
            .map(|&(at, status)| (&self.held[at as usize], status))
    }

    /// The goals `vendor`'s certificates meet.
    pub fn goals_of(&self, vendor: VendorId) -> Goals {
        self.of_vendor
            .get(&vendor)
            .map(|j| j.goals)
            .unwrap_or_default()
    }
}

/// A vendor's certificate of a scheme that counts on a day: a valid one expiring last, else the one
/// that expired last (a renewed certificate supersedes the old one). `certificates` are those that
/// count on the day (verified, issued by then).
pub fn current<'a>(
    certificates: &[&'a Certification],
    scheme: Scheme,
    windows: &ExpiryWindows,
    as_of: NaiveDate,
) -> Option<(&'a Certification, CertStatus)> {
    certificates
        .iter()
        .copied()
        .filter(|c| c.scheme == scheme)
        .map(|c| (c, windows.status(c.scheme, c.valid_until, as_of)))
        .max_by_key(|(c, status)| {
            (
                *status != CertStatus::Expired,
                c.valid_until.unwrap_or(NaiveDate::MAX),
                c.level,
            )
        })
}

/// What a contract owes while its vendor's certificate has expired or is expiring.
pub fn certificate_entry(
    contract: &ContractHeading,
    certificate: &Certification,
    status: CertStatus,
    as_of: NaiveDate,
) -> Entry {
    let scheme = certificate.scheme;
    let what = match status {
        CertStatus::Expired => format!(
            "{}の認証が期限切れです（更新後の証明書の登録）",
            scheme.label()
        ),
        _ => format!("{}の認証の更新", scheme.label()),
    };
    let valid_until = certificate.valid_until.unwrap_or(NaiveDate::MAX);
    let mut entry = Entry::new(contract.clone(), valid_until, as_of, what);
    entry.certification = Some(CertificateRef {
        id: certificate.id,
        scheme,
        scheme_label: scheme.label(),
        number: certificate.number.clone(),
        level: certificate.level,
        valid_until: certificate.valid_until,
        status,
    });
    entry
}
