//! The server's second look at each submission: the user's language from
//! `Accept-Language`, and the one function that runs the form rules again
//! (`rantau_core::forms::validate_submission`, the same rules as the app).

use chrono::NaiveDate;
use rantau_core::forms::{validate_submission, Context};
use rantau_core::{Error, Issue, Lang, Problem};

use crate::messages::error_issue;

/// Form ids the server accepts, with their versions.
pub const KNOWN_FORMS: &[(&str, u32)] = &[
    ("pmi-registration", 1),
    ("consultation", 1),
    ("data-update", 1),
];

/// The registration form's id.
pub const REGISTRATION: &str = "pmi-registration";
/// The consultation form's id.
pub const CONSULTATION: &str = "consultation";
/// The data-update form's id.
pub const DATA_UPDATE: &str = "data-update";

/// Picks the user's language from an `Accept-Language` header: the first
/// (highest-q) tag we speak; Indonesian when none is given or none fits.
pub fn request_lang(header: Option<&str>) -> Lang {
    let Some(header) = header else {
        return Lang::Id;
    };
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
pub fn validate(
    form_id: &str,
    form_version: u32,
    payload: &serde_json::Value,
    today: NaiveDate,
    lang: Lang,
) -> Vec<Issue> {
    if !KNOWN_FORMS.contains(&(form_id, form_version)) {
        let params = [
            ("form", form_id.chars().take(64).collect()),
            ("version", form_version.to_string()),
        ];
        return vec![error_issue("form.unknown", "", lang, &params)];
    }
    if !payload.is_object() {
        return vec![error_issue("payload.not_object", "", lang, &[])];
    }
    match validate_submission(form_id, form_version, payload, &Context { today, lang }) {
        Ok(issues) => issues,
        // A payload that does not fit the definition's shape is the user's to fix
        // (an old app, a damaged outbox row): an issue, never a 4xx for the batch.
        Err(Error::WrongValueType { path, expected }) => {
            vec![Problem::error("field.wrong_type")
                .with("expected", expected)
                .localize(&path, lang)]
        }
        Err(Error::UnknownField(path)) => vec![error_issue("field.unknown", &path, lang, &[])],
        Err(Error::UnknownForm(_)) => {
            let params = [
                ("form", form_id.chars().take(64).collect()),
                ("version", form_version.to_string()),
            ];
            vec![error_issue("form.unknown", "", lang, &params)]
        }
        Err(other) => vec![error_issue(
            "submission.unreadable",
            "",
            lang,
            &[("code", other.code().to_string())],
        )],
    }
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
    }

    #[test]
    fn the_core_form_rules_run_again() {
        use rantau_core::forms::samples::{sample_consultation, sample_registration, sample_today};
        let today = sample_today();
        let reg = serde_json::Value::Object(sample_registration());
        assert!(!validate(REGISTRATION, 1, &reg, today, Lang::En)
            .iter()
            .any(Issue::is_error));
        let cons = serde_json::Value::Object(sample_consultation());
        assert!(!validate(CONSULTATION, 1, &cons, today, Lang::En)
            .iter()
            .any(Issue::is_error));
        let mut broken = sample_registration();
        broken.remove("full_name");
        let issues = validate(
            REGISTRATION,
            1,
            &serde_json::Value::Object(broken),
            today,
            Lang::En,
        );
        assert!(
            issues
                .iter()
                .any(|i| i.code == "field.required" && i.path == "full_name"),
            "{issues:?}"
        );
        let issues = validate(REGISTRATION, 1, &json!({"full_name": 5}), today, Lang::En);
        assert_eq!(
            (issues[0].code.as_str(), issues[0].path.as_str()),
            ("field.wrong_type", "full_name")
        );
        let issues = validate(
            REGISTRATION,
            1,
            &json!({"no_such_field": "x"}),
            today,
            Lang::Id,
        );
        assert_eq!(issues[0].code, "field.unknown");
    }

    proptest! {
        #[test]
        fn accept_language_never_panics(s in ".{0,60}") {
            let _ = request_lang(Some(&s));
        }
    }
}
