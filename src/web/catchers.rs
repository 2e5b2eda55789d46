//! Errors Rocket raises before a handler runs (no route, a guard that refused, a body it cannot parse,
//! a body too large), answered like the application's own: JSON under `/api/`, a Japanese page elsewhere.
//! A page that needs sign-in sends the browser to the sign-in page and back.

use crate::error::AppError;
use rocket::http::{Header, Status};
use rocket::response::{self, Redirect, Responder};
use rocket::{catch, catchers, Catcher, Request};

pub enum Caught {
    Error(AppError),
    SignIn(Box<Redirect>),
    ApiUnauthorized(AppError),
}

impl<'r> Responder<'r, 'static> for Caught {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        match self {
            Caught::Error(error) => error.respond_to(request),
            Caught::SignIn(redirect) => redirect.respond_to(request),
            Caught::ApiUnauthorized(error) => {
                let mut response = error.respond_to(request)?;
                response.set_header(Header::new("WWW-Authenticate", "Bearer realm=\"itaku\""));
                Ok(response)
            }
        }
    }
}

#[catch(default)]
async fn default(status: Status, request: &Request<'_>) -> Caught {
    let is_api = request.uri().path().starts_with("/api/");
    if !is_api && matches!(status.code, 403 | 404) {
        // Reads the signed-in user, if any, so that the error page keeps the user's menu.
        let _ = request.guard::<crate::web::guards::Chrome>().await;
    }
    match status.code {
        401 if is_api => Caught::ApiUnauthorized(AppError::Unauthorized),
        401 => {
            let next = request.uri().to_string();
            Caught::SignIn(Box::new(Redirect::to(format!("/login?next={}", crate::web::percent_encode(&next)))))
        }
        403 if request.local_cache(crate::web::csrf::TokenRefused::default).0 => {
            Caught::Error(AppError::FormExpired)
        }
        403 => Caught::Error(AppError::Forbidden),
        404 => Caught::Error(AppError::NotFound),
        413 => Caught::Error(AppError::PayloadTooLarge("送信されたデータが大きすぎます".into())),
        400 => Caught::Error(AppError::BadRequest("リクエストの形式が正しくありません".into())),
        422 => Caught::Error(AppError::Unprocessable("送信された内容の形式が正しくありません".into())),
        415 => Caught::Error(AppError::BadRequest(
            "Content-Type が正しくありません（JSON は application/json、フォームは application/x-www-form-urlencoded で送信してください）".into(),
        )),
        503 => Caught::Error(AppError::unavailable("no database connection was free in time")),
        // Only the token check refuses with 429 before a handler: the address used up its failures.
        429 => Caught::Error(AppError::TooManyRequests {
            message: "認証の失敗が続いたため、しばらくの間受け付けません。時間をおいてお試しください".into(),
            retry_after_seconds: 60,
        }),
        code => Caught::Error(AppError::Internal(format!("status {code}"))),
    }
}

pub fn catchers() -> Vec<Catcher> {
    catchers![default]
}
