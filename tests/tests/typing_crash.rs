//! Typing, killed anywhere: the client types into one draft through its screen
//! session (`crash_client type`: each key answered from memory, written a moment
//! later by the store's own thread) and is SIGKILLed at seeded moments. After every
//! kill the profile opens and the name holds a key the client typed, never an
//! older one than the last flush it reported, never one it had not typed yet, and
//! the client carries on from there. What a kill cost (keys typed but not written)
//! is printed.
//!
//! CI: 15 kills. Long: `RANTAU_TYPING_KILLS=500 cargo test -p rantau-tests --test typing_crash`.
//! Replay: `RANTAU_TYPING_SEED=<seed printed>`.

// A test file: unwrap and expect are the assertions here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use rantau_core::app::profile::Profile;
use rantau_core::store::Key;
use rantau_tests::crash::{env_u64, typed_number, Rng, KEY_HEX, PROFILE};

const CLIENT: &str = env!("CARGO_BIN_EXE_crash_client");

/// The key the one draft's name holds now, read by a fresh process's profile.
fn stored_key(dir: &std::path::Path) -> u64 {
    let key = Key::from_hex(KEY_HEX).unwrap();
    let p = Profile::open(dir, PROFILE, &key).unwrap();
    let drafts = p.drafts().unwrap();
    assert_eq!(drafts.len(), 1, "one draft, resumed every time");
    let view = p.draft(&drafts[0].id).unwrap();
    view.answers
        .get("full_name")
        .and_then(|v| v.as_str())
        .and_then(typed_number)
        .unwrap_or(0)
}

#[test]
fn keys_typed_before_a_kill_are_kept_up_to_the_last_flush_at_least() {
    let seed = env_u64("RANTAU_TYPING_SEED", 20_261_204);
    let kills = env_u64("RANTAU_TYPING_KILLS", 15);
    println!("typing crash: seed {seed}, {kills} kills");
    let mut rng = Rng::new(seed);
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    Profile::create(dir, PROFILE, &Key::from_hex(KEY_HEX).unwrap()).unwrap();
    let mut lost = Vec::new();
    let mut stored = 0;
    for round in 0..kills {
        let mut child = Command::new(CLIENT)
            .args(["type", "--dir"])
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        // The profile is open (its key derivation takes a while), then it types.
        let mut first = String::new();
        out.read_line(&mut first).unwrap();
        let opened: u64 = first
            .trim()
            .strip_prefix("opened ")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("round {round}: first line {first:?}"));
        assert_eq!(
            opened, stored,
            "round {round}: it resumed from what was stored"
        );
        // Read what the client reports on another thread while it types.
        let reader = std::thread::spawn(move || {
            let (mut typed, mut flushed) = (opened, opened);
            for line in out.lines() {
                let Ok(line) = line else { break };
                let mut words = line.split(' ');
                let (what, n) = (words.next(), words.next().and_then(|n| n.parse().ok()));
                match (what, n) {
                    (Some("typed"), Some(n)) => typed = n,
                    (Some("flushed"), Some(n)) => flushed = n,
                    _ => panic!("unexpected line {line:?}"),
                }
            }
            (typed, flushed)
        });
        std::thread::sleep(Duration::from_micros(rng.next_u64() % 50_000));
        let _ = child.kill();
        let status = child.wait().unwrap();
        assert!(
            status.code().is_none(),
            "round {round}: the client ended on its own ({status})"
        );
        let (typed, flushed) = reader.join().unwrap();
        let now = stored_key(dir);
        // The key in flight when it was killed may have been written unreported.
        assert!(
            now <= typed + 1,
            "round {round}: key {now} stored, only {typed} typed"
        );
        assert!(
            now >= flushed,
            "round {round}: key {now} stored after a flush of key {flushed}"
        );
        lost.push(typed.saturating_sub(now));
        stored = now;
    }
    assert!(
        stored > 0,
        "some key was typed and kept across {kills} kills"
    );
    lost.sort_unstable();
    println!(
        "typing crash: keys typed but not written at a kill: median {}, max {} (of {} kills)",
        lost[lost.len() / 2],
        lost[lost.len() - 1],
        lost.len()
    );
}
