//! Sign-in, sign-out, the first administrator's setup link, and the user's own account page.

use crate::auth::{password, Actor};
use crate::db::sessions::Origin;
use crate::domain::ids::TokenId;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::accounts::{self, PasswordChange, SignInError, SignedIn};
use crate::services::mfa::SecondFactorError;
use crate::web::csrf::{tokens_match, CsrfForm};
use crate::web::fields::Fields;
use crate::web::guards::{Authenticated, Chrome, ClientAddress, Credential, SESSION_COOKIE};
use crate::web::views::{render, Account, Login, SessionLine, Setup};
use crate::web::{AppState, FormOutcome};
use rocket::form::{Form, FromForm};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::content::RawHtml;
use rocket::response::status::Custom;
use rocket::{get, post, routes, Route, State};

/// The pre-session cookie that the sign-in and setup forms echo (double-submit CSRF).
const FORM_COOKIE: &str = "itaku_form";

pub(super) fn form_token(cookies: &CookieJar<'_>, secure: bool) -> String {
    if let Some(cookie) = cookies.get_private(FORM_COOKIE) {
        return cookie.value().to_string();
    }
    let token = crate::random_token();
    cookies.add_private(
        Cookie::build((FORM_COOKIE, token.clone()))
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(secure)
            .path("/"),
    );
    token
}

pub(super) fn form_token_matches(cookies: &CookieJar<'_>, sent: &str) -> bool {
    cookies
        .get_private(FORM_COOKIE)
        .is_some_and(|cookie| tokens_match(sent, cookie.value()))
}

pub(super) fn set_session_cookie(cookies: &CookieJar<'_>, session_id: String, secure: bool) {
    cookies.add_private(
        Cookie::build((SESSION_COOKIE, session_id))
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(secure)
            .path("/"),
    );
}

/// Only a path on this site may follow sign-in, never another host.
pub(super) fn safe_next(next: &str) -> String {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.starts_with("/login")
        && !next.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        next.to_string()
    } else {
        "/".to_string()
    }
}

#[get("/login?<next>&<signed_out>&<mfa_expired>")]
fn login_page(
    state: &State<AppState>,
    cookies: &CookieJar<'_>,
    next: Option<String>,
    signed_out: Option<bool>,
    mfa_expired: Option<bool>,
) -> AppResult<RawHtml<String>> {
    render(&Login {
        csrf: form_token(cookies, state.settings.served_over_tls()),
        next: safe_next(next.as_deref().unwrap_or("/")),
        email: String::new(),
        message: if mfa_expired.unwrap_or(false) {
            Some(SecondFactorError::Expired.message().to_string())
        } else {
            None
        },
        signed_out: signed_out.unwrap_or(false),
        demo: state.settings.demo,
    })
}

#[derive(FromForm)]
struct SignIn {
    email: String,
    password: String,
    csrf_token: String,
    next: Option<String>,
}

#[post("/login", data = "<form>")]
async fn login(
    state: &State<AppState>,
    cookies: &CookieJar<'_>,
    origin: Origin,
    form: Form<SignIn>,
) -> AppResult<FormOutcome> {
    if !form_token_matches(cookies, &form.csrf_token) {
        return Err(AppError::Forbidden);
    }
    let next = safe_next(form.next.as_deref().unwrap_or("/"));
    match accounts::sign_in(
        &state.db,
        &state.settings,
        &state.throttle,
        &form.email,
        &form.password,
        &origin,
    )
    .await?
    {
        Ok(SignedIn::Session(session)) => {
            set_session_cookie(
                cookies,
                session.session_id,
                state.settings.served_over_tls(),
            );
            Ok(FormOutcome::saved(next))
        }
        Ok(SignedIn::SecondFactor { challenge }) => {
            super::mfa::set_challenge_cookie(cookies, challenge, state.settings.served_over_tls());
            Ok(FormOutcome::saved(format!(
                "/login/mfa?next={}",
                crate::web::percent_encode(&next)
            )))
        }
        Err(error) => {
            let page = render(&Login {
                csrf: form_token(cookies, state.settings.served_over_tls()),
                next,
                email: form.email.chars().take(254).collect(),
                message: Some(error.message()),
                signed_out: false,
                demo: state.settings.demo,
            })?;
            match error {
                SignInError::Throttled {
                    retry_after_seconds,
                } => Ok(FormOutcome::RetryLater {
                    page,
                    retry_after_seconds,
                }),
                _ => Ok(FormOutcome::Refused(Custom(Status::Unauthorized, page))),
            }
        }
    }
}

