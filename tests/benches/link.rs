//! Scenario benchmark: a migrant worker's link. Through the proxy's emulated link
//! (300 ms round trip, 256 kbit/s each way, 1 % of TCP segments delayed by a 1 s
//! retransmission timeout, two handshake round trips per new connection: see
//! `tests/src/proxy/link.rs` for the model) one phone pushes 50 registrations, each
//! with a 60 KB KTP photo, then pulls 200 officer events (50 payments and 150
//! contributions). Batched (50 forms per request, 200 events per page) versus one
//! request per form and per event. Prints a table of wall time, requests and bytes
//! per phase, after each mode. Run: `cargo bench -p rantau-tests --bench link` (about 8
//! minutes; `LINK_BENCH_BATCHED_ONLY=1` for the batched mode alone).

// A benchmark report is its output.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Mutex;
use std::time::{Duration, Instant};

use rantau_core::sync::{self, NoObserver, SyncConfig, SyncObserver, SyncState};
use rantau_server::DbLocation;
use rantau_tests::data::{client_store, fake_jpeg, finalize_registration_with_file, states};
use rantau_tests::proxy::{Link, Logged, Proxy};
use rantau_tests::server::{admin_post, counts, start, submissions};

/// Sizes of one run.
struct Scale {
    registrations: usize,
    photo_bytes: usize,
    /// Officer events: one payment per registration, the rest contributions.
    events: usize,
    link: Link,
}

