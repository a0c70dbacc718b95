//! Fuzzes `Phone::parse` with every built-in country as default: never panics; a
//! parsed number is E.164 (`+` and at most 15 digits) and re-parses to itself
//! whatever the default country.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rantau_core::domain::{country, phone::Phone};

fuzz_target!(|input: &str| {
    let countries = country::countries();
    // The first character picks the default country (code point modulo the number of
    // countries: `B` → ID, `E` → MY, `H` → KR), the rest is the number.
    let mut chars = input.chars();
    let Some(first) = chars.next() else { return };
    let default = &countries[first as usize % countries.len()].code;
    let Ok(phone) = Phone::parse(chars.as_str(), default) else { return };
    let e164 = phone.value.e164();
    assert!(e164.starts_with('+'));
    assert!(e164.len() <= 16 && e164[1..].bytes().all(|b| b.is_ascii_digit()), "not E.164");
    for other in ["ID", "MY", "HK"] {
        let again = Phone::parse(e164, other).map(|c| c.value);
        assert_eq!(again.as_ref(), Ok(&phone.value));
    }
});
