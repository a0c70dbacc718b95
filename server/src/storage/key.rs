//! The server's data key: 32 random bytes in a key file (created 0600), given to
//! SQLCipher as a raw key (no passphrase derivation at open), with a key-check
//! sidecar that tells a wrong key from a damaged file without touching the
//! database. Document files are sealed under a key derived from it (HKDF).

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{compiler_fence, Ordering};

use rand::RngCore;
use ring::{hkdf, hmac};

use crate::error::{Error, Result};

/// Length of the data key in bytes.
pub const KEY_LEN: usize = 32;

const CHECK_MAGIC: &[u8; 4] = b"RSK1";
const CHECK_CONTEXT: &[u8] = b"rantau-server-keycheck-v1";
const CHECK_SALT_LEN: usize = 32;
const CHECK_FILE_LEN: usize = CHECK_MAGIC.len() + CHECK_SALT_LEN + 32;
/// Domain separation of the documents key from the database key (which SQLCipher
/// uses raw): HKDF salt and info name the purpose and its version.
const FILES_SALT: &[u8] = b"rantau-server-v1";
const FILES_INFO: &[u8] = b"rantau-server documents chacha20-poly1305 v1";

/// The server's 256-bit data key. `Debug` never shows it; zeroed on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey([u8; KEY_LEN]);

impl DataKey {
    /// A fresh key from the operating system's generator.
    pub fn generate() -> DataKey {
        let mut bytes = [0u8; KEY_LEN];
        rand::rng().fill_bytes(&mut bytes);
        DataKey(bytes)
    }

    /// Parses a key file's text: 64 hexadecimal digits (surrounding blanks ignored).
    fn from_hex(text: &str) -> Option<DataKey> {
        let text = text.trim();
        let mut bytes = [0u8; KEY_LEN];
        if text.len() != KEY_LEN * 2 || hex::decode_to_slice(text, &mut bytes).is_err() {
            wipe(&mut bytes);
            return None;
        }
        Some(DataKey(bytes))
    }

    /// The SQLCipher statement that sets this key as a raw key.
    pub(crate) fn pragma_sql(&self) -> Secret {
        Secret(format!("PRAGMA key = \"x'{}'\";", hex::encode(self.0)).into_bytes())
    }

    /// The key that seals document files, derived with HKDF-SHA256 so it is never
    /// the database key itself.
    pub(crate) fn files_key(&self) -> Result<Secret> {
        let mut out = vec![0u8; KEY_LEN];
        hkdf::Salt::new(hkdf::HKDF_SHA256, FILES_SALT)
            .extract(&self.0)
            .expand(&[FILES_INFO], hkdf::HKDF_SHA256)
            .and_then(|okm| okm.fill(&mut out))
            .map_err(|_| Error::Crypto("key derivation failed".into()))?;
        Ok(Secret(out))
    }

    fn check_tag(&self, salt: &[u8]) -> hmac::Tag {
        let mut msg = salt.to_vec();
        msg.extend_from_slice(CHECK_CONTEXT);
        hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &self.0), &msg)
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

/// Bytes that hold key material: redacted in `Debug`, zeroed when dropped.
pub(crate) struct Secret(Vec<u8>);

