//! End to end: device credentials between the core's sync engine and the
//! reference server on loopback. The secret from the first enrollment lives in the
//! profile's encrypted store; a revoked token is replaced within the same sync,
//! with no attempt counted against the outbox and every form delivered once.

// A test file: unwrap and expect are the assertions here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;

use rantau_core::protocol::wire::{EnrollResponse, ErrorBody};
use rantau_core::store::meta::get_meta;
use rantau_core::store::outbox::{list_submissions, OutboxState};
use rantau_core::store::Store;
use rantau_core::sync::{self, NoObserver, SyncConfig, SyncObserver, SyncState};
use rantau_server::DbLocation;
use rantau_tests::data::{client_store, finalize_registrations, states};
use rantau_tests::proxy::{Fault, Proxy};
use rantau_tests::server::{counts, start};
use serde_json::json;

fn config(url: &str) -> SyncConfig {
    let mut c = SyncConfig::new(url).unwrap();
    c.lang = rantau_core::Lang::En;
    c
}

fn meta(store: &Store, key: &str) -> Option<String> {
    store
        .read(|c| get_meta(c, key))
        .unwrap()
        .filter(|v| !v.is_empty())
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// `POST /v1/devices` from outside the app (an attacker, or a second copy of the
/// profile): status and body.
async fn enroll_raw(addr: SocketAddr, body: serde_json::Value) -> (u16, Vec<u8>) {
    let r = http()
        .post(format!("http://{addr}/v1/devices"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

async fn token_status(addr: SocketAddr, token: &str) -> u16 {
    http()
        .get(format!("http://{addr}/v1/changes"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Every id on the server once, accepted locally, and no failed attempt counted.
async fn delivered_once_without_a_failed_attempt(addr: SocketAddr, store: &Store, ids: &[String]) {
    let on_server = counts(addr).await;
    for id in ids {
        assert_eq!(
            on_server.get(id),
            Some(&1),
            "{id} must be on the server once"
        );
    }
    assert_eq!(
        on_server.values().sum::<usize>(),
        ids.len(),
        "no extra records"
    );
    for row in store.read(list_submissions).unwrap() {
        assert_eq!(row.state, OutboxState::Accepted, "{}", row.id);
        assert_eq!(
            row.attempts, 0,
            "{}: a refused token is not the form's failure",
            row.id
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
async fn an_attacker_who_knows_the_device_id_gets_no_token() {
    let server = start(DbLocation::Memory).await;
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let cfg = config(&format!("http://{}", server.addr));
    sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    let device_id = meta(&store, "sync.device_id").unwrap();
    let secret = meta(&store, "sync.device_secret").expect("the secret is kept in the profile");
    assert_eq!(secret.len(), 64);

    let (status, body) = enroll_raw(server.addr, json!({"device_id": device_id})).await;
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));
    let err: ErrorBody = serde_json::from_slice(&body).unwrap();
    assert_eq!(err.code, "device.secret_mismatch");
    assert!(
        serde_json::from_slice::<EnrollResponse>(&body).is_err(),
        "no token in the answer"
    );

    // The phone is not disturbed: its token still works, no enrollment needed.
    let ids = finalize_registrations(&store, 2);
    let observer = Recorder::default();
    let report = sync::sync(&store, &cfg, &observer).await.unwrap();
    assert_eq!(report.accepted, 2);
    assert!(!observer.0.lock().unwrap().contains(&SyncState::Enrolling));
    delivered_once_without_a_failed_attempt(server.addr, &store, &ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_is_replaced_within_the_sync_and_the_outbox_delivers_once() {
    let server = start(DbLocation::Memory).await;
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let cfg = config(&format!("http://{}", server.addr));
    sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    let old_token = meta(&store, "sync.token").unwrap();
    let participant = meta(&store, "sync.participant_id").unwrap();
    let ids = finalize_registrations(&store, 120);

    // The same profile enrolls elsewhere (a restored backup on a new phone): the
    // server gives it a new token and revokes the one this store holds.
    let (status, body) = enroll_raw(
        server.addr,
        json!({"device_id": meta(&store, "sync.device_id"), "device_secret": meta(&store, "sync.device_secret")}),
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let elsewhere: EnrollResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(token_status(server.addr, &old_token).await, 401);

    let observer = Recorder::default();
    let report = sync::sync(&store, &cfg, &observer).await.unwrap();
    assert_eq!(report.accepted, 120, "{report:?}");
    assert!(
        !report.auth_lost && report.push_error.is_none(),
        "{report:?}"
    );
    assert!(observer.0.lock().unwrap().contains(&SyncState::Enrolling));
    delivered_once_without_a_failed_attempt(server.addr, &store, &ids).await;
    // Same participant, a new live token; the other copy's token is now the revoked one.
    assert_eq!(meta(&store, "sync.participant_id").unwrap(), participant);
    let new_token = meta(&store, "sync.token").unwrap();
    assert_ne!(new_token, old_token);
    assert_eq!(token_status(server.addr, &new_token).await, 200);
    assert_eq!(token_status(server.addr, &elsewhere.token).await, 401);
    // A later sync finds nothing to do and needs no enrollment.
    let observer = Recorder::default();
    let report = sync::sync(&store, &cfg, &observer).await.unwrap();
    assert_eq!((report.sent, report.accepted), (0, 0));
    assert!(!observer.0.lock().unwrap().contains(&SyncState::Enrolling));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_first_enrollment_answer_starts_again_under_a_new_device_id() {
    let server = start(DbLocation::Memory).await;
    let proxy = Proxy::start(server.addr).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let ids = finalize_registrations(&store, 3);
    let cfg = config(&proxy.url());

    // The server enrolls the device (and makes its secret); the answer never arrives.
    proxy.plan([Fault::DropResponse]);
    let err = sync::sync(&store, &cfg, &NoObserver).await.unwrap_err();
    assert_eq!(err.code(), "sync.network");
    let first_id = meta(&store, "sync.device_id").unwrap();
    assert_eq!(meta(&store, "sync.device_secret"), None);
    assert_eq!(states(&store).get("queued"), Some(&3));

    // That id now needs a secret the phone never got: it starts over under a new
    // one (nothing was ever sent under the first).
    let report = sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    assert_eq!(report.accepted, 3);
    assert_ne!(meta(&store, "sync.device_id").unwrap(), first_id);
    assert!(meta(&store, "sync.device_secret").is_some());
    delivered_once_without_a_failed_attempt(server.addr, &store, &ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_whose_secret_is_refused_gets_a_typed_error_and_keeps_its_forms() {
    let server = start(DbLocation::Memory).await;
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    let cfg = config(&format!("http://{}", server.addr));
    sync::sync(&store, &cfg, &NoObserver).await.unwrap();
    let ids = finalize_registrations(&store, 2);
    // The stored secret is damaged and the token is gone: the device cannot prove itself.
    store
        .write(|tx| {
            rantau_core::store::meta::set_meta(tx, "sync.device_secret", &"0".repeat(64))?;
            rantau_core::store::meta::set_meta(tx, "sync.token", "")
        })
        .unwrap();
    let observer = Recorder::default();
    let err = sync::sync(&store, &cfg, &observer).await.unwrap_err();
    assert_eq!(err.code(), "sync.device_secret_mismatch");
    assert_eq!(
        observer.0.lock().unwrap().last(),
        Some(&SyncState::Failed {
            code: "sync.device_secret_mismatch".into()
        })
    );
    for lang in [rantau_core::Lang::Id, rantau_core::Lang::En] {
        let message = rantau_core::base::messages::render(err.code(), lang, &[]);
        assert_ne!(message, err.code(), "no {lang:?} message");
    }
    // Nothing sent, nothing lost, nothing counted against the forms.
    assert_eq!(states(&store).get("queued"), Some(&2));
    assert!(counts(server.addr).await.is_empty());
    assert!(store
        .read(list_submissions)
        .unwrap()
        .iter()
        .all(|r| r.attempts == 0));
    assert_eq!(ids.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_enrolled_before_device_secrets_claims_one_with_its_token() {
    let db_dir = tempfile::tempdir().unwrap();
    let db = DbLocation::File(db_dir.path().join("server.db"));
    let server = start(db.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = client_store(dir.path());
    sync::sync(
        &store,
        &config(&format!("http://{}", server.addr)),
        &NoObserver,
    )
    .await
    .unwrap();
    let participant = meta(&store, "sync.participant_id").unwrap();
    let old_token = meta(&store, "sync.token").unwrap();
    server.shutdown().await.unwrap();
    // What a profile and a server from before device secrets look like.
    let db_path = db_dir.path().join("server.db");
    let key = rantau_server::storage::key::load_or_create(
        &rantau_server::storage::key::default_key_path(&db_path),
        false,
    )
    .unwrap();
    rantau_server::storage::sqlite::SqliteDb::open(&db, &key)
        .unwrap()
        .execute_for_tests("DELETE FROM device_secrets")
        .unwrap();
    store
        .write(|tx| rantau_core::store::meta::set_meta(tx, "sync.device_secret", ""))
        .unwrap();

    let server = start(db).await;
    let ids = finalize_registrations(&store, 2);
    let report = sync::sync(
        &store,
        &config(&format!("http://{}", server.addr)),
        &NoObserver,
    )
    .await
    .unwrap();
    assert_eq!(report.accepted, 2, "{report:?}");
    assert!(
        meta(&store, "sync.device_secret").is_some(),
        "a secret was claimed"
    );
    assert_eq!(meta(&store, "sync.participant_id").unwrap(), participant);
    assert_eq!(token_status(server.addr, &old_token).await, 401);
    delivered_once_without_a_failed_attempt(server.addr, &store, &ids).await;
}
