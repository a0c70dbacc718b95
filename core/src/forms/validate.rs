//! Whole-form validation (shown fields only), the frozen payload of a finalized
//! draft, and the server's re-validation of a submitted payload.

use serde_json::Value;

use super::answers::{Answers, Scope};
use super::builtin::builtin_form;
use super::context::Context;
use super::definition::{Field, FormDefinition, Kind};
use super::finding::{localize_all, Finding};
use super::kinds::{check_value, expected, fits};
use super::path::item_path;
use super::rules::{check_rules, is_blank};
use crate::{Error, Issue, Problem};

/// Findings of one shown field instance with value `v` (required, type, value).
pub(crate) fn field_findings(
    field: &Field,
    key: &str,
    scope: &Scope<'_>,
    path: &str,
    ctx: &Context,
) -> Vec<(String, Finding)> {
    let v = scope.raw(&field.id);
    if is_blank(v) {
        if !scope.required(field) {
            return Vec::new();
        }
        let code = if field.kind == Kind::Consent {
            "consent.required"
        } else {
            "field.required"
        };
        return vec![(path.to_string(), Problem::error(code).into())];
    }
    let Some(v) = v else { return Vec::new() };
    match check_value(field, key, scope, v, ctx) {
        Ok(c) => c
            .findings
            .into_iter()
            .map(|f| (path.to_string(), f))
            .collect(),
        Err(expected) => {
            vec![(
                path.to_string(),
                Problem::error("field.wrong_type")
                    .with("expected", expected)
                    .into(),
            )]
        }
    }
}

/// Findings of a repeat group: item count, then each item's shown fields.
fn group_findings(
    def: &FormDefinition,
    group: &Field,
    answers: &Answers,
    ctx: &Context,
) -> Vec<(String, Finding)> {
    let mut out = Vec::new();
    let n = answers
        .get(&group.id)
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if let Some(min) = group.min_items.filter(|m| n < *m as usize) {
        out.push((
            group.id.clone(),
            Problem::error("repeat.too_few")
                .with("min", min.to_string())
                .into(),
        ));
    }
    if let Some(max) = group.max_items.filter(|m| n > *m as usize) {
        out.push((
            group.id.clone(),
            Problem::error("repeat.too_many")
                .with("max", max.to_string())
                .into(),
        ));
    }
    for i in 0..n {
        let scope = Scope::item(def, answers, group, i);
        for sub in &group.fields {
            if sub.kind != Kind::Note && scope.visible(sub) {
                let key = format!("{}.{}", group.id, sub.id);
                out.extend(field_findings(
                    sub,
                    &key,
                    &scope,
                    &item_path(&group.id, i, &sub.id),
                    ctx,
                ));
            }
        }
    }
    out
}

/// All findings of the answers, in form order, then the form-level rules.
pub(crate) fn all_findings(
    def: &FormDefinition,
    answers: &Answers,
    ctx: &Context,
) -> Vec<(String, Finding)> {
    let top = Scope::top(def, answers);
    let mut out = Vec::new();
    for field in def.top_fields() {
        if field.kind == Kind::Note || !top.visible(field) {
            continue;
        }
        if field.kind == Kind::Repeat {
            match answers.get(&field.id) {
                None | Some(Value::Null) | Some(Value::Array(_)) => {}
                Some(_) => {
                    let p =
                        Problem::error("field.wrong_type").with("expected", expected(Kind::Repeat));
                    out.push((field.id.clone(), p.into()));
                    continue;
                }
            }
            if is_blank(answers.get(&field.id)) && top.required(field) {
                out.push((field.id.clone(), Problem::error("field.required").into()));
            }
            out.extend(group_findings(def, field, answers, ctx));
        } else {
            out.extend(field_findings(field, &field.id, &top, &field.id, ctx));
        }
    }
    out.extend(check_rules(def, answers));
    out
}

/// Validates the whole form: every shown field (required, type, constraints,
/// cross-checks) and every form-level rule. Hidden fields are skipped.
pub fn validate(def: &FormDefinition, answers: &Answers, ctx: &Context) -> Vec<Issue> {
    localize_all(&all_findings(def, answers, ctx), ctx.lang)
}

