//! Typed settings, read through Rocket's own figment: defaults, then `Rocket.toml`, then `ROCKET_*`
//! and `ITAKU_*` variables, then `DATABASE_URL`, then command-line flags.

use figment::providers::{Env, Serialized};
use figment::Figment;
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
    /// Mark the session cookie `Secure` (set when Itaku is served over TLS or behind a TLS proxy);
    /// implied by an `https://` `public_url`.
    pub secure_cookies: bool,
    /// The address users reach Itaku at (`https://itaku.city.example.jp`): links in messages, and with
    /// `https://` the cookies are `Secure` and every response carries HSTS.
    #[serde(default)]
    pub public_url: String,
    /// The check-sheet definition vendors fill: an id under `checklists_dir`, or the built-in one.
    pub checklist_definition: String,
    /// Where check-sheet definitions (`<id>.toml`) are read from; clause catalogues under its `clauses/`.
    pub checklists_dir: String,
    /// The security-clause catalogue new contracts take their default clauses from: its id (newest
    /// edition) or `id@version`.
    #[serde(default = "default_clause_catalogue")]
    pub clause_catalogue: String,
    /// A deletion deadline this many days away (or fewer) is "due soon".
    pub deletion_due_soon_days: i64,
    /// Which contracts owe a yearly audit report: `important` (重要 only) or `all`.
    pub audit_required_for: String,
    /// The report for a fiscal year is due this many days after its last day (0: on 3/31).
    pub audit_due_days_after_year_end: i64,
    /// A report due this many days away (or fewer) is "due soon".
    pub audit_due_soon_days: i64,
    /// A returned check sheet is owed again this many days after its return.
    pub checklist_resubmission_days: i64,
    /// Fiscal years before this one (by the calendar year they start in) are not checked for audits.
    #[serde(default)]
    pub audit_first_fiscal_year: Option<i32>,
    /// A certificate expiring within this many days is "expiring" (プライバシーマーク uses its renewal window).
    pub certificate_expiring_days: i64,
    /// プライバシーマーク's renewal application window opens this many months before expiry …
    pub pmark_renewal_opens_months: u32,
    /// … and closes this many months before it.
    pub pmark_renewal_closes_months: u32,
    /// The scoring policy new tenders use unless one is chosen: its id (latest version) or `id@version`.
    pub rating_policy: String,
    /// The `itaku` binary started as the parse worker; empty: this program itself.
    #[serde(default)]
    pub parse_worker: String,
    /// Memory (address space) a parse worker may use, in MiB.
    pub parse_memory_limit_mib: u64,
    /// A parse worker is stopped after this many seconds (wall clock, and CPU time).
    pub parse_timeout_seconds: u64,
    /// Files parsed at once; 0: the number of cores.
    pub parse_concurrency: usize,
    /// Files that may wait for a parse worker before more are refused as busy (503).
    pub parse_queue: usize,
    /// Addresses of reverse proxies whose `X-Real-IP` header names the client; from anyone else the
    /// header is ignored.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// An API token issued without a lifetime expires after this many days …
    pub token_lifetime_days: i64,
    /// … and none may be issued for longer than this.
    pub token_max_lifetime_days: i64,
    /// Password checks (Argon2id, 19 MiB each) that run at once; 0 means one per core …
    pub password_checks: usize,
    /// … and how many more may wait before a sign-in is answered 429.
    pub password_check_queue: usize,
    /// Sign-in attempts one client address may make per minute …
    pub sign_in_rate_per_address: u32,
    /// … and everyone together.
    pub sign_in_rate: u32,
    /// Failed sign-ins and made-up API tokens one client address may have in 15 minutes before it is
    /// refused (429) until they age out.
    pub sign_in_failures_per_address: u32,
    /// Roles that must sign in with a second factor (an authenticator app); others may choose to.
    pub mfa_required_roles: Vec<String>,
    /// Set by `serve --demo`: sample data and printed logins, and no second factor required.
    #[serde(default)]
    pub demo: bool,
    /// Where reminders are sent through: `smtp://host:port`, `smtps://host:port`, `smtp://…?tls=starttls`,
    /// with the user (and password) in the URL or the password in `smtp_password_file`. Empty: no
    /// mail is sent, and the dashboard tells administrators so.
    #[serde(default)]
    pub smtp_url: String,
    #[serde(default)]
    pub smtp_password_file: String,
    /// The sender of reminders (`Itaku <itaku@city.example.jp>`).
    #[serde(default)]
    pub mail_from: String,
    /// When the server sends the day's reminders, Japan time (`HH:MM`) …
    pub remind_at: String,
    /// … if it sends them itself (false when cron runs `itaku remind` instead).
    pub remind_in_process: bool,
    /// Days before a deadline on which the vendor is reminded (0: on the day) …
    pub remind_vendor_days_before: Vec<i64>,
    /// … and every how many days while it is overdue.
    pub remind_vendor_overdue_every_days: i64,
    /// The contract's officers: from the first day overdue, then every this many days.
    pub remind_officer_overdue_every_days: i64,
    /// The CISO: from this many days overdue …
    pub remind_ciso_after_days_overdue: i64,
    /// … then every this many days.
    pub remind_ciso_every_days: i64,
}

