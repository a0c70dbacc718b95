//! Crash test: the client binary fills, attaches, finalizes and syncs against the
//! real server (a file database) and is SIGKILLed at random moments, then restarted
//! on the same profile. A line the client printed is a call that returned, so a
//! promise: every finalized form reaches the server exactly once, every seen
//! autosave survives, nothing appears that was never finalized.
//!
//! CI: 50 kills. Long: `RANTAU_CRASH_KILLS=1000 cargo test -p rantau-tests --test crash -- --nocapture`.
//! Replay: `RANTAU_CRASH_SEED=<seed printed>`.

// A test file: unwrap and expect are the assertions here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rantau_core::app::profile::Profile;
use rantau_core::store::Key;
use rantau_server::DbLocation;
use rantau_tests::crash::{value_at, Line, Rng, KEY_HEX, PROFILE};
use rantau_tests::server::{start, submissions};
use serde_json::Value;

const CLIENT: &str = env!("CARGO_BIN_EXE_crash_client");
/// No line for this long means the client hangs: a failure, not a wait.
const STALL: Duration = Duration::from_secs(60);

/// A running client and the lines it has written so far.
struct Client {
    child: Child,
    lines: mpsc::Receiver<String>,
    reader: std::thread::JoinHandle<()>,
    seen: Vec<String>,
}

impl Client {
    fn spawn(mode: &str, dir: &Path, url: &str, seed: u64) -> Client {
        let mut child = Command::new(CLIENT)
            .arg(mode)
            .args(["--dir".as_ref(), dir.as_os_str()])
            .args(["--server", url, "--seed", &seed.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn crash_client");
        let out = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            lines,
            reader,
            seen: Vec::new(),
        }
    }

    /// Waits for the next line; None once the client closed its output.
    fn next(&mut self) -> Option<&str> {
        match self.lines.recv_timeout(STALL) {
            Ok(l) => {
                self.seen.push(l);
                self.seen.last().map(String::as_str)
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => None,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("crash_client wrote nothing for {STALL:?}")
            }
        }
    }

    fn stderr(&mut self) -> String {
        let mut s = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut s);
        }
        s
    }

    /// SIGKILL, then every line written before death (the pipe keeps them).
    /// Panics if the client had exited by itself (an error it did not expect).
    fn kill(mut self) -> Vec<String> {
        use std::os::unix::process::ExitStatusExt;
        self.child.kill().expect("SIGKILL");
        let status = self.child.wait().expect("reap");
        if status.signal() != Some(9) {
            self.died();
        }
        while self.next().is_some() {}
        self.reader.join().unwrap();
        self.seen
    }

    /// Lets the client finish; panics unless it exits 0.
    fn finish(mut self) -> Vec<String> {
        while self.next().is_some() {}
        let status = self.child.wait().expect("wait");
        let err = self.stderr();
        assert!(status.success(), "crash_client {status}: {err}");
        self.reader.join().unwrap();
        self.seen
    }

    /// Panics with the client's stderr: it stopped by itself in a loop meant to be killed.
    fn died(mut self) -> ! {
        let status = self.child.wait().expect("wait");
        panic!(
            "crash_client exited by itself ({status}): {}",
            self.stderr()
        );
    }
}

/// What the client promised so far, from its lines.
#[derive(Default)]
struct Ledger {
    /// Last saved value per (draft, path).
    autosaves: HashMap<(String, String), Value>,
    /// Files attached per draft: (document field, file id).
    attached: HashMap<String, HashSet<(String, String)>>,
    finalized: HashSet<String>,
    /// Drafts whose `new_draft` returned (a create killed before returning may add more).
    created: HashSet<String>,
    /// Fields whose set_field was cut by a kill after their last seen `saved`: the
    /// call may or may not have committed, so nothing is promised until the next `saved`.
    uncertain: HashSet<(String, String)>,
    /// Drafts touched since the last check.
    touched: HashSet<String>,
    synced: usize,
}

