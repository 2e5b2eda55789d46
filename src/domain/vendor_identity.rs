//! Who a vendor is: its 法人番号 when it is a corporation; otherwise its 適格請求書発行事業者登録番号
//! (T + 13 digits) or the municipality's own 業者番号 from its 競争入札参加資格者名簿. A sole proprietor
//! (個人事業主) has no 法人番号, and its 個人番号 (My Number, 12 digits) must never be collected here:
//! a 12-digit number typed where an identifier belongs is refused without being repeated anywhere.

use super::corporate_number::{check_digit_valid, CorporateNumber};
use super::text::normalize;
use std::fmt;

/// The refusal for a 12-digit number: it never names the number, so it cannot reach a log.
pub const MY_NUMBER_REFUSED: &str = "個人番号（マイナンバー）は入力できません";

/// The characters people put between digits.
fn compact(input: &str) -> String {
    normalize(input)
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '‐' | '−' | 'ー' | '―'))
        .collect()
}

/// Whether text is a 12-digit number once spaces and hyphens are gone: a 個人番号's shape.
pub fn looks_like_my_number(input: &str) -> bool {
    let digits = compact(input);
    let digits = digits.strip_prefix(['T', 't']).unwrap_or(&digits);
    digits.len() == 12 && digits.chars().all(|c| c.is_ascii_digit())
}

/// 適格請求書発行事業者登録番号: T and 13 digits whose first is the check digit (a corporation's is T + its
/// 法人番号; a sole proprietor's is a number of its own from the same series).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct InvoiceNumber(String);

impl InvoiceNumber {
    pub fn parse(input: &str) -> Result<Self, String> {
        if looks_like_my_number(input) {
            return Err(MY_NUMBER_REFUSED.into());
        }
        let text = compact(input).to_uppercase();
        if text.is_empty() {
            return Err("登録番号が入力されていません".into());
        }
        let Some(digits) = text.strip_prefix('T') else {
            return Err("登録番号は「T」と数字13桁で入力してください（例: T1234567890123）".into());
        };
        if digits.len() != 13 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err("登録番号は「T」と数字13桁で入力してください（例: T1234567890123）".into());
        }
        if !check_digit_valid(digits) {
            return Err("登録番号のチェックディジットが一致しません".into());
        }
        Ok(InvoiceNumber(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 13 digits, which are the 法人番号 when the registrant is a corporation.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }
}

/// 業者番号: the municipality's own number for a vendor in its list of qualified bidders.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct VendorCode(String);

impl VendorCode {
    pub const MAX_CHARS: usize = 20;

