//! The server's one SQLite connection behind a mutex, opened and migrated in
//! one place. Handlers call [`Db::write`] / [`Db::read`] from `spawn_blocking`.

use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
use crate::schema;

/// Where the server keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbLocation {
    /// A private in-memory database (tests, benchmarks); gone when the server stops.
    Memory,
    /// A SQLite file, created if missing.
    File(PathBuf),
}

/// The writer connection.
pub struct Db {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").finish_non_exhaustive()
    }
}

impl Db {
    /// Opens (creating if needed) and migrates the database.
    pub fn open(location: &DbLocation) -> Result<Db> {
        // SQLite here is SQLCipher with the Rust crypto provider; keep it linked.
        rantau_sqlcipher_provider::ensure_linked();
        let mut conn = match location {
            DbLocation::Memory => Connection::open_in_memory()?,
            DbLocation::File(path) => Connection::open(path)?,
        };
        schema::configure(&conn, matches!(location, DbLocation::File(_)))?;
        schema::migrate(&mut conn)?;
        Ok(Db {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>> {
        // A poisoned lock means a panic mid-transaction; SQLite rolled it back,
        // so the connection itself is still sound.
        Ok(self.conn.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction; commits on `Ok`.
    pub fn write<T, E>(&self, f: impl FnOnce(&Transaction) -> Result<T, E>) -> Result<T, E>
    where
        E: From<Error>,
    {
        let mut conn = self.lock()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(Error::from)?;
        let out = f(&tx)?;
        tx.commit().map_err(Error::from)?;
        Ok(out)
    }

    /// Runs `f` with the connection (no transaction).
    pub fn read<T, E>(&self, f: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<Error>,
    {
        let conn = self.lock()?;
        f(&conn)
    }
}
