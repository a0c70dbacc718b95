//! Opening a profile database: key, cipher settings, the wrong-key/damaged-file
//! diagnosis, pragmas and migration, all in one place. On any error the files are
//! left exactly as they were (never deleted, truncated or written).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

use crate::store::interrupt::InterruptHandle;
use crate::store::key::Key;
use crate::store::keycheck::{self, KeyCheck};
use crate::store::later::{Later, Op};
use crate::store::schema;
use crate::{Error, Result};

/// SQLCipher 4 settings, set explicitly so a file stays readable when a later
/// SQLCipher changes its defaults. Must follow `PRAGMA key`.
const CIPHER_SETTINGS: &str = "
PRAGMA cipher_page_size = 4096;
PRAGMA kdf_iter = 256000;
PRAGMA cipher_hmac_algorithm = HMAC_SHA512;
PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA512;
PRAGMA cipher_plaintext_header_size = 0;
";

/// Page size of every profile database (matches `cipher_page_size`).
const PAGE_SIZE: u64 = 4096;

/// Connection pragmas. WAL keeps autosave cheap; `temp_store=MEMORY` because
/// Android has no usable temp directory; NORMAL sync is safe in WAL mode (a crash
/// may lose the last commits, never corrupt) and `write_durable` upgrades to FULL.
const CONNECTION_PRAGMAS: &str = "
PRAGMA journal_mode = WAL;
PRAGMA foreign_keys = ON;
PRAGMA temp_store = MEMORY;
PRAGMA busy_timeout = 5000;
PRAGMA journal_size_limit = 4194304;
PRAGMA synchronous = NORMAL;
";

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// How to open a profile database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Make a new database. A file already there → [`Error::ProfileExists`]
    /// (an empty file left by an interrupted create is taken over).
    Create,
    /// Open a database that must exist → [`Error::ProfileNotFound`] if missing.
    Existing,
}

/// One profile's encrypted database: one writer connection behind a mutex, an
/// interrupt handle beside it (outside the mutex, so it works while a call runs),
/// and the writes that may wait a moment ([`Store::write_later`]).
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    later: Arc<Later>,
    interrupt: Arc<InterruptHandle>,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    // The path holds the profile name, which may be a person's name.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Drop for Store {
    /// Closing writes what waits, so a closed profile holds every keystroke.
    fn drop(&mut self) {
        self.later.close();
        if self.has_queued_writes() {
            if let Err(e) = self.flush() {
                tracing::warn!(code = e.code(), "queued autosave lost at close");
            }
        }
    }
}

/// Maps SQLite's "disk full", "I/O error" and "interrupted", and the file system's
/// "no space" / "file too large", to their own variants: the app tells the user
/// what to do about each, so none may surface as a generic database error.
pub(crate) fn classify(err: Error) -> Error {
    match err {
        Error::Sqlite(rusqlite::Error::SqliteFailure(ref e, _)) => match e.code {
            ErrorCode::DiskFull => Error::StorageFull,
            ErrorCode::SystemIoFailure => Error::StorageIo {
                extended: e.extended_code,
            },
            ErrorCode::OperationInterrupted => Error::Interrupted,
            _ => err,
        },
        Error::Io(ref e) => match e.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                Error::StorageFull
            }
            std::io::ErrorKind::FileTooLarge => Error::StorageIo {
                extended: rusqlite::ffi::SQLITE_IOERR_WRITE,
            },
            _ => err,
        },
        other => other,
    }
}

fn profile_label(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn is_not_a_database(err: &rusqlite::Error) -> bool {
    matches!(err, rusqlite::Error::SqliteFailure(e, _) if e.code == ErrorCode::NotADatabase)
}

/// Opens a connection to `path` once SQLite and SQLCipher have finished their
/// one-time set-up: a connection opened while another thread is still in it would
/// fail its `PRAGMA key` (see `rantau_sqlcipher_provider::initialize`).
pub(crate) fn connect(path: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    rantau_sqlcipher_provider::initialize().map_err(|e| {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(e.0), Some(e.to_string()))
    })?;
    Connection::open_with_flags(path, flags)
}

