//! Accounts: sign-in and sign-out, passwords, users, API tokens, the first administrator and demo users.

mod passwords;
mod setup;
mod sign_in;
mod tokens;
mod users;

pub use passwords::*;
pub use setup::*;
pub use sign_in::*;
pub use tokens::*;
pub use users::*;
