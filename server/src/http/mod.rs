//! The HTTP side: the router, the extractors (authentication, rate limits),
//! bounded and gzip-aware bodies, middleware (request log, deadline, JSON
//! errors for unknown routes and panics, `Connection: close` after an unread body), the accept loop, the probes and
//! metrics for operators, and one file of handlers per group of device routes. Handlers parse, call the decisions
//! and the storage repository, and answer; they never hold a transaction.

pub mod attachments;
pub mod body;
pub mod catalog;
pub mod changes;
pub mod devices;
pub mod error;
pub mod extract;
pub mod health;
pub mod link;
pub mod metrics;
pub mod middleware;
pub mod proxy;
pub mod published;
pub mod routes;
pub mod runs;
pub mod serve;
pub mod submissions;
pub mod unread_body;

use std::sync::Arc;

use crate::http::metrics::Metrics;
use crate::http::published::Catalog;
use crate::limits::Limiter;
use crate::stats::Stats;
use crate::storage::Storage;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// Records and documents: every query and transaction goes through it.
    pub storage: Storage,
    /// SHA-256 of the officers' bearer token.
    pub admin_hash: [u8; 32],
    /// Forms and reference data with their ETags.
    pub catalog: Arc<Catalog>,
    /// Rate limits' buckets.
    pub limiter: Arc<Limiter>,
    /// Answer counters.
    pub stats: Arc<Stats>,
    /// What `/metrics` shows.
    pub metrics: Arc<Metrics>,
    /// The last readiness verdict (`/readyz` asks the database once a second at most).
    pub ready: Arc<health::ReadyCache>,
    /// Attachments with a run of chunks being stored (a status waits for them).
    pub runs: Arc<runs::RunsInFlight>,
    /// Where link codes are mailed from (none: no SMTP relay configured).
    pub mail: Option<Arc<crate::mail::Mailer>>,
}

/// A state over `storage` with default limits, for handler tests.
#[cfg(test)]
pub(crate) fn test_state(storage: Storage) -> AppState {
    let metrics = Arc::new(Metrics::new(storage.pool_status().is_some()));
    AppState {
        storage,
        admin_hash: crate::decisions::ids::sha256(b"test-admin-token"),
        #[allow(clippy::unwrap_used)]
        catalog: Arc::new(Catalog::builtin().unwrap()),
        limiter: Arc::new(Limiter::new(&crate::limits::Limits::default())),
        stats: Arc::default(),
        metrics,
        ready: Arc::default(),
        runs: Arc::default(),
        mail: None,
    }
}
