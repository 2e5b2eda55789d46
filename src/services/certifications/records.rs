//! One certification at a time: recorded by the vendor or by staff with its certificate file, and
//! verified or refused by staff.

use crate::auth::policy::VendorRights;
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::certifications::{self, Certification, Entry};
use crate::db::vendors::{self as vendor_rows};
use crate::db::Db;
use crate::domain::certification::{
    renewal, CertStatus, CertificationDraft, CertificationFields, ExpiryWindows, Renewal, Scheme,
    Verification,
};
use crate::domain::dates::JpDate;
use crate::domain::ids::{CertificationId, VendorId};
use crate::domain::obligation::YearlyConfirmation;
use crate::domain::{parse_date, BoundedText};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::audit::{self, Event};
use crate::services::evidence::{self, StoredFile, Upload};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A certification with how it stands on a day.
#[derive(Debug, Clone, Serialize)]
pub struct CertificationView {
    #[serde(flatten)]
    pub certification: Certification,
    pub status: CertStatus,
    pub status_label: &'static str,
    /// For プライバシーマーク: where the renewal application stands.
    pub renewal_note: String,
    /// For a SECURITY ACTION declaration: this fiscal year's confirmation that it still stands.
    pub confirmation: Option<YearlyConfirmation>,
    /// For an ISMS certificate: its last surveillance audit, and whether it is over a year old.
    pub surveillance: Option<super::Surveillance>,
}

impl CertificationView {
    pub fn new(certification: Certification, windows: &ExpiryWindows, day: NaiveDate) -> Self {
        let status = windows.status(certification.scheme, certification.valid_until, day);
        let renewal_note = match (certification.scheme, certification.valid_until) {
            (Scheme::Pmark, Some(until)) if status != CertStatus::Expired => {
                let (opens, closes) = windows.pmark_renewal_period(until);
                let (opens_jp, closes_jp) =
                    (crate::domain::wareki(opens), crate::domain::wareki(closes));
                if day < opens {
                    format!("更新申請の受付は{opens_jp}から{closes_jp}まで")
                } else if day <= closes {
                    format!("更新申請の受付期間中（{closes_jp}まで）")
                } else {
                    format!("更新申請の受付期間（{closes_jp}まで）を過ぎています")
                }
            }
            _ => String::new(),
        };
        CertificationView {
            status,
            status_label: status.label(),
            renewal_note,
            certification,
            confirmation: None,
            surveillance: None,
        }
    }
}

/// A certification as typed on the form or sent to the API; dates in any form people write them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CertificationInput {
    pub scheme: String,
    pub number: String,
    pub level: String,
    pub certification_body: String,
    pub scope: String,
    pub issued_on: String,
    pub valid_until: String,
    /// ISMS: 「2013」「2022」 or the standard's name.
    pub standard: String,
}

impl CertificationInput {
    pub fn from_certification(c: &Certification) -> Self {
        CertificationInput {
            scheme: c.scheme.code().into(),
            number: c.number.clone(),
            level: c.level.map(|l| l.code().to_string()).unwrap_or_default(),
            certification_body: c.certification_body.clone(),
            scope: c.scope.clone(),
            issued_on: c.issued_on.map(|d| d.jp()).unwrap_or_default(),
            valid_until: c.draft().valid_until.map(|d| d.jp()).unwrap_or_default(),
            standard: c.standard.code().to_string(),
        }
    }

    fn draft(&self, errors: &mut FieldErrors) -> Option<CertificationDraft> {
        let mut date = |field: &str, text: &str| {
            if text.trim().is_empty() {
                None
            } else {
                errors.take(field, parse_date(text).map_err(|e| e.0))
            }
        };
        let fields = CertificationFields {
            scheme: self.scheme.clone(),
            number: self.number.clone(),
            level: self.level.clone(),
            certification_body: self.certification_body.clone(),
            scope: self.scope.clone(),
            issued_on: date("issued_on", &self.issued_on),
            valid_until: date("valid_until", &self.valid_until),
            standard: self.standard.clone(),
        };
        match CertificationDraft::build(&fields) {
            Ok(draft) => Some(draft),
            Err(problems) => {
                for (field, message) in problems {
                    if errors.get(field).is_none() {
                        errors.add(field, message);
                    }
                }
                None
            }
        }
    }
}

/// A vendor's certifications as they stand on `day`.
pub async fn for_vendor(
    db: &Db,
    settings: &Settings,
    vendor_id: VendorId,
    day: NaiveDate,
) -> AppResult<Vec<CertificationView>> {
    let windows = settings.expiry_windows();
    let mut conn = db.acquire().await?;
    let confirmed = certifications::last_confirmations(&mut conn, vendor_id, day).await?;
    let mut surveyed = certifications::last_surveillances(&mut conn, vendor_id, day).await?;
    Ok(certifications::for_vendor(&mut conn, vendor_id)
        .await?
        .into_iter()
        .map(|c| {
            let confirmation = (c.scheme == Scheme::SecurityAction)
                .then(|| YearlyConfirmation::on(day, c.issued_on, confirmed.get(&c.id).copied()));
            let surveillance = (c.scheme == Scheme::Isms)
                .then(|| super::Surveillance::on(day, c.issued_on, surveyed.remove(&c.id)));
            CertificationView {
                confirmation,
                surveillance,
                ..CertificationView::new(c, &windows, day)
            }
        })
        .collect())
}