/// Keys the connection and checks the key by reading the schema (the first read
/// decrypts page 1; nothing is written).
pub(crate) fn unlock(conn: &Connection, key: &Key) -> rusqlite::Result<()> {
    // We diagnose a failed decrypt ourselves; SQLCipher's own log would only repeat it.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(key.pragma_sql().as_str())?;
    conn.execute_batch(CIPHER_SETTINGS)?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(())
}

/// Why a keyed read failed with SQLITE_NOTADB, from the file's first bytes (read only).
fn diagnose(path: &Path, check: KeyCheck) -> Result<Error> {
    let mut head = Vec::with_capacity(16);
    fs::File::open(path)?.take(16).read_to_end(&mut head)?;
    let size = fs::metadata(path)?.len();
    Ok(if head.as_slice() == SQLITE_HEADER {
        Error::NotADatabase("not encrypted".into())
    } else if check == KeyCheck::Matches {
        Error::NotADatabase("damaged: the key is right but the file cannot be read".into())
    } else if check == KeyCheck::Unknown && size > 0 && size % PAGE_SIZE == 0 {
        // Looks like whole encrypted pages: most likely another key.
        Error::WrongKey
    } else {
        Error::NotADatabase("damaged or not a database".into())
    })
}

impl Store {
    /// Opens (or creates) the database at `path` with `key`, then migrates it to
    /// the current schema. Errors: [`Error::ProfileNotFound`], [`Error::ProfileExists`],
    /// [`Error::WrongKey`], [`Error::NotADatabase`], [`Error::SchemaTooNew`],
    /// [`Error::StorageFull`]; in each case the files are left untouched.
    pub fn open(path: &Path, key: &Key, mode: OpenMode) -> Result<Store> {
        Self::open_inner(path, key, mode).map_err(classify)
    }

    fn open_inner(path: &Path, key: &Key, mode: OpenMode) -> Result<Store> {
        let existing_len = match fs::metadata(path) {
            Ok(m) => Some(m.len()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        let check = match mode {
            OpenMode::Create => {
                if existing_len.is_some_and(|len| len > 0) {
                    return Err(Error::ProfileExists(profile_label(path)));
                }
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    fs::create_dir_all(parent)?;
                }
                KeyCheck::Unknown
            }
            OpenMode::Existing => {
                match existing_len {
                    None => return Err(Error::ProfileNotFound(profile_label(path))),
                    Some(0) => return Err(Error::NotADatabase("empty file".into())),
                    Some(_) => {}
                }
                let check = keycheck::check(path, key)?;
                if check == KeyCheck::Mismatch {
                    return Err(Error::WrongKey);
                }
                check
            }
        };

        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | if mode == OpenMode::Create {
                OpenFlags::SQLITE_OPEN_CREATE
            } else {
                OpenFlags::empty()
            };
        let mut conn = connect(path, flags)?;
        if let Err(e) = unlock(&conn, key) {
            drop(conn);
            if is_not_a_database(&e) {
                return Err(diagnose(path, check)?);
            }
            return Err(e.into());
        }
        // Refuse a newer schema before anything could write (journal_mode=WAL writes the header).
        schema::check_not_too_new(schema::user_version(&conn)?)?;

        conn.execute_batch(CONNECTION_PRAGMAS)?;
        conn.set_prepared_statement_cache_capacity(64);
        {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            schema::migrate(&tx)?;
            tx.commit()?;
        }
        if check != KeyCheck::Matches {
            // Written once the key is known to open the file: at create, or for a
            // database that lost (or predates) its sidecar. Only an aid to diagnosis,
            // so an existing profile still opens if it cannot be written.
            match (keycheck::write(path, key), mode) {
                (Ok(()), _) => {}
                (Err(e), OpenMode::Create) => return Err(e),
                (Err(e), OpenMode::Existing) => {
                    tracing::warn!(code = e.code(), "key-check sidecar not written")
                }
            }
        }
        let interrupt = Arc::new(InterruptHandle::new(conn.get_interrupt_handle()));
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            later: Arc::default(),
            interrupt,
            path: path.to_path_buf(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a closure poisons the mutex, but its transaction was rolled
        // back when unwinding dropped it, so the connection is still consistent.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The connection, with every write that waited written first.
    fn caught_up(&self) -> Result<MutexGuard<'_, Connection>> {
        let mut conn = self.lock();
        self.later.catch_up(&mut conn).map_err(classify)?;
        Ok(conn)
    }

    /// Runs `f` with the connection, for reads. A queued write that cannot be
    /// written now (it stays queued) does not stop a read: the read sees the
    /// store as it is.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        if let Err(e) = self.later.catch_up(&mut conn) {
            let e = classify(e);
            tracing::warn!(code = e.code(), "queued autosave not written before a read");
        }
        f(&conn).map_err(classify)
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction, committed if `f` returns `Ok`
    /// and rolled back otherwise. Queued writes are written first (their failure
    /// is this call's).
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.caught_up()?;
        Self::run_write(&mut conn, f).map_err(classify)
    }

