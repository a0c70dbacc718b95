//! Published, cacheable documents: the form definitions and the reference data
//! (countries, tariffs, service points), each served with a strong ETag so a
//! client that has them gets `304 Not Modified` and no bytes.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::Result;
use crate::ids;

/// A JSON document and its strong ETag.
#[derive(Debug, Clone)]
pub struct Published {
    /// The JSON bytes.
    pub body: Vec<u8>,
    /// Strong ETag (quoted).
    pub etag: String,
}

impl Published {
    /// Serializes `value` and tags it with a hash of its bytes.
    pub fn new(value: &serde_json::Value) -> Result<Published> {
        let body = serde_json::to_vec(value)?;
        let etag = format!("\"{}\"", hex::encode(&ids::sha256(&body)[..16]));
        Ok(Published { body, etag })
    }

    /// True when `If-None-Match` names this document's ETag (or `*`).
    pub fn matches(&self, headers: &HeaderMap) -> bool {
        headers.get_all(IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag == self.etag
        })
    }

    /// 304 when the client has it, else 200 with the body.
    pub fn respond(&self, headers: &HeaderMap) -> Response {
        let etag = HeaderValue::from_str(&self.etag).unwrap_or(HeaderValue::from_static("\"0\""));
        let no_cache = HeaderValue::from_static("no-cache");
        if self.matches(headers) {
            return (StatusCode::NOT_MODIFIED, [(ETAG, etag), (CACHE_CONTROL, no_cache)]).into_response();
        }
        let json = HeaderValue::from_static("application/json");
        (StatusCode::OK, [(ETAG, etag), (CACHE_CONTROL, no_cache), (CONTENT_TYPE, json)], self.body.clone()).into_response()
    }
}

/// The documents the server publishes.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// `GET /v1/forms`.
    pub forms: Published,
    /// `GET /v1/reference`.
    pub reference: Published,
}

impl Catalog {
    /// Builds the built-in catalog.
    pub fn builtin() -> Result<Catalog> {
        let forms = serde_json::json!({ "forms": forms() });
        let reference = serde_json::json!({
            "countries": countries(),
            "tariffs": tariffs(),
            "service_points": [],
        });
        Ok(Catalog { forms: Published::new(&forms)?, reference: Published::new(&reference)? })
    }
}

/// The form definitions the server publishes.
fn forms() -> serde_json::Value {
    serde_json::Value::Array(Vec::new())
}

/// Destination countries.
fn countries() -> serde_json::Value {
    serde_json::Value::Array(Vec::new())
}

/// The contribution tariff (Permenaker 4/2023 Pasal 18) the server quotes from.
fn tariffs() -> serde_json::Value {
    serde_json::json!({
        "id": "permenaker-4-2023",
        "valid_from": "2023-02-22",
        "pre_placement": 37500,
        "placement": [{"up_to_months": 6, "amount": 108000}, {"up_to_months": 12, "amount": 189000},
                      {"up_to_months": 24, "amount": 332500}],
        "per_month_beyond_24": 13500,
        "jht_monthly_options": [50000, 100000, 200000, 300000, 400000, 500000, 600000],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_is_strong_stable_and_matched() {
        let c = Catalog::builtin().unwrap();
        let again = Catalog::builtin().unwrap();
        assert_eq!(c.reference.etag, again.reference.etag);
        assert!(c.reference.etag.starts_with('"') && !c.reference.etag.starts_with("W/"));
        let mut h = HeaderMap::new();
        assert!(!c.reference.matches(&h));
        h.insert(IF_NONE_MATCH, HeaderValue::from_str(&format!("\"x\", {}", c.reference.etag)).unwrap());
        assert!(c.reference.matches(&h));
        assert_eq!(c.reference.respond(&h).status(), StatusCode::NOT_MODIFIED);
        assert_eq!(c.reference.respond(&HeaderMap::new()).status(), StatusCode::OK);
    }
}
