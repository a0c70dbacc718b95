//! A field's kind: what it holds and how it is entered. Its own file so that the
//! definition and the roles (which say which kinds a role fits) both build on it.

use serde::{Deserialize, Serialize};

/// What a field holds and how it is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Kind {
    /// Free text (one line, or `multiline`).
    Text,
    /// A number, optionally an integer, optionally in a range.
    Number,
    /// A calendar date, stored `YYYY-MM-DD`.
    Date,
    /// One value of a choice list.
    SingleChoice,
    /// Several values of a choice list.
    MultiChoice,
    /// A phone number, stored E.164; its country is fixed or another field.
    Phone,
    /// An e-mail address.
    Email,
    /// An Indonesian national identity number (16 digits).
    Nik,
    /// A passport number, stored uppercase without spaces.
    Passport,
    /// A BPJS Ketenagakerjaan membership card number.
    Kpj,
    /// A country, stored as its ISO 3166 alpha-2 code.
    Country,
    /// A tick box; stored `true`/`false`.
    Consent,
    /// A group of fields entered zero or more times (e.g. heirs).
    Repeat,
    /// Read-only text (a heading or explanation); holds no value.
    Note,
    /// Photos or scans of one document (`document` says which), one file per page;
    /// stored as the list of the files' content ids (hex SHA-256).
    Document,
}

impl Kind {
    /// True for kinds whose value is one string typed or picked by the user.
    pub(crate) fn is_stringish(self) -> bool {
        !matches!(
            self,
            Kind::Number
                | Kind::Consent
                | Kind::MultiChoice
                | Kind::Repeat
                | Kind::Note
                | Kind::Document
        )
    }
}
