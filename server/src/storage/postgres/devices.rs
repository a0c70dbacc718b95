//! Devices, secrets and tokens: enrollment (one transaction: find the device,
//! decide with [`admit`], write what it allows) and the token lookup behind
//! every authenticated request. Two enrollments of one device are serialised by
//! an advisory lock on its id, as SQLite's one writer serialised them: the
//! second sees the participant the first made instead of failing on it.

use crate::decisions::devices::{admit, Admission, KnownDevice};
use crate::error::Result;
use crate::storage::postgres::{lock, PgDb, Tx};
use crate::storage::{EnrollAttempt, Enrolled, LAST_USED_GRANULARITY_MS};

/// Enrolls a device (see [`crate::storage::Storage::enroll`]).
pub async fn enroll(db: &PgDb, a: &EnrollAttempt) -> Result<Enrolled> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, hashtext($2))",
        &[&lock::ENROLL, &a.device_id],
    )
    .await?;
    let known = tx
        .query_opt(
            "SELECT p.id, s.hash FROM participants p LEFT JOIN device_secrets s ON s.participant_id = p.id
             WHERE p.device_id = $1",
            &[&a.device_id],
        )
        .await?
        .map(|r| {
            Ok::<_, tokio_postgres::Error>(KnownDevice {
                participant: r.try_get(0)?,
                secret_hash: r.try_get(1)?,
            })
        })
        .transpose()?;
    // `admit` asks lazily; an async query cannot run inside its closure, so the
    // answer is read first (only when it can matter: a known device, a token).
    let holds_live_token = match (&known, a.presented_token) {
        (Some(k), Some(h)) => tx
            .query_opt(
                "SELECT 1 FROM tokens WHERE hash = $1 AND participant_id = $2 AND revoked_at IS NULL",
                &[&&h[..], &k.participant],
            )
            .await?
            .is_some(),
        _ => false,
    };
    let admission = admit(
        known.as_ref(),
        a.presented_secret.as_ref(),
        a.presented_token.is_some(),
        || Ok(holds_live_token),
    )?;
    let (participant, secret_issued) = match (admission, known) {
        (Admission::NewParticipant, _) => {
            tx.execute(
                "INSERT INTO participants (id, device_id, label, created_at) VALUES ($1, $2, $3, $4)",
                &[&a.new_participant, &a.device_id, &a.label, &a.now],
            )
            .await?;
            store_secret(&tx, &a.new_participant, &a.new_secret_hash, a.now).await?;
            (a.new_participant.clone(), true)
        }
        (Admission::Known, Some(k)) => (k.participant, false),
        (Admission::ClaimSecret, Some(k)) => {
            store_secret(&tx, &k.participant, &a.new_secret_hash, a.now).await?;
            (k.participant, true)
        }
        // Refused: the transaction is dropped, so rolled back (nothing was written).
        _ => return Ok(Enrolled::Refused),
    };
    // One live token per device: a stolen older one stops working now.
    tx.execute(
        "UPDATE tokens SET revoked_at = $1 WHERE participant_id = $2 AND revoked_at IS NULL",
        &[&a.now, &participant],
    )
    .await?;
    tx.execute(
        "INSERT INTO tokens (hash, participant_id, created_at) VALUES ($1, $2, $3)",
        &[&&a.token_hash[..], &participant, &a.now],
    )
    .await?;
    tx.commit().await?;
    Ok(Enrolled::Yes {
        participant,
        secret_issued,
    })
}

/// Stores the hash of `participant`'s device secret.
async fn store_secret(tx: &Tx<'_>, participant: &str, hash: &[u8; 32], now: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO device_secrets (participant_id, hash, created_at) VALUES ($1, $2, $3)",
        &[&participant, &&hash[..], &now],
    )
    .await?;
    Ok(())
}

/// The participant of a live (not revoked) token, refreshing its `last_used_at`
/// when it is older than [`LAST_USED_GRANULARITY_MS`]. `None` for an unknown or
/// revoked token.
pub async fn token_participant(db: &PgDb, hash: [u8; 32], now: i64) -> Result<Option<String>> {
    let client = db.client().await?;
    // Every authenticated request asks this: prepared once per connection, it
    // is one round trip (an unprepared query is a parse and a plan each time).
    let lookup = client
        .prepare_cached(
            "SELECT participant_id, last_used_at FROM tokens WHERE hash = $1 AND revoked_at IS NULL",
        )
        .await?;
    let Some(row) = client.query_opt(&lookup, &[&&hash[..]]).await? else {
        return Ok(None);
    };
    let (id, last_used): (String, Option<i64>) = (row.try_get(0)?, row.try_get(1)?);
    if last_used.is_none_or(|t| now - t >= LAST_USED_GRANULARITY_MS) {
        let touch = client
            .prepare_cached("UPDATE tokens SET last_used_at = $1 WHERE hash = $2")
            .await?;
        client.execute(&touch, &[&now, &&hash[..]]).await?;
    }
    Ok(Some(id))
}
