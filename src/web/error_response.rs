//! How an `AppError` is answered: a Japanese HTML page, or JSON under `/api/`. Internal details go to the
//! log only.

use crate::error::{AppError, FieldErrors};
use rocket::http::{ContentType, Status};
use rocket::response::{self, Responder};
use rocket::Request;
use std::io::Cursor;

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let status = Status::new(self.status_code());
        if status.code >= 500 {
            log::error!("{} {}: {self:?}", request.method(), request.uri());
        }
        let (content_type, body) = if request.uri().path().starts_with("/api/") {
            let errors = match &self {
                AppError::Validation(errors) => errors.clone(),
                _ => FieldErrors::new(),
            };
            let body = serde_json::json!({
                "error": self.code(),
                "message": self.public_message(),
                "errors": errors,
            });
            (ContentType::JSON, body.to_string())
        } else {
            let messages = match &self {
                AppError::Validation(errors) => errors.iter().map(|e| e.message.clone()).collect(),
                _ => Vec::new(),
            };
            (
                ContentType::HTML,
                super::views::error_page(
                    status,
                    &self.public_message(),
                    &messages,
                    request
                        .local_cache(|| None::<super::guards::Chrome>)
                        .as_ref(),
                ),
            )
        };
        let mut response = response::Response::build();
        response
            .status(status)
            .header(content_type)
            .sized_body(body.len(), Cursor::new(body));
        match &self {
            AppError::TooManyRequests {
                retry_after_seconds,
                ..
            } => {
                response.raw_header("Retry-After", retry_after_seconds.to_string());
            }
            AppError::Busy(_) | AppError::Unavailable(_) => {
                response.raw_header("Retry-After", "5");
            }
            _ => {}
        }
        response.ok()
    }
}
