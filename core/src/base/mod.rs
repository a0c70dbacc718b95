//! The ground floor: the core's error, the user's language, validation problems
//! and issues, and the message catalog (as data). It imports nothing above it, so
//! every other layer may use it.

pub mod error;
pub mod issue;
pub mod lang;
pub mod messages;
