//! Content-addressed, resumable attachment upload: `PUT` one verified chunk,
//! `GET` what is held, `POST …/complete` to assemble and check the whole hash.
//! Everything is scoped to the caller's participant: another device's files answer
//! 404 exactly like missing ones, so they cannot even be probed.

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use rantau_core::protocol::wire::{
    chunk_count, AttachmentStatus, ATTACHMENT_CHUNK_SIZE, ATTACHMENT_SIZE_HEADER,
    CHUNK_SHA256_HEADER,
};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::error::{ApiError, Error};
use crate::files::is_sha256_hex;
use crate::http::{check_content_type, AppState, Participant};
use crate::limits::DocumentQuota;
use crate::{ids, validation};

/// Largest attachment accepted (the same cap as the app's).
pub const MAX_FILE_BYTES: u64 = rantau_core::domain::document::MAX_FILE_BYTES;
/// Most bytes of attachments (complete or not) one participant may hold: room for
/// a dozen full submissions, and a bound on what one token can put on the disk.
pub const MAX_PARTICIPANT_BYTES: u64 = 200 * 1024 * 1024;

fn not_found() -> ApiError {
    ApiError::new("attachment.not_found", "no such attachment")
}

fn bad_path() -> ApiError {
    ApiError::new(
        "path.invalid",
        "the attachment id or chunk index in the path is not valid",
    )
}

fn parse_sha(sha: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(sha) = sha.map_err(|_| bad_path())?;
    is_sha256_hex(&sha).then_some(sha).ok_or_else(bad_path)
}

