//! The crash and storage-fault tests' client: drives a real profile the way the app
//! does (autosave per field, attach, finalize, sync) and writes one flushed line to
//! stdout after every call returns, so the harness knows what was promised.
//!
//! Modes: `loop` (until killed), `final` (finish drafts, sync everything, print
//! `done`), `fill` (until storage fails, then `--recover` and prove nothing was lost),
//! `flip` (finalize one form and take it back, over and over, until killed),
//! `type` (type into one draft through its screen session, as the app does, until
//! killed; prints `typed N` after each key returns and `flushed N` after every
//! tenth key is flushed).

// A test program: it reports on stdout, and aborting on a broken invariant is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rantau_core::app::outbox::Bucket;
use rantau_core::app::profile::Profile;
use rantau_core::forms::{samples, Input};
use rantau_core::store::Key;
use rantau_core::sync::{self, SyncConfig, SyncObserver, SyncState};
use rantau_core::{Error, Lang};
use rantau_tests::crash::{
    person_of, typed_number, Rng, BACKUP_PASSPHRASE, KEY_HEX, PROFILE, TYPED_PREFIX, TYPO_FIELDS,
};
use rantau_tests::data::{fake_jpeg, registration_payload};

struct Args {
    mode: String,
    dir: PathBuf,
    server: Option<String>,
    seed: u64,
    recover: Option<String>,
    /// Percent of drafts that get a photo (fill mode).
    attach: u64,
    /// The backup file (backup modes).
    file: Option<PathBuf>,
}

fn args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mode = it
        .next()
        .ok_or("mode: loop | final | fill | flip | type | backup-export | backup-import")?;
    let (mut dir, mut server, mut seed, mut recover, mut attach) = (None, None, 0, None, 100);
    let mut file = None;
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--dir" => dir = Some(PathBuf::from(value)),
            "--server" => server = Some(value),
            "--seed" => seed = value.parse().map_err(|_| "--seed takes a number")?,
            "--recover" => recover = Some(value),
            "--attach" => attach = value.parse().map_err(|_| "--attach takes a percentage")?,
            "--file" => file = Some(PathBuf::from(value)),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(Args {
        mode,
        dir: dir.ok_or("--dir is required")?,
        server,
        seed,
        recover,
        attach,
        file,
    })
}

/// Writes one line and flushes it: once written, the harness may rely on it.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe means the harness is gone; nothing left to report to.
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Dies loudly on an error the scenario does not expect.
fn must<T>(what: &str, r: rantau_core::Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => {
            eprintln!("crash_client: {what} failed: {} ({e})", e.code());
            std::process::exit(3);
        }
    }
}

struct Printer;
impl SyncObserver for Printer {
    fn on_state(&self, state: SyncState) {
        let name = match state {
            SyncState::Enrolling => "enrolling",
            SyncState::Pushing { .. } => "pushing",
            SyncState::Uploading { .. } => "uploading",
            SyncState::Pulling { .. } => "pulling",
            SyncState::Done(_) | SyncState::Failed { .. } => return,
        };
        say(&format!("state {name}"));
    }
}

fn open(dir: &Path) -> rantau_core::Result<Profile> {
    let key = Key::from_hex(KEY_HEX)?;
    let path = rantau_core::store::profile_path(dir, PROFILE)?;
    // Not there, or left empty by a create killed before its first write: create.
    let empty = std::fs::metadata(&path).is_ok_and(|m| m.len() == 0);
    match Profile::open(dir, PROFILE, &key) {
        Err(Error::ProfileNotFound(_)) => Profile::create(dir, PROFILE, &key),
        Err(Error::NotADatabase(_)) if empty => Profile::create(dir, PROFILE, &key),
        other => other,
    }
}

