//! Fuzzes `Passport::parse`: never panics; a parsed number is upper-case ASCII
//! letters then digits, re-parses to itself with the same warnings.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| rantau_core::fuzzing::passport(input));
