//! The device-facing v1 routes: enroll, submit a batch, read the change feed,
//! and the published forms, reference data and OpenAPI document.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rantau_core::protocol::wire::{
    BatchRequest, BatchResponse, ChangesResponse, EnrollRequest, EnrollResponse,
};
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;

use crate::error::{ApiError, Error};
use crate::http::{json_body, Anonymous, AppState, Enrollment, Participant, MAX_BATCH_ITEMS};
use crate::submissions::{apply_batch, prepare, Clock};
use crate::{events, ids, messages, validation};

/// Default and largest page of the change feed.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page of the change feed.
pub const MAX_LIMIT: usize = 500;

/// The OpenAPI document, served as is.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// How long a token's `last_used_at` may lag: refreshing it on every request
/// would make every read a write.
const LAST_USED_GRANULARITY_MS: i64 = 60_000;

/// Why an enrollment was refused (inside the write transaction).
enum Enrolled {
    /// The participant, and the device secret when one was made now.
    Yes(String, Option<String>),
    /// A known device id without its secret (or, for a device enrolled before
    /// secrets, without a live token of its own).
    Refused,
}

/// `POST /v1/devices`.
///
/// An unknown device id makes a participant and a device secret (returned once;
/// only its hash is kept). A known one needs that secret, compared in constant
/// time; without it the answer is 403 `device.secret_mismatch`, the same whether
/// the secret is missing or wrong. A device enrolled before secrets existed may
/// claim one by presenting a live token of its own. Each enrollment revokes the
/// device's earlier tokens.
pub async fn enroll(
    _: Enrollment,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<EnrollResponse>, ApiError> {
    let lang = validation::request_lang(headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let presented_token = optional_bearer_hash(&headers);
    let req: EnrollRequest = json_body(&headers, body).await?;
    let device_id = req.device_id.trim().to_string();
    if device_id.is_empty() || device_id.len() > 100 {
        return Err(ApiError::invalid("device_id must be 1 to 100 characters"));
    }
    if req.label.chars().count() > 100 {
        return Err(ApiError::invalid("label must be at most 100 characters"));
    }
    let presented_secret = req
        .device_secret
        .as_deref()
        .map(|s| ids::sha256(s.trim().as_bytes()));
    let token = ids::new_token();
    let hash = ids::sha256(token.as_bytes());
    let now = chrono::Utc::now().timestamp_millis();
    let enrolled = state
        .blocking(move |db| {
            db.write(|tx| {
                let existing: Option<(String, Option<Vec<u8>>)> = tx
                    .prepare_cached("SELECT p.id, s.hash FROM participants p LEFT JOIN device_secrets s ON s.participant_id = p.id WHERE p.device_id = ?1")?
                    .query_row([&device_id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let (id, secret) = match existing {
                    None => {
                        let id = uuid::Uuid::new_v4().to_string();
                        tx.execute("INSERT INTO participants (id, device_id, label, created_at) VALUES (?1, ?2, ?3, ?4)",
                            params![id, device_id, req.label, now])?;
                        (id.clone(), Some(new_secret(tx, &id, now)?))
                    }
                    Some((id, Some(stored))) => {
                        let matches = presented_secret
                            .is_some_and(|presented| ids::constant_time_eq(&presented, &stored));
                        if !matches {
                            return Ok(Enrolled::Refused);
                        }
                        (id, None)
                    }
                    Some((id, None)) => {
                        // Enrolled before secrets: only the holder of one of its live
                        // tokens may claim a secret (the device id alone never suffices).
                        let holds_token = match presented_token {
                            Some(h) => tx
                                .prepare_cached("SELECT 1 FROM tokens WHERE hash = ?1 AND participant_id = ?2 AND revoked_at IS NULL")?
                                .exists(params![&h[..], id])?,
                            None => false,
                        };
                        if !holds_token {
                            return Ok(Enrolled::Refused);
                        }
                        let secret = new_secret(tx, &id, now)?;
                        (id, Some(secret))
                    }
                };
                // One live token per device: a stolen older one stops working now.
                tx.execute("UPDATE tokens SET revoked_at = ?1 WHERE participant_id = ?2 AND revoked_at IS NULL", params![now, id])?;
                tx.execute("INSERT INTO tokens (hash, participant_id, created_at) VALUES (?1, ?2, ?3)", params![&hash[..], id, now])?;
                Ok::<_, Error>(Enrolled::Yes(id, secret))
            })
            .map_err(ApiError::from)
        })
        .await?;
    match enrolled {
        Enrolled::Yes(participant_id, device_secret) => Ok(Json(EnrollResponse {
            participant_id,
            token,
            device_secret,
        })),
        Enrolled::Refused => Err(ApiError::new(
            "device.secret_mismatch",
            messages::render("device.secret_mismatch", lang, &[]),
        )),
    }
}

/// Makes and stores (as its hash) the device secret of `participant`.
fn new_secret(
    tx: &rusqlite::Transaction<'_>,
    participant: &str,
    now: i64,
) -> Result<String, Error> {
    let secret = ids::new_device_secret();
    let hash = ids::sha256(secret.as_bytes());
    tx.execute(
        "INSERT INTO device_secrets (participant_id, hash, created_at) VALUES (?1, ?2, ?3)",
        params![participant, &hash[..], now],
    )?;
    Ok(secret)
}

/// SHA-256 of the request's bearer token, if it has one (enrollment takes no
/// token, except from a device claiming its first secret).
fn optional_bearer_hash(headers: &HeaderMap) -> Option<[u8; 32]> {
    let text = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = text.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty())
        .then(|| ids::sha256(token.as_bytes()))
}

/// The participant of a live (not revoked) token, refreshing its `last_used_at`
/// when it is older than [`LAST_USED_GRANULARITY_MS`]. `None` for an unknown or
/// revoked token: both answer 401 `auth.invalid_token` alike.
pub fn token_participant(
    db: &crate::db::Db,
    hash: [u8; 32],
    now: i64,
) -> Result<Option<String>, Error> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Db, DbLocation};

    fn token_row(db: &Db, hash: [u8; 32]) -> (i64, Option<i64>, Option<i64>) {
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
        let db = Db::open(&DbLocation::Memory, &crate::key::DataKey::generate()).unwrap();
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

    #[test]
    fn only_a_bearer_header_counts_as_a_token() {
        let mut h = HeaderMap::new();
        assert_eq!(optional_bearer_hash(&h), None);
        h.insert(AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(optional_bearer_hash(&h), None);
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer  "));
        assert_eq!(optional_bearer_hash(&h), None);
        h.insert(AUTHORIZATION, HeaderValue::from_static("bearer abc"));
        assert_eq!(optional_bearer_hash(&h), Some(ids::sha256(b"abc")));
    }
}
