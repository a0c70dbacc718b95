//! End to end: the core's sync engine against the reference server on loopback,
//! through a proxy that loses answers, fails and stalls. Every test ends by
//! counting: each finalized submission is on the server exactly once.

// A test file: unwrap and expect are the assertions here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::time::Duration;

use rantau_core::app::inquiry::{self, MembershipStatus};
use rantau_core::store::meta::{get_meta, set_meta};
use rantau_core::store::outbox::{
    insert_submission, list_submissions, retry_submission, OutboxState, MAX_ATTEMPTS,
};
use rantau_core::sync::{self, NoObserver, SyncConfig, SyncObserver, SyncState};
use rantau_server::DbLocation;
use rantau_tests::data::{
    client_store, finalize_consultation, finalize_registrations, make_waiting_due,
    registration_payload, row, states,
};
use rantau_tests::proxy::{Fault, Proxy};
use rantau_tests::server::{admin_post, counts, start, submissions};

/// The server's request timeout is longer than the app's own, so a real phone
/// always gives up first. (It lives here, not in the server's limits tests, because
/// the server's sources never name the client's sync engine.)
#[test]
fn the_phone_gives_up_before_the_server() {
    let limits = rantau_server::Limits::default();
    assert!(limits.request_timeout > rantau_core::sync::config::DEFAULT_TIMEOUT);
}

fn config(url: &str) -> SyncConfig {
    let mut c = SyncConfig::new(url).unwrap();
    c.lang = rantau_core::Lang::En;
    c
}

/// Asserts every id is on the server exactly once and accepted locally with the
/// server's reference.
async fn assert_exactly_once(
    addr: std::net::SocketAddr,
    store: &rantau_core::store::Store,
    ids: &[String],
) {
    let on_server = counts(addr).await;
    for id in ids {
        assert_eq!(
            on_server.get(id),
            Some(&1),
            "submission {id} must be on the server once"
        );
    }
    assert_eq!(
        on_server.values().sum::<usize>(),
        ids.len(),
        "no extra records"
    );
    let server_refs: std::collections::HashMap<String, Option<String>> = submissions(addr)
        .await
        .submissions
        .into_iter()
        .map(|s| (s.id, s.reference))
        .collect();
    for row in store.read(list_submissions).unwrap() {
        assert_eq!(
            row.state,
            OutboxState::Accepted,
            "{} is {:?}",
            row.id,
            row.state
        );
        assert_eq!(
            row.reference, server_refs[&row.id],
            "local reference = the server's first answer"
        );
    }
}

