//! Ingest throughput: batches of 50 submissions through HTTP on loopback into an
//! in-memory server; criterion reports elements (submissions) per second.
//! Run: `cargo bench -p rantau-server --bench ingest`.

use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rantau_server::{spawn_blocking, ServerConfig};
use serde_json::{json, Value};

const BATCH: u64 = 50;

/// Valid answers (the core's samples), so each item runs the full validation;
/// registration `n` is of person `n` (a NIK is registered once per placement).
fn payload(form: &str, n: u64) -> Value {
    use rantau_core::forms::samples::{sample_consultation, sample_registration_of};
    match form {
        "pmi-registration" => Value::Object(sample_registration_of(n as u32)),
        _ => Value::Object(sample_consultation()),
    }
}

fn ingest(c: &mut Criterion) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // One device sends every batch: the per-device and per-address rate limits
    // (which would answer 429 after the first bursts) are lifted, the rest stays.
    let lavish = rantau_server::limits::Rate {
        burst: u32::MAX,
        per_second: 1e9,
    };
    let config = ServerConfig {
        limits: rantau_server::limits::Limits {
            device: lavish,
            address: lavish,
            ..rantau_server::limits::Limits::default()
        },
        ..ServerConfig::ephemeral("bench")
    };
    let server = match spawn_blocking(config) {
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
                .map(|n| {
                    json!({"id": format!("bench-{n}"), "form_id": form, "form_version": 1,
                    "created_at": "2026-01-01T00:00:00Z", "payload": payload(form, n)})
                })
                .collect();
            serde_json::to_vec(&json!({"items": items})).unwrap_or_default()
        };
        group.bench_function(format!("batch50_{form}"), |b| {
            // The request body is built outside the timing: the server's work is measured.
            b.iter_batched(
                || body_of(counter.fetch_add(BATCH, Ordering::Relaxed)),
                |body| {
                    let resp = http
                        .post(format!("{base}/v1/submissions/batch"))
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .unwrap_or_else(|e| panic!("batch failed: {e}"));
                    assert!(resp.status().is_success());
                    let text = resp.text().unwrap_or_default();
                    // Every item must have been accepted, or the number means nothing.
                    assert_eq!(
                        text.matches("\"accepted\"").count(),
                        BATCH as usize,
                        "{text}"
                    );
                    text.len()
                },
                BatchSize::SmallInput,
            )
        });
    }
    // The same work without HTTP and SQLite: validation and decision only.
    let clock = rantau_server::decisions::ingest::Clock::now(rantau_core::Lang::Id);
    for form in ["consultation", "pmi-registration"] {
        let items: Vec<rantau_core::protocol::wire::SubmissionItem> = (0..BATCH)
            .map(|n| rantau_core::protocol::wire::SubmissionItem {
                id: format!("p-{n}"),
                form_id: form.into(),
                form_version: 1,
                created_at: "2026-01-01T00:00:00Z".into(),
                payload: payload(form, n),
            })
            .collect();
        group.bench_function(format!("prepare50_{form}"), |b| {
            b.iter(|| rantau_server::decisions::ingest::prepare(&items, &clock).len())
        });
    }
    // Validation plus the storage transaction (SQLite in memory), without HTTP.
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(rt) => rt,
        Err(e) => panic!("runtime: {e}"),
    };
    let storage =
        match rantau_server::storage::Storage::open(&rantau_server::DbLocation::Memory, None) {
            Ok(s) => s,
            Err(e) => panic!("storage: {e}"),
        };
    let enrolled = runtime.block_on(storage.enroll(rantau_server::storage::EnrollAttempt {
        device_id: "d".into(),
        label: String::new(),
        presented_secret: None,
        presented_token: None,
        new_participant: "p".into(),
        new_secret_hash: [1; 32],
        token_hash: [2; 32],
        now: 0,
    }));
    assert!(enrolled.is_ok());
    for form in ["consultation", "pmi-registration"] {
        group.bench_function(format!("db50_{form}"), |b| {
            b.iter(|| {
                let start = counter.fetch_add(BATCH, Ordering::Relaxed);
                let items: Vec<rantau_core::protocol::wire::SubmissionItem> = (start
                    ..start + BATCH)
                    .map(|n| rantau_core::protocol::wire::SubmissionItem {
                        id: format!("db-{n}"),
                        form_id: form.into(),
                        form_version: 1,
                        created_at: "2026-01-01T00:00:00Z".into(),
                        payload: payload(form, n),
                    })
                    .collect();
                let prepared = rantau_server::decisions::ingest::prepare(&items, &clock);
                let out = runtime.block_on(storage.store_batch(
                    "p".into(),
                    items,
                    prepared,
                    clock.clone(),
                ));
                out.map(|r| r.len()).unwrap_or(0)
            })
        });
    }
    group.finish();
    server.stop();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
