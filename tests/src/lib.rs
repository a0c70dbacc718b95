//! Helpers for the end-to-end tests and the sync benchmark: a fault-injecting
//! HTTP/1.1 proxy on loopback ([`proxy::Proxy`]) and small builders of test data.

pub mod proxy;
