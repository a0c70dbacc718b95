//! The server's one SQLite connection behind a mutex, opened (SQLCipher, keyed
//! with the data key), checked and migrated in one place. Handlers call
//! [`Db::write`] / [`Db::read`] from `spawn_blocking`. A file that the key does
//! not open is refused and left exactly as it was.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
use crate::key::{self, DataKey, KeyCheck};
use crate::schema;

/// SQLCipher 4 settings, set explicitly (as the phone does) so a file stays
/// readable when a later SQLCipher changes its defaults. Must follow `PRAGMA key`.
const CIPHER_SETTINGS: &str = "
PRAGMA cipher_page_size = 4096;
PRAGMA kdf_iter = 256000;
PRAGMA cipher_hmac_algorithm = HMAC_SHA512;
PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA512;
PRAGMA cipher_plaintext_header_size = 0;
";

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

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
    /// Opens (creating if needed, 0600) and migrates the database; a file is
    /// encrypted with `key`. Errors: [`Error::WrongKey`], [`Error::NotEncrypted`],
    /// [`Error::SchemaTooNew`]; in each case the file is left untouched.
    pub fn open(location: &DbLocation, key: &DataKey) -> Result<Db> {
        // SQLite here is SQLCipher with the Rust crypto provider; keep it linked.
        rantau_sqlcipher_provider::ensure_linked();
        let mut conn = match location {
            // Never on disk: nothing to encrypt.
            DbLocation::Memory => Connection::open_in_memory()?,
            DbLocation::File(path) => open_file(path, key)?,
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

/// True when `path` holds data (a file longer than 0 bytes).
pub fn has_data(path: &Path) -> Result<bool> {
    match fs::metadata(path) {
        Ok(m) => Ok(m.len() > 0),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Opens the database file at `path` with `key`: a new file is made 0600 (SQLite
/// gives its WAL and shared-memory files the same mode) and gets a key-check
/// sidecar; an existing one must pass the sidecar, then decrypt.
fn open_file(path: &Path, key: &DataKey) -> Result<Connection> {
    let existing = has_data(path)?;
    let check = if existing {
        let check = key::check(path, key)?;
        if check == KeyCheck::Mismatch {
            return Err(Error::WrongKey);
        }
        check
    } else {
        create_private(path)?;
        KeyCheck::Unknown
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    if let Err(e) = unlock(&conn, key) {
        drop(conn);
        if matches!(&e, rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::NotADatabase) {
            return Err(diagnose(path, check)?);
        }
        return Err(e.into());
    }
    if check != KeyCheck::Matches {
        // The key opened the file (or made it): remember which key that was.
        key::write_check(path, key)?;
    }
    Ok(conn)
}

/// Keys the connection and checks the key by reading the schema (the first read
/// decrypts page 1; nothing is written).
fn unlock(conn: &Connection, key: &DataKey) -> rusqlite::Result<()> {
    // We diagnose a failed decrypt ourselves; SQLCipher's own log would repeat it.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(key.pragma_sql().text())?;
    conn.execute_batch(CIPHER_SETTINGS)?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(())
}

/// Why a keyed read failed, from the file's first bytes (read only).
fn diagnose(path: &Path, check: KeyCheck) -> Result<Error> {
    let mut head = Vec::with_capacity(16);
    fs::File::open(path)?.take(16).read_to_end(&mut head)?;
    Ok(if head.as_slice() == SQLITE_HEADER {
        Error::NotEncrypted
    } else if check == KeyCheck::Matches {
        Error::Malformed("the key is right but the database file cannot be read".into())
    } else {
        Error::WrongKey
    })
}

/// Makes an empty file at `path` readable by its owner only (an existing one is
/// narrowed to 0600), and its folder 0700 when this creates it.
fn create_private(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            crate::files::create_private_dir(parent)?;
        }
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    drop(file);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NIK: &str = "3515140508680001";

    fn with_nik(db: &Db) {
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
        let db = Db::open(&DbLocation::File(path.clone()), &key).unwrap();
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
        let again = Db::open(&DbLocation::File(path), &key).unwrap();
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
        let db = Db::open(&DbLocation::File(path.clone()), &DataKey::generate()).unwrap();
        with_nik(&db);
        drop(db);
        let before = bytes_of(dir.path());
        let err = Db::open(&DbLocation::File(path.clone()), &DataKey::generate()).unwrap_err();
        assert_eq!(err.code(), "server.wrong_key");
        assert_eq!(
            bytes_of(dir.path()),
            before,
            "nothing in the folder changed"
        );
        // Without the sidecar SQLCipher itself must tell.
        fs::remove_file(key::check_path(&path)).unwrap();
        let before_db = fs::read(&path).unwrap();
        let err = Db::open(&DbLocation::File(path.clone()), &DataKey::generate()).unwrap_err();
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
        let err = Db::open(&DbLocation::File(path.clone()), &DataKey::generate()).unwrap_err();
        assert_eq!(err.code(), "server.not_encrypted");
        assert_eq!(fs::read(&path).unwrap(), before);
    }
}
