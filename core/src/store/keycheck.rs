//! The key-check sidecar (`<db>.keycheck`): a random salt and an HMAC of it under
//! the profile key. SQLCipher reports a wrong key and a damaged file with the same
//! error; the sidecar tells them apart without touching the database.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::store::key::Key;
use crate::{Error, Result};

const MAGIC: &[u8; 4] = b"RKC1";
const CONTEXT: &[u8] = b"rantau-keycheck-v1";
const SALT_LEN: usize = 32;
const MAC_LEN: usize = 32;
const FILE_LEN: usize = MAGIC.len() + SALT_LEN + MAC_LEN;

/// What the sidecar says about a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCheck {
    /// No sidecar, or one we cannot parse: the database itself must decide.
    Unknown,
    /// The sidecar was made with this key.
    Matches,
    /// The sidecar was made with another key.
    Mismatch,
}

/// The sidecar path for a database: `<db>.keycheck` beside it.
pub fn sidecar_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".keycheck");
    PathBuf::from(name)
}

fn tag(key: &Key, salt: &[u8]) -> Result<Hmac<Sha256>> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes()).map_err(|_| Error::InvalidKey)?;
    mac.update(salt);
    mac.update(CONTEXT);
    Ok(mac)
}

/// Writes a fresh sidecar for `db` under `key` (temp file, fsync, rename), replacing any old one.
pub fn write(db: &Path, key: &Key) -> Result<()> {
    let mut salt = [0u8; SALT_LEN];
    rand::rng().fill_bytes(&mut salt);
    let code = tag(key, &salt)?.finalize().into_bytes();
    let mut contents = Vec::with_capacity(FILE_LEN);
    contents.extend_from_slice(MAGIC);
    contents.extend_from_slice(&salt);
    contents.extend_from_slice(&code);
    let target = sidecar_path(db);
    let mut tmp_name = target.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(&contents)?;
        file.sync_all()?;
    }
    fs::rename(&tmp, &target)?;
    Ok(())
}

/// Checks `key` against the sidecar of `db`, reading only.
pub fn check(db: &Path, key: &Key) -> Result<KeyCheck> {
    let contents = match fs::read(sidecar_path(db)) {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(KeyCheck::Unknown),
        Err(e) => return Err(e.into()),
    };
    if contents.len() != FILE_LEN || !contents.starts_with(MAGIC) {
        return Ok(KeyCheck::Unknown);
    }
    let (salt, code) = contents[MAGIC.len()..].split_at(SALT_LEN);
    // verify_slice compares in constant time.
    Ok(match tag(key, salt)?.verify_slice(code) {
        Ok(()) => KeyCheck::Matches,
        Err(_) => KeyCheck::Mismatch,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecar_matches_its_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ani.db");
        let key = Key::generate();
        assert_eq!(check(&db, &key).unwrap(), KeyCheck::Unknown);
        write(&db, &key).unwrap();
        assert_eq!(sidecar_path(&db), dir.path().join("ani.db.keycheck"));
        assert_eq!(fs::read(sidecar_path(&db)).unwrap().len(), FILE_LEN);
        assert_eq!(check(&db, &key).unwrap(), KeyCheck::Matches);
        assert_eq!(check(&db, &Key::generate()).unwrap(), KeyCheck::Mismatch);
    }

    #[test]
    fn a_damaged_sidecar_is_unknown_not_wrong_key() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ani.db");
        fs::write(sidecar_path(&db), b"garbage").unwrap();
        assert_eq!(check(&db, &Key::generate()).unwrap(), KeyCheck::Unknown);
    }

    #[test]
    fn two_sidecars_for_one_key_use_different_salts() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ani.db");
        let key = Key::generate();
        write(&db, &key).unwrap();
        let first = fs::read(sidecar_path(&db)).unwrap();
        write(&db, &key).unwrap();
        assert_ne!(first, fs::read(sidecar_path(&db)).unwrap());
        assert_eq!(check(&db, &key).unwrap(), KeyCheck::Matches);
    }
}
