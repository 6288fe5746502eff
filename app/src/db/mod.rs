//! The database: one code path for the embedded SQLite file (the default,
//! one district) and PostgreSQL (a city or province on one server).
//!
//! Queries are written once against [`AnyConnection`], diesel's
//! `MultiConnection` over both backends. Every table that belongs to a
//! district carries `district_id`, so scoping is a filter, never a join.
//! Money columns are integer fen (`BIGINT`), see [`crate::domain::money`].
//! Calls are blocking; async code goes through [`Db::run`], which moves them
//! off the async runtime.

pub mod accounts;
pub mod allocation;
pub mod approvals;
pub mod audit;
pub mod budget;
pub mod contracts;
pub mod district;
pub mod inspections;
pub mod payroll;
pub mod procurement;
pub mod roster;
pub mod roster_import;
pub mod schema;
pub mod services;
pub mod sessions;
pub mod suppliers;
pub mod write;

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection, R2D2Connection};

/// A connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

impl BackendKind {
    /// Chooses the backend from a `DATABASE_URL`: PostgreSQL for
    /// `postgres://` and `postgresql://`, otherwise a SQLite file path.
    pub fn of_url(url: &str) -> BackendKind {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            BackendKind::Postgres
        } else {
            BackendKind::Sqlite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Sqlite => "sqlite",
            BackendKind::Postgres => "postgres",
        }
    }
}

/// Why a database call failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("query failed: {0}")]
    Query(diesel::result::Error),
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("invalid data in the database: {0}")]
    Corrupt(String),
    #[error("not found")]
    NotFound,
    /// A unique value (such as a user name) is taken.
    #[error("already exists")]
    Conflict,
    /// Someone else changed the record since it was read.
    #[error("changed by someone else meanwhile")]
    Stale,
    /// Text the database cannot store (the NUL character, on PostgreSQL).
    #[error("text with a NUL character")]
    BadText,
    /// A request repeated with an idempotency key that an earlier request
    /// used: its effect happened already and does not happen twice.
    #[error("already done under this idempotency key")]
    Replayed,
    /// A write that recorded no audit entry (see `write::write`).
    #[error("a write recorded no audit entry")]
    Unaudited,
    #[error("database task panicked")]
    Task,
}

/// A failed statement. Two writers that met are not a failure of the
/// system but a lost race, and the loser is told so ([`DbError::Stale`]:
/// "changed by someone else meanwhile, reload"): a unique index refusing
/// a second row that a concurrent transaction inserted first, a
/// serialization failure, or a deadlock that PostgreSQL broke by aborting
/// one side. Text PostgreSQL cannot store (a NUL) is bad input
/// ([`DbError::BadText`], 422). Every other error stays a query failure
/// (500).
impl From<diesel::result::Error> for DbError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &e {
            Error::DatabaseError(
                kind @ (DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::SerializationFailure),
                info,
            ) => {
                tracing::warn!(kind = ?kind, detail = info.message(), "a concurrent write won; the loser is told to reload");
                DbError::Stale
            }
            // PostgreSQL cannot store the NUL character in text (SQLite can):
            // bad input, told as such, not a failure of the system.
            // (The server's messages may be translated: "UTF8" and "0x00"
            // are not.)
            Error::DatabaseError(_, info)
                if info.message().contains("0x00")
                    && (info.message().contains("invalid byte sequence")
                        || info.message().contains("UTF8")) =>
            {
                DbError::BadText
            }
            Error::DatabaseError(_, info)
                if info.message().contains("deadlock detected") || info.message().contains("死锁") =>
            {
                tracing::warn!(
                    detail = info.message(),
                    "deadlock broken by the database; the loser is told to reload"
                );
                DbError::Stale
            }
            _ => DbError::Query(e),
        }
    }
}

/// Settings applied to every SQLite connection: write-ahead logging so
/// readers never block the writer, enforced foreign keys, and a wait
/// instead of an immediate "database is locked" when writers meet.
/// The busy timeout comes first so that even switching a new file to WAL
/// waits for a concurrent connection instead of failing.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 10000;
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;";

/// Opens connections of one backend, with the SQLite settings applied.
#[derive(Debug)]
pub struct ConnectionManager {
    url: String,
    kind: BackendKind,
}

impl ManageConnection for ConnectionManager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        match self.kind {
            BackendKind::Postgres => diesel::PgConnection::establish(&self.url)
                .map(AnyConnection::Postgresql)
                .map_err(r2d2::Error::ConnectionError),
            BackendKind::Sqlite => {
                let mut conn =
                    diesel::SqliteConnection::establish(&self.url).map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_PRAGMAS).map_err(r2d2::Error::QueryError)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// A pooled connection.
pub type Conn = PooledConnection<ConnectionManager>;

/// The shared handle to the database. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager>,
    kind: BackendKind,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("kind", &self.kind).finish()
    }
}

impl Db {
    /// Connects to `url` (see [`BackendKind::of_url`]) with a pool of
    /// `pool_size` connections. A SQLite file and its folder are created
    /// when missing. Fails at once if no connection can be made.
    pub fn connect(url: &str, pool_size: u32) -> Result<Db, DbError> {
        let kind = BackendKind::of_url(url);
        let url = match kind {
            BackendKind::Postgres => url.to_owned(),
            BackendKind::Sqlite => {
                let path =
                    url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
                if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| DbError::Connect(format!("cannot create {}: {e}", dir.display())))?;
                }
                path.to_owned()
            }
        };
        let pool = Pool::builder()
            .max_size(pool_size.max(1))
            // Open one connection up front (it proves the URL works) and
            // the rest on demand, so start-up stays fast.
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(ConnectionManager { url, kind })
            .map_err(|e| DbError::Connect(e.to_string()))?;
        Ok(Db { pool, kind })
    }

    /// The backend in use.
    /// The pool's connections: (open, idle).
    pub fn pool_state(&self) -> (u32, u32) {
        let s = self.pool.state();
        (s.connections, s.idle_connections)
    }

    pub fn kind(&self) -> BackendKind {
        self.kind
    }

    /// A connection for blocking code (commands, migrations, tests).
    pub fn conn(&self) -> Result<Conn, DbError> {
        Ok(self.pool.get()?)
    }

    /// Runs blocking database work on the blocking thread pool.
    pub async fn run<T, F>(&self, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await
        .map_err(|_| DbError::Task)?
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), DbError> {
        self.run(|conn| Ok(conn.ping()?)).await
    }
}

#[cfg(test)]
mod tests {
    use super::BackendKind;

    #[test]
    fn url_scheme_selects_backend() {
        assert_eq!(BackendKind::of_url("postgres://u@h/db"), BackendKind::Postgres);
        assert_eq!(BackendKind::of_url("postgresql://u@h/db"), BackendKind::Postgres);
        assert_eq!(BackendKind::of_url("data/gouzhu.sqlite3"), BackendKind::Sqlite);
        assert_eq!(BackendKind::of_url("sqlite:///tmp/x.db"), BackendKind::Sqlite);
    }
}
