//! The encrypted local store: one SQLCipher database per profile.

/// Messages for store problems the user can see.
pub static MESSAGES: &[crate::messages::Entry] = &[];
