//! Extractors shared by every route: who is asking (anonymous, enrolling, a
//! device's participant, an officer), each checked against its rate limit.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use rantau_core::Lang;

use super::AppState;
use crate::decisions::{ids, validation};
use crate::http::error::ApiError;
use crate::limits::Limited;

/// Where the auth extractor leaves the participant id for the request log.
#[derive(Clone, Default)]
pub(super) struct LogSlot(pub(super) Arc<Mutex<Option<String>>>);

/// The language the client asked for (Indonesian by default).
pub(crate) fn lang_of(headers: &HeaderMap) -> Lang {
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
    crate::http::proxy::client_address(peer, &parts.headers, state.limiter.trusted_proxies())
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
        let found = state.storage.authenticate(hash, now).await?;
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
