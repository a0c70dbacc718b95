//! The routes of the published documents: forms and reference data (each with
//! its ETag, from [`crate::http::published`]) and the OpenAPI document.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::http::extract::Anonymous;
use crate::http::AppState;

/// The OpenAPI document, served as is.
pub const OPENAPI: &str = include_str!("../../openapi.json");

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
