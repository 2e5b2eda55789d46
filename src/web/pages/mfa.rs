//! Two-factor sign-in on the pages: the code page after a right password (with the set-up when the
//! user has none yet), the recovery codes shown once, and the account page's set-up, renewal and
//! turning off; an administrator's reset is on the user's page.

use super::auth::{form_token, form_token_matches, safe_next, set_session_cookie, CsrfOnly};
use crate::domain::ids::UserId;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::mfa::{self, SecondFactorError};
use crate::web::csrf::CsrfForm;
use crate::web::guards::{Chrome, UserAdmin};
use crate::web::views::{render, MfaChallenge, MfaSetup, RecoveryCodes};
use crate::web::{AppState, FormOutcome};
use rocket::form::{Form, FromForm};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::content::RawHtml;
use rocket::response::status::Custom;
use rocket::{get, post, routes, Route, State};

/// A sign-in that passed the password and waits for the second factor.
const CHALLENGE_COOKIE: &str = "itaku_challenge";

pub(super) fn set_challenge_cookie(cookies: &CookieJar<'_>, challenge: String, secure: bool) {
    cookies.add_private(
        Cookie::build((CHALLENGE_COOKIE, challenge))
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(secure)
            .path("/login"),
    );
}

fn challenge(cookies: &CookieJar<'_>) -> Option<String> {
    cookies
        .get_private(CHALLENGE_COOKIE)
        .map(|c| c.value().to_string())
}

/// Back to the sign-in page when the challenge is gone.
fn sign_in_again() -> FormOutcome {
    FormOutcome::saved("/login".into())
}

#[get("/login/mfa?<next>")]
async fn challenge_page(
    state: &State<AppState>,
    cookies: &CookieJar<'_>,
    next: Option<String>,
) -> AppResult<Result<RawHtml<String>, FormOutcome>> {
    let Some(id) = challenge(cookies) else {
        return Ok(Err(sign_in_again()));
    };
    let Some(pending) = mfa::pending(&state.db, &id).await? else {
        return Ok(Err(sign_in_again()));
    };
    Ok(Ok(render(&MfaChallenge {
        csrf: form_token(cookies, state.settings.served_over_tls()),
        next: safe_next(next.as_deref().unwrap_or("/")),
        email: pending.email,
        enrolment: pending.enrolment,
        message: None,
    })?))
}

#[derive(FromForm)]
struct CodeForm {
    csrf_token: String,
    code: String,
    next: Option<String>,
}

#[post("/login/mfa", data = "<form>")]
async fn finish(
    state: &State<AppState>,
    cookies: &CookieJar<'_>,
    form: Form<CodeForm>,
) -> AppResult<Result<FormOutcome, Custom<RawHtml<String>>>> {
    if !form_token_matches(cookies, &form.csrf_token) {
        return Err(AppError::Forbidden);
    }
    let next = safe_next(form.next.as_deref().unwrap_or("/"));
    let Some(id) = challenge(cookies) else {
        return Ok(Ok(sign_in_again()));
    };
    let tls = state.settings.served_over_tls();
    match mfa::finish(&state.db, &state.settings, &state.throttle, &id, &form.code).await? {
        Ok(finished) => {
            cookies.remove_private(Cookie::build(CHALLENGE_COOKIE).path("/login"));
            set_session_cookie(cookies, finished.session.session_id, tls);
            match finished.recovery_codes {
                None => Ok(Ok(FormOutcome::saved(next))),
                Some(codes) => Ok(Err(Custom(
                    Status::Ok,
                    render(&RecoveryCodes { codes, next })?,
                ))),
            }
        }
        Err(SecondFactorError::Expired) => {
            cookies.remove_private(Cookie::build(CHALLENGE_COOKIE).path("/login"));
            Ok(Ok(FormOutcome::saved("/login?mfa_expired=true".into())))
        }
        Err(SecondFactorError::Wrong) => {
            let Some(pending) = mfa::pending(&state.db, &id).await? else {
                return Ok(Ok(sign_in_again()));
            };
            let page = render(&MfaChallenge {
                csrf: form_token(cookies, tls),
                next,
                email: pending.email,
                enrolment: pending.enrolment,
                message: Some(SecondFactorError::Wrong.message().to_string()),
            })?;
            Ok(Err(Custom(Status::Unauthorized, page)))
        }
    }
}

#[get("/account/mfa")]
async fn setup_page(state: &State<AppState>, chrome: Chrome) -> AppResult<RawHtml<String>> {
    let enrolment = mfa::start_setup(&state.db, &chrome.user).await?;
    render(&MfaSetup {
        chrome,
        enrolment,
        errors: FieldErrors::new(),
    })
}

#[derive(FromForm)]
struct AccountCode {
    code: String,
}

#[post("/account/mfa", data = "<form>")]
async fn confirm_setup(
    state: &State<AppState>,
    chrome: Chrome,
    form: CsrfForm<AccountCode>,
) -> AppResult<Result<RawHtml<String>, Custom<RawHtml<String>>>> {
    let actor = chrome.actor.clone();
    match mfa::confirm_setup(&state.db, &actor, &chrome.user, &form.code).await {
        Ok(codes) => Ok(Ok(render(&RecoveryCodes {
            codes,
            next: "/account".into(),
        })?)),
        Err(AppError::Validation(errors)) => {
            let enrolment = mfa::start_setup(&state.db, &chrome.user).await?;
            Ok(Err(Custom(
                Status::UnprocessableEntity,
                render(&MfaSetup {
                    chrome,
                    enrolment,
                    errors,
                })?,
            )))
        }
        Err(other) => Err(other),
    }
}

#[post("/account/mfa/recovery-codes", data = "<form>")]
async fn renew_recovery_codes(
    state: &State<AppState>,
    chrome: Chrome,
    form: CsrfForm<AccountCode>,
) -> AppResult<Result<RawHtml<String>, FormOutcome>> {
    let actor = chrome.actor.clone();
    match mfa::renew_recovery_codes(&state.db, &actor, &chrome.user, &form.code).await {
        Ok(codes) => Ok(Ok(render(&RecoveryCodes {
            codes,
            next: "/account".into(),
        })?)),
        Err(AppError::Validation(_)) => Ok(Err(FormOutcome::saved(
            "/account?mfa_code_wrong=true#mfa".into(),
        ))),
        Err(other) => Err(other),
    }
}

#[post("/account/mfa/disable", data = "<form>")]
async fn disable(
    state: &State<AppState>,
    chrome: Chrome,
    form: CsrfForm<AccountCode>,
) -> AppResult<FormOutcome> {
    let actor = chrome.actor.clone();
    match mfa::disable(&state.db, &state.settings, &actor, &chrome.user, &form.code).await {
        Ok(()) => Ok(FormOutcome::saved("/account#mfa".into())),
        Err(AppError::Validation(_)) => Ok(FormOutcome::saved(
            "/account?mfa_code_wrong=true#mfa".into(),
        )),
        Err(other) => Err(other),
    }
}

/// An administrator removes a user's second factor (a lost phone).
#[post("/admin/users/<id>/mfa-reset", data = "<_form>")]
async fn reset(
    state: &State<AppState>,
    admin: UserAdmin,
    id: UserId,
    _form: CsrfForm<CsrfOnly>,
) -> AppResult<FormOutcome> {
    mfa::reset(&state.db, admin.actor(), id).await?;
    Ok(FormOutcome::saved(format!("/admin/users/{id}?saved=true")))
}

pub fn routes() -> Vec<Route> {
    routes![
        challenge_page,
        finish,
        setup_page,
        confirm_setup,
        renew_recovery_codes,
        disable,
        reset
    ]
}
