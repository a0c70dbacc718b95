//! Rantau core: the offline-first branch office in a migrant worker's pocket.
//!
//! Layers, top to bottom; a module imports only from its own layer and those below
//! (`tests/layers.rs` fails the build's tests otherwise, see `ARCHITECTURE.md`):
//!
//! - [`app`]: the one API every front-end uses: profiles, drafts, autosave, finalize,
//!   the outbox, sync, and read-only inquiries from the local cache.
//! - [`sync`]: the engine that pushes the outbox and pulls the change feed.
//! - [`store`]: one encrypted SQLite database per profile: drafts, outbox, cache, documents.
//! - [`protocol`]: the v1 wire types and cached records (serde only), shared with the server.
//! - [`forms`]: the declarative, versioned form format, conditions and validation,
//!   and the built-in forms (registration, consultation, data update).
//! - [`domain`]: identifiers (NIK, KPJ, passport, phone, e-mail), dates, countries, the
//!   contribution tariff, the document-file policy and the service-point directory.
//! - [`base`]: the error, the user's language, issues and the message catalog.
//!
//! [`fuzzing`] holds the bodies of the fuzz targets; it stands outside the layers.

// The store and the sync engine are private to the core: front-ends go through
// `app`, which re-exports the few of their types a front-end needs. The feature
// `internals` opens them for the engine's own test suite and benchmarks (crash,
// network and storage faults, soak), which must drive them directly.
#![cfg_attr(
    not(feature = "internals"),
    allow(dead_code, unused_imports, private_interfaces)
)]

pub mod app;
pub mod base;
pub mod domain;
pub mod forms;
pub mod fuzzing;
pub mod protocol;
#[cfg(feature = "internals")]
pub mod store;
#[cfg(not(feature = "internals"))]
pub(crate) mod store;
#[cfg(feature = "internals")]
pub mod sync;
#[cfg(not(feature = "internals"))]
pub(crate) mod sync;

pub use base::error::{Error, ErrorKind, Result};

// The app API's records cross the FFI as they are (feature `uniffi`, turned on by
// the bindings crate). The derives and this scaffolding expand to uniffi's
// `unsafe impl`s of its FFI traits; the core itself writes no unsafe code.
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("rantau_core");
pub use base::issue::{Issue, Problem, Severity};
pub use base::lang::{Lang, Localized};
