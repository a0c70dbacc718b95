//! Fuzzes `show_if`/`required_if` conditions: trees built from the bytes or parsed
//! from JSON, evaluated against random answers. Never panics; evaluation is
//! deterministic, obeys the boolean laws, reads only the fields it names, and
//! the JSON form round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rantau_core::fuzzing::conditions(data));