/// `(size, complete)` of the participant's attachment, if any.
fn row(c: &Connection, participant: &str, sha: &str) -> Result<Option<(u64, bool)>, Error> {
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
) -> Result<Result<(), Refused>, Error> {
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

fn received(c: &Connection, participant: &str, sha: &str) -> Result<Vec<u32>, Error> {
    let mut stmt = c.prepare_cached(
        "SELECT idx FROM attachment_chunks WHERE participant_id = ?1 AND sha256 = ?2 ORDER BY idx",
    )?;
    let rows = stmt.query_map(params![participant, sha], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<u32>>>()?)
}

fn status(c: &Connection, participant: &str, sha: &str) -> Result<Option<AttachmentStatus>, Error> {
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

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// `PUT /v1/attachments/{sha256}/chunks/{idx}`: one chunk, its SHA-256 in
/// `x-chunk-sha256` and the whole size in `x-attachment-size`. 204 when stored
/// (or already held); 422 `chunk.hash_mismatch` when the bytes are not the ones hashed.
pub async fn put_chunk(
    State(state): State<AppState>,
    Participant(participant): Participant,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let Path((sha, idx)) = path.map_err(|_| bad_path())?;
    let idx: u32 = idx.parse().map_err(|_| bad_path())?;
    if !is_sha256_hex(&sha) {
        return Err(bad_path());
    }
    let size: u64 = header(&headers, ATTACHMENT_SIZE_HEADER)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "the {ATTACHMENT_SIZE_HEADER} header must give the file size"
            ))
        })?;
    if size == 0 || size > MAX_FILE_BYTES {
        return Err(ApiError::new(
            "attachment.too_large",
            format!("an attachment has 1 to {MAX_FILE_BYTES} bytes"),
        ));
    }
    let count = chunk_count(size);
    if idx >= count {
        return Err(ApiError::new(
            "chunk.out_of_range",
            "the chunk index is past the end of the file",
        ));
    }
    let claimed = header(&headers, CHUNK_SHA256_HEADER)
        .filter(|h| is_sha256_hex(h))
        .map(str::to_string)
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "the {CHUNK_SHA256_HEADER} header must give the chunk's SHA-256"
            ))
        })?;
    check_content_type(&headers, |t| t == "application/octet-stream")?;
    let lang = validation::request_lang(headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let data = axum::body::to_bytes(body, ATTACHMENT_CHUNK_SIZE)
        .await
        .map_err(|_| ApiError::new("body.too_large", "a chunk is at most one chunk size"))?;
    let expected_len = if idx + 1 < count {
        ATTACHMENT_CHUNK_SIZE as u64
    } else {
        size - u64::from(count - 1) * ATTACHMENT_CHUNK_SIZE as u64
    };
    if hex::encode(ids::sha256(&data)) != claimed || data.len() as u64 != expected_len {
        return Err(ApiError::new(
            "chunk.hash_mismatch",
            "the chunk's bytes do not match its hash or size",
        ));
    }
    let files = state.files.clone();
    let quota = state.limiter.document_quota();
    state
        .blocking(move |db| {
            let _upload = files.lock(&participant, &sha);
            let now = chrono::Utc::now().timestamp_millis();
            // Find or reserve the attachment first, in one transaction with its quota check.
            let complete = db.write(|tx: &Transaction| {
                match row(tx, &participant, &sha)? {
                    Some((_, true)) => Ok(true),
                    Some((held_size, false)) if held_size != size => {
                        Err(ApiError::new("attachment.size_mismatch", "another size was given for this file"))
                    }
                    Some(_) => Ok(false),
                    None => match reserve(tx, &participant, &sha, size, quota, now)? {
                        Ok(()) => Ok(false),
                        Err(Refused::Participant) => Err(ApiError::new(
                            "attachment.quota_exceeded",
                            format!("a device holds at most {} bytes of attachments", quota.participant),
                        )),
                        Err(Refused::Server) => Err(ApiError::storage_full(lang)),
                    },
                }
            })?;
            if complete {
                return Ok(());
            }
            // File first, then the chunk's row: a chunk row always points at a file on disk.
            files.write_chunk(&participant, &sha, idx, &data).map_err(ApiError::from)?;
            db.write(|tx: &Transaction| {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO attachment_chunks (participant_id, sha256, idx) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![participant, sha, idx])?;
                Ok::<_, Error>(())
            })
            .map_err(ApiError::from)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/attachments/{sha256}`: what this participant's upload holds.
pub async fn get_status(
    State(state): State<AppState>,
    Participant(participant): Participant,
    sha: Result<Path<String>, PathRejection>,
) -> Result<Json<AttachmentStatus>, ApiError> {
    let sha = parse_sha(sha)?;
    let found = state
        .blocking(move |db| {
            db.read(|c| status(c, &participant, &sha))
                .map_err(ApiError::from)
        })
        .await?;
    found.map(Json).ok_or_else(not_found)
}

/// `POST /v1/attachments/{sha256}/complete`: joins the chunks and checks the whole
/// file's hash. 409 `attachment.incomplete` while chunks are missing; 422
/// `attachment.hash_mismatch` (and every chunk dropped) if the file is not the one named.
pub async fn complete(
    State(state): State<AppState>,
    Participant(participant): Participant,
    sha: Result<Path<String>, PathRejection>,
) -> Result<Json<AttachmentStatus>, ApiError> {
    let sha = parse_sha(sha)?;
    let files = state.files.clone();
    let done = state
        .blocking(move |db| {
            let _upload = files.lock(&participant, &sha);
            let current = db.read(|c| status(c, &participant, &sha)).map_err(ApiError::from)?;
            let Some(current) = current else { return Err(not_found()) };
            if current.complete {
                return Ok(current);
            }
            let count = chunk_count(current.size);
            if current.chunks_received.len() as u32 != count {
                return Err(ApiError::new("attachment.incomplete", "chunks are missing; see GET for which"));
            }
            let digest = files.assemble(&participant, &sha, count).map_err(ApiError::from)?;
            let now = chrono::Utc::now().timestamp_millis();
            if hex::encode(digest) != sha {
                files.discard_parts(&participant, &sha).map_err(ApiError::from)?;
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
                })
                .map_err(ApiError::from)?;
                return Err(ApiError::new("attachment.hash_mismatch", "the assembled file does not match its id"));
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
            })
            .map_err(ApiError::from)?;
            Ok(AttachmentStatus { chunks_received: (0..count).collect(), complete: true, ..current })
        })
        .await?;
    Ok(Json(done))
}

/// Records the files a new submission names (its document fields), so the server
/// knows when the submission is complete.
pub fn record_submission_files(
    tx: &Transaction,
    submission_id: &str,
    form_id: &str,
    form_version: u32,
    payload: &serde_json::Value,
) -> Result<(), Error> {
    let Some(def) = rantau_core::forms::builtin_form(form_id, Some(form_version)) else {
        return Ok(());
    };
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO submission_files (submission_id, sha256) VALUES (?1, ?2)",
    )?;
    for sha in rantau_core::forms::document_files(def, payload) {
        insert.execute(params![submission_id, sha])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Db, DbLocation};

    #[test]
    fn a_reservation_counts_the_participant_and_the_server() {
        let db = Db::open(&DbLocation::Memory, &crate::key::DataKey::generate()).unwrap();
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
