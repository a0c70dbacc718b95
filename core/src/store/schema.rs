//! The database schema: the current one as one SQL text, and the upgrade ladder
//! (`PRAGMA user_version`, one version at a time). Old schemas stay here frozen so
//! test fixtures can be regenerated; a migration converts data, it never drops it.
//!
//! - v1: `drafts` and `submissions` (the outbox).
//! - v2: `meta` (key/value), `cache` (cached server reads) and the index
//!   `submissions_due` on `submissions(state, next_attempt_at)`.
//! - v3: `attachments`, `attachment_chunks` and `draft_attachments` (document files,
//!   encrypted with the rest of the profile).
//! - v4: `submissions.left_at`: when a request carrying the submission or one of
//!   its files was first started. NULL means it never left the phone, so the worker
//!   may still take it back to a draft; rows from before v4 count as sent.
//! - v5: `drafts.last_page`: the page the worker last changed something on, where
//!   the draft opens again (0, the first page, for drafts from before v5).

use rusqlite::{Connection, Transaction};

use crate::{Error, Result};

/// The schema version this code writes.
pub const VERSION: u32 = 5;

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
    reopened_from  TEXT, last_page INTEGER NOT NULL DEFAULT 0
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
    updated_at       INTEGER NOT NULL, left_at INTEGER
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
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY NOT NULL,
    mime         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    chunk_count  INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    uploaded_at  INTEGER
);
CREATE TABLE attachment_chunks (
    attachment_id  TEXT NOT NULL,
    idx            INTEGER NOT NULL,
    data           BLOB NOT NULL,
    PRIMARY KEY (attachment_id, idx)
);
CREATE TABLE draft_attachments (
    draft_id       TEXT NOT NULL,
    field_path     TEXT NOT NULL,
    attachment_id  TEXT NOT NULL,
    page           INTEGER NOT NULL,
    added_at       INTEGER NOT NULL,
    PRIMARY KEY (draft_id, field_path, attachment_id)
) WITHOUT ROWID;
CREATE INDEX draft_attachments_file ON draft_attachments (attachment_id);
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

/// v2 → v3: the document tables; touches no existing row.
const V2_TO_V3: &str = "
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY NOT NULL,
    mime         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    chunk_count  INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    uploaded_at  INTEGER
);
CREATE TABLE attachment_chunks (
    attachment_id  TEXT NOT NULL,
    idx            INTEGER NOT NULL,
    data           BLOB NOT NULL,
    PRIMARY KEY (attachment_id, idx)
);
CREATE TABLE draft_attachments (
    draft_id       TEXT NOT NULL,
    field_path     TEXT NOT NULL,
    attachment_id  TEXT NOT NULL,
    page           INTEGER NOT NULL,
    added_at       INTEGER NOT NULL,
    PRIMARY KEY (draft_id, field_path, attachment_id)
) WITHOUT ROWID;
CREATE INDEX draft_attachments_file ON draft_attachments (attachment_id);
";

/// v3 → v4. Nobody can tell whether a submission stored before v4 ever left the
/// phone (a crash mid-send puts it back to queued), so every one counts as sent:
/// none of them can be taken back.
const V3_TO_V4: &str = "
ALTER TABLE submissions ADD COLUMN left_at INTEGER;
UPDATE submissions SET left_at = updated_at;
";

/// v4 → v5. A draft from before opens on its first page, as it did.
const V4_TO_V5: &str = "
ALTER TABLE drafts ADD COLUMN last_page INTEGER NOT NULL DEFAULT 0;
";

