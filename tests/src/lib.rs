//! Helpers for the end-to-end tests and the sync benchmark: a fault-injecting
//! HTTP/1.1 proxy on loopback ([`proxy::Proxy`]), the reference server and its
//! officer endpoints ([`server`]), builders of test data ([`data`]), the crash
//! client's line protocol ([`crash`]), and HTTPS on loopback: a test authority and a
//! TLS-terminating proxy ([`tls`]).

pub mod crash;
pub mod data;
pub mod proxy;
pub mod rng;
pub mod server;
pub mod tls;
