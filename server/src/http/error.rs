//! The HTTP answer for an error: a status, a stable code (the [`CODES`] table,
//! which `openapi.json` repeats) and a message in a `wire::ErrorBody`, with
//! `Retry-After` where the client should wait. An internal [`Error`] becomes
//! a 500 whose details are logged, never sent; an unreachable database a 503
//! `storage.unavailable` with `Retry-After`.

use axum::http::header::{CONNECTION, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rantau_core::protocol::wire::ErrorBody;
use rantau_core::Lang;

use crate::error::Error;
use crate::limits::Limited;
use crate::messages;

/// An HTTP error answer: status, stable code and an English message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code (see [`CODES`]).
    pub code: &'static str,
    /// English explanation for developers; never user data. (The limits' answers
    /// are in the request's language: a phone may show them.)
    pub message: String,
    /// Seconds for a `Retry-After` header (429 answers).
    pub retry_after: Option<u64>,
}

/// Seconds a client is asked to wait when the database is unreachable: a
/// restart or a fail-over takes seconds, not hours.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 10;

/// Seconds a phone is asked to wait when the server has no room for documents.
pub const STORAGE_FULL_RETRY_AFTER: u64 = 3_600;

/// Every error code the HTTP API can answer with, and its status.
/// `openapi.json` lists the same codes (a test checks it).
pub const CODES: &[(&str, u16)] = &[
    ("auth.missing_token", 401),
    ("auth.invalid_token", 401),
    ("device.secret_mismatch", 403),
    ("body.malformed_json", 400),
    ("body.invalid", 422),
    ("body.too_large", 413),
    ("body.bad_gzip", 400),
    ("body.unsupported_encoding", 415),
    ("body.wrong_content_type", 415),
    ("batch.too_many_items", 413),
    ("query.invalid", 400),
    ("request.invalid_text", 400),
    ("path.invalid", 400),
    ("cursor.invalid", 400),
    ("route.not_found", 404),
    ("route.method_not_allowed", 405),
    ("kpj.not_found", 404),
    ("submission.not_found", 404),
    ("submission.wrong_form", 409),
    ("submission.not_accepted", 409),
    ("import.invalid_rows", 422),
    ("person.not_found", 404),
    ("link.not_found", 404),
    ("link.code_wrong", 422),
    ("link.code_expired", 410),
    ("link.code_used", 409),
    ("link.locked", 423),
    ("attachment.not_found", 404),
    ("attachment.too_large", 413),
    ("attachment.quota_exceeded", 413),
    ("attachment.size_mismatch", 409),
    ("attachment.incomplete", 409),
    ("attachment.hash_mismatch", 422),
    ("chunk.hash_mismatch", 422),
    ("chunk.out_of_range", 422),
    ("request.rate_limited", 429),
    ("request.timeout", 408),
    ("request.bad_content_length", 400),
    ("enroll.busy", 503),
    ("storage.full", 507),
    ("storage.unavailable", 503),
    ("storage.schema_mismatch", 503),
    ("server.internal", 500),
];

