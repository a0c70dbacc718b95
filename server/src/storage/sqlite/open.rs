//! Opening a database file: created 0600 with a key-check sidecar when new;
//! an existing one must pass the sidecar, then decrypt. Why a file does not
//! open (wrong key, plain SQLite, damaged) is told from its first bytes, and
//! the file is never written in that case.

use std::fs;
use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::{Error, Result};
use crate::storage::key::{self, DataKey, KeyCheck};

/// SQLCipher 4 settings, set explicitly (as the phone does) so a file stays
/// readable when a later SQLCipher changes its defaults. Must follow `PRAGMA key`.
const CIPHER_SETTINGS: &str = "
PRAGMA cipher_page_size = 4096;
PRAGMA kdf_iter = 256000;
PRAGMA cipher_hmac_algorithm = HMAC_SHA512;
PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA512;
PRAGMA cipher_plaintext_header_size = 0;
";

pub(super) const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

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
pub(super) fn open_file(path: &Path, key: &DataKey) -> Result<Connection> {
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
    let conn = connect(|| {
        Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
    })?;
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

/// Opens a connection with `open` once SQLite and SQLCipher have finished their
/// one-time set-up: a connection opened while another thread is still in it would
/// fail its `PRAGMA key` (see `rantau_sqlcipher_provider::initialize`).
pub(super) fn connect(
    open: impl FnOnce() -> rusqlite::Result<Connection>,
) -> rusqlite::Result<Connection> {
    rantau_sqlcipher_provider::initialize().map_err(|e| {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(e.0), Some(e.to_string()))
    })?;
    open()
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
            crate::storage::files::create_private_dir(parent)?;
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
