//! Taking a form back, killed anywhere: the client finalizes one registration and
//! takes it back to a draft over and over (`crash_client flip`) and is SIGKILLed at
//! seeded moments. After every kill the profile holds that form in exactly one
//! place (the outbox or the drafts, never both, never neither), with every answer,
//! and the client carries on from there.
//!
//! CI: 20 kills. Long: `RANTAU_WITHDRAW_KILLS=500 cargo test -p rantau-tests --test withdraw_crash`.
//! Replay: `RANTAU_WITHDRAW_SEED=<seed printed>`.

// A test file: unwrap and expect are the assertions here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use rantau_core::app::profile::Profile;
use rantau_core::store::Key;
use rantau_tests::crash::{env_u64, person_of, Rng, KEY_HEX, PROFILE};
use rantau_tests::data::registration_payload;
use serde_json::Value;

const CLIENT: &str = env!("CARGO_BIN_EXE_crash_client");

/// Where the one form is now, with its answers: `(in the outbox, id, answers)`.
fn the_form(dir: &std::path::Path) -> (bool, String, Value) {
    let key = Key::from_hex(KEY_HEX).unwrap();
    let p = Profile::open(dir, PROFILE, &key).unwrap();
    let outbox = p.outbox().unwrap();
    let drafts = p.drafts().unwrap();
    assert_eq!(
        outbox.len() + drafts.len(),
        1,
        "exactly one place: outbox {:?}, drafts {:?}",
        outbox.iter().map(|i| &i.id).collect::<Vec<_>>(),
        drafts.iter().map(|d| &d.id).collect::<Vec<_>>()
    );
    match (outbox.first(), drafts.first()) {
        (Some(item), _) => {
            assert!(item.can_take_back, "never sent: it can still be taken back");
            (
                true,
                item.id.clone(),
                p.submission_payload(&item.id).unwrap(),
            )
        }
        (_, Some(d)) => {
            let view = p.draft(&d.id).unwrap();
            (false, d.id.clone(), Value::Object(view.answers))
        }
        _ => unreachable!("counted above"),
    }
}

#[test]
fn a_form_taken_back_and_sent_again_under_kills_is_always_in_one_place_and_whole() {
    let seed = env_u64("RANTAU_WITHDRAW_SEED", 20_261_203);
    let kills = env_u64("RANTAU_WITHDRAW_KILLS", 20);
    println!("withdraw crash: seed {seed}, {kills} kills");
    let mut rng = Rng::new(seed);
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    // One whole registration, finalized once and taken back: its frozen answers are
    // what every later state must hold.
    let (id, whole) = {
        let key = Key::from_hex(KEY_HEX).unwrap();
        let p = Profile::create(dir, PROFILE, &key).unwrap();
        let d = p.new_draft("pmi-registration").unwrap();
        let Value::Object(answers) = registration_payload(person_of(&d.id)) else {
            unreachable!("a registration is an object")
        };
        for (path, input) in rantau_core::forms::samples::as_inputs(&answers) {
            p.set_field(&d.id, &path, input).unwrap();
        }
        for (field, bytes) in rantau_core::forms::samples::sample_documents() {
            p.attach(&d.id, &field, &bytes, None).unwrap();
        }
        let item = p.finalize(&d.id).unwrap();
        let whole = p.submission_payload(&item.id).unwrap();
        assert_eq!(p.withdraw(&item.id).unwrap().id, d.id);
        (d.id, whole)
    };
    let (mut in_outbox, mut in_drafts) = (0, 0);
    for round in 0..kills {
        let mut child = Command::new(CLIENT)
            .args(["flip", "--dir"])
            .arg(dir)
            .args(["--seed", &round.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        // Wait for the first line (the profile is open), then let it run a seeded while.
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        out.read_line(&mut first).unwrap();
        assert_eq!(first.trim(), "opened", "round {round}");
        std::thread::sleep(Duration::from_micros(rng.next_u64() % 40_000));
        let _ = child.kill();
        let status = child.wait().unwrap();
        assert!(
            status.code().is_none_or(|c| c == 0),
            "round {round}: the client failed on its own ({status})"
        );
        let (queued, now_id, answers) = the_form(dir);
        assert_eq!(now_id, id, "round {round}: the same form, the same id");
        assert_eq!(
            answers, whole,
            "round {round}: every answer, wherever it is"
        );
        if queued {
            in_outbox += 1;
        } else {
            in_drafts += 1;
        }
    }
    println!("withdraw crash: {in_outbox} kills left it in the outbox, {in_drafts} as a draft");
}
