//! uniffi bindings of the Rantau core: the surface the Android app (through the
//! Kotlin facade `id.rantau`) calls. No business logic lives here: every export
//! converts its arguments, delegates to `rantau_core` and converts the answer.
//!
//! - [`error`]: the one public error ([`RantauError`]) and the panic guard.
//! - [`profile`]: [`RantauProfile`], one open encrypted profile (drafts, outbox, inquiries, sync).
//! - [`draft`]: [`RantauDraft`], one open draft on its form screen (the core's `DraftSession`).
//! - [`tools`]: calls that need no profile (checks, contribution quote, service points).
//! - `android` (Android only): the JNI call that lets the TLS verifier use Android's trust store.
//!
//! The records and enums that cross the boundary are the core's own (its `uniffi`
//! feature derives them): no mirror types here.

#[cfg(any(target_os = "android", test))]
mod android;
pub mod draft;
pub mod error;
pub mod profile;
pub mod tools;

pub use draft::RantauDraft;
pub use error::RantauError;
pub use profile::RantauProfile;

uniffi::setup_scaffolding!("rantau");
