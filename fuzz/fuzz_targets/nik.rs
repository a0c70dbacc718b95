//! Fuzzes `Nik::parse`: never panics; a parsed NIK is 16 digits, re-parses to
//! itself, decodes without panicking and agrees with its own decoded birth date and sex.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use rantau_core::domain::nik::Nik;

fuzz_target!(|input: &str| {
    let Ok(nik) = Nik::parse(input) else { return };
    assert_eq!(nik.as_str().len(), 16);
    assert!(nik.as_str().bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(Nik::parse(nik.as_str()).as_ref(), Ok(&nik));
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let info = nik.info(today);
    assert!(info.serial >= 1);
    assert!(nik.check_declared(Some(info.birth_date), Some(info.sex)).is_empty());
});
