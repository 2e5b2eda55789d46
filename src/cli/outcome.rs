//! How a command ends. Every command answers an [`Outcome`]; [`exit_code`] alone decides what goes to
//! stderr and the exit status: 0 done, 1 refused or failed, 2 could not be carried out as asked.

use crate::error::AppError;
use std::fmt::Display;
use std::process::ExitCode;

/// Exit status for a command that could not be carried out as asked.
const USAGE: u8 = 2;

pub type Outcome = Result<(), Failure>;

#[derive(Debug)]
pub enum Failure {
    /// Bad arguments, an unreadable file, a setting missing: exit 2 with the message.
    Usage(String),
    /// A service refused or failed: exit 1; validation errors are printed field by field.
    App(AppError),
    /// Anything else that failed: exit 1 with 「エラー: …」.
    Failed(String),
    /// The command has already printed why (a refused import, a broken audit chain): exit 1.
    Reported,
}

impl Failure {
    pub fn usage(message: impl Display) -> Self {
        Failure::Usage(message.to_string())
    }

    pub fn failed(message: impl Display) -> Self {
        Failure::Failed(message.to_string())
    }
}

impl From<AppError> for Failure {
    fn from(error: AppError) -> Self {
        Failure::App(error)
    }
}

/// Success, or [`Failure::Reported`] when the command's own report says the work was refused.
pub fn succeeded_if(ok: bool) -> Outcome {
    if ok {
        Ok(())
    } else {
        Err(Failure::Reported)
    }
}

/// Prints the failure, if any, and answers the exit status.
pub fn exit_code(outcome: Outcome) -> ExitCode {
    let Err(failure) = outcome else {
        return ExitCode::SUCCESS;
    };
    match failure {
        Failure::Usage(message) => {
            eprintln!("{message}");
            return ExitCode::from(USAGE);
        }
        Failure::App(AppError::Validation(errors)) => {
            errors
                .iter()
                .for_each(|e| eprintln!("{}: {}", e.field, e.message));
        }
        Failure::App(AppError::NotFound) => eprintln!("見つかりません"),
        Failure::App(error) => eprintln!("エラー: {error}"),
        Failure::Failed(message) => eprintln!("エラー: {message}"),
        Failure::Reported => {}
    }
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_is_two_and_every_other_failure_one() {
        assert_eq!(exit_code(Ok(())), ExitCode::SUCCESS);
        assert_eq!(exit_code(Err(Failure::usage("x"))), ExitCode::from(2));
        assert_eq!(exit_code(Err(Failure::Reported)), ExitCode::FAILURE);
        assert_eq!(exit_code(Err(AppError::NotFound.into())), ExitCode::FAILURE);
        assert_eq!(exit_code(succeeded_if(false)), ExitCode::FAILURE);
    }
}
