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

/// Messages for sync outcomes the user sees (issues set on submissions).
pub static MESSAGES: &[crate::base::messages::Entry] = &[
    (
        "sync.registration_rejected",
        "Pendaftaran ditolak petugas: {reason}",
        "The registration was rejected by an officer: {reason}",
    ),
    (
        "sync.conflict",
        "Server sudah menerima kiriman lain dengan nomor yang sama. Buka kembali formulir dan kirim ulang.",
        "The server already holds a different submission with this id. Reopen the form and send it again.",
    ),
];
