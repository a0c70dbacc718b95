//! Attachment bytes on the local disk, one directory per participant (so one
//! device's files are never a path away from another's): verified chunks while
//! an upload runs, then the assembled file. Every write is a temp file (its own
//! name per writer) + rename; one upload's writes and its assembly take one lock.
//! Each file is sealed (ChaCha20-Poly1305 under a per-file key derived from the
//! documents key and a random salt, bound to its participant, id and part), and
//! files and folders are created 0600 / 0700.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use rand::RngCore;
use ring::{aead, hkdf};
use sha2::{Digest, Sha256};
// Async-aware: the PostgreSQL backend holds an upload's lock across awaits; the
// SQLite backend, on the blocking pool, takes it with `blocking_lock`.
use tokio::sync::{Mutex, MutexGuard};

use crate::error::{Error, Result};
use crate::storage::key::{DataKey, Secret};
use crate::storage::DbLocation;

/// Start of every sealed file (format version 1).
const MAGIC: &[u8; 4] = b"RSF1";
const SALT_LEN: usize = 32;
const SEAL_CONTEXT: &[u8] = b"rantau-server-file-v1";

/// Stripes of upload locks: enough that unrelated uploads rarely wait for each other.
const LOCK_STRIPES: usize = 64;

/// Where attachment files live.
pub struct FileStore {
    root: PathBuf,
    key: Secret,
    // Keeps the directory of an in-memory server alive (and removes it on drop).
    _temp: Option<tempfile::TempDir>,
    locks: Vec<Mutex<()>>,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStore")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

/// True for a lowercase 64-digit hex string.
pub fn is_sha256_hex(s: &str) -> bool {
    rantau_core::domain::document::is_content_id(s)
}

/// True for ids we put in a path (participant ids are UUIDs we issued).
fn safe_segment(s: &str) -> bool {
    !s.is_empty() && s.len() <= 100 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl FileStore {
    /// The store for a server database: `<db>.files/` beside a database file, a
    /// temporary directory for an in-memory database.
    /// Files are sealed under a key derived from `key`.
    pub fn for_db(location: &DbLocation, key: &DataKey) -> Result<FileStore> {
        let key = key.files_key()?;
        match location {
            DbLocation::Memory => {
                // tempfile makes the directory 0700.
                let temp = tempfile::Builder::new().prefix("rantau-files-").tempdir()?;
                Ok(FileStore {
                    root: temp.path().to_path_buf(),
                    key,
                    _temp: Some(temp),
                    locks: stripes(),
                })
            }
            DbLocation::File(path) => FileStore::in_dir(files_root(path), key),
            // PostgreSQL keeps its documents' folder on the command line.
            DbLocation::Postgres { files, .. } => FileStore::in_dir(files.clone(), key),
        }
    }

    /// The store in the folder `root` (created 0700 when missing, narrowed to
    /// 0700 when wider), sealing under `key` (the documents key).
    fn in_dir(root: PathBuf, key: Secret) -> Result<FileStore> {
        create_private_dir(&root)?;
        #[cfg(unix)]
        {
            // A folder an older server made 0755 is narrowed too.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(FileStore {
            root,
            key,
            _temp: None,
            locks: stripes(),
        })
    }

    /// Holds off every other chunk write and assembly of this upload until dropped.
    /// Two tries of one phone (or a retry racing its first attempt) may send the
    /// same file at once; without it their renames and the assembly collide (a 500,
    /// or a file assembled while its parts are being replaced).
    /// From blocking code only (tokio's blocking pool), never on a runtime thread.
    pub fn lock(&self, participant: &str, sha: &str) -> MutexGuard<'_, ()> {
        self.stripe(participant, sha).blocking_lock()
    }

