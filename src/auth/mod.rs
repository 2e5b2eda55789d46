//! Who is asking and what they may do: roles, users and actors, passwords, sign-in throttling, TOTP and the one
//! policy. The request guards that read sessions and tokens are in `web::guards`.

pub mod password;
pub mod policy;
pub mod throttle;
pub mod totp;

use crate::domain::ids::{DepartmentId, UserId, VendorId};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Officer,
    Ciso,
    Vendor,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Officer, Role::Ciso, Role::Vendor];

    pub fn parse(code: &str) -> Option<Role> {
        match code.trim().to_lowercase().as_str() {
            "admin" | "管理者" => Some(Role::Admin),
            "officer" | "契約担当" => Some(Role::Officer),
            "ciso" => Some(Role::Ciso),
            "vendor" | "事業者" => Some(Role::Vendor),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Officer => "officer",
            Role::Ciso => "ciso",
            Role::Vendor => "vendor",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "管理者",
            Role::Officer => "契約担当",
            Role::Ciso => "CISO",
            Role::Vendor => "事業者",
        }
    }
}

/// The signed-in user of a request.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// The vendor a vendor user acts for.
    pub vendor_id: Option<VendorId>,
    /// The departments an officer works for.
    pub department_ids: Vec<DepartmentId>,
}

/// Who did something, as the audit log records it.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub label: String,
    pub ip: String,
}

impl Actor {
    pub fn user(user: &User, ip: &str) -> Self {
        Actor {
            user_id: Some(user.id),
            label: user.email.clone(),
            ip: ip.to_string(),
        }
    }
    /// Work done from the command line or by the system itself.
    pub fn system(label: &str) -> Self {
        Actor {
            user_id: None,
            label: label.to_string(),
            ip: String::new(),
        }
    }
}

/// SHA-256 in hex: what the database keeps of session ids and tokens.
pub fn digest(secret: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(secret.as_bytes()))
}
