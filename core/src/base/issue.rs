//! Validation problems are data, not failures: each carries a stable code, the
//! field path, a severity and a message in the user's language.
//!
//! Validators return language-neutral [`Problem`]s (a code and named parameters);
//! [`Problem::localize`] renders them through the message catalog into an [`Issue`].

use serde::{Deserialize, Serialize};

use crate::base::lang::Lang;
use crate::base::messages;

/// How serious an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Severity {
    /// Blocks finalize.
    Error,
    /// Shown to the user; does not block finalize.
    Warning,
}

/// A language-neutral validation finding: a stable code with named parameters.
///
/// Parameters may hold user input (the app shows both values of a mismatch), so a
/// `Problem` is shown to its user only: never log it; log [`Problem::code`].
#[derive(Clone, PartialEq, Eq)]
pub struct Problem {
    /// Stable code, e.g. `nik.length`. Never changes once shipped.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// Named values substituted into the message template (`{name}`).
    pub params: Vec<(&'static str, String)>,
}

impl std::fmt::Debug for Problem {
    // Hand-written: params can carry personal data (a NIK's birth date, a name).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Problem")
            .field("code", &self.code)
            .field("severity", &self.severity)
            .field(
                "params",
                &self.params.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Problem {
    /// An error with no parameters.
    pub fn error(code: &'static str) -> Self {
        Problem {
            code,
            severity: Severity::Error,
            params: Vec::new(),
        }
    }

    /// A warning with no parameters.
    pub fn warning(code: &'static str) -> Self {
        Problem {
            code,
            severity: Severity::Warning,
            params: Vec::new(),
        }
    }

    /// Adds a named parameter for the message template.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.params.push((name, value.into()));
        self
    }

    /// Renders this problem for the field at `path` in `lang`.
    pub fn localize(&self, path: &str, lang: Lang) -> Issue {
        Issue {
            code: self.code.to_string(),
            path: path.to_string(),
            severity: self.severity,
            message: messages::render(self.code, lang, &self.params),
        }
    }
}

/// A validation finding as the user sees it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Issue {
    /// Stable code, e.g. `nik.birth_date_mismatch`.
    pub code: String,
    /// The field path, e.g. `nik` or `heirs[1].name`; empty for the whole form.
    pub path: String,
    /// Error or warning.
    pub severity: Severity,
    /// The message in the user's language.
    pub message: String,
}

impl std::fmt::Debug for Issue {
    // Hand-written: the message may quote personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issue")
            .field("code", &self.code)
            .field("path", &self.path)
            .field("severity", &self.severity)
            .finish_non_exhaustive()
    }
}

impl Issue {
    /// True for [`Severity::Error`].
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_parameter_values() {
        let p = Problem::error("nik.birth_date_mismatch").with("declared", "1990-01-02");
        let shown = format!("{p:?}");
        assert!(shown.contains("nik.birth_date_mismatch"));
        assert!(!shown.contains("1990-01-02"));
        let issue = p.localize("nik", Lang::En);
        assert!(!format!("{issue:?}").contains("1990-01-02"));
    }
}
