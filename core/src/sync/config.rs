//! How to reach the server: the checked base URL, the one HTTP client reused for
//! every request (connections and TLS sessions are kept), and batch limits.
//! Certificates are checked by the platform's verifier (Android's trust manager on
//! a phone); redirects are never followed.

use std::time::Duration;

use super::backoff::Backoff;
use crate::base::lang::Lang;
use crate::{Error, Result};

/// Settings of the sync engine. Build once and keep: it owns the HTTP client.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    base: reqwest::Url,
    pub(crate) client: reqwest::Client,
    /// Label sent at enrollment (e.g. "Android 12"); never personal data.
    pub device_label: String,
    /// Language of messages written into the outbox (e.g. a rejection reason).
    pub lang: Lang,
    /// Most submissions per batch request.
    pub batch_max_items: usize,
    /// Most uncompressed JSON bytes per batch (a single larger item goes alone).
    pub batch_max_bytes: usize,
    /// Events asked for per change-feed page.
    pub page_limit: u32,
    /// Most change-feed pages per run (a guard against a feed that never ends).
    pub max_pages: usize,
    /// Compress request bodies with gzip.
    pub gzip_requests: bool,
    /// How long submissions wait after a transient failure (default: 2 s doubling
    /// to 1 h). Shorter only in a lab, e.g. tests that drive many failures.
    pub backoff: Backoff,
    /// Upload document files after the push (default). Off, a run sends forms and
    /// pulls news but leaves files waiting (the worker keeps them for Wi-Fi).
    pub upload_documents: bool,
    connect_timeout: Duration,
    request_timeout: Duration,
}

/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl SyncConfig {
    /// Settings for the server at `base_url`, with default timeouts.
    /// Errors: [`Error::InvalidUrl`], [`Error::InsecureUrl`] (plain http to a non-loopback host).
    pub fn new(base_url: &str) -> Result<SyncConfig> {
        Self::with_timeouts(base_url, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT)
    }

    /// Settings with explicit connect and whole-request timeouts.
    pub fn with_timeouts(
        base_url: &str,
        connect: Duration,
        request: Duration,
    ) -> Result<SyncConfig> {
        let base = check_url(base_url)?;
        Ok(SyncConfig {
            base,
            client: build_client(connect, request, None)?,
            device_label: String::new(),
            lang: Lang::Id,
            batch_max_items: 50,
            batch_max_bytes: 256 * 1024,
            page_limit: 200,
            max_pages: 1000,
            gzip_requests: true,
            backoff: Backoff::default(),
            upload_documents: true,
            connect_timeout: connect,
            request_timeout: request,
        })
    }

    /// Trusts only the root certificates in `pem` (one or more PEM `CERTIFICATE`
    /// blocks) for this server, instead of the platform's verifier: for a test or
    /// staging server with its own authority. The app never calls it; a production
    /// build checks certificates with the phone's trust store. Host names and validity
    /// dates are still checked. Errors: [`Error::InvalidRoots`] when `pem` holds no
    /// certificate or one that cannot be parsed.
    pub fn trust_only_roots_pem(&mut self, pem: &[u8]) -> Result<()> {
        let roots = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| Error::InvalidRoots(e.to_string()))?;
        if roots.is_empty() {
            return Err(Error::InvalidRoots("no certificate in the PEM text".into()));
        }
        self.client = build_client(self.connect_timeout, self.request_timeout, Some(roots))?;
        Ok(())
    }

    /// The URL of `path` (e.g. `/v1/changes`) under the base URL.
    pub(crate) fn endpoint(&self, path: &str) -> Result<reqwest::Url> {
        let joined = format!("{}{}", self.base.as_str().trim_end_matches('/'), path);
        reqwest::Url::parse(&joined).map_err(|e| Error::InvalidUrl(e.to_string()))
    }
}

/// The HTTP client: `roots` replace the platform's verifier when given (tests, staging).
fn build_client(
    connect: Duration,
    request: Duration,
    roots: Option<Vec<reqwest::Certificate>>,
) -> Result<reqwest::Client> {
    // rustls needs a process-wide crypto provider; ring is small and builds without
    // cmake. Err means one is installed already (ours or the app's): fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .connect_timeout(connect)
        .timeout(request)
        .pool_idle_timeout(Duration::from_secs(90))
        // A redirect would resend a request (and a 307/308 its body: a form with a
        // NIK) to a host the app was never configured for. A 3xx is an error instead.
        .redirect(reqwest::redirect::Policy::none())
        // We decode gzip ourselves, to count the bytes that really crossed the wire.
        .no_gzip()
        .user_agent(concat!("rantau-core/", env!("CARGO_PKG_VERSION")));
    if let Some(roots) = roots {
        // Only these roots, checked by webpki: the platform verifier cannot take
        // extra roots on Android, and a test must not depend on the host's store.
        builder = builder.tls_certs_only(roots);
    }
    builder.build().map_err(|e| Error::Network(e.to_string()))
}

/// Parses `url` and refuses plain http except to loopback (127.0.0.0/8, ::1, localhost).
pub fn check_url(url: &str) -> Result<reqwest::Url> {
    let parsed = reqwest::Url::parse(url.trim()).map_err(|e| Error::InvalidUrl(e.to_string()))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| Error::InvalidUrl("no host".into()))?
        .to_string();
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" => {
            if crate::protocol::transport::is_loopback_host(&host) {
                Ok(parsed)
            } else {
                Err(Error::InsecureUrl(host))
            }
        }
        other => Err(Error::InvalidUrl(format!("scheme {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn https_is_accepted_for_any_host() {
        assert!(check_url("https://api.example.org/").is_ok());
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.3.4.5/",
            "http://[::1]:9000",
            "http://LOCALHOST:1",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1",
            "http://example.org",
            "http://192.168.1.2:80",
            "http://[::2]/",
        ] {
            assert_eq!(
                check_url(bad).unwrap_err().code(),
                "sync.insecure_url",
                "{bad}"
            );
        }
        assert_eq!(
            check_url("ftp://127.0.0.1").unwrap_err().code(),
            "sync.invalid_url"
        );
        assert_eq!(
            check_url("not a url").unwrap_err().code(),
            "sync.invalid_url"
        );
    }

    #[test]
    fn config_refuses_insecure_url_and_joins_paths() {
        assert_eq!(
            SyncConfig::new("http://example.org").unwrap_err().code(),
            "sync.insecure_url"
        );
        let c = SyncConfig::new("http://127.0.0.1:8080/api/").unwrap();
        assert_eq!(
            c.endpoint("/v1/devices").unwrap().as_str(),
            "http://127.0.0.1:8080/api/v1/devices"
        );
    }

    #[test]
    fn roots_must_be_pem_certificates() {
        let mut c = SyncConfig::new("https://sync.example.org").unwrap();
        assert_eq!(
            c.trust_only_roots_pem(b"").unwrap_err().code(),
            "sync.invalid_roots"
        );
        assert_eq!(
            c.trust_only_roots_pem(
                b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"
            )
            .unwrap_err()
            .code(),
            "sync.invalid_roots"
        );
    }

    proptest! {
        #[test]
        fn check_url_never_panics(s in ".*") {
            let _ = check_url(&s);
        }
    }
}
