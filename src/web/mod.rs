//! HTTP: Japanese pages and the JSON API under `/api/v1`, both over the same service functions.

pub mod api;
pub mod assets;
pub mod catchers;
pub mod csrf;
pub mod download;
mod error_response;
pub mod fields;
pub mod guards;
pub mod headers;
mod ids;
pub mod pages;
pub mod views;

use crate::error::{AppError, AppResult};
use rocket::http::Status;
use rocket::{get, routes, Route, State};

/// The web layer's handle on the application context: what every request handler can reach.
pub struct AppState(pub crate::services::context::AppContext);

impl std::ops::Deref for AppState {
    type Target = crate::services::context::AppContext;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

#[get("/healthz")]
async fn healthz(state: &State<AppState>) -> (Status, &'static str) {
    match state.db.ping().await {
        Ok(()) => (Status::Ok, "ok"),
        Err(error) => {
            log::warn!("health check failed: {error}");
            (Status::ServiceUnavailable, "database unavailable")
        }
    }
}

pub fn routes() -> Vec<Route> {
    let mut all = routes![healthz, assets::asset, assets::favicon];
    all.extend(pages::routes());
    all
}

/// Builds a query-string prefix (`a=1&b=x&`) from the non-empty pairs, for pager links.
pub fn query_prefix(pairs: &[(&str, Option<String>)]) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            out.push_str(key);
            out.push('=');
            out.push_str(&percent_encode(value));
            out.push('&');
        }
    }
    out
}

pub use crate::domain::text::percent_encode;

/// A saved form redirects to the record; a refused one is shown again with what was typed (422),
/// or with another status.
pub enum FormOutcome {
    Saved(Box<rocket::response::Redirect>),
    Invalid(rocket::response::content::RawHtml<String>),
    Refused(rocket::response::status::Custom<rocket::response::content::RawHtml<String>>),
    /// 429 with `Retry-After`: the page says when to try again.
    RetryLater {
        page: rocket::response::content::RawHtml<String>,
        retry_after_seconds: u64,
    },
}

impl<'r> rocket::response::Responder<'r, 'static> for FormOutcome {
    fn respond_to(self, request: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        match self {
            FormOutcome::Saved(redirect) => redirect.respond_to(request),
            FormOutcome::Invalid(page) => {
                rocket::response::status::Custom(rocket::http::Status::UnprocessableEntity, page)
                    .respond_to(request)
            }
            FormOutcome::Refused(page) => page.respond_to(request),
            FormOutcome::RetryLater {
                page,
                retry_after_seconds,
            } => rocket::response::Response::build_from(
                rocket::response::status::Custom(rocket::http::Status::TooManyRequests, page)
                    .respond_to(request)?,
            )
            .raw_header("Retry-After", retry_after_seconds.to_string())
            .ok(),
        }
    }
}

impl FormOutcome {
    pub fn saved(to: String) -> Self {
        FormOutcome::Saved(Box::new(rocket::response::Redirect::to(to)))
    }
}

/// A page showing an import's result: 200 when it is (or would be) imported, 422 when refused.
pub fn report_status(accepted: bool) -> rocket::http::Status {
    if accepted {
        rocket::http::Status::Ok
    } else {
        rocket::http::Status::UnprocessableEntity
    }
}

/// A user-supplied file name reduced to something safe to store and show: no directories, no control
/// characters, at most 120 characters.
pub fn safe_file_name(raw: &str, fallback: &str) -> AppResult<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if base.chars().any(crate::domain::text::is_invisible) {
        let shown: String = base
            .chars()
            .take(120)
            .map(|c| {
                if crate::domain::text::is_invisible(c) {
                    format!("[U+{:04X}]", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect();
        return Err(AppError::Unprocessable(format!(
            "ファイル名「{shown}」に見えない文字（ゼロ幅文字や文字の向きを変える文字）が含まれています。ファイル名を付け直してから送ってください"
        )));
    }
    let clean: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if clean.is_empty() || clean == "." || clean == ".." {
        Ok(fallback.to_string())
    } else {
        Ok(clean)
    }
}