/// A form with nothing but its CSRF token (sign-out, revoke, reset).
#[derive(FromForm)]
pub struct CsrfOnly {
    pub csrf_token: String,
}

#[post("/logout", data = "<_form>")]
async fn logout(
    state: &State<AppState>,
    auth: Authenticated,
    ip: ClientAddress,
    cookies: &CookieJar<'_>,
    _form: CsrfForm<CsrfOnly>,
) -> AppResult<FormOutcome> {
    if let Credential::Session { id_hash, .. } = &auth.credential {
        accounts::sign_out(&state.db, id_hash, &Actor::user(&auth.user, &ip.0)).await?;
    }
    cookies.remove_private(Cookie::from(SESSION_COOKIE));
    Ok(FormOutcome::saved("/login?signed_out=true".into()))
}

#[get("/setup/<token>")]
async fn setup_page(
    state: &State<AppState>,
    cookies: &CookieJar<'_>,
    token: &str,
) -> AppResult<RawHtml<String>> {
    if !accounts::setup_token_valid(&state.db, token).await? {
        return Err(AppError::NotFound);
    }
    render(&Setup {
        csrf: form_token(cookies, state.settings.served_over_tls()),
        token: token.to_string(),
        email: String::new(),
        errors: FieldErrors::new(),
        min_length: password::MIN_LENGTH,
    })
}

#[derive(FromForm)]
struct SetupForm {
    email: String,
    password: String,
    csrf_token: String,
}

#[post("/setup/<token>", data = "<form>")]
async fn setup(
    state: &State<AppState>,
    cookies: &CookieJar<'_>,
    ip: ClientAddress,
    token: &str,
    form: Form<SetupForm>,
) -> AppResult<FormOutcome> {
    if !form_token_matches(cookies, &form.csrf_token) {
        return Err(AppError::Forbidden);
    }
    match accounts::setup_first_admin(&state.db, token, &form.email, &form.password, &ip.0).await {
        Ok(_) => Ok(FormOutcome::saved("/login".into())),
        Err(AppError::Validation(errors)) => Ok(FormOutcome::Invalid(render(&Setup {
            csrf: form_token(cookies, state.settings.served_over_tls()),
            token: token.to_string(),
            email: form.email.clone(),
            errors,
            min_length: password::MIN_LENGTH,
        })?)),
        Err(other) => Err(other),
    }
}

/// What the account page shows besides its forms.
#[derive(Default)]
struct AccountNotices {
    new_token: Option<String>,
    errors: FieldErrors,
    password_changed: bool,
    signed_out_elsewhere: Option<u64>,
    mfa_code_wrong: bool,
}

async fn account_page(
    state: &AppState,
    chrome: Chrome,
    auth: &Authenticated,
    notices: AccountNotices,
) -> AppResult<RawHtml<String>> {
    let tokens = accounts::tokens_of(&state.db, chrome.user.id).await?;
    let current = match &auth.credential {
        Credential::Session { id_hash, .. } => id_hash.as_str(),
        Credential::ApiToken => "",
    };
    let sessions = accounts::sessions_of(&state.db, chrome.user.id)
        .await?
        .into_iter()
        .map(|session| SessionLine {
            this_one: session.id_hash == current,
            signed_in: crate::services::japan_moment_of(&session.created_at),
            last_seen: crate::services::japan_moment_of(session.last_seen_at),
            ip: session.ip,
            browser: session.user_agent,
        })
        .collect();
    let mfa = crate::services::mfa::status(&state.db, &state.settings, &chrome.user).await?;
    let mail_digest = accounts::mail_digest(&state.db, chrome.user.id).await?;
    render(&Account {
        mail_digest,
        mfa,
        mfa_code_wrong: notices.mfa_code_wrong,
        chrome,
        tokens,
        new_token: notices.new_token,
        errors: notices.errors,
        password_changed: notices.password_changed,
        signed_out_elsewhere: notices.signed_out_elsewhere,
        sessions,
        min_length: password::MIN_LENGTH,
    })
}

