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
use crate::http::metrics::Metrics;
use crate::stats::Stats;

/// Where each answer is counted: the tests' counters and the metrics.
#[derive(Debug, Clone)]
pub struct Observers {
    /// Answer counters.
    pub stats: Arc<Stats>,
    /// The `/metrics` page's metrics.
    pub metrics: Arc<Metrics>,
}

/// Logs one line per request and counts it (status; for the metrics also its
/// route template and latency); never the body, never a token.
pub async fn log_requests(
    State(observers): State<Observers>,
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
    let status = response.status().as_u16();
    observers.stats.answered(status);
    observers
        .metrics
        .request(&method, &route, status, start.elapsed());
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
pub fn panic_response(observers: &Observers) -> Response {
    tracing::error!("handler panicked");
    observers.stats.panicked();
    observers.metrics.panicked();
    ApiError::new("server.internal", "internal server error").into_response()
}
