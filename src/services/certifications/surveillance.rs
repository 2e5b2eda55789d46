//! ISMS surveillance audits (維持審査): recorded yearly between renewals; a certificate whose last
//! audit (or issue) is over a year old is 要確認.

use crate::auth::policy::VendorRights;
use crate::auth::Actor;
use crate::db::certifications;
use crate::db::Db;
use crate::domain::certification::Scheme;
use crate::domain::dates::shift_years;
use crate::domain::ids::{CertificationId, VendorId};
use crate::domain::{parse_date, wareki};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::audit::{self, Event};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A surveillance audit as the form or the API gives it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SurveillanceInput {
    pub audited_on: String,
    /// `conforming`, `minor` or `major` (also 適合・軽微・重大).
    pub result: String,
    pub note: String,
}

fn result_code(text: &str) -> Option<&'static str> {
    match text.trim() {
        "conforming" | "適合" | "不適合なし" => Some("conforming"),
        "minor" | "軽微" | "軽微な不適合" => Some("minor"),
        "major" | "重大" | "重大な不適合" => Some("major"),
        _ => None,
    }
}

pub fn result_label(code: &str) -> &'static str {
    match code {
        "conforming" => "適合",
        "minor" => "軽微な不適合あり",
        "major" => "重大な不適合あり",
        _ => "",
    }
}

/// Where an ISMS certificate's surveillance stands on a day.
#[derive(Debug, Clone, Serialize)]
pub struct Surveillance {
    pub last_audited_on: Option<NaiveDate>,
    pub last_result: Option<String>,
    /// The last audit (or the certificate's issue) is over a year old: 要確認.
    pub needs_check: bool,
}

impl Surveillance {
    pub fn on(
        day: NaiveDate,
        issued_on: Option<NaiveDate>,
        last: Option<(NaiveDate, String)>,
    ) -> Self {
        let reference = last.as_ref().map(|(on, _)| *on).max(issued_on);
        Surveillance {
            needs_check: reference.is_some_and(|on| on < shift_years(day, -1)),
            last_audited_on: last.as_ref().map(|(on, _)| *on),
            last_result: last.map(|(_, result)| result),
        }
    }
    pub fn result_label(&self) -> &'static str {
        self.last_result.as_deref().map_or("", result_label)
    }
}

/// Records a surveillance audit of an ISMS certificate (the vendor itself, or staff working with it).
pub async fn record(
    db: &Db,
    actor: &Actor,
    rights: &VendorRights,
    id: CertificationId,
    input: &SurveillanceInput,
    today: NaiveDate,
) -> AppResult<VendorId> {
    let mut tx = db.begin().await?;
    let certification = super::records::within_reach(&mut tx, rights, id).await?;
    let mut errors = FieldErrors::new();
    if certification.scheme != Scheme::Isms {
        errors.add("certification", "維持審査は ISMS の認証にだけ記録します");
    }
    let audited_on = match parse_date(&input.audited_on) {
        Ok(day) if day > today => {
            errors.add("audited_on", "審査日に未来の日付は入力できません");
            None
        }
        Ok(day) => Some(day),
        Err(_) if input.audited_on.trim().is_empty() => {
            errors.add("audited_on", "審査日を入力してください");
            None
        }
        Err(error) => {
            errors.add("audited_on", error.0);
            None
        }
    };
    let result = result_code(&input.result);
    if result.is_none() {
        errors.add(
            "result",
            "結果を選んでください（適合・軽微な不適合あり・重大な不適合あり）",
        );
    }
    let note = input.note.trim();
    if note.chars().count() > 500 {
        errors.add("note", "備考は500文字以内で入力してください");
    }
    let (Some(audited_on), Some(result), true) = (audited_on, result, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    certifications::add_surveillance(&mut tx, id, audited_on, result, note, &actor.label).await?;
    let summary = format!(
        "ISMS 維持審査 {}（{}、{}）",
        certification.number,
        wareki(audited_on),
        result_label(result)
    );
    audit::record(
        &mut tx,
        actor,
        Event::new("update", "certification", id, summary),
    )
    .await?;
    tx.commit().await?;
    Ok(certification.vendor_id)
}

/// The vendor a certificate belongs to (for showing a refused form on its page).
pub async fn vendor_of(db: &Db, id: CertificationId) -> AppResult<VendorId> {
    Ok(certifications::find(&mut *db.acquire().await?, id)
        .await?
        .ok_or(AppError::NotFound)?
        .vendor_id)
}
