//! The synthetic payloads pass the built-in forms' validation.
#![allow(clippy::unwrap_used)]
use rantau_core::forms::{validate_submission, Context};

#[test]
fn synthetic_registrations_pass_form_validation() {
    let ctx = Context {
        today: chrono::Utc::now().date_naive(),
        lang: rantau_core::Lang::En,
    };
    for i in 0..300 {
        let p = rantau_tests::data::registration_payload(i);
        let issues = validate_submission("pmi-registration", 1, &p, &ctx).unwrap();
        let errors: Vec<_> = issues
            .iter()
            .filter(|i| i.is_error())
            .map(|i| (i.code.clone(), i.path.clone(), i.message.clone()))
            .collect();
        assert!(errors.is_empty(), "payload {i}: {errors:?}");
    }
}

#[test]
fn synthetic_consultation_passes_form_validation() {
    let ctx = Context {
        today: chrono::Utc::now().date_naive(),
        lang: rantau_core::Lang::En,
    };
    let dir = tempfile::tempdir().unwrap();
    let store = rantau_tests::data::client_store(dir.path());
    let id = rantau_tests::data::finalize_consultation(
        &store,
        "3f1c1a52-8d0e-4a43-9f57-4bfb3d3c2c11",
        5,
    );
    let row = store
        .read(|c| rantau_core::store::outbox::get_submission(c, &id))
        .unwrap()
        .unwrap();
    let issues = validate_submission("consultation", 1, &row.payload, &ctx).unwrap();
    assert!(issues.iter().all(|i| !i.is_error()), "{issues:?}");
}
