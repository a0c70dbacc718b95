//! Soak: many devices at once against a real server on loopback with a file
//! database and the default limits. Half sync through the core's engine (two runs of
//! the same phone at once for some, answers "lost" and resent for all); half speak raw
//! HTTP, sending each batch from two tasks at once, resending at random and racing two
//! uploads of the same file. At the end every submission is on the server exactly once
//! with the reference its device got, and nothing answered 5xx.
//! CI size by default (24 devices × 25); `SOAK_DEVICES`, `SOAK_SUBMISSIONS`, `SOAK_SEED`;
//! `SOAK_TIGHT=1` runs it under tight limits (429s expected, still exactly once).
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rantau_core::protocol::wire::{AttachmentStatus, BatchResponse, ItemOutcome};
use rantau_core::store::outbox::{self, insert_submission, OutboxState, SubmissionRow};
use rantau_core::store::{Key, OpenMode, Store};
use rantau_core::sync::{sync, NoObserver, SyncConfig};
use rantau_server::officer::SubmissionList;
use rantau_server::{spawn_blocking, Limits, Rate, ServerConfig};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const ADMIN: &str = "soak-admin";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Item `i`: registrations of person `person` (a NIK is registered once per
/// placement, so every registration names a person of its own), and consultations.
fn payload(i: usize, person: usize) -> (&'static str, Value) {
    if i % 3 == 0 {
        let mut a = rantau_core::forms::samples::sample_registration_of(person as u32);
        a.insert("departure_date".into(), json!("2025-07-05"));
        ("pmi-registration", Value::Object(a))
    } else {
        let mut a = rantau_core::forms::samples::sample_consultation();
        a.insert("subject".into(), json!(format!("Pertanyaan {i}")));
        ("consultation", Value::Object(a))
    }
}

/// References per submission id, as the devices saw them.
type Seen = Arc<Mutex<HashMap<String, String>>>;

fn record(seen: &Seen, id: &str, reference: &str) {
    let mut g = seen.lock().unwrap();
    if let Some(prev) = g.get(id) {
        assert_eq!(prev, reference, "{id} answered with two references");
    } else {
        g.insert(id.to_string(), reference.to_string());
    }
}

// ---- devices on the core's sync engine ----

fn core_device(base: &str, dev: usize, n: usize, seed: u64, tight: bool, seen: &Seen) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("c.db"), &Key::generate(), OpenMode::Create).unwrap();
    let mut rng = StdRng::seed_from_u64(seed ^ dev as u64);
    let rows: Vec<SubmissionRow> = (0..n)
        .map(|i| {
            let (form, payload) = payload(i, dev * n + i);
            SubmissionRow {
                id: format!("core-{dev}-{i}"),
                form_id: form.into(),
                form_version: 1,
                created_at: 1_790_000_000_000 + i as i64,
                payload,
                state: OutboxState::Queued,
                attempts: 0,
                next_attempt_at: None,
                reference: None,
                issues: Vec::new(),
                last_error: None,
                depends_on: None,
                updated_at: 0,
                left_at: None,
            }
        })
        .collect();
    store
        .write(|tx| rows.iter().try_for_each(|r| insert_submission(tx, r)))
        .unwrap();
    let mut config = SyncConfig::new(base).unwrap();
    config.batch_max_items = rng.random_range(3..=12);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let twin = dev % 3 == 0;
    let mut runs = 0;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        // Some phones start a second run while one is going (a retry from the UI).
        let results = rt.block_on(async {
            if twin {
                let (a, b) = tokio::join!(
                    sync(&store, &config, &NoObserver),
                    sync(&store, &config, &NoObserver)
                );
                vec![a, b]
            } else {
                vec![sync(&store, &config, &NoObserver).await]
            }
        });
        for r in results {
            match r {
                Ok(_) => {}
                // Enrollment refused for now (tight limits): the app tries again later.
                Err(rantau_core::Error::Server {
                    status: 429 | 408, ..
                }) => std::thread::sleep(Duration::from_secs(1)),
                Err(e) => panic!("device {dev}: {e}"),
            }
        }
        runs += 1;
        let list = store.read(outbox::list_submissions).unwrap();
        let accepted: Vec<&SubmissionRow> = list
            .iter()
            .filter(|r| r.state == OutboxState::Accepted)
            .collect();
        if accepted.len() == n {
            for r in &accepted {
                record(seen, &r.id, r.reference.as_deref().unwrap());
            }
            // The answers of a few are "lost" (the run was killed): queued again,
            // they must come back as duplicates with the same reference.
            if runs == 1 || (runs < 4 && rng.random_bool(0.5)) {
                let ids: Vec<String> = accepted
                    .choose_multiple(&mut rng, n / 4 + 1)
                    .map(|r| r.id.clone())
                    .collect();
                store
                    .write(|tx| {
                        for id in &ids {
                            tx.execute(
                                "UPDATE submissions SET state = 'queued', next_attempt_at = NULL WHERE id = ?1",
                                [id],
                            )?;
                        }
                        Ok(())
                    })
                    .unwrap();
                continue;
            }
            return runs;
        }
        assert!(
            list.iter().all(|r| matches!(
                r.state,
                OutboxState::Queued
                    | OutboxState::Sending
                    | OutboxState::Waiting
                    | OutboxState::Accepted
            )),
            "device {dev}: {:?}",
            list.iter()
                .map(|r| (r.state, r.last_error.clone()))
                .collect::<Vec<_>>()
        );
        assert!(Instant::now() < deadline, "device {dev} never finished");
        // Do not wait out the backoff; under tight limits wait out the server's
        // Retry-After (1 s) at least, as the app's schedule would.
        if tight {
            std::thread::sleep(Duration::from_secs(1));
        }
        store
            .write(|tx| {
                tx.execute(
                    "UPDATE submissions SET next_attempt_at = 0 WHERE state = 'waiting'",
                    [],
                )?;
                Ok(())
            })
            .unwrap();
    }
}

