//! Records and enums that cross the FFI, and their conversions from the core's
//! types. Text meant for the user arrives already in the profile's language;
//! dates are `YYYY-MM-DD` strings, times unix milliseconds. Types that may hold
//! personal data have no `Debug`, or a hand-written one without the values.

use rantau_core::app::profile;
use rantau_core::forms::Input;
use rantau_core::{Lang, Localized};

pub(crate) fn text(l: &Localized, lang: Lang) -> String {
    l.get(lang).to_string()
}

/// A value as the form sends it (one user action).
#[derive(Clone, PartialEq, uniffi::Enum)]
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
    /// Picked values (multi-choice fields). (Not `List`: it would shadow Kotlin's `List`.)
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

/// A form a user can start.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FormInfo {
    /// Form id (`pmi-registration`).
    pub id: String,
    /// Version.
    pub version: u32,
    /// Title in the profile's language.
    pub title: String,
    /// Description, if any.
    pub description: Option<String>,
}

/// One line of the drafts list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DraftSummary {
    /// Draft id.
    pub id: String,
    /// Form id.
    pub form_id: String,
    /// Form title in the profile's language.
    pub title: String,
    /// Answered fields.
    pub answered: u32,
    /// Last change (unix ms).
    pub updated_at: i64,
}

impl From<profile::DraftSummary> for DraftSummary {
    fn from(d: profile::DraftSummary) -> Self {
        DraftSummary {
            id: d.id,
            form_id: d.form_id,
            title: d.title,
            answered: u32::try_from(d.answered).unwrap_or(u32::MAX),
            updated_at: d.updated_at,
        }
    }
}
