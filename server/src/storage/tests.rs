//! The repository's contract, through its API only, on every backend: SQLite
//! always; PostgreSQL too when `RANTAU_TEST_POSTGRES` holds a URL (of a
//! database whose user may create databases: each test makes a fresh database
//! of its own and drops it at the end, so tests run in parallel). Without it the
//! PostgreSQL runs say they were skipped, and pass.

use super::*;
use crate::decisions::ingest::prepare;
use rantau_core::forms::Role;
use rantau_core::protocol::wire::ItemOutcome;
use rantau_core::Lang;
use sha2::Digest;

/// The variable naming the test cluster's URL.
const PG_ENV: &str = "RANTAU_TEST_POSTGRES";

/// One backend under test.
struct Backend {
    name: &'static str,
    storage: Storage,
    scratch: Option<Scratch>,
}

/// A PostgreSQL database made for one test, and its documents folder.
struct Scratch {
    admin_url: String,
    dbname: String,
    url: String,
    _files: tempfile::TempDir,
}

impl Backend {
    /// Drops the test's database (closing the pool first). A failed test skips
    /// this; its database stays in the throwaway cluster.
    async fn finish(self) {
        let Backend {
            storage, scratch, ..
        } = self;
        if let Database::Postgres(db) = &storage.db {
            db.close();
        }
        drop(storage);
        if let Some(s) = scratch {
            let admin = admin_client(&s.admin_url).await;
            admin
                .batch_execute(&format!("DROP DATABASE \"{}\" WITH (FORCE)", s.dbname))
                .await
                .unwrap();
        }
    }

    fn pg(&self) -> &PgDb {
        match &self.storage.db {
            Database::Postgres(db) => db,
            Database::Sqlite(_) => panic!("{} is not PostgreSQL", self.name),
        }
    }
}

async fn admin_client(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("{PG_ENV}: cannot connect: {e}"));
    tokio::spawn(conn);
    client
}

/// A fresh PostgreSQL backend, or `None` (said on stderr) without the variable.
async fn postgres(test: &str) -> Option<Backend> {
    let Ok(admin_url) = std::env::var(PG_ENV) else {
        eprintln!("{test}: PostgreSQL run skipped ({PG_ENV} is not set)");
        return None;
    };
    let dbname = format!("rantau_test_{}", uuid::Uuid::new_v4().simple());
    let url = create_database(&admin_url, &dbname).await.unwrap();
    let files = tempfile::tempdir().unwrap();
    let location = DbLocation::Postgres {
        url: PgUrl::parse(&url).unwrap(),
        files: Documents::Folder(files.path().join("documents")),
    };
    let storage = Storage::connect(&location, None).await.unwrap();
    Some(Backend {
        name: "postgres",
        storage,
        scratch: Some(Scratch {
            admin_url,
            dbname,
            url,
            _files: files,
        }),
    })
}

/// Every backend: SQLite in memory, and PostgreSQL when configured.
async fn backends(test: &str) -> Vec<Backend> {
    let mut all = vec![Backend {
        name: "sqlite",
        storage: Storage::connect(&DbLocation::Memory, None).await.unwrap(),
        scratch: None,
    }];
    all.extend(postgres(test).await);
    all
}

async fn enrolled(storage: &Storage, device: &str) -> String {
    match storage.enroll(attempt(device, None, None)).await.unwrap() {
        Enrolled::Yes {
            participant,
            secret_issued,
        } => {
            assert!(secret_issued);
            participant
        }
        Enrolled::Refused => panic!("a new device is refused"),
    }
}

fn attempt(device: &str, secret: Option<[u8; 32]>, token: Option<[u8; 32]>) -> EnrollAttempt {
    EnrollAttempt {
        device_id: device.into(),
        label: String::new(),
        presented_secret: secret,
        presented_token: token,
        new_participant: format!("p-{device}-{}", uuid::Uuid::new_v4().simple()),
        new_secret_hash: crate::decisions::ids::sha256(format!("secret-{device}").as_bytes()),
        token_hash: crate::decisions::ids::sha256(uuid::Uuid::new_v4().as_bytes()),
        now: 0,
    }
}

fn registration(id: &str) -> SubmissionItem {
    SubmissionItem {
        id: id.into(),
        form_id: crate::decisions::validation::REGISTRATION.into(),
        form_version: 1,
        created_at: "2026-01-01T00:00:00Z".into(),
        payload: serde_json::Value::Object(rantau_core::forms::samples::sample_registration_of(
            person_of(id),
        )),
    }
}

/// A person (NIK serial) per registration id: the server registers a NIK once
/// per placement, and the same id must always carry the same payload.
fn person_of(id: &str) -> u32 {
    // Numbered in order of first use, from 1000 (the persons tests use the
    // ones below).
    static PEOPLE: std::sync::Mutex<Option<std::collections::HashMap<String, u32>>> =
        std::sync::Mutex::new(None);
    let mut people = PEOPLE.lock().unwrap();
    let people = people.get_or_insert_with(Default::default);
    let next = 1000 + people.len() as u32;
    *people.entry(id.to_string()).or_insert(next)
}

fn reference(o: &ItemOutcome) -> &str {
    match o {
        ItemOutcome::Accepted { reference } | ItemOutcome::Duplicate { reference } => reference,
        other => panic!("{other:?}"),
    }
}

async fn store(storage: &Storage, p: &str, items: Vec<SubmissionItem>) -> Vec<ItemResult> {
    let clock = Clock::now(Lang::En);
    let prepared = prepare(&items, &clock);
    storage
        .store_batch(p.to_string(), items, prepared, clock)
        .await
        .unwrap()
}

