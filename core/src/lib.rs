//! Rantau core: the offline-first branch office in a migrant worker's pocket.
//!
//! - [`domain`]: identifiers (NIK, KPJ, passport, phone, e-mail), countries and the
//!   contribution tariff, each a type that can only hold a valid value.
//! - [`forms`]: the declarative, versioned form format, conditions and validation,
//!   and the built-in forms (registration, consultation, data update).
//! - [`store`]: one encrypted SQLite database per profile, drafts and the outbox.
//! - [`directory`]: the offline directory of service points abroad.
//! - [`sync`]: the engine that pushes the outbox and pulls the change feed.
//! - [`inquiry`]: read-only answers from the local cache (membership, card, payments, replies).
//! - [`profile`]: the API the app and the CLI use: drafts, autosave, finalize, outbox.

pub mod base;
pub mod domain;
pub mod forms;
pub mod fuzzing;
pub mod inquiry;
pub mod profile;
pub mod protocol;
pub mod store;
pub mod sync;

pub use base::error::{Error, Result};
pub use base::issue::{Issue, Problem, Severity};
pub use base::lang::{Lang, Localized};