#[get("/account?<password_changed>&<signed_out_elsewhere>&<mfa_code_wrong>")]
async fn account(
    state: &State<AppState>,
    chrome: Chrome,
    auth: Authenticated,
    password_changed: Option<bool>,
    signed_out_elsewhere: Option<u64>,
    mfa_code_wrong: Option<bool>,
) -> AppResult<RawHtml<String>> {
    let notices = AccountNotices {
        password_changed: password_changed.unwrap_or(false),
        signed_out_elsewhere,
        mfa_code_wrong: mfa_code_wrong.unwrap_or(false),
        ..Default::default()
    };
    account_page(state, chrome, &auth, notices).await
}

#[derive(FromForm)]
struct DigestForm {
    #[field(default = false)]
    digest: bool,
}

/// Reminders one by one, or one daily digest (staff).
#[post("/account/mail-digest", data = "<form>")]
async fn mail_digest(
    state: &State<AppState>,
    chrome: Chrome,
    form: CsrfForm<DigestForm>,
) -> AppResult<FormOutcome> {
    let actor = chrome.actor.clone();
    accounts::set_mail_digest(&state.db, &actor, &chrome.user, form.digest).await?;
    Ok(FormOutcome::saved("/account#mail".into()))
}

/// Ends every other session of the user (a browser left signed in elsewhere, a lost laptop).
#[post("/account/sessions/end-others", data = "<_form>")]
async fn sign_out_elsewhere(
    state: &State<AppState>,
    auth: Authenticated,
    ip: ClientAddress,
    _form: CsrfForm<CsrfOnly>,
) -> AppResult<FormOutcome> {
    let Credential::Session { id_hash, .. } = &auth.credential else {
        return Err(AppError::Forbidden);
    };
    let actor = Actor::user(&auth.user, &ip.0);
    let ended = accounts::sign_out_elsewhere(&state.db, &actor, auth.user.id, id_hash).await?;
    Ok(FormOutcome::saved(format!(
        "/account?signed_out_elsewhere={ended}"
    )))
}

#[post("/account/password", data = "<form>")]
async fn change_password(
    state: &State<AppState>,
    chrome: Chrome,
    auth: Authenticated,
    origin: Origin,
    cookies: &CookieJar<'_>,
    form: CsrfForm<Fields<PasswordChange>>,
) -> AppResult<FormOutcome> {
    match accounts::change_password(&state.db, &state.settings, &chrome.user, &form, &origin).await
    {
        Ok(session) => {
            set_session_cookie(
                cookies,
                session.session_id,
                state.settings.served_over_tls(),
            );
            Ok(FormOutcome::saved("/account?password_changed=true".into()))
        }
        Err(AppError::Validation(errors)) => {
            let notices = AccountNotices {
                errors,
                ..Default::default()
            };
            Ok(FormOutcome::Invalid(
                account_page(state, chrome, &auth, notices).await?,
            ))
        }
        Err(other) => Err(other),
    }
}

#[derive(FromForm)]
pub struct NewToken {
    name: Option<String>,
    expires_in_days: Option<i64>,
}

#[post("/account/tokens", data = "<form>")]
async fn create_token(
    state: &State<AppState>,
    chrome: Chrome,
    auth: Authenticated,
    form: CsrfForm<NewToken>,
) -> AppResult<RawHtml<String>> {
    let actor = chrome.actor.clone();
    let name = form.name.clone().unwrap_or_default();
    let token = accounts::create_token(
        &state.db,
        &state.settings,
        &actor,
        chrome.user.id,
        &name,
        form.expires_in_days,
    )
    .await?;
    let notices = AccountNotices {
        new_token: Some(token),
        ..Default::default()
    };
    account_page(state, chrome, &auth, notices).await
}

#[post("/tokens/<id>/revoke", data = "<_form>")]
async fn revoke_token(
    state: &State<AppState>,
    chrome: Chrome,
    id: TokenId,
    _form: CsrfForm<CsrfOnly>,
) -> AppResult<FormOutcome> {
    accounts::revoke_token(&state.db, &chrome.actor, &chrome.user, id).await?;
    Ok(FormOutcome::saved("/account".into()))
}

pub fn routes() -> Vec<Route> {
    routes![
        login_page,
        login,
        logout,
        setup_page,
        setup,
        account,
        change_password,
        sign_out_elsewhere,
        mail_digest,
        create_token,
        revoke_token
    ]
}
