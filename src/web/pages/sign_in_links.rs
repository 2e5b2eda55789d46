//! Sign-in by e-mail link on the pages: asking for a link, and using it (after a button press, so a
//! mail scanner that opens links does not use it up).

use super::auth::{form_token, form_token_matches, safe_next, set_session_cookie};
use super::mfa::set_challenge_cookie;
use crate::db::sessions::Origin;
use crate::error::{AppError, AppResult};
use crate::services::accounts::{SignInError, SignedIn};
use crate::services::sign_in_links;
use crate::web::views::{render, SignInLink};
use crate::web::{AppState, FormOutcome};
use rocket::form::{Form, FromForm};
use rocket::http::CookieJar;
use rocket::response::content::RawHtml;
use rocket::{get, post, routes, Route, State};

#[get("/login/link")]
fn ask_page(state: &State<AppState>, cookies: &CookieJar<'_>) -> AppResult<RawHtml<String>> {
    render(&SignInLink {
        csrf: form_token(cookies, state.settings.served_over_tls()),
        token: None,
        message: None,
        sent: false,
        available: !state.settings.smtp_url.trim().is_empty(),
    })
}

#[derive(FromForm)]
struct AskForm {
    csrf_token: String,
    email: String,
}

#[post("/login/link", data = "<form>")]
async fn ask(
    state: &State<AppState>,
    cookies: &CookieJar<'_>,
    origin: Origin,
    form: Form<AskForm>,
) -> AppResult<FormOutcome> {
    if !form_token_matches(cookies, &form.csrf_token) {
        return Err(AppError::Forbidden);
    }
    let outcome = sign_in_links::request(
        &state.db,
        &state.settings,
        &state.throttle,
        &form.email,
        &origin,
    )
    .await?;
    let page = |message: Option<String>, sent: bool| {
        render(&SignInLink {
            csrf: form_token(cookies, state.settings.served_over_tls()),
            token: None,
            message,
            sent,
            available: true,
        })
    };
    match outcome {
        Ok(()) => Ok(FormOutcome::Refused(rocket::response::status::Custom(
            rocket::http::Status::Ok,
            page(None, true)?,
        ))),
        Err(
            error @ SignInError::Throttled {
                retry_after_seconds,
            },
        ) => Ok(FormOutcome::RetryLater {
            page: page(Some(error.message()), false)?,
            retry_after_seconds,
        }),
        Err(other) => Err(AppError::BadRequest(other.message())),
    }
}

#[get("/login/link/<token>")]
async fn confirm_page(
    state: &State<AppState>,
    cookies: &CookieJar<'_>,
    token: &str,
) -> AppResult<RawHtml<String>> {
    let valid = sign_in_links::valid(&state.db, token).await?;
    render(&SignInLink {
        csrf: form_token(cookies, state.settings.served_over_tls()),
        token: valid.then(|| token.to_string()),
        message: (!valid).then(|| {
            "このリンクは使えません（使用済みか、15分の有効時間が過ぎています）。もう一度リンクを受け取ってください".to_string()
        }),
        sent: false,
        available: true,
    })
}

#[derive(FromForm)]
struct UseForm {
    csrf_token: String,
}

#[post("/login/link/<token>", data = "<form>")]
async fn use_link(
    state: &State<AppState>,
    cookies: &CookieJar<'_>,
    origin: Origin,
    token: &str,
    form: Form<UseForm>,
) -> AppResult<FormOutcome> {
    if !form_token_matches(cookies, &form.csrf_token) {
        return Err(AppError::Forbidden);
    }
    let tls = state.settings.served_over_tls();
    match sign_in_links::sign_in(&state.db, &state.settings, token, &origin).await? {
        Some(SignedIn::Session(session)) => {
            set_session_cookie(cookies, session.session_id, tls);
            Ok(FormOutcome::saved(safe_next("/")))
        }
        Some(SignedIn::SecondFactor { challenge }) => {
            set_challenge_cookie(cookies, challenge, tls);
            Ok(FormOutcome::saved("/login/mfa?next=%2F".into()))
        }
        None => Ok(FormOutcome::saved(format!(
            "/login/link/{}",
            crate::web::percent_encode(token)
        ))),
    }
}

pub fn routes() -> Vec<Route> {
    routes![ask_page, ask, confirm_page, use_link]
}
