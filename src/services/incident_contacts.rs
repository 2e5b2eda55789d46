//! インシデント連絡先: each vendor's contact points for incidents, confirmed once a fiscal year from its
//! portal; the per-contract scope of what the vendor does in an incident; and the CSIRT's binder of
//! every running contract's contacts as .xlsx.

use super::audit::{self, Event};
use crate::auth::policy::VendorRights;
use crate::auth::Actor;
use crate::db::contracts::{self, Visibility};
use crate::db::incident_contacts::{self as rows, StoredContact};
use crate::db::Db;
use crate::domain::ids::{ContractId, VendorId};
use crate::domain::incident_contact::{self, ContactFields};
use crate::domain::obligation::YearlyConfirmation;
use crate::domain::{wareki, FiscalYear};
use crate::error::{AppError, AppResult, FieldErrors};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

/// The contacts form: one value per row for each field (blank rows included), and the indexes of
/// the rows whose 「24時間」 box is ticked (an unticked box sends nothing).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ContactsForm {
    pub name: Vec<String>,
    pub role: Vec<String>,
    pub phone: Vec<String>,
    pub email: Vec<String>,
    pub hours: Vec<String>,
    pub around_the_clock: Vec<usize>,
}

impl ContactsForm {
    pub fn rows(&self) -> Vec<ContactFields> {
        let at =
            |values: &Vec<String>, index: usize| values.get(index).cloned().unwrap_or_default();
        (0..self.name.len().max(self.phone.len()).max(self.email.len()))
            .map(|index| ContactFields {
                name: at(&self.name, index),
                role: at(&self.role, index),
                phone: at(&self.phone, index),
                email: at(&self.email, index),
                hours: at(&self.hours, index),
                around_the_clock: self.around_the_clock.contains(&index),
            })
            .collect()
    }
}

/// A vendor's contacts and where their yearly confirmation stands on a day.
#[derive(Debug, Clone, Serialize)]
pub struct Contacts {
    pub vendor_id: VendorId,
    pub vendor_name: String,
    pub contacts: Vec<StoredContact>,
    pub around_the_clock: bool,
    pub fiscal_year: FiscalYear,
    /// The yearly confirmation (連絡先の年次確認) as it stands on the day.
    #[serde(flatten)]
    pub confirmation: YearlyConfirmation,
    pub last_confirmed_by: Option<String>,
}

/// The contacts of a vendor `own_vendor` may see (a vendor user only its own; 404 otherwise).
pub async fn of_vendor(
    db: &Db,
    own_vendor: Option<VendorId>,
    vendor_id: VendorId,
    day: NaiveDate,
) -> AppResult<Contacts> {
    let vendor = super::vendors::get(db, own_vendor, vendor_id).await?;
    let mut conn = db.acquire().await?;
    let contacts = rows::for_vendor(&mut conn, vendor_id).await?;
    let last = rows::last_confirmation(&mut conn, vendor_id, day).await?;
    Ok(Contacts {
        vendor_id,
        vendor_name: vendor.name,
        around_the_clock: contacts.iter().any(|c| c.around_the_clock),
        contacts,
        fiscal_year: FiscalYear::of(day),
        confirmation: YearlyConfirmation::on(day, None, last.as_ref().map(|(on, _)| *on)),
        last_confirmed_by: last.map(|(_, by)| by),
    })
}

