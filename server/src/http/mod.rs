//! The HTTP side: the router, the extractors (authentication, rate limits),
//! bounded and gzip-aware bodies, middleware (request log, deadline, JSON
//! errors for unknown routes and panics), the accept loop, and one file of
//! handlers per group of device routes. Handlers parse, call the decisions
//! and the storage repository, and answer; they never hold a transaction.

pub mod attachments;
pub mod body;
pub mod catalog;
pub mod changes;
pub mod devices;
pub mod error;
pub mod extract;
pub mod middleware;
pub mod proxy;
pub mod published;
pub mod routes;
pub mod serve;
pub mod submissions;

use std::sync::Arc;

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
}
