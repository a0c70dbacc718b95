//! Helpers shared by the server's integration tests (each test file is its own crate
//! and includes this module).

#[allow(dead_code)] // each test crate uses a part of it
pub mod backend;
#[allow(dead_code)] // not every test crate starts the binary
pub mod process;
#[allow(dead_code)] // not every test crate uploads documents
pub mod uploads;

use rantau_core::protocol::wire::EnrollResponse;
use rantau_server::RunningServer;
use serde_json::json;

/// A reqwest client with rustls's ring provider installed (once per process).
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// Enrolls `device` and returns the server's answer; the enrollment must succeed.
pub async fn enroll(
    c: &reqwest::Client,
    s: &(impl uploads::Base + ?Sized),
    device: &str,
) -> EnrollResponse {
    let r = c
        .post(format!("{}/v1/devices", s.base()))
        .json(&json!({"device_id": device, "label": "test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Enrolls `device` again with the secret its first enrollment returned; the
/// enrollment must succeed.
#[allow(dead_code)] // not every test crate enrolls twice
pub async fn enroll_again(
    c: &reqwest::Client,
    s: &RunningServer,
    device: &str,
    first: &EnrollResponse,
) -> EnrollResponse {
    let r = c
        .post(format!("{}/v1/devices", s.base_url()))
        .json(&json!({"device_id": device, "label": "test", "device_secret": first.device_secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}
