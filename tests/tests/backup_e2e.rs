//! A worker's new phone: the profile written to a backup file and restored on
//! another phone (a new folder, a new key) delivers every form that was on its way
//! exactly once — whether the old phone delivered them first or never did — and an
//! export or a restore killed anywhere (SIGKILL) leaves nothing half made and
//! simply runs again.
//!
//! CI: 8 kills of each. Long: `RANTAU_BACKUP_KILLS=100 cargo test -p rantau-tests --test backup_e2e`.
//! Replay: `RANTAU_BACKUP_SEED=<seed printed>`.

// A test file: unwrap and expect are the assertions here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use rantau_core::app::backup;
use rantau_core::app::outbox::Bucket;
use rantau_core::app::profile::Profile;
use rantau_core::app::sync::Network;
use rantau_core::store::Key;
use rantau_core::sync::{NoObserver, SyncConfig};
use rantau_server::DbLocation;
use rantau_tests::crash::{env_u64, Rng, BACKUP_PASSPHRASE, KEY_HEX, PROFILE};
use rantau_tests::data::finalize_registrations;
use rantau_tests::server::{counts, start};

const CLIENT: &str = env!("CARGO_BIN_EXE_crash_client");
const WIFI: Network = Network {
    connected: true,
    unmetered: true,
    roaming: false,
};

/// Each outbox item's bucket and reference, by id.
fn outbox(p: &Profile) -> BTreeMap<String, (Bucket, Option<String>)> {
    p.outbox()
        .unwrap()
        .into_iter()
        .map(|i| (i.id.clone(), (i.bucket, i.reference.clone())))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_profile_delivers_every_form_in_flight_exactly_once() {
    let server = start(DbLocation::Memory).await;
    let config = SyncConfig::new(&format!("http://{}", server.addr)).unwrap();
    let old_dir = tempfile::tempdir().unwrap();
    let old = Profile::create(old_dir.path(), "ani", &Key::generate()).unwrap();
    // One form delivered before the backup, three on their way when it is written.
    let sent = finalize_registrations(old.store(), 1);
    old.sync(&config, WIFI, &NoObserver).await.unwrap();
    let on_the_way = finalize_registrations(old.store(), 3);
    let file = old_dir.path().join("ani.rantau-backup");
    let written = old.export_backup(&file, BACKUP_PASSPHRASE).unwrap();
    assert_eq!((written.in_flight, written.drafts), (3, 0));

    // Phone B: the old phone was lost before it could send them; B sends them.
    let b_dir = tempfile::tempdir().unwrap();
    let (b, read) = Profile::import_backup(
        b_dir.path(),
        "ani",
        &Key::generate(),
        &file,
        BACKUP_PASSPHRASE,
    )
    .unwrap();
    assert_eq!(read, written);
    b.sync(&config, WIFI, &NoObserver).await.unwrap();
    // The old phone turns up again and sends the same three; phone C is restored
    // from the same backup and sends them a third time.
    old.sync(&config, WIFI, &NoObserver).await.unwrap();
    let c_dir = tempfile::tempdir().unwrap();
    let (c, _) = Profile::import_backup(
        c_dir.path(),
        "ani",
        &Key::generate(),
        &file,
        BACKUP_PASSPHRASE,
    )
    .unwrap();
    c.sync(&config, WIFI, &NoObserver).await.unwrap();

    let held = counts(server.addr).await;
    assert_eq!(held.len(), 4, "{held:?}");
    for id in sent.iter().chain(&on_the_way) {
        assert_eq!(held.get(id), Some(&1), "{id} held once");
    }
    // Every copy knows every form as accepted, with the same reference.
    let truth = outbox(&old);
    for (id, (bucket, reference)) in &truth {
        assert_eq!(*bucket, Bucket::Accepted, "{id}");
        assert!(reference.is_some(), "{id}");
    }
    assert_eq!(outbox(&b), truth);
    assert_eq!(outbox(&c), truth);
}

/// Runs the crash client in `mode` and kills it a seeded while after its first line.
fn run_and_kill(mode: &str, dir: &Path, file: &Path, rng: &mut Rng, round: u64) {
    let mut child = Command::new(CLIENT)
        .args([mode, "--dir"])
        .arg(dir)
        .arg("--file")
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(!first.is_empty(), "{mode} round {round}: no first line");
    std::thread::sleep(Duration::from_micros(rng.next_u64() % 700_000));
    let _ = child.kill();
    let status = child.wait().unwrap();
    assert!(
        status.code().is_none_or(|c| c == 0),
        "{mode} round {round}: the client failed on its own ({status})"
    );
}

/// Runs the crash client in `mode` to its end.
fn run_whole(mode: &str, dir: &Path, file: &Path) {
    let status = Command::new(CLIENT)
        .args([mode, "--dir"])
        .arg(dir)
        .arg("--file")
        .arg(file)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{mode}: {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_and_restores_killed_anywhere_leave_nothing_half_made() {
    let seed = env_u64("RANTAU_BACKUP_SEED", 20_261_203);
    let kills = env_u64("RANTAU_BACKUP_KILLS", 8);
    println!("backup kills: seed {seed}, {kills} of each");
    let mut rng = Rng::new(seed);
    let key = Key::from_hex(KEY_HEX).unwrap();
    let old_dir = tempfile::tempdir().unwrap();
    let ids = {
        let old = Profile::create(old_dir.path(), PROFILE, &key).unwrap();
        finalize_registrations(old.store(), 3)
    };
    let file = old_dir.path().join("backup");

    let (mut absent, mut whole) = (0, 0);
    for round in 0..kills {
        // A fresh start each round: a kill before the rename leaves no file.
        let _ = std::fs::remove_file(&file);
        run_and_kill("backup-export", old_dir.path(), &file, &mut rng, round);
        // Under its name the file is whole or absent, never half written.
        if file.exists() {
            let s = backup::inspect(&file, BACKUP_PASSPHRASE).unwrap();
            assert_eq!(s.in_flight, 3, "export round {round}");
            whole += 1;
        } else {
            absent += 1;
        }
    }
    println!("export kills: {absent} left no file, {whole} a whole one");
    run_whole("backup-export", old_dir.path(), &file);

    let (mut absent, mut whole) = (0, 0);
    let mut new_dir = tempfile::tempdir().unwrap();
    for round in 0..kills {
        // A fresh phone each round but the last (which is run again to its end).
        if round + 1 < kills {
            new_dir = tempfile::tempdir().unwrap();
        }
        run_and_kill("backup-import", new_dir.path(), &file, &mut rng, round);
        // The profile is absent, or there and whole.
        let listed = rantau_core::app::list_profiles(new_dir.path()).unwrap();
        if listed.is_empty() {
            absent += 1;
        } else {
            assert_eq!(listed, [PROFILE], "import round {round}");
            let p = Profile::open(new_dir.path(), PROFILE, &key).unwrap();
            assert_eq!(p.outbox().unwrap().len(), 3, "import round {round}");
            whole += 1;
        }
    }
    println!("import kills: {absent} left no profile, {whole} a whole one");
    run_whole("backup-import", new_dir.path(), &file);

    let server = start(DbLocation::Memory).await;
    let config = SyncConfig::new(&format!("http://{}", server.addr)).unwrap();
    let p = Profile::open(new_dir.path(), PROFILE, &key).unwrap();
    p.sync(&config, WIFI, &NoObserver).await.unwrap();
    let held = counts(server.addr).await;
    assert_eq!(held.len(), 3, "{held:?}");
    for id in &ids {
        assert_eq!(held.get(id), Some(&1), "{id} held once");
    }
}