/// Fills every field of a registration draft (its person follows from its id),
/// sometimes saving a half-typed value first, sometimes attaching a KTP photo, and
/// always the documents a registration needs.
/// Stops at the first error and returns it (storage-fault mode needs it).
fn fill(p: &Profile, draft: &str, rng: &mut Rng, attach_percent: u64) -> rantau_core::Result<()> {
    let person = person_of(draft);
    let serde_json::Value::Object(answers) = registration_payload(person) else {
        return Ok(());
    };
    for (path, input) in samples::as_inputs(&answers) {
        if let Input::Text(text) = &input {
            if TYPO_FIELDS.contains(&path.as_str()) && rng.chance(15) && text.len() > 2 {
                let half: String = text.chars().take(text.chars().count() / 2).collect();
                set(p, draft, &path, Input::Text(half))?;
            }
        }
        set(p, draft, &path, input)?;
    }
    // A person resuming a draft sees the KTP page already attached and does not take
    // another photo (the core would refuse a page past the field's maximum anyway).
    let attached = !p.attachments(draft, Some("ktp_photo"))?.is_empty();
    if !attached && rng.chance(attach_percent) {
        // A few hundred KiB: the upload spans many 16 KiB chunks.
        let len = rng.range(150_000, 400_000) as usize;
        let photo = fake_jpeg(len, person as u64);
        say(&format!("begin attach {draft} ktp_photo"));
        let info = p.attach(draft, "ktp_photo", &photo, Some("image/jpeg"))?;
        say(&format!("attached {draft} ktp_photo {}", info.id));
    }
    // The documents a registration before placement must carry (Permenaker 4/2023):
    // small scans where no photo was taken, so every draft can be finalized.
    for (field, bytes) in samples::sample_documents() {
        if p.attachments(draft, Some(&field))?.is_empty() {
            say(&format!("begin attach {draft} {field}"));
            let info = p.attach(draft, &field, &bytes, Some("image/jpeg"))?;
            say(&format!("attached {draft} {field} {}", info.id));
        }
    }
    Ok(())
}

fn set(p: &Profile, draft: &str, path: &str, input: Input) -> rantau_core::Result<()> {
    say(&format!("begin set {draft} {path}"));
    let out = p.set_field(draft, path, input)?;
    say(&format!("saved {draft} {path} {}", out.stored));
    Ok(())
}

fn finalize(p: &Profile, draft: &str) -> rantau_core::Result<()> {
    say(&format!("begin finalize {draft}"));
    let item = p.finalize(draft)?;
    say(&format!("finalized {}", item.id));
    Ok(())
}

fn new_draft(p: &Profile) -> rantau_core::Result<String> {
    say("begin new");
    let d = p.new_draft("pmi-registration")?;
    say(&format!("new {}", d.id));
    Ok(d.id)
}

async fn sync_once(p: &Profile, cfg: &SyncConfig) -> rantau_core::Result<sync::SyncReport> {
    say("begin sync");
    let r = sync::sync(p.store(), cfg, &Printer).await?;
    say(&format!(
        "synced sent={} accepted={} duplicates={} rejected={} docs={} upload_error={}",
        r.sent,
        r.accepted,
        r.duplicates,
        r.rejected,
        r.docs_uploaded,
        r.upload_error.as_deref().unwrap_or("-")
    ));
    Ok(r)
}

fn config(server: &Option<String>) -> SyncConfig {
    let url = server.as_deref().unwrap_or("http://127.0.0.1:9");
    let mut c = must("config", SyncConfig::new(url));
    c.lang = Lang::En;
    c
}

/// Drafts left by an earlier (killed) run, to be resumed before new ones start.
fn leftover_drafts(p: &Profile) -> Vec<String> {
    must("drafts", p.drafts())
        .into_iter()
        .map(|d| d.id)
        .collect()
}

async fn run_loop(a: &Args) {
    let p = must("open", open(&a.dir));
    say("opened");
    let cfg = config(&a.server);
    let mut rng = Rng::new(a.seed);
    let mut resume = leftover_drafts(&p);
    loop {
        let draft = match resume.pop() {
            Some(d) => d,
            None => must("new draft", new_draft(&p)),
        };
        must("fill", fill(&p, &draft, &mut rng, 35));
        must("finalize", finalize(&p, &draft));
        if rng.chance(50) {
            must("sync", sync_once(&p, &cfg).await);
        }
    }
}

/// Everything is on the server and settled (no file waits for upload).
fn settled(p: &Profile) -> bool {
    let outbox = must("outbox", p.outbox());
    outbox.iter().all(|i| {
        matches!(i.bucket, Bucket::Accepted | Bucket::NeedsFixing)
            && must("files", p.attachments(&i.id, None))
                .iter()
                .all(|f| f.uploaded)
    })
}

