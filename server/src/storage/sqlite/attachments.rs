//! Attachment uploads' records: the attachment (size, complete) per
//! participant, the chunks received so far, and the quota reservation that a
//! new attachment makes. The bytes are in the [`FileStore`] (its async calls
//! driven from this blocking code); one upload's records and bytes change under
//! its lock in this process, and its objects are safe to race with another's.

use rantau_core::protocol::wire::{chunk_count, AttachmentStatus, ATTACHMENT_CHUNK_SIZE};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::error::{Error, Result};
use crate::limits::DocumentQuota;
use crate::storage::files::{block_on, FileStore};
use crate::storage::sqlite::SqliteDb;
use crate::storage::{ChunkStored, ChunkUpload, Completion};

/// `(size, complete)` of the participant's attachment, if any.
fn row(c: &Connection, participant: &str, sha: &str) -> Result<Option<(u64, bool)>> {
    Ok(c.prepare_cached(
        "SELECT size, complete FROM attachments WHERE participant_id = ?1 AND sha256 = ?2",
    )?
    .query_row(params![participant, sha], |r| {
        Ok((r.get::<_, i64>(0)?.max(0) as u64, r.get::<_, bool>(1)?))
    })
    .optional()?)
}

/// Why a new attachment was not reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    /// Over the participant's own quota.
    Participant,
    /// Over the server's documents quota.
    Server,
}

/// Reserves `size` bytes for a new attachment: checks both quotas (every
/// attachment held or being uploaded counts) and inserts its row in `tx`, so the
/// check and the row that counts against it are one step (the writer holds the
/// database lock): uploads racing each other cannot all pass one check.
fn reserve(
    tx: &Transaction,
    participant: &str,
    sha: &str,
    size: u64,
    quota: DocumentQuota,
    now: i64,
) -> Result<Result<(), Refused>> {
    let used: i64 = tx
        .prepare_cached("SELECT coalesce(sum(size), 0) FROM attachments WHERE participant_id = ?1")?
        .query_row([participant], |r| r.get(0))?;
    if (used.max(0) as u64).saturating_add(size) > quota.participant {
        return Ok(Err(Refused::Participant));
    }
    let total: i64 = tx
        .prepare_cached("SELECT coalesce(sum(size), 0) FROM attachments")?
        .query_row([], |r| r.get(0))?;
    if (total.max(0) as u64).saturating_add(size) > quota.total {
        return Ok(Err(Refused::Server));
    }
    tx.prepare_cached(
        "INSERT INTO attachments (participant_id, sha256, size, complete, created_at)
         VALUES (?1, ?2, ?3, 0, ?4)",
    )?
    .execute(params![
        participant,
        sha,
        i64::try_from(size).unwrap_or(i64::MAX),
        now
    ])?;
    Ok(Ok(()))
}

fn received(c: &Connection, participant: &str, sha: &str) -> Result<Vec<u32>> {
    let mut stmt = c.prepare_cached(
        "SELECT idx FROM attachment_chunks WHERE participant_id = ?1 AND sha256 = ?2 ORDER BY idx",
    )?;
    let rows = stmt.query_map(params![participant, sha], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<u32>>>()?)
}

/// What the participant's upload of `sha` holds.
pub fn status(c: &Connection, participant: &str, sha: &str) -> Result<Option<AttachmentStatus>> {
    let Some((size, complete)) = row(c, participant, sha)? else {
        return Ok(None);
    };
    let chunks_received = if complete {
        (0..chunk_count(size)).collect()
    } else {
        received(c, participant, sha)?
    };
    Ok(Some(AttachmentStatus {
        sha256: sha.to_string(),
        size,
        chunk_size: ATTACHMENT_CHUNK_SIZE as u32,
        chunks_received,
        complete,
    }))
}

