//! One error type for every use case. Pages get a Japanese HTML page, `/api/` gets JSON;
//! database and unexpected errors are logged and shown as an opaque 500 (or 503 when the database is away).

use rocket::http::{ContentType, Status};
use rocket::response::{self, Responder};
use rocket::Request;
use serde::Serialize;
use std::io::Cursor;

/// A message about one field of a form or API body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Every problem found in one submitted form or body, field by field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        FieldErrors::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_string(),
            message: message.into(),
        });
    }

    /// Keeps the value when it parsed, records the message under `field` when it did not.
    pub fn take<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    /// Adds the messages of a `validator` run; each rule carries its Japanese message.
    pub fn extend_validation(&mut self, errors: validator::ValidationErrors) {
        let mut fields: Vec<_> = errors.field_errors().into_iter().collect();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        for (field, list) in fields {
            for error in list {
                let message = error
                    .message
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| format!("{field} の値が正しくありません"));
                self.add(&field, message);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first message for a field, to show beside it.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("見つかりません")]
    NotFound,
    #[error("ログインしてください")]
    Unauthorized,
    #[error("この操作を行う権限がありません。ページを再読み込みしてからやり直してください")]
    Forbidden,
    #[error("入力内容に誤りがあります")]
    Validation(FieldErrors),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("データベースに接続できません。しばらくしてからもう一度お試しください")]
    Unavailable(#[source] sqlx::Error),
    /// The server is at a capacity limit for this kind of work; the request may be sent again later.
    #[error("{0}")]
    Busy(String),
    /// Too many attempts or too much work at once from this client: 429 with `Retry-After`.
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after_seconds: u64,
    },
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => AppError::NotFound,
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => AppError::Unavailable(error),
            sqlx::Error::Database(ref database)
                if database.code().as_deref().is_some_and(means_unavailable) =>
            {
                AppError::Unavailable(error)
            }
            other => AppError::Database(other),
        }
    }
}

/// Errors that say the database is away or busy rather than that the request is wrong: PostgreSQL's
/// connection exceptions (08) and operator intervention (57: shutting down, starting up), and SQLite's
/// busy and locked codes (5, 6 and their extended forms).
fn means_unavailable(code: &str) -> bool {
    if code.starts_with("08") || code.starts_with("57") {
        return true;
    }
    code.parse::<u32>()
        .is_ok_and(|extended| matches!(extended & 0xff, 5 | 6))
}

impl AppError {
    /// An upload over the configured limit.
    pub fn too_large(limit: usize) -> Self {
        AppError::PayloadTooLarge(format!(
            "ファイルが大きすぎます（上限 {} MiB）",
            limit / (1024 * 1024)
        ))
    }

    pub fn status(&self) -> Status {
        match self {
            AppError::NotFound => Status::NotFound,
            AppError::Unauthorized => Status::Unauthorized,
            AppError::Forbidden => Status::Forbidden,
            AppError::Validation(_) | AppError::Unprocessable(_) => Status::UnprocessableEntity,
            AppError::BadRequest(_) => Status::BadRequest,
            AppError::PayloadTooLarge(_) => Status::PayloadTooLarge,
            AppError::Unavailable(_) | AppError::Busy(_) => Status::ServiceUnavailable,
            AppError::TooManyRequests { .. } => Status::TooManyRequests,
            AppError::Database(_) | AppError::Internal(_) => Status::InternalServerError,
        }
    }

    /// What a user may be told; internal details stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Database(_) | AppError::Internal(_) => {
                "サーバーでエラーが発生しました。しばらくしてからもう一度お試しください".into()
            }
            other => other.to_string(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::Validation(_) => "validation",
            AppError::BadRequest(_) => "bad_request",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::Unprocessable(_) => "unprocessable",
            AppError::Unavailable(_) => "unavailable",
            AppError::Busy(_) => "busy",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Database(_) | AppError::Internal(_) => "internal",
        }
    }
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let status = self.status();
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
                crate::web::views::error_page(status, &self.public_message(), &messages),
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

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::means_unavailable;

    #[test]
    fn outages_and_busy_databases_are_unavailable_but_constraint_errors_are_not() {
        for code in ["08006", "08001", "57P01", "57P03", "5", "6", "517", "262"] {
            assert!(means_unavailable(code), "{code}");
        }
        for code in ["23505", "42P01", "2067", "19", "787"] {
            assert!(!means_unavailable(code), "{code}");
        }
    }
}
