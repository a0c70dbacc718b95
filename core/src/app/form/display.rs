//! A stored answer as the worker reads it: dates as DD-MM-YYYY, choices and countries by their labels, a tick
//! as "Ya"/"Yes", documents by their page count.

use chrono::NaiveDate;
use serde_json::Value;

use crate::base::lang::Lang;
use crate::base::messages;
use crate::domain::country;
use crate::forms::{Field, FormDefinition, Kind};

/// `2026-08-15` → "15-08-2026": one convention in both languages, the order the
/// worker types dates in (see [`crate::domain::date::display`]).
pub fn date(d: NaiveDate) -> String {
    crate::domain::date::display(d)
}

/// The text an input box holds for `value` ("" when empty).
pub fn input_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// `value` of `field` as read-only text; `None` when empty.
pub fn display(
    def: &FormDefinition,
    field: &Field,
    value: Option<&Value>,
    lang: Lang,
) -> Option<String> {
    let value = value.filter(|v| !is_empty(v))?;
    let label_of = |v: &str| {
        def.choices_of(field)
            .iter()
            .find(|c| c.value == v)
            .map_or_else(|| v.to_string(), |c| c.label.get(lang).to_string())
    };
    Some(match (field.kind, value) {
        (Kind::Date, Value::String(s)) => {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_or_else(|_| s.clone(), date)
        }
        (Kind::Country, Value::String(code)) => {
            country::find(code).map_or_else(|| code.clone(), |c| c.name.get(lang).to_string())
        }
        (Kind::SingleChoice, Value::String(v)) => label_of(v),
        (Kind::MultiChoice, Value::Array(vs)) => vs
            .iter()
            .filter_map(Value::as_str)
            .map(label_of)
            .collect::<Vec<_>>()
            .join(", "),
        (Kind::Consent, Value::Bool(b)) => {
            messages::render(if *b { "form.yes" } else { "form.no" }, lang, &[])
        }
        (Kind::Document, Value::Array(pages)) => messages::render_count(
            "form.pages_attached",
            pages.len() as u64,
            lang,
            &[("count", pages.len().to_string())],
        ),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Number(n)) => n.to_string(),
        (_, Value::Bool(b)) => b.to_string(),
        (_, other) => other.to_string(),
    })
}

/// Unanswered: absent, null, blank text, an empty list or an unticked consent.
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Bool(b) => !b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::builtin_form;
    use serde_json::json;

    #[test]
    fn dates_read_the_way_people_write_them() {
        let d = NaiveDate::from_ymd_opt(2026, 8, 15).unwrap_or_default();
        assert_eq!(date(d), "15-08-2026");
    }

    #[test]
    fn choices_countries_and_ticks_show_their_labels() {
        let def = builtin_form("pmi-registration", None).expect("built-in");
        let f = |id: &str| def.field(id).expect("field");
        assert_eq!(
            display(def, f("scheme"), Some(&json!("p3mi")), Lang::En).as_deref(),
            def.choices_of(f("scheme"))
                .iter()
                .find(|c| c.value == "p3mi")
                .map(|c| c.label.get(Lang::En))
        );
        let country = def
            .top_fields()
            .find(|x| x.kind == Kind::Country)
            .expect("a country field");
        assert_eq!(
            display(def, country, Some(&json!("MY")), Lang::En).as_deref(),
            Some("Malaysia")
        );
        assert_eq!(display(def, country, Some(&json!("")), Lang::En), None);
        assert_eq!(display(def, country, None, Lang::En), None);
        assert_eq!(input_text(Some(&json!("2026-08-15"))), "2026-08-15");
        assert_eq!(input_text(None), "");
    }
}