    /// [`FileStore::lock`] for async code: waits without blocking a thread.
    pub async fn lock_async(&self, participant: &str, sha: &str) -> MutexGuard<'_, ()> {
        self.stripe(participant, sha).lock().await
    }

    fn stripe(&self, participant: &str, sha: &str) -> &Mutex<()> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (participant, sha).hash(&mut h);
        // A tokio mutex is never poisoned: a panic while holding it just releases
        // it, and the files are checked by hash anyway.
        &self.locks[(h.finish() as usize) % self.locks.len()]
    }

    /// The directory all files live under.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn dir(&self, participant: &str) -> Result<PathBuf> {
        if !safe_segment(participant) {
            return Err(Error::Malformed(
                "participant id not usable in a path".into(),
            ));
        }
        Ok(self.root.join(participant))
    }

    fn parts(&self, participant: &str, sha: &str) -> Result<PathBuf> {
        Ok(self.dir(participant)?.join(format!("{sha}.parts")))
    }

    /// Path of the assembled file.
    pub fn file_path(&self, participant: &str, sha: &str) -> Result<PathBuf> {
        Ok(self.dir(participant)?.join(sha))
    }

    /// Stores a verified chunk (replacing an earlier copy).
    pub fn write_chunk(&self, participant: &str, sha: &str, idx: u32, data: &[u8]) -> Result<()> {
        let dir = self.parts(participant, sha)?;
        create_private_dir(&dir)?;
        let sealed = self.seal(&format!("{participant}/{sha}/part/{idx}"), data)?;
        let tmp = dir.join(format!("{idx}.{}.tmp", uuid::Uuid::new_v4().simple()));
        write_private(&tmp, &sealed)?;
        std::fs::rename(&tmp, dir.join(idx.to_string()))?;
        Ok(())
    }

    /// Joins chunks `0..count` into the file and returns the SHA-256 of what was
    /// written; the caller compares it with the id and keeps or discards.
    pub fn assemble(&self, participant: &str, sha: &str, count: u32) -> Result<[u8; 32]> {
        let parts = self.parts(participant, sha)?;
        let mut hasher = Sha256::new();
        let mut whole = Vec::new();
        for idx in 0..count {
            let sealed = std::fs::read(parts.join(idx.to_string()))?;
            let plain = self.open(&format!("{participant}/{sha}/part/{idx}"), sealed)?;
            hasher.update(&plain);
            whole.extend_from_slice(&plain);
        }
        let digest: [u8; 32] = hasher.finalize().into();
        if hex::encode(digest) == sha {
            let sealed = self.seal(&format!("{participant}/{sha}/file"), &whole)?;
            let tmp = self
                .dir(participant)?
                .join(format!("{sha}.{}.tmp", uuid::Uuid::new_v4().simple()));
            write_private(&tmp, &sealed)?;
            std::fs::rename(&tmp, self.file_path(participant, sha)?)?;
            let _ = std::fs::remove_dir_all(&parts);
        }
        Ok(digest)
    }

    /// The AEAD key of one file: HKDF of the documents key with the file's salt,
    /// and `place` (participant, id and part) as info, so a file copied to another
    /// place no longer opens.
    fn file_key(&self, salt: &[u8], place: &str) -> Result<aead::LessSafeKey> {
        let info = [SEAL_CONTEXT, place.as_bytes()];
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(self.key.bytes());
        let okm = prk
            .expand(&info, &aead::CHACHA20_POLY1305)
            .map_err(|_| Error::Crypto("key derivation failed".into()))?;
        Ok(aead::LessSafeKey::new(aead::UnboundKey::from(okm)))
    }

    /// `MAGIC | salt | ciphertext | tag`. Each file has a fresh random salt, so a
    /// fresh key, and the all-zero nonce is used once per key.
    fn seal(&self, place: &str, plain: &[u8]) -> Result<Vec<u8>> {
        let mut salt = [0u8; SALT_LEN];
        rand::rng().fill_bytes(&mut salt);
        let key = self.file_key(&salt, place)?;
        let mut body = plain.to_vec();
        key.seal_in_place_append_tag(
            aead::Nonce::assume_unique_for_key([0u8; aead::NONCE_LEN]),
            aead::Aad::from(place.as_bytes()),
            &mut body,
        )
        .map_err(|_| Error::Crypto("sealing failed".into()))?;
        let mut out = Vec::with_capacity(MAGIC.len() + SALT_LEN + body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&salt);
        out.extend_from_slice(&body);
        Ok(out)
    }

    fn open(&self, place: &str, sealed: Vec<u8>) -> Result<Vec<u8>> {
        let mut sealed = sealed;
        if sealed.len() < MAGIC.len() + SALT_LEN + aead::CHACHA20_POLY1305.tag_len()
            || !sealed.starts_with(MAGIC)
        {
            return Err(Error::Crypto("not a sealed file".into()));
        }
        let mut body = sealed.split_off(MAGIC.len() + SALT_LEN);
        let key = self.file_key(&sealed[MAGIC.len()..], place)?;
        let plain_len = key
            .open_in_place(
                aead::Nonce::assume_unique_for_key([0u8; aead::NONCE_LEN]),
                aead::Aad::from(place.as_bytes()),
                &mut body,
            )
            .map_err(|_| {
                Error::Crypto("a file failed authentication (wrong key or damaged)".into())
            })?
            .len();
        body.truncate(plain_len);
        Ok(body)
    }

    /// Drops every chunk of an upload (after the whole file failed its hash).
    pub fn discard_parts(&self, participant: &str, sha: &str) -> Result<()> {
        match std::fs::remove_dir_all(self.parts(participant, sha)?) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// The assembled file's bytes (opened and authenticated).
    pub fn read(&self, participant: &str, sha: &str) -> Result<Vec<u8>> {
        let sealed = std::fs::read(self.file_path(participant, sha)?)?;
        self.open(&format!("{participant}/{sha}/file"), sealed)
    }

    /// The assembled file `sha` of whichever participant holds it (for tests and
    /// tools that know only the document's id).
    pub fn find(&self, sha: &str) -> Result<Option<Vec<u8>>> {
        if !is_sha256_hex(sha) {
            return Ok(None);
        }
        for entry in std::fs::read_dir(&self.root)?.flatten() {
            let name = entry.file_name();
            let Some(participant) = name.to_str() else {
                continue;
            };
            if safe_segment(participant) && entry.path().join(sha).is_file() {
                return self.read(participant, sha).map(Some);
            }
        }
        Ok(None)
    }
}

