//! Helpers for the end-to-end tests: a fault-injecting TCP proxy on loopback.
