//! Attachment bytes in an object store ([`Objects`]: a local folder by
//! default, an S3-compatible bucket in production), one key prefix per
//! participant (so one device's files are never a key away from another's):
//! verified chunks while an upload runs (`<participant>/<id>.parts/<index>`),
//! then the assembled file (`<participant>/<id>`), the same layout as the
//! folder of older servers. Each object is sealed here before the store sees it
//! (ChaCha20-Poly1305 under a per-object key derived from the documents key and
//! a random salt, bound to its participant, id and part); in a local folder,
//! files and folders are 0600 / 0700 and every write is synced.
//!
//! **Several writers, no corruption.** One process serialises an upload's
//! writes and its assembly with a lock; replicas sharing a bucket (PostgreSQL)
//! do not share that lock, so the objects themselves must be safe to race:
//! - a chunk object is put whole or not at all (S3 PUT, a rename locally) and
//!   its key is its place in the file (id and index: the offset), so what a
//!   correct client puts under one key is always the same plaintext; two
//!   writers' copies differ only in their salt, and either is right;
//! - assembly is idempotent: it writes the whole file, and only then does the
//!   database mark the upload complete; the chunks are deleted after that
//!   record commits. A crash (or another replica) between any two steps
//!   leaves either the chunks, or the file, or both: a retry re-assembles from
//!   the chunks or finds the file (checked against its id) and records it.
//! - a chunk the other replica already deleted after its completion is not an
//!   error while the assembled file is there.

use std::future::Future;
use std::hash::{Hash, Hasher};
use std::path::Path;

use futures_util::StreamExt;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use rand::RngCore;
use ring::{aead, hkdf};
use sha2::{Digest, Sha256};
// Async-aware: the PostgreSQL backend holds an upload's lock across awaits; the
// SQLite backend, on the blocking pool, takes it with `blocking_lock`.
use tokio::sync::{Mutex, MutexGuard};

use crate::error::{Error, Result};
use crate::storage::key::{DataKey, Secret};
use crate::storage::objects::{Documents, Objects};
use crate::storage::DbLocation;

/// Start of every sealed file (format version 1).
const MAGIC: &[u8; 4] = b"RSF1";
const SALT_LEN: usize = 32;
const SEAL_CONTEXT: &[u8] = b"rantau-server-file-v1";

/// Stripes of upload locks: enough that unrelated uploads rarely wait for each other.
const LOCK_STRIPES: usize = 64;

/// Where attachment files live.
pub struct FileStore {
    objects: Objects,
    key: Secret,
    locks: Vec<Mutex<()>>,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStore")
            .field("objects", &self.objects.store.to_string())
            .finish_non_exhaustive()
    }
}

/// True for a lowercase 64-digit hex string.
pub fn is_sha256_hex(s: &str) -> bool {
    rantau_core::domain::document::is_content_id(s)
}

