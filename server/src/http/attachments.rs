//! Content-addressed, resumable attachment upload: `PUT` one verified chunk,
//! `GET` what is held, `POST …/complete` to assemble and check the whole hash.
//! Everything is scoped to the caller's participant: another device's files answer
//! 404 exactly like missing ones, so they cannot even be probed.

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_ENCODING};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use rantau_core::protocol::wire::{
    chunk_count, AttachmentStatus, ATTACHMENT_CHUNK_SIZE, ATTACHMENT_SIZE_HEADER,
    CHUNK_SHA256_HEADER,
};

use crate::http::body::{check_content_type, unsupported_encoding};
use crate::http::error::ApiError;
use crate::http::extract::Participant;
use crate::http::AppState;
use crate::storage::files::is_sha256_hex;
use crate::storage::{ChunkStored, ChunkUpload, Completion};

use crate::decisions::{ids, validation};

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
    // A chunk is hashed as sent: a compressed one could only fail its hash later.
    if header(&headers, CONTENT_ENCODING.as_str())
        .is_some_and(|e| !e.is_empty() && !e.eq_ignore_ascii_case("identity"))
    {
        return Err(unsupported_encoding());
    }
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
    let quota = state.limiter.document_quota();
    let stored = state
        .storage
        .put_chunk(ChunkUpload {
            participant,
            sha,
            size,
            idx,
            data: data.to_vec(),
            quota,
            now: chrono::Utc::now().timestamp_millis(),
        })
        .await?;
    match stored {
        ChunkStored::Stored | ChunkStored::AlreadyComplete => {}
        ChunkStored::SizeMismatch => {
            return Err(ApiError::new(
                "attachment.size_mismatch",
                "another size was given for this file",
            ))
        }
        ChunkStored::OverParticipantQuota => {
            return Err(ApiError::new(
                "attachment.quota_exceeded",
                format!(
                    "a device holds at most {} bytes of attachments",
                    quota.participant
                ),
            ))
        }
        ChunkStored::OverServerQuota => return Err(ApiError::storage_full(lang)),
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/attachments/{sha256}`: what this participant's upload holds.
pub async fn get_status(
    State(state): State<AppState>,
    Participant(participant): Participant,
    sha: Result<Path<String>, PathRejection>,
) -> Result<Json<AttachmentStatus>, ApiError> {
    let sha = parse_sha(sha)?;
    let found = state.storage.attachment_status(participant, sha).await?;
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
    let now = chrono::Utc::now().timestamp_millis();
    match state
        .storage
        .complete_attachment(participant, sha, now)
        .await?
    {
        Completion::Complete(done) => Ok(Json(done)),
        Completion::NotFound => Err(not_found()),
        Completion::Incomplete => Err(ApiError::new(
            "attachment.incomplete",
            "chunks are missing; see GET for which",
        )),
        Completion::HashMismatch => Err(ApiError::new(
            "attachment.hash_mismatch",
            "the assembled file does not match its id",
        )),
    }
}
