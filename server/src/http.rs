//! The HTTP plumbing shared by every route: state, authentication and rate limits,
//! bounded and gzip-aware JSON bodies, the request deadline, JSON errors for unknown
//! routes and panics, and one structured log line per request.

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rantau_core::Lang;
use serde::de::DeserializeOwned;

use crate::catalog::Catalog;
use crate::db::Db;
use crate::error::{ApiError, Error};
use crate::limits::{Limited, Limiter};
use crate::stats::Stats;
use crate::{ids, validation};

/// Largest request body on the wire (compressed or not).
pub const MAX_WIRE_BODY: usize = 1 << 20;
/// Largest request body once decompressed.
pub const MAX_BODY: usize = 1 << 20;
/// Most items in one batch.
pub const MAX_BATCH_ITEMS: usize = 100;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Arc<Db>,
    /// Attachment bytes on disk.
    pub files: Arc<crate::files::FileStore>,
    /// SHA-256 of the officers' bearer token.
    pub admin_hash: [u8; 32],
    /// Forms and reference data with their ETags.
    pub catalog: Arc<Catalog>,
    /// Rate limits' buckets.
    pub limiter: Arc<Limiter>,
    /// Answer counters.
    pub stats: Arc<Stats>,
}

impl AppState {
    /// Runs database work off the async threads.
    pub async fn blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Db) -> Result<T, ApiError> + Send + 'static,
    {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .map_err(|e| ApiError::from(Error::Runtime(e.to_string())))?
    }
}

/// Where the auth extractor leaves the participant id for the request log.
#[derive(Clone, Default)]
struct LogSlot(Arc<Mutex<Option<String>>>);

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

/// The language the client asked for (Indonesian by default).
fn lang_of(headers: &HeaderMap) -> Lang {
    validation::request_lang(headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

/// The client's address: the TCP peer, or behind a trusted proxy the address it
/// forwards; unspecified when the router runs without a socket (tests).
fn client_ip(parts: &Parts, state: &AppState) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    crate::proxy::client_address(peer, &parts.headers, state.limiter.trusted_proxies())
}

fn limited(parts: &Parts, result: Result<(), Limited>) -> Result<(), ApiError> {
    result.map_err(|l| ApiError::rate_limited(l, lang_of(&parts.headers)))
}

/// A failed authentication counts against the client's address (so guessing
/// tokens is as slow as enrolling); over it, 429 instead of `err`.
fn auth_failed(parts: &Parts, state: &AppState, err: ApiError) -> ApiError {
    match limited(parts, state.limiter.address(client_ip(parts, state))) {
        Ok(()) => err,
        Err(too_many) => too_many,
    }
}

/// A request to an unauthenticated route, rate-limited by client address.
#[derive(Debug, Clone, Copy)]
pub struct Anonymous;

impl FromRequestParts<AppState> for Anonymous {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        limited(parts, state.limiter.address(client_ip(parts, state)))?;
        Ok(Anonymous)
    }
}

/// An enrollment: rate-limited by client address, then server-wide (503
/// `enroll.busy` with Retry-After when every address together is over it).
#[derive(Debug, Clone, Copy)]
pub struct Enrollment;

impl FromRequestParts<AppState> for Enrollment {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        limited(parts, state.limiter.address(client_ip(parts, state)))?;
        state
            .limiter
            .enrollment()
            .map_err(|l| ApiError::enroll_busy(l, lang_of(&parts.headers)))?;
        Ok(Enrollment)
    }
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let value = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
        ApiError::new(
            "auth.missing_token",
            "an Authorization: Bearer token is required",
        )
    })?;
    let text = value
        .to_str()
        .map_err(|_| ApiError::new("auth.invalid_token", "the token is not valid"))?;
    let (scheme, token) = text.trim().split_once(' ').unwrap_or((text, ""));
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::new(
            "auth.missing_token",
            "an Authorization: Bearer token is required",
        ));
    }
    Ok(token.trim())
}

/// An authenticated device: the participant it acts for.
#[derive(Debug, Clone)]
pub struct Participant(pub String);

impl FromRequestParts<AppState> for Participant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).map_err(|e| auth_failed(parts, state, e))?;
        let hash = ids::sha256(token.as_bytes());
        let now = chrono::Utc::now().timestamp_millis();
        let found = state
            .blocking(move |db| {
                crate::api::token_participant(db, hash, now).map_err(ApiError::from)
            })
            .await?;
        let id = found.ok_or_else(|| {
            auth_failed(
                parts,
                state,
                ApiError::new("auth.invalid_token", "the token is not valid"),
            )
        })?;
        // Keyed by the token's hash: the raw token is never kept.
        limited(parts, state.limiter.device(hash))?;
        if let Some(slot) = parts.extensions.get::<LogSlot>() {
            if let Ok(mut g) = slot.0.lock() {
                *g = Some(id.clone());
            }
        }
        Ok(Participant(id))
    }
}

/// An officer, authenticated with the admin token.
#[derive(Debug, Clone, Copy)]
pub struct Officer;

