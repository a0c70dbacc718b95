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

const FIRST: &[&str] = &[
    "Siti", "Dewi", "Sri", "Nur", "Rina", "Wati", "Yuni", "Ani", "Lestari", "Ayu", "Fitri",
    "Indah", "Ratna", "Eka", "Tuti", "Agus", "Budi", "Joko", "Slamet", "Rudi", "Hendra", "Wahyu",
    "Dian", "Putri",
];
const LAST: &[&str] = &[
    "Rahayu",
    "Susanti",
    "Wulandari",
    "Handayani",
    "Kurniawati",
    "Suryani",
    "Hidayat",
    "Saputra",
    "Setiawan",
    "Pratama",
    "Nugroho",
    "Lestari",
    "Maharani",
    "Utami",
    "Permatasari",
    "Kusuma",
    "Hartono",
];
const PLACES: &[(&str, &str, &str)] = &[
    ("Indramayu", "Karangampel", "Jawa Barat"),
    ("Cilacap", "Kroya", "Jawa Tengah"),
    ("Ponorogo", "Sukorejo", "Jawa Timur"),
    ("Lombok Timur", "Selong", "Nusa Tenggara Barat"),
    ("Lampung Timur", "Sekampung", "Lampung"),
    ("Cirebon", "Plered", "Jawa Barat"),
    ("Blitar", "Kanigoro", "Jawa Timur"),
    ("Kendal", "Weleri", "Jawa Tengah"),
];
const COUNTRIES: &[&str] = &["MY", "TW", "HK", "SG", "SA", "KR", "JP"];
const JOBS: &[&str] = &[
    "domestic_worker",
    "caregiver",
    "plantation",
    "construction",
    "factory",
    "fishing",
];