impl Settings {
    /// Whether users reach Itaku over TLS: cookies are then `Secure`, and HSTS is sent.
    pub fn served_over_tls(&self) -> bool {
        self.secure_cookies || self.public_url.starts_with("https://")
    }

    /// The reminder schedule, as the domain takes it.
    pub fn reminder_schedule(&self) -> crate::domain::reminder::Schedule {
        crate::domain::reminder::Schedule {
            vendor_days_before: self.remind_vendor_days_before.clone(),
            vendor_overdue_every: self.remind_vendor_overdue_every_days,
            officer_overdue_every: self.remind_officer_overdue_every_days,
            ciso_after: self.remind_ciso_after_days_overdue,
            ciso_every: self.remind_ciso_every_days,
        }
    }

    /// The sign-in and token limits, as the throttle takes them.
    pub fn throttle_limits(&self) -> crate::auth::throttle::Limits {
        crate::auth::throttle::Limits {
            sign_ins_per_address_per_minute: self.sign_in_rate_per_address,
            sign_ins_per_minute: self.sign_in_rate,
            failures_per_address: self.sign_in_failures_per_address,
            failure_window: std::time::Duration::from_secs(15 * 60),
        }
    }
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
            public_url: String::new(),
            checklist_definition: "mic-outsourcing-2025".into(),
            checklists_dir: "checklists".into(),
            clause_catalogue: default_clause_catalogue(),
            deletion_due_soon_days: 30,
            audit_required_for: "important".into(),
            audit_due_days_after_year_end: 0,
            audit_due_soon_days: 60,
            checklist_resubmission_days: 14,
            audit_first_fiscal_year: None,
            certificate_expiring_days: 90,
            pmark_renewal_opens_months: 8,
            pmark_renewal_closes_months: 4,
            rating_policy: "itaku-standard".into(),
            parse_worker: String::new(),
            parse_memory_limit_mib: 256,
            parse_timeout_seconds: 10,
            parse_concurrency: 0,
            parse_queue: 32,
            trusted_proxies: Vec::new(),
            token_lifetime_days: 90,
            token_max_lifetime_days: 365,
            password_checks: 0,
            password_check_queue: 16,
            sign_in_rate_per_address: 30,
            sign_in_rate: 600,
            sign_in_failures_per_address: 10,
            mfa_required_roles: vec!["admin".into(), "ciso".into()],
            demo: false,
            smtp_url: String::new(),
            smtp_password_file: String::new(),
            mail_from: String::new(),
            remind_at: "08:00".into(),
            remind_in_process: true,
            remind_vendor_days_before: vec![30, 7, 1, 0],
            remind_vendor_overdue_every_days: 7,
            remind_officer_overdue_every_days: 7,
            remind_ciso_after_days_overdue: 14,
            remind_ciso_every_days: 7,
        }
    }
}

/// The server's figment (`app::figment` passes Rocket's) with Itaku's defaults under it and `ITAKU_*` /
/// `DATABASE_URL` over it.
pub fn layered_over(server: Figment) -> Figment {
    // Merging does not carry the profile the server selected (ROCKET_PROFILE, or debug/release by build).
    let profile = server.profile().clone();
    Figment::from(Serialized::defaults(Settings::default()))
        .merge(server)
        .merge(Env::prefixed("ITAKU_").global())
        .merge(Env::raw().only(&["DATABASE_URL"]).global())
        .select(profile)
}

