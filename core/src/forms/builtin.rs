//! The built-in forms, shipped inside the core so a first run with no network
//! works. Parsed once, on first use.

use std::sync::OnceLock;

use super::definition::FormDefinition;

/// The built-in definitions' sources, in the order [`builtin`] lists them.
const SOURCES: [(&str, &str); 3] = [
    (
        "pmi-registration",
        include_str!("../../forms/pmi-registration.json"),
    ),
    (
        "consultation",
        include_str!("../../forms/consultation.json"),
    ),
    ("data-update", include_str!("../../forms/data-update.json")),
];

/// Every built-in form definition.
pub fn builtin() -> &'static [FormDefinition] {
    static FORMS: OnceLock<Vec<FormDefinition>> = OnceLock::new();
    FORMS.get_or_init(|| {
        SOURCES
            .iter()
            .filter_map(|(name, src)| match FormDefinition::from_json(src) {
                Ok(def) => Some(def),
                Err(e) => {
                    // Unreachable while the tests pass: every built-in is parsed there.
                    tracing::error!(form = name, code = e.code(), "built-in form does not parse");
                    None
                }
            })
            .collect()
    })
}

/// The built-in form `id`, at `version` or (with `None`) its newest version.
pub fn builtin_form(id: &str, version: Option<u32>) -> Option<&'static FormDefinition> {
    builtin()
        .iter()
        .filter(|d| d.id == id && version.is_none_or(|v| d.version == v))
        .max_by_key(|d| d.version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::samples::{sample_consultation, sample_registration, sample_today};
    use crate::forms::{validate, Context, Kind};
    use crate::Lang;

    fn ctx() -> Context {
        Context {
            today: sample_today(),
            lang: Lang::En,
        }
    }

    #[test]
    fn every_builtin_form_parses_at_version_one() {
        for (name, src) in SOURCES {
            let def = FormDefinition::from_json(src).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(def.id, name);
            assert_eq!(def.version, 1);
        }
        assert_eq!(builtin().len(), SOURCES.len());
    }

    #[test]
    fn the_registration_asks_in_the_order_a_worker_fills_it() {
        let reg = builtin_form("pmi-registration", Some(1)).unwrap();
        let page_of = |id: &str| {
            reg.pages
                .iter()
                .position(|p| p.fields.iter().any(|f| f.id == id))
                .unwrap_or_else(|| panic!("no field {id}"))
        };
        // The country first: the number abroad is checked against it.
        assert!(page_of("destination_country") < page_of("phone_abroad"));
        // Who, then where from (the KTP), then where to, then how to reach them.
        assert!(page_of("nik") < page_of("address"));
        assert!(page_of("address") < page_of("destination_country"));
        assert!(page_of("phone_id") == page_of("phone_abroad"));
        // The documents near the end, after everything they must match; the
        // declarations last.
        assert!(page_of("passport_number") < page_of("ktp_photo"));
        assert_eq!(page_of("data_true"), reg.pages.len() - 1);
    }

    #[test]
    fn builtin_form_is_found_by_id_and_version() {
        assert_eq!(
            builtin_form("consultation", Some(1)).map(|d| d.version),
            Some(1)
        );
        assert_eq!(
            builtin_form("data-update", None).map(|d| d.id.as_str()),
            Some("data-update")
        );
        assert!(builtin_form("consultation", Some(2)).is_none());
        assert!(builtin_form("nope", None).is_none());
    }

    #[test]
    fn builtin_forms_survive_a_serialize_round_trip() {
        for def in builtin() {
            let text = serde_json::to_string(def).unwrap_or_default();
            let again =
                FormDefinition::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", def.id));
            assert_eq!(
                serde_json::to_value(&again).ok(),
                serde_json::to_value(def).ok()
            );
        }
    }

    #[test]
    fn sample_answers_validate_clean() {
        let reg = builtin_form("pmi-registration", Some(1)).unwrap_or_else(|| panic!("missing"));
        let issues = validate(reg, &sample_registration(), &ctx());
        assert!(issues.is_empty(), "{issues:?}");
        let cons = builtin_form("consultation", Some(1)).unwrap_or_else(|| panic!("missing"));
        let issues = validate(cons, &sample_consultation(), &ctx());
        assert!(issues.is_empty(), "{issues:?}");
    }

    #[test]
    fn jht_amount_choices_are_the_tariff_options() {
        let reg = builtin_form("pmi-registration", Some(1)).unwrap_or_else(|| panic!("missing"));
        let field = reg
            .field("jht_amount")
            .unwrap_or_else(|| panic!("no jht_amount"));
        assert_eq!(field.kind, Kind::SingleChoice);
        let values: Vec<u64> = reg
            .choices_of(field)
            .iter()
            .filter_map(|c| c.value.parse().ok())
            .collect();
        let options = crate::domain::tariff::TariffTable::builtin().jht_options(sample_today());
        assert_eq!(values, options);
    }
}