/// The folder of a database file's documents: `<db>.files` beside it.
pub fn files_root(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".files");
    db.with_file_name(name)
}

/// The stored document `sha` of a server database at `db`, opened with the key
/// in `key_file` (read, never created). For tests and tools, not the server.
pub fn read_document(db: &Path, key_file: &Path, sha: &str) -> Result<Option<Vec<u8>>> {
    let key = crate::storage::key::load_or_create(key_file, false)?;
    FileStore::for_db(&DbLocation::File(db.to_path_buf()), &key)?.find(sha)
}

/// Creates `dir` and its missing parents, each 0700.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    Ok(())
}

/// Writes `bytes` to a new file `path`, 0600, synced.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_data()?;
    Ok(())
}

fn stripes() -> Vec<Mutex<()>> {
    (0..LOCK_STRIPES).map(|_| Mutex::new(())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_assemble_into_a_verified_file() {
        let store = FileStore::for_db(&DbLocation::Memory, &DataKey::generate()).unwrap();
        let data = b"%PDF-1.4 hello world".to_vec();
        let sha = hex::encode(Sha256::digest(&data));
        store.write_chunk("p-1", &sha, 1, &data[10..]).unwrap();
        store.write_chunk("p-1", &sha, 0, &data[..10]).unwrap();
        assert_eq!(hex::encode(store.assemble("p-1", &sha, 2).unwrap()), sha);
        assert_eq!(store.read("p-1", &sha).unwrap(), data);
        assert!(
            store.read("p-2", &sha).is_err(),
            "another participant's directory holds nothing"
        );
    }

    #[test]
    fn a_wrong_assembly_is_not_kept_and_paths_are_checked() {
        let store = FileStore::for_db(&DbLocation::Memory, &DataKey::generate()).unwrap();
        let sha = "a".repeat(64);
        store.write_chunk("p", &sha, 0, b"not it").unwrap();
        assert_ne!(hex::encode(store.assemble("p", &sha, 1).unwrap()), sha);
        assert!(store.read("p", &sha).is_err());
        assert!(store.write_chunk("../x", &sha, 0, b"x").is_err());
        assert!(is_sha256_hex(&sha) && !is_sha256_hex("../") && !is_sha256_hex(&"A".repeat(64)));
    }

    #[test]
    fn the_same_chunk_written_at_once_from_many_threads_always_succeeds() {
        // Two uploads of one file race (a phone retrying while its first try still
        // runs): every write of the same verified chunk must succeed.
        let store = std::sync::Arc::new(
            FileStore::for_db(&DbLocation::Memory, &DataKey::generate()).unwrap(),
        );
        let data = vec![9u8; 16 * 1024];
        let sha = "b".repeat(64);
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (store, data, sha) = (store.clone(), data.clone(), sha.clone());
                std::thread::spawn(move || {
                    (0..40)
                        .map(|_| store.write_chunk("p", &sha, 0, &data))
                        .filter(|r| r.is_err())
                        .count()
                })
            })
            .collect();
        let failed: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(failed, 0);
        let sealed = std::fs::read(store.parts("p", &sha).unwrap().join("0")).unwrap();
        assert_eq!(
            store.open(&format!("p/{sha}/part/0"), sealed).unwrap(),
            data
        );
    }

    #[test]
    fn a_file_database_keeps_files_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = DbLocation::File(dir.path().join("server.db"));
        let store = FileStore::for_db(&db, &DataKey::generate()).unwrap();
        assert_eq!(store.root(), dir.path().join("server.db.files"));
        assert!(store.root().is_dir());
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn stored_documents_are_sealed_private_and_bound_to_their_place() {
        let dir = tempfile::tempdir().unwrap();
        let db = DbLocation::File(dir.path().join("server.db"));
        let key = DataKey::generate();
        let store = FileStore::for_db(&db, &key).unwrap();
        let nik = b"NIK 3515140508680001";
        let data = [&b"%PDF-1.4 "[..], nik, &[b'x'; 100][..]].concat();
        let sha = hex::encode(Sha256::digest(&data));
        store.write_chunk("p-1", &sha, 0, &data[..20]).unwrap();
        let part = std::fs::read(store.parts("p-1", &sha).unwrap().join("0")).unwrap();
        assert!(
            !contains(&part, b"3515140508680001"),
            "a chunk on disk is sealed"
        );
        store.write_chunk("p-1", &sha, 1, &data[20..]).unwrap();
        assert_eq!(hex::encode(store.assemble("p-1", &sha, 2).unwrap()), sha);
        let on_disk = std::fs::read(store.file_path("p-1", &sha).unwrap()).unwrap();
        assert!(!contains(&on_disk, b"3515140508680001"));
        assert!(!contains(&on_disk, b"%PDF"));
        assert_eq!(store.read("p-1", &sha).unwrap(), data);
        assert_eq!(store.find(&sha).unwrap(), Some(data.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(store.root()), 0o700);
            assert_eq!(mode(&store.root().join("p-1")), 0o700);
            assert_eq!(mode(&store.file_path("p-1", &sha).unwrap()), 0o600);
        }
        // Moved to another participant's folder, or opened with another key: refused.
        std::fs::create_dir_all(store.root().join("p-2")).unwrap();
        std::fs::copy(
            store.file_path("p-1", &sha).unwrap(),
            store.file_path("p-2", &sha).unwrap(),
        )
        .unwrap();
        assert_eq!(store.read("p-2", &sha).unwrap_err().code(), "server.crypto");
        let other = FileStore::for_db(&db, &DataKey::generate()).unwrap();
        assert_eq!(other.read("p-1", &sha).unwrap_err().code(), "server.crypto");
    }
}