async fn run_final(a: &Args) {
    let p = must("open", open(&a.dir));
    say("opened");
    let cfg = config(&a.server);
    let mut rng = Rng::new(a.seed);
    for draft in leftover_drafts(&p) {
        must("fill", fill(&p, &draft, &mut rng, 0));
        must("finalize", finalize(&p, &draft));
    }
    for _ in 0..20 {
        // A test does not wait out the backoff of items a killed sync left waiting.
        rantau_tests::data::make_waiting_due(p.store());
        must("sync", sync_once(&p, &cfg).await);
        if settled(&p) {
            say("done");
            return;
        }
    }
    eprintln!("crash_client: the outbox did not settle in 20 syncs");
    std::process::exit(4);
}

/// Storage-fault mode: write until the storage fails, check the error is typed,
/// run `--recover` (make room), and prove in the same process that nothing was lost
/// and that new writes succeed.
async fn run_fill(a: &Args) -> ExitCode {
    let p = match open(&a.dir) {
        Ok(p) => p,
        Err(e) => {
            say(&format!("error open {}", e.code()));
            return ExitCode::from(5);
        }
    };
    say("opened");
    let mut rng = Rng::new(a.seed);
    let mut failed = None;
    for _ in 0..2_000 {
        let step = async {
            let d = new_draft(&p)?;
            fill(&p, &d, &mut rng, a.attach)?;
            finalize(&p, &d)
        };
        if let Err(e) = step.await {
            failed = Some(e);
            break;
        }
    }
    let Some(e) = failed else {
        say("never-failed");
        return ExitCode::from(6);
    };
    say(&format!("error {}", e.code()));
    say(&format!(
        "message-id {}",
        rantau_core::base::messages::render(e.code(), Lang::Id, &[])
    ));
    say(&format!(
        "message-en {}",
        rantau_core::base::messages::render(e.code(), Lang::En, &[])
    ));
    if !matches!(e, Error::StorageFull | Error::StorageIo { .. }) {
        say(&format!("untyped {e}"));
        return ExitCode::from(7);
    }
    // Still full: reads work, and a write fails the same typed way or succeeds.
    let after = p.outbox().map(|o| o.len());
    say(&format!(
        "read-while-full {}",
        if after.is_ok() { "ok" } else { "failed" }
    ));
    // A sync on the full storage: it may get through, or stop with the typed error;
    // either way the server must end up with everything once (checked after recovery).
    if a.server.is_some() {
        match sync_once(&p, &config(&a.server)).await {
            Ok(_) => say("sync-while-full ok"),
            Err(e) => say(&format!("sync-while-full {}", e.code())),
        }
    }
    if let Some(cmd) = &a.recover {
        let ok = std::process::Command::new("sh")
            .arg("-c")
            .arg(cmd.replace("{pid}", &std::process::id().to_string()))
            .status()
            .is_ok_and(|s| s.success());
        say(&format!("recover {}", if ok { "ok" } else { "failed" }));
    }
    report_state(&p);
    // New writes succeed: finish the interrupted draft (or a new one) and finalize it.
    let resumed = async {
        let draft = match leftover_drafts(&p).pop() {
            Some(d) => d,
            None => new_draft(&p)?,
        };
        fill(&p, &draft, &mut rng, 100)?;
        finalize(&p, &draft)
    };
    match resumed.await {
        Ok(()) => say("new-writes ok"),
        Err(e) => say(&format!("new-writes {}", e.code())),
    }
    if a.server.is_some() {
        let cfg = config(&a.server);
        for _ in 0..10 {
            rantau_tests::data::make_waiting_due(p.store());
            if let Err(e) = sync_once(&p, &cfg).await {
                say(&format!("sync-error {}", e.code()));
            }
            if settled(&p) {
                break;
            }
        }
    }
    report_state(&p);
    say("done");
    ExitCode::SUCCESS
}

/// Prints what the store holds: integrity, every outbox entry, every draft's answers.
fn report_state(p: &Profile) {
    match p.store().integrity_check() {
        Ok(ok) => say(&format!("integrity {}", if ok { "ok" } else { "bad" })),
        Err(e) => say(&format!("integrity {}", e.code())),
    }
    for item in p.outbox().unwrap_or_default() {
        say(&format!("outbox {} {:?}", item.id, item.bucket));
    }
    for d in p.drafts().unwrap_or_default() {
        if let Ok(view) = p.draft(&d.id) {
            let answers = serde_json::Value::Object(view.answers);
            say(&format!("draft {} {answers}", d.id));
        }
    }
}

