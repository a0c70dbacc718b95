//! Fuzzes `Nik::parse`: never panics; a parsed NIK is 16 digits, re-parses to
//! itself, decodes without panicking and agrees with its own decoded birth date and sex.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| rantau_core::fuzzing::nik(input));
