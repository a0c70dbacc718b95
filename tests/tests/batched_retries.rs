//! End to end on a bad link: retries stay batched (issue 17, item 3). One phone
//! finalizes rounds of 50–120 registrations and syncs them through a proxy that
//! fails 40 % of all requests from a seeded schedule (resets, lost and cut
//! answers, 5xx), syncing again as soon as something is due, as the worker does.
//!
//! When every item of a failed batch drew its own retry time, the syncs after a
//! failure sent whatever single item had just come due: most syncs that sent anything
//! sent 1–5 items. Now a failed batch waits as one and goes out as one, so it counts:
//! the share of sending syncs that sent at most 5 items stays small, and each round
//! is delivered in about ⌈N/50⌉ answered batches (every item is in exactly one answered
//! batch), within ⌈N/50⌉+1 per round on average. And every form on the server once.
//!
//! Seed: `RANTAU_BATCHED_RETRIES_SEED=<n>` (printed at the start and on failure). The
//! fault schedule is fixed by the seed; the core's jitter is not, so the bounds below
//! leave room for it.

// A test file: unwrap and expect are the assertions here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use rantau_core::store::outbox::{list_submissions, retry_submission, OutboxState};
use rantau_core::store::Store;
use rantau_core::sync::{self, Backoff, NoObserver, SyncConfig};
use rantau_server::DbLocation;
use rantau_tests::data::{client_store, finalize_registrations};
use rantau_tests::proxy::{Fault, Proxy, RandomFaults, Rng};
use rantau_tests::server::{counts, start};

/// Rounds of finalize-then-sync-until-delivered.
const ROUNDS: usize = 30;
/// Faults the run must inject at least.
const MIN_FAULTS: usize = 40;
/// Sync runs one round may take before the test fails.
const MAX_RUNS_PER_ROUND: usize = 200;
/// A sync that sent this many items or fewer is a "tiny" one.
const TINY: usize = 5;
/// Most tiny syncs allowed, in percent of the syncs that sent anything. With one
/// backoff draw per item this was well over half.
const MAX_TINY_PERCENT: usize = 20;

/// Probability of each fault per request; the rest (60 %) pass.
fn schedule() -> Vec<(f64, Fault)> {
    let err = |status, retry_after| Fault::ServerError {
        status,
        retry_after,
    };
    vec![
        (0.10, Fault::ResetBeforeBody),
        (0.08, Fault::DropResponse),
        (0.05, Fault::CutResponse),
        (0.06, err(500, None)),
        (0.04, err(502, None)),
        (0.03, err(503, None)),
        (0.01, err(503, Some(1))),
        (0.02, Fault::Unavailable),
        (0.01, Fault::Garbage),
    ]
}

fn config(url: &str) -> SyncConfig {
    // A lab backoff (400 ms doubling to 3.2 s; the phone's is 2 s to 1 h) keeps the
    // run short while a retry window stays much longer than a sync on loopback, as
    // on a phone: per-item draws would spread a batch over many syncs.
    let mut c =
        SyncConfig::with_timeouts(url, Duration::from_secs(2), Duration::from_secs(2)).unwrap();
    c.lang = rantau_core::Lang::En;
    c.backoff = Backoff {
        base: Duration::from_millis(400),
        cap: Duration::from_millis(3200),
    };
    c
}

/// How long until the earliest waiting submission is due (at most 4 s).
fn until_due(store: &Store) -> Duration {
    let now = chrono::Utc::now().timestamp_millis();
    let next = store
        .read(list_submissions)
        .unwrap()
        .iter()
        .filter(|r| r.state == OutboxState::Waiting)
        .filter_map(|r| r.next_attempt_at)
        .min()
        .unwrap_or(now);
    Duration::from_millis((next - now).clamp(0, 4_000) as u64)
}

/// Whether everything in the outbox was accepted.
fn delivered(store: &Store) -> bool {
    store
        .read(list_submissions)
        .unwrap()
        .iter()
        .all(|r| r.state == OutboxState::Accepted)
}

/// The worker's "send again" on what needs help after `MAX_ATTEMPTS` link failures.
fn send_again(store: &Store) -> usize {
    let stuck: Vec<String> = store
        .read(list_submissions)
        .unwrap()
        .into_iter()
        .filter(|r| r.state == OutboxState::NeedsAttention)
        .map(|r| r.id)
        .collect();
    let now = chrono::Utc::now().timestamp_millis();
    for id in &stuck {
        store.write(|tx| retry_submission(tx, id, now)).unwrap();
    }
    stuck.len()
}

