//! Sync benchmark: N finalized registrations pushed to the reference server on
//! loopback through the counting proxy, batched (50 per request, gzip) versus one
//! request per submission, then both again with 150 ms latency each way.
//! Run: `cargo bench -p rantau-tests`. Prints one line per scenario.

// A benchmark report is its output.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use rantau_core::sync::{self, NoObserver, SyncConfig};
use rantau_server::DbLocation;
use rantau_tests::data::{client_store, finalize_registrations, states};
use rantau_tests::proxy::Proxy;
use rantau_tests::server::{counts, start};

struct Outcome {
    push_requests: usize,
    push_bytes_up: u64,
    push_bytes_down: u64,
    push_body_up: u64,
    pull_bytes_down: u64,
    total_requests: usize,
    total_time: Duration,
}

async fn scenario(n: usize, batch_items: usize, latency: Duration) -> Outcome {
    let server = start(DbLocation::Memory).await;
    let proxy = Proxy::start(server.addr).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let mut cfg = SyncConfig::new(&proxy.url()).unwrap();
    cfg.batch_max_items = batch_items;
    // Enroll first, so the measured run is push + pull only.
    sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    let ids = finalize_registrations(&store, n);
    proxy.set_latency(latency);
    proxy.reset_counts();

    let started = Instant::now();
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    let total_time = started.elapsed();
    let c = proxy.counts();

    assert_eq!(report.accepted, n, "all accepted");
    assert_eq!(states(&store).get("accepted"), Some(&n));
    let on_server = counts(server.addr).await;
    assert!(
        ids.iter().all(|id| on_server.get(id) == Some(&1)),
        "exactly once"
    );
    Outcome {
        push_requests: c.batch_requests,
        push_bytes_up: c.batch_bytes_up,
        push_bytes_down: c.batch_bytes_down,
        push_body_up: report.bytes_up,
        pull_bytes_down: c.bytes_down - c.batch_bytes_down,
        total_requests: c.requests,
        total_time,
    }
}

fn line(name: &str, n: usize, o: &Outcome) {
    println!(
        "{name:<38} n={n:<5} push_requests={:<5} up/reg={:>5.0} B (bodies {:>5.0} B) down/reg={:>5.0} B pull_down/reg={:>5.0} B  sync(push+pull)={:>8.1} ms  requests(push+pull)={}",
        o.push_requests,
        o.push_bytes_up as f64 / n as f64,
        o.push_body_up as f64 / n as f64,
        o.push_bytes_down as f64 / n as f64,
        o.pull_bytes_down as f64 / n as f64,
        o.total_time.as_secs_f64() * 1000.0,
        o.total_requests,
    );
}

fn main() {
    // `cargo bench` passes --bench; anything else (`cargo test --benches` in the gate)
    // gets a small, fast version that still checks the scenario's assertions.
    let quick =
        !std::env::args().any(|a| a == "--bench") || std::env::var("RANTAU_BENCH_QUICK").is_ok();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (n, n_slow) = if quick { (100, 10) } else { (1000, 50) };
    rt.block_on(async {
        let batched = scenario(n, 50, Duration::ZERO).await;
        assert!(
            batched.push_requests <= n.div_ceil(50) + 1,
            "push requests {}",
            batched.push_requests
        );
        line("batched (50/request, gzip)", n, &batched);
        let single = scenario(n, 1, Duration::ZERO).await;
        line("one request per submission", n, &single);
        let batched = scenario(n_slow, 50, Duration::from_millis(150)).await;
        line("batched, +150 ms each way", n_slow, &batched);
        let single = scenario(n_slow, 1, Duration::from_millis(150)).await;
        line("one per submission, +150 ms each way", n_slow, &single);
    });
}