fn default_clause_catalogue() -> String {
    "itaku-clauses".into()
}

impl Settings {
    /// Every security-clause catalogue: the built-in editions and those under `checklists_dir/clauses`.
    pub fn clause_catalogues(&self) -> Result<Vec<crate::checklist::clauses::Catalogue>, String> {
        crate::checklist::clauses::catalogues(
            &std::path::Path::new(&self.checklists_dir).join("clauses"),
        )
    }

    /// The catalogue edition new contracts take their clauses from.
    pub fn clause_catalogue(&self) -> Result<crate::checklist::clauses::Catalogue, String> {
        let all = self.clause_catalogues()?;
        crate::checklist::clauses::named(&all, &self.clause_catalogue)
            .cloned()
            .ok_or_else(|| {
                format!(
                    "clause_catalogue「{}」が見つかりません",
                    self.clause_catalogue
                )
            })
    }

    /// The check-sheet definition in force (checked when the settings were read).
    pub fn definition(&self) -> crate::checklist::Definition {
        crate::checklist::Definition::resolve(
            Some(&self.checklist_definition),
            std::path::Path::new(&self.checklists_dir),
        )
        .unwrap_or_else(|_| crate::checklist::Definition::builtin())
    }

    /// Which contracts owe audit reports, and by when.
    pub fn audit_rule(&self) -> crate::domain::obligation::AuditRule {
        crate::domain::obligation::AuditRule {
            all_contracts: self.audit_required_for == "all",
            due_days_after_year_end: self.audit_due_days_after_year_end.max(0) as u64,
            first_fiscal_year: self
                .audit_first_fiscal_year
                .and_then(crate::domain::FiscalYear::new),
        }
    }

    /// When certificates count as expiring.
    /// The settings obligations are judged by.
    pub fn obligation_rules(&self) -> crate::domain::obligation::Rules {
        crate::domain::obligation::Rules {
            deletion_warn_days: self.deletion_due_soon_days.max(0) as u64,
            audit: self.audit_rule(),
            audit_warn_days: self.audit_due_soon_days.max(0) as u64,
            expiry: self.expiry_windows(),
            resubmission_days: self.checklist_resubmission_days.max(0) as u64,
        }
    }

    pub fn expiry_windows(&self) -> crate::domain::certification::ExpiryWindows {
        crate::domain::certification::ExpiryWindows {
            days: self.certificate_expiring_days.max(0) as u64,
            pmark_opens_months: self.pmark_renewal_opens_months,
            pmark_closes_months: self.pmark_renewal_closes_months,
        }
    }

    pub fn from_figment(figment: &Figment) -> Result<Self, String> {
        let settings: Settings = figment
            .extract()
            .map_err(|e| format!("設定を読み込めません: {e}"))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), String> {
        self.validate_server()?;
        self.validate_access()?;
        self.validate_reminders()?;
        self.validate_obligations()
    }

    /// The database, the public address, mail, uploads and the parse sandbox.
    fn validate_server(&self) -> Result<(), String> {
        crate::db::Backend::of_url(&self.database_url)?;
        let scheme_ok = ["https://", "http://"]
            .iter()
            .any(|scheme| self.public_url.starts_with(scheme));
        if !self.public_url.is_empty() && !scheme_ok {
            return Err(
                "public_url must start with https:// (or http:// for a test server)".into(),
            );
        }
        if !self.smtp_url.is_empty() && (self.mail_from.is_empty() || self.public_url.is_empty()) {
            return Err(
                "mail_from and public_url are needed with smtp_url (the sender of reminders, and where their links point)"
                    .into(),
            );
        }
        if !(32..=65_536).contains(&self.parse_memory_limit_mib) {
            return Err("parse_memory_limit_mib must be between 32 and 65536".into());
        }
        if !(1..=600).contains(&self.parse_timeout_seconds) {
            return Err("parse_timeout_seconds must be between 1 and 600".into());
        }
        if self.upload_limit_bytes < 1024 {
            return Err("upload_limit_bytes must be at least 1024".into());
        }

        Ok(())
    }

