//! Document fields in answers or a frozen payload: which files (content ids) a
//! submission carries. The client uploads them; the server waits for them.

use serde_json::Value;

use super::definition::{FormDefinition, Kind};

/// The content ids in the document fields of `answers` (a JSON object), in field
/// order, without repeats. Values that are not content ids are skipped.
pub fn document_files(def: &FormDefinition, answers: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for field in def.pages.iter().flat_map(|p| &p.fields) {
        if field.kind != Kind::Document {
            continue;
        }
        let ids = answers
            .get(&field.id)
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for id in ids.filter_map(Value::as_str) {
            if crate::domain::document::is_content_id(id) && !out.iter().any(|o| o == id) {
                out.push(id.to_string());
            }
        }
    }
    out
}

/// True when `path` names a document field of `def`.
pub fn is_document_field(def: &FormDefinition, path: &str) -> bool {
    def.field(path).is_some_and(|f| f.kind == Kind::Document)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::{builtin_form, set_field, validate, Answers, Context, Input};
    use serde_json::json;

    fn ctx() -> Context {
        Context {
            today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default(),
            lang: crate::Lang::En,
        }
    }

    #[test]
    fn registration_and_data_update_have_document_fields() {
        let reg = builtin_form("pmi-registration", Some(1)).unwrap();
        for f in ["ktp_photo", "kk_photo", "passport_photo", "contract_file"] {
            assert!(is_document_field(reg, f), "{f}");
        }
        assert!(!is_document_field(reg, "nik"));
        let upd = builtin_form("data-update", Some(1)).unwrap();
        assert!(is_document_field(upd, "new_contract_file"));
    }

    #[test]
    fn document_answers_are_normalized_counted_and_collected() {
        let def = builtin_form("pmi-registration", Some(1)).unwrap();
        let a = "a".repeat(64);
        let b = "B".repeat(64);
        let mut answers = Answers::new();
        let out = set_field(
            def,
            &mut answers,
            "kk_photo",
            Input::List(vec![a.clone(), b.clone(), a.clone()]),
            &ctx(),
        )
        .unwrap();
        assert!(out.issues.is_empty(), "{:?}", out.issues);
        assert_eq!(
            out.stored,
            json!([a, "b".repeat(64)]),
            "lowercase, no repeats"
        );
        let out = set_field(
            def,
            &mut answers,
            "ktp_photo",
            Input::List(vec!["x".into(), a.clone(), "c".repeat(64), "d".repeat(64)]),
            &ctx(),
        )
        .unwrap();
        let codes: Vec<&str> = out.issues.iter().map(|i| i.code.as_str()).collect();
        assert_eq!(codes, ["document.invalid_file", "document.too_many_pages"]);
        let files = document_files(def, &serde_json::Value::Object(answers));
        // ktp_photo (kept as typed, "x" skipped), then kk_photo without the repeat of `a`.
        assert_eq!(
            files,
            [a.clone(), "c".repeat(64), "d".repeat(64), "b".repeat(64)]
        );
        assert!(matches!(
            set_field(
                def,
                &mut Answers::new(),
                "ktp_photo",
                Input::Text(a),
                &ctx()
            ),
            Err(crate::Error::WrongValueType { .. })
        ));
    }

    /// Permenaker 4/2023: before placement the KTP and the family card, during
    /// placement the passport and the employment contract. As data: `required_if`
    /// on the registration's phase.
    #[test]
    fn the_registration_requires_the_documents_of_its_phase() {
        let reg = builtin_form("pmi-registration", Some(1)).unwrap();
        let ctx = Context {
            today: crate::forms::samples::sample_today(),
            lang: crate::Lang::En,
        };
        let required = |answers: &Answers| -> Vec<String> {
            let mut v: Vec<String> = validate(reg, answers, &ctx)
                .into_iter()
                .filter(|i| i.code == "field.required" && is_document_field(reg, &i.path))
                .map(|i| i.path)
                .collect();
            v.sort();
            v
        };
        let mut before = crate::forms::samples::sample_registration();
        assert!(
            validate(reg, &before, &ctx).is_empty(),
            "the sample is complete"
        );
        before.remove("ktp_photo");
        before.remove("kk_photo");
        // The phase decides; the scheme (through a company, the government's
        // programme, or on one's own) does not.
        for scheme in ["p3mi", "government", "individual"] {
            before.insert("scheme".into(), json!(scheme));
            assert_eq!(required(&before), ["kk_photo", "ktp_photo"], "{scheme}");
            let mut during = before.clone();
            during.insert("placement_phase".into(), json!("placement"));
            assert_eq!(
                required(&during),
                ["contract_file", "passport_photo"],
                "{scheme}"
            );
            let id = json!(["e".repeat(64)]);
            during.insert("passport_photo".into(), id.clone());
            during.insert("contract_file".into(), id);
            assert!(required(&during).is_empty(), "{scheme}");
        }
        before.insert("scheme".into(), json!("p3mi"));
        // Without the phase the form is not complete either: it is required.
        let mut unknown = before;
        unknown.remove("placement_phase");
        assert!(validate(reg, &unknown, &ctx)
            .iter()
            .any(|i| i.code == "field.required" && i.path == "placement_phase"));
    }

    #[test]
    fn required_if_applies_to_document_fields() {
        let json = r#"{"format": 1, "id": "t", "version": 1, "title": {"id": "T", "en": "T"},
          "pages": [{"id": "p", "title": {"id": "P", "en": "P"}, "fields": [
            {"id": "abroad", "kind": "consent", "label": {"id": "L", "en": "L"}},
            {"id": "passport_scan", "kind": "document", "document": "passport", "min_pages": 1, "max_pages": 2,
             "label": {"id": "L", "en": "L"}, "required_if": {"field": "abroad", "equals": true}}]}]}"#;
        let def = crate::forms::FormDefinition::from_json(json).unwrap();
        let mut answers = Answers::new();
        assert!(validate(&def, &answers, &ctx()).is_empty());
        set_field(&def, &mut answers, "abroad", Input::Bool(true), &ctx()).unwrap();
        let issues = validate(&def, &answers, &ctx());
        assert_eq!(issues.len(), 1);
        assert_eq!(
            (issues[0].code.as_str(), issues[0].path.as_str()),
            ("field.required", "passport_scan")
        );
        set_field(
            &def,
            &mut answers,
            "passport_scan",
            Input::List(vec!["e".repeat(64)]),
            &ctx(),
        )
        .unwrap();
        assert!(validate(&def, &answers, &ctx()).is_empty());
    }

    #[test]
    fn a_document_field_must_name_its_document() {
        let json = r#"{"format": 1, "id": "t", "version": 1, "title": {"id": "T", "en": "T"},
          "pages": [{"id": "p", "title": {"id": "P", "en": "P"}, "fields": [
            {"id": "scan", "kind": "document", "label": {"id": "L", "en": "L"}}]}]}"#;
        assert_eq!(
            crate::forms::FormDefinition::from_json(json)
                .unwrap_err()
                .code(),
            "form.invalid_definition"
        );
        let pages_on_text =
            json.replace(r#""kind": "document""#, r#""kind": "text", "min_pages": 1"#);
        assert!(crate::forms::FormDefinition::from_json(&pages_on_text).is_err());
    }
}
