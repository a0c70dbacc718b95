//! Fuzzes `Kpj::parse`, `Email::parse` and `parse_date` on the same input: none
//! panics; each parsed value re-parses to itself (a date through its ISO form).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| rantau_core::fuzzing::kpj_email_date(input));
