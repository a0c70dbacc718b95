//! Content-addressed, resumable attachment upload: `PUT` one verified chunk or a
//! run of them (the run's answer assembles and checks the file once it is whole),
//! `GET` what is held of one file or `POST …/status` of many, `POST …/complete`
//! to assemble and check the whole hash. Everything is scoped to the caller's
//! participant: another device's files answer 404 (or are left out) exactly like
//! missing ones, so they cannot even be probed.

use std::pin::Pin;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_ENCODING};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hyper::body::Body as HttpBody;
use rantau_core::protocol::wire::{
    chunk_count, chunk_len, AttachmentStatus, AttachmentStatusRequest, AttachmentStatuses,
    ATTACHMENT_CHUNK_SIZE, ATTACHMENT_SIZE_HEADER, CHUNK_COUNT_HEADER, CHUNK_SHA256_HEADER,
    MAX_CHUNKS_PER_PUT, MAX_STATUS_IDS,
};
use rantau_core::Lang;

use crate::http::body::{check_content_type, json_body, unsupported_encoding};
use crate::http::error::ApiError;
use crate::http::extract::Participant;
use crate::http::runs::{RunGuard, RUN_IDLE_LIMIT};
use crate::http::AppState;
use crate::limits::DocumentQuota;
use crate::storage::files::is_sha256_hex;
use crate::storage::{ChunkStored, ChunkUpload, Completion, Storage};

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
/// With `x-chunk-count: n`, a run of `n` consecutive chunks from `idx` (see
/// [`put_run`]), answered 200 with the attachment's status.
pub async fn put_chunk(
    State(state): State<AppState>,
    Participant(participant): Participant,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
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
    let run_len = match header(&headers, CHUNK_COUNT_HEADER) {
        None => None,
        Some(n) => Some(
            n.parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_CHUNKS_PER_PUT).contains(n))
                .ok_or_else(|| {
                    ApiError::invalid(format!(
                        "the {CHUNK_COUNT_HEADER} header must be 1 to {MAX_CHUNKS_PER_PUT}"
                    ))
                })?,
        ),
    };
    let count = chunk_count(size);
    if idx.saturating_add(run_len.unwrap_or(1)) > count {
        return Err(ApiError::new(
            "chunk.out_of_range",
            "the chunk index is past the end of the file",
        ));
    }
    let claimed: Vec<String> = header(&headers, CHUNK_SHA256_HEADER)
        .map(|h| h.split(',').map(|s| s.trim().to_string()).collect())
        .filter(|hashes: &Vec<String>| {
            hashes.len() == run_len.unwrap_or(1) as usize && hashes.iter().all(|h| is_sha256_hex(h))
        })
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "the {CHUNK_SHA256_HEADER} header must give each chunk's SHA-256"
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
    let run = Run {
        storage: state.storage.clone(),
        participant,
        sha,
        size,
        first: idx,
        hashes: claimed,
        quota: state.limiter.document_quota(),
        lang,
    };
    if run_len.is_some() {
        // Taken before the body is read: a status asked after a cut waits for it.
        let guard = state.runs.start(&run.participant, &run.sha).await;
        return put_run(run, guard, body)
            .await
            .map(|s| Json(s).into_response());
    }
    let data = axum::body::to_bytes(body, ATTACHMENT_CHUNK_SIZE)
        .await
        .map_err(|_| ApiError::new("body.too_large", "a chunk is at most one chunk size"))?;
    run.store(idx, &data, &run.hashes[0]).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// One upload request's chunks: whose, of which file, from which index, with
/// which hashes.
struct Run {
    storage: Storage,
    participant: String,
    sha: String,
    size: u64,
    first: u32,
    hashes: Vec<String>,
    quota: DocumentQuota,
    lang: Lang,
}

impl Run {
    /// Checks chunk `idx` against its hash and length and stores it. `Ok(true)`
    /// when the file was complete already (nothing written).
    async fn store(&self, idx: u32, data: &[u8], claimed: &str) -> Result<bool, ApiError> {
        if hex::encode(ids::sha256(data)) != claimed
            || data.len() as u64 != chunk_len(self.size, idx)
        {
            return Err(chunk_mismatch());
        }
        let stored = self
            .storage
            .put_chunk(ChunkUpload {
                participant: self.participant.clone(),
                sha: self.sha.clone(),
                size: self.size,
                idx,
                data: data.to_vec(),
                quota: self.quota,
                now: chrono::Utc::now().timestamp_millis(),
            })
            .await?;
        match stored {
            ChunkStored::Stored => Ok(false),
            ChunkStored::AlreadyComplete => Ok(true),
            ChunkStored::SizeMismatch => Err(ApiError::new(
                "attachment.size_mismatch",
                "another size was given for this file",
            )),
            ChunkStored::OverParticipantQuota => Err(ApiError::new(
                "attachment.quota_exceeded",
                format!(
                    "a device holds at most {} bytes of attachments",
                    self.quota.participant
                ),
            )),
            ChunkStored::OverServerQuota => Err(ApiError::storage_full(self.lang)),
        }
    }

