//! Published, cacheable documents: the form definitions and the reference data
//! (countries, tariffs, service points), each served with a strong ETag so a
//! client that has them gets `304 Not Modified` and no bytes.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::decisions::ids;
use crate::error::Result;

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
        headers
            .get_all(IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|tag| {
                let tag = tag.trim();
                tag == "*" || tag == self.etag
            })
    }

    /// 304 when the client has it, else 200 with the body.
    pub fn respond(&self, headers: &HeaderMap) -> Response {
        let etag = HeaderValue::from_str(&self.etag).unwrap_or(HeaderValue::from_static("\"0\""));
        let no_cache = HeaderValue::from_static("no-cache");
        if self.matches(headers) {
            return (
                StatusCode::NOT_MODIFIED,
                [(ETAG, etag), (CACHE_CONTROL, no_cache)],
            )
                .into_response();
        }
        let json = HeaderValue::from_static("application/json");
        (
            StatusCode::OK,
            [
                (ETAG, etag),
                (CACHE_CONTROL, no_cache),
                (CONTENT_TYPE, json),
            ],
            self.body.clone(),
        )
            .into_response()
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
        let forms = serde_json::json!({ "forms": forms()? });
        let reference = serde_json::json!({
            "countries": countries()?,
            "tariffs": tariffs()?,
            "service_points": rantau_core::domain::directory::builtin(),
        });
        Ok(Catalog {
            forms: Published::new(&forms)?,
            reference: Published::new(&reference)?,
        })
    }
}

/// The built-in form definitions (the same the app ships).
fn forms() -> Result<serde_json::Value> {
    Ok(serde_json::to_value(rantau_core::forms::builtin())?)
}

/// Indonesia and the destination countries.
fn countries() -> Result<serde_json::Value> {
    Ok(serde_json::to_value(
        rantau_core::domain::country::countries(),
    )?)
}

/// The versioned contribution tariff the server quotes from.
fn tariffs() -> Result<serde_json::Value> {
    Ok(serde_json::to_value(
        rantau_core::domain::tariff::TariffTable::builtin(),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishes_the_core_forms_countries_and_tariffs() {
        let c = Catalog::builtin().unwrap();
        let forms: serde_json::Value = serde_json::from_slice(&c.forms.body).unwrap();
        let ids: Vec<&str> = forms["forms"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["id"].as_str())
            .collect();
        for id in ["pmi-registration", "consultation", "data-update"] {
            assert!(ids.contains(&id), "{ids:?}");
        }
        let reference: serde_json::Value = serde_json::from_slice(&c.reference.body).unwrap();
        assert!(reference["countries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["code"] == "MY"));
        assert_eq!(
            reference["tariffs"]["tariffs"][0]["id"],
            "permenaker-4-2023"
        );
    }

    #[test]
    fn etag_is_strong_stable_and_matched() {
        let c = Catalog::builtin().unwrap();
        let again = Catalog::builtin().unwrap();
        assert_eq!(c.reference.etag, again.reference.etag);
        assert!(c.reference.etag.starts_with('"') && !c.reference.etag.starts_with("W/"));
        let mut h = HeaderMap::new();
        assert!(!c.reference.matches(&h));
        h.insert(
            IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"x\", {}", c.reference.etag)).unwrap(),
        );
        assert!(c.reference.matches(&h));
        assert_eq!(c.reference.respond(&h).status(), StatusCode::NOT_MODIFIED);
        assert_eq!(
            c.reference.respond(&HeaderMap::new()).status(),
            StatusCode::OK
        );
    }
}
