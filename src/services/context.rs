//! What every use case may need besides its input, built once when the server starts: the database,
//! the settings, the parse sandbox, the kept judgements and the sign-in throttle. The web layer's
//! `AppState` is its handle on this context.

use crate::auth::throttle::Throttle;
use crate::config::Settings;
use crate::db::Db;
use crate::sandbox::Sandbox;

use super::dashboards::Dashboards;

pub struct AppContext {
    pub db: Db,
    pub settings: Settings,
    pub sandbox: Sandbox,
    pub dashboards: Dashboards,
    pub throttle: Throttle,
}

impl AppContext {
    pub fn new(db: Db, settings: Settings) -> Self {
        AppContext {
            db,
            sandbox: Sandbox::from_settings(&settings),
            throttle: Throttle::new(settings.throttle_limits()),
            dashboards: Dashboards::default(),
            settings,
        }
    }
}
