//! 事業者: the companies and sole proprietors contracts are outsourced to, identified by 法人番号, or
//! without one by 登録番号 (T + 13 digits) or the municipality's 業者番号.

use super::{given, Paged, Paging};
use crate::auth::policy::VendorRights;
use crate::auth::Actor;
use crate::db::vendors::{self, VendorRecord};
use crate::db::{self, Db};
use crate::domain::ids::VendorId;
use crate::domain::{BoundedText, Email, VendorIdentifier, VendorIdentity};
use crate::error::{AppError, AppResult, FieldErrors, Unique};
use crate::services::audit;
use crate::services::audit::Event;
use serde::{Deserialize, Serialize};
use serde_json::json;
use validator::Validate;

pub use vendors::{Vendor, VendorChoice, VendorSummary};

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
pub struct VendorInput {
    pub corporate_number: Option<String>,
    /// 適格請求書発行事業者登録番号, for a vendor without a 法人番号.
    pub invoice_number: Option<String>,
    /// The municipality's own 業者番号.
    pub vendor_code: Option<String>,
    pub name: Option<String>,
    #[validate(length(max = 100, message = "フリガナは100文字以内で入力してください"))]
    pub name_kana: Option<String>,
    #[validate(length(max = 200, message = "所在地は200文字以内で入力してください"))]
    pub address: Option<String>,
    #[validate(length(max = 100, message = "代表者は100文字以内で入力してください"))]
    pub representative: Option<String>,
    #[validate(length(max = 100, message = "担当者は100文字以内で入力してください"))]
    pub contact_person: Option<String>,
    #[validate(length(max = 30, message = "電話番号は30文字以内で入力してください"))]
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl VendorInput {
    pub fn from_vendor(vendor: &Vendor) -> Self {
        let keep = |s: &str| Some(s.to_string());
        VendorInput {
            corporate_number: vendor.corporate_number.clone(),
            invoice_number: vendor.invoice_number.clone(),
            vendor_code: vendor.vendor_code.clone(),
            name: keep(&vendor.name),
            name_kana: keep(&vendor.name_kana),
            address: keep(&vendor.address),
            representative: keep(&vendor.representative),
            contact_person: keep(&vendor.contact_person),
            phone: keep(&vendor.phone),
            email: keep(&vendor.email),
        }
    }

    /// Checks every field and returns the record to write, or every problem found.
    pub fn parse(&self) -> Result<VendorRecord, FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Err(e) = self.validate() {
            errors.extend_validation(e);
        }
        let identity = match VendorIdentity::parse(
            self.corporate_number.as_deref(),
            self.invoice_number.as_deref(),
            self.vendor_code.as_deref(),
        ) {
            Ok(identity) => Some(identity),
            Err(problems) => {
                for (field, message) in problems {
                    errors.add(field, message);
                }
                None
            }
        };
        let name = errors.take(
            "name",
            crate::domain::fields::vendor_name(self.name.as_deref().unwrap_or("")),
        );
        let email = errors.take(
            "email",
            crate::domain::text::optional(given(&self.email), Email::parse)
                .map(|e| e.map(|e| e.as_str().to_string())),
        );
        let phone = errors.take(
            "phone",
            given(&self.phone)
                .map(crate::domain::fields::phone)
                .transpose(),
        );
        for (field, value, label) in [
            ("name_kana", &self.name_kana, "フリガナ"),
            ("address", &self.address, "所在地"),
            ("representative", &self.representative, "代表者"),
            ("contact_person", &self.contact_person, "担当者"),
        ] {
            errors.take(
                field,
                crate::domain::text::visible(value.as_deref().unwrap_or(""), label),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let text = |value: &Option<String>| given(value).map(normalize_soft).unwrap_or_default();
        let (corporate_number, invoice_number, vendor_code) =
            identity.map(|i| i.columns()).unwrap_or_default();
        Ok(VendorRecord {
            corporate_number,
            invoice_number,
            vendor_code,
            name: name.map(BoundedText::into_string).unwrap_or_default(),
            name_kana: text(&self.name_kana),
            address: text(&self.address),
            representative: text(&self.representative),
            contact_person: text(&self.contact_person),
            phone: phone.unwrap_or_default().unwrap_or_default(),
            email: email.unwrap_or_default().unwrap_or_default(),
        })
    }
}

/// Trims, keeping the user's characters (names and addresses keep their full-width forms).
fn normalize_soft(value: &str) -> String {
    value.trim().trim_matches('\u{3000}').trim().to_string()
}

/// The registered vendor a list row's identifiers name, or why they cannot be used: two of them name
/// two different vendors.
pub async fn find_for_identity(
    conn: &mut db::Conn,
    identity: &VendorIdentity,
) -> AppResult<Result<Option<Vendor>, String>> {
    let mut found = vendors::find_by_identity(conn, identity).await?;
    Ok(match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        _ => Err(format!(
            "法人番号・登録番号・業者番号が別々の事業者（{}）を指しています",
            found
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join("、")
        )),
    })
}

/// A vendor's identity with the identifiers `given` adds to it (a 業者番号 beside its 法人番号).
pub fn with_added(known: &VendorIdentity, given: &VendorIdentity) -> VendorIdentity {
    let corporate = known.corporate.clone().or(given.corporate.clone());
    VendorIdentity::new(
        corporate.clone(),
        known
            .invoice
            .clone()
            .or(given.invoice.clone())
            .filter(|invoice| {
                corporate
                    .as_ref()
                    .is_none_or(|number| invoice.digits() != number.as_str())
            }),
        known.code.clone().or(given.code.clone()),
    )
    .unwrap_or_else(|_| known.clone())
}

/// Refuses a record whose identifiers name another registered vendor (a 登録番号 T + 法人番号 names the
/// corporation with that 法人番号 too).
async fn refuse_duplicate(
    conn: &mut db::Conn,
    record: &VendorRecord,
    this: Option<VendorId>,
) -> AppResult<()> {
    let identity = record.identity();
    for vendor in vendors::find_by_identity(conn, &identity).await? {
        if Some(vendor.id) != this {
            let field = match vendor.identity() {
                other
                    if identity.corporate.as_ref().is_some_and(|n| {
                        other.is_named_by(&crate::domain::VendorIdentifier::Corporate(n.clone()))
                    }) =>
                {
                    "corporate_number"
                }
                other
                    if identity.invoice.as_ref().is_some_and(|n| {
                        other.is_named_by(&crate::domain::VendorIdentifier::Invoice(n.clone()))
                    }) =>
                {
                    "invoice_number"
                }
                _ => "vendor_code",
            };
            return Err(duplicate(field, &vendor.name));
        }
    }
    Ok(())
}

fn duplicate(field: &str, name: &str) -> AppError {
    let label = match field {
        "invoice_number" => "登録番号",
        "vendor_code" => "業者番号",
        _ => "法人番号",
    };
    let mut errors = FieldErrors::new();
    errors.add(
        field,
        format!("この{label}の事業者は既に登録されています（{name}）"),
    );
    AppError::Validation(errors)
}

/// A vendor number taken by a vendor written at the same moment, named on its field.
fn duplicate_from(error: AppError) -> AppError {
    let field = match error {
        AppError::Duplicate(Unique::VendorCorporateNumber) => "corporate_number",
        AppError::Duplicate(Unique::VendorInvoiceNumber) => "invoice_number",
        AppError::Duplicate(Unique::VendorCode) => "vendor_code",
        other => return other,
    };
    duplicate(field, "同時に登録された事業者")
}

/// Vendors the reader may see: all of them, or only its own for a vendor user.
pub async fn search(
    db: &Db,
    own_vendor: Option<VendorId>,
    query: Option<&str>,
    paging: Paging,
) -> AppResult<Paged<VendorSummary>> {
    let query = crate::domain::text::search_text(query).map_err(|message| {
        let mut errors = crate::error::FieldErrors::new();
        errors.add("q", message);
        AppError::Validation(errors)
    })?;
    let mut conn = db.acquire().await?;
    if let Some(id) = own_vendor {
        let items: Vec<VendorSummary> =
            vendors::summary(&mut conn, id).await?.into_iter().collect();
        let total = items.len() as i64;
        return Ok(Paged::new(items, total, paging));
    }
    let (items, total) = vendors::search(
        &mut conn,
        query.as_deref(),
        paging.per_page,
        paging.offset(),
    )
    .await?;
    Ok(Paged::new(items, total, paging))
}

/// Suggestions offered as a vendor field is typed in.
pub const SUGGESTED: i64 = 20;

/// The vendors a vendor field suggests for what has been typed so far: those whose name, kana or
/// number contains it, names beginning with it first. Nothing for an empty field.
pub async fn suggest(db: &Db, typed: Option<&str>) -> AppResult<Vec<VendorChoice>> {
    let typed = crate::domain::text::search_text(typed).map_err(|message| {
        let mut errors = FieldErrors::new();
        errors.add("q", message);
        AppError::Validation(errors)
    })?;
    let Some(typed) = typed else {
        return Ok(Vec::new());
    };
    let mut conn = db.acquire().await?;
    Ok(vendors::suggestions(&mut conn, &typed, SUGGESTED).await?)
}

/// The vendor a vendor field shows as chosen: the one given by id, else the one typed, if either is
/// registered.
pub async fn shown(
    db: &Db,
    id: Option<VendorId>,
    typed: Option<&str>,
) -> AppResult<Option<VendorChoice>> {
    let mut conn = db.acquire().await?;
    let id = match (id, typed) {
        (Some(id), _) => Some(id),
        (None, Some(typed)) => typed_in(&mut conn, typed).await?.ok(),
        (None, None) => None,
    };
    match id {
        Some(id) => Ok(vendors::choice(&mut conn, id).await?),
        None => Ok(None),
    }
}

/// The vendor a person typed into a vendor field (see [`typed_in`]).
pub async fn typed(db: &Db, typed: &str) -> AppResult<Result<VendorId, String>> {
    typed_in(&mut *db.acquire().await?, typed).await
}

/// The vendor a person typed into a vendor field: its 法人番号, 登録番号 or 業者番号, or its exact name
/// when only one vendor has it; else the field's message.
pub async fn typed_in(conn: &mut db::Conn, typed: &str) -> AppResult<Result<VendorId, String>> {
    let typed = typed.trim();
    let identifier = VendorIdentifier::parse(typed);
    if let Ok(identifier) = &identifier {
        if let Some(vendor) = vendors::find_by_identifier(conn, identifier).await? {
            return Ok(Ok(vendor.id));
        }
    }
    let a_number = crate::domain::text::normalize(typed)
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, 'T' | 't' | '-' | ' '));
    Ok(match (vendors::ids_named(conn, typed).await?.as_slice(), identifier) {
        ([only], _) => Ok(*only),
        ([], Ok(VendorIdentifier::Code(_))) | ([], Err(_)) if !a_number => Err(format!(
            "「{typed}」に当たる事業者がありません。事業者名か法人番号・登録番号・業者番号を入力し、候補から選んでください"
        )),
        ([], Ok(identifier)) => Err(format!("この{}の事業者は登録されていません", identifier.kind())),
        ([], Err(message)) => Err(message),
        _ => Err("同じ名前の事業者が複数あります。法人番号・登録番号・業者番号で選んでください".into()),
    })
}