/// The certificate `id`, when `rights` reach its vendor (else not found, or forbidden).
pub(super) async fn within_reach(
    conn: &mut crate::db::Conn,
    rights: &VendorRights,
    id: CertificationId,
) -> AppResult<Certification> {
    let certification = certifications::find(conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::services::vendors::authorize(conn, rights, certification.vendor_id).await?;
    Ok(certification)
}

/// Records that a SECURITY ACTION declaration still stands (the year's confirmation): the vendor
/// itself, or staff working with it on the vendor's word.
pub async fn confirm_declaration(
    db: &Db,
    actor: &Actor,
    rights: &VendorRights,
    id: CertificationId,
    day: NaiveDate,
) -> AppResult<VendorId> {
    let mut tx = db.begin().await?;
    let certification = within_reach(&mut tx, rights, id).await?;
    if certification.scheme != Scheme::SecurityAction {
        let mut errors = FieldErrors::new();
        errors.add(
            "certification",
            "年次の確認は SECURITY ACTION の自己宣言だけです（他の認証は有効期限で管理します）",
        );
        return Err(AppError::Validation(errors));
    }
    certifications::confirm(&mut tx, id, day, &actor.label).await?;
    let summary = format!(
        "SECURITY ACTION 自己宣言の年次確認 {}（{}、{}）",
        certification.number,
        crate::domain::FiscalYear::of(day).label(),
        crate::domain::wareki(day)
    );
    audit::record(
        &mut tx,
        actor,
        Event::new("confirm", "certification", id, summary),
    )
    .await?;
    tx.commit().await?;
    Ok(certification.vendor_id)
}

/// Records a new certification for a vendor, or changes one (`id`), with an optional certificate file.
/// What staff record is verified by them; what a vendor records is declared until staff verify it.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    rights: &VendorRights,
    vendor_id: VendorId,
    id: Option<CertificationId>,
    input: &CertificationInput,
    file: Option<&Upload>,
) -> AppResult<CertificationId> {
    let mut tx = db.begin().await?;
    crate::services::vendors::authorize(&mut tx, rights, vendor_id).await?;
    let mut errors = FieldErrors::new();
    let draft = input.draft(&mut errors);
    if let Some(upload) = file {
        evidence::check_upload(upload, "file", settings.upload_limit_bytes, &mut errors);
    }
    errors.into_result()?;
    let draft = draft.expect("checked");
    let vendor = vendor_rows::find(&mut tx, vendor_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let entry = entry_by(rights, actor);
    let existing = match id {
        Some(id) => Some(
            certifications::find(&mut tx, id)
                .await?
                .filter(|c| c.vendor_id == vendor_id)
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    let (existing, draft) = match renewal_of(&mut tx, vendor_id, id, existing, draft).await? {
        Ok(found) => found,
        Err(message) => {
            let mut errors = FieldErrors::new();
            errors.add("number", message);
            return Err(AppError::Validation(errors));
        }
    };
    let file_id = match file {
        Some(upload) => Some(evidence::store(&mut tx, actor, upload).await?),
        None => None,
    };
    let label = format!("{} {} {}", vendor.name, draft.scheme.label(), draft.number);
    let id = match existing {
        Some(before) => {
            certifications::update(&mut tx, before.id, &draft, file_id, &entry).await?;
            audit::record(
                &mut tx,
                actor,
                Event::new(
                    "update",
                    "certification",
                    before.id,
                    format!("認証更新 {label}"),
                )
                .changes(
                    Some(json!({"values": before.draft(), "verification": before.verification})),
                    Some(
                        json!({"values": draft, "file_id": file_id, "verification": entry.verification()}),
                    ),
                ),
            )
            .await?;
            before.id
        }
        None => {
            let new_id =
                certifications::insert(&mut tx, vendor_id, &draft, file_id, &entry).await?;
            audit::record(
                &mut tx,
                actor,
                Event::new(
                    "create",
                    "certification",
                    new_id,
                    format!("認証登録 {label}"),
                )
                .changes(
                    None,
                    Some(
                        json!({"values": draft, "file_id": file_id, "verification": entry.verification()}),
                    ),
                ),
            )
            .await?;
            new_id
        }
    };
    tx.commit().await?;
    Ok(id)
}

/// Staff's entries are verified by them; a vendor's are declared.
pub(super) fn entry_by(rights: &VendorRights, actor: &Actor) -> Entry {
    if rights.is_staff() {
        Entry::VerifiedBy(actor.label.clone())
    } else {
        Entry::Declared
    }
}

/// Staff's decision on a certificate a vendor declared.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VerificationInput {
    /// `verify` or `return`.
    pub decision: String,
    /// Where staff checked it (the certificate file, the issuer's register), or why it is returned.
    pub note: String,
}

/// Verifies a declared certificate, or returns it with the reason; staff who may change the vendor's
/// certificates only. Answers the vendor's id.
pub async fn decide(
    db: &Db,
    actor: &Actor,
    rights: &VendorRights,
    id: CertificationId,
    input: &VerificationInput,
) -> AppResult<VendorId> {
    if !rights.is_staff() {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let certification = within_reach(&mut tx, rights, id).await?;
    let mut errors = FieldErrors::new();
    let note = errors.take(
        "note",
        crate::domain::text::optional(Some(&input.note), |text| {
            BoundedText::<500>::parse(text, "確認の記録")
        }),
    );
    let verification = match input.decision.as_str() {
        "verify" | "verified" => Some(Verification::Verified),
        "return" | "returned" => Some(Verification::Returned),
        _ => {
            errors.add("decision", "確認済にするか差し戻すかを選んでください");
            None
        }
    };
    let note = note
        .flatten()
        .map(BoundedText::into_string)
        .unwrap_or_default();
    if verification == Some(Verification::Returned) && note.is_empty() {
        errors.add("note", "差し戻す理由を入力してください");
    }
    errors.into_result()?;
    let verification = verification.expect("checked");
    certifications::decide(&mut tx, id, verification, &actor.label, &note).await?;
    let verb = match verification {
        Verification::Verified => "確認",
        _ => "差戻し",
    };
    crate::db::notifications::notify_vendor(
        &mut tx,
        certification.vendor_id,
        &format!(
            "認証{verb} {} {}{}",
            certification.scheme.label(),
            certification.number,
            if note.is_empty() {
                String::new()
            } else {
                format!("（{note}）")
            }
        ),
        &format!("/vendors/{}#certification-{id}", certification.vendor_id),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "verify",
            "certification",
            id,
            format!(
                "認証{verb} {} {} {}",
                certification.vendor_name,
                certification.scheme.label(),
                certification.number
            ),
        )
        .changes(
            Some(json!({"verification": certification.verification})),
            Some(json!({"verification": verification, "note": note})),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(certification.vendor_id)
}

/// Certificates vendors declared that wait for these staff to verify them, oldest first.
pub async fn awaiting_verification(
    db: &Db,
    rights: &VendorRights,
    limit: i64,
) -> AppResult<Vec<Certification>> {
    let departments = match rights {
        VendorRights::Any => None,
        VendorRights::WorkingWith(departments) => Some(departments.as_slice()),
        VendorRights::Itself(_) | VendorRights::Nobody => return Ok(Vec::new()),
    };
    Ok(
        certifications::awaiting_verification(&mut *db.acquire().await?, departments, limit)
            .await?,
    )
}

/// One certification of a vendor (a vendor user is limited to its own by `own_vendor`).
pub async fn get(
    db: &Db,
    own_vendor: Option<VendorId>,
    id: CertificationId,
) -> AppResult<Certification> {
    certifications::find(&mut *db.acquire().await?, id)
        .await?
        .filter(|c| own_vendor.is_none_or(|own| own == c.vendor_id))
        .ok_or(AppError::NotFound)
}

pub async fn file(
    db: &Db,
    actor: &Actor,
    own_vendor: Option<VendorId>,
    id: CertificationId,
) -> AppResult<StoredFile> {
    let certification = get(db, own_vendor, id).await?;
    let file = evidence::load(
        &mut *db.acquire().await?,
        certification.file_id.ok_or(AppError::NotFound)?,
    )
    .await?;
    audit::downloaded(db, actor, "certification", id, &file.name, &file.bytes).await?;
    Ok(file)
}

/// The record a new or changed certificate is written to: a new Pマーク number of a registration
/// already on file renews that record (a renewal supersedes its predecessor); the same number twice,
/// or an older renewal than the one on file, is refused with the reason.
async fn renewal_of(
    conn: &mut crate::db::Conn,
    vendor_id: VendorId,
    id: Option<CertificationId>,
    existing: Option<Certification>,
    draft: CertificationDraft,
) -> AppResult<Result<(Option<Certification>, CertificationDraft), String>> {
    let same = certifications::find_same_registration(conn, vendor_id, draft.scheme, &draft.number)
        .await?
        .filter(|c| Some(c.id) != id);
    let Some(same) = same else {
        return Ok(Ok((existing, draft)));
    };
    let registered = format!(
        "この事業者の{}（番号「{}」）は既に登録されています",
        draft.scheme.label(),
        same.number
    );
    if existing.is_some() || same.number == draft.number {
        return Ok(Err(registered));
    }
    Ok(match renewal(&draft, &same.draft()) {
        Renewal::Supersedes(renewed) => Ok((Some(same), renewed)),
        Renewal::Older => Err(format!("{registered}（より新しい更新です）")),
    })
}
