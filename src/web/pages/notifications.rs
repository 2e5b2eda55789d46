//! The notifications page: what was sent to the user or happened to its records, newest first, with
//! the unread ones marked; reading one (or all) clears it from the count in the header.

use crate::domain::ids::NotificationId;
use crate::error::AppResult;
use crate::services::inbox;
use crate::web::csrf::CsrfForm;
use crate::web::guards::Chrome;
use crate::web::views::{render, NotificationList};
use crate::web::{AppState, FormOutcome};
use rocket::form::FromForm;
use rocket::response::content::RawHtml;
use rocket::{get, post, routes, Route, State};

#[get("/notifications")]
async fn list(state: &State<AppState>, chrome: Chrome) -> AppResult<RawHtml<String>> {
    let items = inbox::notifications_of(&state.db, &chrome.user).await?;
    render(&NotificationList { chrome, items })
}

#[derive(FromForm)]
struct ReadForm {
    /// One notification; none means all.
    id: Option<NotificationId>,
    /// Where to go after (a local path: the notification's link).
    next: Option<String>,
}

#[post("/notifications/read", data = "<form>")]
async fn mark_read(
    state: &State<AppState>,
    chrome: Chrome,
    form: CsrfForm<ReadForm>,
) -> AppResult<FormOutcome> {
    inbox::mark_read(&state.db, &chrome.user, form.id).await?;
    let next = form
        .next
        .as_deref()
        .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or("/notifications");
    Ok(FormOutcome::saved(next.to_string()))
}

pub fn routes() -> Vec<Route> {
    routes![list, mark_read]
}
