//! Fuzz harness bodies, shared by the cargo-fuzz targets in `fuzz/` and by the
//! unit test below that replays their seed corpora on every `cargo test`, so the
//! invariants run in CI without a nightly fuzzer. Each function panics (on
//! purpose: that is how a fuzzer sees a finding) when an invariant breaks.
#![doc(hidden)]
#![allow(clippy::missing_panics_doc)]

mod answers;
mod bytes;
mod conditions;
mod wire;

pub use answers::form_answers;
pub use conditions::conditions;
pub use wire::wire_client;

use chrono::NaiveDate;

use crate::domain::{
    country, date::parse_date, email::Email, kpj::Kpj, nik::Nik, passport::Passport, phone::Phone,
};
use crate::forms::samples::sample_today;
use crate::forms::{frozen_payload, validate, Answers, Context, FormDefinition};
use crate::Lang;

/// `Nik::parse` never panics; a parsed NIK is 16 digits, re-parses to itself and agrees with its own birth date and sex.
pub fn nik(input: &str) {
    let Ok(nik) = Nik::parse(input) else { return };
    assert_eq!(nik.as_str().len(), 16);
    assert!(nik.as_str().bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(Nik::parse(nik.as_str()).as_ref(), Ok(&nik));
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let info = nik.info(today);
    assert!(info.serial >= 1);
    assert!(nik
        .check_declared(Some(info.birth_date), Some(info.sex))
        .is_empty());
}

/// `Phone::parse`: the first character picks the default country, the rest is the number; a parsed number is E.164 and re-parses to itself from any default country.
pub fn phone(input: &str) {
    let countries = country::countries();
    // The first character picks the default country (code point modulo the number of
    // countries: `B` → ID, `E` → MY, `H` → KR), the rest is the number.
    let mut chars = input.chars();
    let Some(first) = chars.next() else { return };
    let default = &countries[first as usize % countries.len()].code;
    let Ok(phone) = Phone::parse(chars.as_str(), default) else {
        return;
    };
    let e164 = phone.value.e164();
    assert!(e164.starts_with('+'));
    assert!(
        e164.len() <= 16 && e164[1..].bytes().all(|b| b.is_ascii_digit()),
        "not E.164"
    );
    for other in ["ID", "MY", "HK"] {
        let again = Phone::parse(e164, other).map(|c| c.value);
        assert_eq!(again.as_ref(), Ok(&phone.value));
    }
}

/// `Passport::parse`: a parsed number is 7–10 uppercase letters and digits and re-parses to itself.
pub fn passport(input: &str) {
    let Ok(p) = Passport::parse(input) else {
        return;
    };
    let s = p.value.as_str();
    assert!((7..=10).contains(&s.len()));
    assert!(s
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    assert_eq!(Passport::parse(s).as_ref(), Ok(&p));
}

/// KPJ, e-mail and date parsers: what parses re-parses to itself (dates in both accepted orders).
pub fn kpj_email_date(input: &str) {
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
}

/// Arbitrary bytes as a form definition: parsing never panics, and a definition that parses validates empty answers and freezes them without panicking.
pub fn form_definition(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(def) = FormDefinition::from_json(text) else {
        return;
    };
    let today = sample_today();
    let answers = Answers::new();
    for lang in [Lang::Id, Lang::En] {
        let _ = validate(&def, &answers, &Context { today, lang });
    }
    let _ = frozen_payload(&def, &answers);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Runs `f` over every file of `fuzz/corpus/<target>/`, and returns how many.
    fn replay(target: &str, f: impl Fn(&[u8])) -> usize {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fuzz/corpus")
            .join(target);
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                f(&std::fs::read(&path).unwrap());
                n += 1;
            }
        }
        n
    }

    fn text(f: fn(&str)) -> impl Fn(&[u8]) {
        move |bytes| {
            if let Ok(s) = std::str::from_utf8(bytes) {
                f(s)
            }
        }
    }

    #[test]
    fn seed_corpora_hold_every_invariant() {
        assert!(replay("nik", text(nik)) >= 3);
        assert!(replay("phone", text(phone)) >= 3);
        assert!(replay("passport", text(passport)) >= 3);
        assert!(replay("kpj_email_date", text(kpj_email_date)) >= 3);
        assert!(replay("form_definition", form_definition) >= 3);
        assert!(replay("conditions", conditions) >= 3);
        assert!(replay("form_answers", form_answers) >= 3);
        assert!(replay("wire_client", wire_client) >= 3);
    }

    proptest! {
        #[test]
        fn identifier_harnesses_hold_on_arbitrary_text(s in "\\PC{0,40}") {
            nik(&s);
            phone(&s);
            passport(&s);
            kpj_email_date(&s);
        }

        #[test]
        fn identifier_harnesses_hold_on_digit_soup(s in "[+0-9 ().-]{0,24}") {
            nik(&s);
            phone(&format!("B{s}"));
            kpj_email_date(&s);
        }

        #[test]
        fn structured_harnesses_hold_on_arbitrary_bytes(b in proptest::collection::vec(any::<u8>(), 0..256)) {
            conditions(&b);
            form_answers(&b);
            wire_client(&b);
        }

        #[test]
        fn form_definition_harness_holds_on_arbitrary_bytes(b in proptest::collection::vec(any::<u8>(), 0..256)) {
            form_definition(&b);
        }
    }
}
