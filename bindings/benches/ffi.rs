//! The Rust half of a keystroke's FFI call: `RantauDraft::input` as Kotlin calls it
//! (argument conversion, the core's autosave, the page's `FormScreen` built), without
//! JNA. Set beside `scripts/kotlin-test.sh --bench` (the same call from Kotlin), the
//! difference is what the JVM, JNA and uniffi's (de)serialisation cost.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use rantau_core::app::form::FieldInput;
use rantau_ffi::tools::generate_key_hex;
use rantau_ffi::RantauProfile;

fn input(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_string_lossy().into_owned();
    let profile =
        RantauProfile::with_key_hex(path, "bench".into(), generate_key_hex(), true).unwrap();
    // The same draft and values as CallCostBenchTest.kt.
    let draft = profile.start_draft("pmi-registration".into()).unwrap();
    let names = ["Sri Wahyuni", "Siti Aminah", "Dewi Lestari"];
    let mut n = 0;
    c.bench_function("ffi_draft_input_full_name", |b| {
        b.iter(|| {
            n += 1;
            let value = names[n % 3].to_string();
            draft
                .input("full_name".into(), FieldInput::Text { value })
                .unwrap()
        })
    });
}

criterion_group!(benches, input);
criterion_main!(benches);
