//! Ingest throughput: batches of 50 submissions through HTTP on loopback into an
//! in-memory server; criterion reports elements (submissions) per second.
//! Run: `cargo bench -p rantau-server --bench ingest`.

use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rantau_server::{spawn_blocking, ServerConfig};
use serde_json::{json, Value};

const BATCH: u64 = 50;

/// Valid answers (the core's samples), so each item runs the full validation.
fn payload(form: &str) -> Value {
    use rantau_core::forms::samples::{sample_consultation, sample_registration};
    match form {
        "pmi-registration" => Value::Object(sample_registration()),
        _ => Value::Object(sample_consultation()),
    }
}

fn ingest(c: &mut Criterion) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = match spawn_blocking(ServerConfig::ephemeral("bench")) {
        Ok(s) => s,
        Err(e) => panic!("server did not start: {e}"),
    };
    let base = server.base_url();
    let http = reqwest::blocking::Client::new();
    let enrolled: Value = http
        .post(format!("{base}/v1/devices"))
        .json(&json!({"device_id": "bench-device"}))
        .send()
        .and_then(|r| r.json())
        .unwrap_or_else(|e| panic!("enroll failed: {e}"));
    let token = enrolled["token"].as_str().unwrap_or_default().to_string();
    let counter = AtomicU64::new(0);

    let mut group = c.benchmark_group("ingest");
    group.throughput(Throughput::Elements(BATCH));
    group.sample_size(30);
    for form in ["consultation", "pmi-registration"] {
        let body_of = |start: u64| {
            let items: Vec<Value> = (start..start + BATCH)
                .map(|n| json!({"id": format!("bench-{n}"), "form_id": form, "form_version": 1,
                    "created_at": "2026-01-01T00:00:00Z", "payload": payload(form)}))
                .collect();
            serde_json::to_vec(&json!({"items": items})).unwrap_or_default()
        };
        group.bench_function(format!("batch50_{form}"), |b| {
            b.iter(|| {
                let start = counter.fetch_add(BATCH, Ordering::Relaxed);
                let resp = http
                    .post(format!("{base}/v1/submissions/batch"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body_of(start))
                    .send()
                    .unwrap_or_else(|e| panic!("batch failed: {e}"));
                assert!(resp.status().is_success());
                let text = resp.text().unwrap_or_default();
                // Every item must have been accepted, or the number means nothing.
                assert_eq!(text.matches("\"accepted\"").count(), BATCH as usize, "{text}");
                text.len()
            })
        });
    }
    group.finish();
    server.stop();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
