//! Fuzzes a built-in form filled by random user inputs (or damaged raw answers):
//! never panics; re-entering a stored value is a no-op; the frozen payload is
//! stable, never carries a hidden field, and the server's check of it agrees
//! with the app's validation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rantau_core::fuzzing::form_answers(data));
