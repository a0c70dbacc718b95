//! The device-facing v1 routes: enroll, submit a batch, read the change feed,
//! and the published forms, reference data and OpenAPI document.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rantau_core::protocol::wire::{
    BatchRequest, BatchResponse, ChangesResponse, EnrollRequest, EnrollResponse,
};
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;

use crate::error::{ApiError, Error};
use crate::http::{json_body, Anonymous, AppState, Participant, MAX_BATCH_ITEMS};
use crate::submissions::{apply_batch, prepare, Clock};
use crate::{events, ids, validation};

/// Default and largest page of the change feed.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page of the change feed.
pub const MAX_LIMIT: usize = 500;

/// The OpenAPI document, served as is.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// `POST /v1/devices`.
pub async fn enroll(
    _: Anonymous,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<EnrollResponse>, ApiError> {
    let req: EnrollRequest = json_body(&headers, body).await?;
    let device_id = req.device_id.trim().to_string();
    if device_id.is_empty() || device_id.len() > 100 {
        return Err(ApiError::invalid("device_id must be 1 to 100 characters"));
    }
    if req.label.chars().count() > 100 {
        return Err(ApiError::invalid("label must be at most 100 characters"));
    }
    let token = ids::new_token();
    let hash = ids::sha256(token.as_bytes());
    let now = chrono::Utc::now().timestamp_millis();
    let participant_id = state
        .blocking(move |db| {
            db.write(|tx| {
                // Enrolling the same device again (its first answer was lost) gives it
                // another token for the same participant.
                let existing: Option<String> = tx
                    .prepare_cached("SELECT id FROM participants WHERE device_id = ?1")?
                    .query_row([&device_id], |r| r.get(0))
                    .optional()?;
                let id = match existing {
                    Some(id) => id,
                    None => {
                        let id = uuid::Uuid::new_v4().to_string();
                        tx.execute("INSERT INTO participants (id, device_id, label, created_at) VALUES (?1, ?2, ?3, ?4)",
                            params![id, device_id, req.label, now])?;
                        id
                    }
                };
                tx.execute("INSERT INTO tokens (hash, participant_id, created_at) VALUES (?1, ?2, ?3)", params![&hash[..], id, now])?;
                Ok::<_, Error>(id)
            })
            .map_err(ApiError::from)
        })
        .await?;
    Ok(Json(EnrollResponse {
        participant_id,
        token,
    }))
}

/// `POST /v1/submissions/batch`.
pub async fn submit_batch(
    State(state): State<AppState>,
    Participant(participant): Participant,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<BatchResponse>, ApiError> {
    let req: BatchRequest = json_body(&headers, body).await?;
    if req.items.len() > MAX_BATCH_ITEMS {
        return Err(ApiError::new(
            "batch.too_many_items",
            format!("a batch holds at most {MAX_BATCH_ITEMS} items"),
        ));
    }
    let lang = validation::request_lang(headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let clock = Clock::now(lang);
    let results = state
        .blocking(move |db| {
            // Validation first, outside the writer lock; then one short transaction.
            let prepared = prepare(&req.items, &clock);
            db.write(|tx| apply_batch(tx, &participant, &req.items, prepared, &clock))
                .map_err(ApiError::from)
        })
        .await?;
    Ok(Json(BatchResponse { results }))
}

/// Query of `GET /v1/changes`.
#[derive(Debug, Deserialize)]
pub struct ChangesQuery {
    /// Last cursor received; empty or absent for the start.
    pub cursor: Option<String>,
    /// Page size (1..=500; larger is clamped to 500).
    pub limit: Option<String>,
}

/// `GET /v1/changes`.
pub async fn changes(
    State(state): State<AppState>,
    Participant(participant): Participant,
    query: Result<Query<ChangesQuery>, QueryRejection>,
) -> Result<Json<ChangesResponse>, ApiError> {
    let Query(q) =
        query.map_err(|_| ApiError::new("query.invalid", "the query string is not valid"))?;
    let after = events::parse_cursor(q.cursor.as_deref())
        .ok_or_else(|| ApiError::new("cursor.invalid", "the cursor is not one this server gave"))?;
    let limit = match q.limit.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_LIMIT,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| ApiError::new("query.invalid", "limit must be a positive integer"))?
            .min(MAX_LIMIT),
    };
    let (events, has_more) = state
        .blocking(move |db| {
            db.read(|c| events::since(c, &participant, after, limit))
                .map_err(ApiError::from)
        })
        .await?;
    let next_cursor = events.last().map(|e| e.seq).unwrap_or(after).to_string();
    Ok(Json(ChangesResponse {
        events,
        next_cursor,
        has_more,
    }))
}

/// `GET /v1/forms`.
pub async fn forms(_: Anonymous, State(state): State<AppState>, headers: HeaderMap) -> Response {
    state.catalog.forms.respond(&headers)
}

/// `GET /v1/reference`.
pub async fn reference(
    _: Anonymous,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    state.catalog.reference.respond(&headers)
}

/// `GET /v1/openapi.json`.
pub async fn openapi(_: Anonymous) -> Response {
    (
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        OPENAPI,
    )
        .into_response()
}