    pub fn parse(input: &str) -> Result<Self, String> {
        if looks_like_my_number(input) {
            return Err(MY_NUMBER_REFUSED.into());
        }
        let text = normalize(input);
        if text.is_empty() {
            return Err("業者番号が入力されていません".into());
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(format!(
                "業者番号は{}文字以内で入力してください",
                Self::MAX_CHARS
            ));
        }
        if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err("業者番号に空白や改行は使えません".into());
        }
        let digits = compact(&text);
        let digits = digits.strip_prefix(['T', 't']).unwrap_or(&digits);
        if digits.len() == 13 && digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(
                "13桁の番号は業者番号ではなく法人番号・登録番号の列に入力してください".into(),
            );
        }
        Ok(VendorCode(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One identifier of a vendor, of any kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum VendorIdentifier {
    Corporate(CorporateNumber),
    Invoice(InvoiceNumber),
    Code(VendorCode),
}

impl VendorIdentifier {
    /// Reads an identifier by its shape: 13 digits are a 法人番号, T and 13 digits a 登録番号, anything
    /// else a 業者番号; 12 digits are refused as a 個人番号.
    pub fn parse(input: &str) -> Result<Self, String> {
        if looks_like_my_number(input) {
            return Err(MY_NUMBER_REFUSED.into());
        }
        let text = compact(input);
        if text.is_empty() {
            return Err("法人番号・登録番号・業者番号のどれかを入力してください".into());
        }
        if text.len() == 13 && text.chars().all(|c| c.is_ascii_digit()) {
            return CorporateNumber::parse(&text).map(VendorIdentifier::Corporate);
        }
        if text.len() == 14
            && text.starts_with(['T', 't'])
            && text[1..].chars().all(|c| c.is_ascii_digit())
        {
            return InvoiceNumber::parse(&text).map(VendorIdentifier::Invoice);
        }
        VendorCode::parse(input).map(VendorIdentifier::Code)
    }

    /// Reads an identifier kept by Itaku (already valid), for showing its kind.
    pub fn of_stored(value: &str) -> Self {
        VendorIdentifier::parse(value)
            .unwrap_or_else(|_| VendorIdentifier::Code(VendorCode(value.to_string())))
    }

    /// 法人番号 / 登録番号 / 業者番号.
    pub fn kind(&self) -> &'static str {
        match self {
            VendorIdentifier::Corporate(_) => "法人番号",
            VendorIdentifier::Invoice(_) => "登録番号",
            VendorIdentifier::Code(_) => "業者番号",
        }
    }

    /// The field that holds it: `corporate_number`, `invoice_number` or `vendor_code`.
    pub fn field(&self) -> &'static str {
        match self {
            VendorIdentifier::Corporate(_) => "corporate_number",
            VendorIdentifier::Invoice(_) => "invoice_number",
            VendorIdentifier::Code(_) => "vendor_code",
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            VendorIdentifier::Corporate(number) => number.as_str(),
            VendorIdentifier::Invoice(number) => number.as_str(),
            VendorIdentifier::Code(code) => code.as_str(),
        }
    }
}

/// 「法人番号 7000012050002」「登録番号 T1234567890123」「業者番号 A-0012」
impl fmt::Display for VendorIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind(), self.as_str())
    }
}

/// Every identifier a vendor has; at least one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VendorIdentity {
    pub corporate: Option<CorporateNumber>,
    /// Kept only when it is not T + the 法人番号 (a corporation's is derived from it).
    pub invoice: Option<InvoiceNumber>,
    pub code: Option<VendorCode>,
}

impl VendorIdentity {
    pub fn new(
        corporate: Option<CorporateNumber>,
        invoice: Option<InvoiceNumber>,
        code: Option<VendorCode>,
    ) -> Result<Self, String> {
        let invoice = match (&corporate, invoice) {
            (Some(number), Some(invoice)) if invoice.digits() == number.as_str() => None,
            (Some(_), Some(_)) => {
                return Err(
                    "登録番号が法人番号と一致しません（法人の登録番号は「T」＋法人番号です）"
                        .into(),
                )
            }
            (_, invoice) => invoice,
        };
        if corporate.is_none() && invoice.is_none() && code.is_none() {
            return Err("法人番号・登録番号・業者番号のどれかを入力してください（個人事業主は登録番号か業者番号）".into());
        }
        Ok(VendorIdentity {
            corporate,
            invoice,
            code,
        })
    }

    /// Reads the three optional fields as typed (blank ones absent), each error with its field.
    pub fn parse(
        corporate: Option<&str>,
        invoice: Option<&str>,
        code: Option<&str>,
    ) -> Result<Self, Vec<(&'static str, String)>> {
        fn given(value: Option<&str>) -> Option<&str> {
            value.map(str::trim).filter(|v| !v.is_empty())
        }
        let mut errors = Vec::new();
        fn take<T>(
            errors: &mut Vec<(&'static str, String)>,
            field: &'static str,
            result: Result<T, String>,
        ) -> Option<T> {
            result.map_err(|message| errors.push((field, message))).ok()
        }
        let corporate = given(corporate)
            .and_then(|v| take(&mut errors, "corporate_number", CorporateNumber::parse(v)));
        let invoice = given(invoice)
            .and_then(|v| take(&mut errors, "invoice_number", InvoiceNumber::parse(v)));
        let code = given(code).and_then(|v| take(&mut errors, "vendor_code", VendorCode::parse(v)));
        if !errors.is_empty() {
            return Err(errors);
        }
        VendorIdentity::new(corporate, invoice, code).map_err(|m| vec![("corporate_number", m)])
    }

    /// The identifier the vendor is known by: its 法人番号, else its 登録番号, else its 業者番号 (an
    /// empty 業者番号 only for an identity that was never valid).
    pub fn primary(&self) -> VendorIdentifier {
        self.all()
            .next()
            .unwrap_or_else(|| VendorIdentifier::Code(VendorCode(String::new())))
    }

    /// The three columns a vendor record keeps.
    pub fn columns(&self) -> (Option<String>, Option<String>, Option<String>) {
        (
            self.corporate.as_ref().map(|n| n.as_str().to_string()),
            self.invoice.as_ref().map(|n| n.as_str().to_string()),
            self.code.as_ref().map(|c| c.as_str().to_string()),
        )
    }

    pub fn all(&self) -> impl Iterator<Item = VendorIdentifier> + '_ {
        let corporate = self.corporate.clone().map(VendorIdentifier::Corporate);
        let invoice = self.invoice.clone().map(VendorIdentifier::Invoice);
        let code = self.code.clone().map(VendorIdentifier::Code);
        corporate.into_iter().chain(invoice).chain(code)
    }

