//! The SQLite backend: one SQLCipher connection behind a mutex, opened (keyed
//! with the data key), checked and migrated in one place, and the queries of
//! each concept in a file of their own. [`super::Storage`] calls
//! [`SqliteDb::write`] / [`SqliteDb::read`] from tokio's blocking pool. A file
//! that the key does not open is refused and left exactly as it was.

pub(crate) mod attachments;
pub(crate) mod devices;
pub(crate) mod events;
pub(crate) mod link;
pub(crate) mod officer;
mod open;
pub(crate) mod persons;
pub(crate) mod schema;
pub(crate) mod submissions;

use std::sync::Mutex;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
use crate::storage::key::DataKey;
use crate::storage::DbLocation;

pub use open::has_data;

/// The server's one connection, behind a mutex: every read and write takes it
/// in turn.
pub struct SqliteDb {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteDb").finish_non_exhaustive()
    }
}

impl SqliteDb {
    /// Opens (creating if needed, 0600) and migrates the database; a file is
    /// encrypted with `key`. Errors: [`Error::WrongKey`], [`Error::NotEncrypted`],
    /// [`Error::SchemaTooNew`]; in each case the file is left untouched.
    pub fn open(location: &DbLocation, key: &DataKey) -> Result<SqliteDb> {
        let mut conn = match location {
            // Never on disk: nothing to encrypt.
            DbLocation::Memory => open::connect(Connection::open_in_memory)?,
            DbLocation::File(path) | DbLocation::FileAndBucket { path, .. } => {
                open::open_file(path, key)?
            }
            DbLocation::Postgres { .. } => {
                return Err(Error::Runtime("not a SQLite location".into()))
            }
        };
        schema::configure(&conn, location.sqlite_file().is_some())?;
        schema::migrate(&mut conn)?;
        Ok(SqliteDb {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>> {
        // A poisoned lock means a panic mid-transaction; SQLite rolled it back,
        // so the connection itself is still sound.
        Ok(self.conn.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction; commits on `Ok`.
    pub(crate) fn write<T, E>(&self, f: impl FnOnce(&Transaction) -> Result<T, E>) -> Result<T, E>
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
    pub(crate) fn read<T, E>(&self, f: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<Error>,
    {
        let conn = self.lock()?;
        f(&conn)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Storage(Box::new(e))
    }
}

impl SqliteDb {
    /// Runs `sql` (one or more statements) in one transaction. For tests that
    /// make a database look older or damaged; the server never calls it.
    #[doc(hidden)]
    pub fn execute_for_tests(&self, sql: &str) -> Result<()> {
        self.write(|tx| tx.execute_batch(sql).map_err(Error::from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::key;
    use open::SQLITE_HEADER;
    use std::fs;
    use std::path::Path;

    const NIK: &str = "3515140508680001";

    fn with_nik(db: &SqliteDb) {
        db.write(|tx| {
            tx.execute("INSERT INTO participants VALUES ('p', 'd', ?1, 0)", [NIK])?;
            Ok::<_, Error>(())
        })
        .unwrap();
    }

    fn bytes_of(dir: &Path) -> Vec<u8> {
        let mut all = Vec::new();
        for entry in fs::read_dir(dir).unwrap().flatten() {
            if entry.path().is_file() {
                all.extend(fs::read(entry.path()).unwrap());
            }
        }
        all
    }

    #[test]
    fn a_database_file_never_holds_a_nik_in_plaintext_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let key = DataKey::generate();
        let db = SqliteDb::open(&DbLocation::File(path.clone()), &key).unwrap();
        with_nik(&db);
        let all = bytes_of(dir.path());
        assert!(!all.windows(NIK.len()).any(|w| w == NIK.as_bytes()));
        assert!(!all.starts_with(SQLITE_HEADER));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for entry in fs::read_dir(dir.path()).unwrap().flatten() {
                let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{:?}", entry.file_name());
            }
        }
        drop(db);
        let again = SqliteDb::open(&DbLocation::File(path), &key).unwrap();
        let label: String = again
            .read(|c| {
                Ok::<_, Error>(c.query_row("SELECT label FROM participants", [], |r| r.get(0))?)
            })
            .unwrap();
        assert_eq!(label, NIK);
    }

    #[test]
    fn a_wrong_key_is_refused_and_the_file_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let db = SqliteDb::open(&DbLocation::File(path.clone()), &DataKey::generate()).unwrap();
        with_nik(&db);
        drop(db);
        let before = bytes_of(dir.path());
        let err =
            SqliteDb::open(&DbLocation::File(path.clone()), &DataKey::generate()).unwrap_err();
        assert_eq!(err.code(), "server.wrong_key");
        assert_eq!(
            bytes_of(dir.path()),
            before,
            "nothing in the folder changed"
        );
        // Without the sidecar SQLCipher itself must tell.
        fs::remove_file(key::check_path(&path)).unwrap();
        let before_db = fs::read(&path).unwrap();
        let err =
            SqliteDb::open(&DbLocation::File(path.clone()), &DataKey::generate()).unwrap_err();
        assert_eq!(err.code(), "server.wrong_key");
        assert_eq!(fs::read(&path).unwrap(), before_db);
    }

    #[test]
    fn a_plaintext_database_is_refused_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let plain = Connection::open(&path).unwrap();
        plain
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        drop(plain);
        let before = fs::read(&path).unwrap();
        let err =
            SqliteDb::open(&DbLocation::File(path.clone()), &DataKey::generate()).unwrap_err();
        assert_eq!(err.code(), "server.not_encrypted");
        assert_eq!(fs::read(&path).unwrap(), before);
    }
}
