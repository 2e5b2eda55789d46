//! Form fields read into a service's input through serde, so the services take plain structs and know
//! nothing of Rocket. `Fields<T>` works wherever Rocket reads a form: a whole body, a nested part of a
//! multipart form (`report.fiscal_year`) and a query string (`?<query..>`).
//!
//! The fields are collected as they arrive and decoded once with `serde_html_form`: a key given more than
//! once fills a `Vec`, and an empty value is `None` for an `Option`.

use rocket::form::{self, DataField, FromForm, Options, ValueField};
use serde::de::DeserializeOwned;

pub struct Fields<T>(pub T);

impl<T> Fields<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Fields<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Decodes `key=value` pairs as a form body would carry them.
pub fn decode<T: DeserializeOwned>(pairs: &[(String, String)]) -> Result<T, String> {
    let encoded = serde_html_form::to_string(pairs).map_err(|e| e.to_string())?;
    serde_html_form::from_str(&encoded).map_err(|e| e.to_string())
}

#[rocket::async_trait]
impl<'v, T: DeserializeOwned + Send> FromForm<'v> for Fields<T> {
    type Context = Vec<(String, String)>;

    fn init(_options: Options) -> Self::Context {
        Vec::new()
    }

    fn push_value(pairs: &mut Self::Context, field: ValueField<'v>) {
        let key = field.name.key_lossy().as_str().to_string();
        pairs.push((key, field.value.to_string()));
    }

    /// A file where text was expected is not part of the input.
    async fn push_data(_pairs: &mut Self::Context, _field: DataField<'v, '_>) {}

    fn finalize(pairs: Self::Context) -> form::Result<'v, Self> {
        decode(&pairs)
            .map(Fields)
            .map_err(|message| form::Error::validation(message).into())
    }
}

#[cfg(test)]
mod tests {
    use super::decode;
    use crate::domain::ids::DepartmentId;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Input {
        name: Option<String>,
        department_id: Option<DepartmentId>,
        #[serde(default)]
        ids: Vec<i64>,
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn repeated_keys_fill_a_list_and_empty_values_are_none() {
        let input: Input = decode(&pairs(&[
            ("name", "総務課"),
            ("department_id", ""),
            ("ids", "1"),
            ("ids", "3"),
            ("csrf_token", "x"),
        ]))
        .unwrap();
        assert_eq!(
            input,
            Input {
                name: Some("総務課".into()),
                department_id: None,
                ids: vec![1, 3]
            }
        );
    }

    #[test]
    fn a_number_field_with_words_is_refused() {
        assert!(decode::<Input>(&pairs(&[("department_id", "abc")])).is_err());
    }
}