/// The KPJ and payment code of each registration event.
fn numbers(events: &[Event]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| match &e.kind {
            EventKind::RegistrationDecided {
                kpj, payment_code, ..
            } => (kpj.clone(), payment_code.clone()),
            other => panic!("{other:?}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_batch_sent_twice_at_once_is_stored_once_with_one_answer() {
    for b in backends("one_batch_sent_twice_at_once").await {
        let storage = &b.storage;
        let p = enrolled(storage, "d").await;
        let items: Vec<_> = (0..10).map(|n| registration(&format!("r{n}"))).collect();
        let clock = Clock::now(Lang::En);
        // Each send decides on its own (its own references); storage keeps one.
        let send = || {
            let (s, p, items, clock) = (storage.clone(), p.clone(), items.clone(), clock.clone());
            tokio::spawn(async move {
                let prepared = prepare(&items, &clock);
                s.store_batch(p, items, prepared, clock).await.unwrap()
            })
        };
        let (x, y) = tokio::join!(send(), send());
        let (x, y) = (x.unwrap(), y.unwrap());
        for (x, y) in x.iter().zip(&y) {
            assert_eq!(reference(&x.outcome), reference(&y.outcome), "{}", b.name);
            let firsts = [&x.outcome, &y.outcome]
                .iter()
                .filter(|o| matches!(o, ItemOutcome::Accepted { .. }))
                .count();
            assert_eq!(firsts, 1, "{}: {x:?} {y:?}", b.name);
        }
        let (events, more) = storage.changes(p.clone(), 0, 100).await.unwrap();
        assert_eq!(events.len(), 10, "{}: one event per registration", b.name);
        assert!(!more);
        let mut seen = std::collections::HashSet::new();
        for (kpj, code) in numbers(&events) {
            assert!(seen.insert(kpj) && seen.insert(code), "{}", b.name);
        }
        // Sent again later: the same answers, as duplicates.
        let again = store(storage, &p, items.clone()).await;
        for (first, later) in x.iter().zip(&again) {
            assert_eq!(
                later.outcome,
                ItemOutcome::Duplicate {
                    reference: reference(&first.outcome).to_string()
                }
            );
        }
        b.finish().await;
    }
}

/// Batches sharing ids in opposite orders, at once: each id is stored once, and
/// neither batch fails (on PostgreSQL, rows are locked in id order, so the two
/// wait for each other instead of deadlocking). An id twice in one batch is
/// answered as a duplicate the second time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_ids_in_any_order_at_once_are_stored_once_without_deadlock() {
    for b in backends("shared_ids_in_any_order_at_once").await {
        let p = enrolled(&b.storage, "orders").await;
        let forward: Vec<_> = (0..12).map(|n| registration(&format!("x{n:02}"))).collect();
        let backward: Vec<_> = forward.iter().rev().cloned().collect();
        let tasks: Vec<_> = (0..4)
            .map(|t| {
                let items = if t % 2 == 0 {
                    forward.clone()
                } else {
                    backward.clone()
                };
                let (s, p) = (b.storage.clone(), p.clone());
                tokio::spawn(async move { store(&s, &p, items).await })
            })
            .collect();
        let mut accepted = 0;
        for t in tasks {
            for a in t.await.unwrap() {
                match a.outcome {
                    ItemOutcome::Accepted { .. } => accepted += 1,
                    ItemOutcome::Duplicate { .. } => {}
                    other => panic!("{}: {other:?}", b.name),
                }
            }
        }
        assert_eq!(accepted, 12, "{}", b.name);
        let (events, _) = b.storage.changes(p.clone(), 0, 100).await.unwrap();
        assert_eq!(events.len(), 12, "{}", b.name);
        let twice = store(&b.storage, &p, vec![registration("y"), registration("y")]).await;
        assert!(matches!(twice[0].outcome, ItemOutcome::Accepted { .. }));
        assert_eq!(
            twice[1].outcome,
            ItemOutcome::Duplicate {
                reference: reference(&twice[0].outcome).to_string()
            },
            "{}",
            b.name
        );
        b.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_registrations_get_unique_numbers() {
    for b in backends("concurrent_registrations_get_unique_numbers").await {
        let mut participants = Vec::new();
        for d in 0..4 {
            participants.push(enrolled(&b.storage, &format!("dev{d}")).await);
        }
        let tasks: Vec<_> = (0..8)
            .map(|t| {
                let (s, p) = (b.storage.clone(), participants[t % 4].clone());
                tokio::spawn(async move {
                    let items = (0..5).map(|n| registration(&format!("t{t}-{n}"))).collect();
                    store(&s, &p, items).await
                })
            })
            .collect();
        for t in tasks {
            let answers = t.await.unwrap();
            assert!(answers
                .iter()
                .all(|a| matches!(a.outcome, ItemOutcome::Accepted { .. })));
        }
        let mut all = Vec::new();
        for p in &participants {
            let (events, more) = b.storage.changes(p.clone(), 0, 100).await.unwrap();
            assert!(!more);
            all.extend(numbers(&events));
        }
        assert_eq!(all.len(), 40, "{}", b.name);
        let mut seen = std::collections::HashSet::new();
        for (kpj, code) in all {
            assert_eq!((kpj.len(), code.len()), (11, 11));
            assert!(
                seen.insert(kpj) && seen.insert(code),
                "{}: a number issued twice",
                b.name
            );
        }
        b.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_pages_in_order_and_only_for_its_participant() {
    for b in backends("the_feed_pages_in_order").await {
        let storage = &b.storage;
        let (x, y) = (enrolled(storage, "a").await, enrolled(storage, "b").await);
        for (p, n) in [(&x, 3), (&y, 2)] {
            let items = (0..n).map(|i| registration(&format!("{p}-{i}"))).collect();
            store(storage, p, items).await;
        }
        let (first, more) = storage.changes(x.clone(), 0, 2).await.unwrap();
        assert!(more);
        let after = first[1].seq;
        let (rest, more) = storage.changes(x.clone(), after, 2).await.unwrap();
        assert!(!more);
        assert_eq!(rest.len(), 1);
        assert!(first[0].seq < first[1].seq && first[1].seq < rest[0].seq);
        let (theirs, _) = storage.changes(y, 0, 10).await.unwrap();
        assert_eq!(theirs.len(), 2, "{}", b.name);
        b.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_issues_one_secret_and_revokes_older_tokens() {
    for b in backends("enrollment_issues_one_secret").await {
        let s = &b.storage;
        // One new device enrolling twice at once: one participant, one secret.
        let go = || {
            let s = s.clone();
            tokio::spawn(async move { s.enroll(attempt("twin", None, None)).await.unwrap() })
        };
        let (one, two) = tokio::join!(go(), go());
        let outcomes = [one.unwrap(), two.unwrap()];
        let issued = outcomes
            .iter()
            .filter(|o| {
                matches!(
                    o,
                    Enrolled::Yes {
                        secret_issued: true,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(issued, 1, "{}: {outcomes:?}", b.name);
        assert!(
            outcomes.contains(&Enrolled::Refused),
            "{}: {outcomes:?}",
            b.name
        );

        let first = attempt("phone", None, None);
        let Enrolled::Yes { participant, .. } = s.enroll(first.clone()).await.unwrap() else {
            panic!()
        };
        assert_eq!(
            s.authenticate(first.token_hash, 1)
                .await
                .unwrap()
                .as_deref(),
            Some(participant.as_str())
        );
        // Without its secret the device is refused; with it, a new token and
        // the old one revoked.
        assert_eq!(
            s.enroll(attempt("phone", None, None)).await.unwrap(),
            Enrolled::Refused
        );
        let again = attempt("phone", Some(first.new_secret_hash), None);
        assert_eq!(
            s.enroll(again.clone()).await.unwrap(),
            Enrolled::Yes {
                participant: participant.clone(),
                secret_issued: false
            }
        );
        assert_eq!(s.authenticate(first.token_hash, 2).await.unwrap(), None);
        assert_eq!(
            s.authenticate(again.token_hash, 3).await.unwrap(),
            Some(participant)
        );
        b.finish().await;
    }
}

/// A chunk upload of `data` (one chunk) for `p`.
fn chunk(p: &str, data: &[u8], sha: &str, quota: crate::limits::DocumentQuota) -> ChunkUpload {
    ChunkUpload {
        participant: p.to_string(),
        sha: sha.to_string(),
        size: data.len() as u64,
        idx: 0,
        data: data.to_vec(),
        quota,
        now: 5,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_reserve_quota_complete_and_refuse_a_wrong_hash() {
    for b in backends("attachments_reserve_quota").await {
        let s = &b.storage;
        let p = enrolled(s, "docs").await;
        let quota = crate::limits::DocumentQuota {
            participant: 100,
            total: 150,
        };
        let data = b"%PDF-1.4 sixty bytes or so of a document, for the test here.".to_vec();
        let sha = hex::encode(sha2::Sha256::digest(&data));
        assert_eq!(
            s.attachment_status(p.clone(), sha.clone()).await.unwrap(),
            None
        );
        assert_eq!(
            s.put_chunk(chunk(&p, &data, &sha, quota)).await.unwrap(),
            ChunkStored::Stored
        );
        let held = s
            .attachment_status(p.clone(), sha.clone())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((held.chunks_received, held.complete), (vec![0], false));
        // Another file would pass the participant's 100 bytes.
        let other = vec![7u8; 50];
        let other_sha = hex::encode(sha2::Sha256::digest(&other));
        assert_eq!(
            s.put_chunk(chunk(&p, &other, &other_sha, quota))
                .await
                .unwrap(),
            ChunkStored::OverParticipantQuota
        );
        let mut wrong_size = chunk(&p, &data, &sha, quota);
        wrong_size.size += 1;
        assert_eq!(
            s.put_chunk(wrong_size).await.unwrap(),
            ChunkStored::SizeMismatch
        );
        let Completion::Complete(done) = s
            .complete_attachment(p.clone(), sha.clone(), 9)
            .await
            .unwrap()
        else {
            panic!("{}", b.name)
        };
        assert!(done.complete);
        assert_eq!(
            s.put_chunk(chunk(&p, &data, &sha, quota)).await.unwrap(),
            ChunkStored::AlreadyComplete
        );
        // Bytes that are not the named file: every chunk dropped.
        let named = hex::encode(sha2::Sha256::digest(b"something else"));
        let q = crate::limits::DocumentQuota {
            participant: 1000,
            total: 1000,
        };
        s.put_chunk(chunk(&p, &other, &named, q)).await.unwrap();
        assert_eq!(
            s.complete_attachment(p.clone(), named.clone(), 9)
                .await
                .unwrap(),
            Completion::HashMismatch
        );
        assert_eq!(s.attachment_status(p.clone(), named).await.unwrap(), None);
        assert_eq!(
            s.complete_attachment(p, "0".repeat(64), 9).await.unwrap(),
            Completion::NotFound
        );
        b.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completion_cut_after_the_file_was_written_completes_on_the_retry() {
    for b in backends("a_completion_cut_after_the_file").await {
        let s = &b.storage;
        let p = enrolled(s, "cut").await;
        let quota = crate::limits::DocumentQuota {
            participant: 1000,
            total: 1000,
        };
        for (n, drop_chunks) in [(1u8, false), (2, true)] {
            let data = vec![n; 300];
            let sha = hex::encode(sha2::Sha256::digest(&data));
            s.put_chunk(chunk(&p, &data, &sha, quota)).await.unwrap();
            // The crash: the assembled file is written, the record is not (and, the
            // second time, another replica already dropped the chunks).
            let digest = s.files.assemble(&p, &sha, 1).await.unwrap();
            assert_eq!(hex::encode(digest), sha);
            if drop_chunks {
                s.files.discard_parts(&p, &sha).await.unwrap();
            }
            let held = s.attachment_status(p.clone(), sha.clone()).await.unwrap();
            assert!(!held.unwrap().complete, "{}: not recorded yet", b.name);
            let Completion::Complete(done) = s
                .complete_attachment(p.clone(), sha.clone(), 9)
                .await
                .unwrap()
            else {
                panic!("{}: the retry does not complete", b.name)
            };
            assert!(done.complete);
            assert_eq!(s.files.read(&p, &sha).await.unwrap(), data, "{}", b.name);
        }
        b.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_decide_in_one_transaction_and_page_the_list() {
    for b in backends("officers_decide").await {
        let s = &b.storage;
        let p = enrolled(s, "reg").await;
        store(
            s,
            &p,
            (0..3).map(|n| registration(&format!("o{n}"))).collect(),
        )
        .await;
        let (events, _) = s.changes(p.clone(), 0, 10).await.unwrap();
        let (kpj, _) = numbers(&events)[0].clone();
        let paid = s
            .event_for_kpj(kpj.clone(), "2026-02-01T00:00:00Z".into(), |found| {
                let reg = found.ok_or("none")?;
                assert!(reg.accepted);
                Ok::<_, &str>(EventKind::ContributionRecorded {
                    kpj: "k".into(),
                    programme: "jht".into(),
                    period: "2026-01".into(),
                    amount: 1,
                })
            })
            .await
            .unwrap()
            .unwrap();
        assert!(paid.seq > events[2].seq, "{}", b.name);
        let refused = s
            .event_for_kpj("00000000000".into(), "x".into(), |found| {
                assert!(found.is_none());
                Err::<EventKind, _>("no such registration")
            })
            .await
            .unwrap();
        assert!(refused.is_err());
        let rejected = s
            .event_for_submission("o1".into(), "2026-02-02T00:00:00Z".into(), |found| {
                let found = found.ok_or("none")?;
                assert_eq!(found.status, "accepted");
                Ok::<_, &str>(SubmissionDecision {
                    event: EventKind::ConsultationReplied {
                        submission_id: "o1".into(),
                        reply_id: "r".into(),
                        body: "no".into(),
                        from: "desk".into(),
                    },
                    reject: true,
                })
            })
            .await
            .unwrap()
            .unwrap();
        assert!(rejected.seq > paid.seq);
        let (feed, _) = s.changes(p.clone(), 0, 10).await.unwrap();
        assert_eq!(feed.len(), 5, "{}", b.name);
        // The list: two pages, oldest first, the rejection shown.
        let first = s.list_submissions(None, 0, 2).await.unwrap();
        assert!(first.has_more);
        let rest = s
            .list_submissions(
                Some(crate::decisions::validation::REGISTRATION.into()),
                first.last,
                2,
            )
            .await
            .unwrap();
        assert!(!rest.has_more);
        let ids: Vec<_> = first
            .submissions
            .iter()
            .chain(&rest.submissions)
            .map(|x| x.id.as_str())
            .collect();
        assert_eq!(ids, ["o0", "o1", "o2"], "{}", b.name);
        assert_eq!(first.submissions[1].status, "officer_rejected");
        assert!(first.submissions[0].kpj.is_some());
        assert!(s
            .list_submissions(Some("consultation".into()), 0, 10)
            .await
            .unwrap()
            .submissions
            .is_empty());
        b.finish().await;
    }
}

/// The change feed's promise under late commits (PostgreSQL only: SQLite's one
/// writer cannot commit out of order). A transaction starts appending first and
/// is held after writing its rows, before taking positions; another commits
/// meanwhile and the feed is read past it. When the first commits, its event
/// comes after the cursor handed out: nothing skipped, nothing twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_that_commits_late_is_not_skipped_by_the_feed() {
    let Some(b) = postgres("a_transaction_that_commits_late_is_not_skipped").await else {
        return;
    };
    let s = b.storage.clone();
    let p = enrolled(&s, "late").await;
    let (reached, release) = b.pg().hold_next(postgres::HoldPoint::BeforeCounter);
    let first = {
        let (s, p) = (s.clone(), p.clone());
        tokio::spawn(async move { store(&s, &p, vec![registration("started-first")]).await })
    };
    reached.await.unwrap();
    store(&s, &p, vec![registration("committed-first")]).await;
    let (page, _) = s.changes(p.clone(), 0, 10).await.unwrap();
    assert_eq!(page.len(), 1, "only the committed event");
    let cursor = page[0].seq;
    release.send(()).unwrap();
    first.await.unwrap();
    let (after, more) = s.changes(p.clone(), cursor, 10).await.unwrap();
    assert_eq!(after.len(), 1, "the late commit comes after the cursor");
    assert!(!more);
    let (all, _) = s.changes(p.clone(), 0, 10).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!([all[0].seq, all[1].seq], [cursor, after[0].seq]);
    // The officers' list is positioned the same way.
    let listed = s.list_submissions(None, 0, 10).await.unwrap().submissions;
    let ids: Vec<_> = listed.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids, ["committed-first", "started-first"]);
    b.finish().await;
}

/// Held after taking its positions, a transaction keeps the counter: a later
/// appender waits for its commit, so positions follow commit order and a reader
/// meanwhile sees neither.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_appender_waits_for_the_one_holding_the_counter() {
    let Some(b) = postgres("an_appender_waits_for_the_one_holding_the_counter").await else {
        return;
    };
    let s = b.storage.clone();
    let p = enrolled(&s, "order").await;
    let (reached, release) = b.pg().hold_next(postgres::HoldPoint::AfterCounter);
    let spawn_store = |id: &'static str| {
        let (s, p) = (s.clone(), p.clone());
        tokio::spawn(async move { store(&s, &p, vec![registration(id)]).await })
    };
    let first = spawn_store("holds-counter");
    reached.await.unwrap();
    let second = spawn_store("waits");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !second.is_finished(),
        "the second appender waits for the counter"
    );
    assert!(s.changes(p.clone(), 0, 10).await.unwrap().0.is_empty());
    release.send(()).unwrap();
    first.await.unwrap();
    second.await.unwrap();
    let (all, more) = s.changes(p.clone(), 0, 10).await.unwrap();
    assert!(!more);
    let ids: Vec<_> = all
        .iter()
        .map(|e| match &e.kind {
            EventKind::RegistrationDecided { submission_id, .. } => submission_id.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, ["holds-counter", "waits"]);
    assert!(s.changes(p, all[1].seq, 10).await.unwrap().0.is_empty());
    b.finish().await;
}

#[tokio::test]
async fn a_newer_postgres_schema_is_refused_and_left_untouched() {
    let Some(b) = postgres("a_newer_postgres_schema_is_refused").await else {
        return;
    };
    b.pg()
        .execute_for_tests("UPDATE schema_version SET version = version + 1")
        .await
        .unwrap();
    let Some(scratch) = &b.scratch else { panic!() };
    let location = DbLocation::Postgres {
        url: PgUrl::parse(&scratch.url).unwrap(),
        files: Documents::Folder(scratch._files.path().join("documents")),
    };
    let err = Storage::connect(&location, None).await.unwrap_err();
    assert_eq!(err.code(), "server.schema_too_new");
    let mut client = b.pg().client().await.unwrap();
    let version: i32 = client
        .query_one("SELECT version FROM schema_version", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(version, postgres::schema::VERSION + 1);
    // Migrating again at the current version changes nothing.
    b.pg()
        .execute_for_tests("UPDATE schema_version SET version = version - 1")
        .await
        .unwrap();
    postgres::schema::migrate(&mut client).await.unwrap();
    drop(client);
    b.finish().await;
}

#[tokio::test]
async fn readiness_compares_the_schema_with_this_code() {
    for b in backends("readiness_compares_the_schema").await {
        let s = &b.storage;
        assert_eq!(s.ready().await.unwrap(), Readiness::Ready, "{}", b.name);
        let expected = match &s.db {
            Database::Sqlite(_) => sqlite::schema::VERSION,
            Database::Postgres(_) => postgres::schema::VERSION as u32,
        };
        s.set_schema_version_for_tests(expected + 1).await.unwrap();
        assert_eq!(
            s.ready().await.unwrap(),
            Readiness::SchemaMismatch {
                found: expected + 1,
                expected
            },
            "{}",
            b.name
        );
        match s.pool_status() {
            None => assert_eq!(b.name, "sqlite"),
            Some(pool) => {
                assert_eq!(b.name, "postgres");
                assert!(pool.size >= 1 && pool.size <= pool.max_size, "{pool:?}");
                assert_eq!(pool.waiting, 0);
            }
        }
        // A database the server cannot reach is not ready, and says why.
        if let Database::Postgres(db) = &s.db {
            db.close();
            let err = s.ready().await.unwrap_err();
            assert_eq!(err.code(), "server.unavailable", "{err}");
        }
        b.finish().await;
    }
}

/// A database that is not there is an error that says so (answered 503), not a
/// panic; needs no PostgreSQL server.
#[tokio::test]
async fn an_unreachable_database_is_unavailable() {
    let files = tempfile::tempdir().unwrap();
    let location = DbLocation::Postgres {
        // Port 1 on loopback: nothing listens there.
        url: PgUrl::parse("postgres://rantau@127.0.0.1:1/rantau").unwrap(),
        files: Documents::Folder(files.path().join("documents")),
    };
    let err = Storage::connect(&location, None).await.unwrap_err();
    assert_eq!(err.code(), "server.unavailable", "{err}");
}

/// The sample registration of person `n` (its NIK serial) for the placement
/// `start`..`end` (contract dates; no departure date).
fn placement(id: &str, n: u32, start: &str, end: &str) -> SubmissionItem {
    let mut payload = rantau_core::forms::samples::sample_registration_of(n);
    payload.insert(field(Role::ContractStart), serde_json::json!(start));
    payload.insert(field(Role::ContractEnd), serde_json::json!(end));
    payload.remove(&field(Role::DepartureDate));
    SubmissionItem {
        id: id.into(),
        form_id: crate::decisions::validation::REGISTRATION.into(),
        form_version: 1,
        created_at: "2026-01-01T00:00:00Z".into(),
        payload: serde_json::Value::Object(payload),
    }
}

/// The id of the registration form's field that holds `role` (this file is
/// scanned as production code by `core/tests/no_field_ids.rs`).
fn field(role: Role) -> String {
    rantau_core::forms::builtin_form(crate::decisions::validation::REGISTRATION, Some(1))
        .and_then(|def| def.field_with_role(role))
        .map(|f| f.id.clone())
        .unwrap()
}

/// The NIK of sample person `n`.
fn nik_of(n: u32) -> String {
    rantau_core::forms::samples::sample_registration_of(n)[&field(Role::Nik)]
        .as_str()
        .unwrap()
        .to_string()
}

/// The KPJ of each registration event in `p`'s feed.
async fn kpjs(storage: &Storage, p: &str) -> Vec<String> {
    let (events, _) = storage.changes(p.to_string(), 0, 100).await.unwrap();
    numbers(&events).into_iter().map(|(kpj, _)| kpj).collect()
}

fn refused(o: &ItemOutcome) -> bool {
    matches!(o, ItemOutcome::Rejected { issues }
        if issues.len() == 1 && issues[0].code == crate::decisions::persons::ALREADY_REGISTERED)
}

#[tokio::test]
async fn a_person_is_registered_once_per_placement_whoever_sends_it() {
    for b in backends("a_person_is_registered_once_per_placement").await {
        let (s, name) = (&b.storage, b.name);
        let (pa, pb, pc) = (
            enrolled(s, "a").await,
            enrolled(s, "b").await,
            enrolled(s, "c").await,
        );
        let first = store(s, &pa, vec![placement("ra", 1, "2025-07-01", "2027-06-30")]).await;
        let reference_a = reference(&first[0].outcome).to_string();
        let kpj_a = kpjs(s, &pa).await;
        assert_eq!(kpj_a.len(), 1, "{name}");
        // Another phone, the same NIK, an overlapping placement: refused.
        let other = store(s, &pb, vec![placement("rb", 1, "2027-06-30", "2029-06-30")]).await;
        assert!(refused(&other[0].outcome), "{name}: {:?}", other[0].outcome);
        // Sent again (a retry): the same answer, as for any id.
        let again = store(s, &pb, vec![placement("rb", 1, "2027-06-30", "2029-06-30")]).await;
        assert_eq!(again[0].outcome, other[0].outcome, "{name}");
        // The first registration re-sent is still itself, not "already registered".
        let resent = store(s, &pa, vec![placement("ra", 1, "2025-07-01", "2027-06-30")]).await;
        assert_eq!(
            resent[0].outcome,
            ItemOutcome::Duplicate {
                reference: reference_a.clone()
            },
            "{name}"
        );
        // The refused phone learnt nothing through its feed.
        assert!(kpjs(s, &pb).await.is_empty(), "{name}");
        // A later placement of the same person, from a third phone: the same KPJ.
        let later = store(s, &pc, vec![placement("rc", 1, "2027-08-01", "2029-07-31")]).await;
        reference(&later[0].outcome);
        assert_eq!(kpjs(s, &pc).await, kpj_a, "{name}");
        // Both placements are held now: one inside either is refused.
        for (id, start, end) in [
            ("rd", "2027-07-01", "2027-07-31"),
            ("re", "2029-07-31", "2030-12-31"),
        ] {
            let out = store(s, &pc, vec![placement(id, 1, start, end)]).await;
            let gap = start == "2027-07-01";
            assert_eq!(
                !refused(&out[0].outcome),
                gap,
                "{name}: {id} {:?}",
                out[0].outcome
            );
        }
        // Two registrations of one new person in one batch: the first counts.
        let batch = store(
            s,
            &pa,
            vec![
                placement("x1", 2, "2025-07-01", "2027-06-30"),
                placement("x2", 2, "2026-01-01", "2027-12-31"),
            ],
        )
        .await;
        reference(&batch[0].outcome);
        assert!(refused(&batch[1].outcome), "{name}: {:?}", batch[1].outcome);
        b.finish().await;
    }
}

#[tokio::test]
async fn imported_people_are_refused_alike_and_an_import_is_whole_and_idempotent() {
    for b in backends("imported_people_are_refused_alike").await {
        let (s, name) = (&b.storage, b.name);
        let (pa, pb) = (enrolled(s, "a").await, enrolled(s, "b").await);
        let row = |n: u32, kpj: &str, start: &str, end: &str| {
            format!("{},Sri Wahyuni,1995-08-17,{kpj},{start},{end}\n", nik_of(n))
        };
        let file = |rows: &[String]| {
            let csv = format!("nik,name,birth_date,kpj,start,end\n{}", rows.concat());
            crate::decisions::import::parse(&csv, Lang::En).unwrap()
        };
        let import = |rows| async { s.import_persons(rows, Lang::En, 1).await.unwrap() };
        let three = row(3, "12345678901", "2025-01-01", "2027-12-31");
        let done = import(file(std::slice::from_ref(&three))).await.unwrap();
        assert_eq!((done.rows, done.added, done.unchanged), (1, 1, 0), "{name}");
        let twice = import(file(std::slice::from_ref(&three))).await.unwrap();
        assert_eq!(
            (twice.rows, twice.added, twice.unchanged),
            (1, 0, 1),
            "{name}"
        );

        // Refused alike: a person registered here, and one imported.
        store(s, &pa, vec![placement("r4", 4, "2025-07-01", "2027-06-30")]).await;
        let here = store(s, &pb, vec![placement("b4", 4, "2025-07-01", "2027-06-30")]).await;
        let imported = store(s, &pb, vec![placement("b3", 3, "2025-07-01", "2027-06-30")]).await;
        assert!(refused(&here[0].outcome), "{name}: {:?}", here[0].outcome);
        assert_eq!(here[0].outcome, imported[0].outcome, "{name}");

        // A file with a bad row imports nothing; every bad row is named.
        let bad = file(&[
            row(5, "12345678905", "2025-01-01", "2027-12-31"),
            row(3, "99999999999", "2028-01-01", "2029-12-31"),
            row(6, "12345678901", "2025-01-01", "2027-12-31"),
            row(3, "12345678901", "2026-01-01", "2026-06-30"),
        ]);
        let errors = import(bad).await.unwrap_err();
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.code.as_str())).collect();
        assert_eq!(
            got,
            [
                (3, "import.nik_other_kpj"),
                (4, "import.kpj_other_nik"),
                (5, "import.overlaps")
            ],
            "{name}"
        );
        // Row 2 was not kept: person 5 registers freely, under a KPJ of their own.
        let five = store(s, &pa, vec![placement("r5", 5, "2025-07-01", "2027-06-30")]).await;
        reference(&five[0].outcome);
        assert_ne!(kpjs(s, &pa).await[1], "12345678905", "{name}");

        // A later window for the imported person, then a registration after it:
        // the imported KPJ is theirs.
        let later = import(file(&[
            three.clone(),
            row(3, "12345678901", "2028-01-01", "2029-12-31"),
        ]))
        .await
        .unwrap();
        assert_eq!((later.added, later.unchanged), (1, 1), "{name}");
        let fresh = store(
            s,
            &pb,
            vec![placement("b3-later", 3, "2030-01-01", "2031-12-31")],
        )
        .await;
        reference(&fresh[0].outcome);
        assert_eq!(kpjs(s, &pb).await, ["12345678901"], "{name}");
        b.finish().await;
    }
}

/// A PostgreSQL database at schema 1 (before persons) with a registration in
/// it: migrating keeps it and makes its sender a person's device.
#[tokio::test]
async fn a_postgres_database_before_persons_keeps_its_registrations_as_persons() {
    let Ok(admin_url) = std::env::var(PG_ENV) else {
        eprintln!("a_postgres_database_before_persons: skipped ({PG_ENV} is not set)");
        return;
    };
    let dbname = format!("rantau_test_{}", uuid::Uuid::new_v4().simple());
    let url = create_database(&admin_url, &dbname).await.unwrap();
    let old = PgDb::unmigrated_for_tests(&PgUrl::parse(&url).unwrap()).unwrap();
    postgres::schema::migrate_to_for_tests(&mut old.client().await.unwrap(), 1)
        .await
        .unwrap();
    let payload = crate::decisions::ids::canonical_json(&serde_json::Value::Object(
        rantau_core::forms::samples::sample_registration_of(7),
    ));
    // Two registrations of one NIK (an old server gave each a KPJ), and one
    // form that registers no one.
    old.execute_for_tests(&format!(
        "INSERT INTO participants VALUES ('p1', 'd1', '', 1), ('p2', 'd2', '', 2);
         UPDATE positions SET n = 3;
         INSERT INTO submissions (id, participant_id, form_id, form_version, payload_hash, payload, created_at,
                                  received_at, status, answer, reference, pos)
         VALUES ('s1', 'p1', 'pmi-registration', 1, '\\x00', '{p}', 't', 10, 'accepted', '{{}}', 'REG-1', 1),
                ('s2', 'p2', 'pmi-registration', 1, '\\x00', '{p}', 't', 20, 'accepted', '{{}}', 'REG-2', 2),
                ('s3', 'p2', 'consultation', 1, '\\x00', '{{}}', 't', 30, 'accepted', '{{}}', 'KONS-1', 3);
         INSERT INTO registrations VALUES
           ('s1', 'p1', '11111111111', '21111111111', 1, 'x', 'p3mi', '2026-01-01', NULL, '2025-07-01', '2027-06-30'),
           ('s2', 'p2', '11111111112', '21111111112', 1, 'x', 'p3mi', '2026-01-02', '2025-08-01', '2025-07-01', '2027-06-30');",
        p = payload.replace('\'', "''")
    ))
    .await
    .unwrap();
    old.close();
    let files = tempfile::tempdir().unwrap();
    let location = DbLocation::Postgres {
        url: PgUrl::parse(&url).unwrap(),
        files: Documents::Folder(files.path().join("documents")),
    };
    let storage = Storage::connect(&location, None).await.unwrap();
    assert_eq!(storage.ready().await.unwrap(), Readiness::Ready);
    let Database::Postgres(db) = &storage.db else {
        panic!()
    };
    let client = db.client().await.unwrap();
    let persons = client
        .query("SELECT nik, kpj FROM persons", &[])
        .await
        .unwrap();
    assert_eq!(persons.len(), 1);
    assert_eq!(persons[0].get::<_, String>(0), nik_of(7));
    assert_eq!(persons[0].get::<_, String>(1), "11111111111");
    let devices: Vec<String> = client
        .query("SELECT participant_id FROM person_devices ORDER BY 1", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(devices, ["p1", "p2"]);
    let memberships: Vec<(String, String, String, Option<String>)> = client
        .query(
            "SELECT kpj, starts, ends, submission_id FROM memberships ORDER BY kpj",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert_eq!(
        memberships,
        [
            (
                "11111111111".into(),
                "2025-07-01".into(),
                "2027-06-30".into(),
                Some("s1".into())
            ),
            (
                "11111111112".into(),
                "2025-08-01".into(),
                "2027-06-30".into(),
                Some("s2".into())
            ),
        ]
    );
    drop(client);
    // The migrated person is refused a second registration for that placement.
    let p = enrolled(&storage, "d3").await;
    let out = store(
        &storage,
        &p,
        vec![placement("s4", 7, "2026-01-01", "2026-12-31")],
    )
    .await;
    assert!(refused(&out[0].outcome), "{:?}", out[0].outcome);
    db.close();
    drop(storage);
    let admin = admin_client(&admin_url).await;
    admin
        .batch_execute(&format!("DROP DATABASE \"{dbname}\" WITH (FORCE)"))
        .await
        .unwrap();
}

/// Two phones registering one person for one placement at the same moment:
/// exactly one is accepted, the other refused (PostgreSQL: the NIK's lock).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_phones_registering_one_person_at_once_get_one_membership() {
    for b in backends("two_phones_registering_one_person_at_once").await {
        let s = &b.storage;
        let (pa, pb) = (enrolled(s, "a").await, enrolled(s, "b").await);
        for round in 0..8u32 {
            let send = |p: String, id: String| {
                let s = s.clone();
                tokio::spawn(async move {
                    let item = placement(&id, 500 + round, "2025-07-01", "2027-06-30");
                    store(&s, &p, vec![item]).await.remove(0).outcome
                })
            };
            let (x, y) = tokio::join!(
                send(pa.clone(), format!("race-a-{round}")),
                send(pb.clone(), format!("race-b-{round}"))
            );
            let outcomes = [x.unwrap(), y.unwrap()];
            let accepted = outcomes
                .iter()
                .filter(|o| matches!(o, ItemOutcome::Accepted { .. }))
                .count();
            let refusals = outcomes.iter().filter(|o| refused(o)).count();
            assert_eq!((accepted, refusals), (1, 1), "{}: {outcomes:?}", b.name);
        }
        b.finish().await;
    }
}

/// A registration an officer rejected holds no placement: the person may
/// register for it again.
#[tokio::test]
async fn a_registration_an_officer_rejected_does_not_hold_the_placement() {
    for b in backends("a_registration_an_officer_rejected").await {
        let (s, name) = (&b.storage, b.name);
        let p = enrolled(s, "a").await;
        let first = store(
            s,
            &p,
            vec![placement("r1", 600, "2025-07-01", "2027-06-30")],
        )
        .await;
        reference(&first[0].outcome);
        let again = store(
            s,
            &p,
            vec![placement("r2", 600, "2025-07-01", "2027-06-30")],
        )
        .await;
        assert!(refused(&again[0].outcome), "{name}");
        s.event_for_submission("r1".into(), "2026-01-02T00:00:00Z".into(), |found| {
            assert!(found.is_some());
            Ok::<_, ()>(SubmissionDecision {
                event: EventKind::RegistrationRejected {
                    submission_id: "r1".into(),
                    reason: rantau_core::Localized::new("Ditolak", "Rejected"),
                },
                reject: true,
            })
        })
        .await
        .unwrap()
        .unwrap();
        let third = store(
            s,
            &p,
            vec![placement("r3", 600, "2025-07-01", "2027-06-30")],
        )
        .await;
        reference(&third[0].outcome);
        b.finish().await;
    }
}

/// The registration form's e-mail field (found by its kind: this file is
/// scanned for field ids).
fn email_field() -> String {
    let def = rantau_core::forms::builtin_form(crate::decisions::validation::REGISTRATION, Some(1))
        .unwrap();
    def.pages
        .iter()
        .flat_map(|p| p.fields.iter())
        .find(|f| f.kind == rantau_core::forms::Kind::Email)
        .map(|f| f.id.clone())
        .unwrap()
}

/// A link start of participant `p` for `claim`, with `code` as the e-mailed code.
fn link_start(
    p: &str,
    claim: crate::decisions::link::Claim,
    birth: &str,
    channel: crate::decisions::link::Channel,
    code: &str,
    now: i64,
) -> LinkStart {
    let id = uuid::Uuid::new_v4().to_string();
    let code_id = uuid::Uuid::new_v4().to_string();
    LinkStart {
        id,
        participant: p.into(),
        claim,
        birth_date: NaiveDate::parse_from_str(birth, "%Y-%m-%d").unwrap(),
        channel,
        code_hash: crate::decisions::link::code_hash(&code_id, code),
        code_id,
        now,
    }
}

fn link_confirm(p: &str, id: &str, code: &str, now: i64) -> LinkConfirm {
    LinkConfirm {
        id: id.into(),
        participant: p.into(),
        code: code.into(),
        now,
        at: "2026-03-01T00:00:00Z".into(),
    }
}

#[tokio::test]
async fn a_device_links_to_a_person_by_a_single_use_limited_code_and_gets_their_history() {
    use crate::decisions::link::{Channel, Claim, Confirmation, CODE_TTL_MS, MAX_STARTS_PER_HOUR};
    const BIRTH: &str = "1995-08-17";
    let now = 1_800_000_000_000_i64;
    for b in backends("a_device_links_to_a_person").await {
        let (s, name) = (&b.storage, b.name);
        let (pa, pb, pc, pd) = (
            enrolled(s, "a").await,
            enrolled(s, "b").await,
            enrolled(s, "c").await,
            enrolled(s, "d").await,
        );
        // Person 20 registered on phone a, with an e-mail address.
        let mut reg = placement("l20", 20, "2025-07-01", "2027-06-30");
        reg.payload[&email_field()] = serde_json::json!("siti@example.id");
        store(s, &pa, vec![reg]).await;
        let kpj = kpjs(s, &pa).await[0].clone();
        let nik = Claim::Nik(nik_of(20));

        // A wrong birth date, an unknown NIK, the officer channel: nothing mailed.
        for (claim, birth, channel) in [
            (nik.clone(), "1995-08-18", Channel::Email),
            (Claim::Nik(nik_of(29)), BIRTH, Channel::Email),
            (nik.clone(), BIRTH, Channel::Officer),
        ] {
            let start = link_start(&pb, claim, birth, channel, "111111", now);
            assert_eq!(s.link_start(start).await.unwrap(), None, "{name}");
        }
        // The unknown NIK's attempt fails like a wrong code.
        let ghost = link_start(
            &pb,
            Claim::Nik(nik_of(29)),
            BIRTH,
            Channel::Email,
            "111111",
            now,
        );
        let ghost_id = ghost.id.clone();
        s.link_start(ghost).await.unwrap();
        assert_eq!(
            s.link_confirm(link_confirm(&pb, &ghost_id, "111111", now))
                .await
                .unwrap(),
            Confirmation::Wrong { left: 4 },
            "{name}"
        );

        // By e-mail: the code goes to the address on file (matched by KPJ too).
        let start = link_start(
            &pb,
            Claim::Kpj(kpj.clone()),
            BIRTH,
            Channel::Email,
            "123456",
            now,
        );
        let id = start.id.clone();
        assert_eq!(
            s.link_start(start).await.unwrap().as_deref(),
            Some("siti@example.id"),
            "{name}"
        );
        // Another device cannot use this attempt; a wrong code changes nothing but the count.
        assert_eq!(
            s.link_confirm(link_confirm(&pc, &id, "123456", now))
                .await
                .unwrap(),
            Confirmation::NotFound
        );
        assert_eq!(
            s.link_confirm(link_confirm(&pb, &id, "654321", now))
                .await
                .unwrap(),
            Confirmation::Wrong { left: 4 }
        );
        assert!(
            s.changes(pb.clone(), 0, 100).await.unwrap().0.is_empty(),
            "{name}"
        );
        let linked = s
            .link_confirm(link_confirm(&pb, &id, "123 456", now + 1))
            .await
            .unwrap();
        assert!(
            matches!(linked, Confirmation::Link { .. }),
            "{name}: {linked:?}"
        );
        // Used once: the same code again is refused, and nothing more is copied.
        assert_eq!(
            s.link_confirm(link_confirm(&pb, &id, "123456", now + 2))
                .await
                .unwrap(),
            Confirmation::Used,
            "{name}"
        );
        let (feed, _) = s.changes(pb.clone(), 0, 100).await.unwrap();
        assert_eq!(
            numbers(&feed),
            numbers(&s.changes(pa.clone(), 0, 100).await.unwrap().0),
            "{name}"
        );

        // Later news about the person reaches both phones.
        let paid = kpj.clone();
        s.event_for_kpj(kpj.clone(), "2026-04-01T00:00:00Z".into(), move |found| {
            found.ok_or("none")?;
            Ok::<_, &str>(EventKind::ContributionRecorded {
                kpj: paid,
                programme: "jht".into(),
                period: "2026-03".into(),
                amount: 1,
            })
        })
        .await
        .unwrap()
        .unwrap();
        for p in [&pa, &pb] {
            let (feed, _) = s.changes(p.clone(), 0, 100).await.unwrap();
            assert!(
                matches!(
                    feed.last().map(|e| &e.kind),
                    Some(EventKind::ContributionRecorded { .. })
                ),
                "{name}: {feed:?}"
            );
        }
        assert!(
            s.changes(pc.clone(), 0, 100).await.unwrap().0.is_empty(),
            "{name}"
        );

        // An attempt past its time: expired, nothing changes.
        let start = link_start(&pc, nik.clone(), BIRTH, Channel::Email, "222222", now);
        let id = start.id.clone();
        s.link_start(start).await.unwrap();
        assert_eq!(
            s.link_confirm(link_confirm(&pc, &id, "222222", now + CODE_TTL_MS + 1))
                .await
                .unwrap(),
            Confirmation::Expired,
            "{name}"
        );
        // Five wrong codes lock the attempt: the right one no longer links.
        let start = link_start(&pc, nik.clone(), BIRTH, Channel::Email, "333333", now);
        let id = start.id.clone();
        s.link_start(start).await.unwrap();
        for left in (0..5).rev() {
            assert_eq!(
                s.link_confirm(link_confirm(&pc, &id, "000000", now))
                    .await
                    .unwrap(),
                Confirmation::Wrong { left },
                "{name}"
            );
        }
        assert_eq!(
            s.link_confirm(link_confirm(&pc, &id, "333333", now))
                .await
                .unwrap(),
            Confirmation::Locked,
            "{name}"
        );
        assert!(
            s.changes(pc.clone(), 0, 100).await.unwrap().0.is_empty(),
            "{name}"
        );
        // At most MAX_STARTS_PER_HOUR attempts a person per hour are bound (and mailed).
        let mut mailed = 0;
        for _ in 0..MAX_STARTS_PER_HOUR + 2 {
            let start = link_start(&pc, nik.clone(), BIRTH, Channel::Email, "444444", now + 10);
            mailed += usize::from(s.link_start(start).await.unwrap().is_some());
        }
        // The officer-channel start, the e-mail one that linked, the expired
        // and the locked ones were bound already this hour.
        assert_eq!(mailed, MAX_STARTS_PER_HOUR as usize - 4, "{name}");
        let later = link_start(
            &pc,
            nik.clone(),
            BIRTH,
            Channel::Email,
            "444444",
            now + 2 * 3_600_000,
        );
        assert!(s.link_start(later).await.unwrap().is_some(), "{name}");

        // A person imported by an officer links phone d with an officer's code.
        let csv = format!(
            "nik,name,birth_date,kpj,start,end\n{},Sri Wahyuni,{BIRTH},12345678921,2026-01-01,2027-12-31\n",
            nik_of(21)
        );
        let rows = crate::decisions::import::parse(&csv, Lang::En).unwrap();
        s.import_persons(rows, Lang::En, 1).await.unwrap().unwrap();
        let code_id = uuid::Uuid::new_v4().to_string();
        let officer = |claim| OfficerLinkCode {
            claim,
            code_id: code_id.clone(),
            code_hash: crate::decisions::link::code_hash(&code_id, "765432"),
            now,
        };
        assert!(!s
            .officer_link_code(officer(Claim::Kpj("99999999999".into())))
            .await
            .unwrap());
        assert!(s
            .officer_link_code(officer(Claim::Kpj("12345678921".into())))
            .await
            .unwrap());
        let start = link_start(
            &pd,
            Claim::Nik(nik_of(21)),
            BIRTH,
            Channel::Officer,
            "-",
            now,
        );
        let id = start.id.clone();
        assert_eq!(s.link_start(start).await.unwrap(), None, "{name}");
        let linked = s
            .link_confirm(link_confirm(&pd, &id, "765432", now + 5))
            .await
            .unwrap();
        assert!(
            matches!(linked, Confirmation::Link { .. }),
            "{name}: {linked:?}"
        );
        let (feed, _) = s.changes(pd.clone(), 0, 100).await.unwrap();
        let kinds: Vec<&EventKind> = feed.iter().map(|e| &e.kind).collect();
        assert_eq!(
            kinds,
            [&EventKind::MembershipOnFile {
                kpj: "12345678921".into(),
                starts: "2026-01-01".into(),
                ends: "2027-12-31".into(),
            }],
            "{name}"
        );
        b.finish().await;
    }
}
