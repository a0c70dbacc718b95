//! Fuzzes every JSON document the app decodes from a server (the first byte picks
//! the type): decoding never panics; a decoded value re-encodes byte-stably and
//! decodes to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rantau_core::fuzzing::wire_client(data));
