//! The officer's client for the admin endpoints (used by
//! `rantau-server officer pay|reply|reject|contribution|list` and by tests):
//! a blocking HTTP client; call it from synchronous code only.

use rantau_core::protocol::wire::{ErrorBody, Event};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use crate::admin::{
    ContributionRequest, PaymentRequest, RejectRequest, ReplyRequest, SubmissionList,
};
use crate::error::{Error, Result};

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
    /// A client for `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: &str, token: &str) -> Result<OfficerClient> {
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

    /// Lists submissions, optionally of one form.
    pub fn list(&self, form_id: Option<&str>) -> Result<SubmissionList> {
        let query = form_id
            .map(|f| format!("?form_id={}", path_segment(f)))
            .unwrap_or_default();
        let req = self
            .http
            .get(format!("{}/v1/admin/submissions{query}", self.base))
            .bearer_auth(&self.token);
        Self::answer(req.send().map_err(network)?)
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
    fn path_segments_are_escaped() {
        assert_eq!(path_segment("abc-123"), "abc-123");
        assert_eq!(path_segment("a/b c"), "a%2Fb%20c");
    }
}
