//! Performance budgets of the core, on an encrypted profile: autosave (set +
//! validate + persist) ≤ 50 µs median; the keystroke through an open draft's
//! session (autosave plus the reply to draw; the Kotlin facade's ≤ 80 µs budget
//! includes it); finalize of a full registration ≤ 5 ms; open an existing profile
//! + first read ≤ 5 ms. Also the phone parser (three numbers per iteration).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use rantau_core::app::profile::Profile;
use rantau_core::forms::{samples, Input};
use rantau_core::store::Key;

fn fill(profile: &Profile) -> String {
    let draft = profile.new_draft("pmi-registration").unwrap();
    for (path, input) in samples::as_inputs(&samples::sample_registration()) {
        profile.set_field(&draft.id, &path, input).unwrap();
    }
    for (field, bytes) in samples::sample_documents() {
        profile.attach(&draft.id, &field, &bytes, None).unwrap();
    }
    draft.id
}

/// A name that differs from the one stored before, so each iteration writes.
fn typed_name(n: u64) -> &'static str {
    if n % 2 == 0 {
        "Siti Rahayu"
    } else {
        "Siti Rahayu Putri"
    }
}

fn autosave(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::create(dir.path(), "bench", &Key::generate()).unwrap();
    let draft = fill(&profile);
    let mut n = 0u64;
    c.bench_function("autosave_set_validate_persist", |b| {
        b.iter(|| {
            n += 1;
            let name = typed_name(n);
            profile
                .set_field(&draft, "full_name", Input::Text(name.into()))
                .unwrap()
        })
    });
}

/// The keystroke a screen makes: an autosave through the open draft's session,
/// answered with what to redraw (the field alone when nothing else changed).
fn keystroke(c: &mut Criterion) {
    use rantau_core::app::form::{DraftSession, FormUpdate};
    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::create(dir.path(), "bench", &Key::generate()).unwrap();
    let draft = fill(&profile);
    let mut session = DraftSession::resume(&profile, &draft).unwrap();
    session.screen(&profile);
    let mut n = 0u64;
    c.bench_function("keystroke_draft_session_input", |b| {
        b.iter(|| {
            n += 1;
            let name = typed_name(n);
            let update = session
                .input(&profile, "full_name", Input::Text(name.into()))
                .unwrap();
            assert!(matches!(update, FormUpdate::Field { .. }));
            update
        })
    });
}

fn finalize(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::create(dir.path(), "bench", &Key::generate()).unwrap();
    c.bench_function("finalize_full_registration", |b| {
        b.iter_batched(
            || fill(&profile),
            |id| profile.finalize(&id).unwrap(),
            criterion::BatchSize::PerIteration,
        )
    });
}

fn open_first_read(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let key = Key::generate();
    {
        let profile = Profile::create(dir.path(), "bench", &key).unwrap();
        let id = fill(&profile);
        profile.finalize(&id).unwrap();
        fill(&profile);
    }
    c.bench_function("open_profile_and_first_read", |b| {
        b.iter(|| {
            let profile = Profile::open(dir.path(), "bench", &key).unwrap();
            let drafts = profile.drafts().unwrap();
            let outbox = profile.outbox().unwrap();
            (drafts.len(), outbox.len())
        })
    });
}

/// Phone parsing: a national Indonesian mobile, a destination number with `+`,
/// and the slowest valid path (a Polish fixed line: the longest prefix list).
fn phone_parse(c: &mut Criterion) {
    use rantau_core::domain::phone::Phone;
    let _ = Phone::parse("0812", "ID"); // load the plans outside the measurement
    c.bench_function("phone_parse", |b| {
        b.iter(|| {
            let a = Phone::parse("0812-3456-7890", "ID").is_ok();
            let b = Phone::parse("+852 5123 4567", "ID").is_ok();
            let c = Phone::parse("+48 95 123 45 67", "ID").is_ok();
            (a, b, c)
        })
    });
}

/// Opening a backup (a profile with a finalized registration and a draft): almost
/// all of it is Argon2id at the cost backups are written with (64 MiB, 3 passes,
/// 1 lane), which is what a restore and a passphrase check cost the worker.
fn backup_open(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::create(dir.path(), "bench", &Key::generate()).unwrap();
    let id = fill(&profile);
    profile.finalize(&id).unwrap();
    fill(&profile);
    let file = dir.path().join("bench.backup");
    let pass = "kopi susu di Hong Kong";
    profile.export_backup(&file, pass).unwrap();
    let mut group = c.benchmark_group("backup");
    group.sample_size(10);
    group.bench_function("inspect_argon2id_64MiB_t3", |b| {
        b.iter(|| {
            rantau_core::app::backup::inspect(&file, pass)
                .unwrap()
                .in_flight
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    backup_open,
    autosave,
    keystroke,
    finalize,
    open_first_read,
    phone_parse
);
criterion_main!(benches);
