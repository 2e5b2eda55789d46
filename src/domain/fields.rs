//! The rules of the fields people type, written once: each is a bounded text with the label its messages
//! use. Forms, the API, the ledger import and the vendor lists all parse through these, so a contract
//! number is the same 64 characters and the same message wherever it is typed.

use super::text::{normalize, BoundedText};

pub type ContractNumber = BoundedText<64>;
pub type ContractTitle = BoundedText<200>;
pub type DepartmentName = BoundedText<100>;
pub type VendorName = BoundedText<200>;

/// The most a contract's notes may hold.
pub const NOTES_MAX: usize = 2000;

/// 契約番号, in its normal form (full-width digits and hyphens become ASCII).
pub fn contract_number(text: &str) -> Result<ContractNumber, String> {
    BoundedText::parse(&normalize(text), "契約番号")
}

/// A contract's 件名.
pub fn contract_title(text: &str) -> Result<ContractTitle, String> {
    BoundedText::parse(text, "件名")
}

/// 所管課 as a contract or a ledger names it, in its normal form.
pub fn department(text: &str) -> Result<DepartmentName, String> {
    BoundedText::parse(&normalize(text), "所管課")
}

/// A department's own name, as the department page edits it.
pub fn department_name(text: &str) -> Result<DepartmentName, String> {
    BoundedText::parse(&normalize(text), "所管課名")
}

/// 事業者名.
pub fn vendor_name(text: &str) -> Result<VendorName, String> {
    BoundedText::parse(text, "事業者名")
}

/// A contract's 備考: may be empty, at most `NOTES_MAX` characters.
pub fn notes(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.chars().count() > NOTES_MAX {
        return Err(format!("備考は{NOTES_MAX}文字以内で入力してください"));
    }
    Ok(text.to_string())
}

/// A telephone number as people write it (0120-000-000, 03(1234)5678, +81 3 …): 6 to 15 digits.
pub fn phone(value: &str) -> Result<String, String> {
    let phone = super::text::normalize(value).replace(['ー', '―'], "-");
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '(' | ')' | '+' | ' '))
        && (6..=15).contains(&digits)
    {
        Ok(phone)
    } else {
        Err(format!(
            "電話番号の形式が正しくありません（「{}」）",
            value.trim()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_names_its_field() {
        assert_eq!(contract_number("ＫＹ－００１").unwrap().as_str(), "KY-001");
        assert_eq!(
            contract_number(" ").unwrap_err(),
            "契約番号を入力してください"
        );
        assert!(contract_title(&"あ".repeat(201))
            .unwrap_err()
            .starts_with("件名は200文字"));
        assert!(vendor_name("").unwrap_err().starts_with("事業者名"));
        assert_eq!(notes("").unwrap(), "");
        assert!(notes(&"x".repeat(2001))
            .unwrap_err()
            .starts_with("備考は2000文字"));
    }
}
