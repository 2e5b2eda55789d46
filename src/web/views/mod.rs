//! Askama views: one struct per page, rendered to a string the routes return as HTML.

mod accounts;
mod contracts;
mod tenders;
mod vendors;
mod work;

pub use accounts::*;
pub use contracts::*;
pub use tenders::*;
pub use vendors::*;
pub use work::*;

use crate::error::AppError;
use askama::Template;
use rocket::http::Status;
use rocket::response::content::RawHtml;

/// Renders a view; a template error is an internal error.
pub fn render(template: &impl Template) -> Result<RawHtml<String>, AppError> {
    template
        .render()
        .map(RawHtml)
        .map_err(|e| AppError::Internal(format!("template: {e}")))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    heading: &'a str,
    message: &'a str,
    details: &'a [String],
}

/// The HTML body for an error response.
pub fn error_page(status: Status, message: &str, details: &[String]) -> String {
    let heading = match status.code {
        404 => "ページが見つかりません",
        413 => "ファイルが大きすぎます",
        422 | 400 => "入力内容に誤りがあります",
        503 => "ただいま利用できません",
        _ => "エラーが発生しました",
    };
    ErrorPage {
        heading,
        message,
        details,
    }
    .render()
    .unwrap_or_else(|_| {
        format!(
            "<!doctype html><title>{}</title><p>{}</p>",
            status.code, heading
        )
    })
}
