//! Fuzzes `Passport::parse`: never panics; a parsed number is upper-case ASCII
//! letters then digits, re-parses to itself with the same warnings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rantau_core::domain::passport::Passport;

fuzz_target!(|input: &str| {
    let Ok(p) = Passport::parse(input) else { return };
    let s = p.value.as_str();
    assert!((7..=10).contains(&s.len()));
    assert!(s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    assert_eq!(Passport::parse(s).as_ref(), Ok(&p));
});
