//! Who is asking: a Bearer token or a browser session resolved to an active user. The session rule (an
//! absolute expiry, and an idle limit from `session_idle_minutes`) is written once, in `SessionRule`, and
//! both the request guard and the sweeper that drops stale sessions ask it.

use crate::auth::throttle::Throttle;
use crate::auth::{digest, Role, User};
use crate::config::Settings;
use crate::db::sessions::SessionRow;
use crate::db::{api_tokens, sessions, Db};
use crate::domain::Timestamp;
use crate::error::{AppError, AppResult};
use chrono::Duration;

/// What a request showed to prove who it is.
pub enum Presented<'a> {
    /// The `Authorization` header as sent.
    Authorization(&'a str),
    /// The session cookie's value.
    SessionCookie(String),
}

/// How the request proved who it is.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A browser session: its id hash and its CSRF token.
    Session {
        id_hash: String,
        csrf_token: String,
    },
    ApiToken,
}

#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: User,
    pub credential: Credential,
}

impl Authenticated {
    pub fn csrf_token(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf_token, .. } => csrf_token,
            Credential::ApiToken => "",
        }
    }
}

/// Why a token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not a Bearer token, or one that names no live token.
    Unauthorized,
    /// The address has used up its failed attempts.
    TooManyAttempts,
}

/// When a session ends: at its absolute expiry, or after `idle` without a request.
#[derive(Debug, Clone, Copy)]
pub struct SessionRule {
    idle: Duration,
}

impl SessionRule {
    pub fn of(settings: &Settings) -> Self {
        SessionRule {
            idle: Duration::minutes(settings.session_idle_minutes),
        }
    }

    pub fn is_live(&self, session: &SessionRow, now: Timestamp) -> bool {
        session.expires_at >= now && now - session.last_seen_at <= self.idle
    }

    /// The instants before which a session is stale: (last seen, expiry).
    fn stale_before(&self, now: Timestamp) -> (Timestamp, Timestamp) {
        (now - self.idle, now)
    }
}

/// Whether a session's or token's "last seen" is worth writing again: at most once a minute, so that
/// reading is not a write on every request.
fn due_for_touch(last: Timestamp, now: Timestamp) -> bool {
    now - last > Duration::seconds(60)
}

/// The user behind a token or a session, `None` when the session is gone, stale or its user inactive.
/// Made-up tokens count as failures of the client's address, like wrong passwords: guessing is refused
/// once the address has used up its failures.
pub async fn authenticate(
    db: &Db,
    settings: &Settings,
    throttle: &Throttle,
    address: &str,
    presented: Presented<'_>,
) -> AppResult<Result<Option<Authenticated>, Refused>> {
    let mut conn = db.acquire().await?;
    let now = Timestamp::now();
    let (row, department_ids, credential) = match presented {
        Presented::Authorization(header) => {
            if throttle.check_failures(address).is_err() {
                return Ok(Err(Refused::TooManyAttempts));
            }
            let Some(token) = header.strip_prefix("Bearer ").map(str::trim) else {
                throttle.failed(address);
                return Ok(Err(Refused::Unauthorized));
            };
            let found = api_tokens::find_signed_in(&mut conn, &digest(token), now).await?;
            let Some((used, row, department_ids)) = found else {
                throttle.failed(address);
                return Ok(Err(Refused::Unauthorized));
            };
            if used
                .last_used_at
                .is_none_or(|last| due_for_touch(last, now))
            {
                api_tokens::mark_used(&mut conn, used.token_id, now).await?;
            }
            (row, department_ids, Credential::ApiToken)
        }
        Presented::SessionCookie(value) => {
            let id_hash = digest(&value);
            let found = sessions::find_signed_in(&mut conn, &id_hash).await?;
            let Some((session, row, department_ids)) = found else {
                return Ok(Ok(None));
            };
            if !SessionRule::of(settings).is_live(&session, now) {
                sessions::delete(&mut conn, &id_hash).await?;
                return Ok(Ok(None));
            }
            if due_for_touch(session.last_seen_at, now) {
                sessions::touch(&mut conn, &id_hash, now).await?;
            }
            let credential = Credential::Session {
                id_hash,
                csrf_token: session.csrf_token,
            };
            (row, department_ids, credential)
        }
    };
    if !row.active {
        return Ok(Ok(None));
    }
    let role = Role::parse(&row.role).ok_or_else(|| {
        AppError::Internal(format!("user {} has unknown role {}", row.id, row.role))
    })?;
    let user = User {
        id: row.id,
        email: row.email,
        display_name: row.display_name,
        role,
        vendor_id: row.vendor_id,
        department_ids,
    };
    Ok(Ok(Some(Authenticated { user, credential })))
}

/// Drops sessions past their idle or absolute limit.
pub async fn expire_sessions(db: &Db, settings: &Settings) -> AppResult<()> {
    let (idle_cutoff, now) = SessionRule::of(settings).stale_before(Timestamp::now());
    sessions::delete_stale(&mut *db.acquire().await?, idle_cutoff, now).await?;
    Ok(())
}