/// Remembers when each phase of a run began.
#[derive(Default)]
struct Phases(Mutex<Vec<(&'static str, Instant)>>);

impl SyncObserver for Phases {
    fn on_state(&self, state: SyncState) {
        let name = match state {
            SyncState::Enrolling => "enroll",
            SyncState::Pushing { .. } => "forms",
            SyncState::Uploading { .. } => "documents",
            SyncState::Pulling { .. } => "pull",
            SyncState::Done(_) | SyncState::Failed { .. } => "end",
        };
        let mut v = self.0.lock().unwrap();
        if v.last().is_none_or(|(last, _)| *last != name) {
            v.push((name, Instant::now()));
        }
    }
}

impl Phases {
    /// Time spent in `phase` (summed if it occurs more than once).
    fn time(&self, phase: &str) -> Duration {
        let v = self.0.lock().unwrap();
        v.windows(2)
            .filter(|w| w[0].0 == phase)
            .map(|w| w[1].1 - w[0].1)
            .sum()
    }
}

/// One row of the table.
struct Row {
    mode: &'static str,
    phase: String,
    time: Duration,
    requests: usize,
    up: u64,
    down: u64,
}

/// Requests and bytes of the log entries whose line starts with one of `prefixes`.
fn traffic(log: &[Logged], prefixes: &[&str]) -> (usize, u64, u64) {
    log.iter()
        .filter(|l| prefixes.iter().any(|p| l.line.starts_with(p)))
        .fold((0, 0, 0), |(n, up, down), l| {
            (n + 1, up + l.bytes_up, down + l.bytes_down)
        })
}

async fn scenario(mode: &'static str, per_form: bool, scale: &Scale) -> Vec<Row> {
    let server_dir = tempfile::tempdir().unwrap();
    let server = start(DbLocation::File(server_dir.path().join("server.db"))).await;
    let proxy = Proxy::start(server.addr).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let settings = || {
        let mut cfg = SyncConfig::new(&proxy.url()).unwrap();
        if per_form {
            cfg.batch_max_items = 1;
            cfg.page_limit = 1;
        }
        cfg
    };
    // Enrolled beforehand; the measured runs use a new client, so they pay for their
    // own connection (handshakes) like a phone coming back online.
    sync::sync(&store, &settings(), &NoObserver).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..scale.registrations {
        let photo = fake_jpeg(scale.photo_bytes, 1000 + i as u64);
        ids.push(finalize_registration_with_file(&store, i, &photo).0);
    }
    proxy.set_link(scale.link, 7);
    proxy.reset_counts();
    let log_start = proxy.log().len();
    let mut rows = Vec::new();

    // 1. Push: forms, then their documents (and the decisions the server made).
    let cfg = settings();
    let phases = Phases::default();
    let started = Instant::now();
    let report = sync::sync(&store, &cfg, &phases).await.unwrap();
    let push_time = started.elapsed();
    assert_eq!(report.accepted, scale.registrations, "{report:?}");
    assert_eq!(report.docs_uploaded, scale.registrations, "{report:?}");
    assert_eq!(states(&store).get("accepted"), Some(&scale.registrations));
    assert_eq!(report.duplicates, 0, "{report:?}");
    let on_server = counts(server.addr).await;
    assert!(ids.iter().all(|id| on_server.get(id) == Some(&1)));
    let log = proxy.log().split_off(log_start);
    if std::env::var("LINK_BENCH_LOG").is_ok() {
        for l in &log {
            println!("{:>3} {:<70} {:?}", l.connection, l.line, l.status);
        }
    }
    for (phase, prefixes) in [
        (
            format!("push {} forms", scale.registrations),
            &["POST /v1/submissions"][..],
        ),
        (
            format!(
                "upload {} photos of {} KB",
                scale.registrations,
                scale.photo_bytes / 1000
            ),
            &[
                "GET /v1/attachments",
                "PUT /v1/attachments",
                "POST /v1/attachments",
            ][..],
        ),
        (
            format!("pull {} decisions", scale.registrations),
            &["GET /v1/changes"][..],
        ),
    ] {
        let key = match prefixes[0] {
            "POST /v1/submissions" => "forms",
            "GET /v1/changes" => "pull",
            _ => "documents",
        };
        let (requests, up, down) = traffic(&log, prefixes);
        rows.push(Row {
            mode,
            phase,
            time: phases.time(key),
            requests,
            up,
            down,
        });
    }
    let c = proxy.counts();
    rows.push(Row {
        mode,
        phase: format!(
            "= first sync ({} connections, {} segments lost)",
            c.connections, c.lost_segments
        ),
        time: push_time,
        requests: c.requests,
        up: c.bytes_up,
        down: c.bytes_down,
    });

    // 2. Officers act; the phone pulls their events.
    let listed = submissions(server.addr).await.submissions;
    let kpjs: Vec<(String, u64)> = listed
        .iter()
        .map(|s| (s.kpj.clone().unwrap(), s.amount_due.unwrap()))
        .collect();
    for e in 0..scale.events {
        let (kpj, due) = &kpjs[e % kpjs.len()];
        if e < kpjs.len() {
            admin_post(
                server.addr,
                "/v1/admin/payments",
                serde_json::json!({"kpj": kpj, "amount": due, "paid_on": "2027-01-10"}),
            )
            .await;
        } else {
            let month = 1 + e / kpjs.len();
            admin_post(
                server.addr,
                "/v1/admin/contributions",
                serde_json::json!({"kpj": kpj, "programme": "jht", "period": format!("2027-{month:02}"), "amount": 50000}),
            )
            .await;
        }
    }
    proxy.reset_counts();
    let cfg = settings();
    let started = Instant::now();
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    let pull_time = started.elapsed();
    // The officers' events, and in the one-per-page mode sometimes a few events of
    // the first sync's own submissions that it had not pulled yet (214 of 200 seen).
    assert!(
        report.pulled_events >= scale.events,
        "{} of {} events: {report:?}",
        report.pulled_events,
        scale.events
    );
    let c = proxy.counts();
    rows.push(Row {
        mode,
        phase: format!(
            "pull {} officer events (second sync; {} lost)",
            scale.events, c.lost_segments
        ),
        time: pull_time,
        requests: c.requests,
        up: c.bytes_up,
        down: c.bytes_down,
    });
    rows
}

fn print_table(scale: &Scale, rows: &[Row]) {
    let l = scale.link;
    println!(
        "link: {} ms one way, {} / {} kbit/s up/down, {:.1} % segment loss (RTO {} ms), {} handshake round trips",
        l.one_way.as_millis(),
        l.up_bits_per_sec.map_or(0, |b| b / 1000),
        l.down_bits_per_sec.map_or(0, |b| b / 1000),
        l.loss * 100.0,
        l.rto.as_millis(),
        l.handshake_round_trips
    );
    println!(
        "{:<28} {:<52} {:>9} {:>9} {:>10} {:>10}",
        "mode", "phase", "wall s", "requests", "up KB", "down KB"
    );
    for r in rows {
        println!(
            "{:<28} {:<52} {:>9.1} {:>9} {:>10.1} {:>10.1}",
            r.mode,
            r.phase,
            r.time.as_secs_f64(),
            r.requests,
            r.up as f64 / 1000.0,
            r.down as f64 / 1000.0
        );
    }
}

fn main() {
    // `cargo bench` passes --bench; anything else (`cargo test --benches` in the gate)
    // gets a small, fast version that still checks the scenario's assertions.
    let quick =
        !std::env::args().any(|a| a == "--bench") || std::env::var("RANTAU_BENCH_QUICK").is_ok();
    let scale = if quick {
        Scale {
            registrations: 4,
            photo_bytes: 60_000,
            events: 12,
            link: Link {
                one_way: Duration::from_millis(5),
                up_bits_per_sec: Some(20_000_000),
                down_bits_per_sec: Some(20_000_000),
                loss: 0.0,
                ..Link::migrant_worker()
            },
        }
    } else {
        Scale {
            registrations: 50,
            photo_bytes: 60_000,
            events: 200,
            link: Link::migrant_worker(),
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    // Each table as soon as its scenario ends: a later failure keeps the numbers.
    let rows = rt.block_on(scenario("batched (50/req, 200/page)", false, &scale));
    print_table(&scale, &rows);
    // LINK_BENCH_BATCHED_ONLY: the batched scenario alone (the photos' numbers).
    if std::env::var("LINK_BENCH_BATCHED_ONLY").is_err() {
        let rows = rt.block_on(scenario("one request per form/event", true, &scale));
        print_table(&scale, &rows);
    }
    println!("whole benchmark: {:.0} s", started.elapsed().as_secs_f64());
}
