//! CSRF: every state-changing form carries its session's token in a hidden `csrf_token` field.
//! `CsrfForm<T>` reads such a form and refuses it (403) unless the token matches, compared in
//! constant time; the session cookie is also `SameSite=Strict`.

use super::guards::{authenticate, Credential};
use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::form::{Form, FromForm};
use rocket::http::Status;
use rocket::Request;
use subtle::ConstantTimeEq;

pub const FIELD: &str = "csrf_token";

pub fn tokens_match(sent: &str, expected: &str) -> bool {
    !expected.is_empty() && bool::from(sent.as_bytes().ct_eq(expected.as_bytes()))
}

/// A form's token checked against its session's: a mismatch is an expired form, not a lack of rights.
pub fn require(sent: &str, expected: &str) -> Result<(), crate::error::AppError> {
    if tokens_match(sent, expected) {
        Ok(())
    } else {
        Err(crate::error::AppError::FormExpired)
    }
}

/// Left on a request whose form token did not match, so that the 403 page says why.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenRefused(pub bool);

fn refuse(request: &Request<'_>) {
    request.local_cache(|| TokenRefused(true));
}

/// The token the request's session expects, if it is a browser session.
pub async fn expected_token(request: &Request<'_>) -> Option<String> {
    match authenticate(request).await {
        Ok(Some(auth)) => match &auth.credential {
            Credential::Session { csrf_token, .. } => Some(csrf_token.clone()),
            Credential::ApiToken => None,
        },
        _ => None,
    }
}

/// A URL-encoded form whose CSRF token has been checked.
pub struct CsrfForm<T>(pub T);

impl<T> std::ops::Deref for CsrfForm<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> CsrfForm<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

#[rocket::async_trait]
impl<'r, T> FromData<'r> for CsrfForm<T>
where
    T: for<'a> FromForm<'a> + Send + 'static,
{
    type Error = String;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let Some(expected) = expected_token(request).await else {
            return data::Outcome::Error((Status::Forbidden, "no session".into()));
        };
        if !request.content_type().is_some_and(|ct| ct.is_form()) {
            return data::Outcome::Error((Status::UnsupportedMediaType, "not a form".into()));
        }
        let limit = request
            .limits()
            .get("form")
            .unwrap_or_else(|| 64.kibibytes());
        let body = match data.open(limit).into_string().await {
            Ok(body) if body.is_complete() => body.into_inner(),
            Ok(_) => {
                return data::Outcome::Error((Status::PayloadTooLarge, "form too large".into()))
            }
            Err(e) => return data::Outcome::Error((Status::BadRequest, e.to_string())),
        };
        let sent = body
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == FIELD)
            .and_then(|(_, value)| {
                rocket::http::RawStr::new(&value.replace('+', " "))
                    .url_decode()
                    .ok()
                    .map(|v| v.into_owned())
            })
            .unwrap_or_default();
        if !tokens_match(&sent, &expected) {
            refuse(request);
            return data::Outcome::Error((Status::Forbidden, "CSRF token mismatch".into()));
        }
        match Form::<T>::parse_encoded(rocket::http::RawStr::new(&body)) {
            Ok(value) => data::Outcome::Success(CsrfForm(value)),
            Err(errors) => data::Outcome::Error((Status::UnprocessableEntity, errors.to_string())),
        }
    }
}
