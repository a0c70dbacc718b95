//! Middleware and fallbacks: one structured log line per request (never the
//! body, never a token), the request deadline, JSON errors for unknown routes
//! and methods, and a panic turned into a JSON 500.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{CONNECTION, CONTENT_LENGTH};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::extract::{lang_of, LogSlot};
use crate::http::body::MAX_WIRE_BODY;
use crate::http::error::ApiError;
use crate::http::metrics::Metrics;
use crate::messages;
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

/// Answers a request whose declared `Content-Length` is over [`MAX_WIRE_BODY`]
/// with 413 `body.too_large` at once, from the header alone: waiting for a body
/// that will be refused anyway held the connection until the request deadline
/// (a short body with a huge declared length was a 60 s 408). An unreadable
/// length is 400 `request.bad_content_length` (hyper refuses most of those
/// itself, see [`crate::http::serve`]). The connection is closed after either:
/// the unread body must not be taken for the next request. What of the body
/// still arrives is read and dropped by the connection's lingering close (see
/// [`crate::http::serve`]), so the client gets the answer.
pub async fn declared_length(req: Request, next: Next) -> Response {
    let Some(value) = req.headers().get(CONTENT_LENGTH) else {
        return next.run(req).await;
    };
    let lang = lang_of(req.headers());
    let declared = value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok());
    let error = match declared {
        Some(n) if n <= MAX_WIRE_BODY as u64 => return next.run(req).await,
        Some(_) => ApiError::new(
            "body.too_large",
            messages::render(
                "body.too_large",
                lang,
                &[("bytes", MAX_WIRE_BODY.to_string())],
            ),
        ),
        None => ApiError::bad_content_length(lang),
    };
    let mut response = error.into_response();
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
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

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use crate::storage::{DbLocation, Storage};

    async fn answer(length: &str) -> (StatusCode, String, Option<String>) {
        let storage = Storage::connect(&DbLocation::Memory, None).await.unwrap();
        let app = crate::http::routes::app(
            crate::http::test_state(storage),
            std::time::Duration::from_secs(5),
        );
        let r = app
            .oneshot(
                Request::post("/v1/devices")
                    .header("content-length", length)
                    .header("accept-language", "id")
                    .body(Body::from("{}"))
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = r.status();
        let close = r
            .headers()
            .get("connection")
            .map(|v| v.to_str().unwrap().to_string());
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let code = format!("{} {}", body["code"].as_str().unwrap(), body["message"]);
        (status, code, close)
    }

    // hyper refuses these before the router over TCP; a router used without hyper
    // (or a hyper that lets them through) still answers with a code.
    #[tokio::test]
    async fn declared_lengths_are_checked_before_the_body_is_read() {
        for bad in ["-1", "99999999999999999999999", "ten"] {
            let (status, code, close) = answer(bad).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
            assert!(code.starts_with("request.bad_content_length"), "{code}");
            assert!(code.contains("tidak valid"), "Indonesian asked: {code}");
            assert_eq!(close.as_deref(), Some("close"));
        }
        let (status, code, _) = answer("1048577").await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(code.starts_with("body.too_large"), "{code}");
        let (status, code, _) = answer("2").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{code}");
    }
}
