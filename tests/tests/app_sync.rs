//! End to end: syncing through the app API (`Profile::sync`), the way the phone's
//! screens, its background worker and the CLI do it, against the reference server
//! on loopback: the network gate, the shared sync state, and the reasons a sync
//! waits, each with what would help.

// A test file: unwrap and expect are the assertions here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use rantau_core::app::profile::Profile;
use rantau_core::app::sync::{
    Network, SyncAction, SyncListener, SyncSettings, SyncStatus, WaitReason,
};
use rantau_core::store::Key;
use rantau_core::sync::{NoObserver, SyncConfig};
use rantau_core::Lang;
use rantau_server::DbLocation;
use rantau_tests::data::finalize_registrations;
use rantau_tests::proxy::{Fault, Proxy};
use rantau_tests::server::{counts, start};

const ROAMING: Network = Network {
    connected: true,
    unmetered: false,
    roaming: true,
};

fn profile(dir: &std::path::Path, key: &Key) -> Profile {
    let p = match Profile::open(dir, "worker", key) {
        Ok(p) => p,
        Err(_) => Profile::create(dir, "worker", key).unwrap(),
    };
    p.set_lang(Lang::En);
    p
}

#[derive(Default)]
struct Seen(Mutex<Vec<SyncStatus>>);
impl SyncListener for Seen {
    fn on_status(&self, status: SyncStatus) {
        self.0.lock().unwrap().push(status);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roaming_holds_the_outbox_back_and_says_so_until_the_worker_allows_it() {
    let server = start(DbLocation::Memory).await;
    let dir = tempfile::tempdir().unwrap();
    let p = profile(dir.path(), &Key::generate());
    let ids = finalize_registrations(p.store(), 2);
    let config = SyncConfig::new(&format!("http://{}", server.addr)).unwrap();

    let run = p.sync(&config, ROAMING, &NoObserver).await.unwrap();
    assert!(run.report.is_none(), "nothing was sent");
    assert_eq!(run.status.waiting, Some(WaitReason::Roaming));
    assert_eq!(run.status.action, Some(SyncAction::AllowRoaming));
    assert_eq!(run.status.headline, "Not sent while roaming");
    assert!(run.status.work_left);
    assert!(counts(server.addr).await.is_empty());

    let offline = Network {
        connected: false,
        ..ROAMING
    };
    let run = p.sync(&config, offline, &NoObserver).await.unwrap();
    assert_eq!(run.status.action, Some(SyncAction::OpenNetworkSettings));

    // The worker taps "Allow while roaming".
    p.set_sync_settings(SyncSettings {
        wifi_only: false,
        allow_roaming: true,
        documents_wifi_only: false,
    })
    .unwrap();
    let run = p.sync(&config, ROAMING, &NoObserver).await.unwrap();
    assert_eq!(run.report.as_ref().map(|r| r.accepted), Some(2));
    assert_eq!(run.status.waiting, None);
    assert!(!run.status.work_left);
    assert_eq!(run.status.headline, "Synced just now");
    assert_eq!(
        run.status.last_result.as_deref(),
        Some("2 accepted, 0 refused, 0 waiting, 2 news received")
    );
    let on_server = counts(server.addr).await;
    assert!(ids.iter().all(|id| on_server.get(id) == Some(&1)));

    // Wi-Fi only, on mobile data: held back again, with the other remedy.
    p.set_sync_settings(SyncSettings {
        wifi_only: true,
        allow_roaming: true,
        documents_wifi_only: false,
    })
    .unwrap();
    let mobile = Network {
        roaming: false,
        ..ROAMING
    };
    let run = p.sync(&config, mobile, &NoObserver).await.unwrap();
    assert_eq!(run.status.waiting, Some(WaitReason::WifiOnly));
    assert_eq!(run.status.action, Some(SyncAction::AllowMobileData));
    assert!(!run.status.work_left, "nothing is waiting to be sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_server_and_a_broken_link_are_told_apart() {
    let server = start(DbLocation::Memory).await;
    let proxy = Proxy::start(server.addr).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = profile(dir.path(), &Key::generate());
    finalize_registrations(p.store(), 3);
    let config = SyncConfig::new(&proxy.url()).unwrap();

    // Enrolment passes; the batch is refused with 429 and Retry-After: 600.
    proxy.plan([Fault::Pass, Fault::RateLimited(600)]);
    let before = chrono::Utc::now().timestamp_millis();
    let run = p.sync(&config, Network::WIRED, &NoObserver).await.unwrap();
    match run.status.waiting {
        Some(WaitReason::ServerAskedToWait { until }) => {
            assert!(until >= before + 590_000, "as long as the server asked");
        }
        other => panic!("expected the server's wait, got {other:?}"),
    }
    assert_eq!(run.status.action, None, "nothing to do but wait");
    assert!(run
        .status
        .headline
        .starts_with("The server is busy; sending again in"));
    assert!(run.status.work_left);

    // A broken link is retried, and the worker may try at once.
    let dir2 = tempfile::tempdir().unwrap();
    let q = profile(dir2.path(), &Key::generate());
    finalize_registrations(q.store(), 1);
    proxy.plan([Fault::Pass, Fault::ResetBeforeBody]);
    let run = q.sync(&config, Network::WIRED, &NoObserver).await.unwrap();
    assert!(matches!(
        run.status.waiting,
        Some(WaitReason::Retrying { .. })
    ));
    assert_eq!(run.status.action, Some(SyncAction::SyncNow));
    let error = run.status.error.unwrap_or_default();
    assert!(!error.is_empty() && !error.starts_with("sync."), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_handle_on_a_profile_sees_a_run_started_by_another() {
    let server = start(DbLocation::Memory).await;
    let dir = tempfile::tempdir().unwrap();
    let key = Key::generate();
    // The screens' handle and the background worker's, on one profile.
    let screens = profile(dir.path(), &key);
    let worker = profile(dir.path(), &key);
    finalize_registrations(screens.store(), 60);
    let seen = Arc::new(Seen::default());
    let id = screens.watch_sync(seen.clone());

    let config = SyncConfig::new(&format!("http://{}", server.addr)).unwrap();
    let run = worker
        .sync(&config, Network::WIRED, &NoObserver)
        .await
        .unwrap();
    assert_eq!(run.report.map(|r| r.accepted), Some(60));
    screens.unwatch_sync(id);

    let seen = seen.0.lock().unwrap();
    assert!(seen.first().is_some_and(|s| s.running), "the start is seen");
    assert!(
        seen.iter()
            .any(|s| s.running && s.progress.is_some_and(|f| f > 0.0 && f <= 1.0)),
        "progress is seen: {:?}",
        seen.iter().map(|s| &s.headline).collect::<Vec<_>>()
    );
    let last = seen.last().unwrap();
    assert!(!last.running && last.last_finished_at.is_some());
    assert_eq!(screens.sync_status(), worker.sync_status());
}
