//! End to end: the data budget through the app API (`Profile`), against the
//! reference server on loopback. The outbox summary tells how many bytes wait to
//! be sent; with "documents only on Wi-Fi" on mobile data, the form is sent and
//! accepted exactly once while its document waits (the server counts the form
//! incomplete, the phone does not call it accepted); on Wi-Fi the document goes
//! and the form completes.

// A test file: unwrap and expect are the assertions here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rantau_core::app::outbox::Bucket;
use rantau_core::app::profile::Profile;
use rantau_core::app::sync::{Network, SyncAction, SyncSettings, WaitReason};
use rantau_core::store::Key;
use rantau_core::sync::{NoObserver, SyncConfig};
use rantau_core::Lang;
use rantau_server::DbLocation;
use rantau_tests::data::{fake_jpeg, finalize_registration_with_file};
use rantau_tests::server::{counts, start, submissions};

const MOBILE: Network = Network {
    connected: true,
    unmetered: false,
    roaming: false,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_wait_for_wifi_while_the_form_is_accepted_once_then_complete_it() {
    let server = start(DbLocation::Memory).await;
    let dir = tempfile::tempdir().unwrap();
    let p = Profile::create(dir.path(), "worker", &Key::generate()).unwrap();
    p.set_lang(Lang::En);
    let photo = fake_jpeg(2_400_000, 17);
    let (id, _) = finalize_registration_with_file(p.store(), 1, &photo);

    // Before sending: the photo (once, though two fields name it) and the form.
    let before = p.outbox_summary().unwrap();
    assert_eq!(before.documents_bytes, photo.len() as u64);
    assert!(before.to_send_bytes > before.documents_bytes);
    assert!(
        before.to_send_bytes < before.documents_bytes + 10_000,
        "a form is small"
    );
    assert_eq!(before.to_send.as_deref(), Some("2.4 MB waiting to be sent"));

    p.set_sync_settings(SyncSettings {
        documents_wifi_only: true,
        ..SyncSettings::default()
    })
    .unwrap();
    assert!(p.sync_settings().unwrap().documents_wifi_only, "kept");
    let config = SyncConfig::new(&format!("http://{}", server.addr)).unwrap();

    // Mobile data: the form goes and is accepted; the photo stays on the phone.
    let run = p.sync(&config, MOBILE, &NoObserver).await.unwrap();
    let report = run.report.expect("the sync ran");
    assert_eq!((report.accepted, report.docs_uploaded), (1, 0));
    assert_eq!(report.doc_bytes_up, 0, "not one byte of the photo");
    assert_eq!(run.status.waiting, Some(WaitReason::DocumentsWifiOnly));
    assert_eq!(
        run.status.action,
        Some(SyncAction::SendDocumentsOnMobileData)
    );
    assert_eq!(
        run.status.headline,
        "Forms sent; documents wait for Wi-Fi (you chose documents on Wi-Fi only)"
    );
    assert!(run.status.work_left, "the photo is still to go");
    let item = p.submission(&id).unwrap();
    assert_eq!(
        item.bucket,
        Bucket::DocumentsWaiting,
        "not reported as complete"
    );
    assert!(item.reference.is_some(), "the server's receipt is kept");
    let held = p.outbox_summary().unwrap();
    assert_eq!(
        held.to_send_bytes,
        photo.len() as u64,
        "only the photo is left"
    );
    assert_eq!((held.on_its_way, held.accepted), (1, 0));
    let listed = submissions(server.addr).await.submissions;
    let sub = listed.iter().find(|s| s.id == id).unwrap();
    assert_eq!(sub.status, "accepted");
    assert_eq!((sub.files_expected, sub.files_complete), (1, 0));

    // Again on mobile data: still waiting, the form is not sent twice.
    let run = p.sync(&config, MOBILE, &NoObserver).await.unwrap();
    assert_eq!(run.status.waiting, Some(WaitReason::DocumentsWifiOnly));

    // Wi-Fi: the photo goes and the form is complete.
    let run = p.sync(&config, Network::WIRED, &NoObserver).await.unwrap();
    let report = run.report.expect("the sync ran");
    assert_eq!(report.docs_uploaded, 1);
    assert_eq!(run.status.waiting, None);
    assert!(!run.status.work_left);
    assert_eq!(p.submission(&id).unwrap().bucket, Bucket::Accepted);
    let after = p.outbox_summary().unwrap();
    assert_eq!((after.to_send_bytes, after.to_send), (0, None));
    assert_eq!(after.accepted, 1);
    let listed = submissions(server.addr).await.submissions;
    let sub = listed.iter().find(|s| s.id == id).unwrap();
    assert_eq!((sub.files_expected, sub.files_complete), (1, 1));
    assert_eq!(counts(server.addr).await.get(&id), Some(&1), "exactly once");
}
