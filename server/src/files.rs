//! Attachment bytes on the local disk, one directory per participant (so one
//! device's files are never a path away from another's): verified chunks while
//! an upload runs, then the assembled file. Every write is a temp file (its own
//! name per writer) + rename; one upload's writes and its assembly take one lock.

use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use sha2::{Digest, Sha256};

use crate::db::DbLocation;
use crate::error::{Error, Result};

/// Stripes of upload locks: enough that unrelated uploads rarely wait for each other.
const LOCK_STRIPES: usize = 64;

/// Where attachment files live.
pub struct FileStore {
    root: PathBuf,
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
    pub fn for_db(location: &DbLocation) -> Result<FileStore> {
        match location {
            DbLocation::Memory => {
                let temp = tempfile::Builder::new().prefix("rantau-files-").tempdir()?;
                Ok(FileStore {
                    root: temp.path().to_path_buf(),
                    _temp: Some(temp),
                    locks: stripes(),
                })
            }
            DbLocation::File(path) => {
                let mut name = path
                    .file_name()
                    .map(|n| n.to_os_string())
                    .unwrap_or_default();
                name.push(".files");
                let root = path.with_file_name(name);
                std::fs::create_dir_all(&root)?;
                Ok(FileStore {
                    root,
                    _temp: None,
                    locks: stripes(),
                })
            }
        }
    }

    /// Holds off every other chunk write and assembly of this upload until dropped.
    /// Two tries of one phone (or a retry racing its first attempt) may send the
    /// same file at once; without it their renames and the assembly collide (a 500,
    /// or a file assembled while its parts are being replaced).
    pub fn lock(&self, participant: &str, sha: &str) -> MutexGuard<'_, ()> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (participant, sha).hash(&mut h);
        let stripe = &self.locks[(h.finish() as usize) % self.locks.len()];
        // Poisoned: a panic while holding it; the files are checked by hash anyway.
        stripe.lock().unwrap_or_else(|p| p.into_inner())
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
        std::fs::create_dir_all(&dir)?;
        let tmp = dir.join(format!("{idx}.{}.tmp", uuid::Uuid::new_v4().simple()));
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_data()?;
        std::fs::rename(&tmp, dir.join(idx.to_string()))?;
        Ok(())
    }

    /// Joins chunks `0..count` into the file and returns the SHA-256 of what was
    /// written; the caller compares it with the id and keeps or discards.
    pub fn assemble(&self, participant: &str, sha: &str, count: u32) -> Result<[u8; 32]> {
        let parts = self.parts(participant, sha)?;
        let tmp = self
            .dir(participant)?
            .join(format!("{sha}.{}.tmp", uuid::Uuid::new_v4().simple()));
        let mut out = std::fs::File::create(&tmp)?;
        let mut hasher = Sha256::new();
        let mut buf = Vec::new();
        for idx in 0..count {
            buf.clear();
            std::fs::File::open(parts.join(idx.to_string()))?.read_to_end(&mut buf)?;
            hasher.update(&buf);
            out.write_all(&buf)?;
        }
        out.sync_data()?;
        let digest: [u8; 32] = hasher.finalize().into();
        if hex::encode(digest) == sha {
            std::fs::rename(&tmp, self.file_path(participant, sha)?)?;
            let _ = std::fs::remove_dir_all(&parts);
        } else {
            let _ = std::fs::remove_file(&tmp);
        }
        Ok(digest)
    }

    /// Drops every chunk of an upload (after the whole file failed its hash).
    pub fn discard_parts(&self, participant: &str, sha: &str) -> Result<()> {
        match std::fs::remove_dir_all(self.parts(participant, sha)?) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// The assembled file's bytes.
    pub fn read(&self, participant: &str, sha: &str) -> Result<Vec<u8>> {
        Ok(std::fs::read(self.file_path(participant, sha)?)?)
    }
}

fn stripes() -> Vec<Mutex<()>> {
    (0..LOCK_STRIPES).map(|_| Mutex::new(())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_assemble_into_a_verified_file() {
        let store = FileStore::for_db(&DbLocation::Memory).unwrap();
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
        let store = FileStore::for_db(&DbLocation::Memory).unwrap();
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
        let store = std::sync::Arc::new(FileStore::for_db(&DbLocation::Memory).unwrap());
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
        assert_eq!(
            std::fs::read(store.parts("p", &sha).unwrap().join("0")).unwrap(),
            data
        );
    }

    #[test]
    fn a_file_database_keeps_files_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::for_db(&DbLocation::File(dir.path().join("server.db"))).unwrap();
        assert_eq!(store.root(), dir.path().join("server.db.files"));
        assert!(store.root().is_dir());
    }
}
