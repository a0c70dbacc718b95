//! Fuzzes the reference server's router in process: random requests on every
//! route (the first byte picks it). Never a 5xx; every answer decodes as its
//! wire type; a batch sent twice is answered exactly once.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rantau_server::fuzzing::server_bodies(data));
