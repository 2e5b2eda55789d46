//! How the services read loosely typed input: the same struct is filled from a JSON body (`true`, `12`)
//! and from an HTML form (`on`, `"12"`), so a few fields accept both spellings.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

/// Lets API clients send counts and days as JSON numbers or as text.
pub fn text_or_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(
        match Option::<serde_json::Value>::deserialize(deserializer)? {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s),
            Some(other) => Some(other.to_string()),
        },
    )
}

/// A yes/no field: a JSON boolean, or a form's checkbox (`on`, `true`, `1`, `yes`; `off`, `false`, `0`,
/// `no` or empty for no).
pub fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    deserializer.deserialize_any(FlagVisitor)
}

struct FlagVisitor;

impl Visitor<'_> for FlagVisitor {
    type Value = bool;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("true or false")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<bool, E> {
        Ok(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<bool, E> {
        match value {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::invalid_value(de::Unexpected::Unsigned(value), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<bool, E> {
        u64::try_from(value)
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(value), &self))
            .and_then(|value| self.visit_u64(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<bool, E> {
        match value.trim().to_ascii_lowercase().as_str() {
            "on" | "true" | "1" | "yes" => Ok(true),
            "off" | "false" | "0" | "no" | "" => Ok(false),
            _ => Err(E::invalid_value(de::Unexpected::Str(value), &self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::flag;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Form {
        #[serde(default, deserialize_with = "flag")]
        checked: bool,
    }

    #[test]
    fn a_checkbox_and_a_json_boolean_read_the_same() {
        let form = |body: &str| serde_html_form::from_str::<Form>(body).map(|f| f.checked);
        assert_eq!(form("checked=on"), Ok(true));
        assert_eq!(form("checked=true"), Ok(true));
        assert_eq!(form(""), Ok(false));
        assert!(form("checked=maybe").is_err());
        let json = |body: &str| serde_json::from_str::<Form>(body).map(|f| f.checked).ok();
        assert_eq!(json(r#"{"checked": true}"#), Some(true));
        assert_eq!(json(r#"{"checked": false}"#), Some(false));
        assert_eq!(json(r#"{}"#), Some(false));
    }
}
