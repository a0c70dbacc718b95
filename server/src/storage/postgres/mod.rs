//! The PostgreSQL backend: a pool of `tokio-postgres` connections
//! (`deadpool-postgres`), migrated on start, and the queries of each concept in
//! a file of their own, with the same semantics as the SQLite backend. Every
//! call is native async; whatever a [`super::Storage`] method must do
//! atomically is one transaction at READ COMMITTED (the same steps SQLite
//! makes atomic with `BEGIN IMMEDIATE`).
//!
//! What SQLite's one writer gave for free is made explicit here:
//! - a submission id is stored once by `INSERT … ON CONFLICT (id) DO NOTHING`: a
//!   racing batch waits on the row and then replays the stored answer;
//! - KPJ numbers and payment codes come from a sequence (no draw-and-retry);
//! - positions (the change feed's and the officers' list's) come from a one-row
//!   counter taken as the last step before commit ([`positions`]), so they
//!   follow commit order;
//! - a new attachment's quota check and reservation, a device's enrollment,
//!   and the overlap check and write of one person's memberships (a
//!   registration, an import) are serialised by transaction-scoped advisory
//!   locks.
//!
//! Document bytes are in the [`crate::storage::files::FileStore`]: a folder
//! (one server process per folder: an upload's chunks and assembly are
//! serialised by its in-process lock) or a bucket several replicas share (its
//! chunk objects and assembly are safe to race: see `files.rs`).

pub(crate) mod attachments;
pub(crate) mod devices;
pub(crate) mod events;
pub(crate) mod link;
mod numbers;
pub(crate) mod officer;
pub(crate) mod persons;
mod positions;
pub(crate) mod schema;
pub mod scratch;
pub(crate) mod submissions;

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::error::SqlState;
use tokio_postgres::NoTls;

use crate::error::{Error, Result};
use crate::storage::location::PgUrl;

#[cfg(test)]
pub(crate) use positions::{Hold, HoldPoint};

/// Connections the server keeps open at most.
const POOL_SIZE: usize = 16;
/// How long a request waits for a connection (pool busy, or database down)
/// before it is answered as unavailable.
const WAIT: Duration = Duration::from_secs(10);
/// How long connecting may take.
const CONNECT: Duration = Duration::from_secs(5);

/// Advisory lock namespaces (the first key of `pg_advisory_xact_lock(int, int)`).
pub(crate) mod lock {
    /// One device's enrollment (second key: a hash of its id).
    pub const ENROLL: i32 = 1;
    /// Reserving quota for a new attachment (second key: 0; one at a time).
    pub const RESERVE: i32 = 2;
    /// Migrating the schema (second key: 0).
    pub const MIGRATE: i32 = 3;
    /// Checking and writing one person's memberships (second key: a hash of the NIK).
    pub const PERSON: i32 = 4;
}

/// The server's pool of connections to one database.
pub struct PgDb {
    pool: Pool,
    /// Test-only: a pause inside the next appending transaction.
    #[cfg(test)]
    pub(crate) hold: std::sync::Mutex<Option<Hold>>,
}

impl std::fmt::Debug for PgDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgDb").finish_non_exhaustive()
    }
}

/// A pooled connection.
pub(crate) type Client = deadpool_postgres::Object;

/// A transaction on a pooled connection: its `prepare_cached` keeps each
/// statement prepared on its connection, so a query is one round trip, not two.
pub(crate) type Tx<'a> = deadpool_postgres::Transaction<'a>;

impl PgDb {
    /// Connects to `url` and migrates its schema. Errors:
    /// [`Error::Unavailable`] when the database cannot be reached,
    /// [`Error::SchemaTooNew`] when a newer server wrote it (left untouched).
    pub async fn connect(url: &PgUrl) -> Result<PgDb> {
        let db = PgDb::pool(url)?;
        schema::migrate(&mut db.client().await?).await?;
        Ok(db)
    }

    /// A pool on `url` that has not migrated anything: a test's way to build a
    /// database as an older server left it.
    #[cfg(test)]
    pub(crate) fn unmigrated_for_tests(url: &PgUrl) -> Result<PgDb> {
        PgDb::pool(url)
    }

    /// The pool (no connection is made yet).
    fn pool(url: &PgUrl) -> Result<PgDb> {
        let mut config: tokio_postgres::Config = url
            .expose()
            .parse()
            .map_err(|e: tokio_postgres::Error| Error::Malformed(format!("database URL: {e}")))?;
        config.connect_timeout(CONNECT);
        config.application_name("rantau-server");
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                // A connection the database closed is noticed by the driver and
                // replaced; no round trip per checkout.
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(WAIT))
            .create_timeout(Some(CONNECT))
            .recycle_timeout(Some(CONNECT))
            .build()
            .map_err(|e| Error::Runtime(format!("database pool: {e}")))?;
        Ok(PgDb {
            pool,
            #[cfg(test)]
            hold: std::sync::Mutex::new(None),
        })
    }

    /// A connection from the pool.
    pub(crate) async fn client(&self) -> Result<Client> {
        self.pool.get().await.map_err(Error::from)
    }

    /// The schema version the database holds now.
    pub(crate) async fn schema_version(&self) -> Result<i32> {
        schema::current(&self.client().await?).await
    }

    /// The pool's connections now: most, open, idle, and requests waiting for one.
    pub(crate) fn pool_status(&self) -> crate::storage::PoolStatus {
        let s = self.pool.status();
        crate::storage::PoolStatus {
            max_size: s.max_size,
            size: s.size,
            available: s.available,
            waiting: s.waiting,
        }
    }

    /// Closes every connection (new checkouts fail).
    pub fn close(&self) {
        self.pool.close();
    }

    /// Runs `sql` (one or more statements) in one transaction. For tests that
    /// make a database look older or damaged; the server never calls it.
    #[doc(hidden)]
    pub async fn execute_for_tests(&self, sql: &str) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.batch_execute(sql).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// True for the errors that mean "the database is not there right now" rather
/// than "this query is wrong": the connection broke, the server is shutting
/// down or starting, or it has no connection slot left.
fn unavailable(e: &tokio_postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        return code.code().starts_with("08")
            || [
                SqlState::ADMIN_SHUTDOWN,
                SqlState::CRASH_SHUTDOWN,
                SqlState::CANNOT_CONNECT_NOW,
                SqlState::TOO_MANY_CONNECTIONS,
            ]
            .contains(code);
    }
    // No SQL state: the socket failed or timed out.
    std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
        || e.to_string().contains("timeout")
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        if unavailable(&e) {
            Error::Unavailable(e.to_string())
        } else if e.code() == Some(&SqlState::CHARACTER_NOT_IN_REPERTOIRE) {
            // A NUL in a text parameter (an id in a path, a query, a label): SQLite
            // would store or miss it; PostgreSQL refuses the statement.
            Error::TextNotStorable
        } else {
            Error::Storage(Box::new(e))
        }
    }
}

impl From<deadpool_postgres::PoolError> for Error {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => Error::from(e),
            // Timed out waiting for or making a connection, or the pool is closed.
            other => Error::Unavailable(other.to_string()),
        }
    }
}

/// A non-negative count or size stored as BIGINT.
pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A BIGINT read back as a count or size (never negative by construction).
pub(crate) fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
