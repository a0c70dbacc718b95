//! Fuzz target: arbitrary bytes as a form definition. Parsing must never panic;
//! a definition that parses must validate empty answers and its frozen payload
//! without panicking either.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rantau_core::fuzzing::form_definition(data));
