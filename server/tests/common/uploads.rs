//! A device's side of the attachment protocol over HTTP, for any server a test
//! reaches by URL (one in the test's process, or a `rantau-server` process).

use rantau_core::protocol::wire::{AttachmentStatus, ErrorBody};
use rantau_server::RunningServer;
use sha2::{Digest, Sha256};

use super::backend::TestServer;

/// A server a test talks to: its base URL.
pub trait Base {
    /// `http://127.0.0.1:PORT`.
    fn base(&self) -> String;
}

impl Base for RunningServer {
    fn base(&self) -> String {
        self.base_url()
    }
}

impl Base for TestServer {
    fn base(&self) -> String {
        self.base_url()
    }
}

impl Base for str {
    fn base(&self) -> String {
        self.to_string()
    }
}

impl Base for String {
    fn base(&self) -> String {
        self.clone()
    }
}

/// The lowercase hex SHA-256 of `data`: a document's (or chunk's) id.
pub fn hex_sha(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A document of `len` bytes that looks like a PDF (the server checks the type).
pub fn file(len: usize) -> Vec<u8> {
    let mut v: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
    v[..5].copy_from_slice(b"%PDF-");
    v
}

/// PUTs chunk `idx` (`body`) of `file`; the answer's status and error code
/// (empty for 204).
pub async fn put(
    c: &reqwest::Client,
    s: &(impl Base + ?Sized),
    token: &str,
    file: &[u8],
    idx: usize,
    body: &[u8],
) -> (u16, String) {
    let r = c
        .put(format!(
            "{}/v1/attachments/{}/chunks/{idx}",
            s.base(),
            hex_sha(file)
        ))
        .bearer_auth(token)
        .header("x-chunk-sha256", hex_sha(body))
        .header("x-attachment-size", file.len().to_string())
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let code = if status == 204 {
        String::new()
    } else {
        r.json::<ErrorBody>().await.unwrap().code
    };
    (status, code)
}

/// POSTs `complete` for document `sha`.
pub async fn post_complete(
    c: &reqwest::Client,
    s: &(impl Base + ?Sized),
    token: &str,
    sha: &str,
) -> reqwest::Response {
    c.post(format!("{}/v1/attachments/{sha}/complete", s.base()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// What the server holds of document `sha` (the upload must be known to it).
#[allow(dead_code)] // not every test crate asks
pub async fn status(
    c: &reqwest::Client,
    s: &(impl Base + ?Sized),
    token: &str,
    sha: &str,
) -> AttachmentStatus {
    let r = c
        .get(format!("{}/v1/attachments/{sha}", s.base()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "status of {sha}");
    r.json().await.unwrap()
}

/// PUTs `chunks` as one run from chunk `first` of the file `sha` of `size` bytes
/// (`x-chunk-count`, each chunk's hash); the answer's status and its body: the
/// attachment's status, or the error code.
#[allow(dead_code)] // not every test crate uploads runs
pub async fn put_run(
    c: &reqwest::Client,
    s: &(impl Base + ?Sized),
    token: &str,
    (sha, size): (&str, usize),
    first: usize,
    chunks: &[&[u8]],
) -> (u16, Result<AttachmentStatus, String>) {
    let hashes: Vec<String> = chunks.iter().map(|c| hex_sha(c)).collect();
    let r = c
        .put(format!("{}/v1/attachments/{sha}/chunks/{first}", s.base()))
        .bearer_auth(token)
        .header("x-chunk-count", chunks.len().to_string())
        .header("x-chunk-sha256", hashes.join(","))
        .header("x-attachment-size", size.to_string())
        .header("content-type", "application/octet-stream")
        .body(chunks.concat())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    if status == 200 {
        (status, Ok(r.json().await.unwrap()))
    } else {
        (status, Err(r.json::<ErrorBody>().await.unwrap().code))
    }
}

/// What the server holds of each of `ids`, in one `POST /v1/attachments/status`.
#[allow(dead_code)] // not every test crate asks
pub async fn statuses(
    c: &reqwest::Client,
    s: &(impl Base + ?Sized),
    token: &str,
    ids: &[String],
) -> (u16, serde_json::Value) {
    let r = c
        .post(format!("{}/v1/attachments/status", s.base()))
        .bearer_auth(token)
        .json(&serde_json::json!({ "ids": ids }))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}
