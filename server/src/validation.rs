//! The server's second look at each submission: the user's language from
//! `Accept-Language`, and the one function that runs the form rules again
//! (`rantau_core::forms::validate_submission` once the forms module lands).

use chrono::NaiveDate;
use rantau_core::{Issue, Lang};

use crate::messages::error_issue;

/// Form ids the server accepts, with their versions.
pub const KNOWN_FORMS: &[(&str, u32)] = &[("pmi-registration", 1), ("consultation", 1), ("data-update", 1)];

/// The registration form's id.
pub const REGISTRATION: &str = "pmi-registration";
/// The consultation form's id.
pub const CONSULTATION: &str = "consultation";
/// The data-update form's id.
pub const DATA_UPDATE: &str = "data-update";

/// Picks the user's language from an `Accept-Language` header: the first
/// (highest-q) tag we speak; Indonesian when none is given or none fits.
pub fn request_lang(header: Option<&str>) -> Lang {
    let Some(header) = header else { return Lang::Id };
    let mut tags: Vec<(f32, Lang)> = header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let primary = tag.split(['-', '_']).next()?;
            let lang = Lang::parse(primary)?;
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .filter_map(|q| q.trim().parse::<f32>().ok())
                .next()
                .unwrap_or(1.0);
            (q > 0.0).then_some((q, lang))
        })
        .collect();
    // Stable sort keeps header order among equal weights.
    tags.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    tags.first().map(|t| t.1).unwrap_or(Lang::Id)
}

/// Runs the form rules again on a submitted payload; returns every issue
/// (errors and warnings). An empty list (or warnings only) means it passes.
pub fn validate(form_id: &str, form_version: u32, payload: &serde_json::Value, today: NaiveDate, lang: Lang) -> Vec<Issue> {
    if !KNOWN_FORMS.contains(&(form_id, form_version)) {
        let params = [("form", form_id.chars().take(64).collect()), ("version", form_version.to_string())];
        return vec![error_issue("form.unknown", "", lang, &params)];
    }
    if !payload.is_object() {
        return vec![error_issue("payload.not_object", "", lang, &[])];
    }
    let _ = today;
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn accept_language_picks_the_best_known_tag() {
        assert_eq!(request_lang(None), Lang::Id);
        assert_eq!(request_lang(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(request_lang(Some("fr-FR, en;q=0.5, id;q=0.8")), Lang::Id);
        assert_eq!(request_lang(Some("fr")), Lang::Id);
        assert_eq!(request_lang(Some("en;q=0")), Lang::Id);
    }

    #[test]
    fn unknown_form_and_non_object_payload_are_rejected_with_localized_issues() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let issues = validate("nope", 1, &json!({}), today, Lang::En);
        assert_eq!(issues[0].code, "form.unknown");
        assert!(issues[0].message.contains("nope"));
        let issues = validate(CONSULTATION, 1, &json!([1]), today, Lang::Id);
        assert_eq!(issues[0].code, "payload.not_object");
        assert!(validate(CONSULTATION, 1, &json!({"topic": "x"}), today, Lang::Id).is_empty());
    }

    proptest! {
        #[test]
        fn accept_language_never_panics(s in ".{0,60}") {
            let _ = request_lang(Some(&s));
        }
    }
}
