//! Form definitions, conditions, answers and validation.

/// Messages for the form engine's problem codes.
pub static MESSAGES: &[crate::messages::Entry] = &[];
