//! The request log: one structured line per request with method, route,
//! status, latency and participant, and never a payload value or a token.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use rantau_core::protocol::wire::EnrollResponse;
use rantau_server::ServerConfig;
use serde_json::{json, Value};

#[allow(dead_code)] // only the backend helper is used here
mod common;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

// current_thread runtime: the server's tasks run on this thread, under this subscriber.
#[tokio::test(flavor = "current_thread")]
async fn request_log_has_route_status_and_participant_but_no_personal_data() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = common::backend::server(ServerConfig::ephemeral("log-admin")).await;
    let c = reqwest::Client::new();
    let dev: EnrollResponse = c
        .post(format!("{}/v1/devices", server.base_url()))
        .json(&json!({"device_id": "log-device"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let registration = Value::Object(rantau_core::forms::samples::sample_registration());
    let nik = registration["nik"].as_str().unwrap().to_string();
    let name = registration["full_name"].as_str().unwrap().to_string();
    let body = json!({"items": [{"id": "log-1", "form_id": "pmi-registration", "form_version": 1,
        "created_at": "2026-01-01T00:00:00Z", "payload": registration}]});
    let r = c
        .post(format!("{}/v1/submissions/batch", server.base_url()))
        .bearer_auth(&dev.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // A body that fails to parse must not be echoed either.
    let bad =
        format!(r#"{{"items":[{{"id":"x","form_id":"consultation","form_version":"{nik}"}}]}}"#);
    let r = c
        .post(format!("{}/v1/submissions/batch", server.base_url()))
        .bearer_auth(&dev.token)
        .body(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    server.shutdown().await.unwrap();

    let text = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("/v1/submissions/batch") && l.contains("status=200"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("method=POST"), "{line}");
    assert!(
        line.contains(&format!("participant={}", dev.participant_id)),
        "{line}"
    );
    assert!(line.contains("latency_us="), "{line}");
    assert!(text.contains("status=422"), "{text}");
    assert!(!text.contains(&nik), "NIK leaked into the log");
    assert!(!text.contains(&name), "name leaked into the log");
    assert!(!text.contains(&dev.token), "token leaked into the log");
}
