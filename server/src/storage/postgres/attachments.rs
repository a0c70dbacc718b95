//! Attachment uploads' records: the attachment (size, complete) per
//! participant, the chunks received so far, and the quota reservation that a
//! new attachment makes. The bytes are in the [`FileStore`]; one upload's
//! records and bytes change under its lock in this process, and its objects
//! are safe to race with another replica's (see `files.rs`).
//! Reservations take an advisory lock, so the sums they check and the row
//! that counts against them are one step, as under SQLite's one writer.

use std::sync::Arc;

use rantau_core::protocol::wire::{chunk_count, AttachmentStatus, ATTACHMENT_CHUNK_SIZE};
use tokio_postgres::GenericClient;

use crate::error::{Error, Result};
use crate::limits::DocumentQuota;
use crate::storage::files::FileStore;
use crate::storage::postgres::{lock, to_i64, to_u64, PgDb, Tx};
use crate::storage::{ChunkStored, ChunkUpload, Completion};

/// `(size, complete)` of the participant's attachment, if any.
async fn row(c: &impl GenericClient, participant: &str, sha: &str) -> Result<Option<(u64, bool)>> {
    let found = c
        .query_opt(
            "SELECT size, complete FROM attachments WHERE participant_id = $1 AND sha256 = $2",
            &[&participant, &sha],
        )
        .await?;
    Ok(match found {
        Some(r) => Some((to_u64(r.try_get(0)?), r.try_get(1)?)),
        None => None,
    })
}

/// Where a chunk stands against the attachment's row, reserving the row (and
/// its quota) when there is none.
async fn find_or_reserve(tx: &Tx<'_>, c: &ChunkUpload) -> Result<ChunkStored> {
    let (participant, sha) = (c.participant.as_str(), c.sha.as_str());
    if let Some(found) = row(&**tx, participant, sha).await? {
        return Ok(against(found, c.size));
    }
    tx.execute("SELECT pg_advisory_xact_lock($1, 0)", &[&lock::RESERVE])
        .await?;
    // Under the lock: another server may have reserved it meanwhile.
    if let Some(found) = row(&**tx, participant, sha).await? {
        return Ok(against(found, c.size));
    }
    reserve(tx, participant, sha, c.size, c.quota, c.now).await
}

/// A chunk of size `size` against a held attachment.
fn against((held_size, complete): (u64, bool), size: u64) -> ChunkStored {
    match (complete, held_size == size) {
        (true, _) => ChunkStored::AlreadyComplete,
        (false, false) => ChunkStored::SizeMismatch,
        (false, true) => ChunkStored::Stored,
    }
}

/// Checks both quotas (every attachment held or being uploaded counts) and
/// inserts the row; the caller holds the reservation lock.
async fn reserve(
    tx: &Tx<'_>,
    participant: &str,
    sha: &str,
    size: u64,
    quota: DocumentQuota,
    now: i64,
) -> Result<ChunkStored> {
    let sum = |r: tokio_postgres::Row| -> Result<u64> { Ok(to_u64(r.try_get(0)?)) };
    let used = sum(tx
        .query_one(
            "SELECT coalesce(sum(size), 0)::BIGINT FROM attachments WHERE participant_id = $1",
            &[&participant],
        )
        .await?)?;
    if used.saturating_add(size) > quota.participant {
        return Ok(ChunkStored::OverParticipantQuota);
    }
    let total = sum(tx
        .query_one(
            "SELECT coalesce(sum(size), 0)::BIGINT FROM attachments",
            &[],
        )
        .await?)?;
    if total.saturating_add(size) > quota.total {
        return Ok(ChunkStored::OverServerQuota);
    }
    tx.execute(
        "INSERT INTO attachments (participant_id, sha256, size, complete, created_at)
         VALUES ($1, $2, $3, FALSE, $4)",
        &[&participant, &sha, &to_i64(size), &now],
    )
    .await?;
    Ok(ChunkStored::Stored)
}

