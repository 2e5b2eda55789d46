//! A vendor's incident contact points (インシデント連絡先): who the municipality's CSIRT calls, how, and
//! when they answer. An important contract needs one that answers around the clock, and the vendor
//! confirms the list once a fiscal year (連絡先の年次確認).

use super::{fields, BoundedText, Email, FiscalYear};
use serde::Serialize;

/// At most this many contacts per vendor: a call tree, not a staff directory.
pub const MAX_CONTACTS: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentContact {
    pub name: BoundedText<100>,
    /// 「情報セキュリティ責任者」「夜間当番」; may be empty.
    pub role: String,
    pub phone: String,
    pub email: Email,
    /// 「平日 9:00〜18:00」「24時間」; may be empty.
    pub hours: String,
    /// Reachable 24 hours a day, every day.
    pub around_the_clock: bool,
}

/// One contact as a form or the API gives it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ContactFields {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub hours: String,
    #[serde(default)]
    pub around_the_clock: bool,
}

impl ContactFields {
    /// A row of the form left empty.
    pub fn is_blank(&self) -> bool {
        [
            &self.name,
            &self.role,
            &self.phone,
            &self.email,
            &self.hours,
        ]
        .iter()
        .all(|v| v.trim().trim_matches('\u{3000}').is_empty())
    }
}

fn at_most(value: &str, max: usize, label: &str) -> Result<String, String> {
    let value = value.trim().trim_matches('\u{3000}').trim().to_string();
    if value.chars().count() > max {
        return Err(format!("{label}は{max}文字以内で入力してください"));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{label}に使用できない制御文字が含まれています"));
    }
    Ok(value)
}

/// Checks every contact; errors are keyed `contacts[0].phone` and so on. Blank rows are dropped.
pub fn check(rows: &[ContactFields]) -> Result<Vec<IncidentContact>, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let mut contacts = Vec::new();
    let given: Vec<&ContactFields> = rows.iter().filter(|r| !r.is_blank()).collect();
    if given.len() > MAX_CONTACTS {
        errors.push((
            "contacts".to_string(),
            format!("連絡先は{MAX_CONTACTS}件までです"),
        ));
    }
    for (index, row) in given.into_iter().enumerate() {
        let mut error = |field: &str, message: String| {
            errors.push((format!("contacts[{index}].{field}"), message))
        };
        let name = BoundedText::<100>::parse(&row.name, "氏名")
            .map_err(|m| error("name", m))
            .ok();
        let role = at_most(&row.role, 100, "役割")
            .map_err(|m| error("role", m))
            .ok();
        let phone = if row.phone.trim().is_empty() {
            error("phone", "電話番号を入力してください".into());
            None
        } else {
            fields::phone(&row.phone)
                .map_err(|m| error("phone", m))
                .ok()
        };
        let email = if row.email.trim().is_empty() {
            error("email", "メールアドレスを入力してください".into());
            None
        } else {
            Email::parse(&row.email).map_err(|m| error("email", m)).ok()
        };
        let hours = at_most(&row.hours, 100, "対応時間")
            .map_err(|m| error("hours", m))
            .ok();
        if let (Some(name), Some(role), Some(phone), Some(email), Some(hours)) =
            (name, role, phone, email, hours)
        {
            contacts.push(IncidentContact {
                name,
                role,
                phone,
                email,
                hours,
                around_the_clock: row.around_the_clock,
            });
        }
    }
    if errors.is_empty() {
        Ok(contacts)
    } else {
        Err(errors)
    }
}

/// What the contacts lack for an important contract, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Gap {
    /// No contact at all.
    None,
    /// None reachable around the clock.
    NoAroundTheClock,
    /// Not confirmed in the fiscal year, past the day it was due.
    Unconfirmed,
}

impl Gap {
    pub fn code(self) -> &'static str {
        match self {
            Gap::None => "none",
            Gap::NoAroundTheClock => "no24h",
            Gap::Unconfirmed => "unconfirmed",
        }
    }

    pub fn from_code(code: &str) -> Option<Gap> {
        [Gap::None, Gap::NoAroundTheClock, Gap::Unconfirmed]
            .into_iter()
            .find(|gap| gap.code() == code)
    }

    pub fn label(self, year: FiscalYear) -> String {
        match self {
            Gap::None => "インシデント連絡先が未登録".into(),
            Gap::NoAroundTheClock => "24時間連絡できるインシデント連絡先がない".into(),
            Gap::Unconfirmed => format!("インシデント連絡先の年次確認（{}）", year.label()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, phone: &str, email: &str) -> ContactFields {
        ContactFields {
            name: name.into(),
            phone: phone.into(),
            email: email.into(),
            ..Default::default()
        }
    }

    #[test]
    fn blank_rows_are_dropped_and_each_bad_field_is_named() {
        let rows = [
            row("山田 太郎", "03-1234-5678", "yamada@example.jp"),
            ContactFields::default(),
            row("", "abc", "not-mail"),
        ];
        let errors = check(&rows).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            ["contacts[1].name", "contacts[1].phone", "contacts[1].email"]
        );
        let ok = check(&rows[..2]).unwrap();
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].phone, "03-1234-5678");
    }
}
