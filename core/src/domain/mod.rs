//! Domain values: identifiers, dates, countries and the contribution tariff.
//! Each is a type that can only hold a valid value.

/// Messages for the domain validators' problem codes.
pub static MESSAGES: &[crate::messages::Entry] = &[];
