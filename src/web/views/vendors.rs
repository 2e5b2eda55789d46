//! Views of vendors: the registry, a vendor with its certifications, the imports, departments.

use crate::db::contracts::Contract;
use crate::db::departments::DepartmentSummary;
use crate::db::vendors::{Vendor, VendorSummary};
use crate::domain::dates::JpDate;
use crate::domain::ids::{CertificationId, VendorId};
use crate::error::FieldErrors;
use crate::services::vendors::VendorInput;
use crate::services::Paged;
use crate::web::guards::Chrome;
use askama::Template;
use chrono::NaiveDate;

#[derive(Template)]
#[template(path = "vendors/list.html")]
pub struct VendorList {
    pub chrome: Chrome,
    pub q: String,
    pub paged: Paged<VendorSummary>,
    pub page_query: String,
}

#[derive(Template)]
#[template(path = "vendors/show.html")]
pub struct VendorShow {
    pub chrome: Chrome,
    pub today: NaiveDate,
    pub v: Vendor,
    pub contracts: Paged<Contract>,
    pub saved: bool,
    pub certifications: Vec<crate::services::certifications::CertificationView>,
    pub may_record_certifications: bool,
    /// Staff who may change this vendor's certificates: they verify or return declared ones.
    pub may_verify_certifications: bool,
    pub may_edit_vendor: bool,
    /// The certificate whose return was refused for want of a reason.
    pub needs_reason: Option<CertificationId>,
    /// 指名停止, latest first.
    pub suspensions: Vec<crate::db::suspensions::StoredSuspension>,
    /// A certificate's form refused, with why.
    pub refused: Option<(CertificationId, crate::error::FieldErrors)>,
}

impl VendorShow {
    /// The messages of the refused form of certificate `id`.
    pub fn refusals(&self, id: &CertificationId) -> Vec<&str> {
        match &self.refused {
            Some((refused, errors)) if refused == id => {
                errors.iter().map(|e| e.message.as_str()).collect()
            }
            _ => Vec::new(),
        }
    }

    pub fn suspended_today(&self, s: &crate::db::suspensions::StoredSuspension) -> bool {
        crate::domain::suspension::covers(s.starts_on, s.ends_on, self.today)
    }
}

#[derive(Template)]
#[template(path = "certifications/form.html")]
pub struct CertificationForm {
    pub chrome: Chrome,
    pub vendor: Vendor,
    /// The certification being changed, `None` for a new one.
    pub id: Option<CertificationId>,
    pub input: crate::services::certifications::CertificationInput,
    pub has_file: bool,
    pub errors: FieldErrors,
}

impl CertificationForm {
    fn schemes(&self) -> Vec<(&'static str, &'static str)> {
        crate::domain::certification::Scheme::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect()
    }
    fn levels(&self) -> Vec<(&'static str, &'static str)> {
        crate::domain::certification::Scheme::ALL
            .iter()
            .flat_map(|s| s.levels())
            .map(|l| (l.code(), l.label()))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "vendors/import.html")]
pub struct VendorImport {
    pub chrome: Chrome,
    pub report: Option<crate::services::vendor_master::ImportReport>,
}

#[derive(Template)]
#[template(path = "certifications/import.html")]
pub struct CertificationImport {
    pub chrome: Chrome,
    pub report: Option<crate::services::certifications::ImportReport>,
}

