//! Which of a vendor's certificates of a scheme counts on a day, and the entry it makes on a contract.

use super::{CertificateRef, Entry};
use crate::db::certifications::Certification;
use crate::db::contracts::ContractHeading;
use crate::domain::certification::{CertStatus, ExpiryWindows, Scheme};
use crate::domain::ids::VendorId;
use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use std::ops::Range;

/// The certificates that count on a day (verified, issued by then), by vendor: one vector in vendor
/// order, each vendor's in the order held, and where each vendor's begin and end, so that no vector
/// is made for each vendor at each judgement.
pub struct Counting<'a> {
    certificates: Vec<&'a Certification>,
    of_vendor: FxHashMap<VendorId, Range<usize>>,
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
        let mut of_vendor = FxHashMap::default();
        let mut start = 0;
        for held in certificates.chunk_by(|a, b| a.vendor_id == b.vendor_id) {
            of_vendor.insert(held[0].vendor_id, start..start + held.len());
            start += held.len();
        }
        Counting {
            certificates,
            of_vendor,
        }
    }

    /// The certificates of `vendor` that count.
    pub fn of(&self, vendor: VendorId) -> &[&'a Certification] {
        self.of_vendor
            .get(&vendor)
            .map_or(&[], |at| &self.certificates[at.clone()])
    }

    /// Each vendor with a certificate that counts, and those certificates.
    pub fn by_vendor(&self) -> impl Iterator<Item = (VendorId, &[&'a Certification])> {
        self.certificates
            .chunk_by(|a, b| a.vendor_id == b.vendor_id)
            .map(|held| (held[0].vendor_id, held))
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
