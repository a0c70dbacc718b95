//! The database schema: the current one as one SQL text, and the upgrade ladder
//! (`PRAGMA user_version`, one version at a time). Old schemas stay here frozen so
//! test fixtures can be regenerated; a migration converts data, it never drops it.
//!
//! - v1: `drafts` and `submissions` (the outbox).
//! - v2: `meta` (key/value), `cache` (cached server reads) and the index
//!   `submissions_due` on `submissions(state, next_attempt_at)`.

use rusqlite::{Connection, Transaction};

use crate::{Error, Result};

/// The schema version this code writes.
pub const VERSION: u32 = 2;

/// The current schema (version [`VERSION`]), used for a fresh database. Each
/// statement must read exactly like the one the ladder creates, because SQLite keeps
/// the text: a test compares a fresh database with an upgraded one.
pub const CURRENT: &str = "
CREATE TABLE drafts (
    id             TEXT PRIMARY KEY NOT NULL,
    form_id        TEXT NOT NULL,
    form_version   INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    answers        TEXT NOT NULL,
    reopened_from  TEXT
);
CREATE TABLE submissions (
    id               TEXT PRIMARY KEY NOT NULL,
    form_id          TEXT NOT NULL,
    form_version     INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    payload          TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'waiting', 'accepted', 'rejected', 'needs_attention')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,
    reference        TEXT,
    issues           TEXT NOT NULL DEFAULT '[]',
    last_error       TEXT,
    depends_on       TEXT,
    updated_at       INTEGER NOT NULL
);
CREATE TABLE meta (
    key    TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE cache (
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    body        TEXT NOT NULL,
    fetched_at  INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE INDEX submissions_due ON submissions (state, next_attempt_at);
";

/// Version 1, frozen: the schema the first release wrote. Only the fixture
/// generator uses it; never edit it.
pub const V1: &str = "
CREATE TABLE drafts (
    id             TEXT PRIMARY KEY NOT NULL,
    form_id        TEXT NOT NULL,
    form_version   INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    answers        TEXT NOT NULL,
    reopened_from  TEXT
);
CREATE TABLE submissions (
    id               TEXT PRIMARY KEY NOT NULL,
    form_id          TEXT NOT NULL,
    form_version     INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    payload          TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'waiting', 'accepted', 'rejected', 'needs_attention')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,
    reference        TEXT,
    issues           TEXT NOT NULL DEFAULT '[]',
    last_error       TEXT,
    depends_on       TEXT,
    updated_at       INTEGER NOT NULL
);
";

/// v1 → v2: adds tables and an index; touches no existing row.
const V1_TO_V2: &str = "
CREATE TABLE meta (
    key    TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE cache (
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    body        TEXT NOT NULL,
    fetched_at  INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE INDEX submissions_due ON submissions (state, next_attempt_at);
";

/// Reads `PRAGMA user_version`.
pub fn user_version(conn: &Connection) -> Result<u32> {
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    u32::try_from(v).map_err(|_| Error::MalformedStoredData("negative schema version".into()))
}

fn set_user_version(tx: &Transaction<'_>, version: u32) -> Result<()> {
    tx.pragma_update(None, "user_version", version)?;
    Ok(())
}

/// Refuses a database written by newer code.
pub fn check_not_too_new(found: u32) -> Result<()> {
    if found > VERSION {
        return Err(Error::SchemaTooNew { found, supported: VERSION });
    }
    Ok(())
}

/// Brings the schema to [`VERSION`] inside `tx` (the caller's `BEGIN IMMEDIATE`):
/// version 0 gets [`CURRENT`]; older versions climb the ladder one step at a time.
/// Returns the version found before.
pub fn migrate(tx: &Transaction<'_>) -> Result<u32> {
    // Read again inside the transaction: another process may have migrated meanwhile.
    let found = user_version(tx)?;
    check_not_too_new(found)?;
    if found == VERSION {
        return Ok(found);
    }
    if found == 0 {
        tx.execute_batch(CURRENT)?;
    } else {
        let mut version = found;
        while version < VERSION {
            upgrade_from(tx, version)?;
            version += 1;
        }
    }
    set_user_version(tx, VERSION)?;
    Ok(found)
}

fn upgrade_from(tx: &Transaction<'_>, version: u32) -> Result<()> {
    match version {
        1 => tx.execute_batch(V1_TO_V2)?,
        // Unreachable through `migrate` (0 and VERSION are handled there); a
        // data error rather than a panic in case a caller misuses it.
        other => return Err(Error::MalformedStoredData(format!("no upgrade from schema {other}"))),
    }
    Ok(())
}

/// The schema as SQLite keeps it: `(type, name, sql)` for every table and index,
/// with whitespace normalized so formatting does not matter. For tests and checks.
pub fn describe(conn: &Connection) -> Result<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, coalesce(sql, '') FROM sqlite_master
         WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, normalize_sql(&r.get::<_, String>(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn normalize_sql(sql: &str) -> String {
    let joined = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    joined.replace("( ", "(").replace(" )", ")").replace(" ,", ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> Connection {
        Connection::open_in_memory().unwrap()
    }

    #[test]
    fn fresh_database_gets_the_current_version() {
        let mut conn = memory();
        let tx = conn.transaction().unwrap();
        assert_eq!(migrate(&tx).unwrap(), 0);
        tx.commit().unwrap();
        assert_eq!(user_version(&conn).unwrap(), VERSION);
        let names: Vec<String> = describe(&conn).unwrap().into_iter().map(|(_, n, _)| n).collect();
        assert_eq!(names, ["submissions_due", "cache", "drafts", "meta", "submissions"]);
    }

    #[test]
    fn ladder_from_v1_equals_fresh_schema() {
        let mut fresh = memory();
        let tx = fresh.transaction().unwrap();
        migrate(&tx).unwrap();
        tx.commit().unwrap();

        let mut old = memory();
        old.execute_batch(V1).unwrap();
        old.pragma_update(None, "user_version", 1).unwrap();
        let tx = old.transaction().unwrap();
        assert_eq!(migrate(&tx).unwrap(), 1);
        tx.commit().unwrap();
        assert_eq!(describe(&old).unwrap(), describe(&fresh).unwrap());
    }

    #[test]
    fn newer_schema_is_refused() {
        let mut conn = memory();
        conn.pragma_update(None, "user_version", VERSION + 1).unwrap();
        let tx = conn.transaction().unwrap();
        assert!(matches!(migrate(&tx), Err(Error::SchemaTooNew { found, supported: VERSION }) if found == VERSION + 1));
    }

    #[test]
    fn normalize_ignores_layout() {
        assert_eq!(normalize_sql("CREATE TABLE t (\n  a  INTEGER ,\n b )"), "CREATE TABLE t (a INTEGER, b)");
    }
}