/// The answers to submit: shown, filled fields only (hidden ones are dropped,
/// as are notes and keys the definition does not know).
pub fn frozen_payload(def: &FormDefinition, answers: &Answers) -> Value {
    let top = Scope::top(def, answers);
    let mut out = Answers::new();
    for field in def.top_fields() {
        if field.kind == Kind::Note || !top.visible(field) {
            continue;
        }
        let Some(v) = answers.get(&field.id).filter(|v| !is_blank(Some(v))) else {
            continue;
        };
        if field.kind == Kind::Repeat {
            let items = v.as_array().map_or(&[][..], Vec::as_slice);
            let kept: Vec<Value> = (0..items.len())
                .map(|i| {
                    let scope = Scope::item(def, answers, field, i);
                    let mut item = Answers::new();
                    for sub in &field.fields {
                        if sub.kind == Kind::Note || !scope.visible(sub) {
                            continue;
                        }
                        if let Some(sv) = scope.raw(&sub.id).filter(|sv| !is_blank(Some(sv))) {
                            item.insert(sub.id.clone(), sv.clone());
                        }
                    }
                    Value::Object(item)
                })
                .collect();
            out.insert(field.id.clone(), Value::Array(kept));
        } else {
            out.insert(field.id.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// Rejects keys the definition does not know and values of the wrong type.
fn check_shape(def: &FormDefinition, payload: &Answers) -> crate::Result<()> {
    for (key, v) in payload {
        let field = def.field_by_key(key).filter(|_| !key.contains('.'));
        let Some(field) = field else {
            return Err(Error::UnknownField(key.clone()));
        };
        if !fits(field.kind, v) {
            return Err(Error::WrongValueType {
                path: key.clone(),
                expected: expected(field.kind),
            });
        }
        if field.kind == Kind::Repeat {
            for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                for (sub_id, sv) in item.as_object().into_iter().flatten() {
                    let path = item_path(key, i, sub_id);
                    let Some(sub) = field.fields.iter().find(|s| &s.id == sub_id) else {
                        return Err(Error::UnknownField(path));
                    };
                    if !fits(sub.kind, sv) {
                        return Err(Error::WrongValueType {
                            path,
                            expected: expected(sub.kind),
                        });
                    }
                }
            }
        }
    }
    Ok(())
}

/// What the server runs on each submission: the payload must be an object whose
/// keys and value types fit the built-in definition `form_id`/`form_version`;
/// then it is validated like a draft. Unknown forms → [`Error::UnknownForm`].
pub fn validate_submission(
    form_id: &str,
    form_version: u32,
    payload: &Value,
    ctx: &Context,
) -> crate::Result<Vec<Issue>> {
    let def = builtin_form(form_id, Some(form_version))
        .ok_or_else(|| Error::UnknownForm(format!("{form_id} v{form_version}")))?;
    let Value::Object(answers) = payload else {
        return Err(Error::WrongValueType {
            path: String::new(),
            expected: "an object of answers",
        });
    };
    check_shape(def, answers)?;
    Ok(validate(def, answers, ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::samples::{sample_registration, sample_today};
    use crate::Lang;
    use serde_json::json;

    fn reg() -> &'static FormDefinition {
        builtin_form("pmi-registration", Some(1)).unwrap_or_else(|| panic!("missing"))
    }

    fn ctx() -> Context {
        Context {
            today: sample_today(),
            lang: Lang::En,
        }
    }

    /// The (code, path) pairs of validating the sample with `edit` applied.
    fn codes_after(edit: impl FnOnce(&mut Answers)) -> Vec<(String, String)> {
        let mut a = sample_registration();
        edit(&mut a);
        validate(reg(), &a, &ctx())
            .into_iter()
            .map(|i| (i.code, i.path))
            .collect()
    }

    fn pair(code: &str, path: &str) -> (String, String) {
        (code.to_string(), path.to_string())
    }

    #[test]
    fn missing_required_field_reports_field_required() {
        let found = codes_after(|a| {
            a.remove("full_name");
            a.insert("mother_maiden_name".into(), json!("   "));
        });
        assert_eq!(
            found,
            vec![
                pair("field.required", "full_name"),
                pair("field.required", "mother_maiden_name")
            ]
        );
    }

    #[test]
    fn unticked_required_consent_reports_consent_required() {
        assert_eq!(
            codes_after(|a| {
                a.insert("data_true".into(), json!(false));
            }),
            vec![pair("consent.required", "data_true")]
        );
    }

    #[test]
    fn birth_date_outside_age_range_is_reported() {
        // NIK cross-check fires too, since the NIK still says 1995.
        let found = codes_after(|a| {
            a.insert("birth_date".into(), json!("2010-01-01"));
        });
        assert!(
            found.contains(&pair("field.age_too_young", "birth_date")),
            "{found:?}"
        );
        assert!(
            found.contains(&pair("nik.birth_date_mismatch", "nik")),
            "{found:?}"
        );
        let found = codes_after(|a| {
            a.insert("birth_date".into(), json!("1950-01-01"));
        });
        assert!(
            found.contains(&pair("field.age_too_old", "birth_date")),
            "{found:?}"
        );
        let found = codes_after(|a| {
            a.insert("birth_date".into(), json!("2030-01-01"));
        });
        let on_birth_date: Vec<_> = found.iter().filter(|(_, p)| p == "birth_date").collect();
        assert_eq!(on_birth_date, [&pair("field.date_in_future", "birth_date")]);
    }

    #[test]
    fn nik_sex_mismatch_is_reported_on_the_nik() {
        assert_eq!(
            codes_after(|a| {
                a.insert("sex".into(), json!("M"));
            }),
            vec![pair("nik.sex_mismatch", "nik")]
        );
    }

    #[test]
    fn passport_expiring_before_contract_end_is_reported() {
        let found = codes_after(|a| {
            a.insert("passport_expiry".into(), json!("2027-01-01"));
        });
        assert_eq!(
            found,
            vec![pair(
                "passport.expires_before_contract_end",
                "passport_expiry"
            )]
        );
    }

    /// A passport that expires before the contract ends is a warning, not a block:
    /// membership follows the NIK, a passport is renewed abroad at the embassy as
    /// a matter of routine, and refusing the registration would leave the worker
    /// without JKK/JKM protection while the passport is renewed.
    #[test]
    fn an_expiring_passport_warns_and_the_registration_can_still_be_sent() {
        let mut a = sample_registration();
        a.insert("passport_expiry".into(), json!("2027-01-01"));
        let issues = validate(reg(), &a, &ctx());
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].code, "passport.expires_before_contract_end");
        assert_eq!(issues[0].severity, crate::Severity::Warning);
        assert!(issues.iter().all(|i| !i.is_error()));
        assert!(
            issues[0].message.contains("01-01-2027"),
            "{}",
            issues[0].message
        );
    }

    #[test]
    fn contract_end_not_after_start_is_reported() {
        let found = codes_after(|a| {
            a.insert("contract_end".into(), json!("2025-07-01"));
        });
        assert_eq!(
            found,
            vec![pair("contract.end_before_start", "contract_end")]
        );
    }

    #[test]
    fn required_if_fires_only_when_its_condition_holds() {
        assert_eq!(
            codes_after(|a| {
                a.remove("placement_company");
            }),
            vec![pair("field.required", "placement_company")]
        );
        // Individual scheme: the company is hidden, so neither required nor submitted.
        assert!(codes_after(|a| {
            a.remove("placement_company");
            a.insert("scheme".into(), json!("individual"));
        })
        .is_empty());
        assert_eq!(
            codes_after(|a| {
                a.remove("jht_amount");
            }),
            vec![pair("field.required", "jht_amount")]
        );
        assert!(codes_after(|a| {
            a.remove("jht_amount");
            a.insert("jht_opt_in".into(), json!("no"));
        })
        .is_empty());
    }

    #[test]
    fn repeat_group_checks_count_and_items() {
        assert_eq!(
            codes_after(|a| {
                a.remove("heirs");
            }),
            vec![pair("repeat.too_few", "heirs")]
        );
        let found = codes_after(|a| {
            a.insert("heirs".into(), json!([
                {"name": "Suminah", "relationship": "parent", "birth_date": "1970-03-12"},
                {"relationship": "grandchild", "birth_date": "2030-01-01", "nik": "3515140508680001"}
            ]));
        });
        assert_eq!(
            found,
            vec![
                pair("field.required", "heirs[1].name"),
                pair("choice.unknown", "heirs[1].relationship"),
                pair("field.date_in_future", "heirs[1].birth_date"),
                pair("nik.birth_date_mismatch", "heirs[1].nik"),
            ]
        );
    }

    #[test]
    fn pattern_uses_the_definition_message() {
        let mut a = sample_registration();
        a.insert("bank_name".into(), json!("BRI"));
        a.insert("account_holder".into(), json!("Sri Wahyuni"));
        a.insert("account_number".into(), json!("12-34"));
        let issues = validate(reg(), &a, &ctx());
        assert_eq!(issues.len(), 1);
        assert_eq!(
            (issues[0].code.as_str(), issues[0].path.as_str()),
            ("text.pattern", "account_number")
        );
        assert_eq!(issues[0].message, "An account number has 6 to 20 digits.");
        a.remove("account_holder");
        a.insert("account_number".into(), json!("1234567890"));
        assert_eq!(
            validate(reg(), &a, &ctx())
                .iter()
                .map(|i| i.path.as_str())
                .collect::<Vec<_>>(),
            ["account_holder"]
        );
    }

    #[test]
    fn wrong_stored_type_is_an_issue_not_a_panic() {
        assert_eq!(
            codes_after(|a| {
                a.insert("birth_date".into(), json!(["1995-08-17"]));
            })[0],
            pair("field.wrong_type", "birth_date")
        );
    }

    #[test]
    fn frozen_payload_drops_hidden_fields_notes_and_unknown_keys() {
        let mut a = sample_registration();
        a.insert("scheme".into(), json!("individual"));
        a.insert("jht_opt_in".into(), json!("no"));
        a.insert("stray".into(), json!("x"));
        let payload = frozen_payload(reg(), &a);
        let obj = payload
            .as_object()
            .unwrap_or_else(|| panic!("not an object"));
        assert!(!obj.contains_key("placement_company"));
        assert!(!obj.contains_key("jht_amount"));
        assert!(!obj.contains_key("stray"));
        assert_eq!(obj.get("nik"), Some(&json!("3515145708950001")));
        assert_eq!(
            obj.get("heirs").and_then(|h| h.as_array()).map(Vec::len),
            Some(1)
        );
    }

    #[test]
    fn validate_submission_accepts_a_frozen_sample() {
        let payload = frozen_payload(reg(), &sample_registration());
        let issues = validate_submission("pmi-registration", 1, &payload, &ctx());
        assert!(matches!(issues.as_deref(), Ok([])), "{issues:?}");
    }

    #[test]
    fn validate_submission_rejects_unknown_keys_types_and_forms() {
        let mut payload = frozen_payload(reg(), &sample_registration());
        payload["nickname"] = json!("Sri");
        let e = validate_submission("pmi-registration", 1, &payload, &ctx());
        assert!(matches!(e, Err(Error::UnknownField(ref k)) if k == "nickname"));
        let mut payload = frozen_payload(reg(), &sample_registration());
        payload["heirs"][0]["age"] = json!(55);
        let e = validate_submission("pmi-registration", 1, &payload, &ctx());
        assert!(matches!(e, Err(Error::UnknownField(ref k)) if k == "heirs[0].age"));
        let mut payload = frozen_payload(reg(), &sample_registration());
        payload["contract_end"] = json!(["2027-06-30"]);
        let e = validate_submission("pmi-registration", 1, &payload, &ctx());
        assert!(matches!(e, Err(Error::WrongValueType { ref path, .. }) if path == "contract_end"));
        let e = validate_submission("pmi-registration", 9, &payload, &ctx());
        assert!(matches!(e, Err(Error::UnknownForm(_))));
        let e = validate_submission("consultation", 1, &json!([1]), &ctx());
        assert_eq!(e.err().map(|e| e.code()), Some("field.wrong_type"));
    }

    #[test]
    fn validate_submission_reports_issues_of_a_valid_shape() {
        let mut payload = frozen_payload(reg(), &sample_registration());
        payload["passport_expiry"] = json!("2026-01-01");
        let issues =
            validate_submission("pmi-registration", 1, &payload, &ctx()).unwrap_or_default();
        assert_eq!(
            issues.iter().map(|i| i.code.as_str()).collect::<Vec<_>>(),
            ["passport.expires_before_contract_end"]
        );
    }

    #[test]
    fn broken_registration_issues_snapshot_in_both_languages() {
        let mut a = sample_registration();
        a.insert("nik".into(), json!("3515145708950001"));
        a.insert("sex".into(), json!("M"));
        a.insert("birth_date".into(), json!("1995-08-18"));
        a.remove("mother_maiden_name");
        a.insert("phone_id".into(), json!("12345"));
        a.insert("passport_number".into(), json!("12"));
        a.insert("passport_expiry".into(), json!("2026-12-31"));
        a.insert("contract_end".into(), json!("2025-06-30"));
        a.insert("jht_amount".into(), json!("75000"));
        a.insert(
            "heirs".into(),
            json!([{"name": "Suminah", "relationship": "parent"}]),
        );
        a.insert("data_processing".into(), json!(false));
        for lang in [Lang::Id, Lang::En] {
            let issues = validate(
                reg(),
                &a,
                &Context {
                    today: sample_today(),
                    lang,
                },
            );
            insta::assert_json_snapshot!(format!("broken_registration_{}", lang.code()), issues);
        }
    }
}
