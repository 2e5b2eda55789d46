//! Views for signing in, the user's own account, and the administrator's users and audit log.

use crate::auth::Role;
use crate::db::api_tokens::ApiToken;
use crate::db::audit::AuditEntry;
use crate::db::departments::Department;
use crate::db::users::UserSummary;
use crate::domain::ids::UserId;
use crate::error::FieldErrors;
use crate::services::accounts::UserInput;
use crate::services::audit::AuditQuery;
use crate::services::Paged;
use crate::web::guards::Chrome;
use askama::Template;

#[derive(Template)]
#[template(path = "auth/login.html")]
pub struct Login {
    pub csrf: String,
    pub next: String,
    pub email: String,
    pub message: Option<String>,
    pub signed_out: bool,
    /// The demo server does not ask for a second factor; the page says a real one would.
    pub demo: bool,
}

#[derive(Template)]
#[template(path = "auth/mfa_challenge.html")]
pub struct MfaChallenge {
    pub csrf: String,
    pub next: String,
    pub email: String,
    /// The set-up, when the user has no second factor yet.
    pub enrolment: Option<crate::services::mfa::Enrolment>,
    pub message: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/mfa_setup.html")]
pub struct MfaSetup {
    pub chrome: Chrome,
    pub enrolment: crate::services::mfa::Enrolment,
    pub errors: FieldErrors,
}

/// Recovery codes, shown once.
#[derive(Template)]
#[template(path = "auth/recovery_codes.html")]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
    pub next: String,
}

#[derive(Template)]
#[template(path = "auth/setup.html")]
pub struct Setup {
    pub csrf: String,
    pub token: String,
    pub email: String,
    pub errors: FieldErrors,
    pub min_length: usize,
}

#[derive(Template)]
#[template(path = "auth/account.html")]
pub struct Account {
    pub chrome: Chrome,
    pub tokens: Vec<ApiToken>,
    pub new_token: Option<String>,
    pub errors: FieldErrors,
    pub password_changed: bool,
    /// How many sessions elsewhere were just ended.
    pub signed_out_elsewhere: Option<u64>,
    pub sessions: Vec<SessionLine>,
    pub mfa: crate::services::mfa::Status,
    /// Reminders as one daily digest (staff).
    pub mail_digest: bool,
    /// A code typed to renew recovery codes or turn the second factor off was wrong.
    pub mfa_code_wrong: bool,
    pub min_length: usize,
}

/// One of the user's open sessions, as the account page lists it.
pub struct SessionLine {
    /// The session this page was requested with.
    pub this_one: bool,
    pub signed_in: String,
    pub last_seen: String,
    pub ip: String,
    pub browser: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UserList {
    pub chrome: Chrome,
    pub users: Vec<UserSummary>,
}

impl UserList {
    fn role_label(&self, code: &str) -> &'static str {
        Role::parse(code).map(Role::label).unwrap_or("")
    }
}

#[derive(Template)]
#[template(path = "admin/user_form.html")]
pub struct UserForm {
    pub chrome: Chrome,
    pub id: Option<UserId>,
    pub input: UserInput,
    pub errors: FieldErrors,
    pub roles: [Role; 4],
    pub departments: Vec<Department>,
    /// The vendor the vendor field names, offered as its one suggestion until more are typed.
    pub shown_vendor: Option<crate::db::vendors::VendorChoice>,
    pub tokens: Vec<ApiToken>,
    pub shown_password: Option<String>,
    pub saved: bool,
    /// Until when the user's sign-in is locked after failures (UTC), if it is.
    pub locked_until: Option<crate::domain::Timestamp>,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditLog {
    pub chrome: Chrome,
    pub query: AuditQuery,
    pub page_query: String,
    pub paged: Paged<AuditEntry>,
    pub rows: Vec<super::AuditRow>,
    pub errors: FieldErrors,
    pub actions: Vec<(&'static str, &'static str)>,
    pub entity_types: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "auth/sign_in_link.html")]
pub struct SignInLink {
    pub csrf: String,
    /// The link being used, when it is valid.
    pub token: Option<String>,
    pub message: Option<String>,
    /// A link was asked for (the same answer whether or not the address has an account).
    pub sent: bool,
    /// Whether mail can be sent at all.
    pub available: bool,
}