    /// Whether `other` names this vendor (a 登録番号 T + 法人番号 names the corporation).
    pub fn is_named_by(&self, other: &VendorIdentifier) -> bool {
        match other {
            VendorIdentifier::Corporate(number) => {
                self.corporate.as_ref() == Some(number)
                    || self
                        .invoice
                        .as_ref()
                        .is_some_and(|i| i.digits() == number.as_str())
            }
            VendorIdentifier::Invoice(invoice) => {
                self.invoice.as_ref() == Some(invoice)
                    || self
                        .corporate
                        .as_ref()
                        .is_some_and(|n| n.as_str() == invoice.digits())
            }
            VendorIdentifier::Code(code) => self.code.as_ref() == Some(code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_digits_are_refused_as_my_number_without_repeating_them() {
        for typed in [
            "123456789012",
            "1234 5678 9012",
            "１２３４－５６７８－９０１２",
            "T123456789012",
        ] {
            for result in [
                CorporateNumber::parse(typed).err(),
                InvoiceNumber::parse(typed).err(),
                VendorCode::parse(typed).err(),
                VendorIdentifier::parse(typed).err(),
            ] {
                assert_eq!(result.as_deref(), Some(MY_NUMBER_REFUSED), "{typed}");
            }
        }
    }

    #[test]
    fn identifiers_are_told_apart_by_shape() {
        assert_eq!(
            VendorIdentifier::parse("7000012050002").unwrap().kind(),
            "法人番号"
        );
        let invoice = VendorIdentifier::parse("ｔ７０００ ０１２ ０５０ ００２").unwrap();
        assert_eq!(invoice.to_string(), "登録番号 T7000012050002");
        assert_eq!(
            VendorIdentifier::parse("A-0012").unwrap().to_string(),
            "業者番号 A-0012"
        );
        assert_eq!(VendorIdentifier::parse("00123").unwrap().kind(), "業者番号");
        assert!(
            InvoiceNumber::parse("T7000012050003").is_err(),
            "check digit"
        );
        assert!(VendorCode::parse("7000012050002").is_err());
        assert!(VendorCode::parse(&"A".repeat(21)).is_err());
    }

    #[test]
    fn a_corporations_registration_number_is_its_corporate_number() {
        let corporate = CorporateNumber::parse("7000012050002").unwrap();
        let invoice = InvoiceNumber::parse("T7000012050002").unwrap();
        let identity =
            VendorIdentity::new(Some(corporate.clone()), Some(invoice.clone()), None).unwrap();
        assert_eq!(identity.invoice, None, "derived, not kept twice");
        assert!(identity.is_named_by(&VendorIdentifier::Invoice(invoice.clone())));
        let sole = VendorIdentity::new(None, Some(invoice), None).unwrap();
        assert!(sole.is_named_by(&VendorIdentifier::Corporate(corporate)));
        assert!(VendorIdentity::new(None, None, None).is_err());
        let other = InvoiceNumber::parse("T1180301018771").unwrap();
        assert!(VendorIdentity::new(
            CorporateNumber::parse("7000012050002").ok(),
            Some(other),
            None
        )
        .is_err());
    }
}