impl Ledger {
    fn absorb(&mut self, lines: &[String]) {
        for l in lines {
            match Line::parse(l) {
                Line::Saved(d, p, v) => {
                    self.touched.insert(d.clone());
                    let key = (d, p);
                    self.uncertain.remove(&key);
                    self.autosaves.insert(key, v);
                }
                Line::Attached(d, field, id) => {
                    self.touched.insert(d.clone());
                    self.attached.entry(d).or_default().insert((field, id));
                }
                Line::Finalized(id) => {
                    self.touched.insert(id.clone());
                    self.finalized.insert(id);
                }
                Line::New(id) => {
                    self.created.insert(id);
                }
                Line::Synced(_) => self.synced += 1,
                _ => {}
            }
        }
    }
}

/// The (draft, path) whose set_field had begun and not returned when the client died.
fn in_flight(lines: &[String]) -> Option<(String, String)> {
    match lines.last().map(|l| Line::parse(l)) {
        Some(Line::Begin(call, args)) if call == "set" && args.len() == 2 => {
            Some((args[0].clone(), args[1].clone()))
        }
        _ => None,
    }
}

fn open(dir: &Path) -> Profile {
    Profile::open(dir, PROFILE, &Key::from_hex(KEY_HEX).unwrap())
        .expect("profile opens after a kill")
}

/// Checks the promises about `drafts` (all when None): every seen autosave and
/// attachment is in the draft or in its finalized submission; every finalized id is
/// a submission. Returns the number of autosaves checked.
fn check_promises(
    p: &Profile,
    ledger: &Ledger,
    drafts: Option<&HashSet<String>>,
    ctx: &str,
) -> usize {
    let mut docs: HashMap<String, Value> = HashMap::new();
    let mut doc = |id: &str| -> Value {
        docs.entry(id.to_string())
            .or_insert_with(|| match p.draft(id) {
                Ok(v) => Value::Object(v.answers),
                Err(_) => p.submission_payload(id).unwrap_or(Value::Null),
            })
            .clone()
    };
    let wanted = |d: &str| drafts.is_none_or(|s| s.contains(d));
    let mut checked = 0;
    for ((d, path), v) in &ledger.autosaves {
        if !wanted(d) || ledger.uncertain.contains(&(d.clone(), path.clone())) {
            continue;
        }
        let root = doc(d);
        assert!(
            !root.is_null(),
            "{ctx}: draft {d} is gone (neither draft nor submission)"
        );
        let got = value_at(&root, path).cloned().unwrap_or(Value::Null);
        assert_eq!(&got, v, "{ctx}: autosave {d} {path} lost");
        checked += 1;
    }
    for (d, ids) in &ledger.attached {
        if !wanted(d) {
            continue;
        }
        let root = doc(d);
        for (field, id) in ids {
            let pages = value_at(&root, field).cloned().unwrap_or(Value::Null);
            assert!(
                pages
                    .as_array()
                    .is_some_and(|a| a.contains(&Value::from(id.as_str()))),
                "{ctx}: attachment {id} ({field}) of {d} lost"
            );
        }
    }
    for id in ledger.finalized.iter().filter(|d| wanted(d)) {
        assert!(
            p.submission(id).is_ok(),
            "{ctx}: finalized {id} not in the outbox"
        );
        assert!(
            p.draft(id).is_err(),
            "{ctx}: finalized {id} is still a draft"
        );
    }
    checked
}

/// How the next kill is timed.
fn kill_point(rng: &mut Rng, client: &mut Client) {
    let spawned = Instant::now();
    match rng.range(0, 10) {
        // By time alone: lands in startup, open and recovery too.
        0 | 1 => {
            let until = spawned + Duration::from_millis(rng.range(0, 250));
            while Instant::now() < until {
                std::thread::sleep(Duration::from_micros(500));
            }
        }
        // After some number of lines, plus a little: mostly inside autosaves.
        2..=5 => {
            let n = rng.range(1, 200);
            for _ in 0..n {
                if client.next().is_none() {
                    return;
                }
            }
            std::thread::sleep(Duration::from_micros(rng.range(0, 2_000)));
        }
        // Right after a chosen call begins: inside finalize, attach, push, upload.
        _ => {
            let (marker, max_us) = match rng.range(0, 5) {
                0 => ("begin finalize", 4_000),
                1 => ("begin attach", 20_000),
                2 => ("state pushing", 15_000),
                3 => ("state uploading", 60_000),
                _ => ("begin sync", 10_000),
            };
            for _ in 0..2_000 {
                match client.next() {
                    None => return,
                    Some(l) if l.starts_with(marker) => break,
                    Some(_) => {}
                }
            }
            std::thread::sleep(Duration::from_micros(rng.range(0, max_us)));
        }
    }
}