/// What the participant's upload of `sha` holds.
pub async fn status(
    c: &impl GenericClient,
    participant: &str,
    sha: &str,
) -> Result<Option<AttachmentStatus>> {
    let Some((size, complete)) = row(c, participant, sha).await? else {
        return Ok(None);
    };
    let chunks_received = if complete {
        (0..chunk_count(size)).collect()
    } else {
        let rows = c
            .query(
                "SELECT idx FROM attachment_chunks WHERE participant_id = $1 AND sha256 = $2 ORDER BY idx",
                &[&participant, &sha],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let idx: i64 = r.try_get(0)?;
                u32::try_from(idx).map_err(|_| Error::Malformed("chunk index out of range".into()))
            })
            .collect::<Result<Vec<u32>>>()?
    };
    Ok(Some(AttachmentStatus {
        sha256: sha.to_string(),
        size,
        chunk_size: ATTACHMENT_CHUNK_SIZE as u32,
        chunks_received,
        complete,
    }))
}

/// [`status`] on a pooled connection.
pub async fn status_of(
    db: &PgDb,
    participant: &str,
    sha: &str,
) -> Result<Option<AttachmentStatus>> {
    status(&**db.client().await?, participant, sha).await
}

/// Stores one chunk (see [`crate::storage::Storage::put_chunk`]).
pub async fn put_chunk(db: &PgDb, files: &Arc<FileStore>, c: ChunkUpload) -> Result<ChunkStored> {
    let _upload = files.lock_async(&c.participant, &c.sha).await;
    // Find or reserve the attachment first, in one transaction with its quota check.
    let found = {
        let mut client = db.client().await?;
        let tx = client.transaction().await?;
        let found = find_or_reserve(&tx, &c).await?;
        tx.commit().await?;
        found
    };
    if found != ChunkStored::Stored {
        return Ok(found);
    }
    // Object first, then the chunk's row: a chunk row always points at stored bytes.
    files
        .write_chunk(&c.participant, &c.sha, c.idx, &c.data)
        .await?;
    db.client()
        .await?
        .execute(
            "INSERT INTO attachment_chunks (participant_id, sha256, idx) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&c.participant, &c.sha, &i64::from(c.idx)],
        )
        .await?;
    Ok(ChunkStored::Stored)
}

/// Joins and checks an upload (see [`crate::storage::Storage::complete_attachment`]).
pub async fn complete(
    db: &PgDb,
    files: &Arc<FileStore>,
    participant: &str,
    sha: &str,
    now: i64,
) -> Result<Completion> {
    let _upload = files.lock_async(participant, sha).await;
    let Some(current) = status_of(db, participant, sha).await? else {
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
    let digest = files.assemble(participant, sha, count).await?;
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let matches = hex::encode(digest) == sha;
    if matches {
        tx.execute(
            "UPDATE attachments SET complete = TRUE, completed_at = $3 WHERE participant_id = $1 AND sha256 = $2",
            &[&participant, &sha, &now],
        )
        .await?;
    } else {
        tx.execute(
            "DELETE FROM attachments WHERE participant_id = $1 AND sha256 = $2",
            &[&participant, &sha],
        )
        .await?;
    }
    tx.execute(
        "DELETE FROM attachment_chunks WHERE participant_id = $1 AND sha256 = $2",
        &[&participant, &sha],
    )
    .await?;
    tx.commit().await?;
    if !matches {
        files.discard_parts(participant, sha).await?;
        return Ok(Completion::HashMismatch);
    }
    if let Err(e) = files.discard_parts(participant, sha).await {
        // Recorded complete already: left-over chunks are only space.
        tracing::warn!(code = e.code(), error = %e, "chunks of a completed upload not removed");
    }
    Ok(Completion::Complete(AttachmentStatus {
        chunks_received: (0..count).collect(),
        complete: true,
        ..current
    }))
}