impl ApiError {
    /// Builds an error with a code from [`CODES`].
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        let status = CODES
            .iter()
            .find(|(c, _)| *c == code)
            .and_then(|(_, s)| StatusCode::from_u16(*s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 429 `request.rate_limited`, with `Retry-After` and a message in `lang`.
    pub fn rate_limited(limited: Limited, lang: Lang) -> Self {
        let seconds = limited.retry_after.to_string();
        ApiError {
            retry_after: Some(limited.retry_after),
            ..ApiError::new(
                "request.rate_limited",
                messages::render("request.rate_limited", lang, &[("seconds", seconds)]),
            )
        }
    }

    /// 503 `enroll.busy`: the server-wide enrollment cap; `Retry-After` and a
    /// message in `lang`.
    pub fn enroll_busy(limited: Limited, lang: Lang) -> Self {
        let seconds = limited.retry_after.to_string();
        ApiError {
            retry_after: Some(limited.retry_after),
            ..ApiError::new(
                "enroll.busy",
                messages::render("enroll.busy", lang, &[("seconds", seconds)]),
            )
        }
    }

    /// 507 `storage.full`: the server's documents quota is used up. `Retry-After`
    /// (an hour) keeps phones from retrying at once; an operator must make room.
    pub fn storage_full(lang: Lang) -> Self {
        ApiError {
            retry_after: Some(STORAGE_FULL_RETRY_AFTER),
            ..ApiError::new("storage.full", messages::render("storage.full", lang, &[]))
        }
    }

    /// 408 `request.timeout`, with a message in `lang`.
    pub fn timeout(lang: Lang) -> Self {
        ApiError::new(
            "request.timeout",
            messages::render("request.timeout", lang, &[]),
        )
    }

    /// 400 `request.bad_content_length`: a `Content-Length` that is not a
    /// non-negative number of bytes a `u64` holds; a message in `lang`.
    pub fn bad_content_length(lang: Lang) -> Self {
        ApiError::new(
            "request.bad_content_length",
            messages::render("request.bad_content_length", lang, &[]),
        )
    }

    /// 503 `storage.unavailable` for a readiness probe: the database cannot be
    /// reached; `Retry-After` and a message in `lang`.
    pub fn not_ready_unavailable(lang: Lang) -> Self {
        ApiError {
            retry_after: Some(UNAVAILABLE_RETRY_AFTER),
            ..ApiError::new(
                "storage.unavailable",
                messages::render("storage.unavailable", lang, &[]),
            )
        }
    }

    /// 503 `storage.schema_mismatch` for a readiness probe: the database holds
    /// schema `found`, this code writes `expected`. No `Retry-After`: waiting
    /// does not help, a deployment does.
    pub fn schema_mismatch(found: u32, expected: u32, lang: Lang) -> Self {
        ApiError::new(
            "storage.schema_mismatch",
            messages::render(
                "storage.schema_mismatch",
                lang,
                &[
                    ("found", found.to_string()),
                    ("expected", expected.to_string()),
                ],
            ),
        )
    }

    /// `body.invalid` with an explanation.
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new("body.invalid", message)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        // Logged here, once: the client only sees the code.
        if let Error::Unavailable(_) = e {
            // Not a bug: the database is away; the client tries again later.
            tracing::warn!(code = e.code(), error = %e, "database unavailable");
            return ApiError {
                retry_after: Some(UNAVAILABLE_RETRY_AFTER),
                ..ApiError::new(
                    "storage.unavailable",
                    "the database is unavailable; try again later",
                )
            };
        }
        if let Error::TextNotStorable = e {
            return ApiError::new(
                "request.invalid_text",
                messages::render("request.invalid_text", Lang::En, &[]),
            );
        }
        tracing::error!(code = e.code(), error = %e, "internal error");
        ApiError::new("server.internal", "internal server error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code.to_string(),
            message: self.message,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::REQUEST_TIMEOUT {
            // The rest of a trickled body is not worth reading.
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_maps_to_its_status() {
        for (code, status) in CODES {
            let e = ApiError::new(code, "x");
            assert_eq!(e.status.as_u16(), *status, "{code}");
        }
        let mut codes: Vec<_> = CODES.iter().map(|(c, _)| c).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), CODES.len(), "duplicate code");
    }

    #[test]
    fn an_unreachable_database_is_a_503_to_retry_not_a_500() {
        let e = ApiError::from(Error::Unavailable("connection refused".into()));
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.code, "storage.unavailable");
        assert_eq!(e.retry_after, Some(UNAVAILABLE_RETRY_AFTER));
        assert!(!e.message.contains("refused"), "details stay in the log");
        let other = ApiError::from(Error::Malformed("x".into()));
        assert_eq!(other.status, StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn rate_limited_answers_say_when_in_the_asked_language() {
        let e = ApiError::rate_limited(Limited { retry_after: 7 }, Lang::Id);
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(e.message.contains("7 detik"), "{}", e.message);
        let r = ApiError::rate_limited(Limited { retry_after: 7 }, Lang::En).into_response();
        assert_eq!(r.headers()[RETRY_AFTER], "7");
        let t = ApiError::timeout(Lang::En);
        assert_eq!(t.status, StatusCode::REQUEST_TIMEOUT);
        assert!(t.message.contains("too long"), "{}", t.message);
        assert_eq!(t.into_response().headers()[CONNECTION], "close");
    }

    #[test]
    fn the_server_wide_limits_answer_in_the_asked_language_with_retry_after() {
        let e = ApiError::enroll_busy(Limited { retry_after: 4 }, Lang::Id);
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(e.message.contains("4 detik"), "{}", e.message);
        assert_eq!(e.into_response().headers()[RETRY_AFTER], "4");
        let full = ApiError::storage_full(Lang::En);
        assert_eq!(full.status, StatusCode::INSUFFICIENT_STORAGE);
        assert!(full.message.contains("no room"), "{}", full.message);
        assert_eq!(full.into_response().headers()[RETRY_AFTER], "3600");
    }

    #[test]
    fn internal_errors_hide_details() {
        let e: ApiError = Error::Malformed("secret detail".into()).into();
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.message.contains("secret"));
    }
}
