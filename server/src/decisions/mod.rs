//! What the server decides, with no storage and no HTTP in sight: identifiers
//! and hashes, validation of a submission against its form, the registration
//! decision, the person a registration is for and the import of people
//! registered elsewhere, each batch item's answer, and who may enroll. Handlers call these
//! to decide; storage calls the few that must run inside its transactions
//! ([`ingest::replay`], [`devices::admit`]).

pub mod devices;
pub mod ids;
pub mod import;
pub mod ingest;
pub mod link;
pub mod persons;
pub mod registration;
pub mod validation;
