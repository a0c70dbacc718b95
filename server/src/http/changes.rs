//! `GET /v1/changes`: a page of the participant's change feed after a cursor.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use rantau_core::protocol::wire::ChangesResponse;
use serde::Deserialize;

use crate::http::error::ApiError;
use crate::http::extract::Participant;
use crate::http::AppState;

/// Default page of the change feed.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page of the change feed.
pub const MAX_LIMIT: usize = 500;

/// Query of `GET /v1/changes`.
#[derive(Debug, Deserialize)]
pub struct ChangesQuery {
    /// Last cursor received; empty or absent for the start.
    pub cursor: Option<String>,
    /// Page size (1..=500; larger is clamped to 500).
    pub limit: Option<String>,
}

/// Parses a client cursor: empty means the start; otherwise a non-negative seq.
pub fn parse_cursor(cursor: Option<&str>) -> Option<i64> {
    match cursor.map(str::trim) {
        None | Some("") => Some(0),
        Some(c) => c.parse::<i64>().ok().filter(|n| *n >= 0),
    }
}

/// `GET /v1/changes`.
pub async fn changes(
    State(state): State<AppState>,
    Participant(participant): Participant,
    query: Result<Query<ChangesQuery>, QueryRejection>,
) -> Result<Json<ChangesResponse>, ApiError> {
    let Query(q) =
        query.map_err(|_| ApiError::new("query.invalid", "the query string is not valid"))?;
    let after = parse_cursor(q.cursor.as_deref())
        .ok_or_else(|| ApiError::new("cursor.invalid", "the cursor is not one this server gave"))?;
    // Absent is the default page; present, even empty (`limit=`), it must be a number.
    let limit = match q.limit.as_deref().map(str::trim) {
        None => DEFAULT_LIMIT,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| ApiError::new("query.invalid", "limit must be a positive integer"))?
            .min(MAX_LIMIT),
    };
    let (events, has_more) = state.storage.changes(participant, after, limit).await?;
    let next_cursor = events.last().map(|e| e.seq).unwrap_or(after).to_string();
    Ok(Json(ChangesResponse {
        events,
        next_cursor,
        has_more,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_parse_strictly() {
        assert_eq!(parse_cursor(None), Some(0));
        assert_eq!(parse_cursor(Some("")), Some(0));
        assert_eq!(parse_cursor(Some("42")), Some(42));
        assert_eq!(parse_cursor(Some("-1")), None);
        assert_eq!(parse_cursor(Some("abc")), None);
    }
}
