//! A finding of the form engine: a catalog [`Problem`], or a problem whose code
//! and message come from the definition itself (rules, custom pattern messages).

use crate::base::lang::{Lang, Localized};
use crate::{Issue, Problem, Severity};

/// One finding at one path, before localization.
#[derive(Clone)]
pub(crate) enum Finding {
    /// A code of the message catalog.
    Known(Problem),
    /// A code and message written in the form definition.
    Custom {
        /// Stable code from the definition.
        code: String,
        /// Error or warning.
        severity: Severity,
        /// The message in both languages, with `{name}` placeholders.
        message: Localized,
        /// Placeholder values.
        params: Vec<(&'static str, String)>,
    },
}

impl From<Problem> for Finding {
    fn from(p: Problem) -> Self {
        Finding::Known(p)
    }
}

impl Finding {
    /// True for errors.
    pub(crate) fn is_error(&self) -> bool {
        match self {
            Finding::Known(p) => p.severity == Severity::Error,
            Finding::Custom { severity, .. } => *severity == Severity::Error,
        }
    }

    /// Renders the finding at `path` in `lang`.
    pub(crate) fn localize(&self, path: &str, lang: Lang) -> Issue {
        match self {
            Finding::Known(p) => p.localize(path, lang),
            Finding::Custom {
                code,
                severity,
                message,
                params,
            } => {
                let mut text = message.get(lang).to_string();
                for (name, value) in params {
                    text = text.replace(&format!("{{{name}}}"), value);
                }
                Issue {
                    code: code.clone(),
                    path: path.to_string(),
                    severity: *severity,
                    message: text,
                }
            }
        }
    }
}

/// Localizes a list of (path, finding) pairs.
pub(crate) fn localize_all(found: &[(String, Finding)], lang: Lang) -> Vec<Issue> {
    found
        .iter()
        .map(|(path, f)| f.localize(path, lang))
        .collect()
}
