//! The probes an orchestrator or load balancer asks: `GET /healthz` (the process
//! is alive and serving: always 200, no work) and `GET /readyz` (send it
//! traffic: 200 only when the database answers and holds the schema this code
//! writes, else 503 with the usual error body).
//!
//! Neither is rate-limited: a prober that shares its address with clients (a
//! proxy not declared trusted) must never see a 429 and take a healthy server
//! out of service. Instead readiness asks the database at most once per
//! [`READY_TTL`] and answers from that between.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::http::error::ApiError;
use crate::http::extract::lang_of;
use crate::http::AppState;
use crate::storage::Readiness;

/// The body of a 200 probe answer.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ProbeOk {
    /// Always `ok`.
    pub status: &'static str,
}

const OK: ProbeOk = ProbeOk { status: "ok" };

/// `GET /healthz`: alive. Touches nothing, so it cannot fail while the
/// process serves.
pub async fn healthz() -> Json<ProbeOk> {
    Json(OK)
}

/// How long one answer of the database serves readiness probes.
pub const READY_TTL: Duration = Duration::from_secs(1);

/// What the last readiness check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Ready,
    Schema { found: u32, expected: u32 },
    Unreachable,
}

/// The last readiness verdict and when it was reached.
#[derive(Debug, Default)]
pub struct ReadyCache(Mutex<Option<(Instant, Verdict)>>);

impl ReadyCache {
    fn fresh(&self, now: Instant) -> Option<Verdict> {
        let guard = self.0.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .filter(|(at, _)| now.saturating_duration_since(*at) < READY_TTL)
            .map(|(_, v)| v)
    }

    fn keep(&self, at: Instant, verdict: Verdict) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some((at, verdict));
    }
}

/// `GET /readyz`: ready for traffic.
pub async fn readyz(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    let verdict = match state.ready.fresh(Instant::now()) {
        Some(v) => v,
        None => {
            let v = match state.storage.ready().await {
                Ok(Readiness::Ready) => Verdict::Ready,
                Ok(Readiness::SchemaMismatch { found, expected }) => {
                    tracing::warn!(found, expected, "not ready: schema version differs");
                    Verdict::Schema { found, expected }
                }
                Err(e) => {
                    // Any failure of the probe's query means "no traffic here";
                    // the details go to the log, never to the prober.
                    tracing::warn!(code = e.code(), error = %e, "not ready: database");
                    Verdict::Unreachable
                }
            };
            // Stamped when the answer came: a slow database must not leave
            // every probe asking it again.
            state.ready.keep(Instant::now(), v);
            v
        }
    };
    match verdict {
        Verdict::Ready => Json(OK).into_response(),
        Verdict::Schema { found, expected } => {
            ApiError::schema_mismatch(found, expected, lang).into_response()
        }
        Verdict::Unreachable => ApiError::not_ready_unavailable(lang).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use super::*;
    use crate::storage::{DbLocation, Storage};

    async fn app() -> (axum::Router, Storage) {
        let storage = Storage::connect(&DbLocation::Memory, None).await.unwrap();
        let state = crate::http::test_state(storage.clone());
        (
            crate::http::routes::app(state, std::time::Duration::from_secs(5)),
            storage,
        )
    }

    async fn get(app: &axum::Router, path: &str, lang: &str) -> (StatusCode, serde_json::Value) {
        let r = app
            .clone()
            .oneshot(
                Request::get(path)
                    .header("accept-language", lang)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = r.status();
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn ready_until_the_schema_is_not_this_codes_then_503_in_both_languages() {
        let (app, storage) = app().await;
        assert_eq!(
            get(&app, "/readyz", "id").await,
            (StatusCode::OK, serde_json::json!({"status": "ok"}))
        );
        // A version no server writes yet.
        storage.set_schema_version_for_tests(999).await.unwrap();
        // Past the cache's second, the new verdict.
        tokio::time::sleep(READY_TTL).await;
        let (status, id) = get(&app, "/readyz", "id").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(id["code"], "storage.schema_mismatch");
        assert!(
            id["message"].as_str().unwrap().contains("tidak sesuai"),
            "{id}"
        );
        let (_, en) = get(&app, "/readyz", "en").await;
        assert!(
            en["message"].as_str().unwrap().contains("version 999"),
            "{en}"
        );
        // Alive all the same: restarting would not fix the schema.
        assert_eq!(get(&app, "/healthz", "en").await.0, StatusCode::OK);
    }

    #[test]
    fn a_verdict_serves_for_one_ttl_then_the_database_is_asked_again() {
        let cache = ReadyCache::default();
        let t0 = Instant::now();
        assert_eq!(cache.fresh(t0), None);
        cache.keep(t0, Verdict::Unreachable);
        assert_eq!(cache.fresh(t0 + READY_TTL / 2), Some(Verdict::Unreachable));
        assert_eq!(cache.fresh(t0 + READY_TTL), None);
    }

    #[test]
    fn an_unreachable_database_answers_503_with_retry_after_in_both_languages() {
        let id = ApiError::not_ready_unavailable(rantau_core::Lang::Id);
        let en = ApiError::not_ready_unavailable(rantau_core::Lang::En);
        assert_eq!(id.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            (id.code, en.code),
            ("storage.unavailable", "storage.unavailable")
        );
        assert!(
            id.message.contains("tidak dapat dijangkau"),
            "{}",
            id.message
        );
        assert!(en.message.contains("cannot be reached"), "{}", en.message);
        assert!(id.retry_after.is_some());
    }
}
