//! Fuzzes `Phone::parse` with every built-in country as default: never panics; a
//! parsed number is E.164 (`+` and at most 15 digits) and re-parses to itself
//! whatever the default country.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| rantau_core::fuzzing::phone(input));
