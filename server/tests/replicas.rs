//! Several replicas of the server on one PostgreSQL database, the clients'
//! requests spread across them: none holds state another needs (rate-limit
//! buckets are per process, and these tests stay under them). Three replicas in
//! this process (each with its own connection pool, as separate processes would
//! have) for the races; real `rantau-server` processes for the replica killed
//! with SIGKILL in the middle of a batch.
//!
//! Needs `RANTAU_TEST_POSTGRES` (the gate sets it); without it each test says it
//! was skipped, and passes.
// Test helpers outside #[test] fns: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::process::Stdio;
use std::time::{Duration, Instant};

use rantau_core::protocol::wire::{
    BatchResponse, ChangesResponse, EnrollResponse, EventKind, ItemOutcome,
};
use rantau_server::officer::SubmissionList;
use rantau_server::{spawn, RunningServer, ServerConfig};
use serde_json::{json, Value};

mod common;
use common::backend::{shared_postgres, SharedDb};
use common::process::ServerProcess;
use common::{client, enroll};

/// At least 32 characters: the `serve` command refuses shorter tokens.
const ADMIN: &str = "replica-tests-admin-token-0123456789abcdef";

/// `n` replicas on `db`, started one after another (the first makes the
/// documents key; the others read it).
async fn replicas(db: &SharedDb, n: usize) -> Vec<RunningServer> {
    let mut out = Vec::new();
    for _ in 0..n {
        let config = ServerConfig {
            db: db.location.clone(),
            ..ServerConfig::ephemeral(ADMIN)
        };
        out.push(spawn(config).await.unwrap());
    }
    out
}

fn item(id: &str, form: &str, payload: Value) -> Value {
    json!({"id": id, "form_id": form, "form_version": 1, "created_at": "2026-01-01T00:00:00Z", "payload": payload})
}

/// The registration `id`, of a person of its own (a NIK is registered once per
/// placement); the same id always names the same person.
fn registration(id: &str) -> Value {
    static PEOPLE: std::sync::Mutex<Option<std::collections::HashMap<String, u32>>> =
        std::sync::Mutex::new(None);
    let n = {
        let mut people = PEOPLE.lock().unwrap();
        let people = people.get_or_insert_with(Default::default);
        let next = people.len() as u32;
        *people.entry(id.to_string()).or_insert(next)
    };
    let mut answers = rantau_core::forms::samples::sample_registration_of(n);
    answers.insert("departure_date".into(), json!("2025-07-05"));
    item(id, "pmi-registration", Value::Object(answers))
}

fn consultation(id: &str) -> Value {
    let answers = rantau_core::forms::samples::sample_consultation();
    item(id, "consultation", Value::Object(answers))
}

/// Sends a batch to `base`; the transport's error when the replica is gone.
async fn send(
    c: &reqwest::Client,
    base: &str,
    token: &str,
    items: &[Value],
) -> reqwest::Result<Vec<ItemOutcome>> {
    let r = c
        .post(format!("{base}/v1/submissions/batch"))
        .bearer_auth(token)
        .json(&json!({ "items": items }))
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let body: BatchResponse = r.json().await?;
    Ok(body.results.into_iter().map(|r| r.outcome).collect())
}