// ---- raw HTTP devices ----

/// Counters of the raw devices.
#[derive(Default, Debug)]
struct Raw {
    requests: usize,
    limited: usize,
}

/// Sends until an answer that is not 429/408 (honouring Retry-After); 5xx fails the test.
async fn send(raw: &Mutex<Raw>, make: impl Fn() -> reqwest::RequestBuilder) -> (u16, Vec<u8>) {
    for _ in 0..100 {
        raw.lock().unwrap().requests += 1;
        let r = make().send().await.unwrap();
        let status = r.status().as_u16();
        if status == 429 || status == 408 {
            raw.lock().unwrap().limited += 1;
            let wait: u64 = r
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(1);
            tokio::time::sleep(Duration::from_secs(wait)).await;
            continue;
        }
        let body = r.bytes().await.unwrap().to_vec();
        assert!(status < 500, "{status}: {}", String::from_utf8_lossy(&body));
        return (status, body);
    }
    panic!("limited 100 times in a row");
}

fn hex_sha(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

#[allow(clippy::too_many_arguments)]
async fn raw_device(
    c: reqwest::Client,
    base: String,
    dev: usize,
    n: usize,
    seed: u64,
    seen: Seen,
    raw: Arc<Mutex<Raw>>,
) {
    let mut rng = StdRng::seed_from_u64(seed ^ ((dev as u64) << 8));
    let (_, body) = send(&raw, || {
        c.post(format!("{base}/v1/devices"))
            .json(&json!({"device_id": format!("raw-{dev}")}))
    })
    .await;
    let token = serde_json::from_slice::<Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    // Batches of 1–8 items; each sent by two tasks at once, and some again later.
    let items: Vec<Value> = (0..n)
        .map(|i| {
            // The raw devices' people come after every core device's.
            let (form, payload) = payload(i, 500_000 + dev * n + i);
            json!({"id": format!("raw-{dev}-{i}"), "form_id": form, "form_version": 1,
                   "created_at": "2026-01-01T00:00:00Z", "payload": payload})
        })
        .collect();
    let mut batches: Vec<Vec<Value>> = Vec::new();
    let mut rest = &items[..];
    while !rest.is_empty() {
        let k = rng.random_range(1..=8).min(rest.len());
        batches.push(rest[..k].to_vec());
        rest = &rest[k..];
    }
    let mut resend: Vec<Vec<Value>> = batches
        .iter()
        .filter(|_| rng.random_bool(0.3))
        .cloned()
        .collect();
    resend.shuffle(&mut rng);
    let post = |batch: Vec<Value>| {
        let (c, base, token, seen, raw) = (
            c.clone(),
            base.clone(),
            token.clone(),
            seen.clone(),
            raw.clone(),
        );
        async move {
            let body = json!({"items": batch});
            let (status, answer) = send(&raw, || {
                c.post(format!("{base}/v1/submissions/batch"))
                    .bearer_auth(&token)
                    .json(&body)
            })
            .await;
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
            let answer: BatchResponse = serde_json::from_slice(&answer).unwrap();
            for r in answer.results {
                match r.outcome {
                    ItemOutcome::Accepted { reference } | ItemOutcome::Duplicate { reference } => {
                        record(&seen, &r.id, &reference)
                    }
                    other => panic!("{}: {other:?}", r.id),
                }
            }
        }
    };
    for batch in batches {
        let (a, b) = (tokio::spawn(post(batch.clone())), tokio::spawn(post(batch)));
        a.await.unwrap();
        b.await.unwrap();
    }
    for batch in resend {
        post(batch).await;
    }
    // The same file uploaded by two tasks at once, chunks in different orders.
    let file: Vec<u8> = (0..rng.random_range(20_000..120_000u32))
        .map(|i| (i as u8).wrapping_mul(dev as u8 | 1))
        .collect();
    let file = Arc::new(file);
    let upload = |order_seed: u64| {
        let (c, base, token, raw, file) = (
            c.clone(),
            base.clone(),
            token.clone(),
            raw.clone(),
            file.clone(),
        );
        async move {
            let id = hex_sha(&file);
            let mut order: Vec<usize> = (0..file.len().div_ceil(16 * 1024)).collect();
            order.shuffle(&mut StdRng::seed_from_u64(order_seed));
            for idx in order {
                let chunk = file[idx * 16 * 1024..((idx + 1) * 16 * 1024).min(file.len())].to_vec();
                let (status, body) = send(&raw, || {
                    c.put(format!("{base}/v1/attachments/{id}/chunks/{idx}"))
                        .bearer_auth(&token)
                        .header("content-type", "application/octet-stream")
                        .header("x-chunk-sha256", hex_sha(&chunk))
                        .header("x-attachment-size", file.len().to_string())
                        .body(chunk.clone())
                })
                .await;
                assert_eq!(status, 204, "{}", String::from_utf8_lossy(&body));
            }
            // The other task may still be sending: incomplete is an honest answer then.
            loop {
                let (status, body) = send(&raw, || {
                    c.post(format!("{base}/v1/attachments/{id}/complete"))
                        .bearer_auth(&token)
                })
                .await;
                match status {
                    200 => {
                        let s: AttachmentStatus = serde_json::from_slice(&body).unwrap();
                        assert!(s.complete);
                        return;
                    }
                    409 => tokio::task::yield_now().await,
                    _ => panic!("{status}: {}", String::from_utf8_lossy(&body)),
                }
            }
        }
    };
    let (a, b) = (
        tokio::spawn(upload(rng.random())),
        tokio::spawn(upload(rng.random())),
    );
    a.await.unwrap();
    b.await.unwrap();
}

#[allow(clippy::print_stdout)]
fn print_report(line: &str) {
    println!("{line}");
}

#[test]
fn many_devices_at_once_store_every_submission_exactly_once() {
    let start = Instant::now();
    let devices = env_or("SOAK_DEVICES", 24) as usize;
    let per_device = env_or("SOAK_SUBMISSIONS", 25) as usize;
    let seed = env_or("SOAK_SEED", 0x50A4);
    let tight = env_or("SOAK_TIGHT", 0) == 1;
    let limits = if tight {
        Limits {
            device: Rate {
                burst: 10,
                per_second: 5.0,
            },
            address: Rate {
                burst: 20,
                per_second: 10.0,
            },
            ..Limits::default()
        }
    } else {
        Limits::default()
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    // SQLite by default; PostgreSQL when the gate's second run asks for it.
    let (db, postgres) = rantau_tests::server::file_or_postgres(dir.path());
    let backend = if postgres.is_some() {
        "PostgreSQL"
    } else {
        "a SQLite file"
    };
    let server = spawn_blocking(ServerConfig {
        db,
        limits,
        ..ServerConfig::ephemeral(ADMIN)
    })
    .unwrap();
    let base = server.base_url();
    let seen: Seen = Arc::default();
    let raw = Arc::new(Mutex::new(Raw::default()));
    let core_devices: Vec<usize> = (0..devices).filter(|d| d % 2 == 0).collect();
    let raw_devices: Vec<usize> = (0..devices).filter(|d| d % 2 == 1).collect();
    let core_runs = std::thread::scope(|scope| {
        let runs: Vec<_> = core_devices
            .iter()
            .map(|&d| {
                let (base, seen) = (base.clone(), seen.clone());
                scope.spawn(move || core_device(&base, d, per_device, seed, tight, &seen))
            })
            .collect();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let c = reqwest::Client::new();
            let tasks: Vec<_> = raw_devices
                .iter()
                .map(|&d| {
                    tokio::spawn(raw_device(
                        c.clone(),
                        base.clone(),
                        d,
                        per_device,
                        seed,
                        seen.clone(),
                        raw.clone(),
                    ))
                })
                .collect();
            for t in tasks {
                t.await.unwrap_or_else(|e| panic!("SOAK_SEED={seed}: {e}"));
            }
        });
        runs.into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| panic!("SOAK_SEED={seed}: a core device failed"))
            })
            .sum::<usize>()
    });

    // The server's view, page after page.
    let http = reqwest::blocking::Client::new();
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: SubmissionList = http
            .get(format!("{base}/v1/admin/submissions?cursor={cursor}"))
            .bearer_auth(ADMIN)
            .send()
            .unwrap()
            .json()
            .unwrap();
        all.extend(page.submissions);
        cursor = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    let mut held: BTreeMap<String, (usize, Option<String>)> = BTreeMap::new();
    for s in all {
        let e = held.entry(s.id).or_insert((0, None));
        e.0 += 1;
        e.1 = s.reference;
    }
    let seen = seen.lock().unwrap();
    let expected = devices * per_device;
    let lost = seen.keys().filter(|id| !held.contains_key(*id)).count()
        + expected.saturating_sub(seen.len());
    let doubled = held.values().filter(|(n, _)| *n > 1).count();
    let wrong_ref = seen
        .iter()
        .filter(|(id, r)| held.get(*id).and_then(|h| h.1.as_ref()) != Some(*r))
        .count();
    let stats = server.stats();
    let raw = raw.lock().unwrap();
    print_report(&format!(
        "soak on {backend}: {devices} devices ({} core engine, {core_runs} sync runs; {} raw), {expected} submissions, \
         server held {}, lost {lost}, doubled {doubled}, wrong references {wrong_ref}; \
         {} requests ({} raw), {} × 429, {} × 408, {} × 5xx; {:.1} s (SOAK_SEED={seed})",
        core_devices.len(),
        raw_devices.len(),
        held.len(),
        stats.requests,
        raw.requests,
        stats.rate_limited,
        stats.timed_out,
        stats.server_errors,
        start.elapsed().as_secs_f64()
    ));
    assert_eq!(seen.len(), expected, "SOAK_SEED={seed}");
    assert_eq!(held.len(), expected, "SOAK_SEED={seed}");
    assert_eq!((lost, doubled, wrong_ref), (0, 0, 0), "SOAK_SEED={seed}");
    assert_eq!((stats.server_errors, stats.panics), (0, 0), "{stats:?}");
    if !tight {
        assert_eq!(
            stats.rate_limited, 0,
            "the defaults never limit honest devices"
        );
    }
}
