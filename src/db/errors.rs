//! How a database failure becomes an `AppError`: an outage or a busy database is 503, a row that is not
//! there is 404, anything else an opaque 500.

use crate::error::{AppError, Unique};

/// Each unique column as SQLite names it in its message (`table.column`) and as PostgreSQL names the
/// constraint by default (`table_column_key`).
const UNIQUE_COLUMNS: &[(&str, &str, Unique)] = &[
    (
        "contracts.contract_number",
        "contracts_contract_number_key",
        Unique::ContractNumber,
    ),
    (
        "departments.name",
        "departments_name_key",
        Unique::DepartmentName,
    ),
    (
        "vendors.corporate_number",
        "vendors_corporate_number_key",
        Unique::VendorCorporateNumber,
    ),
    (
        "vendors.invoice_number",
        "vendors_invoice_number_key",
        Unique::VendorInvoiceNumber,
    ),
    (
        "vendors.vendor_code",
        "vendors_vendor_code_key",
        Unique::VendorCode,
    ),
    ("users.email", "users_email_key", Unique::UserEmail),
];

/// Which unique rule a database error broke, if it is a unique violation.
fn unique_violation(error: &sqlx::Error) -> Option<Unique> {
    let sqlx::Error::Database(database) = error else {
        return None;
    };
    if !database.is_unique_violation() {
        return None;
    }
    let named = |(column, constraint, _): &&(&str, &str, Unique)| match database.constraint() {
        Some(name) => name == *constraint,
        None => database
            .message()
            .strip_prefix("UNIQUE constraint failed: ")
            .is_some_and(|columns| columns.split(", ").any(|c| c == *column)),
    };
    Some(
        UNIQUE_COLUMNS
            .iter()
            .find(named)
            .map_or(Unique::Other, |(_, _, unique)| *unique),
    )
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        if let Some(unique) = unique_violation(&error) {
            return AppError::Duplicate(unique);
        }
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
