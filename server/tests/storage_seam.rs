//! The storage seam holds: outside `server/src/storage/` no source file names
//! a database driver (`rusqlite`, `tokio_postgres`, `deadpool_postgres`), reaches
//! into a backend (`sqlite::`, `postgres::`), or
//! holds SQL in a string literal. Handlers and decisions talk to
//! `storage::Storage` only, so a second backend (PostgreSQL) needs no change
//! above it. Comments are not scanned: they may name SQL to explain it.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

/// SQL that has no business outside storage, as it would start a statement.
const SQL: &[&str] = &[
    "SELECT ", "INSERT ", "UPDATE ", "DELETE ", "CREATE ", "ALTER ", "DROP ", "PRAGMA ", "BEGIN",
    "COMMIT", "ROLLBACK",
];

/// Names that mean a file uses a backend directly: the driver, or a backend's
/// module (its connection and transaction types are only reachable through them).
const BACKEND: &[&str] = &[
    "rusqlite",
    "sqlite::",
    "tokio_postgres",
    "deadpool_postgres",
    "postgres::",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a line: without a `//` comment (a rough cut that is enough for
/// this crate: no string literal in it holds `//` before SQL).
fn code(line: &str) -> &str {
    match line.find("//") {
        Some(i) => &line[..i],
        None => line,
    }
}

/// The contents of the string literals on a line of code (escaped quotes are
/// rare here and only split a literal in two, which still finds SQL).
fn literals(code: &str) -> Vec<&str> {
    code.split('"').skip(1).step_by(2).collect()
}

/// What is wrong with one line, if anything.
fn offence(line: &str) -> Option<String> {
    let code = code(line);
    if let Some(name) = BACKEND.iter().find(|n| code.contains(*n)) {
        return Some(format!("names `{name}`"));
    }
    for lit in literals(code) {
        let upper = lit.trim_start();
        if let Some(kw) = SQL.iter().find(|k| upper.starts_with(*k)) {
            return Some(format!("holds SQL (`{}…`)", kw.trim()));
        }
    }
    None
}

#[test]
fn no_sql_or_driver_outside_storage() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let storage = src.join("storage");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut found = Vec::new();
    let mut scanned = 0;
    for file in files.iter().filter(|f| !f.starts_with(&storage)) {
        scanned += 1;
        for (n, line) in fs::read_to_string(file).unwrap().lines().enumerate() {
            if let Some(why) = offence(line) {
                let shown = file.strip_prefix(&src).unwrap().display();
                found.push(format!("server/src/{shown}:{}: {why}", n + 1));
            }
        }
    }
    assert!(
        scanned > 20,
        "only {scanned} files scanned: is the path right?"
    );
    assert!(
        found.is_empty(),
        "queries and the driver belong in server/src/storage/:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_catches_what_it_is_for() {
    assert!(offence(r#"    tx.execute("DELETE FROM tokens", [])?;"#).is_some());
    assert!(offence(r#"    c.prepare_cached("SELECT 1 FROM t")?"#).is_some());
    assert!(offence("use rusqlite::params;").is_some());
    assert!(offence("    crate::storage::sqlite::devices::enroll(db, a)").is_some());
    assert!(offence("fn f(tx: &rusqlite::Transaction) {}").is_some());
    assert!(offence("use tokio_postgres::Transaction;").is_some());
    assert!(offence("    crate::storage::postgres::events::since(db, p, 0, 1)").is_some());
    // Not SQL: identifiers, comments, ordinary text.
    assert!(offence(r#"    validation::DATA_UPDATE => "UPD","#).is_none());
    assert!(offence("    // SELECT is explained here").is_none());
    assert!(offence(r#"    ApiError::invalid("amount must be positive")"#).is_none());
}
