//! Request bodies: bounded on the wire and once inflated (gzip), JSON parsed
//! with errors that never quote a value, and `Content-Type` checks.

use std::io::Read;

use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_ENCODING, CONTENT_TYPE};
use axum::http::HeaderMap;
use serde::de::DeserializeOwned;

use crate::http::error::ApiError;
use crate::http::extract::lang_of;
use crate::messages;

/// Largest request body on the wire (compressed or not).
pub const MAX_WIRE_BODY: usize = 1 << 20;
/// Largest request body once decompressed.
pub const MAX_BODY: usize = 1 << 20;
/// Most items in one batch.
pub const MAX_BATCH_ITEMS: usize = 100;

/// Reads a request body: at most [`MAX_WIRE_BODY`] on the wire, gunzipped when
/// `Content-Encoding: gzip` (at most [`MAX_BODY`] out, so a zip bomb stops early).
/// A plain body is returned as received, not copied (a batch is up to 1 MiB).
pub async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
    let lang = lang_of(headers);
    let too_large = || {
        ApiError::new(
            "body.too_large",
            messages::render("body.too_large", lang, &[("bytes", MAX_BODY.to_string())]),
        )
    };
    let bad_gzip = || {
        ApiError::new(
            "body.bad_gzip",
            messages::render("body.bad_gzip", lang, &[]),
        )
    };
    let raw = axum::body::to_bytes(body, MAX_WIRE_BODY)
        .await
        .map_err(|_| too_large())?;
    let encoding = headers
        .get(CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("") | Some("identity") => Ok(raw),
        Some("gzip") | Some("x-gzip") => {
            // A plain (or empty) body marked gzip: without this, an empty one
            // inflated to nothing and was judged as an empty JSON document.
            if !raw.starts_with(&GZIP_MAGIC) {
                return Err(bad_gzip());
            }
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..])
                .take(MAX_BODY as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|_| bad_gzip())?;
            if out.len() > MAX_BODY {
                return Err(too_large());
            }
            Ok(Bytes::from(out))
        }
        Some(_) => Err(unsupported_encoding()),
    }
}

/// The first two bytes of every gzip member (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// 415 `body.unsupported_encoding`.
pub fn unsupported_encoding() -> ApiError {
    ApiError::new(
        "body.unsupported_encoding",
        "only gzip and identity request encodings are accepted",
    )
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
        assert_eq!(&out[..], br#"{"a":1}"#);
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
        for plain in [&b""[..], br#"{"items":[]}"#] {
            let err = read_body(&headers(Some("gzip")), Body::from(plain))
                .await
                .unwrap_err();
            assert_eq!(err.code, "body.bad_gzip", "{plain:?}");
            assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST);
        }
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