/// Replaces a vendor's contacts (the vendor itself, or staff working with it) and records the
/// confirmation: whoever saves the list vouches for it as current. Blank rows are dropped; each bad
/// field is named (`contacts[1].phone`).
pub async fn save(
    db: &Db,
    actor: &Actor,
    rights: &VendorRights,
    vendor_id: VendorId,
    rows_given: &[ContactFields],
    day: NaiveDate,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    super::vendors::authorize(&mut tx, rights, vendor_id).await?;
    let checked = incident_contact::check(rows_given).map_err(|problems| {
        let mut errors = FieldErrors::new();
        for (field, message) in problems {
            errors.add(&field, message);
        }
        AppError::Validation(errors)
    })?;
    if checked.is_empty() {
        let mut errors = FieldErrors::new();
        errors.add("contacts", "連絡先を1件以上入力してください");
        return Err(AppError::Validation(errors));
    }
    let before = rows::for_vendor(&mut tx, vendor_id).await?;
    rows::replace(&mut tx, vendor_id, &checked, &actor.label).await?;
    rows::confirm(&mut tx, vendor_id, day, &actor.label).await?;
    let summary = format!(
        "インシデント連絡先を更新・確認（{}件、24時間の連絡先 {}件）",
        checked.len(),
        checked.iter().filter(|c| c.around_the_clock).count()
    );
    let event = Event::new("update", "incident_contacts", vendor_id, summary)
        .changes(Some(json!(before)), Some(json!(checked)));
    audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Records that the contacts are current as they stand (the year's 連絡先の年次確認).
pub async fn confirm(
    db: &Db,
    actor: &Actor,
    rights: &VendorRights,
    vendor_id: VendorId,
    day: NaiveDate,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    super::vendors::authorize(&mut tx, rights, vendor_id).await?;
    if rows::for_vendor(&mut tx, vendor_id).await?.is_empty() {
        let mut errors = FieldErrors::new();
        errors.add("contacts", "連絡先を登録してから確認してください");
        return Err(AppError::Validation(errors));
    }
    rows::confirm(&mut tx, vendor_id, day, &actor.label).await?;
    let summary = format!(
        "インシデント連絡先の年次確認（{}、{}）",
        FiscalYear::of(day).label(),
        wareki(day)
    );
    audit::record(
        &mut tx,
        actor,
        Event::new("confirm", "incident_contacts", vendor_id, summary),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What the vendor agreed to do in an incident under a contract `scope` covers.
pub async fn scope_of(
    db: &Db,
    scope: &Visibility,
    contract_id: ContractId,
) -> AppResult<Option<String>> {
    let mut conn = db.acquire().await?;
    contracts::find(&mut conn, scope, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(rows::scope(&mut conn, contract_id).await?)
}

/// Records the agreed scope of the vendor's incident response for a contract within `scope` (the
/// officer's): free text of up to 2,000 characters.
pub async fn set_scope(
    db: &Db,
    actor: &Actor,
    scope: &Visibility,
    contract_id: ContractId,
    text: &str,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let contract = contracts::find(&mut tx, scope, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let text = text.trim();
    let mut errors = FieldErrors::new();
    if text.chars().count() > 2000 {
        errors.add("scope", "対応範囲は2,000文字以内で入力してください");
    } else if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        errors.add("scope", "対応範囲に使用できない制御文字が含まれています");
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let before = rows::scope(&mut tx, contract_id).await?;
    rows::set_scope(&mut tx, contract_id, text, &actor.label).await?;
    let event = Event::new(
        "update",
        "contract_incident_scope",
        contract_id,
        format!("インシデント時の対応範囲 {}", contract.contract_number),
    )
    .changes(before.map(|b| json!(b)), Some(json!(text)));
    audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(())
}

/// 最新の状態を保つ連絡先一覧: every contract `visibility` covers that runs on `day`, one line per
/// contact of its vendor, as a workbook for the CSIRT's binder. The export is audited.
pub async fn binder_xlsx(
    db: &Db,
    actor: &Actor,
    visibility: &Visibility,
    day: NaiveDate,
) -> AppResult<Vec<u8>> {
    let lines = rows::binder(&mut *db.acquire().await?, visibility, day).await?;
    let year = FiscalYear::of(day);
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let table: Vec<Vec<String>> = lines
        .iter()
        .map(|line| {
            let confirmed = line
                .confirmed_on
                .as_deref()
                .and_then(|d| d.parse::<NaiveDate>().ok());
            vec![
                line.contract_number.clone(),
                line.title.clone(),
                line.department_name.clone(),
                if line.importance == "important" {
                    "重要"
                } else {
                    "通常"
                }
                .to_string(),
                line.vendor_name.clone(),
                text(&line.corporate_number),
                line.name.clone().unwrap_or_else(|| "（未登録）".into()),
                text(&line.role),
                text(&line.phone),
                text(&line.email),
                text(&line.hours),
                match line.around_the_clock {
                    Some(1) => "可",
                    Some(_) => "不可",
                    None => "",
                }
                .to_string(),
                match confirmed {
                    Some(on) if on >= year.first_day() => wareki(on),
                    Some(on) => format!("{}（{}は未確認）", wareki(on), year.label()),
                    None => "未確認".into(),
                },
                text(&line.scope),
            ]
        })
        .collect();
    let contracts = lines
        .iter()
        .map(|l| &l.contract_number)
        .collect::<std::collections::HashSet<_>>()
        .len();
    let title = [
        format!("インシデント連絡先一覧（{}現在）", wareki(day)),
        format!("契約中の {contracts} 件。連絡先は委託先が登録・年次確認したもの"),
    ];
    let bytes = crate::excel::writer::table(
        "インシデント連絡先",
        &title,
        &[
            "契約番号",
            "件名",
            "所管課",
            "重要度",
            "委託先",
            "法人番号",
            "連絡先氏名",
            "役割",
            "電話番号",
            "メールアドレス",
            "対応時間",
            "24時間",
            "最終確認日",
            "インシデント時の対応範囲",
        ],
        &table,
        &[
            12.0, 30.0, 14.0, 8.0, 26.0, 15.0, 16.0, 18.0, 16.0, 28.0, 18.0, 8.0, 22.0, 40.0,
        ],
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    audit::record_alone(
        db,
        actor,
        Event::new(
            "export",
            "incident_contacts",
            "",
            format!(
                "インシデント連絡先一覧を出力（{}現在、{contracts}件）",
                wareki(day)
            ),
        ),
    )
    .await?;
    Ok(bytes)
}