/// True for ids we put in a key (participant ids are UUIDs we issued).
fn safe_segment(s: &str) -> bool {
    !s.is_empty() && s.len() <= 100 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Runs `f` to its end from blocking code (the SQLite backend's calls, on
/// tokio's blocking pool, where the runtime's handle is at hand).
pub fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Handle::current().block_on(f)
}

impl FileStore {
    /// The store for a server database: `<db>.files/` beside a database file,
    /// the folder or bucket given for it, or memory for an in-memory database.
    /// Files are sealed under a key derived from `key`.
    pub fn for_db(location: &DbLocation, key: &DataKey) -> Result<FileStore> {
        let objects = match location {
            DbLocation::Memory => Objects::memory(),
            DbLocation::File(path) => Objects::folder(&files_root(path))?,
            DbLocation::FileAndBucket { bucket, .. } => Objects::bucket(bucket)?,
            DbLocation::Postgres { files, .. } => Objects::open(files)?,
        };
        FileStore::new(objects, key)
    }

    /// The store over `objects`, sealing under `key` (the documents key).
    pub fn new(objects: Objects, key: &DataKey) -> Result<FileStore> {
        Ok(FileStore {
            objects,
            key: key.files_key()?,
            locks: stripes(),
        })
    }

    /// Holds off every other chunk write and assembly of this upload in this
    /// process until dropped. Two tries of one phone (or a retry racing its
    /// first attempt) may send the same file at once; without it the assembly
    /// could read chunks while they are being replaced (then fail its hash and
    /// drop them). Other replicas are not held off: see the module's comment.
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

    /// The local folder all files live under, when documents are local.
    pub fn folder(&self) -> Option<&Path> {
        self.objects.folder.as_deref()
    }

    fn checked(participant: &str, sha: &str) -> Result<()> {
        if !safe_segment(participant) || !(is_sha256_hex(sha) || safe_segment(sha)) {
            return Err(Error::Malformed(
                "participant or document id not usable in a key".into(),
            ));
        }
        Ok(())
    }

    /// Key of the assembled file.
    fn file_object(participant: &str, sha: &str) -> Result<Key> {
        FileStore::checked(participant, sha)?;
        Ok(Key::from(format!("{participant}/{sha}")))
    }

    /// Prefix of an upload's chunks.
    fn parts_prefix(participant: &str, sha: &str) -> Result<Key> {
        FileStore::checked(participant, sha)?;
        Ok(Key::from(format!("{participant}/{sha}.parts")))
    }

    /// Key of chunk `idx`: its place in the file.
    fn part_object(participant: &str, sha: &str, idx: u32) -> Result<Key> {
        FileStore::checked(participant, sha)?;
        Ok(Key::from(format!("{participant}/{sha}.parts/{idx}")))
    }

    /// Puts one sealed object; in a local folder, its folders are made 0700
    /// first and the file narrowed to 0600 (the store writes, syncs and renames).
    async fn put(&self, key: &Key, sealed: Vec<u8>) -> Result<()> {
        if let Some(folder) = self.folder() {
            let path = folder.join(key.as_ref());
            if let Some(parent) = path.parent() {
                create_private_dir(parent)?;
            }
        }
        self.objects
            .store
            .put(key, PutPayload::from(sealed))
            .await?;
        #[cfg(unix)]
        if let Some(folder) = self.folder() {
            use std::os::unix::fs::PermissionsExt;
            let path = folder.join(key.as_ref());
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(())
    }

    /// One object's sealed bytes, `None` when there is none.
    async fn get(&self, key: &Key) -> Result<Option<Vec<u8>>> {
        match self.objects.store.get(key).await {
            Ok(found) => Ok(Some(found.bytes().await?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores a verified chunk (replacing an earlier copy).
    pub async fn write_chunk(
        &self,
        participant: &str,
        sha: &str,
        idx: u32,
        data: &[u8],
    ) -> Result<()> {
        let key = FileStore::part_object(participant, sha, idx)?;
        let sealed = self.seal(&format!("{participant}/{sha}/part/{idx}"), data)?;
        self.put(&key, sealed).await
    }

    /// The assembled file's plaintext and its SHA-256, if the file is there
    /// and opens.
    async fn assembled(&self, participant: &str, sha: &str) -> Result<Option<[u8; 32]>> {
        let Some(sealed) = self.get(&FileStore::file_object(participant, sha)?).await? else {
            return Ok(None);
        };
        let plain = self.open(&format!("{participant}/{sha}/file"), sealed)?;
        Ok(Some(Sha256::digest(&plain).into()))
    }

    /// Joins chunks `0..count` into the file and returns the SHA-256 of what
    /// was joined; the caller compares it with the id, records the completion
    /// and then drops the chunks ([`FileStore::discard_parts`]). The file is
    /// written only when the hash is the id. Idempotent: a file already
    /// assembled (by an earlier try that crashed before its record, or by
    /// another replica) is found and its hash returned.
    pub async fn assemble(&self, participant: &str, sha: &str, count: u32) -> Result<[u8; 32]> {
        if let Some(digest) = self.assembled(participant, sha).await? {
            if hex::encode(digest) == sha {
                return Ok(digest);
            }
        }
        let mut hasher = Sha256::new();
        let mut whole = Vec::new();
        for idx in 0..count {
            let key = FileStore::part_object(participant, sha, idx)?;
            let Some(sealed) = self.get(&key).await? else {
                // Another replica may have completed it and dropped the chunks.
                if let Some(digest) = self.assembled(participant, sha).await? {
                    return Ok(digest);
                }
                return Err(Error::Objects(format!(
                    "chunk {idx} of an upload is missing"
                )));
            };
            let plain = self.open(&format!("{participant}/{sha}/part/{idx}"), sealed)?;
            hasher.update(&plain);
            whole.extend_from_slice(&plain);
        }
        let digest: [u8; 32] = hasher.finalize().into();
        if hex::encode(digest) == sha {
            let sealed = self.seal(&format!("{participant}/{sha}/file"), &whole)?;
            self.put(&FileStore::file_object(participant, sha)?, sealed)
                .await?;
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

    /// Drops every chunk of an upload (after its completion is recorded, or
    /// after the whole file failed its hash). Nothing there is not an error.
    pub async fn discard_parts(&self, participant: &str, sha: &str) -> Result<()> {
        let prefix = FileStore::parts_prefix(participant, sha)?;
        let keys: Vec<Key> = self
            .objects
            .store
            .list(Some(&prefix))
            .map(|meta| meta.map(|m| m.location))
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<std::result::Result<_, _>>()?;
        for key in keys {
            match self.objects.store.delete(&key).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// The assembled file's bytes (opened and authenticated).
    pub async fn read(&self, participant: &str, sha: &str) -> Result<Vec<u8>> {
        let sealed = self
            .get(&FileStore::file_object(participant, sha)?)
            .await?
            .ok_or_else(|| Error::Objects("no such document".into()))?;
        self.open(&format!("{participant}/{sha}/file"), sealed)
    }

    /// The assembled file `sha` of whichever participant holds it (for tests and
    /// tools that know only the document's id).
    pub async fn find(&self, sha: &str) -> Result<Option<Vec<u8>>> {
        if !is_sha256_hex(sha) {
            return Ok(None);
        }
        let listed = self.objects.store.list_with_delimiter(None).await?;
        for prefix in listed.common_prefixes {
            let Some(participant) = prefix.filename() else {
                continue;
            };
            if !safe_segment(participant) {
                continue;
            }
            if self
                .get(&FileStore::file_object(participant, sha)?)
                .await?
                .is_some()
            {
                return self.read(participant, sha).await.map(Some);
            }
        }
        Ok(None)
    }
}

/// The folder of a database file's documents: `<db>.files` beside it.
pub fn files_root(db: &Path) -> std::path::PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".files");
    db.with_file_name(name)
}

/// The stored document `sha` of a server database at `db` (its documents
/// beside it), opened with the key in `key_file` (read, never created). For
/// tests and tools, not the server.
pub fn read_document(db: &Path, key_file: &Path, sha: &str) -> Result<Option<Vec<u8>>> {
    read_document_in(
        Objects::open(&Documents::Folder(files_root(db)))?,
        key_file,
        sha,
    )
}

/// The stored document `sha` in `objects` (a folder or a bucket), opened
/// with the key in `key_file` (read, never created). For tests and tools:
/// blocking, from async code too (it runs on a thread and runtime of its own).
pub fn read_document_in(objects: Objects, key_file: &Path, sha: &str) -> Result<Option<Vec<u8>>> {
    let key = crate::storage::key::load_or_create(key_file, false)?;
    let store = FileStore::new(objects, &key)?;
    std::thread::scope(|s| {
        s.spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(store.find(sha))
        })
        .join()
        .map_err(|_| Error::Runtime("reading a document panicked".into()))?
    })
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

fn stripes() -> Vec<Mutex<()>> {
    (0..LOCK_STRIPES).map(|_| Mutex::new(())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> FileStore {
        FileStore::new(Objects::memory(), &DataKey::generate()).unwrap()
    }

    /// The same store on memory and on a local folder (the folder kept alive
    /// by the returned guard).
    fn stores() -> Vec<(FileStore, Option<tempfile::TempDir>)> {
        let dir = tempfile::tempdir().unwrap();
        let local = Objects::folder(&dir.path().join("docs")).unwrap();
        vec![
            (memory(), None),
            (
                FileStore::new(local, &DataKey::generate()).unwrap(),
                Some(dir),
            ),
        ]
    }

    async fn raw(store: &FileStore, key: &Key) -> Option<Vec<u8>> {
        store.get(key).await.unwrap()
    }

    #[tokio::test]
    async fn chunks_assemble_into_a_verified_file() {
        for (store, _dir) in stores() {
            let data = b"%PDF-1.4 hello world".to_vec();
            let sha = hex::encode(Sha256::digest(&data));
            store
                .write_chunk("p-1", &sha, 1, &data[10..])
                .await
                .unwrap();
            store
                .write_chunk("p-1", &sha, 0, &data[..10])
                .await
                .unwrap();
            assert_eq!(
                hex::encode(store.assemble("p-1", &sha, 2).await.unwrap()),
                sha
            );
            assert_eq!(store.read("p-1", &sha).await.unwrap(), data);
            assert!(
                store.read("p-2", &sha).await.is_err(),
                "another participant's prefix holds nothing"
            );
            store.discard_parts("p-1", &sha).await.unwrap();
            let parts = FileStore::part_object("p-1", &sha, 0).unwrap();
            assert_eq!(raw(&store, &parts).await, None, "chunks dropped");
            assert_eq!(
                store.read("p-1", &sha).await.unwrap(),
                data,
                "the file stays"
            );
        }
    }

    #[tokio::test]
    async fn a_wrong_assembly_is_not_kept_and_keys_are_checked() {
        for (store, _dir) in stores() {
            let sha = "a".repeat(64);
            store.write_chunk("p", &sha, 0, b"not it").await.unwrap();
            assert_ne!(
                hex::encode(store.assemble("p", &sha, 1).await.unwrap()),
                sha
            );
            assert!(store.read("p", &sha).await.is_err());
            assert!(store.write_chunk("../x", &sha, 0, b"x").await.is_err());
            assert!(store.write_chunk("p", "../x", 0, b"x").await.is_err());
            assert!(
                is_sha256_hex(&sha) && !is_sha256_hex("../") && !is_sha256_hex(&"A".repeat(64))
            );
        }
    }

    #[tokio::test]
    async fn assembly_again_after_a_crash_finds_the_file_or_rebuilds_it() {
        for (store, _dir) in stores() {
            let data = vec![7u8; 100];
            let sha = hex::encode(Sha256::digest(&data));
            store.write_chunk("p", &sha, 0, &data[..60]).await.unwrap();
            store.write_chunk("p", &sha, 1, &data[60..]).await.unwrap();
            // A crash after the file was written, before its record: both are there.
            assert_eq!(
                hex::encode(store.assemble("p", &sha, 2).await.unwrap()),
                sha
            );
            assert_eq!(
                hex::encode(store.assemble("p", &sha, 2).await.unwrap()),
                sha
            );
            // Another replica completed it and dropped the chunks: the file is found.
            store.discard_parts("p", &sha).await.unwrap();
            assert_eq!(
                hex::encode(store.assemble("p", &sha, 2).await.unwrap()),
                sha
            );
            // A crash before the file was written: rebuilt from the chunks.
            let other = vec![8u8; 30];
            let other_sha = hex::encode(Sha256::digest(&other));
            store.write_chunk("p", &other_sha, 0, &other).await.unwrap();
            let file = FileStore::file_object("p", &other_sha).unwrap();
            assert_eq!(raw(&store, &file).await, None);
            assert_eq!(
                hex::encode(store.assemble("p", &other_sha, 1).await.unwrap()),
                other_sha
            );
            assert_eq!(store.read("p", &other_sha).await.unwrap(), other);
            // Neither chunks nor file: an error, not a wrong answer.
            let missing = "c".repeat(64);
            assert_eq!(
                store.assemble("p", &missing, 1).await.unwrap_err().code(),
                "server.objects"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_same_chunk_written_at_once_many_times_always_succeeds() {
        // Two uploads of one file race (a phone retrying while its first try
        // still runs, or two replicas): every write of the same verified chunk
        // must succeed, and what is left opens to it.
        for (store, _dir) in stores() {
            let store = std::sync::Arc::new(store);
            let data = vec![9u8; 16 * 1024];
            let sha = "b".repeat(64);
            let tasks: Vec<_> = (0..8)
                .map(|_| {
                    let (store, data, sha) = (store.clone(), data.clone(), sha.clone());
                    tokio::spawn(async move {
                        let mut failed = 0;
                        for _ in 0..20 {
                            failed +=
                                usize::from(store.write_chunk("p", &sha, 0, &data).await.is_err());
                        }
                        failed
                    })
                })
                .collect();
            let mut failed = 0;
            for t in tasks {
                failed += t.await.unwrap();
            }
            assert_eq!(failed, 0);
            let sealed = raw(&store, &FileStore::part_object("p", &sha, 0).unwrap())
                .await
                .unwrap();
            assert_eq!(
                store.open(&format!("p/{sha}/part/0"), sealed).unwrap(),
                data
            );
        }
    }

    #[tokio::test]
    async fn a_file_database_keeps_files_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = DbLocation::File(dir.path().join("server.db"));
        let store = FileStore::for_db(&db, &DataKey::generate()).unwrap();
        assert_eq!(
            store.folder(),
            Some(dir.path().join("server.db.files").as_path())
        );
        assert!(dir.path().join("server.db.files").is_dir());
        assert_eq!(
            FileStore::for_db(&DbLocation::Memory, &DataKey::generate())
                .unwrap()
                .folder(),
            None
        );
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[tokio::test]
    async fn stored_documents_are_sealed_private_and_bound_to_their_place() {
        let dir = tempfile::tempdir().unwrap();
        let db = DbLocation::File(dir.path().join("server.db"));
        let key = DataKey::generate();
        let store = FileStore::for_db(&db, &key).unwrap();
        let root = store.folder().unwrap().to_path_buf();
        let nik = b"NIK 3515140508680001";
        let data = [&b"%PDF-1.4 "[..], nik, &[b'x'; 100][..]].concat();
        let sha = hex::encode(Sha256::digest(&data));
        store
            .write_chunk("p-1", &sha, 0, &data[..20])
            .await
            .unwrap();
        let part = std::fs::read(root.join(format!("p-1/{sha}.parts/0"))).unwrap();
        assert!(
            !contains(&part, b"3515140508680001"),
            "a chunk on disk is sealed"
        );
        store
            .write_chunk("p-1", &sha, 1, &data[20..])
            .await
            .unwrap();
        assert_eq!(
            hex::encode(store.assemble("p-1", &sha, 2).await.unwrap()),
            sha
        );
        let file = root.join(format!("p-1/{sha}"));
        let on_disk = std::fs::read(&file).unwrap();
        assert!(!contains(&on_disk, b"3515140508680001"));
        assert!(!contains(&on_disk, b"%PDF"));
        assert_eq!(store.read("p-1", &sha).await.unwrap(), data);
        assert_eq!(store.find(&sha).await.unwrap(), Some(data.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&root), 0o700);
            assert_eq!(mode(&root.join("p-1")), 0o700);
            assert_eq!(mode(&root.join(format!("p-1/{sha}.parts"))), 0o700);
            assert_eq!(mode(&file), 0o600);
        }
        // Moved to another participant's folder, or opened with another key: refused.
        std::fs::create_dir_all(root.join("p-2")).unwrap();
        std::fs::copy(&file, root.join(format!("p-2/{sha}"))).unwrap();
        assert_eq!(
            store.read("p-2", &sha).await.unwrap_err().code(),
            "server.crypto"
        );
        let other = FileStore::for_db(&db, &DataKey::generate()).unwrap();
        assert_eq!(
            other.read("p-1", &sha).await.unwrap_err().code(),
            "server.crypto"
        );
    }
}