/// Version 2, frozen: the schema of the second release (v1 plus [`V1_TO_V2`]).
/// Only the fixture generator uses it; never edit it.
pub fn v2_schema() -> String {
    format!("{V1}{V1_TO_V2}")
}

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
        return Err(Error::SchemaTooNew {
            found,
            supported: VERSION,
        });
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
        2 => tx.execute_batch(V2_TO_V3)?,
        3 => tx.execute_batch(V3_TO_V4)?,
        4 => tx.execute_batch(V4_TO_V5)?,
        // Unreachable through `migrate` (0 and VERSION are handled there); a
        // data error rather than a panic in case a caller misuses it.
        other => {
            return Err(Error::MalformedStoredData(format!(
                "no upgrade from schema {other}"
            )))
        }
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
    let rows = stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, normalize_sql(&r.get::<_, String>(2)?)))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn normalize_sql(sql: &str) -> String {
    let joined = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    joined
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(" ,", ",")
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
        let names: Vec<String> = describe(&conn)
            .unwrap()
            .into_iter()
            .map(|(_, n, _)| n)
            .collect();
        assert_eq!(
            names,
            [
                "draft_attachments_file",
                "submissions_due",
                "attachment_chunks",
                "attachments",
                "cache",
                "draft_attachments",
                "drafts",
                "meta",
                "submissions"
            ]
        );
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
    fn ladder_from_v2_equals_fresh_schema_and_keeps_rows() {
        let mut fresh = memory();
        let tx = fresh.transaction().unwrap();
        migrate(&tx).unwrap();
        tx.commit().unwrap();

        let mut old = memory();
        old.execute_batch(&v2_schema()).unwrap();
        old.execute("INSERT INTO meta (key, value) VALUES ('cursor', '9')", [])
            .unwrap();
        old.pragma_update(None, "user_version", 2).unwrap();
        let tx = old.transaction().unwrap();
        assert_eq!(migrate(&tx).unwrap(), 2);
        tx.commit().unwrap();
        assert_eq!(describe(&old).unwrap(), describe(&fresh).unwrap());
        let cursor: String = old
            .query_row("SELECT value FROM meta WHERE key = 'cursor'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(cursor, "9");
    }

    #[test]
    fn newer_schema_is_refused() {
        let mut conn = memory();
        conn.pragma_update(None, "user_version", VERSION + 1)
            .unwrap();
        let tx = conn.transaction().unwrap();
        assert!(
            matches!(migrate(&tx), Err(Error::SchemaTooNew { found, supported: VERSION }) if found == VERSION + 1)
        );
    }

    #[test]
    fn normalize_ignores_layout() {
        assert_eq!(
            normalize_sql("CREATE TABLE t (\n  a  INTEGER ,\n b )"),
            "CREATE TABLE t (a INTEGER, b)"
        );
    }
}

/// The frozen v1 fixture (`fixtures/v1.db`): generated once by
/// `generate_v1_fixture` (run with `--ignored`), committed, never regenerated
/// unless v1 itself was wrong.
#[cfg(test)]
mod fixture_tests {
    use super::*;
    use crate::store::open::unlock;
    use crate::store::test_support::{temp_store, test_key};
    use crate::store::{drafts, outbox, DraftRow, OpenMode, OutboxState, Store, SubmissionRow};
    use serde_json::json;
    use std::path::PathBuf;

    fn fixture_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/store/fixtures/v1.db")
    }

    /// The rows in the fixture (made-up data, no real person).
    fn v1_drafts() -> Vec<DraftRow> {
        let answers = |v: serde_json::Value| v.as_object().cloned().unwrap_or_default();
        vec![
            DraftRow {
                id: "9b2f8c1e-0000-4000-8000-000000000001".into(),
                form_id: "pmi-registration".into(),
                form_version: 1,
                created_at: 1_767_225_600_000,
                updated_at: 1_767_225_660_000,
                answers: answers(
                    json!({"full_name": "Contoh Pekerja", "destination": "TW", "heirs": [{"name": "Ahli Waris"}]}),
                ),
                reopened_from: None,
            },
            DraftRow {
                id: "9b2f8c1e-0000-4000-8000-000000000002".into(),
                form_id: "consultation".into(),
                form_version: 1,
                created_at: 1_767_225_700_000,
                updated_at: 1_767_225_700_000,
                answers: answers(json!({})),
                reopened_from: Some("9b2f8c1e-0000-4000-8000-00000000000c".into()),
            },
        ]
    }

    fn v1_submissions() -> Vec<SubmissionRow> {
        let base = |id: &str, at: i64, state: OutboxState| SubmissionRow {
            id: id.into(),
            form_id: "pmi-registration".into(),
            form_version: 1,
            created_at: at,
            payload: json!({"full_name": "Contoh Pekerja", "destination": "HK", "months": 24}),
            state,
            attempts: 0,
            next_attempt_at: None,
            reference: None,
            issues: Vec::new(),
            last_error: None,
            depends_on: None,
            updated_at: at,
            // Upgraded from before v4: counted as sent, never taken back.
            left_at: Some(at),
        };
        let mut waiting = base(
            "9b2f8c1e-0000-4000-8000-00000000000b",
            1_767_225_500_000,
            OutboxState::Waiting,
        );
        waiting.attempts = 3;
        waiting.next_attempt_at = Some(1_767_226_000_000);
        waiting.last_error = Some("network.timeout".into());
        let mut accepted = base(
            "9b2f8c1e-0000-4000-8000-00000000000c",
            1_767_225_400_000,
            OutboxState::Accepted,
        );
        accepted.reference = Some("REG-2026-000123".into());
        let mut queued_dep = base(
            "9b2f8c1e-0000-4000-8000-00000000000d",
            1_767_225_800_000,
            OutboxState::Queued,
        );
        queued_dep.form_id = "data-update".into();
        queued_dep.depends_on = Some("9b2f8c1e-0000-4000-8000-00000000000c".into());
        vec![
            accepted,
            waiting,
            base(
                "9b2f8c1e-0000-4000-8000-00000000000a",
                1_767_225_600_000,
                OutboxState::Queued,
            ),
            queued_dep,
        ]
    }

    #[test]
    #[ignore = "writes the committed fixture; run only to recreate it"]
    fn generate_v1_fixture() {
        let path = fixture_path();
        let _ = std::fs::remove_file(&path);
        let mut conn = Connection::open(&path).unwrap();
        unlock(&conn, &test_key()).unwrap();
        conn.execute_batch(V1).unwrap();
        let tx = conn.transaction().unwrap();
        // Raw v1 SQL, so the generator does not follow later changes to the queries.
        for d in v1_drafts() {
            tx.execute(
                "INSERT INTO drafts (id, form_id, form_version, created_at, updated_at, answers, reopened_from)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                rusqlite::params![
                    d.id,
                    d.form_id,
                    d.form_version,
                    d.created_at,
                    d.updated_at,
                    serde_json::to_string(&d.answers).unwrap(),
                    d.reopened_from
                ],
            )
            .unwrap();
        }
        for s in v1_submissions() {
            tx.execute(
                "INSERT INTO submissions (id, form_id, form_version, created_at, payload, state, attempts,
                   next_attempt_at, reference, issues, last_error, depends_on, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                rusqlite::params![
                    s.id,
                    s.form_id,
                    s.form_version,
                    s.created_at,
                    s.payload.to_string(),
                    s.state.as_str(),
                    s.attempts,
                    s.next_attempt_at,
                    s.reference,
                    "[]",
                    s.last_error,
                    s.depends_on,
                    s.updated_at
                ],
            )
            .unwrap();
        }
        tx.pragma_update(None, "user_version", 1).unwrap();
        tx.commit().unwrap();
    }

    #[test]
    fn fixture_is_an_encrypted_v1_database() {
        let bytes = std::fs::read(fixture_path()).unwrap();
        assert!(!bytes.starts_with(b"SQLite format 3"));
        assert!(
            !bytes.windows(6).any(|w| w == b"Contoh"),
            "fixture data in clear"
        );
        let conn =
            Connection::open_with_flags(fixture_path(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap();
        unlock(&conn, &test_key()).unwrap();
        assert_eq!(user_version(&conn).unwrap(), 1);
    }

    #[test]
    fn upgrading_the_v1_fixture_matches_a_fresh_database_and_keeps_all_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        std::fs::copy(fixture_path(), &path).unwrap();
        let upgraded = Store::open(&path, &test_key(), OpenMode::Existing).unwrap();
        assert_eq!(upgraded.schema_version().unwrap(), VERSION);
        assert!(upgraded.integrity_check().unwrap());

        let (_fresh_dir, fresh) = temp_store();
        assert_eq!(
            upgraded.read(describe).unwrap(),
            fresh.read(describe).unwrap()
        );

        let mut expected_drafts = v1_drafts();
        expected_drafts.sort_by_key(|d| std::cmp::Reverse(d.updated_at));
        assert_eq!(upgraded.read(drafts::list_drafts).unwrap(), expected_drafts);
        let mut expected_subs = v1_submissions();
        expected_subs.sort_by_key(|s| s.created_at);
        assert_eq!(
            upgraded.read(outbox::list_submissions).unwrap(),
            expected_subs
        );

        // The new tables work on the upgraded file.
        upgraded
            .write(|tx| crate::store::meta::set_meta(tx, "cursor", "7"))
            .unwrap();
        assert_eq!(
            upgraded
                .read(|c| crate::store::meta::get_meta(c, "cursor"))
                .unwrap()
                .as_deref(),
            Some("7")
        );
        let due = upgraded
            .read(|c| outbox::due_for_send(c, 1_767_226_000_000, 10))
            .unwrap();
        assert_eq!(due.len(), 3);
    }
}

