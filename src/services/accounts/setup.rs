//! The first administrator (a one-time setup link) and the demo users.

use super::{create_user, UserInput};
use crate::auth::{digest, password, Actor, Role};
use crate::db::users::{self, NewUser};
use crate::db::{departments, sessions, vendors, Db};
use crate::domain::ids::{DepartmentId, UserId};
use crate::domain::Email;
use crate::domain::Timestamp;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::audit;
use crate::services::audit::Event;
use chrono::Duration;

/// With no user at all, creates a one-time link (valid 24 hours) for setting up the first administrator.
pub async fn setup_link_if_needed(db: &Db) -> AppResult<Option<String>> {
    let mut conn = db.acquire().await?;
    if users::count(&mut conn).await? > 0 {
        return Ok(None);
    }
    let token = crate::random_token() + &crate::random_token();
    sessions::insert_setup_token(
        &mut conn,
        &digest(&token),
        Timestamp::now() + Duration::hours(24),
    )
    .await?;
    Ok(Some(format!("/setup/{token}")))
}

pub async fn setup_token_valid(db: &Db, token: &str) -> AppResult<bool> {
    let mut conn = db.acquire().await?;
    Ok(users::count(&mut conn).await? == 0
        && sessions::setup_token_valid(&mut conn, &digest(token), Timestamp::now()).await?)
}

/// Creates the first administrator through a setup link; the link works once.
pub async fn setup_first_admin(
    db: &Db,
    token: &str,
    email: &str,
    password: &str,
    ip: &str,
) -> AppResult<UserId> {
    let mut errors = FieldErrors::new();
    let email = errors.take("email", Email::parse(email));
    if let Some(email) = &email {
        errors.take("password", password::check_policy(password, email.as_str()));
    }
    errors.into_result()?;
    let email = email.ok_or_else(|| AppError::Internal("validated e-mail missing".into()))?;
    let hash = password::hash(password.to_string()).await?;
    let mut tx = db.begin().await?;
    if users::count(&mut tx).await? > 0
        || !sessions::use_setup_token(&mut tx, &digest(token), Timestamp::now()).await?
    {
        return Err(AppError::NotFound);
    }
    let id = users::insert(
        &mut tx,
        &NewUser {
            email: email.as_str(),
            display_name: "管理者",
            role: Role::Admin.code(),
            vendor_id: None,
            password_hash: &hash,
        },
    )
    .await?;
    let actor = Actor {
        user_id: Some(id),
        label: email.as_str().to_string(),
        ip: ip.to_string(),
    };
    audit::record(
        &mut tx,
        &actor,
        Event::new("create", "user", id, "初期管理者の登録"),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A demo account and its one-time password.
pub struct DemoLogin {
    pub role: Role,
    pub email: String,
    pub password: String,
    pub note: String,
}

/// Creates one user per role with random passwords (never a fixed default) when there are no users.
pub async fn create_demo_users(db: &Db) -> AppResult<Vec<DemoLogin>> {
    if users::count(&mut *db.acquire().await?).await? > 0 {
        return Ok(Vec::new());
    }
    let mut conn = db.acquire().await?;
    let departments = departments::all(&mut conn).await?;
    let officer_departments: Vec<DepartmentId> = departments
        .iter()
        .filter(|d| d.name == "税務課" || d.name == "市民課")
        .map(|d| d.id)
        .collect();
    let vendors = vendors::search(&mut conn, None, 100, 0).await?.0;
    drop(conn);
    let vendor = vendors
        .iter()
        .find(|v| v.name.contains("いろは"))
        .or(vendors.first());
    let mut specs = vec![
        (
            Role::Admin,
            "admin@demo.itaku.example",
            "システム管理者",
            None,
            Vec::new(),
            "すべての操作".to_string(),
        ),
        (
            Role::Officer,
            "officer@demo.itaku.example",
            "契約担当（税務課・市民課）",
            None,
            officer_departments,
            "税務課・市民課の契約".to_string(),
        ),
        (
            Role::Ciso,
            "ciso@demo.itaku.example",
            "CISO",
            None,
            Vec::new(),
            "すべての閲覧と監査ログ".to_string(),
        ),
    ];
    if let Some(vendor) = vendor {
        specs.push((
            Role::Vendor,
            "vendor@demo.itaku.example",
            "事業者ユーザー",
            Some(vendor.identifier.clone()),
            Vec::new(),
            format!("{}の契約のみ", vendor.name),
        ));
    }
    let actor = Actor::system("demo");
    let mut logins = Vec::new();
    for (role, email, name, corporate_number, department_ids, note) in specs {
        let input = UserInput {
            email: Some(email.into()),
            display_name: Some(name.into()),
            role: Some(role.code().into()),
            vendor_identifier: corporate_number,
            department_ids,
            password: None,
            active: true,
        };
        let (_, password) = create_user(db, &actor, &input).await?;
        logins.push(DemoLogin {
            role,
            email: email.into(),
            password: password.unwrap_or_default(),
            note,
        });
    }
    Ok(logins)
}