/// Stores one chunk (see [`crate::storage::Storage::put_chunk`]).
pub fn put_chunk(db: &SqliteDb, files: &FileStore, c: &ChunkUpload) -> Result<ChunkStored> {
    let (participant, sha) = (c.participant.as_str(), c.sha.as_str());
    let _upload = files.lock(participant, sha);
    // Find or reserve the attachment first, in one transaction with its quota check.
    let found = db.write(|tx| {
        Ok::<_, Error>(match row(tx, participant, sha)? {
            Some((_, true)) => ChunkStored::AlreadyComplete,
            Some((held_size, false)) if held_size != c.size => ChunkStored::SizeMismatch,
            Some(_) => ChunkStored::Stored,
            None => match reserve(tx, participant, sha, c.size, c.quota, c.now)? {
                Ok(()) => ChunkStored::Stored,
                Err(Refused::Participant) => ChunkStored::OverParticipantQuota,
                Err(Refused::Server) => ChunkStored::OverServerQuota,
            },
        })
    })?;
    if found != ChunkStored::Stored {
        return Ok(found);
    }
    // Object first, then the chunk's row: a chunk row always points at stored bytes.
    block_on(files.write_chunk(participant, sha, c.idx, &c.data))?;
    db.write(|tx| {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO attachment_chunks (participant_id, sha256, idx) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![participant, sha, c.idx])?;
        Ok::<_, Error>(ChunkStored::Stored)
    })
}

/// Joins and checks an upload (see [`crate::storage::Storage::complete_attachment`]).
pub fn complete(
    db: &SqliteDb,
    files: &FileStore,
    participant: &str,
    sha: &str,
    now: i64,
) -> Result<Completion> {
    let _upload = files.lock(participant, sha);
    let Some(current) = db.read(|c| status(c, participant, sha))? else {
        return Ok(Completion::NotFound);
    };
    if current.complete {
        return Ok(Completion::Complete(current));
    }
    let count = chunk_count(current.size);
    if current.chunks_received.len() as u32 != count {
        return Ok(Completion::Incomplete);
    }
    // The file is written before the record and the chunks dropped after it: a
    // crash anywhere leaves what a retry needs (see files.rs).
    let digest = block_on(files.assemble(participant, sha, count))?;
    if hex::encode(digest) != sha {
        db.write(|tx| {
            tx.execute(
                "DELETE FROM attachment_chunks WHERE participant_id = ?1 AND sha256 = ?2",
                params![participant, sha],
            )?;
            tx.execute(
                "DELETE FROM attachments WHERE participant_id = ?1 AND sha256 = ?2",
                params![participant, sha],
            )?;
            Ok::<_, Error>(())
        })?;
        block_on(files.discard_parts(participant, sha))?;
        return Ok(Completion::HashMismatch);
    }
    db.write(|tx| {
        tx.execute(
            "UPDATE attachments SET complete = 1, completed_at = ?3 WHERE participant_id = ?1 AND sha256 = ?2",
            params![participant, sha, now],
        )?;
        tx.execute(
            "DELETE FROM attachment_chunks WHERE participant_id = ?1 AND sha256 = ?2",
            params![participant, sha],
        )?;
        Ok::<_, Error>(())
    })?;
    if let Err(e) = block_on(files.discard_parts(participant, sha)) {
        // Recorded complete already: left-over chunks are only space.
        tracing::warn!(code = e.code(), error = %e, "chunks of a completed upload not removed");
    }
    Ok(Completion::Complete(AttachmentStatus {
        chunks_received: (0..count).collect(),
        complete: true,
        ..current
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::DbLocation;

    #[test]
    fn a_reservation_counts_the_participant_and_the_server() {
        let db = SqliteDb::open(
            &DbLocation::Memory,
            &crate::storage::key::DataKey::generate(),
        )
        .unwrap();
        let quota = DocumentQuota {
            participant: 100,
            total: 150,
        };
        db.write(|tx| {
            for p in ["a", "b"] {
                tx.execute("INSERT INTO participants VALUES (?1, ?1, '', 0)", [p])?;
            }
            assert_eq!(reserve(tx, "a", "x", 90, quota, 0)?, Ok(()));
            assert_eq!(
                reserve(tx, "a", "y", 11, quota, 0)?,
                Err(Refused::Participant)
            );
            assert_eq!(reserve(tx, "a", "y", 10, quota, 0)?, Ok(()));
            assert_eq!(reserve(tx, "b", "x", 51, quota, 0)?, Err(Refused::Server));
            assert_eq!(
                reserve(tx, "b", "x", 50, quota, 0)?,
                Ok(()),
                "b's quota is its own"
            );
            Ok::<_, Error>(())
        })
        .unwrap();
    }
}