/// One vendor, if the reader may see it (a vendor user sees only its own).
pub async fn get(db: &Db, own_vendor: Option<VendorId>, id: VendorId) -> AppResult<Vendor> {
    if own_vendor.is_some_and(|own| own != id) {
        return Err(AppError::NotFound);
    }
    vendors::find(&mut *db.acquire().await?, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn create(db: &Db, actor: &Actor, input: &VendorInput) -> AppResult<VendorId> {
    let record = input.parse().map_err(AppError::Validation)?;
    let mut tx = db.begin().await?;
    refuse_duplicate(&mut tx, &record, None).await?;
    let id = vendors::insert(&mut tx, &record)
        .await
        .map_err(|e| duplicate_from(e.into()))?;
    let summary = format!("事業者登録 {}", record.name);
    audit::record(
        &mut tx,
        actor,
        Event::new("create", "vendor", id, summary).changes(None, Some(json!(record))),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Refuses (403) a change to `vendor_id` that `rights` do not cover. The vendor must exist (404).
pub async fn authorize(
    conn: &mut db::Conn,
    rights: &VendorRights,
    vendor_id: VendorId,
) -> AppResult<()> {
    vendors::find(&mut *conn, vendor_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = match rights {
        VendorRights::Any => true,
        VendorRights::Itself(own) => *own == vendor_id,
        VendorRights::WorkingWith(departments) => {
            vendors::works_with(conn, vendor_id, departments).await?
        }
        VendorRights::Nobody => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Whether `rights` cover changes to `vendor_id` (for showing the links that make them).
pub async fn may_change(db: &Db, rights: &VendorRights, vendor_id: VendorId) -> AppResult<bool> {
    match authorize(&mut *db.acquire().await?, rights, vendor_id).await {
        Ok(()) => Ok(true),
        Err(AppError::Forbidden) => Ok(false),
        Err(other) => Err(other),
    }
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    rights: &VendorRights,
    id: VendorId,
    input: &VendorInput,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    authorize(&mut tx, rights, id).await?;
    let record = input.parse().map_err(AppError::Validation)?;
    let before = vendors::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?
        .record();
    refuse_duplicate(&mut tx, &record, Some(id)).await?;
    vendors::update(&mut tx, id, &record)
        .await
        .map_err(|e| duplicate_from(e.into()))?;
    let summary = format!("事業者変更 {}", record.name);
    audit::record(
        &mut tx,
        actor,
        Event::new("update", "vendor", id, summary)
            .changes(Some(json!(before)), Some(json!(record))),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_field_error() {
        let input = VendorInput {
            corporate_number: Some("1234567890123".into()),
            name: Some(" ".into()),
            email: Some("not-an-address".into()),
            phone: Some("abc".into()),
            address: Some("あ".repeat(201)),
            ..Default::default()
        };
        let errors = input.parse().unwrap_err();
        for field in ["corporate_number", "name", "email", "phone", "address"] {
            assert!(errors.get(field).is_some(), "{field} should have an error");
        }
    }

    #[test]
    fn accepts_full_width_input() {
        let input = VendorInput {
            corporate_number: Some("７０００ ０１２ ０５０ ００２".into()),
            name: Some("　株式会社いろは印刷　".into()),
            phone: Some("０３ー１２３４ー５６７８".into()),
            ..Default::default()
        };
        let record = input.parse().unwrap();
        assert_eq!(record.corporate_number.as_deref(), Some("7000012050002"));
        assert_eq!(record.name, "株式会社いろは印刷");
        assert_eq!(record.phone, "03-1234-5678");
    }

    #[test]
    fn a_sole_proprietor_is_identified_by_its_registration_number_or_the_vendor_code() {
        let sole = VendorInput {
            invoice_number: Some("T1180301018771".into()),
            name: Some("山田印刷（山田太郎）".into()),
            ..Default::default()
        };
        let record = sole.parse().unwrap();
        assert_eq!(record.corporate_number, None);
        assert_eq!(record.invoice_number.as_deref(), Some("T1180301018771"));
        let coded = VendorInput {
            vendor_code: Some("00123".into()),
            name: Some("鈴木清掃".into()),
            ..Default::default()
        };
        assert_eq!(coded.parse().unwrap().vendor_code.as_deref(), Some("00123"));
        let nothing = VendorInput {
            name: Some("名無し".into()),
            ..Default::default()
        };
        assert!(nothing
            .parse()
            .unwrap_err()
            .get("corporate_number")
            .is_some());
        let my_number = VendorInput {
            invoice_number: Some("123456789012".into()),
            name: Some("個人".into()),
            ..Default::default()
        };
        let errors = my_number.parse().unwrap_err();
        assert_eq!(
            errors.get("invoice_number"),
            Some("個人番号（マイナンバー）は入力できません")
        );
    }
}
