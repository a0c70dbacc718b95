//! Ingest under load, in one run: registrations (full re-validation) in batches
//! of 50 over HTTP on loopback, from many phones at once, into `rantau-server`
//! processes on a SQLite file, on PostgreSQL with one replica and with two.
//! Prints registrations per second and the p50/p99 latency of a batch.
//!
//! `cargo bench -p rantau-server --bench ingest_load` (the PostgreSQL rows need
//! `RANTAU_TEST_POSTGRES`: a cluster whose user may create databases, e.g. from
//! `scripts/pg.sh start DIR`). Without `--bench` (the gate's test mode) each
//! configuration sends two batches, to prove the benchmark runs.
//!
//! Each simulated phone sends from an address of its own (127.0.0.N), as phones
//! do: the server's per-address limit is not what is measured.
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[allow(dead_code)] // the tests' helper; not all of it is used here
#[path = "../tests/common/process.rs"]
mod process;
use process::ServerProcess;

const BATCH: usize = 50;
const ADMIN: &str = "ingest-load-bench-admin-token-0123456789";

/// How hard and how long.
struct Load {
    phones: usize,
    warm_up: Duration,
    measure: Duration,
    /// Test mode: this many batches per configuration, then stop.
    only_batches: Option<usize>,
}

/// Starts `rantau-server serve` with `args`; it answers once it has printed
/// its address.
fn replica(args: &[&str]) -> ServerProcess {
    let mut command = process::serve();
    command
        .args(args)
        .env("RANTAU_ADMIN_TOKEN", ADMIN)
        .stderr(Stdio::null());
    ServerProcess::start(command, None)
}

/// A fresh database in the cluster at `admin_url`: its name and URL.
async fn fresh_postgres(admin_url: &str) -> (String, String) {
    let name = format!("rantau_bench_{}", uuid::Uuid::new_v4().simple());
    let url = rantau_server::storage::create_database(admin_url, &name)
        .await
        .unwrap();
    (name, url)
}

/// A registration of a person not registered yet (a NIK is registered once per
/// placement: the same person again would be refused, and cheaper).
fn registration(id: &str) -> Value {
    static PEOPLE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = PEOPLE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut answers = rantau_core::forms::samples::sample_registration_of(n);
    answers.insert("departure_date".into(), json!("2025-07-05"));
    json!({"id": id, "form_id": "pmi-registration", "form_version": 1,
           "created_at": "2026-01-01T00:00:00Z", "payload": answers})
}

/// One phone: enrolls, then sends batches until told to stop; returns the
/// latency of each batch sent after the warm-up and how many it sent then.
async fn phone(n: usize, base: String, load_start: Instant, load: &'static Load) -> Vec<Duration> {
    let local = IpAddr::V4(Ipv4Addr::new(
        127,
        0,
        1 + (n / 250) as u8,
        1 + (n % 250) as u8,
    ));
    let c = reqwest::Client::builder()
        .local_address(local)
        .build()
        .unwrap();
    let enrolled: Value = c
        .post(format!("{base}/v1/devices"))
        .json(&json!({"device_id": format!("phone-{n}-{}", uuid::Uuid::new_v4().simple())}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = enrolled["token"].as_str().unwrap().to_string();
    let mut latencies = Vec::new();
    for k in 0.. {
        if load.only_batches.is_some_and(|b| k >= b) {
            break;
        }
        let elapsed = load_start.elapsed();
        if load.only_batches.is_none() && elapsed >= load.warm_up + load.measure {
            break;
        }
        let items: Vec<Value> = (0..BATCH)
            .map(|i| registration(&format!("p{n}-{k}-{i}-{}", uuid::Uuid::new_v4().simple())))
            .collect();
        let body = serde_json::to_vec(&json!({ "items": items })).unwrap();
        let t0 = Instant::now();
        let resp = c
            .post(format!("{base}/v1/submissions/batch"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let took = t0.elapsed();
        assert!(status.is_success(), "{status}: {text}");
        // Every item accepted, or the number means nothing.
        assert_eq!(text.matches("\"accepted\"").count(), BATCH, "{text}");
        if load.only_batches.is_some() || elapsed >= load.warm_up {
            latencies.push(took);
        }
    }
    latencies
}

/// Runs the load against `bases` (phones spread over them in turn) and prints a row.
async fn run(name: &str, bases: &[String], load: &'static Load) {
    let start = Instant::now();
    let phones: Vec<_> = (0..load.phones)
        .map(|n| tokio::spawn(phone(n, bases[n % bases.len()].clone(), start, load)))
        .collect();
    let mut all = Vec::new();
    for p in phones {
        all.extend(p.await.unwrap());
    }
    all.sort();
    let pct = |p: usize| all[(all.len() * p / 100).min(all.len() - 1)].as_secs_f64() * 1e3;
    let seconds = if load.only_batches.is_some() {
        start.elapsed().as_secs_f64()
    } else {
        load.measure.as_secs_f64()
    };
    println!(
        "{name:<28} {:>8.0} registrations/s  batch p50 {:>7.1} ms  p99 {:>7.1} ms  ({} batches)",
        (all.len() * BATCH) as f64 / seconds,
        pct(50),
        pct(99),
        all.len()
    );
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let load: &'static Load = Box::leak(Box::new(if full {
        Load {
            phones: 16,
            warm_up: Duration::from_secs(2),
            measure: Duration::from_secs(10),
            only_batches: None,
        }
    } else {
        Load {
            phones: 1,
            warm_up: Duration::ZERO,
            measure: Duration::ZERO,
            only_batches: Some(2),
        }
    }));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        println!(
            "ingest_load: {} phones, batches of {BATCH} registrations",
            load.phones
        );
        let dir = tempfile::tempdir().unwrap();
        {
            let db = dir.path().join("ingest.db");
            let r = replica(&["--db", path(&db)]);
            run("SQLite file", std::slice::from_ref(&r.url), load).await;
        }
        let Ok(admin_url) = std::env::var("RANTAU_TEST_POSTGRES") else {
            println!("PostgreSQL rows skipped: RANTAU_TEST_POSTGRES is not set");
            return;
        };
        for replicas in [1, 2] {
            let (name, url) = fresh_postgres(&admin_url).await;
            let files = dir.path().join(format!("files-{replicas}"));
            let mut started = Vec::new();
            for _ in 0..replicas {
                started.push(replica(&["--database", &url, "--files", path(&files)]));
            }
            let bases: Vec<String> = started.iter().map(|r| r.url.clone()).collect();
            run(&format!("PostgreSQL, {replicas} replica(s)"), &bases, load).await;
            drop(started);
            // Dropped when done: runs repeated on one cluster filled its disk.
            rantau_server::storage::drop_database(&admin_url, &name)
                .await
                .unwrap();
        }
    });
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}
