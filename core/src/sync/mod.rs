//! Sync with the agency's server: the v1 wire format, and (issue 3) the engine
//! that pushes the outbox and pulls the change feed.

pub mod wire;