impl FromRequestParts<AppState> for Officer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).map_err(|e| auth_failed(parts, state, e))?;
        let hash = ids::sha256(token.as_bytes());
        if !ids::constant_time_eq(&hash, &state.admin_hash) {
            return Err(auth_failed(
                parts,
                state,
                ApiError::new("auth.invalid_token", "the admin token is not valid"),
            ));
        }
        limited(parts, state.limiter.officer())?;
        if let Some(slot) = parts.extensions.get::<LogSlot>() {
            if let Ok(mut g) = slot.0.lock() {
                *g = Some("officer".into());
            }
        }
        Ok(Officer)
    }
}

/// Reads a request body: at most [`MAX_WIRE_BODY`] on the wire, gunzipped when
/// `Content-Encoding: gzip` (at most [`MAX_BODY`] out, so a zip bomb stops early).
pub async fn read_body(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::new(
            "body.too_large",
            format!("the request body is larger than {MAX_BODY} bytes"),
        )
    };
    let raw = axum::body::to_bytes(body, MAX_WIRE_BODY)
        .await
        .map_err(|_| too_large())?;
    let encoding = headers
        .get(CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("") | Some("identity") => Ok(raw.to_vec()),
        Some("gzip") | Some("x-gzip") => {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..])
                .take(MAX_BODY as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|_| {
                    ApiError::new(
                        "body.bad_gzip",
                        "the gzip request body cannot be decompressed",
                    )
                })?;
            if out.len() > MAX_BODY {
                return Err(too_large());
            }
            Ok(out)
        }
        Some(_) => Err(ApiError::new(
            "body.unsupported_encoding",
            "only gzip and identity request encodings are accepted",
        )),
    }
}

/// Parses JSON: syntax errors → `body.malformed_json`, shape errors → `body.invalid`.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            ApiError::invalid(format!("the body does not fit the schema: {}", redact(&e)))
        }
        _ => ApiError::new(
            "body.malformed_json",
            format!(
                "the body is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        ),
    })
}

/// A serde error without the offending value (it may be personal data).
fn redact(e: &serde_json::Error) -> String {
    let text = e.to_string();
    // serde quotes values as `invalid type: string "…"`; keep only its first clause.
    let head = text
        .split(['"', '`'])
        .next()
        .unwrap_or("")
        .trim_end_matches([' ', ':'])
        .to_string();
    format!("{head} at line {} column {}", e.line(), e.column())
}

/// Checks a declared `Content-Type` against `accepts` (absent is accepted: curl
/// and old clients send none; a wrong one is refused before the body is read).
pub fn check_content_type(headers: &HeaderMap, accepts: fn(&str) -> bool) -> Result<(), ApiError> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let essence = value
        .to_str()
        .unwrap_or("?")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if accepts(&essence) {
        Ok(())
    } else {
        Err(ApiError::new(
            "body.wrong_content_type",
            "the Content-Type is not the one this route takes",
        ))
    }
}

/// `application/json` or a `+json` type.
pub fn is_json(essence: &str) -> bool {
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Reads and parses a JSON body.
pub async fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
) -> Result<T, ApiError> {
    check_content_type(headers, is_json)?;
    parse_json(&read_body(headers, body).await?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn headers(encoding: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(e) = encoding {
            h.insert(CONTENT_ENCODING, e.parse().unwrap());
        }
        h
    }

    #[tokio::test]
    async fn gzip_bodies_are_inflated_within_the_limit() {
        let body = gzip(br#"{"a":1}"#);
        let out = read_body(&headers(Some("gzip")), Body::from(body))
            .await
            .unwrap();
        assert_eq!(out, br#"{"a":1}"#);
        let bomb = gzip(&vec![b' '; MAX_BODY + 10]);
        assert!(bomb.len() < 10_000);
        let err = read_body(&headers(Some("gzip")), Body::from(bomb))
            .await
            .unwrap_err();
        assert_eq!(err.code, "body.too_large");
        let err = read_body(&headers(Some("gzip")), Body::from("not gzip"))
            .await
            .unwrap_err();
        assert_eq!(err.code, "body.bad_gzip");
        let err = read_body(&headers(Some("br")), Body::from("x"))
            .await
            .unwrap_err();
        assert_eq!(err.code, "body.unsupported_encoding");
        let err = read_body(&headers(None), Body::from(vec![b'x'; MAX_WIRE_BODY + 1]))
            .await
            .unwrap_err();
        assert_eq!(err.code, "body.too_large");
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_parse_to_a_batch_or_a_body_code(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            if let Err(e) = parse_json::<rantau_core::protocol::wire::BatchRequest>(&bytes) {
                proptest::prop_assert!(e.code == "body.malformed_json" || e.code == "body.invalid");
                proptest::prop_assert!(e.status.is_client_error());
            }
        }
    }

    #[test]
    fn json_errors_are_classified_and_hide_values() {
        #[derive(serde::Deserialize, Debug)]
        struct T {
            #[allow(dead_code)]
            n: u32,
        }
        assert_eq!(
            parse_json::<T>(b"{").unwrap_err().code,
            "body.malformed_json"
        );
        let err = parse_json::<T>(br#"{"n":"3515140508680001"}"#).unwrap_err();
        assert_eq!(err.code, "body.invalid");
        assert!(!err.message.contains("3515140508680001"), "{}", err.message);
    }
}
