//! How a database failure becomes an `AppError`: an outage or a busy database is 503, a row that is not
//! there is 404, anything else an opaque 500.

use crate::error::AppError;

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => AppError::NotFound,
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => AppError::Unavailable(Box::new(error)),
            sqlx::Error::Database(ref database)
                if database.code().as_deref().is_some_and(means_unavailable) =>
            {
                AppError::Unavailable(Box::new(error))
            }
            other => AppError::Database(Box::new(other)),
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