    /// Like [`write`](Self::write), but the commit is flushed to storage
    /// (`synchronous=FULL`) before returning: it survives a power loss. For finalize.
    pub fn write_durable<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.caught_up()?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| classify(e.into()))?;
        let outcome = Self::run_write(&mut conn, f);
        let restored = conn.pragma_update(None, "synchronous", "NORMAL");
        let value = outcome.map_err(classify)?;
        restored.map_err(|e| classify(e.into()))?;
        Ok(value)
    }

    /// Queues `op` to be written in a moment by a background thread, and returns
    /// at once without touching the connection: for a keystroke's autosave, which
    /// must not wait for the disk or for a sync holding the connection. Every
    /// later [`read`](Self::read), [`write`](Self::write) or
    /// [`flush`](Self::flush) of this store writes it first; see [`later`](super::later).
    pub fn write_later(&self, op: Op) {
        self.later.push(&self.conn, op);
    }

    /// Writes every queued write now.
    pub fn flush(&self) -> Result<()> {
        self.caught_up().map(drop)
    }

    /// True while a write queued by [`write_later`](Self::write_later) waits.
    pub fn has_queued_writes(&self) -> bool {
        self.later.pending()
    }

    fn run_write<T>(
        conn: &mut Connection,
        f: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32> {
        self.read(schema::user_version)
    }

    /// Runs `PRAGMA integrity_check` (and SQLCipher's page HMAC check); true if both pass.
    pub fn integrity_check(&self) -> Result<bool> {
        self.read(|conn| {
            let result: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            let mut stmt = conn.prepare("PRAGMA cipher_integrity_check")?;
            let cipher_errors = stmt.query_map([], |_| Ok(()))?.count();
            Ok(result == "ok" && cipher_errors == 0)
        })
    }

    /// The interrupt handle for this store; usable from any thread while a call runs.
    pub fn interrupt_handle(&self) -> Arc<InterruptHandle> {
        Arc::clone(&self.interrupt)
    }

    /// The database file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Copies the WAL into the database file and truncates it (e.g. before a backup).
    pub fn checkpoint(&self) -> Result<()> {
        self.read(|conn| {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{draft, submission, temp_store, test_key};
    use crate::store::{drafts, outbox};
    use serde_json::json;
    use std::time::SystemTime;

    /// Bytes and mtime of every file in `dir`, to prove an error left them alone.
    fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>, SystemTime)> {
        let mut files: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                let bytes = fs::read(&p).unwrap();
                let mtime = fs::metadata(&p).unwrap().modified().unwrap();
                (p, bytes, mtime)
            })
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }

    fn make_profile(dir: &Path) -> PathBuf {
        let path = dir.join("ani.db");
        let store = Store::open(&path, &test_key(), OpenMode::Create).unwrap();
        store
            .write(|tx| drafts::insert_draft(tx, &draft("d1", 5)))
            .unwrap();
        drop(store);
        path
    }

    #[test]
    fn create_then_reopen_with_the_right_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = make_profile(dir.path());
        assert!(keycheck::sidecar_path(&path).exists());
        let store = Store::open(&path, &test_key(), OpenMode::Existing).unwrap();
        assert_eq!(store.schema_version().unwrap(), schema::VERSION);
        assert!(store.integrity_check().unwrap());
        assert_eq!(
            store.read(|c| drafts::get_draft(c, "d1")).unwrap(),
            Some(draft("d1", 5))
        );
        let journal: String = store
            .read(|c| Ok(c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(journal, "wal");
        let fk: i64 = store
            .read(|c| Ok(c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn create_refuses_an_existing_profile_and_existing_needs_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = make_profile(dir.path());
        let before = snapshot(dir.path());
        assert!(
            matches!(Store::open(&path, &test_key(), OpenMode::Create), Err(Error::ProfileExists(n)) if n == "ani")
        );
        assert_eq!(snapshot(dir.path()), before);
        let missing = dir.path().join("budi.db");
        assert!(
            matches!(Store::open(&missing, &test_key(), OpenMode::Existing), Err(Error::ProfileNotFound(n)) if n == "budi")
        );
        assert!(!missing.exists());
    }

    #[test]
    fn create_takes_over_an_empty_file_left_by_an_interrupted_create() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new").join("ani.db");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, b"").unwrap();
        let store = Store::open(&path, &test_key(), OpenMode::Create).unwrap();
        assert_eq!(store.schema_version().unwrap(), schema::VERSION);
        assert_eq!(
            keycheck::check(&path, &test_key()).unwrap(),
            KeyCheck::Matches
        );
    }

    #[test]
    fn wrong_key_is_wrong_key_and_touches_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = make_profile(dir.path());
        let before = snapshot(dir.path());
        let err = Store::open(&path, &Key::generate(), OpenMode::Existing).unwrap_err();
        assert!(matches!(err, Error::WrongKey), "{err:?}");
        assert_eq!(snapshot(dir.path()), before);
    }

    #[test]
    fn wrong_key_without_sidecar_is_still_wrong_key_and_touches_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = make_profile(dir.path());
        fs::remove_file(keycheck::sidecar_path(&path)).unwrap();
        let before = snapshot(dir.path());
        let err = Store::open(&path, &Key::generate(), OpenMode::Existing).unwrap_err();
        assert!(matches!(err, Error::WrongKey), "{err:?}");
        assert_eq!(snapshot(dir.path()), before);
        // The right key opens it and restores the sidecar.
        drop(Store::open(&path, &test_key(), OpenMode::Existing).unwrap());
        assert_eq!(
            keycheck::check(&path, &test_key()).unwrap(),
            KeyCheck::Matches
        );
    }

    #[test]
    fn damaged_file_with_matching_sidecar_is_not_a_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = make_profile(dir.path());
        let mut bytes = fs::read(&path).unwrap();
        bytes.iter_mut().take(4096).for_each(|b| *b ^= 0x5a);
        fs::write(&path, bytes).unwrap();
        let before = snapshot(dir.path());
        let err = Store::open(&path, &test_key(), OpenMode::Existing).unwrap_err();
        assert!(matches!(err, Error::NotADatabase(_)), "{err:?}");
        assert_eq!(snapshot(dir.path()), before);
    }

    #[test]
    fn random_bytes_are_not_a_database_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("junk.db");
        let mut bytes = vec![0u8; 5000];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        fs::write(&path, &bytes).unwrap();
        let before = snapshot(dir.path());
        let err = Store::open(&path, &test_key(), OpenMode::Existing).unwrap_err();
        assert!(matches!(err, Error::NotADatabase(_)), "{err:?}");
        assert_eq!(snapshot(dir.path()), before);
    }

    #[test]
    fn empty_file_is_not_a_database_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.db");
        fs::write(&path, b"").unwrap();
        let before = snapshot(dir.path());
        assert!(matches!(
            Store::open(&path, &test_key(), OpenMode::Existing),
            Err(Error::NotADatabase(_))
        ));
        assert_eq!(snapshot(dir.path()), before);
    }

    #[test]
    fn plaintext_sqlite_is_not_a_database_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plain.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
                .unwrap();
        }
        let before = snapshot(dir.path());
        let err = Store::open(&path, &test_key(), OpenMode::Existing).unwrap_err();
        assert!(
            matches!(&err, Error::NotADatabase(m) if m == "not encrypted"),
            "{err:?}"
        );
        assert_eq!(snapshot(dir.path()), before);
    }

    #[test]
    fn newer_schema_is_refused_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = make_profile(dir.path());
        {
            let conn = Connection::open(&path).unwrap();
            unlock(&conn, &test_key()).unwrap();
            conn.pragma_update(None, "user_version", schema::VERSION + 1)
                .unwrap();
            conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
                .unwrap();
        }
        let before = snapshot(dir.path());
        let err = Store::open(&path, &test_key(), OpenMode::Existing).unwrap_err();
        assert!(
            matches!(err, Error::SchemaTooNew { found, supported } if found == schema::VERSION + 1 && supported == schema::VERSION),
            "{err:?}"
        );
        assert_eq!(snapshot(dir.path()), before);
    }

    fn pragma_text(conn: &Connection, sql: &str) -> String {
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Rows `PRAGMA cipher_integrity_check` reports: one per bad page, none if all pass.
    fn cipher_errors(conn: &Connection) -> Vec<String> {
        let mut stmt = conn.prepare("PRAGMA cipher_integrity_check").unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
        rows.map(|r| r.unwrap()).collect()
    }

    #[test]
    fn sqlcipher_runs_on_the_rust_provider() {
        let (_dir, store) = temp_store();
        store
            .read(|c| {
                assert_eq!(
                    pragma_text(c, "PRAGMA cipher_provider"),
                    rantau_sqlcipher_provider::PROVIDER_NAME
                );
                assert!(pragma_text(c, "PRAGMA cipher_provider_version").contains("RustCrypto"));
                assert_eq!(pragma_text(c, "PRAGMA cipher"), "AES-256-CBC");
                assert_eq!(
                    pragma_text(c, "PRAGMA cipher_hmac_algorithm"),
                    "HMAC_SHA512"
                );
                assert_eq!(
                    pragma_text(c, "PRAGMA cipher_kdf_algorithm"),
                    "PBKDF2_HMAC_SHA512"
                );
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn sqlite_is_built_without_the_extensions_rantau_does_not_use() {
        // .cargo/config.toml's LIBSQLITE3_FLAGS: they keep the phone library small.
        let (_dir, store) = temp_store();
        let options: Vec<String> = store
            .read(|c| {
                let mut stmt = c.prepare("PRAGMA compile_options")?;
                let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .unwrap();
        for on in [
            "HAS_CODEC",
            "OMIT_JSON",
            "OMIT_LOAD_EXTENSION",
            "THREADSAFE=1",
        ] {
            assert!(options.iter().any(|o| o == on), "{on} missing: {options:?}");
        }
        for off in ["ENABLE_FTS3", "ENABLE_FTS5", "ENABLE_RTREE", "ENABLE_STAT4"] {
            assert!(!options.iter().any(|o| o == off), "{off} present");
        }
    }

    #[test]
    fn a_database_written_now_passes_the_page_hmac_check_and_detects_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ani.db");
        let store = Store::open(&path, &test_key(), OpenMode::Create).unwrap();
        for i in 0..40 {
            let mut s = submission(&format!("s{i}"), i);
            s.payload = json!({"text": "x".repeat(2000)});
            store.write(|tx| outbox::insert_submission(tx, &s)).unwrap();
        }
        store.checkpoint().unwrap();
        drop(store);
        let store = Store::open(&path, &test_key(), OpenMode::Existing).unwrap();
        assert!(store.integrity_check().unwrap());
        store
            .read(|c| {
                let pages: i64 = c.query_row("PRAGMA page_count", [], |r| r.get(0))?;
                assert!(pages > 20, "{pages}");
                assert_eq!(cipher_errors(c), Vec::<String>::new());
                Ok(())
            })
            .unwrap();
        drop(store);

        // One flipped byte inside page 3's ciphertext: its HMAC no longer matches.
        let mut bytes = fs::read(&path).unwrap();
        bytes[2 * 4096 + 100] ^= 0x01;
        fs::write(&path, bytes).unwrap();
        let conn = Connection::open(&path).unwrap();
        unlock(&conn, &test_key()).unwrap();
        let errors = cipher_errors(&conn);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("page 3"), "{errors:?}");
    }

    /// Passphrase keys run the full PBKDF2 (not just the 2-round HMAC-key step a
    /// raw key uses) and each HMAC/KDF digest the provider offers.
    #[test]
    fn passphrase_databases_round_trip_with_every_digest() {
        let dir = tempfile::tempdir().unwrap();
        for (n, digest) in ["SHA1", "SHA256", "SHA512"].into_iter().enumerate() {
            let path = dir.path().join(format!("p{n}.db"));
            let settings = format!(
                "PRAGMA kdf_iter = 1000; PRAGMA cipher_hmac_algorithm = HMAC_{digest};
                 PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_{digest};"
            );
            let open = |pass: &str| {
                let conn = Connection::open(&path).unwrap();
                conn.pragma_update(None, "key", pass).unwrap();
                conn.execute_batch(&settings).unwrap();
                conn
            };
            {
                let conn = open("correct horse");
                conn.execute_batch(
                    "CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('Siti Rahayu');",
                )
                .unwrap();
            }
            let bytes = fs::read(&path).unwrap();
            assert!(
                !bytes.windows(11).any(|w| w == b"Siti Rahayu"),
                "{digest}: in clear"
            );
            let conn = open("correct horse");
            let x: String = conn.query_row("SELECT x FROM t", [], |r| r.get(0)).unwrap();
            assert_eq!(x, "Siti Rahayu");
            assert_eq!(cipher_errors(&conn), Vec::<String>::new(), "{digest}");
            let wrong = open("battery staple");
            let err = wrong
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                    r.get::<_, i64>(0)
                })
                .unwrap_err();
            assert!(is_not_a_database(&err), "{digest}: {err:?}");
        }
    }

    #[test]
    fn invalid_hex_key_is_invalid_key() {
        assert!(matches!(Key::from_hex("not a key"), Err(Error::InvalidKey)));
    }

    #[test]
    fn failed_write_rolls_back() {
        let (_dir, store) = temp_store();
        let err = store
            .write(|tx| {
                drafts::insert_draft(tx, &draft("d1", 1))?;
                Err::<(), _>(Error::DraftNotFound("x".into()))
            })
            .unwrap_err();
        assert!(matches!(err, Error::DraftNotFound(_)));
        assert!(store.read(drafts::list_drafts).unwrap().is_empty());
    }

    #[test]
    fn write_durable_commits_and_restores_normal_sync() {
        let (_dir, store) = temp_store();
        let sync_level = |s: &Store| -> i64 {
            s.read(|c| Ok(c.query_row("PRAGMA synchronous", [], |r| r.get(0))?))
                .unwrap()
        };
        assert_eq!(sync_level(&store), 1); // NORMAL
        store
            .write_durable(|tx| outbox::insert_submission(tx, &submission("s1", 1)))
            .unwrap();
        assert_eq!(sync_level(&store), 1);
        assert!(store
            .read(|c| outbox::get_submission(c, "s1"))
            .unwrap()
            .is_some());
        let _ = store.write_durable(|_tx| Err::<(), _>(Error::Interrupted));
        assert_eq!(sync_level(&store), 1);
    }

    #[test]
    fn disk_full_and_interrupt_map_to_their_own_errors() {
        let full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        );
        assert!(matches!(classify(full.into()), Error::StorageFull));
        let stop = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_INTERRUPT),
            None,
        );
        assert!(matches!(classify(stop.into()), Error::Interrupted));
        let write = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR_WRITE),
            None,
        );
        let err = classify(write.into());
        assert!(
            matches!(err, Error::StorageIo { extended } if extended == rusqlite::ffi::SQLITE_IOERR_WRITE),
            "{err:?}"
        );
        assert_eq!(err.code(), "store.io_error");
        let enospc = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert!(matches!(classify(enospc.into()), Error::StorageFull));
        let efbig = std::io::Error::from(std::io::ErrorKind::FileTooLarge);
        assert_eq!(classify(efbig.into()).code(), "store.io_error");
        for code in ["store.full", "store.io_error"] {
            let (_, id, en) = crate::base::messages::lookup(code).unwrap();
            assert!(!id.is_empty() && !en.is_empty() && id != en, "{code}");
        }
    }

    #[test]
    fn disk_full_during_a_write_is_storage_full() {
        let (_dir, store) = temp_store();
        // A page limit stands in for a full disk: SQLite reports SQLITE_FULL.
        let pages: i64 = store
            .read(|c| Ok(c.query_row("PRAGMA page_count", [], |r| r.get(0))?))
            .unwrap();
        store
            .read(|c| Ok(c.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?))
            .unwrap();
        let big = json!({"text": "x".repeat(100_000)});
        let err = store
            .write(|tx| {
                let mut s = submission("big", 1);
                s.payload = big.clone();
                outbox::insert_submission(tx, &s)
            })
            .unwrap_err();
        assert!(matches!(err, Error::StorageFull), "{err:?}");
    }

    #[test]
    fn interrupt_stops_a_running_query() {
        let (_dir, store) = temp_store();
        let handle = store.interrupt_handle();
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop = Arc::clone(&done);
        // Interrupts repeatedly until the query returns: an interrupt that lands
        // before the statement starts is a no-op and must not hang the test.
        let stopper = std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(50));
                handle.interrupt();
            }
        });
        let result = store.read(|c| {
            Ok(c.query_row(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
                [],
                |r| r.get::<_, i64>(0),
            )?)
        });
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        stopper.join().unwrap();
        assert!(matches!(result, Err(Error::Interrupted)), "{result:?}");
        assert!(store.interrupt_handle().is_interrupted());
        store.interrupt_handle().reset();
        // The store still works afterwards.
        store
            .write(|tx| drafts::insert_draft(tx, &draft("d1", 1)))
            .unwrap();
        assert_eq!(store.read(drafts::list_drafts).unwrap().len(), 1);
    }

    #[test]
    fn store_and_handle_can_be_shared_across_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Store>();
        shared::<InterruptHandle>();
    }

    #[test]
    fn debug_hides_the_path() {
        let (_dir, store) = temp_store();
        assert!(!format!("{store:?}").contains("test"));
    }

    /// Personal data must never reach the disk in the clear: not in the database,
    /// the WAL, the shared-memory index nor a rollback journal.
    #[test]
    fn plaintext_scan_finds_no_personal_data_on_disk() {
        const SECRETS: [&str; 6] = [
            "3515144508680002",
            "B1234567",
            "Siti Rahayu",
            "+6281234567890",
            "6281234567890",
            "81234567890",
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("siti.db");
        let store = Store::open(&path, &test_key(), OpenMode::Create).unwrap();
        let mut d = draft("d1", 1);
        d.answers.insert("nik".into(), json!("3515144508680002"));
        d.answers.insert("passport".into(), json!("B1234567"));
        d.answers.insert("name".into(), json!("Siti Rahayu"));
        d.answers.insert("phone".into(), json!("+6281234567890"));
        let mut s = submission("s1", 2);
        s.payload = json!({"nik": "3515144508680002", "passport": "B1234567", "name": "Siti Rahayu", "phone": "+6281234567890"});
        store.write(|tx| drafts::insert_draft(tx, &d)).unwrap();
        store
            .write_durable(|tx| outbox::insert_submission(tx, &s))
            .unwrap();
        store
            .write(|tx| crate::store::cache::put_cache(tx, "card", "me", &s.payload, 3))
            .unwrap();

        let scan = |when: &str| {
            let mut seen = 0;
            for entry in fs::read_dir(dir.path()).unwrap() {
                let file = entry.unwrap().path();
                let bytes = fs::read(&file).unwrap();
                seen += 1;
                for secret in SECRETS {
                    let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
                    assert!(!found, "{when}: {secret} in clear in {}", file.display());
                }
            }
            seen
        };
        // Before a checkpoint the rows live in the WAL.
        assert!(dir.path().join("siti.db-wal").exists());
        assert!(scan("uncheckpointed") >= 3);
        store.checkpoint().unwrap();
        scan("checkpointed");
        drop(store);
        scan("closed");
        // And the data is really there, readable with the key.
        let store = Store::open(&path, &test_key(), OpenMode::Existing).unwrap();
        assert_eq!(store.read(|c| drafts::get_draft(c, "d1")).unwrap(), Some(d));
    }
}
