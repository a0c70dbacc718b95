//! Sample answers for tests, benchmarks and the CLI demo: a complete, valid
//! registration of a fictional worker (the NIK encodes her birth date and sex),
//! with the document pages it names.

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::answers::Answers;
use crate::domain::document::{content_id, is_content_id};

/// The day the samples are valid on (ages and tariffs are computed against it).
pub fn sample_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 2).unwrap_or_default()
}

fn object(v: Value) -> Answers {
    match v {
        Value::Object(m) => m,
        _ => Answers::new(),
    }
}

/// The document pages of [`sample_registration`]: (document field id, file bytes).
/// She registers before placement, so her KTP and family card are required
/// (Permenaker 4/2023). A profile needs the files themselves to finalize: attach
/// them (`Profile::attach`) after typing [`as_inputs`]; the answers name them by
/// content id.
pub fn sample_documents() -> Vec<(String, Vec<u8>)> {
    // The smallest files the document policy accepts: a JPEG's first bytes.
    let jpeg = |text: &[u8]| [0xFF, 0xD8, 0xFF].iter().chain(text).copied().collect();
    vec![
        ("ktp_photo".to_string(), jpeg(b" sample KTP, front")),
        ("kk_photo".to_string(), jpeg(b" sample family card")),
    ]
}

/// A complete, valid `pmi-registration` v1 (fictional person), stored the way
/// `set_field` stores it (normalized), naming the files of [`sample_documents`].
pub fn sample_registration() -> Answers {
    let mut answers = typed_registration();
    for (field, bytes) in sample_documents() {
        answers.insert(field, json!([content_id(&bytes)]));
    }
    answers
}

/// [`sample_registration`] for fictional person `n`: the same answers with
/// another NIK (its serial, the last four digits, and then its district, the
/// two before the birth date, vary with `n`; `n` = 0 is the sample's own NIK).
/// The server registers a NIK once per placement window, so tests and
/// benchmarks that register several times name several people (989,901 of
/// them before the NIKs repeat).
pub fn sample_registration_of(n: u32) -> Answers {
    let mut answers = sample_registration();
    let serial = n % 9999 + 1;
    let district = (n / 9999 % 99 + 13) % 99 + 1;
    if let Some(Value::String(nik)) = answers.get_mut("nik") {
        *nik = format!("{}{district:02}{}{serial:04}", &nik[..4], &nik[6..12]);
    }
    answers
}

/// The registration's typed answers (no documents).
fn typed_registration() -> Answers {
    object(json!({
        "nik": "3515145708950001",
        "full_name": "Sri Wahyuni",
        "birth_place": "Sidoarjo",
        "birth_date": "1995-08-17",
        "sex": "F",
        "mother_maiden_name": "Suminah",
        "address": "Jl. Melati No. 5, RT 02/RW 03",
        "village": "Sidokare",
        "district": "Sidoarjo",
        "regency": "Kabupaten Sidoarjo",
        "province": "Jawa Timur",
        "phone_id": "+6281234567890",
        "phone_abroad": "+85291234567",
        "passport_number": "C1234567",
        "passport_expiry": "2030-01-15",
        "scheme": "p3mi",
        "placement_phase": "pre_placement",
        "placement_company": "PT Contoh Penempatan",
        "destination_country": "HK",
        "employer_name": "Chan Tai Man",
        "job": "domestic_worker",
        "contract_start": "2025-07-01",
        "contract_end": "2027-06-30",
        "jkk_jkm": true,
        "jht_opt_in": "yes",
        "jht_amount": "100000",
        "heirs": [
            {"name": "Suminah", "relationship": "parent", "birth_date": "1970-03-12"}
        ],
        "emergency_name": "Bambang Santoso",
        "emergency_relationship": "sibling",
        "emergency_phone": "+6285712345678",
        "data_true": true,
        "data_processing": true
    }))
}

/// A complete, valid `consultation` v1.
pub fn sample_consultation() -> Answers {
    object(json!({
        "category": "payment_not_recorded",
        "subject": "Iuran belum tercatat",
        "message": "Saya sudah membayar iuran di Bank Mandiri Kuala Lumpur tanggal 3 Mei, tetapi status masih belum bayar.",
        "contact_channel": "whatsapp",
        "contact_phone": "+60123456789"
    }))
}

/// The answers as the inputs a user would type, in form order, with repeat
/// items addressed as `group[i].field` — for benchmarks and the demo. Document
/// answers (lists of content ids) are left out: a user attaches the files
/// ([`sample_documents`]), which puts their ids in the answers.
pub fn as_inputs(answers: &Answers) -> Vec<(String, super::Input)> {
    use super::Input;
    fn scalar(v: &Value) -> Option<Input> {
        match v {
            Value::String(s) => Some(Input::Text(s.clone())),
            Value::Bool(b) => Some(Input::Bool(*b)),
            Value::Number(n) => n.as_f64().map(Input::Number),
            Value::Array(items) => Some(Input::List(
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect(),
            )),
            _ => None,
        }
    }
    let mut out = Vec::new();
    for (key, value) in answers {
        match value {
            Value::Array(items)
                if !items.is_empty()
                    && items.iter().all(|i| i.as_str().is_some_and(is_content_id)) => {}
            Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    if let Value::Object(fields) = item {
                        for (f, v) in fields {
                            if let Some(input) = scalar(v) {
                                out.push((format!("{key}[{i}].{f}"), input));
                            }
                        }
                    }
                }
            }
            v => {
                if let Some(input) = scalar(v) {
                    out.push((key.clone(), input));
                }
            }
        }
    }
    out
}
