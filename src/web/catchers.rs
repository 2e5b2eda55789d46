//! Errors Rocket raises before a handler runs (no route, a body it cannot parse, a body too large),
//! answered like the application's own: JSON under `/api/`, a Japanese page elsewhere.

use crate::error::AppError;
use rocket::http::Status;
use rocket::{catch, catchers, Catcher, Request};

#[catch(default)]
fn default(status: Status, _request: &Request<'_>) -> AppError {
    match status.code {
        404 => AppError::NotFound,
        413 => AppError::PayloadTooLarge("送信されたデータが大きすぎます".into()),
        400 => AppError::BadRequest("リクエストの形式が正しくありません".into()),
        422 => AppError::Unprocessable("送信された内容の形式が正しくありません".into()),
        415 => AppError::BadRequest(
            "Content-Type が正しくありません（JSON は application/json で送信してください）".into(),
        ),
        code => AppError::Internal(format!("status {code}")),
    }
}

pub fn catchers() -> Vec<Catcher> {
    catchers![default]
}
