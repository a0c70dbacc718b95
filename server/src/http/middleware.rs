//! Middleware and fallbacks: one structured log line per request (never the
//! body, never a token), the request deadline, JSON errors for unknown routes
//! and methods, and a panic turned into a JSON 500.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::extract::{lang_of, LogSlot};
use crate::http::error::ApiError;
use crate::stats::Stats;

/// Logs one line per request and counts its status; never the body, never a token.
pub async fn log_requests(
    State(stats): State<Arc<Stats>>,
    mut req: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let slot = LogSlot::default();
    req.extensions_mut().insert(slot.clone());
    let response = next.run(req).await;
    stats.answered(response.status().as_u16());
    let participant = slot
        .0
        .lock()
        .ok()
        .and_then(|g| g.clone())
        .unwrap_or_default();
    tracing::info!(
        method = %method,
        route = %route,
        status = response.status().as_u16(),
        latency_us = start.elapsed().as_micros() as u64,
        participant = %participant,
        "request"
    );
    response
}

/// Cuts a request that is not answered within `limit` of its headers (a trickled
/// body, or a client reading the answer too slowly) with 408 `request.timeout`.
pub async fn deadline(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    let lang = lang_of(req.headers());
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::timeout(lang).into_response(),
    }
}

/// Unknown route.
pub async fn not_found() -> ApiError {
    ApiError::new("route.not_found", "no such route")
}

/// Known route, wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        "route.method_not_allowed",
        "this route does not take that method",
    )
}

/// Turns a panic into a JSON 500 (it is a bug; the process keeps serving) and counts it.
pub fn panic_response(stats: &Stats) -> Response {
    tracing::error!("handler panicked");
    stats.panicked();
    ApiError::new("server.internal", "internal server error").into_response()
}
