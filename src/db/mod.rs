//! All SQL lives here. One SQL text serves SQLite and PostgreSQL through sqlx's `Any` driver:
//! dates are ISO text, flags are 0/1 integers, ids come back through `RETURNING id`, placeholders are `$n`.

pub mod api_tokens;
pub mod audit;
pub mod audit_reports;
pub mod certifications;
pub mod checklists;
pub mod clauses;
pub mod contracts;
pub mod corrective_actions;
pub mod deletions;
pub mod departments;
mod errors;
pub mod files;
mod ids;
pub mod inbox;
pub mod incident_contacts;
pub mod incidents;
pub mod kept;
pub mod kept_reads;
pub mod ledger_uploads;
pub mod maintenance;
pub mod mfa;
pub mod notifications;
pub mod outbox;
pub mod policies;
pub mod requests;
pub mod reviews;
pub mod seed;
pub mod sessions;
pub mod sql;
pub mod standings;
pub mod star_conditions;
pub mod subcontractors;
pub mod suspensions;
pub mod tenders;
pub mod users;
pub mod values;
pub mod vendors;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

pub use sql::Sql;
pub use values::{IntBool, IsoDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Self, String> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(format!(
                "DATABASE_URL must start with sqlite:// or postgres:// (got {:?})",
                url.split(':').next().unwrap_or_default()
            ))
        }
    }
}

/// The connection pool with the backend it talks to.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// Every certification, while none changes.
    pub(crate) certifications: Arc<certifications::KeptAll>,
    /// Query results, while the tables they read stand.
    pub(crate) reads: Arc<kept_reads::KeptReads>,
}

impl Db {
    /// Connects, creating an SQLite file when missing (WAL mode, foreign keys on), and runs migrations.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        Self::connect_logged(url, max_connections, false).await
    }

    /// Like `connect`, with every statement logged (`tracing`, target `sqlx::query`, debug): to
    /// learn which tables a piece of work reads.
    pub async fn connect_logging_statements(
        url: &str,
        max_connections: u32,
    ) -> Result<Self, sqlx::Error> {
        Self::connect_logged(url, max_connections, true).await
    }

    async fn connect_logged(
        url: &str,
        max_connections: u32,
        log_statements: bool,
    ) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend =
            Backend::of_url(url).map_err(|message| sqlx::Error::Configuration(message.into()))?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let separator = if url.contains('?') { '&' } else { '?' };
                format!("{url}{separator}mode=rwc")
            }
            _ => url.to_string(),
        };
        let mut options = AnyConnectOptions::from_str(&url)?;
        if !log_statements {
            options = options.disable_statement_logging();
        }
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            // Long enough for a queue under load, short enough that an outage answers 503 promptly.
            .acquire_timeout(Duration::from_secs(5))
            // sqlx pings every connection when it is released, and a broken one is closed then; a
            // second ping on every acquire costs a round trip per query for nothing.
            .test_before_acquire(false)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA mmap_size = 268435456;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let db = Db {
            pool,
            backend,
            certifications: Arc::default(),
            reads: Arc::default(),
        };
        if backend == Backend::Sqlite {
            db.pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        db.migrate().await?;
        let db = Db {
            reads: Arc::new(kept_reads::KeptReads::new(db.tables().await?)),
            ..db
        };
        db.build_standings().await?;
        Ok(db)
    }

    /// The query results this server keeps between reads.
    pub fn kept_reads(&self) -> &kept_reads::KeptReads {
        &self.reads
    }

    /// The same database, read as a server that has kept nothing yet would read it.
    pub fn with_nothing_kept(&self) -> Db {
        Db {
            certifications: Arc::default(),
            reads: Arc::new(self.reads.emptied()),
            ..self.clone()
        }
    }

    /// The name of every table.
    pub async fn tables(&self) -> Result<Vec<String>, sqlx::Error> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')",
            Backend::Postgres => {
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()"
            }
        };
        sqlx::query_scalar(sql).fetch_all(&self.pool).await
    }

    /// Builds the standings of data that existed before they did (once, after migration 0022).
    async fn build_standings(&self) -> Result<(), sqlx::Error> {
        if standings::built(&mut *self.acquire().await?).await? {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        // Another server sharing the database may have built them while this one waited.
        if !standings::built(&mut tx).await? {
            let contracts = standings::rebuild(&mut tx).await?;
            log::info!("built the standings of {contracts} contracts");
        }
        tx.commit().await
    }

    /// Runs the migrations. On SQLite they run on one connection with foreign-key enforcement off:
    /// SQLite can change a column's constraints only by rebuilding its table, and its documented
    /// procedure drops the old table, which enforcement would refuse while other tables refer to it.
    /// What the rebuilt tables hold is then checked (`PRAGMA foreign_key_check`) before any use,
    /// when a migration ran: the check reads every table, a second or more at 300,000 contracts.
    async fn migrate(&self) -> Result<(), sqlx::Error> {
        let migrate_error = |e| sqlx::Error::Migrate(Box::new(e));
        match self.backend {
            Backend::Postgres => sqlx::migrate!("migrations/postgres")
                .run(&self.pool)
                .await
                .map_err(migrate_error),
            Backend::Sqlite => {
                let mut conn = self.pool.acquire().await?;
                conn.execute("PRAGMA foreign_keys = OFF").await?;
                let before = applied_migrations(&mut conn).await?;
                // `run_direct`: sqlx's own way around `run`'s higher-ranked `Acquire` bound, which
                // made every caller's future not `Send`.
                let result = sqlx::migrate!("migrations/sqlite")
                    .run_direct(&mut *conn)
                    .await
                    .map_err(migrate_error);
                let broken = match applied_migrations(&mut conn).await? == before {
                    true => 0,
                    false => sqlx::query("PRAGMA foreign_key_check")
                        .fetch_all(&mut *conn)
                        .await?
                        .len(),
                };
                conn.execute("PRAGMA foreign_keys = ON").await?;
                result?;
                if broken > 0 {
                    return Err(sqlx::Error::Protocol(format!(
                        "the migrated database has {broken} rows whose foreign keys point nowhere"
                    )));
                }
                Ok(())
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn acquire(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, sqlx::Error> {
        self.pool.acquire().await
    }

    /// A write transaction. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`): a deferred
    /// transaction that reads and then writes fails at once with SQLITE_BUSY when another writer
    /// committed in between, where an immediate one waits its turn (`busy_timeout`).
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// A read-only transaction that sees one snapshot of the data throughout (PostgreSQL's default
    /// sees each statement's own); SQLite's deferred transaction already does.
    pub async fn begin_snapshot(&self) -> Result<Tx, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Answers whether the database responds, for `/healthz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A failure reported by the database driver, for callers that print it whole (the CLI, start-up).
pub type DbError = sqlx::Error;

/// An open transaction, committed or rolled back by the service that began it.
/// `mutex` locked, also when a holder panicked: what the store keeps stays whole between its
/// statements, so a panic elsewhere is no reason to stop serving it.
pub(crate) fn locked<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Connection type every repository function takes: a pooled connection or an open transaction.
pub type Conn = AnyConnection;

/// How many migrations an SQLite database has had (none before its first).
async fn applied_migrations(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    let tracked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(&mut *conn)
    .await?;
    match tracked {
        0 => Ok(0),
        _ => {
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
                .fetch_one(conn)
                .await
        }
    }
}