#[derive(Default)]
struct Counts {
    kills: usize,
    by_phase: BTreeMap<&'static str, usize>,
    autosaves_checked: usize,
    in_flight_skipped: usize,
    /// Submissions in the outbox at the end (finalized, whether or not the line was seen).
    outbox: usize,
    /// Submissions the server holds.
    on_server: usize,
    lost: usize,
    doubled: usize,
}

#[allow(clippy::print_stdout)]
fn report(seed: u64, c: &Counts, ledger: &Ledger, wall: Duration) {
    let (outbox, on_server, lost, doubled) = (c.outbox, c.on_server, c.lost, c.doubled);
    println!(
        "crash test (seed {seed}): {} kills in {:.1} s",
        c.kills,
        wall.as_secs_f64()
    );
    for (phase, n) in &c.by_phase {
        println!("  killed in {phase:<14} {n}");
    }
    println!(
        "  finalized (line seen) {}, finalized in all (outbox) {outbox} ({} committed by a finalize killed before it returned), synced (on server) {on_server}",
        ledger.finalized.len(),
        outbox.saturating_sub(ledger.finalized.len())
    );
    println!(
        "  syncs returned {}, autosaves checked {} (+{} in flight at a kill, not promised)",
        ledger.synced, c.autosaves_checked, c.in_flight_skipped
    );
    println!("  lost {lost}, doubled {doubled}");
}

/// The gate's seed: fixed in the repository so a commit gets one verdict (changing it
/// is a commit); `scripts/explore.sh` runs fresh ones through `RANTAU_CRASH_SEED`.
const GATE_SEED: u64 = 20_261_202;

