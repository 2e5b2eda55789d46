//! Typed settings, read through Rocket's own figment: defaults, then `Rocket.toml`, then `ROCKET_*`
//! and `ITAKU_*` variables, then `DATABASE_URL`, then command-line flags.

use rocket::figment::providers::{Env, Serialized};
use rocket::figment::Figment;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Settings {
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    pub max_connections: u32,
    /// Days allowed for returning or deleting data after a contract ends, when the contract says nothing.
    pub default_deletion_days: i64,
    /// Largest spreadsheet or file accepted, in bytes.
    pub upload_limit_bytes: usize,
    /// A session ends after this many minutes without a request.
    pub session_idle_minutes: i64,
    /// A session ends this many hours after sign-in, however active.
    pub session_max_hours: i64,
    /// Mark the session cookie `Secure` (set when Itaku is served over TLS or behind a TLS proxy).
    pub secure_cookies: bool,
    /// The check-sheet definition vendors fill: an id under `checklists_dir`, or the built-in one.
    pub checklist_definition: String,
    /// Where check-sheet definitions (`<id>.toml`) are read from.
    pub checklists_dir: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://itaku.db".into(),
            max_connections: 8,
            default_deletion_days: 30,
            upload_limit_bytes: 10 * 1024 * 1024,
            session_idle_minutes: 30,
            session_max_hours: 12,
            secure_cookies: false,
            checklist_definition: "mic-outsourcing-2025".into(),
            checklists_dir: "checklists".into(),
        }
    }
}

/// Rocket's figment with Itaku's defaults under it and `ITAKU_*` / `DATABASE_URL` over it.
pub fn figment() -> Figment {
    let rocket = rocket::Config::figment();
    // Merging does not carry the profile Rocket selected (ROCKET_PROFILE, or debug/release by build).
    let profile = rocket.profile().clone();
    Figment::from(Serialized::defaults(Settings::default()))
        .merge(rocket)
        .merge(Env::prefixed("ITAKU_").global())
        .merge(Env::raw().only(&["DATABASE_URL"]).global())
        .select(profile)
}

impl Settings {
    /// The check-sheet definition in force (checked when the settings were read).
    pub fn definition(&self) -> crate::checklist::Definition {
        crate::checklist::Definition::resolve(
            Some(&self.checklist_definition),
            std::path::Path::new(&self.checklists_dir),
        )
        .unwrap_or_else(|_| crate::checklist::Definition::builtin())
    }

    pub fn from_figment(figment: &Figment) -> Result<Self, String> {
        let settings: Settings = figment
            .extract()
            .map_err(|e| format!("設定を読み込めません: {e}"))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), String> {
        crate::db::Backend::of_url(&self.database_url)?;
        if !(0..=crate::domain::contract::MAX_DELETION_DAYS).contains(&self.default_deletion_days) {
            return Err("default_deletion_days must be between 0 and 3650".into());
        }
        if self.session_idle_minutes < 1 || self.session_max_hours < 1 {
            return Err("session_idle_minutes and session_max_hours must be positive".into());
        }
        crate::checklist::Definition::resolve(
            Some(&self.checklist_definition),
            std::path::Path::new(&self.checklists_dir),
        )?;
        if self.upload_limit_bytes < 1024 {
            return Err("upload_limit_bytes must be at least 1024".into());
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail returns its own large error type
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("Rocket.toml", "[default]\ndefault_deletion_days = 45\n")?;
            jail.set_env("DATABASE_URL", "postgres://localhost/itaku");
            jail.set_env("ITAKU_UPLOAD_LIMIT_BYTES", "2048");
            let settings = Settings::from_figment(&figment()).unwrap();
            assert_eq!(settings.database_url, "postgres://localhost/itaku");
            assert_eq!(settings.default_deletion_days, 45);
            assert_eq!(settings.upload_limit_bytes, 2048);
            Ok(())
        });
    }

    #[test]
    fn refuses_an_unknown_database() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("DATABASE_URL", "mysql://localhost/itaku");
            assert!(Settings::from_figment(&figment()).is_err());
            Ok(())
        });
    }
}
