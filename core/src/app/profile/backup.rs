//! A profile in one file protected by a passphrase, for a new phone: drafts, the
//! outbox (with every form's id, so what was in flight is still delivered once),
//! documents, cached reads and the device's credentials. Restoring needs the file
//! and the passphrase only, never the old phone.
//!
//! The file: a 52-byte header (magic, format, the Argon2id cost, a random salt and
//! nonce) and the gzipped rows sealed with ChaCha20-Poly1305 under the key Argon2id
//! derives from the passphrase; the header is the AEAD's associated data, so no byte
//! of the file can change unnoticed. A wrong passphrase and a changed file are
//! one error: the AEAD cannot tell them apart, and saying which would help a guesser.
//!
//! Writing is atomic (a temporary file renamed into place) and restoring builds the
//! profile under a temporary name first (see [`profiles::import_path`]); either,
//! killed anywhere, can simply be run again. A restore run again after it finished
//! answers with the restored profile instead of "exists".

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rand::Rng;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use serde::{Deserialize, Serialize};

use crate::base::error::{Error, Result};
use crate::store::dump::{self, Dump};
use crate::store::{get_meta, profiles, schema, set_meta, Key, OpenMode, Store};

use super::Profile;
use crate::app::kdf;
pub use crate::app::kdf::KdfParams;

/// The file format this code writes and the newest it reads.
pub const FORMAT: u32 = 1;
/// Fewest characters (after trimming) a passphrase may have.
pub const MIN_PASSPHRASE_CHARS: usize = 10;

const MAGIC: &[u8; 8] = b"RNTAU-BK";
const SALT_LEN: usize = 16;
const HEADER_LEN: usize = 8 + 4 * 4 + SALT_LEN + NONCE_LEN;
const TAG_LEN: usize = 16;
/// The meta row a restored profile keeps: the backup's id, so a restore run again
/// after it finished is recognised.
const RESTORED_FROM: &str = "backup.restored_from";
/// Costs a file may ask for: a crafted header must not make the phone allocate
/// gigabytes or spin for minutes before the passphrase is even checked.
const MAX_MEMORY_KIB: u32 = 1 << 20;
const MAX_PASSES: u32 = 16;
const MAX_LANES: u32 = 8;

/// What a backup holds, as counted when it was written or restored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct BackupSummary {
    /// The backup's random id.
    pub id: String,
    /// When it was written (unix ms).
    pub written_at: i64,
    /// Drafts.
    pub drafts: u32,
    /// Finalized forms not yet answered by the server (still to be delivered).
    pub in_flight: u32,
    /// Stored documents.
    pub documents: u32,
    /// Tables that could be read only in part (a damaged profile); empty when whole.
    pub cut_short: Vec<String>,
    /// Size of the file in bytes.
    pub bytes: u64,
}

/// The sealed contents.
#[derive(Debug, Serialize, Deserialize)]
struct Contents {
    id: String,
    written_at: i64,
    dump: Dump,
}

impl Contents {
    fn summary(&self, bytes: u64) -> BackupSummary {
        let rows = |table: &str| {
            self.dump
                .tables
                .iter()
                .find(|t| t.name == table)
                .map_or(0, |t| t.rows.len() as u32)
        };
        let in_flight = self
            .dump
            .tables
            .iter()
            .find(|t| t.name == "submissions")
            .map_or(0, |t| {
                let state = t.columns.iter().position(|c| c == "state");
                t.rows
                    .iter()
                    .filter(|row| {
                        state.and_then(|i| row.get(i)).is_some_and(|cell| {
                            !matches!(cell, dump::Cell::Text(s) if s == "accepted" || s == "rejected")
                        })
                    })
                    .count() as u32
            });
        BackupSummary {
            id: self.id.clone(),
            written_at: self.written_at,
            drafts: rows("drafts"),
            in_flight,
            documents: rows("attachments"),
            cut_short: self.dump.cut_short.clone(),
            bytes,
        }
    }
}

