//! One HTTP exchange with the server: JSON bodies, gzip both ways, the bearer
//! token, byte and request counting, and the classification of failures into
//! transient (retry later), auth (re-enroll), permanent, and refused (a certificate
//! or a redirect: the run stops and the outbox is left as it was).

use std::io::{Read, Write};
use std::time::Duration;

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::backoff::parse_retry_after;
use super::config::SyncConfig;
use crate::protocol::wire::ErrorBody;
use crate::Error;

/// Largest decompressed response we accept: a guard against a gzip bomb.
const MAX_BODY: u64 = 32 * 1024 * 1024;

/// Why a request did not produce a decoded answer.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Try again later: connect error, timeout, 5xx, 408/429, an unreadable body.
    Transient {
        /// What happened.
        error: Error,
        /// The server's `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
    /// 401/403: the token is no longer good.
    Auth(Error),
    /// Another 4xx: retrying the same request will not help soon.
    Permanent(Error),
    /// The server could not be trusted or sent us elsewhere: a refused certificate
    /// ([`Error::Tls`]) or a redirect ([`Error::Redirect`]). Nothing of the request
    /// reached a trusted server, so the run stops with this error and marks nothing:
    /// counting it as a failed attempt would push forms toward "needs attention" for
    /// a fault of the network (a captive portal, an interception) rather than of the form.
    Refused(Error),
}

impl Failure {
    /// The error inside.
    pub(crate) fn into_error(self) -> Error {
        match self {
            Failure::Transient { error, .. }
            | Failure::Auth(error)
            | Failure::Permanent(error)
            | Failure::Refused(error) => error,
        }
    }

    /// The server asked the client to come back later: 429, or 503 with a
    /// non-zero `Retry-After`. Not the request's fault, so not counted as a failed attempt.
    pub(crate) fn asked_to_wait(&self) -> bool {
        match self {
            Failure::Transient {
                error: Error::Server { status, .. },
                retry_after,
            } => *status == 429 || (*status == 503 && retry_after.is_some_and(|d| !d.is_zero())),
            _ => false,
        }
    }

    /// The stable code of the error inside.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Failure::Transient { error, .. }
            | Failure::Auth(error)
            | Failure::Permanent(error)
            | Failure::Refused(error) => error.code(),
        }
    }
}

/// Counters shared by all requests of one run.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub requests: usize,
    pub bytes_up: u64,
    pub bytes_down: u64,
}

/// Sends requests for one run.
pub(crate) struct Http<'a> {
    config: &'a SyncConfig,
    pub token: Option<String>,
    pub counters: Counters,
}

impl<'a> Http<'a> {
    pub(crate) fn new(config: &'a SyncConfig) -> Self {
        Http {
            config,
            token: None,
            counters: Counters::default(),
        }
    }

    /// POSTs `body` as JSON (gzip when configured) and decodes the JSON answer.
    pub(crate) async fn post<B: Serialize, R: DeserializeOwned>(
        &mut self,
        path: &str,
        body: &B,
    ) -> Result<R, Failure> {
        let req = self.post_request(path, body)?;
        let (answer, down) = exchange(req).await;
        self.counters.bytes_down += down;
        decode(&answer?)
    }

    /// GETs `url` (built by the caller, e.g. with a query) and decodes the JSON answer.
    pub(crate) async fn get<R: DeserializeOwned>(
        &mut self,
        url: reqwest::Url,
    ) -> Result<R, Failure> {
        let req = self.config.client.get(url);
        self.send(req).await
    }

    /// A `PUT` of a run of consecutive attachment chunks from chunk `first`, ready
    /// for [`exchange`]: raw bytes (never gzip: photos do not compress), each chunk's
    /// SHA-256 and the file's size in headers. Counted as sent.
    pub(crate) fn chunk_run(
        &mut self,
        file_id: &str,
        first: u32,
        data: &[u8],
        chunk_sha256: &[String],
        size: u64,
    ) -> Result<reqwest::RequestBuilder, Failure> {
        use crate::protocol::wire::{
            ATTACHMENT_SIZE_HEADER, CHUNK_COUNT_HEADER, CHUNK_SHA256_HEADER,
        };
        let path = format!("/v1/attachments/{file_id}/chunks/{first}");
        let url = self.config.endpoint(&path).map_err(Failure::Permanent)?;
        let req = self
            .config
            .client
            .put(url)
            .header("content-type", "application/octet-stream")
            .header(CHUNK_COUNT_HEADER, chunk_sha256.len().to_string())
            .header(CHUNK_SHA256_HEADER, chunk_sha256.join(","))
            .header(ATTACHMENT_SIZE_HEADER, size.to_string())
            .body(data.to_vec());
        self.counters.bytes_up += data.len() as u64;
        Ok(self.prepare(req))
    }

    /// A JSON `POST` of `body`, ready for [`exchange`] (gzip when configured).
    /// Counted as sent.
    pub(crate) fn post_request<B: Serialize>(
        &mut self,
        path: &str,
        body: &B,
    ) -> Result<reqwest::RequestBuilder, Failure> {
        let url = self.config.endpoint(path).map_err(Failure::Permanent)?;
        let json = serde_json::to_vec(body)
            .map_err(|e| Failure::Permanent(Error::Protocol(e.to_string())))?;
        let mut req = self
            .config
            .client
            .post(url)
            .header("content-type", "application/json");
        let bytes = if self.config.gzip_requests {
            req = req.header("content-encoding", "gzip");
            gzip(&json).map_err(|e| Failure::Permanent(Error::Io(e)))?
        } else {
            json
        };
        self.counters.bytes_up += bytes.len() as u64;
        Ok(self.prepare(req.body(bytes)))
    }

