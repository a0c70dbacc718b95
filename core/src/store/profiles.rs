//! Profiles on disk: one encrypted database file per profile in one directory,
//! named `<name>.db` (with its `<name>.db.keycheck` sidecar beside it).

use std::fs;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

const EXTENSION: &str = "db";

/// True for 1–64 ASCII letters, digits, `-` and `_`: safe in any file system.
pub fn is_valid_profile_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The database path of profile `name` in `dir`; an invalid name → [`Error::InvalidProfileName`].
pub fn profile_path(dir: &Path, name: &str) -> Result<PathBuf> {
    if !is_valid_profile_name(name) {
        return Err(Error::InvalidProfileName);
    }
    Ok(dir.join(format!("{name}.{EXTENSION}")))
}

/// The names of the profiles in `dir`, sorted; a missing directory has none.
pub fn list_profiles(dir: &Path) -> Result<Vec<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some(EXTENSION) {
            continue;
        }
        if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
            if is_valid_profile_name(stem) {
                names.push(stem.to_string());
            }
        }
    }
    names.sort();
    Ok(names)
}

/// Moves the files of profile `name` (the database, its `-wal`, `-shm` and key
/// check) to `<name>.db.damaged-<stamp>…` beside them, so `name` can be created
/// again while the old file is kept for recovery (it is never listed as a profile).
/// Sidecars move first: a stopped move leaves the database in place, never a new
/// database beside an old write-ahead log. Returns the database's new path.
/// Whether the profile is damaged is the caller's check (the app's `Profile::set_aside_damaged`).
pub fn set_aside(dir: &Path, name: &str, stamp: i64) -> Result<PathBuf> {
    let db = profile_path(dir, name)?;
    let kept = dir.join(format!("{name}.{EXTENSION}.damaged-{stamp}"));
    for suffix in ["-wal", "-shm", ".keycheck", ""] {
        match fs::rename(with_suffix(&db, suffix), with_suffix(&kept, suffix)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !suffix.is_empty() => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::ProfileNotFound(name.to_string()))
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(kept)
}

/// Where a profile being restored from a backup is built before it takes its name
/// (`<name>.db.importing`: never listed as a profile, so a restore cut short
/// leaves no half profile behind).
pub fn import_path(dir: &Path, name: &str) -> Result<PathBuf> {
    let db = profile_path(dir, name)?;
    Ok(with_suffix(&db, ".importing"))
}

/// Removes the database at `db` with its sidecars, whichever exist.
pub fn remove_files(db: &Path) -> Result<()> {
    for suffix in ["-wal", "-shm", ".keycheck", ""] {
        match fs::remove_file(with_suffix(db, suffix)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    Ok(())
}

/// Moves the closed database at `from` (with its sidecars) to `to`, sidecars first
/// and the database last: the rename of the database is the one step that makes
/// it appear, and the folder is flushed after it.
pub fn move_into_place(from: &Path, to: &Path) -> Result<()> {
    for suffix in ["-wal", "-shm", ".keycheck", ""] {
        match fs::rename(with_suffix(from, suffix), with_suffix(to, suffix)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound || suffix.is_empty() => {
                return Err(e.into())
            }
            _ => {}
        }
    }
    if let Some(parent) = to.parent() {
        fs::File::open(parent)?.sync_all()?;
    }
    Ok(())
}

/// `path` with `suffix` appended to its file name (`a.db` + `-wal` = `a.db-wal`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names_map_to_db_files() {
        let dir = Path::new("/data/profiles");
        assert_eq!(
            profile_path(dir, "ani_2-B").unwrap(),
            dir.join("ani_2-B.db")
        );
        assert!(profile_path(dir, &"a".repeat(64)).is_ok());
    }

    #[test]
    fn invalid_names_are_refused() {
        for bad in [
            "",
            "../x",
            "a b",
            "a.b",
            "siti/../../etc",
            "é",
            &"a".repeat(65),
            "a\0",
        ] {
            assert!(
                matches!(
                    profile_path(Path::new("/p"), bad),
                    Err(Error::InvalidProfileName)
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn list_shows_only_profile_databases() {
        let dir = tempfile::tempdir().unwrap();
        assert!(list_profiles(&dir.path().join("missing"))
            .unwrap()
            .is_empty());
        for file in [
            "b.db",
            "a.db",
            "a.db.keycheck",
            "a.db-wal",
            "notes.txt",
            "bad name.db",
        ] {
            fs::write(dir.path().join(file), b"").unwrap();
        }
        fs::create_dir(dir.path().join("c.db")).unwrap();
        assert_eq!(list_profiles(dir.path()).unwrap(), ["a", "b"]);
    }

    proptest::proptest! {
        #[test]
        fn profile_path_never_escapes_the_directory(name in ".*") {
            if let Ok(path) = profile_path(Path::new("/p"), &name) {
                proptest::prop_assert_eq!(path.parent(), Some(Path::new("/p")));
            }
        }
    }
}