fn checked_passphrase(passphrase: &str) -> Result<&str> {
    let p = passphrase.trim();
    if p.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::WeakPassphrase {
            min: MIN_PASSPHRASE_CHARS as u32,
        });
    }
    Ok(p)
}

fn derive(passphrase: &str, salt: &[u8], params: KdfParams) -> Result<LessSafeKey> {
    let key = kdf::argon2id(passphrase.as_bytes(), salt, params)
        .map_err(|e| Error::DamagedBackup(format!("key derivation: {e}")))?;
    let unbound = UnboundKey::new(&CHACHA20_POLY1305, &key)
        .map_err(|_| Error::DamagedBackup("key length".into()))?;
    Ok(LessSafeKey::new(unbound))
}

fn header(params: KdfParams, salt: &[u8; SALT_LEN], nonce: &[u8; NONCE_LEN]) -> Vec<u8> {
    let mut h = Vec::with_capacity(HEADER_LEN);
    h.extend_from_slice(MAGIC);
    for n in [FORMAT, params.memory_kib, params.passes, params.lanes] {
        h.extend_from_slice(&n.to_le_bytes());
    }
    h.extend_from_slice(salt);
    h.extend_from_slice(nonce);
    h
}

fn seal(contents: &Contents, passphrase: &str, params: KdfParams) -> Result<Vec<u8>> {
    let passphrase = checked_passphrase(passphrase)?;
    let json = serde_json::to_vec(contents)
        .map_err(|e| Error::MalformedStoredData(format!("backup encoding: {e}")))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&json)?;
    let mut body = gz.finish()?;
    let mut rng = rand::rng();
    let salt: [u8; SALT_LEN] = rng.random();
    let nonce: [u8; NONCE_LEN] = rng.random();
    let head = header(params, &salt, &nonce);
    derive(passphrase, &salt, params)?
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(&head[..]),
            &mut body,
        )
        .map_err(|_| Error::MalformedStoredData("backup sealing failed".into()))?;
    let mut file = head;
    file.append(&mut body);
    Ok(file)
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(b)
}

fn unseal(file: &[u8], passphrase: &str) -> Result<Contents> {
    if file.len() < MAGIC.len() || &file[..MAGIC.len()] != MAGIC {
        return Err(Error::DamagedBackup("not a Rantau backup".into()));
    }
    if file.len() < HEADER_LEN + TAG_LEN {
        return Err(Error::DamagedBackup("cut short".into()));
    }
    let format = u32_at(file, 8);
    if format > FORMAT {
        return Err(Error::BackupTooNew {
            found: format,
            supported: FORMAT,
        });
    }
    let params = KdfParams {
        memory_kib: u32_at(file, 12),
        passes: u32_at(file, 16),
        lanes: u32_at(file, 20),
    };
    if params.memory_kib > MAX_MEMORY_KIB || params.passes > MAX_PASSES || params.lanes > MAX_LANES
    {
        return Err(Error::DamagedBackup("key cost out of range".into()));
    }
    let salt = &file[24..24 + SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&file[24 + SALT_LEN..HEADER_LEN]);
    // The passphrase is checked only for length when writing: an old backup opens
    // with whatever it was written with (trimmed the same way).
    let key = derive(passphrase.trim(), salt, params)?;
    let mut body = file[HEADER_LEN..].to_vec();
    let plain = key
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(&file[..HEADER_LEN]),
            &mut body,
        )
        .map_err(|_| Error::WrongPassphrase)?;
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(&plain[..])
        .read_to_end(&mut json)
        .map_err(|e| Error::DamagedBackup(format!("contents: {e}")))?;
    let contents: Contents = serde_json::from_slice(&json)
        .map_err(|e| Error::DamagedBackup(format!("contents: {e}")))?;
    if contents.dump.schema_version > schema::VERSION {
        return Err(Error::BackupTooNew {
            found: contents.dump.schema_version,
            supported: schema::VERSION,
        });
    }
    Ok(contents)
}

