//! The server database's schema and its `PRAGMA user_version` ladder: one
//! version at a time inside one `BEGIN IMMEDIATE` transaction; a database
//! newer than this code is refused and left untouched.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};

/// The schema version this code writes.
pub const VERSION: u32 = 3;

/// Version 1: participants, tokens, submissions (the idempotency record),
/// registrations, issued numbers and the change feed.
const V1: &str = "
CREATE TABLE participants (
    id          TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL UNIQUE,
    label       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE tokens (
    hash            BLOB PRIMARY KEY,
    participant_id  TEXT NOT NULL REFERENCES participants(id),
    created_at      INTEGER NOT NULL
);
CREATE TABLE submissions (
    id              TEXT PRIMARY KEY,
    participant_id  TEXT NOT NULL REFERENCES participants(id),
    form_id         TEXT NOT NULL,
    form_version    INTEGER NOT NULL,
    payload_hash    BLOB NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    received_at     INTEGER NOT NULL,
    status          TEXT NOT NULL,
    answer          TEXT NOT NULL,
    reference       TEXT UNIQUE
);
CREATE INDEX submissions_form ON submissions(form_id, received_at);
CREATE TABLE registrations (
    submission_id   TEXT PRIMARY KEY REFERENCES submissions(id),
    participant_id  TEXT NOT NULL REFERENCES participants(id),
    kpj             TEXT NOT NULL UNIQUE,
    payment_code    TEXT NOT NULL UNIQUE,
    amount_due      INTEGER NOT NULL,
    pay_before      TEXT NOT NULL,
    scheme          TEXT NOT NULL,
    registered_on   TEXT NOT NULL,
    departure_date  TEXT,
    contract_start  TEXT,
    contract_end    TEXT
);
CREATE TABLE issued_numbers (
    number  TEXT PRIMARY KEY
);
CREATE TABLE events (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    participant_id  TEXT NOT NULL REFERENCES participants(id),
    at              TEXT NOT NULL,
    body            TEXT NOT NULL
);
CREATE INDEX events_participant ON events(participant_id, seq);
";

/// Version 2: attachments (upload state per participant; the bytes are files on
/// disk), the chunks received so far, and the files each submission names.
const V1_TO_V2: &str = "
CREATE TABLE attachments (
    participant_id  TEXT NOT NULL REFERENCES participants(id),
    sha256          TEXT NOT NULL,
    size            INTEGER NOT NULL,
    complete        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    completed_at    INTEGER,
    PRIMARY KEY (participant_id, sha256)
);
CREATE TABLE attachment_chunks (
    participant_id  TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    idx             INTEGER NOT NULL,
    PRIMARY KEY (participant_id, sha256, idx)
);
CREATE TABLE submission_files (
    submission_id  TEXT NOT NULL REFERENCES submissions(id),
    sha256         TEXT NOT NULL,
    PRIMARY KEY (submission_id, sha256)
);
";

/// Version 3: device secrets and token lifetimes. The SHA-256 of the secret each
/// device got at first enrollment (no row for devices enrolled before v3: they
/// claim one with a live token); a token records when it was last used, and is
/// revoked (kept, as the audit trail) when its device enrolls again.
const V2_TO_V3: &str = "
CREATE TABLE device_secrets (
    participant_id  TEXT PRIMARY KEY REFERENCES participants(id),
    hash            BLOB NOT NULL,
    created_at      INTEGER NOT NULL
);
ALTER TABLE tokens ADD COLUMN last_used_at INTEGER;
ALTER TABLE tokens ADD COLUMN revoked_at INTEGER;
CREATE INDEX tokens_participant ON tokens(participant_id);
";

/// Sets the connection's pragmas. `file` is false for in-memory databases.
pub fn configure(conn: &Connection, file: bool) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    if file {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // An answer given to a client must survive a crash: the client drops its
        // copy once it has it.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    }
    Ok(())
}

/// The version the database holds now (a trivial read: readiness asks it).
pub fn current(conn: &Connection) -> Result<u32> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Sets the recorded version without migrating: a test's way to make the
/// database look written by another server.
#[cfg(test)]
pub fn set_version_for_tests(conn: &Connection, version: u32) -> Result<()> {
    Ok(conn.pragma_update(None, "user_version", version)?)
}

/// Brings the database up to [`VERSION`], one step at a time.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: u32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > VERSION {
        return Err(Error::SchemaTooNew {
            found,
            supported: VERSION,
        });
    }
    let mut version = found;
    while version < VERSION {
        match version {
            0 => tx.execute_batch(V1)?,
            1 => tx.execute_batch(V1_TO_V2)?,
            2 => tx.execute_batch(V2_TO_V3)?,
            other => return Err(Error::Malformed(format!("no upgrade from schema {other}"))),
        }
        version += 1;
    }
    tx.pragma_update(None, "user_version", version)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_database_reaches_current_version_and_migrate_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let v: u32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, VERSION);
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='events'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn a_v2_database_keeps_its_devices_and_tokens_through_v3() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(V1).unwrap();
        conn.execute_batch(V1_TO_V2).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO participants (id, device_id, label, created_at) VALUES ('p1', 'd1', 'x', 5);
             INSERT INTO tokens (hash, participant_id, created_at) VALUES (x'01', 'p1', 6);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let v: u32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, VERSION);
        let row: (String, Option<Vec<u8>>, i64, Option<i64>, Option<i64>) = conn
            .query_row(
                "SELECT p.device_id, s.hash, t.created_at, t.last_used_at, t.revoked_at
                 FROM participants p JOIN tokens t ON t.participant_id = p.id
                 LEFT JOIN device_secrets s ON s.participant_id = p.id",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        // No secret yet (the device claims one with its token), the token still live.
        assert_eq!(row, ("d1".into(), None, 6, None, None));
        // Same tables, columns and indexes as a fresh database.
        let schema = |c: &Connection| -> Vec<String> {
            c.prepare(
                "SELECT name || ':' || sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
        };
        let mut fresh = Connection::open_in_memory().unwrap();
        migrate(&mut fresh).unwrap();
        assert_eq!(schema(&conn), schema(&fresh));
    }

    #[test]
    fn newer_database_is_refused_and_left_untouched() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", VERSION + 1)
            .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert_eq!(err.code(), "server.schema_too_new");
        let v: u32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, VERSION + 1);
        let n: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }
}
