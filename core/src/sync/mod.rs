//! Sync with the agency's server: the engine that pushes the outbox in batches and
//! pulls the change feed into the local cache, speaking `protocol`'s v1 wire format.
//! Entry point: [`sync`]; everything it writes is one atomic transaction per step.

pub mod backoff;
pub mod config;
mod engine;
mod enroll;
mod http;
pub mod meta_keys;
pub mod observer;
mod pull;
mod push;
mod upload;

pub use backoff::Backoff;
pub use config::SyncConfig;
pub use engine::sync;
pub use observer::{NoObserver, SyncObserver, SyncReport, SyncState};

/// The pull's cache writer, for the app's tests that read events back through the inquiries.
#[cfg(test)]
pub(crate) use pull::apply_event;
