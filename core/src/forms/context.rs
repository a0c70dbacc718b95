//! What validation needs to know about now: today's date and the user's language.
//! Its own file so the input, kind and validation modules share it without
//! importing each other.

use chrono::NaiveDate;

use crate::base::lang::Lang;

/// What validation needs to know about now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// Today's date (ages, "not in the future", tariffs in force).
    pub today: NaiveDate,
    /// The language issues are rendered in.
    pub lang: Lang,
}