#[derive(Template)]
#[template(path = "vendors/form.html")]
pub struct VendorForm {
    pub chrome: Chrome,
    pub id: Option<VendorId>,
    pub errors: FieldErrors,
    /// (field name, label, typed value, hint) in the order shown.
    pub fields: Vec<(&'static str, &'static str, String, &'static str)>,
}

impl VendorForm {
    pub fn new(
        chrome: Chrome,
        id: Option<VendorId>,
        input: &VendorInput,
        errors: FieldErrors,
    ) -> Self {
        let value = |v: &Option<String>| v.clone().unwrap_or_default();
        VendorForm {
            chrome,
            id,
            errors,
            fields: vec![
                (
                    "corporate_number",
                    "法人番号（13桁）",
                    value(&input.corporate_number),
                    "国税庁の法人番号公表サイトで確認できます。法人番号・登録番号・業者番号のどれか1つは必須です。",
                ),
                (
                    "invoice_number",
                    "適格請求書発行事業者登録番号（T＋13桁）",
                    value(&input.invoice_number),
                    "法人番号のない個人事業主のときに入力します。個人番号（マイナンバー）は入力しないでください。",
                ),
                (
                    "vendor_code",
                    "業者番号",
                    value(&input.vendor_code),
                    "入札参加資格者名簿の業者番号（あれば）。",
                ),
                ("name", "事業者名（必須）", value(&input.name), ""),
                ("name_kana", "フリガナ", value(&input.name_kana), ""),
                ("address", "所在地", value(&input.address), ""),
                ("representative", "代表者", value(&input.representative), ""),
                ("contact_person", "担当者", value(&input.contact_person), ""),
                ("phone", "電話番号", value(&input.phone), ""),
                ("email", "メールアドレス", value(&input.email), ""),
            ],
        }
    }
}

#[derive(Template)]
#[template(path = "departments/list.html")]
pub struct DepartmentList {
    pub chrome: Chrome,
    pub departments: Vec<DepartmentSummary>,
    pub errors: FieldErrors,
    pub new_name: String,
    pub saved: bool,
}

#[derive(Template)]
#[template(path = "vendors/suspensions.html")]
pub struct SuspensionList {
    pub chrome: Chrome,
    pub today: chrono::NaiveDate,
    pub suspensions: Vec<crate::db::suspensions::StoredSuspension>,
    pub report: Option<crate::services::suspensions::ImportReport>,
}

impl SuspensionList {
    pub fn in_force(&self, s: &crate::db::suspensions::StoredSuspension) -> bool {
        crate::domain::suspension::covers(s.starts_on, s.ends_on, self.today)
    }
    pub fn to_come(&self, s: &crate::db::suspensions::StoredSuspension) -> bool {
        s.starts_on > self.today
    }
}

#[derive(Template)]
#[template(path = "vendors/incident_contacts.html")]
pub struct IncidentContactsPage {
    pub chrome: Chrome,
    pub contacts: crate::services::incident_contacts::Contacts,
    pub may_change: bool,
    /// The form's rows: the saved or submitted contacts, then blank ones.
    pub rows: Vec<crate::domain::incident_contact::ContactFields>,
    pub errors: crate::error::FieldErrors,
    pub notice: Option<&'static str>,
}

impl IncidentContactsPage {
    /// The message for a row's field (`contacts[1].phone`), if it was refused.
    pub fn error(&self, index: &usize, field: &str) -> Option<&str> {
        self.errors.get(&format!("contacts[{index}].{field}"))
    }
    /// Each text field of a row: name, label, value, input type and hint.
    pub fn fields<'r>(
        &self,
        row: &'r crate::domain::incident_contact::ContactFields,
    ) -> Vec<(
        &'static str,
        &'static str,
        &'r str,
        &'static str,
        &'static str,
    )> {
        vec![
            ("name", "氏名", &row.name, "text", ""),
            (
                "role",
                "役割",
                &row.role,
                "text",
                "例: 情報セキュリティ責任者、夜間当番",
            ),
            ("phone", "電話番号", &row.phone, "tel", "例: 03-1234-5678"),
            ("email", "メールアドレス", &row.email, "email", ""),
            (
                "hours",
                "対応時間",
                &row.hours,
                "text",
                "例: 平日 9:00〜18:00、24時間",
            ),
        ]
    }
    pub fn wareki(&self, day: &chrono::NaiveDate) -> String {
        crate::domain::wareki(*day)
    }
}
