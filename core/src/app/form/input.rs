//! [`FieldInput`]: one user action on a field, as a screen sends it. The forms
//! layer's [`Input`] with named fields, so that it crosses the FFI as a plain enum
//! (a variant named `List` would shadow Kotlin's `List`).

use crate::forms::Input;

/// A value as the form screen sends it (one keystroke, pick, date or tick).
#[derive(Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum FieldInput {
    /// Typed or picked text; every single-value kind parses it.
    Text {
        /// The text as typed.
        value: String,
    },
    /// A number (number fields).
    Number {
        /// The number.
        value: f64,
    },
    /// A tick (consent fields).
    Bool {
        /// Ticked or not.
        value: bool,
    },
    /// Picked values (multi-choice fields).
    Picked {
        /// The values.
        values: Vec<String>,
    },
    /// Empties the field (a repeat group: removes every item).
    Clear,
}

impl From<FieldInput> for Input {
    fn from(i: FieldInput) -> Input {
        match i {
            FieldInput::Text { value } => Input::Text(value),
            FieldInput::Number { value } => Input::Number(value),
            FieldInput::Bool { value } => Input::Bool(value),
            FieldInput::Picked { values } => Input::List(values),
            FieldInput::Clear => Input::Clear,
        }
    }
}
