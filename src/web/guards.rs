//! Request guards: a `User` from a session cookie or a Bearer token, and role guards built on it,
//! so that a handler's signature says who may call it.

use crate::auth::policy::Permission;
use crate::auth::{digest, Role, User};
use crate::db::{api_tokens, sessions, users};
use crate::web::AppState;
use chrono::{DateTime, Duration, Utc};
use rocket::http::{Method, Status};
use rocket::request::{FromRequest, Outcome, Request};

pub const SESSION_COOKIE: &str = "itaku_session";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

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

fn timestamp(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Resolves the request's credentials once; `Err` carries the status to answer with.
pub async fn authenticate<'r>(
    request: &'r Request<'_>,
) -> &'r Result<Option<Authenticated>, Status> {
    request
        .local_cache_async(async { resolve(request).await })
        .await
}

fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Whether a session's or token's "last seen" is worth writing again: at most once a minute, so that
/// reading is not a write on every request.
fn due_for_touch(last: &str, now: DateTime<Utc>) -> bool {
    parse_timestamp(last).is_none_or(|last| now - last > Duration::seconds(60))
}

async fn resolve(request: &Request<'_>) -> Result<Option<Authenticated>, Status> {
    let Some(state) = request.rocket().state::<AppState>() else {
        return Err(Status::InternalServerError);
    };
    let mut conn = state
        .db
        .acquire()
        .await
        .map_err(|_| Status::ServiceUnavailable)?;
    let now = Utc::now();
    let (user_id, credential) = if let Some(header) = request.headers().get_one("Authorization") {
        // Made-up tokens count as failures of the client's address, like wrong passwords: guessing
        // is refused (429) once the address has used up its failures.
        let address = client_address(request);
        if state.throttle.check_failures(&address).is_err() {
            return Err(Status::TooManyRequests);
        }
        let Some(token) = header.strip_prefix("Bearer ").map(str::trim) else {
            state.throttle.failed(&address);
            return Err(Status::Unauthorized);
        };
        let found = api_tokens::user_for(&mut conn, &digest(token), &timestamp(now))
            .await
            .map_err(|_| Status::ServiceUnavailable)?;
        let Some((token_id, user_id, last_used)) = found else {
            state.throttle.failed(&address);
            return Err(Status::Unauthorized);
        };
        if last_used
            .as_deref()
            .is_none_or(|last| due_for_touch(last, now))
        {
            api_tokens::mark_used(&mut conn, token_id, &timestamp(now))
                .await
                .map_err(|_| Status::ServiceUnavailable)?;
        }
        (user_id, Credential::ApiToken)
    } else if let Some(cookie) = request.cookies().get_private(SESSION_COOKIE) {
        let id_hash = digest(cookie.value());
        let Some(session) = sessions::find(&mut conn, &id_hash)
            .await
            .map_err(|_| Status::ServiceUnavailable)?
        else {
            return Ok(None);
        };
        let idle_limit = Duration::minutes(state.settings.session_idle_minutes);
        let last_seen = parse_timestamp(&session.last_seen_at).unwrap_or(now);
        if session.expires_at < timestamp(now) || now - last_seen > idle_limit {
            sessions::delete(&mut conn, &id_hash)
                .await
                .map_err(|_| Status::ServiceUnavailable)?;
            return Ok(None);
        }
        if due_for_touch(&session.last_seen_at, now) {
            sessions::touch(&mut conn, &id_hash, &timestamp(now))
                .await
                .map_err(|_| Status::ServiceUnavailable)?;
        }
        (
            session.user_id,
            Credential::Session {
                id_hash,
                csrf_token: session.csrf_token,
            },
        )
    } else {
        return Ok(None);
    };
    let Some((row, department_ids)) = users::find_with_departments(&mut conn, user_id)
        .await
        .map_err(|_| Status::ServiceUnavailable)?
    else {
        return Ok(None);
    };
    if !row.active {
        return Ok(None);
    }
    let Some(role) = Role::parse(&row.role) else {
        return Err(Status::InternalServerError);
    };
    let user = User {
        id: row.id,
        email: row.email,
        display_name: row.display_name,
        role,
        vendor_id: row.vendor_id,
        department_ids,
    };
    Ok(Some(Authenticated { user, credential }))
}

