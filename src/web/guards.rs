//! Request guards: a `User` from a session cookie or a Bearer token, and role guards built on it,
//! so that a handler's signature says who may call it.

use crate::auth::policy::{EditScope, Permission};
use crate::auth::{Actor, Role, User};
use crate::db::sessions;
use crate::services::signed_in::{self, Presented, Refused};
use crate::web::AppState;
use rocket::http::{Method, Status};
use rocket::request::{FromRequest, Outcome, Request};

pub const SESSION_COOKIE: &str = "itaku_session";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

pub use crate::services::signed_in::{Authenticated, Credential};

/// Resolves the request's credentials once; `Err` carries the status to answer with.
pub async fn authenticate<'r>(
    request: &'r Request<'_>,
) -> &'r Result<Option<Authenticated>, Status> {
    request
        .local_cache_async(async { resolve(request).await })
        .await
}

async fn resolve(request: &Request<'_>) -> Result<Option<Authenticated>, Status> {
    let Some(state) = request.rocket().state::<AppState>() else {
        return Err(Status::InternalServerError);
    };
    let presented = if let Some(header) = request.headers().get_one("Authorization") {
        Presented::Authorization(header)
    } else if let Some(cookie) = request.cookies().get_private(SESSION_COOKIE) {
        Presented::SessionCookie(cookie.value().to_string())
    } else {
        return Ok(None);
    };
    let address = client_address(request);
    match signed_in::authenticate(
        &state.db,
        &state.settings,
        &state.throttle,
        &address,
        presented,
    )
    .await
    {
        Ok(Ok(found)) => Ok(found),
        Ok(Err(Refused::Unauthorized)) => Err(Status::Unauthorized),
        Ok(Err(Refused::TooManyAttempts)) => Err(Status::TooManyRequests),
        Err(error) => {
            log::warn!(
                "{} {}: credentials could not be checked: {error}",
                request.method(),
                request.uri()
            );
            Err(Status::new(error.status_code()))
        }
    }
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
        pub struct $name(pub User, Actor);

        impl $name {
            /// The user as the audit log records them, with the request's address.
            pub fn actor(&self) -> &Actor {
                &self.1
            }
        }

        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name {
            type Error = ();

            async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
                match User::from_request(request).await {
                    Outcome::Success(user) if user.may($permission) => {
                        let actor = Actor::user(&user, &client_address(request));
                        Outcome::Success($name(user, actor))
                    }
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

/// Declares a guard that hands a handler what it may do: the user holding a permission, the actor the
/// audit log records, and the contracts and departments it may change. A user with the permission but
/// no edit scope is refused (403) here, so no handler checks a scope itself.
macro_rules! editing_capability {
    ($(#[$doc:meta])* $name:ident, $permission:expr) => {
        $(#[$doc])*
        pub struct $name {
            pub user: User,
            pub actor: Actor,
            pub scope: EditScope,
        }

        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name {
            type Error = ();

            async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
                let user = match User::from_request(request).await {
                    Outcome::Success(user) if user.may($permission) => user,
                    Outcome::Success(_) => return Outcome::Error((Status::Forbidden, ())),
                    Outcome::Error(error) => return Outcome::Error(error),
                    Outcome::Forward(status) => return Outcome::Forward(status),
                };
                let Some(scope) = user.edit_scope() else {
                    return Outcome::Error((Status::Forbidden, ()));
                };
                let actor = Actor::user(&user, &client_address(request));
                Outcome::Success($name { user, actor, scope })
            }
        }
    };
}

editing_capability!(
    /// Changing the registry (vendors, contracts, tenders, reviews) within the user's edit scope.
    Editing,
    Permission::EditRegistry
);
editing_capability!(
    /// Importing a contract ledger within the user's edit scope.
    Importing,
    Permission::ImportLedger
);

/// Any signed-in user acting in their own name, with the actor the audit log records.
pub struct Acting {
    pub user: User,
    pub actor: Actor,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Acting {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        User::from_request(request).await.map(|user| {
            let actor = Actor::user(&user, &client_address(request));
            Acting { user, actor }
        })
    }
}

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
    /// The user as the audit log records them, with the request's address.
    pub actor: Actor,
    pub csrf: String,
    /// What the header shows: unread notifications, and work waiting for this user.
    pub counts: crate::services::inbox::Counts,
    /// The requested path, so that the menu marks the current page.
    pub path: String,
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
            Ok(counts) => {
                let chrome = Chrome {
                    csrf: auth.csrf_token().to_string(),
                    actor: Actor::user(&auth.user, &client_address(request)),
                    user: auth.user,
                    counts,
                    path: request.uri().path().to_string(),
                };
                // Kept for an error page this request may end with, so that it shows the user's menu.
                request.local_cache(|| Some(chrome.clone()));
                Outcome::Success(chrome)
            }
            Err(error) => {
                log::warn!("the page header's counts could not be read: {error}");
                Outcome::Error((Status::ServiceUnavailable, ()))
            }
        }
    }
}
