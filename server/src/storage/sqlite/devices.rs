//! Devices, secrets and tokens: enrollment (one transaction: find the device,
//! decide with [`admit`], write what it allows) and the token lookup behind
//! every authenticated request.

use rusqlite::{params, OptionalExtension, Transaction};

use crate::decisions::devices::{admit, Admission, KnownDevice};
use crate::error::{Error, Result};
use crate::storage::sqlite::SqliteDb;
use crate::storage::{EnrollAttempt, Enrolled};

pub use crate::storage::LAST_USED_GRANULARITY_MS;

/// Enrolls a device (see [`crate::storage::Storage::enroll`]).
pub fn enroll(db: &SqliteDb, a: &EnrollAttempt) -> Result<Enrolled> {
    db.write(|tx| {
        let found: Option<(String, Option<Vec<u8>>)> = tx
            .prepare_cached("SELECT p.id, s.hash FROM participants p LEFT JOIN device_secrets s ON s.participant_id = p.id WHERE p.device_id = ?1")?
            .query_row([&a.device_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let known = found.map(|(participant, secret_hash)| KnownDevice {
            participant,
            secret_hash,
        });
        let admission = admit(
            known.as_ref(),
            a.presented_secret.as_ref(),
            a.presented_token.is_some(),
            || match (&known, a.presented_token) {
                (Some(k), Some(h)) => Ok(tx
                    .prepare_cached("SELECT 1 FROM tokens WHERE hash = ?1 AND participant_id = ?2 AND revoked_at IS NULL")?
                    .exists(params![&h[..], k.participant])?),
                _ => Ok(false),
            },
        )?;
        let (participant, secret_issued) = match (admission, known) {
            (Admission::NewParticipant, _) => {
                tx.execute(
                    "INSERT INTO participants (id, device_id, label, created_at) VALUES (?1, ?2, ?3, ?4)",
                    params![a.new_participant, a.device_id, a.label, a.now],
                )?;
                store_secret(tx, &a.new_participant, &a.new_secret_hash, a.now)?;
                (a.new_participant.clone(), true)
            }
            (Admission::Known, Some(k)) => (k.participant, false),
            (Admission::ClaimSecret, Some(k)) => {
                store_secret(tx, &k.participant, &a.new_secret_hash, a.now)?;
                (k.participant, true)
            }
            _ => return Ok(Enrolled::Refused),
        };
        // One live token per device: a stolen older one stops working now.
        tx.execute(
            "UPDATE tokens SET revoked_at = ?1 WHERE participant_id = ?2 AND revoked_at IS NULL",
            params![a.now, participant],
        )?;
        tx.execute(
            "INSERT INTO tokens (hash, participant_id, created_at) VALUES (?1, ?2, ?3)",
            params![&a.token_hash[..], participant, a.now],
        )?;
        Ok::<_, Error>(Enrolled::Yes {
            participant,
            secret_issued,
        })
    })
}

/// Stores the hash of `participant`'s device secret.
fn store_secret(tx: &Transaction, participant: &str, hash: &[u8; 32], now: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO device_secrets (participant_id, hash, created_at) VALUES (?1, ?2, ?3)",
        params![participant, &hash[..], now],
    )?;
    Ok(())
}

/// The participant of a live (not revoked) token, refreshing its `last_used_at`
/// when it is older than [`LAST_USED_GRANULARITY_MS`]. `None` for an unknown or
/// revoked token: both answer 401 `auth.invalid_token` alike.
pub fn token_participant(db: &SqliteDb, hash: [u8; 32], now: i64) -> Result<Option<String>> {
    let found: Option<(String, Option<i64>)> = db.read(|c| {
        c.prepare_cached(
            "SELECT participant_id, last_used_at FROM tokens WHERE hash = ?1 AND revoked_at IS NULL",
        )?
        .query_row([&hash[..]], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(Error::from)
    })?;
    let Some((id, last_used)) = found else {
        return Ok(None);
    };
    if last_used.is_none_or(|t| now - t >= LAST_USED_GRANULARITY_MS) {
        db.write(|tx| {
            tx.prepare_cached("UPDATE tokens SET last_used_at = ?1 WHERE hash = ?2")?
                .execute(params![now, &hash[..]])
                .map_err(Error::from)
        })?;
    }
    Ok(Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decisions::ids;
    use crate::storage::DbLocation;

    fn token_row(db: &SqliteDb, hash: [u8; 32]) -> (i64, Option<i64>, Option<i64>) {
        db.read(|c| {
            c.query_row(
                "SELECT created_at, last_used_at, revoked_at FROM tokens WHERE hash = ?1",
                [&hash[..]],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(Error::from)
        })
        .unwrap()
    }

    #[test]
    fn tokens_record_their_last_use_coarsely_and_revoked_ones_are_refused() {
        let db = SqliteDb::open(
            &DbLocation::Memory,
            &crate::storage::key::DataKey::generate(),
        )
        .unwrap();
        let hash = ids::sha256(b"token");
        db.write(|tx| {
            tx.execute_batch(
                "INSERT INTO participants (id, device_id, label, created_at) VALUES ('p1', 'd1', '', 1000)",
            )?;
            tx.execute(
                "INSERT INTO tokens (hash, participant_id, created_at) VALUES (?1, 'p1', 1000)",
                [&hash[..]],
            )
            .map_err(Error::from)
        })
        .unwrap();
        assert_eq!(token_row(&db, hash), (1000, None, None));
        let t0 = 2_000_000;
        assert_eq!(
            token_participant(&db, hash, t0).unwrap().as_deref(),
            Some("p1")
        );
        assert_eq!(token_row(&db, hash).1, Some(t0));
        // Within the granularity no write; after it, the time moves on.
        token_participant(&db, hash, t0 + LAST_USED_GRANULARITY_MS - 1).unwrap();
        assert_eq!(token_row(&db, hash).1, Some(t0));
        token_participant(&db, hash, t0 + LAST_USED_GRANULARITY_MS).unwrap();
        assert_eq!(token_row(&db, hash).1, Some(t0 + LAST_USED_GRANULARITY_MS));
        assert_eq!(
            token_participant(&db, ids::sha256(b"other"), t0).unwrap(),
            None
        );
        db.write(|tx| {
            tx.execute("UPDATE tokens SET revoked_at = 5", [])
                .map_err(Error::from)
        })
        .unwrap();
        assert_eq!(token_participant(&db, hash, t0).unwrap(), None);
    }
}
