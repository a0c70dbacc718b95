//! Test data: client stores with finalized submissions, shaped like the built-in
//! forms' frozen payloads (synthetic people; no real personal data).

use rantau_core::store::outbox::{insert_submission, OutboxState, SubmissionRow};
use rantau_core::store::{Key, OpenMode, Store};
use serde_json::{json, Value};

/// A fresh client store in `dir`.
pub fn client_store(dir: &std::path::Path) -> Store {
    match Store::open(&dir.join("client.db"), &Key::generate(), OpenMode::Create) {
        Ok(s) => s,
        Err(e) => panic!("store: {e}"),
    }
}

/// The frozen payload of a registration for synthetic person `i`.
pub fn registration_payload(i: usize) -> Value {
    let serial = 1 + (i % 9000);
    json!({
        "nik": format!("320105520495{serial:04}"),
        "full_name": format!("Siti Contoh {i}"),
        "birth_place": "Indramayu",
        "birth_date": "1995-04-12",
        "sex": "F",
        "mother_maiden_name": "Aminah",
        "address": format!("Jl. Melati No. {}", 1 + i % 200),
        "village": "Karangampel",
        "district": "Karangampel",
        "regency": "Indramayu",
        "province": "Jawa Barat",
        "phone_id": format!("+62812{:07}", 1_000_000 + i),
        "passport_number": format!("C{:07}", 1_000_000 + i),
        "passport_expiry": "2031-01-31",
        "scheme": "p3mi",
        "placement_company": "PT Contoh Penempatan",
        "destination_country": "MY",
        "employer_name": "Contoh Sdn Bhd",
        "job": "domestic_worker",
        "departure_date": "2027-02-01",
        "contract_start": "2027-02-01",
        "contract_end": "2029-01-31",
        "jkk_jkm": true,
        "jht_opt_in": "no",
        "heirs": [{"name": "Budi Contoh", "relationship": "spouse", "birth_date": "1990-06-01"}],
        "emergency_name": "Budi Contoh",
        "emergency_relationship": "spouse",
        "emergency_phone": "+6281298765432",
        "data_true": true,
        "data_processing": true
    })
}

/// A queued submission row.
pub fn row(id: &str, form_id: &str, created_at: i64, payload: Value) -> SubmissionRow {
    SubmissionRow {
        id: id.into(),
        form_id: form_id.into(),
        form_version: 1,
        created_at,
        payload,
        state: OutboxState::Queued,
        attempts: 0,
        next_attempt_at: None,
        reference: None,
        issues: Vec::new(),
        last_error: None,
        depends_on: None,
        updated_at: created_at,
    }
}

/// Finalizes `n` registrations into the outbox; returns their ids in order.
pub fn finalize_registrations(store: &Store, n: usize) -> Vec<String> {
    let base = 1_790_000_000_000i64;
    let rows: Vec<SubmissionRow> = (0..n)
        .map(|i| row(&uuid::Uuid::new_v4().to_string(), "pmi-registration", base + i as i64, registration_payload(i)))
        .collect();
    let ids = rows.iter().map(|r| r.id.clone()).collect();
    if let Err(e) = store.write(|tx| rows.iter().try_for_each(|r| insert_submission(tx, r))) {
        panic!("finalize: {e}");
    }
    ids
}

/// Finalizes a consultation that refers to registration `registration_ref`.
pub fn finalize_consultation(store: &Store, registration_ref: &str, created_at: i64) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let payload = json!({"topic": "payment", "message": "Bagaimana cara membayar iuran dari Malaysia?",
                         "registration_ref": registration_ref});
    let r = row(&id, "consultation", created_at, payload);
    if let Err(e) = store.write(|tx| insert_submission(tx, &r)) {
        panic!("finalize: {e}");
    }
    id
}

/// Makes every waiting submission due now (tests do not wait out the backoff).
pub fn make_waiting_due(store: &Store) {
    let r = store.write(|tx| {
        tx.execute("UPDATE submissions SET next_attempt_at = 0 WHERE state = 'waiting'", [])?;
        Ok(())
    });
    if let Err(e) = r {
        panic!("make due: {e}");
    }
}

/// Count of local submissions per state.
pub fn states(store: &Store) -> std::collections::BTreeMap<String, usize> {
    let mut out = std::collections::BTreeMap::new();
    let rows = match store.read(rantau_core::store::outbox::list_submissions) {
        Ok(r) => r,
        Err(e) => panic!("list: {e}"),
    };
    for r in rows {
        *out.entry(r.state.as_str().to_string()).or_insert(0) += 1;
    }
    out
}