/// Writes `bytes` to `to` atomically: a temporary file beside it, flushed, renamed
/// over it, and the folder flushed.
fn write_atomically(to: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = to.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, to)?;
    if let Some(parent) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::File::open(parent)?.sync_all()?;
    }
    Ok(())
}

fn new_contents(dump: Dump) -> Contents {
    let id: [u8; 16] = rand::rng().random();
    Contents {
        id: hex::encode(id),
        written_at: chrono::Utc::now().timestamp_millis(),
        dump,
    }
}

fn export(dump: Dump, to: &Path, passphrase: &str, params: KdfParams) -> Result<BackupSummary> {
    let contents = new_contents(dump);
    let file = seal(&contents, passphrase, params)?;
    write_atomically(to, &file)?;
    Ok(contents.summary(file.len() as u64))
}

impl Profile {
    /// Writes this profile to the backup file `to`, protected by `passphrase` (at
    /// least [`MIN_PASSPHRASE_CHARS`] characters; spaces around it are ignored).
    /// The rows are read in one transaction: a consistent moment of the profile.
    pub fn export_backup(&self, to: &Path, passphrase: &str) -> Result<BackupSummary> {
        self.export_backup_with(to, passphrase, KdfParams::DEFAULT)
    }

    /// [`export_backup`](Self::export_backup) with another key cost (benchmarks).
    pub fn export_backup_with(
        &self,
        to: &Path,
        passphrase: &str,
        params: KdfParams,
    ) -> Result<BackupSummary> {
        self.for_the_user()?;
        checked_passphrase(passphrase)?;
        let rows = self.store.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            let rows = dump::dump(&tx)?;
            tx.commit()?;
            Ok(rows)
        })?;
        export(rows, to, passphrase, params)
    }

    /// Restores the backup file `from` as a new profile `name` in `dir`, encrypted
    /// with `key`. Nothing is created unless the whole file opens with `passphrase`
    /// ([`Error::WrongPassphrase`], [`Error::DamagedBackup`],
    /// [`Error::BackupTooNew`]). An existing profile `name` is left alone
    /// ([`Error::ProfileExists`]) unless it is this very backup restored before (a
    /// restore run again): then it is opened and returned.
    pub fn import_backup(
        dir: &Path,
        name: &str,
        key: &Key,
        from: &Path,
        passphrase: &str,
    ) -> Result<(Profile, BackupSummary)> {
        let file = std::fs::read(from)?;
        let contents = unseal(&file, passphrase)?;
        let summary = contents.summary(file.len() as u64);
        let path = profiles::profile_path(dir, name)?;
        if std::fs::metadata(&path).is_ok_and(|m| m.len() > 0) {
            let existing = Profile::open(dir, name, key)?;
            let restored = existing.store.read(|conn| get_meta(conn, RESTORED_FROM))?;
            if restored.as_deref() == Some(contents.id.as_str()) {
                return Ok((existing, summary));
            }
            return Err(Error::ProfileExists(name.to_string()));
        }
        std::fs::create_dir_all(dir)?;
        let building = profiles::import_path(dir, name)?;
        // What a restore killed before left: never a profile, always redone.
        profiles::remove_files(&building)?;
        {
            let store = Store::open(&building, key, OpenMode::Create)?;
            store.write_durable(|tx| {
                dump::load(tx, &contents.dump)?;
                // A PIN belongs to the phone it was set on (see `pin`).
                super::pin::forget(tx)?;
                set_meta(tx, RESTORED_FROM, &contents.id)
            })?;
            store.checkpoint()?;
        }
        profiles::move_into_place(&building, &path)?;
        Ok((Profile::open(dir, name, key)?, summary))
    }
}

/// Opens the backup file `from` with `passphrase` and tells what it holds, without
/// restoring anything: to show before a restore, and to check the passphrase
/// before anything (a key file, a profile) is made for it.
pub fn inspect(from: &Path, passphrase: &str) -> Result<BackupSummary> {
    let file = std::fs::read(from)?;
    Ok(unseal(&file, passphrase)?.summary(file.len() as u64))
}