/// Finalizes one registration and takes it back, again and again: the harness kills
/// it anywhere and checks the form is always in exactly one place, whole. Picks up
/// the form where the last run left it (in the outbox or as a draft).
/// Types `Ketik 1`, `Ketik 2`, … into the name of the one registration draft,
/// through the screen session (each key answered from memory, written a moment
/// later by the store's thread), carrying on from the number stored.
fn run_type(a: &Args) -> ExitCode {
    use rantau_core::app::form::DraftSession;
    let p = must("open", open(&a.dir));
    let mut s = must(
        "session",
        DraftSession::start_or_resume(&p, "pmi-registration"),
    );
    let stored = must("draft", p.draft(s.draft_id()));
    let mut n: u64 = stored
        .answers
        .get("full_name")
        .and_then(|v| v.as_str())
        .and_then(typed_number)
        .unwrap_or(0);
    s.screen(&p);
    say(&format!("opened {n}"));
    loop {
        n += 1;
        let name = format!("{TYPED_PREFIX}{n}");
        must("input", s.input(&p, "full_name", Input::Text(name)));
        say(&format!("typed {n}"));
        if n % 10 == 0 {
            must("flush", p.flush());
            say(&format!("flushed {n}"));
        }
    }
}

fn run_flip(a: &Args) -> ExitCode {
    let p = must("open", open(&a.dir));
    say("opened");
    let queued = must("outbox", p.outbox()).into_iter().next().map(|i| i.id);
    let drafted = leftover_drafts(&p).into_iter().next();
    let (mut id, mut in_outbox) = match (queued, drafted) {
        (Some(id), None) => (id, true),
        (None, Some(id)) => (id, false),
        (None, None) => {
            let id = must("new", new_draft(&p));
            let serde_json::Value::Object(answers) = registration_payload(person_of(&id)) else {
                return ExitCode::from(2);
            };
            for (path, input) in samples::as_inputs(&answers) {
                must("set", set(&p, &id, &path, input));
            }
            for (field, bytes) in samples::sample_documents() {
                must("attach", p.attach(&id, &field, &bytes, None).map(|_| ()));
            }
            (id, false)
        }
        (Some(a), Some(b)) => {
            eprintln!("crash_client: {a} is in the outbox and {b} is a draft");
            return ExitCode::from(4);
        }
    };
    for _ in 0..100_000 {
        if in_outbox {
            say(&format!("begin withdraw {id}"));
            id = must("withdraw", p.withdraw(&id)).id;
            say(&format!("withdrawn {id}"));
        } else {
            must("finalize", finalize(&p, &id));
        }
        in_outbox = !in_outbox;
    }
    ExitCode::SUCCESS
}

/// Writes the profile in `--dir` to the backup `--file` (killed anywhere by the harness).
fn run_backup_export(a: &Args) -> ExitCode {
    let Some(file) = &a.file else {
        return ExitCode::from(2);
    };
    let p = must(
        "open",
        Profile::open(&a.dir, PROFILE, &must("key", Key::from_hex(KEY_HEX))),
    );
    say("opened");
    must("export", p.export_backup(file, BACKUP_PASSPHRASE));
    say("exported");
    ExitCode::SUCCESS
}

/// Restores the backup `--file` as the profile in `--dir` (killed anywhere by the harness).
fn run_backup_import(a: &Args) -> ExitCode {
    let Some(file) = &a.file else {
        return ExitCode::from(2);
    };
    say("started");
    let key = must("key", Key::from_hex(KEY_HEX));
    must(
        "import",
        Profile::import_backup(&a.dir, PROFILE, &key, file, BACKUP_PASSPHRASE),
    );
    say("imported");
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("crash_client: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("crash_client: runtime: {e}");
            return ExitCode::from(2);
        }
    };
    rt.block_on(async {
        match a.mode.as_str() {
            "loop" => {
                run_loop(&a).await;
                ExitCode::SUCCESS
            }
            "final" => {
                run_final(&a).await;
                ExitCode::SUCCESS
            }
            "fill" => run_fill(&a).await,
            "flip" => run_flip(&a),
            "type" => run_type(&a),
            "backup-export" => run_backup_export(&a),
            "backup-import" => run_backup_import(&a),
            other => {
                eprintln!("crash_client: unknown mode {other}");
                ExitCode::from(2)
            }
        }
    })
}
