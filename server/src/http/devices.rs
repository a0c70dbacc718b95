//! `POST /v1/devices`: enrollment.

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION};
use axum::http::HeaderMap;
use axum::Json;
use rantau_core::protocol::wire::{EnrollRequest, EnrollResponse};

use crate::decisions::{ids, validation};
use crate::http::body::json_body;
use crate::http::error::ApiError;
use crate::http::extract::Enrollment;
use crate::http::AppState;
use crate::messages;
use crate::storage::{EnrollAttempt, Enrolled};

/// `POST /v1/devices`.
///
/// An unknown device id makes a participant and a device secret (returned once;
/// only its hash is kept). A known one needs that secret, compared in constant
/// time; without it the answer is 403 `device.secret_mismatch`, the same whether
/// the secret is missing or wrong. A device enrolled before secrets existed may
/// claim one by presenting a live token of its own. Each enrollment revokes the
/// device's earlier tokens. (The rule: [`crate::decisions::devices::admit`].)
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
    // Characters, not bytes: the document's maxLength counts characters.
    if device_id.is_empty() || device_id.chars().count() > 100 {
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
    // Made before knowing whether it is needed, so storage only checks and writes.
    let secret = ids::new_device_secret();
    let attempt = EnrollAttempt {
        device_id,
        label: req.label,
        presented_secret,
        presented_token,
        new_participant: uuid::Uuid::new_v4().to_string(),
        new_secret_hash: ids::sha256(secret.as_bytes()),
        token_hash: ids::sha256(token.as_bytes()),
        now: chrono::Utc::now().timestamp_millis(),
    };
    match state.storage.enroll(attempt).await? {
        Enrolled::Yes {
            participant,
            secret_issued,
        } => Ok(Json(EnrollResponse {
            participant_id: participant,
            token,
            device_secret: secret_issued.then_some(secret),
        })),
        Enrolled::Refused => Err(ApiError::new(
            "device.secret_mismatch",
            messages::render("device.secret_mismatch", lang, &[]),
        )),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

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