    async fn send<R: DeserializeOwned>(
        &mut self,
        req: reqwest::RequestBuilder,
    ) -> Result<R, Failure> {
        let (answer, down) = exchange(self.prepare(req)).await;
        self.counters.bytes_down += down;
        decode(&answer?)
    }

    /// Adds what every request carries (the token, what we accept) and counts it.
    /// The server words what it answers (a rejection's issues, which the outbox
    /// keeps and shows as they came) in the language asked for.
    fn prepare(&mut self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let mut req = req
            .header("accept", "application/json")
            .header("accept-encoding", "gzip")
            .header("accept-language", self.config.lang.code());
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        self.counters.requests += 1;
        req
    }
}

/// Decodes a JSON answer; an unreadable one is transient (a proxy's page, a cut).
pub(crate) fn decode<R: DeserializeOwned>(body: &[u8]) -> Result<R, Failure> {
    serde_json::from_slice(body).map_err(|e| Failure::Transient {
        error: Error::Protocol(e.to_string()),
        retry_after: None,
    })
}

/// Sends a prepared request and returns the (decompressed) body of a 2xx answer,
/// with the bytes that came down either way (for [`Counters::bytes_down`]). Needs
/// no [`Http`], so several requests can be in flight at once.
pub(crate) async fn exchange(req: reqwest::RequestBuilder) -> (Result<Vec<u8>, Failure>, u64) {
    let resp = match req.send().await {
        Ok(resp) => resp,
        Err(e) => return (Err(network(e)), 0),
    };
    let status = resp.status();
    let gzipped = resp
        .headers()
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("gzip"));
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
    let raw = match resp.bytes().await {
        Ok(raw) => raw,
        Err(e) => return (Err(network(e)), 0),
    };
    let down = raw.len() as u64;
    (classify(status, retry_after, gzipped, &raw), down)
}

/// The body of a 2xx answer, or the failure the status and error body say.
fn classify(
    status: reqwest::StatusCode,
    retry_after: Option<Duration>,
    gzipped: bool,
    raw: &[u8],
) -> Result<Vec<u8>, Failure> {
    let body = if gzipped {
        gunzip(raw).map_err(|e| Failure::Transient {
            error: Error::Protocol(e.to_string()),
            retry_after: None,
        })?
    } else {
        raw.to_vec()
    };
    if status.is_success() {
        return Ok(body);
    }
    if status.is_redirection() {
        return Err(Failure::Refused(Error::Redirect {
            status: status.as_u16(),
        }));
    }
    let code = serde_json::from_slice::<ErrorBody>(&body)
        .map(|b| b.code)
        .unwrap_or_else(|_| format!("http.{}", status.as_u16()));
    let status = status.as_u16();
    Err(match status {
        401 | 403 => Failure::Auth(Error::Unauthorized(code)),
        408 | 429 | 500..=599 => Failure::Transient {
            error: Error::Server { status, code },
            retry_after,
        },
        _ => Failure::Permanent(Error::Server { status, code }),
    })
}

fn network(e: reqwest::Error) -> Failure {
    if let Some(tls) = tls_cause(&e) {
        return Failure::Refused(Error::Tls(tls.to_string()));
    }
    // reqwest's text names the URL (no personal data) and the cause.
    Failure::Transient {
        error: Error::Network(e.to_string()),
        retry_after: None,
    }
}

/// The rustls error somewhere in `e`'s chain of causes, if the failure was TLS.
/// rustls's error reaches us wrapped in an `io::Error` (tokio-rustls), whose
/// `source()` skips the wrapped error itself, so an `io::Error` is opened instead.
fn tls_cause<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cause = Some(e);
    // Bounded: a cycle in a hand-written `source()` must not hang the sync.
    for _ in 0..32 {
        let err = cause?;
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        cause = match err.downcast_ref::<std::io::Error>() {
            Some(io) => match io.get_ref() {
                Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
                None => None,
            },
            None => err.source(),
        };
    }
    None
}

/// Compresses `data` with gzip.
pub(crate) fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = GzEncoder::new(
        Vec::with_capacity(data.len() / 4 + 64),
        flate2::Compression::default(),
    );
    enc.write_all(data)?;
    enc.finish()
}

/// Decompresses gzip `data`, refusing more than [`MAX_BODY`] bytes of output.
pub(crate) fn gunzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    GzDecoder::new(data)
        .take(MAX_BODY + 1)
        .read_to_end(&mut out)?;
    if out.len() as u64 > MAX_BODY {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "response too large",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gzip_shrinks_repetitive_json() {
        let json = serde_json::to_vec(&vec![
            serde_json::json!({"form_id": "pmi-registration", "x": 1});
            50
        ])
        .unwrap();
        let z = gzip(&json).unwrap();
        assert!(z.len() * 5 < json.len(), "{} vs {}", z.len(), json.len());
        assert_eq!(gunzip(&z).unwrap(), json);
    }

    #[test]
    fn a_rustls_error_wrapped_in_io_errors_is_found() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, tls);
        let outer = std::io::Error::other(io);
        let found = tls_cause(&outer).unwrap();
        assert!(matches!(
            found,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
        ));
        assert!(tls_cause(&std::io::Error::other("connection reset")).is_none());
    }

    #[test]
    fn gunzip_refuses_garbage() {
        assert!(gunzip(b"not gzip at all").is_err());
    }

    proptest! {
        #[test]
        fn gzip_round_trips(data in proptest::collection::vec(any::<u8>(), 0..2000)) {
            prop_assert_eq!(gunzip(&gzip(&data).unwrap()).unwrap(), data);
        }

        #[test]
        fn gunzip_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = gunzip(&data);
        }
    }
}