/// A small deterministic generator, so runs are comparable (splitmix64).
fn mix(i: usize, k: u64) -> u64 {
    let mut z = (i as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(k.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick<T: Copy>(list: &[T], i: usize, k: u64) -> T {
    list[(mix(i, k) % list.len() as u64) as usize]
}

/// This year by the clock. Dates in test data count from it (a departure next year,
/// a passport that outlasts the contract, an adult's birth year), so the data stays
/// valid as the calendar moves: the suite also passes with the clock moved years
/// ahead (`faketime`, see README).
fn this_year() -> i32 {
    chrono::Datelike::year(&chrono::Utc::now())
}

/// The frozen payload of a registration for synthetic person `i`: varied names,
/// places, dates and numbers, so compression is measured on realistic spread.
pub fn registration_payload(i: usize) -> Value {
    let now = this_year();
    let female = mix(i, 1) % 4 != 0;
    // 21 to 45 years old.
    let year = now - 45 + (mix(i, 2) % 25) as i32;
    let month = 1 + mix(i, 3) % 12;
    let day = 1 + mix(i, 4) % 28;
    let nik_day = if female { day + 40 } else { day };
    let (regency, district, province) = pick(PLACES, i, 5);
    let name = format!("{} {}", pick(FIRST, i, 6), pick(LAST, i, 7));
    let heir = format!("{} {}", pick(FIRST, i, 8), pick(LAST, i, 9));
    let mother = pick(FIRST, i, 10);
    let start_month = 1 + mix(i, 11) % 12;
    json!({
        "nik": format!("32{:02}{:02}{nik_day:02}{month:02}{:02}{:04}", 1 + mix(i, 12) % 20, 1 + mix(i, 13) % 30, year % 100, 1 + mix(i, 14) % 9000),
        "full_name": name,
        "birth_place": regency,
        "birth_date": format!("{year}-{month:02}-{day:02}"),
        "sex": if female { "F" } else { "M" },
        "mother_maiden_name": mother,
        "address": format!("Jl. {} No. {}, RT {:02}/RW {:02}", pick(LAST, i, 15), 1 + mix(i, 16) % 200, 1 + mix(i, 17) % 15, 1 + mix(i, 18) % 10),
        "village": format!("Desa {}", pick(FIRST, i, 19)),
        "district": district,
        "regency": regency,
        "province": province,
        "phone_id": format!("+62812{:08}", mix(i, 20) % 100_000_000),
        "email": format!("pmi{}@contoh.id", mix(i, 21) % 1_000_000),
        "passport_number": format!("{}{:07}", pick(&["B", "C", "X"], i, 22), mix(i, 23) % 10_000_000),
        "passport_expiry": format!("{}-{:02}-{:02}", now + 4 + (mix(i, 24) % 5) as i32, 1 + mix(i, 25) % 12, 1 + mix(i, 26) % 28),
        "scheme": "p3mi",
        "placement_phase": "pre_placement",
        "placement_company": format!("PT {} Jaya Abadi", pick(LAST, i, 27)),
        "destination_country": pick(COUNTRIES, i, 28),
        "employer_name": format!("{} {}", pick(LAST, i, 29), pick(&["Sdn Bhd", "Ltd", "Co.", "Family"], i, 30)),
        "job": pick(JOBS, i, 31),
        "departure_date": format!("{}-{start_month:02}-01", now + 1),
        "contract_start": format!("{}-{start_month:02}-01", now + 1),
        "contract_end": format!("{}-{start_month:02}-01", now + 3),
        "jkk_jkm": true,
        "jht_opt_in": "yes",
        "jht_amount": pick(&["50000", "100000", "200000"], i, 32),
        "heirs": [{"name": heir, "relationship": pick(&["spouse", "child", "parent"], i, 33),
                   "birth_date": format!("{}-{:02}-{:02}", now - 66 + (mix(i, 34) % 40) as i32, 1 + mix(i, 35) % 12, 1 + mix(i, 36) % 28)}],
        "emergency_name": heir,
        "emergency_relationship": "spouse",
        "emergency_phone": format!("+62857{:08}", mix(i, 37) % 100_000_000),
        "data_true": true,
        "data_processing": true,
        "ktp_photo": [document_id("ktp_photo")],
        "kk_photo": [document_id("kk_photo")]
    })
}

/// `payload` (a [`registration_payload`]) as the registration of a person no
/// other registration of this process names: the server registers a NIK once
/// per placement, and tests finalize person 0, 1, … on every phone. The NIK
/// keeps its province, birth date and sex (so it still matches the answers);
/// its regency, district and serial come from a counter that starts at a random
/// place per process (other processes, such as the crash client, may register
/// against the same server).
pub fn as_new_person(mut payload: Value) -> Value {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static BASE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let base = *BASE.get_or_init(|| uuid::Uuid::new_v4().as_u64_pair().0 % 90_000_000);
    let n = base + NEXT.fetch_add(1, Ordering::Relaxed);
    let serial = n % 9999 + 1;
    let district = n / 9999 % 99 + 1;
    let regency = n / 9999 / 99 % 99 + 1;
    if let Some(nik) = payload["nik"].as_str() {
        let nik = format!(
            "{}{regency:02}{district:02}{}{serial:04}",
            &nik[..2],
            &nik[6..12]
        );
        payload["nik"] = json!(nik);
    }
    payload
}

/// Finalizes a registration (synthetic person `i`, [`as_new_person`]) with the sample documents its
/// payload names ([`registration_payload`]), stored and linked as the profile facade
/// does, so the sync uploads them. Returns the submission id.
pub fn finalize_registration_with_samples(store: &Store, i: usize) -> String {
    use rantau_core::store::attachments;
    let id = uuid::Uuid::new_v4().to_string();
    let r = row(
        &id,
        "pmi-registration",
        1_790_000_000_000 + i as i64,
        as_new_person(registration_payload(i)),
    );
    let done = store.write(|tx| {
        for (field, bytes) in rantau_core::forms::samples::sample_documents() {
            let mime = rantau_core::domain::document::check_file(&bytes)?;
            let (file, _) = attachments::put_attachment(tx, &bytes, mime, 1)?;
            attachments::link(tx, &id, &field, &file.id, 1)?;
        }
        insert_submission(tx, &r)
    });
    if let Err(e) = done {
        panic!("finalize with sample documents: {e}");
    }
    id
}

/// The content id of the sample document for `field` (a registration before
/// placement names its KTP and family card; the files are the samples').
fn document_id(field: &str) -> String {
    rantau_core::forms::samples::sample_documents()
        .into_iter()
        .find(|(f, _)| f == field)
        .map(|(_, bytes)| rantau_core::domain::document::content_id(&bytes))
        .unwrap_or_default()
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
        left_at: None,
    }
}

/// Finalizes `n` registrations into the outbox; returns their ids in order.
pub fn finalize_registrations(store: &Store, n: usize) -> Vec<String> {
    let base = 1_790_000_000_000i64;
    let rows: Vec<SubmissionRow> = (0..n)
        .map(|i| {
            row(
                &uuid::Uuid::new_v4().to_string(),
                "pmi-registration",
                base + i as i64,
                as_new_person(registration_payload(i)),
            )
        })
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
    let mut payload = Value::Object(rantau_core::forms::samples::sample_consultation());
    payload["registration_ref"] = json!(registration_ref);
    let r = row(&id, "consultation", created_at, payload);
    if let Err(e) = store.write(|tx| insert_submission(tx, &r)) {
        panic!("finalize: {e}");
    }
    id
}

/// Makes every waiting submission due now (tests do not wait out the backoff).
pub fn make_waiting_due(store: &Store) {
    let r = store.write(|tx| {
        tx.execute(
            "UPDATE submissions SET next_attempt_at = 0 WHERE state = 'waiting'",
            [],
        )?;
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

/// A synthetic JPEG of `len` bytes (the JPEG signature, then pseudo-random bytes
/// from `seed`, which do not compress, like a real photo).
pub fn fake_jpeg(len: usize, seed: u64) -> Vec<u8> {
    let mut out: Vec<u8> = (0..len.div_ceil(8))
        .flat_map(|i| mix(i, seed).to_le_bytes())
        .take(len)
        .collect();
    if out.len() >= 3 {
        out[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    }
    out
}

/// Finalizes a registration (synthetic person `i`) whose `ktp_photo` and `kk_photo`
/// are both `file` (one scan of both cards, so the submission carries exactly that
/// one file), stored and linked as the profile facade does at attach + finalize.
/// Returns (submission id, file id).
pub fn finalize_registration_with_file(store: &Store, i: usize, file: &[u8]) -> (String, String) {
    use rantau_core::store::attachments;
    let id = uuid::Uuid::new_v4().to_string();
    let sha = rantau_core::domain::document::content_id(file);
    let mut payload = as_new_person(registration_payload(i));
    payload["ktp_photo"] = json!([sha]);
    payload["kk_photo"] = json!([sha]);
    let r = row(
        &id,
        "pmi-registration",
        1_790_000_000_000 + i as i64,
        payload,
    );
    let done = store.write(|tx| {
        let mime = rantau_core::domain::document::check_file(file)?;
        attachments::put_attachment(tx, file, mime, 1)?;
        attachments::link(tx, &id, "ktp_photo", &sha, 1)?;
        attachments::link(tx, &id, "kk_photo", &sha, 1)?;
        insert_submission(tx, &r)
    });
    if let Err(e) = done {
        panic!("finalize with file: {e}");
    }
    (id, sha)
}