    /// Reads the body and stores each chunk as soon as its bytes are all there.
    async fn store_all(&self, mut body: Body) -> Result<(), ApiError> {
        let mut buf: Vec<u8> = Vec::with_capacity(ATTACHMENT_CHUNK_SIZE);
        let mut next = 0usize;
        let want = |i: usize| chunk_len(self.size, self.first + i as u32) as usize;
        loop {
            let frame = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx));
            let data = match tokio::time::timeout(RUN_IDLE_LIMIT, frame).await {
                // A silent body: a dead link that never closed.
                Err(_) => return Err(chunk_mismatch()),
                Ok(None) => break,
                // The connection went away: what was stored stays, nobody hears the answer.
                Ok(Some(Err(_))) => return Err(chunk_mismatch()),
                Ok(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => data,
                    Err(_) => continue,
                },
            };
            buf.extend_from_slice(&data);
            while next < self.hashes.len() && buf.len() >= want(next) {
                let rest = buf.split_off(want(next));
                let idx = self.first + next as u32;
                if self.store(idx, &buf, &self.hashes[next]).await? {
                    return Ok(());
                }
                buf = rest;
                next += 1;
            }
            if next == self.hashes.len() && !buf.is_empty() {
                return Err(chunk_mismatch());
            }
        }
        if next < self.hashes.len() {
            return Err(chunk_mismatch());
        }
        Ok(())
    }
}

fn chunk_mismatch() -> ApiError {
    ApiError::new(
        "chunk.hash_mismatch",
        "the chunk's bytes do not match its hash or size",
    )
}

/// Stores a run of chunks and answers the attachment's status, assembling and
/// verifying the file first when it now holds every chunk. The chunks are stored
/// by a task of their own: when the body is cut, hyper drops this handler, and
/// the chunks that arrived whole before the cut must still be kept (a resumed
/// upload then sends only what is missing).
async fn put_run(run: Run, guard: RunGuard, body: Body) -> Result<AttachmentStatus, ApiError> {
    let task = tokio::spawn(async move {
        let _guard = guard;
        run.store_all(body).await?;
        let held = run
            .storage
            .attachment_status(run.participant.clone(), run.sha.clone())
            .await?
            .ok_or_else(not_found)?;
        if held.complete || held.chunks_received.len() < chunk_count(run.size) as usize {
            return Ok(held);
        }
        let now = chrono::Utc::now().timestamp_millis();
        match run
            .storage
            .complete_attachment(run.participant, run.sha, now)
            .await?
        {
            Completion::Complete(done) => Ok(done),
            Completion::HashMismatch => Err(whole_mismatch()),
            // Dropped meanwhile by a concurrent failed assembly: what is held now.
            Completion::Incomplete | Completion::NotFound => Ok(held),
        }
    });
    task.await
        .map_err(|e| ApiError::from(crate::error::Error::Runtime(e.to_string())))?
}

fn whole_mismatch() -> ApiError {
    ApiError::new(
        "attachment.hash_mismatch",
        "the assembled file does not match its id",
    )
}

/// `POST /v1/attachments/status`: what this participant's uploads hold, for many
/// attachments in one request; the ones it holds nothing of are left out.
pub async fn batch_status(
    State(state): State<AppState>,
    Participant(participant): Participant,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<AttachmentStatuses>, ApiError> {
    let req: AttachmentStatusRequest = json_body(&headers, body).await?;
    let attachments = statuses(&state, &participant, req.ids).await?;
    Ok(Json(AttachmentStatuses { attachments }))
}

/// What `participant`'s uploads hold of each of `ids` (at most [`MAX_STATUS_IDS`],
/// each a SHA-256 in lowercase hex), the ones it holds nothing of left out; a run
/// still being stored is waited for. Also answered along with a batch of submissions.
pub(crate) async fn statuses(
    state: &AppState,
    participant: &str,
    ids: Vec<String>,
) -> Result<Vec<AttachmentStatus>, ApiError> {
    check_status_ids(&ids)?;
    let mut attachments = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for id in ids {
        if !seen.insert(id.clone()) {
            continue;
        }
        state.runs.settled(participant, &id).await;
        if let Some(s) = state
            .storage
            .attachment_status(participant.to_string(), id)
            .await?
        {
            attachments.push(s);
        }
    }
    Ok(attachments)
}

/// Refuses a status request of more than [`MAX_STATUS_IDS`] ids or an id that is
/// not a SHA-256 in lowercase hex.
pub(crate) fn check_status_ids(ids: &[String]) -> Result<(), ApiError> {
    if ids.len() > MAX_STATUS_IDS {
        return Err(ApiError::invalid(format!(
            "at most {MAX_STATUS_IDS} attachment ids in one request"
        )));
    }
    if !ids.iter().all(|id| is_sha256_hex(id)) {
        return Err(ApiError::invalid(
            "an attachment id is a SHA-256 in lowercase hex",
        ));
    }
    Ok(())
}

/// `GET /v1/attachments/{sha256}`: what this participant's upload holds.
pub async fn get_status(
    State(state): State<AppState>,
    Participant(participant): Participant,
    sha: Result<Path<String>, PathRejection>,
) -> Result<Json<AttachmentStatus>, ApiError> {
    let sha = parse_sha(sha)?;
    state.runs.settled(&participant, &sha).await;
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
        Completion::HashMismatch => Err(whole_mismatch()),
    }
}