/// The frozen v2 fixture (`fixtures/v2.db`): the v1 fixture climbed to v2 with raw
/// SQL, plus a cursor and a cached read; generated once by `generate_v2_fixture`.
#[cfg(test)]
mod fixture_v2_tests {
    use super::*;
    use crate::store::open::unlock;
    use crate::store::test_support::{temp_store, test_key};
    use crate::store::{attachments, cache, drafts, meta, outbox, OpenMode, Store};
    use std::path::PathBuf;

    fn fixtures() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/store/fixtures")
    }

    #[test]
    #[ignore = "writes the committed fixture; run only to recreate it"]
    fn generate_v2_fixture() {
        let path = fixtures().join("v2.db");
        let _ = std::fs::remove_file(&path);
        std::fs::copy(fixtures().join("v1.db"), &path).unwrap();
        let mut conn = Connection::open(&path).unwrap();
        unlock(&conn, &test_key()).unwrap();
        let tx = conn.transaction().unwrap();
        // Raw v2 SQL, so the generator does not follow later changes to the queries.
        tx.execute_batch(V1_TO_V2).unwrap();
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('sync.cursor', '42')",
            [],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO cache (kind, key, body, fetched_at) VALUES ('card', 'REG-2026-000123', '{\"kpj\":\"12345678901\"}', 1767225900000)",
            [],
        )
        .unwrap();
        tx.pragma_update(None, "user_version", 2).unwrap();
        tx.commit().unwrap();
    }

    #[test]
    fn upgrading_the_v2_fixture_matches_a_fresh_database_and_keeps_all_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        std::fs::copy(fixtures().join("v2.db"), &path).unwrap();
        {
            let conn = Connection::open(&path).unwrap();
            unlock(&conn, &test_key()).unwrap();
            assert_eq!(user_version(&conn).unwrap(), 2);
        }
        let upgraded = Store::open(&path, &test_key(), OpenMode::Existing).unwrap();
        assert_eq!(upgraded.schema_version().unwrap(), VERSION);
        assert!(upgraded.integrity_check().unwrap());
        let (_fresh_dir, fresh) = temp_store();
        assert_eq!(
            upgraded.read(describe).unwrap(),
            fresh.read(describe).unwrap()
        );

        assert_eq!(upgraded.read(drafts::list_drafts).unwrap().len(), 2);
        assert_eq!(upgraded.read(outbox::list_submissions).unwrap().len(), 4);
        assert_eq!(
            upgraded
                .read(|c| meta::get_meta(c, "sync.cursor"))
                .unwrap()
                .as_deref(),
            Some("42")
        );
        let (body, at) = upgraded
            .read(|c| cache::get_cache(c, "card", "REG-2026-000123"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (body["kpj"].as_str(), at),
            (Some("12345678901"), 1_767_225_900_000)
        );

        // The new tables work on the upgraded file: a queued submission gets a file.
        let photo = b"%PDF-1.4 fixture".to_vec();
        upgraded
            .write(|tx| {
                attachments::put_attachment(tx, &photo, "application/pdf", 1)?;
                attachments::link(
                    tx,
                    "9b2f8c1e-0000-4000-8000-00000000000a",
                    "ktp_photo",
                    &crate::domain::document::content_id(&photo),
                    1,
                )
            })
            .unwrap();
        assert_eq!(
            upgraded.read(attachments::pending_uploads).unwrap().len(),
            1
        );
    }
}
