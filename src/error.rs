//! One error type for every use case. Pages get a Japanese HTML page, `/api/` gets JSON;
//! database and unexpected errors are logged and shown as an opaque 500 (or 503 when the database is away).

use serde::Serialize;

/// What lies under a database failure; `db/` builds it, nothing above `db/` looks inside.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A message about one field of a form or API body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    /// The id of the form control the error is about: the field's last part (`report.fiscal_year`
    /// is the control `fiscal_year`).
    /// The id of the field's input: `fiscal_year` for a nested `report.fiscal_year`, and
    /// `contacts-1-phone` for the row of a list, `contacts[1].phone`.
    pub fn anchor(&self) -> String {
        if self.field.contains('[') {
            return self.field.replace("].", "-").replace('[', "-");
        }
        self.field
            .rsplit('.')
            .next()
            .unwrap_or(&self.field)
            .to_string()
    }
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

    pub fn len(&self) -> usize {
        self.0.len()
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

/// A uniqueness rule that a write broke, named by what it keeps unique. `db/` reads it from the
/// constraint's name, so a service can say which field is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    ContractNumber,
    DepartmentName,
    VendorCorporateNumber,
    VendorInvoiceNumber,
    VendorCode,
    UserEmail,
    /// Any other unique constraint: the same record was written twice.
    Other,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("見つかりません")]
    NotFound,
    #[error("ログインしてください")]
    Unauthorized,
    #[error("このページを開く権限、またはこの操作を行う権限がありません。担当外の契約・事業者の記録か、あなたの役割では行えない操作です")]
    Forbidden,
    /// A form whose CSRF token does not match its session: opened before a sign-in, or sent from elsewhere.
    #[error("フォームの有効期限が切れたか、送信元を確認できませんでした。ページを開き直してから、もう一度送信してください")]
    FormExpired,
    #[error("入力内容に誤りがあります")]
    Validation(FieldErrors),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("同じ内容が既に登録されています")]
    Duplicate(Unique),
    #[error("データベースに接続できません。しばらくしてからもう一度お試しください")]
    Unavailable(#[source] Cause),
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
    Database(#[source] Cause),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// An upload over the configured limit.
    pub fn too_large(limit: usize) -> Self {
        AppError::PayloadTooLarge(format!(
            "ファイルが大きすぎます（上限 {} MiB）",
            limit / (1024 * 1024)
        ))
    }

    /// The HTTP status code this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Unauthorized => 401,
            AppError::Forbidden | AppError::FormExpired => 403,
            AppError::Validation(_) | AppError::Unprocessable(_) => 422,
            AppError::BadRequest(_) => 400,
            AppError::PayloadTooLarge(_) => 413,
            AppError::Duplicate(_) => 409,
            AppError::Unavailable(_) | AppError::Busy(_) => 503,
            AppError::TooManyRequests { .. } => 429,
            AppError::Database(_) | AppError::Internal(_) => 500,
        }
    }

    /// The database is away; the request may be sent again shortly.
    pub fn unavailable(reason: &str) -> Self {
        AppError::Unavailable(reason.to_string().into())
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

    /// The machine-readable name of the error in API answers.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::FormExpired => "form_expired",
            AppError::Validation(_) => "validation",
            AppError::BadRequest(_) => "bad_request",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::Unprocessable(_) => "unprocessable",
            AppError::Duplicate(_) => "duplicate",
            AppError::Unavailable(_) => "unavailable",
            AppError::Busy(_) => "busy",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Database(_) | AppError::Internal(_) => "internal",
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