fn is_write(method: Method) -> bool {
    !matches!(method, Method::Get | Method::Head | Method::Options)
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Authenticated {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        match authenticate(request).await {
            Ok(Some(auth)) => {
                // A cookie-authenticated API write must also carry the session's CSRF token in a header;
                // forms carry theirs in a field, checked by `CsrfForm`.
                if let Credential::Session { csrf_token, .. } = &auth.credential {
                    if is_write(request.method()) && request.uri().path().starts_with("/api/") {
                        let sent = request.headers().get_one(CSRF_HEADER).unwrap_or("");
                        if !super::csrf::tokens_match(sent, csrf_token) {
                            return Outcome::Error((Status::Forbidden, ()));
                        }
                    }
                }
                Outcome::Success(auth.clone())
            }
            Ok(None) => Outcome::Error((Status::Unauthorized, ())),
            Err(status) => Outcome::Error((*status, ())),
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for User {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        Authenticated::from_request(request)
            .await
            .map(|auth| auth.user)
    }
}

/// Declares a guard that lets through only users holding a permission.
macro_rules! permission_guard {
    ($(#[$doc:meta])* $name:ident, $permission:expr) => {
        $(#[$doc])*
        pub struct $name(pub User);

        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name {
            type Error = ();

            async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
                match User::from_request(request).await {
                    Outcome::Success(user) if user.may($permission) => Outcome::Success($name(user)),
                    Outcome::Success(_) => Outcome::Error((Status::Forbidden, ())),
                    Outcome::Error(error) => Outcome::Error(error),
                    Outcome::Forward(status) => Outcome::Forward(status),
                }
            }
        }
    };
}

permission_guard!(
    /// Staff who read the registry: administrators, contract officers and the CISO.
    Staff,
    Permission::ViewRegistry
);
permission_guard!(
    /// Staff who register and edit vendors and contracts.
    Editor,
    Permission::EditRegistry
);
permission_guard!(
    /// Staff who may import a contract ledger.
    Importer,
    Permission::ImportLedger
);
permission_guard!(
    /// Administrators of departments.
    DepartmentAdmin,
    Permission::ManageDepartments
);
permission_guard!(
    /// Administrators of user accounts.
    UserAdmin,
    Permission::ManageUsers
);
permission_guard!(
    /// Readers of the audit log: administrators and the CISO.
    AuditReader,
    Permission::ViewAuditLog
);

/// The address a request came from, for the audit log.
pub struct ClientAddress(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientAddress {
    type Error = std::convert::Infallible;

    /// The peer's address; the one a proxy names in `X-Real-IP` only when the peer is one of
    /// `trusted_proxies` (Rocket would trust that header from anyone, so the audit log's address could be
    /// forged).
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(ClientAddress(client_address(request)))
    }
}

/// Where a sign-in comes from: the client's address and its browser, kept on the session it opens.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for sessions::Origin {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(sessions::Origin {
            ip: client_address(request),
            user_agent: request
                .headers()
                .get_one("User-Agent")
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_control())
                .take(300)
                .collect(),
        })
    }
}

/// The peer's address; the one a proxy names in `X-Real-IP` only when the peer is one of
/// `trusted_proxies`.
fn client_address(request: &Request<'_>) -> String {
    let peer = request.remote().map(|address| address.ip());
    let trusted = request.rocket().state::<AppState>().is_some_and(|state| {
        peer.is_some_and(|ip| {
            state
                .settings
                .trusted_proxies
                .iter()
                .any(|p| p == &ip.to_string())
        })
    });
    let address = if trusted {
        request.real_ip().or(peer)
    } else {
        peer
    };
    address.map(|ip| ip.to_string()).unwrap_or_default()
}

/// What every signed-in page shows around its content: who is signed in, a menu fitting the role,
/// and the CSRF token its forms carry.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub user: User,
    pub csrf: String,
    /// What the header shows: unread notifications, and work waiting for this user.
    pub counts: crate::services::inbox::Counts,
}

impl Chrome {
    pub fn name(&self) -> &str {
        if self.user.display_name.is_empty() {
            &self.user.email
        } else {
            &self.user.display_name
        }
    }
    pub fn role_label(&self) -> &'static str {
        self.user.role.label()
    }
    pub fn is_vendor(&self) -> bool {
        self.user.role == Role::Vendor
    }
    pub fn may_view_registry(&self) -> bool {
        self.user.may(Permission::ViewRegistry)
    }
    pub fn may_edit(&self) -> bool {
        self.user.may(Permission::EditRegistry)
    }
    pub fn may_import(&self) -> bool {
        self.user.may(Permission::ImportLedger)
    }
    pub fn may_manage_departments(&self) -> bool {
        self.user.may(Permission::ManageDepartments)
    }
    pub fn may_manage_users(&self) -> bool {
        self.user.may(Permission::ManageUsers)
    }
    pub fn may_read_audit_log(&self) -> bool {
        self.user.may(Permission::ViewAuditLog)
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Chrome {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let auth = match Authenticated::from_request(request).await {
            Outcome::Success(auth) => auth,
            Outcome::Error(e) => return Outcome::Error(e),
            Outcome::Forward(f) => return Outcome::Forward(f),
        };
        let Some(state) = request.rocket().state::<AppState>() else {
            return Outcome::Error((Status::InternalServerError, ()));
        };
        match crate::services::inbox::counts(&state.db, &auth.user).await {
            Ok(counts) => Outcome::Success(Chrome {
                csrf: auth.csrf_token().to_string(),
                user: auth.user,
                counts,
            }),
            Err(_) => Outcome::Error((Status::ServiceUnavailable, ())),
        }
    }
}