/// One page of `token`'s change feed after `cursor`, from `base`.
async fn changes(c: &reqwest::Client, base: &str, token: &str, cursor: &str) -> ChangesResponse {
    let r = c
        .get(format!("{base}/v1/changes?cursor={cursor}&limit=7"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Every page of the feed after `cursor`, each page from the next replica in turn.
async fn drain(
    c: &reqwest::Client,
    bases: &[String],
    token: &str,
    cursor: &mut String,
    seen: &mut Vec<i64>,
) {
    for turn in 0.. {
        let page = changes(c, &bases[turn % bases.len()], token, cursor).await;
        seen.extend(page.events.iter().map(|e| e.seq));
        *cursor = page.next_cursor;
        if !page.has_more {
            return;
        }
    }
}

/// Every submission the servers hold, through the officers' list of `base`.
async fn listed(c: &reqwest::Client, base: &str) -> SubmissionList {
    let mut all = SubmissionList {
        submissions: Vec::new(),
        next_cursor: String::new(),
        has_more: false,
    };
    loop {
        let url = format!(
            "{base}/v1/admin/submissions?limit=500&cursor={}",
            all.next_cursor
        );
        let page: SubmissionList = c
            .get(url)
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let more = page.has_more && !page.submissions.is_empty();
        all.submissions.extend(page.submissions);
        all.next_cursor = page.next_cursor;
        if !more {
            return all;
        }
    }
}

/// How many times each id is held.
fn counts(list: &SubmissionList) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for s in &list.submissions {
        *out.entry(s.id.clone()).or_insert(0) += 1;
    }
    out
}

fn reference(o: &ItemOutcome) -> &str {
    match o {
        ItemOutcome::Accepted { reference } | ItemOutcome::Duplicate { reference } => reference,
        other => panic!("not stored: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_batch_sent_to_two_replicas_at_once_is_stored_once() {
    let Some(db) = shared_postgres("one_batch_sent_to_two_replicas_at_once").await else {
        return;
    };
    let rs = replicas(&db, 3).await;
    let c = client();
    let dev = enroll(&c, &rs[0], "device-twice").await;
    let bases: Vec<String> = rs.iter().map(|r| r.base_url()).collect();
    for round in 0..5 {
        let items: Vec<Value> = (0..6)
            .map(|i| {
                let id = format!("r{round}-{i}");
                if i % 3 == 2 {
                    consultation(&id)
                } else {
                    registration(&id)
                }
            })
            .collect();
        let (a, b) = tokio::join!(
            send(&c, &bases[1], &dev.token, &items),
            send(&c, &bases[2], &dev.token, &items)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(reference(x), reference(y), "round {round}: {a:?} / {b:?}");
            let firsts = [x, y]
                .iter()
                .filter(|o| matches!(o, ItemOutcome::Accepted { .. }))
                .count();
            assert_eq!(firsts, 1, "one replica stored it, the other found it");
        }
    }
    let list = listed(&c, &bases[0]).await;
    assert_eq!(list.submissions.len(), 30);
    assert!(counts(&list).values().all(|&n| n == 1));
    let mut cursor = String::new();
    let mut seen = Vec::new();
    drain(&c, &bases, &dev.token, &mut cursor, &mut seen).await;
    assert_eq!(seen.len(), 20, "one decision per registration");
    for r in rs {
        r.shutdown().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kpj_numbers_and_payment_codes_stay_unique_across_replicas() {
    let Some(db) = shared_postgres("kpj_numbers_and_payment_codes_stay_unique").await else {
        return;
    };
    let rs = replicas(&db, 3).await;
    let c = client();
    let bases: Vec<String> = rs.iter().map(|r| r.base_url()).collect();
    let mut devices = Vec::new();
    for d in 0..6 {
        devices.push(enroll(&c, &rs[d % 3], &format!("device-kpj-{d}")).await);
    }
    // 6 devices × 4 batches × 10 registrations, all at once, batch k to replica k mod 3.
    let mut sends = Vec::new();
    for (d, dev) in devices.iter().enumerate() {
        for k in 0..4 {
            let items: Vec<Value> = (0..10)
                .map(|i| registration(&format!("d{d}-b{k}-{i}")))
                .collect();
            let (c, base, token) = (c.clone(), bases[(d + k) % 3].clone(), dev.token.clone());
            sends.push(tokio::spawn(async move {
                send(&c, &base, &token, &items).await.unwrap()
            }));
        }
    }
    for s in sends {
        assert!(s
            .await
            .unwrap()
            .iter()
            .all(|o| matches!(o, ItemOutcome::Accepted { .. })));
    }
    let list = listed(&c, &bases[1]).await;
    assert_eq!(list.submissions.len(), 240);
    let kpj: HashSet<&str> = list
        .submissions
        .iter()
        .filter_map(|s| s.kpj.as_deref())
        .collect();
    let codes: HashSet<&str> = list
        .submissions
        .iter()
        .filter_map(|s| s.payment_code.as_deref())
        .collect();
    assert_eq!((kpj.len(), codes.len()), (240, 240), "every number unique");
    assert!(kpj.is_disjoint(&codes));
    for r in rs {
        r.shutdown().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_device_pulling_from_any_replica_never_skips_or_repeats_an_event() {
    let Some(db) = shared_postgres("a_device_pulling_from_any_replica").await else {
        return;
    };
    let rs = replicas(&db, 3).await;
    let c = client();
    let bases: Vec<String> = rs.iter().map(|r| r.base_url()).collect();
    let dev = enroll(&c, &rs[0], "device-feed").await;
    // Two replicas take batches of this device's registrations while it pulls its
    // feed, page by page, from all three in turn.
    let writers: Vec<_> = [1usize, 2]
        .into_iter()
        .map(|w| {
            let (c, base, token) = (c.clone(), bases[w].clone(), dev.token.clone());
            tokio::spawn(async move {
                for k in 0..8 {
                    let items: Vec<Value> = (0..5)
                        .map(|i| registration(&format!("w{w}-{k}-{i}")))
                        .collect();
                    send(&c, &base, &token, &items).await.unwrap();
                }
            })
        })
        .collect();
    let mut cursor = String::new();
    let mut seen = Vec::new();
    while writers.iter().any(|w| !w.is_finished()) {
        drain(&c, &bases, &dev.token, &mut cursor, &mut seen).await;
        // Under the per-address rate limit of each replica (all tests come from 127.0.0.1).
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    for w in writers {
        w.await.unwrap();
    }
    drain(&c, &bases, &dev.token, &mut cursor, &mut seen).await;
    assert_eq!(seen.len(), 80, "every decision once");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "in order: {seen:?}");
    for r in rs {
        r.shutdown().await.unwrap();
    }
}

/// A transaction that began before another committed, and commits after the
/// device pulled that other one: its event still comes after the device's cursor.
/// The test holds the first transaction open with a row of its own that the
/// batch's second item must wait for (its first item is already written).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_event_committed_after_a_later_one_was_pulled_is_not_skipped() {
    let Some(db) = shared_postgres("an_event_committed_after_a_later_one").await else {
        return;
    };
    let rs = replicas(&db, 3).await;
    let c = client();
    let dev = enroll(&c, &rs[0], "device-late").await;
    let mut holder = db.connect().await;
    let hold = holder.transaction().await.unwrap();
    hold_id(&hold, "late-b").await;
    // Replica 1: writes "late-a", then waits for "late-b" (ids are stored in order).
    let slow = {
        let (c, base, token) = (c.clone(), rs[1].base_url(), dev.token.clone());
        tokio::spawn(async move {
            send(
                &c,
                &base,
                &token,
                &[registration("late-a"), registration("late-b")],
            )
            .await
            .unwrap()
        })
    };
    wait_for_lock_wait(&db).await;
    // Replica 2 commits a registration meanwhile; the device pulls it from replica 0.
    let quick = send(&c, &rs[2].base_url(), &dev.token, &[registration("quick")])
        .await
        .unwrap();
    assert!(matches!(quick[0], ItemOutcome::Accepted { .. }));
    let first = changes(&c, &rs[0].base_url(), &dev.token, "").await;
    assert_eq!(decided(&first), ["quick"]);
    assert!(!slow.is_finished(), "the first batch still waits");
    // The held row goes away: the first batch commits, after the pulled event.
    hold.rollback().await.unwrap();
    let slow = slow.await.unwrap();
    assert!(slow
        .iter()
        .all(|o| matches!(o, ItemOutcome::Accepted { .. })));
    let after = changes(&c, &rs[2].base_url(), &dev.token, &first.next_cursor).await;
    assert_eq!(decided(&after), ["late-a", "late-b"]);
    assert!(after.events[0].seq > first.events[0].seq);
    let again = changes(&c, &rs[1].base_url(), &dev.token, &after.next_cursor).await;
    assert!(again.events.is_empty());
    for r in rs {
        r.shutdown().await.unwrap();
    }
}

/// The submission ids of the registrations decided on a page.
fn decided(page: &ChangesResponse) -> Vec<&str> {
    page.events
        .iter()
        .map(|e| match &e.kind {
            EventKind::RegistrationDecided { submission_id, .. } => submission_id.as_str(),
            other => panic!("{other:?}"),
        })
        .collect()
}

/// Inserts (uncommitted) a submission row with `id` in the test's transaction:
/// a server storing that id waits for this transaction to end.
async fn hold_id(tx: &tokio_postgres::Transaction<'_>, id: &str) {
    let n = tx
        .execute(
            "INSERT INTO submissions (id, participant_id, form_id, form_version, payload_hash,
                                      payload, created_at, received_at, status, answer)
             SELECT $1, id, 'pmi-registration', 1, '\\x00', '{}', '', 0, 'held', '{}'
             FROM participants LIMIT 1",
            &[&id],
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
}

/// Waits until some server's transaction waits for a lock (the held row).
async fn wait_for_lock_wait(db: &SharedDb) {
    let watcher = db.connect().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let row = watcher
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
                &[],
            )
            .await
            .unwrap();
        if row.get::<_, i64>(0) > 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no server waited for the held row"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A `rantau-server serve` process on the shared database.
fn process(db: &SharedDb) -> ServerProcess {
    let mut command = common::process::serve();
    command
        .args(["--database", &db.url, "--files"])
        .arg(db.files())
        .env("RANTAU_ADMIN_TOKEN", ADMIN)
        .stderr(Stdio::null());
    ServerProcess::start(command, None)
}

/// A replica killed (SIGKILL) while its batch's transaction is open: the client's
/// request fails, it sends the same batch to another replica, and every
/// submission is stored exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replica_killed_mid_batch_leaves_the_retry_to_another_exactly_once() {
    let Some(db) = shared_postgres("a_replica_killed_mid_batch").await else {
        return;
    };
    let doomed = process(&db);
    let survivor = process(&db);
    let c = client();
    let r = c
        .post(format!("{}/v1/devices", doomed.url))
        .json(&json!({"device_id": "device-kill", "label": "test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let dev: EnrollResponse = r.json().await.unwrap();
    let items: Vec<Value> = (0..5)
        .map(|i| registration(&format!("kill-{i}")))
        .chain([consultation("kill-k")])
        .collect();
    // The batch writes kill-0 … kill-3, then waits for the row the test holds.
    let mut holder = db.connect().await;
    let hold = holder.transaction().await.unwrap();
    hold_id(&hold, "kill-4").await;
    let first = {
        let (c, base, token, items) = (
            c.clone(),
            doomed.url.clone(),
            dev.token.clone(),
            items.clone(),
        );
        tokio::spawn(async move { send(&c, &base, &token, &items).await })
    };
    wait_for_lock_wait(&db).await;
    doomed.kill();
    assert!(
        first.await.unwrap().is_err(),
        "the killed replica never answered"
    );
    hold.rollback().await.unwrap();
    // The client's retry, on the other replica: the killed one's transaction is gone.
    let again = send(&c, &survivor.url, &dev.token, &items).await.unwrap();
    assert!(
        again
            .iter()
            .all(|o| matches!(o, ItemOutcome::Accepted { .. })),
        "{again:?}"
    );
    let list = listed(&c, &survivor.url).await;
    let held = counts(&list);
    assert_eq!(held.len(), 6);
    assert!(held.values().all(|&n| n == 1));
    // And once more, as a client that never heard the answer would: the same answers.
    let replay = send(&c, &survivor.url, &dev.token, &items).await.unwrap();
    for (a, b) in again.iter().zip(&replay) {
        assert_eq!(reference(a), reference(b));
    }
    assert_eq!(listed(&c, &survivor.url).await.submissions.len(), 6);
}