/// Writes the damaged profile file at `path` (one that was set aside) to the
/// backup file `to`, as far as it can be read with `key`: the summary names the
/// tables that were read only in part. The damaged file is only read.
pub fn export_damaged(
    path: &Path,
    key: &Key,
    to: &Path,
    passphrase: &str,
) -> Result<BackupSummary> {
    checked_passphrase(passphrase)?;
    export(
        dump::dump_file(path, key)?,
        to,
        passphrase,
        KdfParams::DEFAULT,
    )
}

#[cfg(test)]
mod tests {
    // Test code: a failed unwrap is a failed test.
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::forms::Input;

    const PASS: &str = "kopi susu di Hong Kong";
    /// Quick costs for the tests' many files; the format carries them.
    const QUICK: KdfParams = KdfParams {
        memory_kib: 256,
        passes: 1,
        lanes: 1,
    };

    fn profile_with_work(dir: &Path) -> Profile {
        let p = Profile::create(dir, "ani", &Key::generate()).unwrap();
        let d = p.new_draft("consultation").unwrap();
        p.set_field(&d.id, "subject", Input::Text("JHT saya".into()))
            .unwrap();
        p
    }

    /// The restored profile's files only: nothing left under the temporary name.
    fn assert_only_the_profile(dir: &Path) {
        let names = files(dir);
        assert!(names.contains(&"ani.db".to_string()), "{names:?}");
        assert!(
            names
                .iter()
                .all(|n| n.starts_with("ani.db") && !n.contains("importing")),
            "{names:?}"
        );
    }

    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_backup_restores_the_same_rows_under_another_key_and_once() {
        let old = tempfile::tempdir().unwrap();
        let p = profile_with_work(old.path());
        let file = old.path().join("ani.rantau-backup");
        let written = p.export_backup_with(&file, PASS, QUICK).unwrap();
        assert_eq!((written.drafts, written.in_flight), (1, 0));
        let new = tempfile::tempdir().unwrap();
        let key = Key::generate();
        let (restored, read) =
            Profile::import_backup(new.path(), "ani", &key, &file, &format!(" {PASS} ")).unwrap();
        assert_eq!(read.id, written.id);
        let before = p.store.read(dump::dump).unwrap();
        let mut after = restored.store.read(dump::dump).unwrap();
        // The restored profile also remembers which backup it came from.
        let meta = after.tables.iter_mut().find(|t| t.name == "meta").unwrap();
        meta.rows
            .retain(|r| !matches!(&r[0], dump::Cell::Text(k) if k == RESTORED_FROM));
        assert_eq!(before, after);
        assert_only_the_profile(new.path());
        drop(restored);
        // Run again (a restore whose end was not seen): the same profile, no error.
        let (again, _) = Profile::import_backup(new.path(), "ani", &key, &file, PASS).unwrap();
        assert_eq!(again.drafts().unwrap().len(), 1);
        // Another backup onto it is refused: nothing is overwritten.
        let other = old.path().join("other");
        p.export_backup_with(&other, PASS, QUICK).unwrap();
        let err = Profile::import_backup(new.path(), "ani", &key, &other, PASS)
            .map(|_| ())
            .unwrap_err();
        assert_eq!(err.code(), "profile.exists");
    }

