//! `POST /v1/submissions/batch`: decide every item, then store the batch
//! exactly once in one repository call.

use axum::body::Body;
use axum::extract::State;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::HeaderMap;
use axum::Json;
use rantau_core::protocol::wire::{BatchRequest, BatchResponse};

use crate::decisions::ingest::{prepare, Clock};
use crate::decisions::validation;
use crate::error::Error;
use crate::http::body::{json_body, MAX_BATCH_ITEMS};
use crate::http::error::ApiError;
use crate::http::extract::Participant;
use crate::http::AppState;

/// `POST /v1/submissions/batch`.
pub async fn submit_batch(
    State(state): State<AppState>,
    Participant(participant): Participant,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<BatchResponse>, ApiError> {
    let mut req: BatchRequest = json_body(&headers, body).await?;
    let asked = std::mem::take(&mut req.attachment_status);
    // Checked before anything is stored: a refusal must leave the batch unstored.
    super::attachments::check_status_ids(&asked)?;
    if req.items.len() > MAX_BATCH_ITEMS {
        return Err(ApiError::new(
            "batch.too_many_items",
            format!("a batch holds at most {MAX_BATCH_ITEMS} items"),
        ));
    }
    // Ingest latency: the server's own work, not the client's upload.
    let started = std::time::Instant::now();
    let submissions = req.items.len();
    let lang = validation::request_lang(headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let clock = Clock::now(lang);
    // Validation first (CPU work, off the async threads and outside any
    // transaction); then one short transaction in storage.
    let (items, prepared, clock) = tokio::task::spawn_blocking(move || {
        let prepared = prepare(&req.items, &clock);
        (req.items, prepared, clock)
    })
    .await
    .map_err(|e| ApiError::from(Error::Runtime(e.to_string())))?;
    let results = state
        .storage
        .store_batch(participant.clone(), items, prepared, clock)
        .await?;
    state.metrics.batch(submissions, started.elapsed());
    // The documents the phone uploads next: their status along, not a request of its
    // own. The batch is stored by now, so a failure here leaves the status out (the
    // phone asks it itself) rather than failing the batch's answer.
    let attachments = if asked.is_empty() {
        None
    } else {
        match super::attachments::statuses(&state, &participant, asked).await {
            Ok(found) => Some(found),
            Err(e) => {
                tracing::warn!(
                    code = e.code,
                    "attachment status left out of a batch answer"
                );
                None
            }
        }
    };
    Ok(Json(BatchResponse {
        results,
        attachments,
    }))
}
