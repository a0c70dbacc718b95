//! Sample answers for tests, benchmarks and the CLI demo: a complete, valid
//! registration of a fictional worker (the NIK encodes her birth date and sex).

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::answers::Answers;

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

/// A complete, valid `pmi-registration` v1 (fictional person), stored the way
/// `set_field` stores it (normalized).
pub fn sample_registration() -> Answers {
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