impl Secret {
    /// The bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes as text (for the `PRAGMA key` statement, which is ASCII).
    pub(crate) fn text(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

/// Zeroes `bytes` in a way the optimizer may not drop (no `unsafe`: `black_box`
/// and a fence instead of volatile writes), as the core's profile key does.
fn wipe(bytes: &mut [u8]) {
    bytes.iter_mut().for_each(|b| *b = 0);
    std::hint::black_box(&mut *bytes);
    compiler_fence(Ordering::SeqCst);
}

/// The key file used for a database when none is configured: `<db>.key` beside it.
pub fn default_key_path(db: &Path) -> PathBuf {
    with_suffix(db, ".key")
}

/// The key-check sidecar of a database: `<db>.keycheck`.
pub fn check_path(db: &Path) -> PathBuf {
    with_suffix(db, ".keycheck")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Reads the key in `path`. When the file is missing and `may_create` (no data is
/// kept under another key yet), makes a new key file, 0600, never replacing one
/// that appears meanwhile. A missing key for existing data is an error: a new key
/// could not open it.
pub fn load_or_create(path: &Path, may_create: bool) -> Result<DataKey> {
    match fs::read_to_string(path) {
        Ok(text) => {
            warn_if_shared(path);
            DataKey::from_hex(&text).ok_or_else(|| {
                Error::KeyFile(format!(
                    "{} does not hold a key (64 hexadecimal digits)",
                    path.display()
                ))
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && may_create => {
            let key = DataKey::generate();
            let mut text = Secret(format!("{}\n", hex::encode(key.0)).into_bytes());
            write_private_new(path, text.bytes())?;
            wipe(&mut text.0);
            tracing::info!(path = %path.display(), "created a new data key file");
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::KeyFile(format!(
            "{} is missing, and the database beside it was encrypted with the key it held; \
             restore the key file (a new key cannot open the data)",
            path.display()
        ))),
        Err(e) => Err(Error::KeyFile(format!(
            "{} cannot be read: {e}",
            path.display()
        ))),
    }
}

#[cfg(unix)]
fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the key file is readable by other users; chmod 600 it");
        }
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_: &Path) {}

/// Creates `path` (which must not exist) with mode 0600 and writes `bytes`, synced.
fn write_private_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

/// What the sidecar says about a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCheck {
    /// No sidecar, or one that cannot be parsed: the database must decide.
    Unknown,
    /// Made with this key.
    Matches,
    /// Made with another key.
    Mismatch,
}

/// Checks `key` against the sidecar of `db`, reading only.
pub fn check(db: &Path, key: &DataKey) -> Result<KeyCheck> {
    let contents = match fs::read(check_path(db)) {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(KeyCheck::Unknown),
        Err(e) => return Err(e.into()),
    };
    if contents.len() != CHECK_FILE_LEN || !contents.starts_with(CHECK_MAGIC) {
        return Ok(KeyCheck::Unknown);
    }
    let (salt, code) = contents[CHECK_MAGIC.len()..].split_at(CHECK_SALT_LEN);
    let mut msg = salt.to_vec();
    msg.extend_from_slice(CHECK_CONTEXT);
    // ring's verify compares in constant time.
    let hkey = hmac::Key::new(hmac::HMAC_SHA256, &key.0);
    Ok(match hmac::verify(&hkey, &msg, code) {
        Ok(()) => KeyCheck::Matches,
        Err(_) => KeyCheck::Mismatch,
    })
}

/// Writes the sidecar of `db` for `key` (0600, temp file + rename).
pub fn write_check(db: &Path, key: &DataKey) -> Result<()> {
    let mut salt = [0u8; CHECK_SALT_LEN];
    rand::rng().fill_bytes(&mut salt);
    let tag = key.check_tag(&salt);
    let mut contents = Vec::with_capacity(CHECK_FILE_LEN);
    contents.extend_from_slice(CHECK_MAGIC);
    contents.extend_from_slice(&salt);
    contents.extend_from_slice(tag.as_ref());
    let target = check_path(db);
    let tmp = with_suffix(&target, &format!(".{}.tmp", uuid::Uuid::new_v4().simple()));
    write_private_new(&tmp, &contents)?;
    fs::rename(&tmp, &target)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db.key");
        let key = load_or_create(&path, true).unwrap();
        assert_eq!(load_or_create(&path, false).unwrap(), key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(format!("{key:?}").contains("redacted"));
        let text = fs::read_to_string(&path).unwrap();
        assert!(!format!("{key:?} {:?}", key.pragma_sql()).contains(text.trim()));
    }

    #[test]
    fn a_missing_key_for_existing_data_or_a_bad_key_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let err = load_or_create(&path, false).unwrap_err();
        assert_eq!(err.code(), "server.key_file");
        assert!(!path.exists(), "nothing was created");
        fs::write(&path, "not a key").unwrap();
        assert_eq!(
            load_or_create(&path, true).unwrap_err().code(),
            "server.key_file"
        );
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "not a key",
            "left as it was"
        );
    }

    #[test]
    fn the_sidecar_matches_its_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("server.db");
        let key = DataKey::generate();
        assert_eq!(check(&db, &key).unwrap(), KeyCheck::Unknown);
        write_check(&db, &key).unwrap();
        assert_eq!(check(&db, &key).unwrap(), KeyCheck::Matches);
        assert_eq!(
            check(&db, &DataKey::generate()).unwrap(),
            KeyCheck::Mismatch
        );
    }

    #[test]
    fn the_files_key_is_derived_not_the_key_itself() {
        let key = DataKey::generate();
        let files = key.files_key().unwrap();
        assert_eq!(files.bytes().len(), KEY_LEN);
        assert_ne!(files.bytes(), &key.0[..]);
        assert_eq!(files.bytes(), key.files_key().unwrap().bytes());
    }
}
