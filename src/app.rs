//! Builds the Rocket application from settings: pool and migrations first, then routes and catchers.

use crate::config::Settings;
use crate::db::Db;
use crate::web::{self, AppState};
use rocket::data::{Limits, ToByteUnit};
use rocket::figment::Figment;
use rocket::{Build, Rocket};

/// Rocket's configuration with Itaku's settings layered over it.
pub fn figment() -> Figment {
    crate::config::layered_over(rocket::Config::figment())
}

/// What the server will be started with, as the CLI reports and checks it before launching.
pub struct Server {
    pub has_secret_key: bool,
    pub profile: String,
    /// The debug profile may run without a configured secret key.
    pub debug: bool,
    pub base_url: String,
}

impl Server {
    pub fn of(figment: &Figment) -> Self {
        let config = rocket::Config::from(figment);
        Server {
            has_secret_key: config.secret_key.is_provided(),
            debug: config.profile == rocket::Config::DEBUG_PROFILE,
            profile: config.profile.to_string(),
            base_url: format!("http://{}:{}", config.address, config.port),
        }
    }
}

/// Runs the server until it is shut down.
pub async fn launch(figment: Figment, settings: Settings, db: Db) -> Result<(), rocket::Error> {
    build_with(figment, settings, db).launch().await.map(|_| ())
}

/// Runs a future on the multi-threaded runtime the server is configured for.
pub fn block_on_server<F>(future: F) -> F::Output
where
    F: std::future::Future + Send,
    F::Output: Send,
{
    rocket::async_main(future)
}

/// Connects to the database (running migrations) and returns the application ready to launch.
pub async fn build(
    figment: Figment,
    settings: Settings,
) -> Result<Rocket<Build>, crate::db::DbError> {
    let db = Db::connect(&settings.database_url, settings.max_connections).await?;
    Ok(build_with(figment, settings, db))
}

/// The application over an already connected database.
pub fn build_with(figment: Figment, settings: Settings, db: Db) -> Rocket<Build> {
    let upload = settings.upload_limit_bytes as u64;
    // Rocket's own cut-off sits above the upload limit, so an oversized file reaches the handler and
    // is refused as too large (413) by name, rather than silently dropped from the form.
    let limits = Limits::default()
        .limit("file", (upload + 1024 * 1024).bytes())
        .limit("data-form", (upload + 2 * 1024 * 1024).bytes())
        .limit("form", 64.kibibytes())
        .limit("json", 1.mebibytes());
    let figment = figment.merge(("limits", limits));
    crate::auth::password::configure(settings.password_checks, settings.password_check_queue);
    rocket::custom(figment)
        .attach(web::headers::SecurityHeaders {
            strict_transport: settings.public_url.starts_with("https://"),
        })
        .attach(session_sweeper())
        .attach(daily_reminders())
        .attach(shipped_policies())
        .manage(AppState(crate::services::context::AppContext::new(
            db, settings,
        )))
        .mount("/", web::routes())
        .mount("/api/v1", web::api::routes())
        .register("/", web::catchers::catchers())
}

/// Installs the scoring policies shipped under `checklists/policies/` that the database lacks.
fn shipped_policies() -> rocket::fairing::AdHoc {
    rocket::fairing::AdHoc::on_ignite("shipped scoring policies", |rocket| async move {
        if let Some(state) = rocket.state::<AppState>() {
            if let Err(error) =
                crate::services::policies::install_shipped(&state.db, &state.settings).await
            {
                log::warn!("could not install the shipped scoring policies: {error}");
            }
        }
        rocket
    })
}

/// Deletes expired sessions every few minutes while the server runs.
fn session_sweeper() -> rocket::fairing::AdHoc {
    rocket::fairing::AdHoc::on_liftoff("session sweeper", |rocket| {
        Box::pin(async move {
            let Some(state) = rocket.state::<AppState>() else {
                return;
            };
            let (db, settings) = (state.db.clone(), state.settings.clone());
            let mut shutdown = rocket.shutdown();
            tokio::spawn(async move {
                let mut interval = tokio::time::interval(std::time::Duration::from_secs(300));
                loop {
                    tokio::select! {
                        _ = interval.tick() => {
                            if let Err(error) = crate::services::signed_in::expire_sessions(&db, &settings).await {
                                log::warn!("could not expire sessions: {error}");
                            }
                        }
                        _ = &mut shutdown => break,
                    }
                }
            });
        })
    })
}

/// Sends the day's reminders at `remind_at` (Japan time), and once a minute retries what failed, while
/// the server runs with an SMTP server configured. Several servers may run it: the outbox keeps each
/// message once and hands it to one sender.
fn daily_reminders() -> rocket::fairing::AdHoc {
    rocket::fairing::AdHoc::on_liftoff("daily reminders", |rocket| {
        Box::pin(async move {
            let Some(state) = rocket.state::<AppState>() else {
                return;
            };
            let (db, settings) = (state.db.clone(), state.settings.clone());
            if !settings.remind_in_process {
                return;
            }
            let mailer = match crate::mail::Mailer::from_settings(&settings) {
                Ok(Some(mailer)) => mailer,
                Ok(None) => return,
                Err(error) => {
                    log::error!("reminders are off: {error}");
                    return;
                }
            };
            let remind_at = chrono::NaiveTime::parse_from_str(&settings.remind_at, "%H:%M")
                .unwrap_or(chrono::NaiveTime::MIN);
            let mut shutdown = rocket.shutdown();
            tokio::spawn(async move {
                let mut interval = tokio::time::interval(std::time::Duration::from_secs(60));
                let mut last_run = None;
                loop {
                    tokio::select! {
                        _ = interval.tick() => {
                            let now = crate::services::japan_now();
                            let today = now.date_naive();
                            let outcome = if now.time() >= remind_at && last_run != Some(today) {
                                last_run = Some(today);
                                crate::services::reminders::run(&db, &settings, Some(&mailer), today, false).await
                            } else {
                                crate::services::reminders::send_pending(&db, &mailer).await
                            };
                            match outcome {
                                Ok(report) if report.sent + report.failed + report.queued > 0 => log::info!(
                                    "reminders: {} queued, {} sent, {} failed, {} pending",
                                    report.queued, report.sent, report.failed, report.pending
                                ),
                                Ok(_) => {}
                                Err(error) => log::warn!("reminders: {error}"),
                            }
                        }
                        _ = &mut shutdown => break,
                    }
                }
            });
        })
    })
}