    #[test]
    fn bad_files_and_passphrases_are_typed_errors_and_change_nothing() {
        let old = tempfile::tempdir().unwrap();
        let p = profile_with_work(old.path());
        let file = old.path().join("b");
        let err = p.export_backup_with(&file, "pendek", QUICK).unwrap_err();
        assert_eq!(err.code(), "backup.weak_passphrase");
        assert!(!file.exists());
        p.export_backup_with(&file, PASS, QUICK).unwrap();
        let good = std::fs::read(&file).unwrap();
        let new = tempfile::tempdir().unwrap();
        let try_file = |bytes: &[u8], pass: &str| {
            let f = new.path().join("candidate");
            std::fs::write(&f, bytes).unwrap();
            let r = Profile::import_backup(new.path(), "ani", &Key::generate(), &f, pass);
            std::fs::remove_file(&f).unwrap();
            r.map(|_| ()).unwrap_err().code()
        };
        assert_eq!(
            try_file(&good, "another passphrase"),
            "backup.wrong_passphrase"
        );
        let wrong = inspect(&file, "another passphrase")
            .map(|_| ())
            .unwrap_err();
        assert_eq!(wrong.code(), "backup.wrong_passphrase");
        assert_eq!(inspect(&file, PASS).unwrap().drafts, 1);
        assert_eq!(
            try_file(&good[..good.len() - 1], PASS),
            "backup.wrong_passphrase"
        );
        assert_eq!(try_file(&good[..40], PASS), "backup.damaged");
        assert_eq!(try_file(b"PK\x03\x04 a zip", PASS), "backup.damaged");
        for at in [9, 30, 60, good.len() / 2] {
            let mut changed = good.clone();
            changed[at] ^= 1;
            let code = try_file(&changed, PASS);
            assert!(
                [
                    "backup.wrong_passphrase",
                    "backup.too_new",
                    "backup.damaged"
                ]
                .contains(&code),
                "{at}: {code}"
            );
        }
        let mut newer = good.clone();
        newer[8] = FORMAT as u8 + 1;
        assert_eq!(try_file(&newer, PASS), "backup.too_new");
        let mut greedy = good;
        greedy[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(try_file(&greedy, PASS), "backup.damaged");
        // Nothing was created by any of them.
        assert!(files(new.path()).is_empty(), "{:?}", files(new.path()));
    }

    #[test]
    fn a_backup_of_a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut contents = new_contents(Dump {
            schema_version: schema::VERSION + 1,
            tables: Vec::new(),
            cut_short: Vec::new(),
        });
        contents.written_at = 1;
        let file = dir.path().join("f");
        std::fs::write(&file, seal(&contents, PASS, QUICK).unwrap()).unwrap();
        let err = Profile::import_backup(dir.path(), "x", &Key::generate(), &file, PASS)
            .map(|_| ())
            .unwrap_err();
        assert_eq!(err.code(), "backup.too_new");
    }

    #[test]
    fn a_restore_cut_short_leaves_no_profile_and_is_redone() {
        let old = tempfile::tempdir().unwrap();
        let p = profile_with_work(old.path());
        let file = old.path().join("b");
        p.export_backup_with(&file, PASS, QUICK).unwrap();
        let new = tempfile::tempdir().unwrap();
        // What a kill mid-restore leaves: a half-built database under the temporary name.
        let half = profiles::import_path(new.path(), "ani").unwrap();
        std::fs::write(&half, b"half written").unwrap();
        assert!(crate::store::list_profiles(new.path()).unwrap().is_empty());
        let key = Key::generate();
        let (restored, _) = Profile::import_backup(new.path(), "ani", &key, &file, PASS).unwrap();
        assert_eq!(restored.drafts().unwrap().len(), 1);
        assert_only_the_profile(new.path());
    }

    #[test]
    fn a_damaged_profile_is_saved_as_far_as_it_reads() {
        let dir = tempfile::tempdir().unwrap();
        let key = Key::generate();
        let p = Profile::create(dir.path(), "ani", &key).unwrap();
        let d = p.new_draft("consultation").unwrap();
        p.set_field(&d.id, "subject", Input::Text("JHT saya".into()))
            .unwrap();
        p.store.checkpoint().unwrap();
        let path = p.path().to_path_buf();
        drop(p);
        let file = dir.path().join("saved");
        let summary = export_damaged(&path, &key, &file, PASS).unwrap();
        assert_eq!(summary.drafts, 1);
        assert!(summary.cut_short.is_empty());
        let err = export_damaged(&path, &Key::generate(), &file, PASS).unwrap_err();
        assert_eq!(err.code(), "store.not_a_database");
    }
}
