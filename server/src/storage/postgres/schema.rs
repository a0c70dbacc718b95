//! The PostgreSQL schema and its ladder: a one-row `schema_version` table and
//! numbered steps, each applied in the one transaction that also records the
//! new version (DDL is transactional in PostgreSQL). Servers starting together
//! take an advisory lock first; a database newer than this code is refused and
//! left untouched.
//!
//! The ladder is its own (version 1 here holds what SQLite reached in three
//! steps), plus what commit-ordered positions need: the `positions` counter and
//! a `pos` column on submissions.

use crate::error::{Error, Result};
use crate::storage::postgres::{lock, persons, Client};

/// The schema version this code writes.
pub const VERSION: i32 = 3;

/// Version 1: participants, device secrets and tokens; submissions (the
/// idempotency record) with their files and registrations; the issued-numbers
/// sequence; the change feed and the positions counter; attachments and their
/// chunks.
const V1: &str = "
CREATE TABLE participants (
    id          TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL UNIQUE,
    label       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE TABLE device_secrets (
    participant_id  TEXT PRIMARY KEY REFERENCES participants(id),
    hash            BYTEA NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE TABLE tokens (
    hash            BYTEA PRIMARY KEY,
    participant_id  TEXT NOT NULL REFERENCES participants(id),
    created_at      BIGINT NOT NULL,
    last_used_at    BIGINT,
    revoked_at      BIGINT
);
CREATE INDEX tokens_participant ON tokens(participant_id);
-- One row: the last position handed out. Taken (and its row lock held) by the
-- last statement of every transaction that adds rows to a paged list.
CREATE TABLE positions (
    one  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    n    BIGINT NOT NULL
);
INSERT INTO positions (one, n) VALUES (TRUE, 0);
CREATE TABLE submissions (
    id              TEXT PRIMARY KEY,
    participant_id  TEXT NOT NULL REFERENCES participants(id),
    form_id         TEXT NOT NULL,
    form_version    BIGINT NOT NULL,
    payload_hash    BYTEA NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    received_at     BIGINT NOT NULL,
    status          TEXT NOT NULL,
    answer          TEXT NOT NULL,
    reference       TEXT UNIQUE,
    -- Set from the positions counter before commit: never NULL once visible.
    pos             BIGINT UNIQUE
);
CREATE INDEX submissions_form ON submissions(form_id, pos);
CREATE TABLE registrations (
    submission_id   TEXT PRIMARY KEY REFERENCES submissions(id),
    participant_id  TEXT NOT NULL REFERENCES participants(id),
    kpj             TEXT NOT NULL UNIQUE,
    payment_code    TEXT NOT NULL UNIQUE,
    amount_due      BIGINT NOT NULL,
    pay_before      TEXT NOT NULL,
    scheme          TEXT NOT NULL,
    registered_on   TEXT NOT NULL,
    departure_date  TEXT,
    contract_start  TEXT,
    contract_end    TEXT
);
-- KPJ numbers and payment codes: one draw each, permuted into 11 digits.
CREATE SEQUENCE issued_numbers AS BIGINT MINVALUE 0 MAXVALUE 89999999999 START 0 NO CYCLE;
CREATE TABLE events (
    seq             BIGINT PRIMARY KEY,
    participant_id  TEXT NOT NULL REFERENCES participants(id),
    at              TEXT NOT NULL,
    body            TEXT NOT NULL
);
CREATE INDEX events_participant ON events(participant_id, seq);
CREATE TABLE attachments (
    participant_id  TEXT NOT NULL REFERENCES participants(id),
    sha256          TEXT NOT NULL,
    size            BIGINT NOT NULL,
    complete        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      BIGINT NOT NULL,
    completed_at    BIGINT,
    PRIMARY KEY (participant_id, sha256)
);
CREATE TABLE attachment_chunks (
    participant_id  TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    idx             BIGINT NOT NULL,
    PRIMARY KEY (participant_id, sha256, idx)
);
CREATE TABLE submission_files (
    submission_id  TEXT NOT NULL REFERENCES submissions(id),
    sha256         TEXT NOT NULL,
    PRIMARY KEY (submission_id, sha256)
);
";

/// Version 2: the person (SQLite's step 4). A participant stays what a device
/// acts as; a person is a worker by NIK, with the devices linked to them and
/// their memberships (placement windows, registered here or imported).
/// `registrations.kpj` loses its UNIQUE: a person's later placement keeps their
/// KPJ. [`persons::adopt_registrations`] then fills the new tables from the
/// registrations already stored.
const V1_TO_V2: &str = "
CREATE TABLE persons (
    id          TEXT PRIMARY KEY,
    nik         TEXT NOT NULL UNIQUE,
    kpj         TEXT NOT NULL UNIQUE,
    name        TEXT,
    birth_date  TEXT,
    created_at  BIGINT NOT NULL
);
CREATE TABLE person_devices (
    person_id       TEXT NOT NULL REFERENCES persons(id),
    participant_id  TEXT NOT NULL REFERENCES participants(id),
    linked_at       BIGINT NOT NULL,
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
    created_at     BIGINT NOT NULL
);
CREATE INDEX memberships_person ON memberships(person_id, starts);
CREATE INDEX memberships_kpj ON memberships(kpj);
ALTER TABLE registrations DROP CONSTRAINT registrations_kpj_key;
CREATE INDEX registrations_kpj ON registrations(kpj);
";

/// Version 3: linking a device to a person (SQLite's step 5):
/// the person's e-mail address on file (the only one a link code is mailed
/// to), each link attempt ("I am already registered": the device, the person it
/// is bound to when the claim matched, the channel, its time and wrong codes) and
/// the one-time codes (hashed; an e-mailed one bound to its attempt, an officer's
/// to the person). `docs/link.md`.
const V2_TO_V3: &str = "
ALTER TABLE persons ADD COLUMN email TEXT;
CREATE TABLE link_attempts (
    id              TEXT PRIMARY KEY,
    participant_id  TEXT NOT NULL REFERENCES participants(id),
    person_id       TEXT REFERENCES persons(id),
    channel         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    wrong           BIGINT NOT NULL DEFAULT 0,
    used_at         BIGINT
);
CREATE INDEX link_attempts_person ON link_attempts(person_id, created_at);
CREATE TABLE link_codes (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES persons(id),
    attempt_id  TEXT REFERENCES link_attempts(id),
    hash        BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX link_codes_person ON link_codes(person_id, expires_at);
";

/// The steps, in order: `STEPS[n]` takes version n to n + 1.
const STEPS: &[&str] = &[V1, V1_TO_V2, V2_TO_V3];

/// The version the database holds now (0 before the first migration): one
/// trivial round trip, which readiness asks.
pub async fn current(client: &Client) -> Result<i32> {
    Ok(client
        .query_opt("SELECT version FROM schema_version", &[])
        .await?
        .map_or(0, |r| r.get(0)))
}

/// Brings the database up to [`VERSION`], one step at a time, in one transaction.
pub async fn migrate(client: &mut Client) -> Result<()> {
    migrate_to(client, VERSION).await
}

/// Brings the database up to `target` only: a test's way to make a database
/// as an older server left it.
#[cfg(test)]
pub(crate) async fn migrate_to_for_tests(client: &mut Client, target: i32) -> Result<()> {
    migrate_to(client, target).await
}

async fn migrate_to(client: &mut Client, target: i32) -> Result<()> {
    let tx = client.transaction().await?;
    // Two servers starting on one empty database: the second waits, then finds
    // the first's work done.
    tx.execute("SELECT pg_advisory_xact_lock($1, 0)", &[&lock::MIGRATE])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_version (
             one      BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
             version  INTEGER NOT NULL
         )",
    )
    .await?;
    let found: i32 = tx
        .query_opt("SELECT version FROM schema_version", &[])
        .await?
        .map_or(0, |r| r.get(0));
    if found > VERSION {
        // Dropping the transaction rolls it back: nothing was changed.
        return Err(Error::SchemaTooNew {
            found: u32::try_from(found).unwrap_or(u32::MAX),
            supported: VERSION as u32,
        });
    }
    for step in found..target {
        let sql = usize::try_from(step)
            .ok()
            .and_then(|s| STEPS.get(s))
            .ok_or_else(|| Error::Malformed(format!("no upgrade from schema {step}")))?;
        tx.batch_execute(sql).await?;
        // The step to 2 also turns the stored registrations into persons.
        if step == 1 {
            persons::adopt_registrations(&tx).await?;
        }
        // The step to 3 reads each person's e-mail from their registrations.
        if step == 2 {
            persons::adopt_emails(&tx).await?;
        }
    }
    tx.execute(
        "INSERT INTO schema_version (one, version) VALUES (TRUE, $1)
         ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version",
        &[&found.max(target)],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
