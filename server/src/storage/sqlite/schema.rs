//! The server database's schema and its `PRAGMA user_version` ladder: one
//! version at a time inside one `BEGIN IMMEDIATE` transaction; a database
//! newer than this code is refused and left untouched.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};
use crate::storage::sqlite::persons;

/// The schema version this code writes.
pub const VERSION: u32 = 5;

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

/// Version 4: the person. A participant stays what a device acts as (tokens,
/// feed, documents); a person is a worker by NIK, with the devices linked to
/// them and their memberships (placement windows, from a registration here or
/// an officer's import). `registrations.kpj` loses its UNIQUE: a person's later
/// placement keeps their KPJ (SQLite drops a constraint by rebuilding the
/// table). [`persons::adopt_registrations`] then fills the new tables from the
/// registrations already stored.
const V3_TO_V4: &str = "
CREATE TABLE persons (
    id          TEXT PRIMARY KEY,
    nik         TEXT NOT NULL UNIQUE,
    kpj         TEXT NOT NULL UNIQUE,
    name        TEXT,
    birth_date  TEXT,
    created_at  INTEGER NOT NULL
);
CREATE TABLE person_devices (
    person_id       TEXT NOT NULL REFERENCES persons(id),
    participant_id  TEXT NOT NULL REFERENCES participants(id),
    linked_at       INTEGER NOT NULL,
    PRIMARY KEY (person_id, participant_id)
);
CREATE INDEX person_devices_participant ON person_devices(participant_id);
CREATE TABLE memberships (
    person_id      TEXT NOT NULL REFERENCES persons(id),
    kpj            TEXT NOT NULL,
    starts         TEXT NOT NULL,
    ends           TEXT NOT NULL,
    source         TEXT NOT NULL,
    submission_id  TEXT UNIQUE REFERENCES submissions(id),
    created_at     INTEGER NOT NULL
);
CREATE INDEX memberships_person ON memberships(person_id, starts);
CREATE INDEX memberships_kpj ON memberships(kpj);
CREATE TABLE registrations_v4 (
    submission_id   TEXT PRIMARY KEY REFERENCES submissions(id),
    participant_id  TEXT NOT NULL REFERENCES participants(id),
    kpj             TEXT NOT NULL,
    payment_code    TEXT NOT NULL UNIQUE,
    amount_due      INTEGER NOT NULL,
    pay_before      TEXT NOT NULL,
    scheme          TEXT NOT NULL,
    registered_on   TEXT NOT NULL,
    departure_date  TEXT,
    contract_start  TEXT,
    contract_end    TEXT
);
INSERT INTO registrations_v4 SELECT submission_id, participant_id, kpj, payment_code, amount_due,
    pay_before, scheme, registered_on, departure_date, contract_start, contract_end FROM registrations;
DROP TABLE registrations;
ALTER TABLE registrations_v4 RENAME TO registrations;
CREATE INDEX registrations_kpj ON registrations(kpj);
";

/// Version 5: linking a device to a person:
/// the person's e-mail address on file (the only one a link code is mailed
/// to), each link attempt ("I am already registered": the device, the person it
/// is bound to when the claim matched, the channel, its time and wrong codes) and
/// the one-time codes (hashed; an e-mailed one bound to its attempt, an officer's
/// to the person). `docs/link.md`.
const V4_TO_V5: &str = "
ALTER TABLE persons ADD COLUMN email TEXT;
CREATE TABLE link_attempts (
    id              TEXT PRIMARY KEY,
    participant_id  TEXT NOT NULL REFERENCES participants(id),
    person_id       TEXT REFERENCES persons(id),
    channel         TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    wrong           INTEGER NOT NULL DEFAULT 0,
    used_at         INTEGER
);
CREATE INDEX link_attempts_person ON link_attempts(person_id, created_at);
CREATE TABLE link_codes (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES persons(id),
    attempt_id  TEXT REFERENCES link_attempts(id),
    hash        BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX link_codes_person ON link_codes(person_id, expires_at);
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
            3 => {
                tx.execute_batch(V3_TO_V4)?;
                persons::adopt_registrations(&tx)?;
            }
            4 => {
                tx.execute_batch(V4_TO_V5)?;
                persons::adopt_emails(&tx)?;
            }
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
    fn a_v3_database_keeps_its_registrations_as_persons_through_v4() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(V1).unwrap();
        conn.execute_batch(V1_TO_V2).unwrap();
        conn.execute_batch(V2_TO_V3).unwrap();
        conn.pragma_update(None, "user_version", 3).unwrap();
        let payload = crate::decisions::ids::canonical_json(&serde_json::Value::Object(
            rantau_core::forms::samples::sample_registration_of(7),
        ));
        let nik = rantau_core::forms::samples::sample_registration_of(7)["nik"]
            .as_str()
            .unwrap()
            .to_string();
        // Two registrations of one NIK from two phones (an old server gave each
        // a KPJ), and a form that registers no one.
        conn.execute_batch(
            "INSERT INTO participants VALUES ('p1', 'd1', '', 1), ('p2', 'd2', '', 2);",
        )
        .unwrap();
        for (id, p, form, at) in [
            ("s1", "p1", "pmi-registration", 10),
            ("s2", "p2", "pmi-registration", 20),
            ("s3", "p2", "consultation", 30),
        ] {
            conn.execute(
                "INSERT INTO submissions VALUES (?1, ?2, ?3, 1, x'00', ?4, 't', ?5, 'accepted', '{}', ?1)",
                rusqlite::params![id, p, form, payload, at],
            )
            .unwrap();
        }
        conn.execute_batch(
            "INSERT INTO registrations VALUES
               ('s1', 'p1', '11111111111', '21111111111', 1, 'x', 'p3mi', '2026-01-01', NULL, '2025-07-01', '2027-06-30'),
               ('s2', 'p2', '11111111112', '21111111112', 1, 'x', 'p3mi', '2026-01-02', '2025-08-01', '2025-07-01', '2027-06-30');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let persons: Vec<(String, String)> = conn
            .prepare("SELECT nik, kpj FROM persons")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        // One person, with the first registration's KPJ.
        assert_eq!(persons, [(nik, "11111111111".to_string())]);
        let devices: Vec<String> = conn
            .prepare("SELECT participant_id FROM person_devices ORDER BY 1")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(devices, ["p1", "p2"]);
        type Membership = (String, String, String, String, Option<String>);
        let memberships: Vec<Membership> = conn
            .prepare(
                "SELECT kpj, starts, ends, source, submission_id FROM memberships ORDER BY kpj",
            )
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let m = |kpj: &str, start: &str, s: &str| {
            (
                kpj.into(),
                start.into(),
                "2027-06-30".into(),
                "registration".into(),
                Some(s.into()),
            )
        };
        assert_eq!(
            memberships,
            [
                m("11111111111", "2025-07-01", "s1"),
                m("11111111112", "2025-08-01", "s2")
            ]
        );
        // The registrations are all there, and a KPJ may now repeat.
        let n: i64 = conn
            .query_row("SELECT count(*) FROM registrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
        conn.execute(
            "INSERT INTO registrations VALUES ('s3', 'p2', '11111111111', '21111111113', 1, 'x', 'p3mi', 'x', NULL, NULL, NULL)",
            [],
        )
        .unwrap();
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
