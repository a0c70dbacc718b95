//! Syncing as the screens and the background worker see it. A run starts only when
//! the network and the worker's settings allow ([`gate`]), and otherwise says why it
//! waits; each profile has one sync state in the process ([`hub`]), shared by every
//! handle on it, so "Sync now" and a background run show the same progress and
//! result; [`status`] words that state for the screen; [`link`] keeps a front-end's
//! server address, trusted roots and HTTP client between runs.
//!
//! The engine's types a front-end needs (settings, progress, report) are re-exported
//! here, so front-ends name only the app API.

pub mod gate;
pub mod hub;
pub mod link;
pub mod status;

pub use crate::sync::{NoObserver, SyncConfig, SyncObserver, SyncReport, SyncState};
pub use gate::{documents_held, gate, Network, SyncSettings, WaitReason};
pub use hub::{Hub, SyncListener};
pub use link::ServerLink;
pub use status::{SyncAction, SyncStatus, SyncStep};