    /// Second factors, sign-in throttling, API tokens and sessions.
    fn validate_access(&self) -> Result<(), String> {
        if let Some(unknown) = self
            .mfa_required_roles
            .iter()
            .find(|role| crate::auth::Role::parse(role).map(|r| r.code()) != Some(role.as_str()))
        {
            return Err(format!(
                "mfa_required_roles: unknown role {unknown:?} (admin, officer, ciso, vendor)"
            ));
        }
        if self.sign_in_rate_per_address == 0
            || self.sign_in_rate == 0
            || self.sign_in_failures_per_address == 0
        {
            return Err(
                "sign_in_rate_per_address, sign_in_rate and sign_in_failures_per_address must be at least 1"
                    .into(),
            );
        }
        if !(1..=self.token_max_lifetime_days).contains(&self.token_lifetime_days)
            || self.token_max_lifetime_days > 3650
        {
            return Err(
                "token_lifetime_days must be between 1 and token_max_lifetime_days (at most 3650)"
                    .into(),
            );
        }
        if self.session_idle_minutes < 1 || self.session_max_hours < 1 {
            return Err("session_idle_minutes and session_max_hours must be positive".into());
        }
        Ok(())
    }

    /// When reminders go out and how often.
    fn validate_reminders(&self) -> Result<(), String> {
        if chrono::NaiveTime::parse_from_str(&self.remind_at, "%H:%M").is_err() {
            return Err(format!(
                "remind_at must be HH:MM (Japan time), not {:?}",
                self.remind_at
            ));
        }
        if self
            .remind_vendor_days_before
            .iter()
            .any(|d| !(0..=365).contains(d))
            || [
                self.remind_vendor_overdue_every_days,
                self.remind_officer_overdue_every_days,
                self.remind_ciso_every_days,
            ]
            .iter()
            .any(|d| !(1..=365).contains(d))
            || !(1..=365).contains(&self.remind_ciso_after_days_overdue)
        {
            return Err(
                "reminder days must be between 0 (before) or 1 (every, after) and 365".into(),
            );
        }
        Ok(())
    }

    /// The deadlines, the check-sheet definition and the certificate windows.
    fn validate_obligations(&self) -> Result<(), String> {
        if !(0..=crate::domain::contract::MAX_DELETION_DAYS).contains(&self.default_deletion_days) {
            return Err("default_deletion_days must be between 0 and 3650".into());
        }
        crate::checklist::Definition::resolve(
            Some(&self.checklist_definition),
            std::path::Path::new(&self.checklists_dir),
        )?;
        self.clause_catalogue()?;
        if !matches!(self.audit_required_for.as_str(), "important" | "all") {
            return Err("audit_required_for must be \"important\" or \"all\"".into());
        }
        for (name, days) in [
            ("deletion_due_soon_days", self.deletion_due_soon_days),
            (
                "audit_due_days_after_year_end",
                self.audit_due_days_after_year_end,
            ),
            ("audit_due_soon_days", self.audit_due_soon_days),
            ("certificate_expiring_days", self.certificate_expiring_days),
            (
                "checklist_resubmission_days",
                self.checklist_resubmission_days,
            ),
        ] {
            if !(0..=3650).contains(&days) {
                return Err(format!("{name} must be between 0 and 3650"));
            }
        }
        if self.pmark_renewal_closes_months > self.pmark_renewal_opens_months
            || self.pmark_renewal_opens_months > 24
        {
            return Err(
                "pmark_renewal_opens_months must be at most 24 and not below pmark_renewal_closes_months".into(),
            );
        }
        if self
            .audit_first_fiscal_year
            .is_some_and(|y| crate::domain::FiscalYear::new(y).is_none())
        {
            return Err("audit_first_fiscal_year must be a year between 1900 and 2200".into());
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
            use figment::providers::{Format, Toml};
            let server = Figment::from(Toml::file("Rocket.toml").nested());
            let settings = Settings::from_figment(&layered_over(server)).unwrap();
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
            assert!(Settings::from_figment(&layered_over(Figment::new())).is_err());
            Ok(())
        });
    }
}