/// Kills per run: `RANTAU_CRASH_KILLS`, 50 by default.
fn kills() -> usize {
    std::env::var("RANTAU_CRASH_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50)
}

#[test]
fn every_finalized_form_arrives_once_and_every_autosave_survives_sigkill() {
    let seed: u64 = std::env::var("RANTAU_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(GATE_SEED);
    crash_run(seed, kills());
}

/// Regression: with this seed a draft resumed after a kill got a third KTP page and
/// its finalize failed with `document.too_many_pages` (found on a fresh clone).
#[test]
fn a_resumed_draft_keeps_its_pages_and_still_finalizes_seed_1796177060043897207() {
    if std::env::var("RANTAU_CRASH_SEED").is_ok() {
        return; // a replay of one chosen seed runs in the test above
    }
    crash_run(1_796_177_060_043_897_207, 50);
}

/// Runs the client `kills` times to a SIGKILL from `seed`, then to the end, and
/// checks every promise.
#[allow(clippy::print_stderr)] // the seed line is how a failure is replayed
fn crash_run(seed: u64, kills: usize) {
    eprintln!("crash test: seed {seed} (replay with RANTAU_CRASH_SEED={seed}), {kills} kills");
    let started = Instant::now();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    let server = rt.block_on(start(DbLocation::File(work.path().join("server.db"))));
    let url = format!("http://{}", server.addr);
    let dir = work.path().join("phone");
    std::fs::create_dir_all(&dir).unwrap();

    let mut rng = Rng::new(seed);
    let mut ledger = Ledger::default();
    let mut counts = Counts::default();
    let mut ever_opened = false;
    while counts.kills < kills {
        let mut client = Client::spawn("loop", &dir, &url, rng.next_u64());
        kill_point(&mut rng, &mut client);
        let lines = client.kill();
        counts.kills += 1;
        let phase = lines
            .last()
            .map(|l| Line::parse(l).phase())
            .unwrap_or("startup");
        *counts.by_phase.entry(phase).or_insert(0) += 1;
        ledger.absorb(&lines);
        if let Some(cut) = in_flight(&lines) {
            counts.in_flight_skipped += 1;
            ledger.uncertain.insert(cut);
        }
        let ctx = format!("seed {seed}, kill {} in {phase}", counts.kills);
        ever_opened |= lines.iter().any(|l| l == "opened");
        if !ever_opened {
            // Killed before its first create finished: there is no profile yet, and
            // nothing was promised. (The next run creates it, or takes over an empty file.)
            continue;
        }
        let p = open(&dir);
        let touched = std::mem::take(&mut ledger.touched);
        counts.autosaves_checked += check_promises(&p, &ledger, Some(&touched), &ctx);
        if counts.kills % 10 == 0 {
            assert!(
                p.store().integrity_check().unwrap(),
                "{ctx}: integrity_check"
            );
        }
    }

    // Everything seen, checked once more before the last run changes the drafts.
    let ctx = format!("seed {seed}, after {} kills", counts.kills);
    {
        let p = open(&dir);
        check_promises(&p, &ledger, None, &ctx);
    }
    let lines = Client::spawn("final", &dir, &url, rng.next_u64()).finish();
    assert_eq!(lines.last().map(String::as_str), Some("done"), "{ctx}");
    ledger.absorb(&lines);

    let p = open(&dir);
    assert!(
        p.store().integrity_check().unwrap(),
        "{ctx}: integrity_check (and cipher_integrity_check)"
    );
    let outbox = p.outbox().unwrap();
    let local: HashMap<String, Value> = outbox
        .iter()
        .map(|i| (i.id.clone(), p.submission_payload(&i.id).unwrap()))
        .collect();
    for id in &ledger.finalized {
        assert!(
            local.contains_key(id),
            "{ctx}: finalized {id} missing from the outbox"
        );
    }
    // Every submission is a draft this client started: its `new` line was seen, or
    // a kill landed inside that `new_draft` call after its commit.
    let unseen_new = local
        .keys()
        .filter(|id| !ledger.created.contains(*id))
        .count();
    let killed_in_new = counts.by_phase.get("new-draft").copied().unwrap_or(0);
    assert!(
        unseen_new <= killed_in_new,
        "{ctx}: {unseen_new} submissions from drafts never started ({killed_in_new} kills in new_draft)"
    );
    let list = rt.block_on(submissions(server.addr)).submissions;
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let mut by_content: HashMap<String, usize> = HashMap::new();
    for s in &list {
        *by_id.entry(s.id.as_str()).or_insert(0) += 1;
        *by_content.entry(s.payload.to_string()).or_insert(0) += 1;
        let mine = local.get(&s.id);
        assert!(
            mine.is_some(),
            "{ctx}: the server holds {} which this phone never finalized",
            s.id
        );
        assert_eq!(
            Some(&s.payload),
            mine,
            "{ctx}: server copy of {} differs",
            s.id
        );
        assert_eq!(
            s.files_expected, s.files_complete,
            "{ctx}: files of {} incomplete on the server",
            s.id
        );
    }
    let lost = local
        .keys()
        .filter(|id| !by_id.contains_key(id.as_str()))
        .count();
    let doubled = by_id.values().filter(|n| **n > 1).count()
        + by_content.values().filter(|n| **n > 1).count();
    counts.outbox = local.len();
    counts.on_server = list.len();
    (counts.lost, counts.doubled) = (lost, doubled);
    report(seed, &counts, &ledger, started.elapsed());
    assert_eq!(
        lost, 0,
        "{ctx}: finalized submissions never reached the server"
    );
    assert_eq!(
        doubled, 0,
        "{ctx}: submissions on the server more than once"
    );
    assert!(
        kills == 0 || counts.autosaves_checked > 0,
        "{ctx}: nothing was checked"
    );
}
