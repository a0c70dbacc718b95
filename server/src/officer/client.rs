//! The officer's client for the admin endpoints (used by
//! `rantau-server officer pay|reply|reject|contribution|list|import` and by tests):
//! a blocking HTTP client; call it from synchronous code only.

use rantau_core::protocol::transport::is_loopback_host;
use rantau_core::protocol::wire::{ErrorBody, Event};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::officer::wire::{
    ContributionRequest, ImportRefusal, ImportReport, ImportRequest, LinkCode, LinkCodeRequest,
    PaymentRequest, RejectRequest, ReplyRequest, RowError, SubmissionList,
};

/// A client for one server with the admin token.
pub struct OfficerClient {
    base: String,
    token: String,
    http: reqwest::blocking::Client,
}

impl std::fmt::Debug for OfficerClient {
    // Hand-written: the token is a secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfficerClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

fn network(e: reqwest::Error) -> Error {
    Error::Remote {
        code: "network".into(),
        message: e.to_string(),
    }
}

impl OfficerClient {
    /// A client for `base`: `https://…`, or plain `http://` to loopback only
    /// (e.g. `http://127.0.0.1:8080`), since every request carries the admin token.
    pub fn new(base: &str, token: &str) -> Result<OfficerClient> {
        let url =
            reqwest::Url::parse(base.trim()).map_err(|e| Error::InvalidServerUrl(e.to_string()))?;
        let host = url.host_str().unwrap_or_default().to_string();
        match url.scheme() {
            "https" if !host.is_empty() => {}
            "http" if is_loopback_host(&host) => {}
            "http" if !host.is_empty() => return Err(Error::InsecureServerUrl(host)),
            other => {
                return Err(Error::InvalidServerUrl(format!(
                    "scheme {other}, host {host:?}"
                )))
            }
        }
        // reqwest is built without a default TLS provider; ring is ours. An
        // error only means one is installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(network)?;
        Ok(OfficerClient {
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            http,
        })
    }

    fn answer<T: DeserializeOwned>(resp: reqwest::blocking::Response) -> Result<T> {
        let status = resp.status();
        let bytes = resp.bytes().map_err(network)?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(Error::from);
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => Err(Error::Remote {
                code: body.code,
                message: body.message,
            }),
            Err(_) => Err(Error::Remote {
                code: format!("http.{}", status.as_u16()),
                message: "no error body".into(),
            }),
        }
    }

    fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T> {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .map_err(network)?;
        Self::answer(resp)
    }

    /// A link code for the person of `nik` or `kpj` (exactly one), to hand over.
    pub fn link_code(&self, req: &LinkCodeRequest) -> Result<LinkCode> {
        self.post("/v1/admin/link-codes", req)
    }

    /// Records a payment; returns the event it created.
    pub fn pay(&self, req: &PaymentRequest) -> Result<Event> {
        self.post("/v1/admin/payments", req)
    }

    /// Records a contribution.
    pub fn contribution(&self, req: &ContributionRequest) -> Result<Event> {
        self.post("/v1/admin/contributions", req)
    }

    /// Answers a consultation.
    pub fn reply(&self, submission_id: &str, req: &ReplyRequest) -> Result<Event> {
        self.post(
            &format!(
                "/v1/admin/consultations/{}/reply",
                path_segment(submission_id)
            ),
            req,
        )
    }

    /// Rejects a registration.
    pub fn reject(&self, submission_id: &str, req: &RejectRequest) -> Result<Event> {
        self.post(
            &format!(
                "/v1/admin/registrations/{}/reject",
                path_segment(submission_id)
            ),
            req,
        )
    }

    /// Imports a CSV file of people registered elsewhere: its report, or
    /// every bad row when the server refused the file (nothing imported).
    pub fn import_persons(
        &self,
        csv: &str,
    ) -> Result<std::result::Result<ImportReport, Vec<RowError>>> {
        let resp = self
            .http
            .post(format!("{}/v1/admin/persons/import", self.base))
            .bearer_auth(&self.token)
            // The bad rows' reasons, in the officer's terminal's language.
            .header("accept-language", crate::messages::operator_lang().code())
            .json(&ImportRequest {
                csv: csv.to_string(),
            })
            .send()
            .map_err(network)?;
        if resp.status() == reqwest::StatusCode::UNPROCESSABLE_ENTITY {
            let bytes = resp.bytes().map_err(network)?;
            return match serde_json::from_slice::<ImportRefusal>(&bytes) {
                Ok(refusal) => Ok(Err(refusal.errors)),
                Err(_) => {
                    let body: ErrorBody = serde_json::from_slice(&bytes)?;
                    Err(Error::Remote {
                        code: body.code,
                        message: body.message,
                    })
                }
            };
        }
        Self::answer(resp).map(Ok)
    }

    /// One page of submissions (optionally of one form) after `cursor` (the
    /// previous page's `next_cursor`; empty for the first), at most `limit` of them.
    pub fn list_page(
        &self,
        form_id: Option<&str>,
        cursor: &str,
        limit: Option<usize>,
    ) -> Result<SubmissionList> {
        let mut query = format!("?cursor={}", path_segment(cursor));
        if let Some(f) = form_id {
            query.push_str(&format!("&form_id={}", path_segment(f)));
        }
        if let Some(l) = limit {
            query.push_str(&format!("&limit={l}"));
        }
        let req = self
            .http
            .get(format!("{}/v1/admin/submissions{query}", self.base))
            .bearer_auth(&self.token);
        Self::answer(req.send().map_err(network)?)
    }

    /// Every submission, optionally of one form, page after page (oldest first).
    pub fn list(&self, form_id: Option<&str>) -> Result<SubmissionList> {
        let mut all = self.list_page(form_id, "", None)?;
        let mut more = all.has_more;
        while more {
            let page = self.list_page(form_id, &all.next_cursor, None)?;
            // An empty page that claims more would loop forever: stop there.
            more = page.has_more && !page.submissions.is_empty();
            all.submissions.extend(page.submissions);
            all.next_cursor = page.next_cursor;
        }
        all.has_more = false;
        Ok(all)
    }
}

/// Percent-encodes a path segment (ids are UUIDs, but never trust that).
fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_refused_except_to_loopback() {
        for bad in [
            "http://example.org",
            "http://10.0.0.5:8080",
            "http://[::2]/",
        ] {
            let err = OfficerClient::new(bad, "t").unwrap_err();
            assert_eq!(err.code(), "officer.insecure_url", "{bad}");
        }
        let err = OfficerClient::new("ftp://127.0.0.1", "t").unwrap_err();
        assert_eq!(err.code(), "officer.invalid_url");
        for ok in [
            "https://api.example.org",
            "http://127.0.0.1:8080",
            "http://localhost:1/",
            "http://[::1]:9",
        ] {
            assert!(OfficerClient::new(ok, "t").is_ok(), "{ok}");
        }
    }

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(path_segment("abc-123"), "abc-123");
        assert_eq!(path_segment("a/b c"), "a%2Fb%20c");
    }
}
