//! Askama views: one struct per page, rendered to a string the routes return as HTML.

mod accounts;
mod audit_log;
mod charts;
mod contracts;
mod formats;
mod menu;
mod tenders;
mod vendors;
mod work;

pub use accounts::*;
pub use audit_log::{action_label, entity_label, AuditRow, ACTIONS, ENTITY_TYPES};
pub use charts::{
    kpi_bar, largest_total, monthly_columns, tally_bar, weekly_deadlines, Bar, Columns,
};
pub use contracts::*;
pub use formats::{count, day, file_size, moment, Day, Moment};
pub use menu::MenuItem;
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
    status: u16,
    heading: &'a str,
    message: &'a str,
    details: &'a [String],
}

/// The same page inside the signed-in layout, with the user's menu.
#[derive(Template)]
#[template(path = "error_signed_in.html")]
struct SignedInErrorPage<'a> {
    chrome: &'a crate::web::guards::Chrome,
    status: u16,
    heading: &'a str,
    message: &'a str,
    details: &'a [String],
}

/// The HTML body for an error response: inside the signed-in layout when the request's user is known.
pub fn error_page(
    status: Status,
    message: &str,
    details: &[String],
    chrome: Option<&crate::web::guards::Chrome>,
) -> String {
    let heading = match status.code {
        404 => "ページが見つかりません",
        403 => "このページは開けません",
        413 => "ファイルが大きすぎます",
        422 | 400 => "入力内容に誤りがあります",
        503 => "ただいま利用できません",
        _ => "エラーが発生しました",
    };
    let rendered = match chrome {
        Some(chrome) => SignedInErrorPage {
            chrome,
            status: status.code,
            heading,
            message,
            details,
        }
        .render(),
        None => ErrorPage {
            status: status.code,
            heading,
            message,
            details,
        }
        .render(),
    };
    rendered.unwrap_or_else(|_| {
        format!(
            "<!doctype html><title>{}</title><p>{}</p>",
            status.code, heading
        )
    })
}