/// `POST /v1/submissions/batch` requests the proxy saw: (all, answered with 200).
fn batch_requests(proxy: &Proxy) -> (usize, usize) {
    let batches: Vec<_> = proxy
        .log()
        .into_iter()
        .filter(|l| l.line.starts_with("POST /v1/submissions/batch"))
        .collect();
    let answered = batches.iter().filter(|l| l.status == Some(200)).count();
    (batches.len(), answered)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_batch_is_retried_as_a_batch() {
    let seed: u64 = std::env::var("RANTAU_BATCHED_RETRIES_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_203);
    println!("batched_retries: seed {seed} (set RANTAU_BATCHED_RETRIES_SEED to repeat or vary)");
    let started = Instant::now();
    let server = start(DbLocation::Memory).await;
    let proxy = Proxy::start(server.addr).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let cfg = config(&proxy.url());
    // Enroll on a clean link, then the bad link for the rest.
    sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    proxy.random_faults(Some(RandomFaults::new(seed, schedule())));
    let mut rng = Rng::new(seed ^ 0xBA7C);

    let mut ids = Vec::new();
    let (mut sending_syncs, mut tiny_syncs, mut runs, mut sent_again) = (0, 0, 0, 0);
    let (mut budget, mut answered_total) = (0usize, 0usize);
    for round in 0..ROUNDS {
        let n = rng.range(50, 121) as usize;
        ids.extend(finalize_registrations(&store, n));
        let answered_before = batch_requests(&proxy).1;
        let mut round_runs = 0;
        while !delivered(&store) {
            round_runs += 1;
            assert!(
                round_runs <= MAX_RUNS_PER_ROUND,
                "seed {seed}: round {round} not delivered in {MAX_RUNS_PER_ROUND} runs: {:?}",
                rantau_tests::data::states(&store)
            );
            sent_again += send_again(&store);
            // An error is a failed enrollment or similar: the next run tries again.
            let report = sync::sync(&store, &cfg, &NoObserver).await.ok();
            let sent = report.as_ref().map_or(0, |r| r.sent);
            if sent > 0 {
                sending_syncs += 1;
                tiny_syncs += usize::from(sent <= TINY);
            }
            if report.is_some_and(|r| r.sent == 0 && r.push_error.is_none()) {
                // Only waiting work is left: sync again as soon as some is due.
                tokio::time::sleep(until_due(&store)).await;
            }
        }
        runs += round_runs;
        let answered = batch_requests(&proxy).1 - answered_before;
        println!("batched_retries seed={seed}: round {round}: {n} forms, {answered} answered batches (⌈N/50⌉+1 = {}), {round_runs} syncs, {:.1} s", n.div_ceil(50) + 1, started.elapsed().as_secs_f64());
        budget += n.div_ceil(50) + 1;
        answered_total += answered;
    }

    let (all_batches, _) = batch_requests(&proxy);
    let c = proxy.counts();
    let tiny_percent = tiny_syncs * 100 / sending_syncs.max(1);
    println!(
        "batched_retries seed={seed}: {} forms in {ROUNDS} rounds, {runs} syncs, {sending_syncs} sent anything, \
         {tiny_syncs} of them ({tiny_percent} %) sent ≤ {TINY} items; {all_batches} batch requests, \
         {answered_total} answered (budget Σ⌈N/50⌉+1 = {budget}); {} faults in {} requests; \
         {sent_again} sent again by the worker; {:.1} s",
        ids.len(),
        c.faults_total(),
        c.requests,
        started.elapsed().as_secs_f64()
    );

    // Exactly once.
    let on_server = counts(server.addr).await;
    for id in &ids {
        assert_eq!(on_server.get(id), Some(&1), "seed {seed}: {id}");
    }
    assert_eq!(on_server.len(), ids.len(), "seed {seed}: no extra records");
    // The bad link was bad.
    assert!(
        c.faults_total() >= MIN_FAULTS,
        "seed {seed}: only {} faults",
        c.faults_total()
    );
    // Retries stayed batched.
    assert!(
        tiny_percent <= MAX_TINY_PERCENT,
        "seed {seed}: {tiny_syncs} of {sending_syncs} sending syncs sent ≤ {TINY} items"
    );
    assert!(
        answered_total <= budget,
        "seed {seed}: {answered_total} answered batches for a budget of {budget}"
    );
}
