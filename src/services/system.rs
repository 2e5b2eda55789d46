//! What an administrator checks first: who can sign in, whether reminders leave, which database and
//! rules the system runs with.

use crate::auth::Role;
use crate::config::Settings;
use crate::db::{outbox, standings, users, Backend, Db};
use crate::error::AppResult;

/// Users of one role.
pub struct RoleCount {
    pub role: Role,
    pub active: i64,
    pub inactive: i64,
}

pub struct SystemStatus {
    pub roles: Vec<RoleCount>,
    /// Whether an SMTP server is configured: without one nobody is reminded of anything.
    pub mail_configured: bool,
    pub mail_waiting: i64,
    pub mail_failing: i64,
    pub database: &'static str,
    /// Whether the obligations' standings have been built (they are rebuilt once after an upgrade).
    pub standings_built: bool,
    /// The rules in force, as (what, value) for people.
    pub rules: Vec<(&'static str, String)>,
}

impl SystemStatus {
    pub fn active_users(&self) -> i64 {
        self.roles.iter().map(|r| r.active).sum()
    }
}

pub async fn status(db: &Db, settings: &Settings) -> AppResult<SystemStatus> {
    let mut conn = db.acquire().await?;
    let counts = users::counts_by_role(&mut conn).await?;
    let roles = Role::ALL
        .into_iter()
        .map(|role| {
            let of = |active: bool| {
                counts
                    .iter()
                    .filter(|(r, a, _)| r == role.code() && *a == active)
                    .map(|(_, _, n)| n)
                    .sum()
            };
            RoleCount {
                role,
                active: of(true),
                inactive: of(false),
            }
        })
        .collect();
    let audits_for = if settings.audit_required_for == "all" {
        "すべての契約".to_string()
    } else {
        "重要な契約".to_string()
    };
    Ok(SystemStatus {
        roles,
        mail_configured: !settings.smtp_url.trim().is_empty(),
        mail_waiting: outbox::pending_count(&mut conn).await?,
        mail_failing: outbox::failing_count(&mut conn).await?,
        database: match db.backend() {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        },
        standings_built: standings::built(&mut conn).await?,
        rules: vec![
            ("年次の監査報告書が必要な契約", audits_for),
            (
                "監査報告書の提出期限",
                format!("年度末の{}日後", settings.audit_due_days_after_year_end),
            ),
            (
                "データ消去期限（既定）",
                format!("契約終了の{}日後", settings.default_deletion_days),
            ),
            (
                "差し戻したチェックシートの再提出期限",
                format!("差戻しの{}日後", settings.checklist_resubmission_days),
            ),
            (
                "「期限間近」とする日数",
                format!(
                    "消去 {}日前・監査報告書 {}日前・認証 {}日前",
                    settings.deletion_due_soon_days,
                    settings.audit_due_soon_days,
                    settings.certificate_expiring_days
                ),
            ),
        ],
    })
}
