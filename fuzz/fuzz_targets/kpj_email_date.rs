//! Fuzzes `Kpj::parse`, `Email::parse` and `parse_date` on the same input: none
//! panics; each parsed value re-parses to itself (a date through its ISO form).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rantau_core::domain::{date::parse_date, email::Email, kpj::Kpj};

fuzz_target!(|input: &str| {
    if let Ok(k) = Kpj::parse(input) {
        assert!((10..=15).contains(&k.as_str().len()));
        assert_eq!(Kpj::parse(k.as_str()).as_ref(), Ok(&k));
    }
    if let Ok(e) = Email::parse(input) {
        assert_eq!(e.as_str().matches('@').count(), 1);
        assert_eq!(Email::parse(e.as_str()).as_ref(), Ok(&e));
    }
    if let Ok(d) = parse_date(input) {
        assert_eq!(parse_date(&d.format("%Y-%m-%d").to_string()), Ok(d));
        assert_eq!(parse_date(&d.format("%d-%m-%Y").to_string()), Ok(d));
    }
});