#[derive(Default)]
struct Recorder(std::sync::Mutex<Vec<SyncState>>);
impl SyncObserver for Recorder {
    fn on_state(&self, state: SyncState) {
        self.0.lock().unwrap().push(state);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_push_pull_and_inquire() {
    let server = start(DbLocation::Memory).await;
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    // Dates count from the clock (the server decides with its own), so the test holds
    // as the calendar moves: the worker looks three months after paying today.
    let now = chrono::Utc::now().date_naive();
    let today = now + chrono::Days::new(90);
    assert_eq!(inquiry::membership(&store, today).unwrap(), None);
    let reg = finalize_registrations(&store, 1).remove(0);
    // Finalized before the registration is accepted: must wait for it, not fail.
    let consult = finalize_consultation(&store, &reg, 1_790_000_000_100);
    assert_eq!(
        inquiry::membership(&store, today).unwrap().unwrap().status,
        MembershipStatus::PendingSync
    );

    let cfg = config(&format!("http://{}", server.addr));
    let observer = Recorder::default();
    let report = sync::sync(&store, &cfg, &observer).await.unwrap();
    assert_eq!(
        (
            report.sent,
            report.accepted,
            report.duplicates,
            report.rejected
        ),
        (2, 2, 0, 0)
    );
    // enroll + registration batch + consultation batch (held until the first was accepted) + one page
    assert_eq!(report.requests, 4);
    assert!(report.pulled_events >= 1);
    assert!(report.bytes_up > 0 && report.bytes_down > 0);
    let seen = observer.0.lock().unwrap().clone();
    assert_eq!(seen.first(), Some(&SyncState::Enrolling));
    assert!(matches!(seen.last(), Some(SyncState::Done(r)) if r == &report));
    assert!(store
        .read(|c| get_meta(c, "sync.token"))
        .unwrap()
        .is_some_and(|t| !t.is_empty()));

    let card = inquiry::card(&store, rantau_core::Lang::Id)
        .unwrap()
        .expect("card after the decision");
    assert_eq!(card.kpj.len(), 11);
    assert_eq!(card.submission_id, reg);
    let pay = inquiry::payment_instructions(&store, None, rantau_core::Lang::En)
        .unwrap()
        .expect("payment instructions");
    assert!(pay.amount_due > 0);
    assert_ne!(pay.payment_code, card.kpj);
    assert!(!pay.paid);
    assert_eq!(
        inquiry::membership(&store, today).unwrap().unwrap().status,
        MembershipStatus::RegisteredUnpaid
    );

    // The officer records a payment and a contribution and answers the consultation.
    admin_post(
        server.addr,
        "/v1/admin/payments",
        serde_json::json!({"kpj": card.kpj, "amount": pay.amount_due, "paid_on": now.to_string()}),
    )
    .await;
    admin_post(
        server.addr,
        "/v1/admin/contributions",
        serde_json::json!({"kpj": card.kpj, "programme": "jht", "period": now.format("%Y-%m").to_string(), "amount": 50000}),
    )
    .await;
    admin_post(
        server.addr,
        &format!("/v1/admin/consultations/{consult}/reply"),
        serde_json::json!({"body": "Bayar di cabang Bank Mandiri."}),
    )
    .await;

    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!(report.sent, 0);
    assert_eq!(report.pulled_events, 3);
    assert_eq!(report.requests, 1, "nothing to push: one page of changes");
    let m = inquiry::membership(&store, today).unwrap().unwrap();
    assert!(
        matches!(m.status, MembershipStatus::Active { .. }),
        "{:?}",
        m.status
    );
    assert!(
        inquiry::payment_instructions(&store, None, rantau_core::Lang::Id)
            .unwrap()
            .unwrap()
            .paid
    );
    let contributions = inquiry::contributions(&store).unwrap();
    assert_eq!(contributions.len(), 1);
    assert_eq!(contributions[0].amount, 50_000);
    let threads = inquiry::threads(&store).unwrap();
    assert_eq!(threads.len(), 1);
    assert_eq!(threads[0].submission_id, consult);
    assert_eq!(threads[0].replies.len(), 1);
    assert!(threads[0].replies[0].body.contains("Mandiri"));
    // The reply's moment, read from the server's RFC 3339 for the local clock.
    let at = threads[0].replies[0].at_ms;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!(now - 600_000 < at && at <= now, "{at} vs {now}");

    // A third sync finds nothing new and sends nothing.
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!((report.sent, report.pulled_events), (0, 0));
    assert_exactly_once(server.addr, &store, &[reg, consult]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_response_is_resent_and_answered_as_duplicate() {
    let server = start(DbLocation::Memory).await;
    let proxy = Proxy::start(server.addr).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let ids = finalize_registrations(&store, 120);
    let cfg = config(&proxy.url());

    // Enrollment passes; the first batch reaches the server, its answer is lost.
    proxy.plan([Fault::Pass, Fault::DropResponse]);
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!(report.sent, 50);
    assert_eq!(report.waiting, 50);
    assert_eq!(report.push_error.as_deref(), Some("sync.network"));
    assert_eq!(
        counts(server.addr).await.len(),
        50,
        "the server did commit the batch"
    );
    assert_eq!(states(&store).get("waiting"), Some(&50));
    assert_eq!(states(&store).get("queued"), Some(&70));

    make_waiting_due(&store);
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!(report.duplicates, 50, "same ids, same answers");
    assert_eq!(report.accepted, 70);
    assert_exactly_once(server.addr, &store, &ids).await;
}

/// Regression (net_faults, seed 20261122, 2026-12-02): on some interleavings a
/// batch lost its answer `MAX_ATTEMPTS` times in a row, although the server had
/// committed it each time. The submissions need the worker then; "send again"
/// must bring them back with the same ids, answered once as duplicates.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sent_again_after_every_answer_was_lost_is_stored_once() {
    let server = start(DbLocation::Memory).await;
    let proxy = Proxy::start(server.addr).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let ids = finalize_registrations(&store, 3);
    let cfg = config(&proxy.url());
    sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_exactly_once(server.addr, &store, &ids).await;

    // Three more people, after the first three.
    let more: Vec<String> = (3..6)
        .map(|i| {
            let id = uuid::Uuid::new_v4().to_string();
            let r = row(
                &id,
                "pmi-registration",
                1_790_000_000_100 + i as i64,
                registration_payload(i),
            );
            store.write(|tx| insert_submission(tx, &r)).unwrap();
            id
        })
        .collect();
    for _ in 0..MAX_ATTEMPTS {
        // The batch reaches the server; its answer never reaches the phone.
        proxy.plan([Fault::DropResponse]);
        let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
        assert_eq!(report.push_error.as_deref(), Some("sync.network"));
        make_waiting_due(&store);
    }
    assert_eq!(states(&store).get("needs_attention"), Some(&3));
    assert_eq!(counts(server.addr).await.len(), 6, "the server holds them");
    // Nothing goes by itself: a needs-attention form waits for the worker.
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!(report.sent, 0);

    let now = chrono::Utc::now().timestamp_millis();
    for id in &more {
        assert!(store.write(|tx| retry_submission(tx, id, now)).unwrap());
    }
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!(report.duplicates, 3, "same ids, the server's first answers");
    let all: Vec<String> = ids.into_iter().chain(more).collect();
    assert_exactly_once(server.addr, &store, &all).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_restart_mid_batch_keeps_exactly_once() {
    let db_dir = tempfile::tempdir().unwrap();
    let db = DbLocation::File(db_dir.path().join("server.db"));
    let first = start(db.clone()).await;
    let proxy = Proxy::start(first.addr).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let ids = finalize_registrations(&store, 80);
    let cfg = config(&proxy.url());

    proxy.plan([Fault::Pass, Fault::DropResponse]);
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!(report.waiting, 50);
    // The server goes down with the batch committed, and comes back on the same file.
    tokio::time::timeout(Duration::from_secs(10), first.shutdown())
        .await
        .expect("shutdown in time")
        .unwrap();
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!(
        report.push_error.as_deref(),
        Some("sync.network"),
        "server down: nothing is lost"
    );
    assert_eq!(report.accepted + report.duplicates, 0);
    let second = start(db).await;
    proxy.set_upstream(second.addr);
    make_waiting_due(&store);
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!(report.duplicates, 50);
    assert_eq!(report.accepted, 30);
    assert_exactly_once(second.addr, &store, &ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unavailable_and_stalled_server_leave_work_waiting_with_backoff() {
    let server = start(DbLocation::Memory).await;
    let proxy = Proxy::start(server.addr).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let ids = finalize_registrations(&store, 60);
    let cfg = SyncConfig::with_timeouts(
        &proxy.url(),
        Duration::from_secs(2),
        Duration::from_millis(400),
    )
    .unwrap();

    proxy.plan([Fault::Pass, Fault::Unavailable]);
    let before = chrono::Utc::now().timestamp_millis();
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!(report.push_error.as_deref(), Some("sync.server"));
    assert_eq!(report.waiting, 50);
    let rows = store.read(list_submissions).unwrap();
    let waiting: Vec<_> = rows
        .iter()
        .filter(|r| r.state == OutboxState::Waiting)
        .collect();
    assert_eq!(waiting.len(), 50);
    for r in &waiting {
        assert_eq!(r.attempts, 1);
        let at = r.next_attempt_at.unwrap();
        // First retry window: up to 2 s (Retry-After: 0 does not lengthen it).
        assert!(
            at >= before && at <= chrono::Utc::now().timestamp_millis() + 2_000,
            "{at}"
        );
    }
    assert!(counts(server.addr).await.is_empty(), "a 503 stored nothing");

    // A stalled server: the request times out; the batch waits again, one more attempt.
    make_waiting_due(&store);
    proxy.plan([Fault::Stall]);
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!(report.push_error.as_deref(), Some("sync.network"));
    let rows = store.read(list_submissions).unwrap();
    assert_eq!(rows.iter().filter(|r| r.attempts == 2).count(), 50);

    // An answer that cannot be decoded (a captive portal's page) is transient too.
    make_waiting_due(&store);
    proxy.plan([Fault::Garbage]);
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!(report.push_error.as_deref(), Some("sync.protocol"));
    assert_eq!(report.waiting, 50);

    // 429 with a long Retry-After: it wins over the (short) backoff window.
    make_waiting_due(&store);
    proxy.plan([Fault::RateLimited(600)]);
    let before = chrono::Utc::now().timestamp_millis();
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!(report.push_error.as_deref(), Some("sync.server"));
    let rows = store.read(list_submissions).unwrap();
    for r in rows.iter().filter(|r| r.state == OutboxState::Waiting) {
        assert!(
            r.next_attempt_at.unwrap() >= before + 600_000,
            "Retry-After respected"
        );
        // The server asked to wait: no attempt counted (503, stall, garbage were 3).
        assert_eq!(r.attempts, 3);
        assert_eq!(r.last_error.as_deref(), Some("sync.server"));
    }
    // Not due yet: a sync now sends only what was never tried.
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!(report.sent, 10);

    make_waiting_due(&store);
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!(report.accepted, 50);
    assert_exactly_once(server.addr, &store, &ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_to_a_remote_host_is_refused() {
    let err = SyncConfig::new("http://203.0.113.7:8080").unwrap_err();
    assert_eq!(err.code(), "sync.insecure_url");
    let err = SyncConfig::new("http://sync.example.org/").unwrap_err();
    assert_eq!(err.code(), "sync.insecure_url");
    assert!(SyncConfig::new("https://sync.example.org/").is_ok());
    assert!(SyncConfig::new("http://localhost:9").is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_sync_resumes_with_nothing_lost_or_doubled() {
    let server = start(DbLocation::Memory).await;
    let proxy = Proxy::start(server.addr).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let ids = finalize_registrations(&store, 300);
    let cfg = config(&proxy.url());

    // Dropped while the batch request is in flight: the batch stays `sending`.
    proxy.plan([Fault::Pass, Fault::Stall]);
    let fut = sync::sync(&store, &cfg, &NoObserver);
    assert!(
        tokio::time::timeout(Duration::from_millis(500), fut)
            .await
            .is_err(),
        "the sync was cancelled"
    );
    assert_eq!(
        states(&store).get("sending"),
        Some(&50),
        "pessimistic: marked before the request"
    );

    // Cancel again and again at different points, with some latency so the
    // deadlines fall inside requests, between batches and during the pull.
    proxy.set_latency(Duration::from_millis(15));
    for ms in [10u64, 25, 40, 60, 80, 110, 140, 170, 200, 260] {
        let _ = tokio::time::timeout(
            Duration::from_millis(ms),
            sync::sync(&store, &cfg, &NoObserver),
        )
        .await;
    }
    proxy.set_latency(Duration::ZERO);
    // Then let it finish.
    for _ in 0..5 {
        make_waiting_due(&store);
        let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
        if report.sent == 0 {
            break;
        }
    }
    assert_eq!(states(&store).get("accepted"), Some(&300));
    assert_exactly_once(server.addr, &store, &ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupt_flag_stops_between_steps() {
    let server = start(DbLocation::Memory).await;
    let proxy = Proxy::start(server.addr).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let ids = finalize_registrations(&store, 150);
    let cfg = config(&proxy.url());
    proxy.set_latency(Duration::from_millis(100));
    let handle = store.interrupt_handle();
    let interrupter = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        handle.interrupt();
    });
    let err = sync::sync(&store, &cfg, &NoObserver).await.unwrap_err();
    interrupter.await.unwrap();
    assert_eq!(err.code(), "interrupted");
    let s = states(&store);
    assert!(s.get("accepted").copied().unwrap_or(0) < 150, "{s:?}");
    proxy.set_latency(Duration::ZERO);
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert!(report.accepted + report.duplicates > 0);
    assert_exactly_once(server.addr, &store, &ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_token_is_replaced_by_enrolling_again_in_the_same_sync() {
    let server = start(DbLocation::Memory).await;
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let cfg = config(&format!("http://{}", server.addr));
    sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    let ids = finalize_registrations(&store, 3);
    store
        .write(|tx| set_meta(tx, "sync.token", "not-a-real-token"))
        .unwrap();

    // Refused, enrolled again with the device secret, and pushed: one sync.
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert!(!report.auth_lost, "{report:?}");
    assert_eq!(report.push_error, None);
    assert_eq!(report.accepted, 3);
    let token = store.read(|c| get_meta(c, "sync.token")).unwrap().unwrap();
    assert!(!token.is_empty() && token != "not-a-real-token");
    assert_exactly_once(server.addr, &store, &ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_rejected_item_does_not_block_the_others() {
    let server = start(DbLocation::Memory).await;
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let ids = finalize_registrations(&store, 4);
    let bad = rantau_tests::data::row(
        "bad-registration-0001",
        "pmi-registration",
        1_790_000_000_002,
        serde_json::json!({"scheme": "none"}),
    );
    store
        .write(|tx| rantau_core::store::outbox::insert_submission(tx, &bad))
        .unwrap();
    let cfg = config(&format!("http://{}", server.addr));
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!((report.accepted, report.rejected), (4, 1));
    let rejected = store
        .read(|c| rantau_core::store::outbox::get_submission(c, "bad-registration-0001"))
        .unwrap()
        .unwrap();
    assert_eq!(rejected.state, OutboxState::Rejected);
    assert!(!rejected.issues.is_empty());
    let accepted: HashSet<String> = store
        .read(list_submissions)
        .unwrap()
        .into_iter()
        .filter(|r| r.state == OutboxState::Accepted)
        .map(|r| r.id)
        .collect();
    assert_eq!(accepted, ids.iter().cloned().collect());
}

/// A worker registered already (here, from another phone) who registers again
/// for the same placement: the item is rejected for the worker to act on, the
/// one issue worded in the phone's language and telling them to link this phone,
/// and the registration sent first stays accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_of_someone_registered_already_asks_the_worker_to_link() {
    let server = start(DbLocation::Memory).await;
    let url = format!("http://{}", server.addr);
    let registration = registration_payload(7);
    let mut phones = Vec::new();
    for (n, lang) in [
        (0, rantau_core::Lang::Id),
        (1, rantau_core::Lang::En),
        (2, rantau_core::Lang::Id),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let store = client_store(dir.path());
        let id = format!("registration-phone-{n}");
        let r = row(
            &id,
            "pmi-registration",
            1_790_000_000_000 + n,
            registration.clone(),
        );
        store.write(|tx| insert_submission(tx, &r)).unwrap();
        let mut cfg = config(&url);
        cfg.lang = lang;
        let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
        phones.push((dir, store, id, lang, report));
    }
    let (_, first, first_id, _, report) = &phones[0];
    assert_eq!((report.accepted, report.rejected), (1, 0));
    let row = first
        .read(|c| rantau_core::store::outbox::get_submission(c, first_id))
        .unwrap()
        .unwrap();
    assert_eq!(row.state, OutboxState::Accepted);
    for (_, store, id, lang, report) in &phones[1..] {
        assert_eq!((report.accepted, report.rejected), (0, 1), "{lang:?}");
        let row = store
            .read(|c| rantau_core::store::outbox::get_submission(c, id))
            .unwrap()
            .unwrap();
        assert_eq!(row.state, OutboxState::Rejected, "{lang:?}");
        assert_eq!(row.issues.len(), 1);
        let issue = &row.issues[0];
        assert_eq!(issue.code, "registration.already_registered");
        let (_, id_text, en_text) =
            rantau_core::base::messages::lookup("registration.already_registered").unwrap();
        let expected = match lang {
            rantau_core::Lang::Id => id_text,
            rantau_core::Lang::En => en_text,
        };
        assert_eq!(issue.message, *expected);
        assert!(issue.message.contains("Saya sudah terdaftar"));
        // Nothing of the registered person in what the phone was told.
        let kpj_or_name = ["Sri", registration["full_name"].as_str().unwrap()];
        assert!(kpj_or_name.iter().all(|s| !issue.message.contains(s)));
    }
}

#[test]
fn sync_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let cfg = config("http://127.0.0.1:9");
    let fut = sync::sync(&store, &cfg, &NoObserver);
    assert_send(&fut);
}
