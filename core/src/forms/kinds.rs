//! Per-kind checking of one value: does it fit the kind, is it valid, and what
//! is its normalized form (E.164 phone, uppercase passport, ISO date…).

use serde_json::Value;

use super::answers::Scope;
use super::choice_match::{accepted, find_choice};
use super::context::Context;
use super::definition::{Choice, Field, Kind, PhoneCountry};
use super::dom;
use super::finding::Finding;
use crate::Problem;

/// The result of checking one non-empty value.
pub(crate) struct Checked {
    /// The normalized value, when the value is valid (warnings allowed).
    pub(crate) normalized: Option<Value>,
    /// Errors and warnings about the value.
    pub(crate) findings: Vec<Finding>,
}

impl Checked {
    fn from_parts(normalized: Value, findings: Vec<Finding>) -> Self {
        let ok = !findings.iter().any(Finding::is_error);
        Checked {
            normalized: ok.then_some(normalized),
            findings,
        }
    }

    fn invalid(p: Problem) -> Self {
        Checked {
            normalized: None,
            findings: vec![p.into()],
        }
    }
}

/// What a kind takes, for [`crate::Error::WrongValueType`].
pub(crate) fn expected(kind: Kind) -> &'static str {
    match kind {
        Kind::Number => "a number",
        Kind::Consent => "yes or no",
        Kind::MultiChoice => "a list of choices",
        Kind::Repeat => "a list of items",
        Kind::Note => "no value (read-only)",
        Kind::Document => "a list of attached files",
        _ => "text",
    }
}

/// Whether a stored or submitted JSON value has a type the kind accepts.
pub(crate) fn fits(kind: Kind, v: &Value) -> bool {
    match (kind, v) {
        (_, Value::Null) => true,
        (Kind::Note, _) => false,
        (Kind::Number, Value::Number(_) | Value::String(_)) => true,
        (Kind::Consent, Value::Bool(_) | Value::String(_)) => true,
        (Kind::MultiChoice, Value::Array(a)) => a.iter().all(Value::is_string),
        (Kind::Repeat, Value::Array(a)) => a.iter().all(Value::is_object),
        (Kind::Document, Value::Array(a)) => a.iter().all(Value::is_string),
        (k, Value::String(_)) => k.is_stringish(),
        _ => false,
    }
}

/// A finite number as JSON, whole numbers without a fraction.
pub(crate) fn number_value(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

fn fmt_num(f: f64) -> String {
    match number_value(f) {
        Value::Null => f.to_string(),
        v => v.to_string(),
    }
}

/// Checks a non-empty value of `field` (definition key `key`) seen from `scope`.
/// `Err` carries what the kind takes when the value's type does not fit.
pub(crate) fn check_value(
    field: &Field,
    key: &str,
    scope: &Scope<'_>,
    v: &Value,
    ctx: &Context,
) -> Result<Checked, &'static str> {
    if !fits(field.kind, v) {
        return Err(expected(field.kind));
    }
    let s = v.as_str().map(str::trim).unwrap_or_default();
    Ok(match field.kind {
        Kind::Text => check_text(field, key, scope, s),
        Kind::Number => check_number(field, v, s),
        Kind::Date => check_date(field, s, ctx),
        Kind::SingleChoice => {
            let choices = scope.def.choices_of(field);
            match find_choice(choices, s) {
                Some(c) => Checked::from_parts(Value::String(c.value.clone()), Vec::new()),
                None => Checked::invalid(unknown_choice(choices, s, ctx)),
            }
        }
        Kind::MultiChoice => check_multi(field, scope, v, ctx),
        Kind::Phone => {
            let country = match &field.phone_country {
                None => Some("ID".to_string()),
                Some(PhoneCountry::Fixed(c)) => Some(c.to_ascii_uppercase()),
                Some(PhoneCountry::Field(f)) => scope
                    .raw(f)
                    .and_then(Value::as_str)
                    .map(|c| c.trim().to_ascii_uppercase()),
            };
            let international = s.starts_with('+') || s.starts_with("00");
            if let Some(refused) = foreign_number(field, scope, s, ctx) {
                return Ok(Checked::invalid(refused));
            }
            match country {
                Some(c) => normalized(dom::phone(s, &c)),
                // Typed with its country code, the number needs no country field.
                None if international => normalized(dom::phone(s, "ID")),
                None => Checked::invalid(Problem::error("field.phone_needs_country")),
            }
        }
        Kind::Email => normalized(dom::email(s)),
        Kind::Nik => {
            let mut out = normalized(dom::nik(s));
            if let Some(Value::String(n)) = &out.normalized {
                let found = nik_cross_findings(field, scope, n);
                if found.iter().any(Finding::is_error) {
                    out.normalized = None;
                }
                out.findings.extend(found);
            }
            out
        }
        Kind::Passport => normalized(dom::passport(s)),
        Kind::Kpj => normalized(dom::kpj(s)),
        Kind::Country => match dom::find_country(s) {
            None => Checked::invalid(
                Problem::error("field.country_unknown")
                    .with("value", s)
                    .with(
                        "accepted",
                        dom::country_names(field.destinations_only, ctx.lang),
                    ),
            ),
            Some((_, false)) if field.destinations_only => {
                Checked::invalid(Problem::error("field.country_not_destination"))
            }
            Some((c, _)) => Checked::from_parts(Value::String(c.to_string()), Vec::new()),
        },
        Kind::Consent => match v {
            Value::Bool(b) => Checked::from_parts(Value::Bool(*b), Vec::new()),
            _ => match s.to_lowercase().as_str() {
                "true" | "yes" | "ya" | "y" | "1" | "setuju" => {
                    Checked::from_parts(Value::Bool(true), Vec::new())
                }
                "false" | "no" | "tidak" | "n" | "0" => {
                    Checked::from_parts(Value::Bool(false), Vec::new())
                }
                _ => Checked::invalid(Problem::error("consent.invalid")),
            },
        },
        Kind::Document => check_document(field, v),
        // Items are checked field by field by the caller; a note holds nothing.
        Kind::Repeat | Kind::Note => Checked {
            normalized: Some(v.clone()),
            findings: Vec::new(),
        },
    })
}

/// A fixed-country phone field that sends foreign numbers elsewhere
/// (`foreign_numbers`): `field.phone_belongs_elsewhere` when `s` is a valid number
/// of another country — typed with its country code, or, typed without, valid in
/// the other field's country (the destination) and not in this field's. The
/// message names this field's country and the other field's label. Anything
/// else is left to the ordinary phone check.
fn foreign_number(field: &Field, scope: &Scope<'_>, s: &str, ctx: &Context) -> Option<Problem> {
    let (Some(PhoneCountry::Fixed(home)), Some(other_id)) =
        (&field.phone_country, &field.foreign_numbers)
    else {
        return None;
    };
    let home = home.to_ascii_uppercase();
    let other = scope.def.field_by_key(other_id)?;
    let region = dom::phone_region(s, &home);
    let foreign = match region {
        Some(r) => r != home,
        None => {
            // Not a number of this field's country (or outside our plans): is it
            // one of the other field's country, typed the way people there write it?
            let there = match &other.phone_country {
                Some(PhoneCountry::Fixed(c)) => Some(c.to_ascii_uppercase()),
                Some(PhoneCountry::Field(f)) => scope
                    .raw(f)
                    .and_then(Value::as_str)
                    .and_then(dom::find_country)
                    .map(|(c, _)| c.to_string()),
                None => None,
            };
            // A valid number with no region: a country outside our plans, typed with its code.
            let unplanned = dom::phone(s, &home).is_ok();
            let valid_there = there.is_some_and(|c| {
                c != home && dom::phone_region(s, &c).as_deref() == Some(c.as_str())
            });
            unplanned || valid_there
        }
    };
    foreign.then(|| {
        Problem::error("field.phone_belongs_elsewhere")
            .with("country", dom::country_name(&home, ctx.lang))
            .with("field", other.label.get(ctx.lang))
    })
}

/// The NIK cross-check: the birth date and sex a valid NIK encodes against the
/// fields named in `nik_check` (seen from `scope`).
pub(crate) fn nik_cross_findings(field: &Field, scope: &Scope<'_>, nik: &str) -> Vec<Finding> {
    let Some(check) = &field.nik_check else {
        return Vec::new();
    };
    let birth = check
        .birth_date
        .as_deref()
        .and_then(|b| scope.raw(b))
        .and_then(Value::as_str)
        .and_then(|b| dom::parse_date(b.trim()).ok());
    let sex = check
        .sex
        .as_deref()
        .and_then(|x| scope.raw(x))
        .and_then(Value::as_str);
    dom::nik_declared(nik, birth, sex)
        .into_iter()
        .map(Finding::from)
        .collect()
}

fn normalized(r: dom::Normalized) -> Checked {
    match r {
        Ok((value, warnings)) => Checked::from_parts(
            Value::String(value),
            warnings.into_iter().map(Finding::from).collect(),
        ),
        Err(p) => Checked::invalid(p),
    }
}

fn check_text(field: &Field, key: &str, scope: &Scope<'_>, s: &str) -> Checked {
    let mut found: Vec<Finding> = Vec::new();
    let len = s.chars().count();
    let max = field.effective_max_length();
    if len > max {
        found.push(
            Problem::error("text.too_long")
                .with("max", max.to_string())
                .into(),
        );
    }
    if let Some(min) = field.min_length {
        if len < min as usize {
            found.push(
                Problem::error("text.too_short")
                    .with("min", min.to_string())
                    .into(),
            );
        }
    }
    if let Some(re) = scope.def.pattern(key) {
        if !re.is_match(s) {
            found.push(match &field.pattern_message {
                Some(m) => Finding::Custom {
                    code: "text.pattern".to_string(),
                    severity: crate::Severity::Error,
                    message: m.clone(),
                    params: Vec::new(),
                },
                None => Problem::error("text.pattern").into(),
            });
        }
    }
    Checked::from_parts(Value::String(s.to_string()), found)
}

fn check_number(field: &Field, v: &Value, s: &str) -> Checked {
    let parsed = match v {
        Value::Number(n) => n.as_f64(),
        // Indonesian writes a decimal comma; accept it when there is no dot.
        _ if !s.contains('.') => s.replacen(',', ".", 1).parse::<f64>().ok(),
        _ => s.parse::<f64>().ok(),
    };
    let Some(f) = parsed.filter(|f| f.is_finite()) else {
        return Checked::invalid(Problem::error("number.invalid"));
    };
    let mut found: Vec<Finding> = Vec::new();
    if field.integer && f.fract() != 0.0 {
        found.push(Problem::error("number.not_integer").into());
    }
    if let Some(min) = field.min.filter(|m| f < *m) {
        found.push(
            Problem::error("number.too_small")
                .with("min", fmt_num(min))
                .into(),
        );
    }
    if let Some(max) = field.max.filter(|m| f > *m) {
        found.push(
            Problem::error("number.too_large")
                .with("max", fmt_num(max))
                .into(),
        );
    }
    Checked::from_parts(number_value(f), found)
}

fn check_date(field: &Field, s: &str, ctx: &Context) -> Checked {
    let d = match dom::parse_date(s) {
        Ok(d) => d,
        Err(p) => return Checked::invalid(p),
    };
    let mut found: Vec<Finding> = Vec::new();
    if field.not_in_future && d > ctx.today {
        // One issue is enough: an age of a future birth date says nothing more.
        found.push(Problem::error("field.date_in_future").into());
        return Checked::from_parts(Value::String(d.format("%Y-%m-%d").to_string()), found);
    }
    let age = dom::age_on(d, ctx.today);
    if let Some(min) = field.min_age.filter(|m| d > ctx.today || age < *m) {
        found.push(
            Problem::error("field.age_too_young")
                .with("min", min.to_string())
                .into(),
        );
    }
    if let Some(max) = field.max_age.filter(|m| age > *m) {
        found.push(
            Problem::error("field.age_too_old")
                .with("max", max.to_string())
                .into(),
        );
    }
    Checked::from_parts(Value::String(d.format("%Y-%m-%d").to_string()), found)
}

/// A document: distinct content ids (64 hex digits), page count in range.
fn check_document(field: &Field, v: &Value) -> Checked {
    let mut files: Vec<Value> = Vec::new();
    let mut found: Vec<Finding> = Vec::new();
    for item in v.as_array().into_iter().flatten().filter_map(Value::as_str) {
        let id = item.trim().to_ascii_lowercase();
        if !crate::domain::document::is_content_id(&id) {
            found.push(Problem::error("document.invalid_file").into());
            continue;
        }
        let value = Value::String(id);
        if !files.contains(&value) {
            files.push(value);
        }
    }
    if let Some(min) = field.min_pages.filter(|m| files.len() < *m as usize) {
        found.push(
            Problem::error("document.too_few_pages")
                .with("min", min.to_string())
                .into(),
        );
    }
    if let Some(max) = field.max_pages.filter(|m| files.len() > *m as usize) {
        found.push(
            Problem::error("document.too_many_pages")
                .with("max", max.to_string())
                .into(),
        );
    }
    Checked::from_parts(Value::Array(files), found)
}

/// `choice.unknown` for `typed`, listing what the list accepts in the user's language.
fn unknown_choice(choices: &[Choice], typed: &str, ctx: &Context) -> Problem {
    Problem::error("choice.unknown")
        .with("value", typed)
        .with("accepted", accepted(choices, ctx.lang))
}

fn check_multi(field: &Field, scope: &Scope<'_>, v: &Value, ctx: &Context) -> Checked {
    let choices = scope.def.choices_of(field);
    let mut picked: Vec<Value> = Vec::new();
    let mut found: Vec<Finding> = Vec::new();
    for item in v.as_array().into_iter().flatten().filter_map(Value::as_str) {
        match find_choice(choices, item) {
            Some(c) => {
                let value = Value::String(c.value.clone());
                if !picked.contains(&value) {
                    picked.push(value);
                }
            }
            None => found.push(unknown_choice(choices, item.trim(), ctx).into()),
        }
    }
    if let Some(min) = field.min_items.filter(|m| picked.len() < *m as usize) {
        found.push(
            Problem::error("choice.too_few")
                .with("min", min.to_string())
                .into(),
        );
    }
    if let Some(max) = field.max_items.filter(|m| picked.len() > *m as usize) {
        found.push(
            Problem::error("choice.too_many")
                .with("max", max.to_string())
                .into(),
        );
    }
    Checked::from_parts(Value::Array(picked), found)
}

#[cfg(test)]
mod tests {
    use super::super::builtin::builtin_form;
    use super::super::definition::FormDefinition;
    use super::super::input::{set_field, Input, SetOutcome};
    use super::super::samples::{sample_registration, sample_today};
    use super::super::Answers;
    use super::*;
    use crate::base::lang::Lang;
    use proptest::prelude::*;
    use serde_json::json;

    fn reg() -> &'static FormDefinition {
        builtin_form("pmi-registration", Some(1)).unwrap_or_else(|| panic!("missing"))
    }

    fn set_in(a: &mut Answers, path: &str, typed: &str, lang: Lang) -> SetOutcome {
        let ctx = Context {
            today: sample_today(),
            lang,
        };
        set_field(reg(), a, path, Input::Text(typed.to_string()), &ctx)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn set(a: &mut Answers, path: &str, typed: &str) -> SetOutcome {
        set_in(a, path, typed, Lang::En)
    }

    fn codes(o: &SetOutcome) -> Vec<&str> {
        o.issues.iter().map(|i| i.code.as_str()).collect()
    }

    /// The built-in registration's field with `role`, or of `kind` with a property.
    fn field_where(pred: impl Fn(&Field) -> bool) -> &'static Field {
        reg()
            .top_fields()
            .find(|f| pred(f))
            .unwrap_or_else(|| panic!("no such field"))
    }

    #[test]
    fn choices_take_labels_and_the_usual_spellings() {
        let sex = &field_where(|f| f.nik_check.is_some()).nik_check;
        let sex = sex.as_ref().and_then(|n| n.sex.clone()).unwrap_or_default();
        let mut a = Answers::new();
        for (typed, want) in [
            ("P", "F"),
            ("Perempuan", "F"),
            ("perempuan ", "F"),
            ("L", "M"),
            ("Laki-laki", "M"),
            ("laki laki", "M"),
            ("Female", "F"),
            ("m", "M"),
        ] {
            let o = set(&mut a, &sex, typed);
            assert_eq!(
                (o.stored.clone(), codes(&o)),
                (json!(want), vec![]),
                "{typed}"
            );
        }
        let jht = field_where(|f| f.role == Some(crate::forms::Role::JhtOptIn));
        for (typed, want) in [("ya", "yes"), ("Tidak", "no"), ("YES", "yes"), ("no", "no")] {
            assert_eq!(set(&mut a, &jht.id, typed).stored, json!(want), "{typed}");
        }
        let scheme = field_where(|f| f.role == Some(crate::forms::Role::Scheme));
        assert_eq!(
            set(&mut a, &scheme.id, "mandiri").stored,
            json!("individual")
        );
        assert_eq!(
            set(&mut a, &scheme.id, "G to G").stored,
            json!("government")
        );
    }

    #[test]
    fn a_refused_choice_lists_what_is_accepted_in_both_languages() {
        let sex = field_where(|f| {
            f.kind == Kind::SingleChoice
                && reg()
                    .choices_of(f)
                    .iter()
                    .any(|c| c.label.id == "Perempuan")
        });
        let mut a = Answers::new();
        let id = set_in(&mut a, &sex.id, "X", Lang::Id);
        assert_eq!(codes(&id), ["choice.unknown"]);
        assert!(
            id.issues[0].message.contains("Laki-laki, Perempuan"),
            "{}",
            id.issues[0].message
        );
        let en = set_in(&mut a, &sex.id, "X", Lang::En);
        assert!(
            en.issues[0].message.contains("Male, Female"),
            "{}",
            en.issues[0].message
        );
        assert!(!en.issues[0].message.contains('{'));
    }

    #[test]
    fn destinations_take_the_usual_spellings_and_a_refusal_lists_them() {
        let dest = field_where(|f| f.role == Some(crate::forms::Role::Destination));
        let mut a = Answers::new();
        for (typed, want) in [
            ("Hongkong", "HK"),
            ("HONG KONG", "HK"),
            ("taiwan", "TW"),
            ("Malaysia", "MY"),
            ("Saudi", "SA"),
        ] {
            assert_eq!(set(&mut a, &dest.id, typed).stored, json!(want), "{typed}");
        }
        let o = set_in(&mut a, &dest.id, "Atlantis", Lang::Id);
        assert_eq!(codes(&o), ["field.country_unknown"]);
        assert!(o.issues[0].message.contains("Hong Kong, Taiwan, Malaysia"));
        assert!(!o.issues[0].message.contains("Indonesia"));
    }

    /// The Indonesian phone field (it sends foreign numbers elsewhere) and that field.
    fn home_and_abroad() -> (&'static Field, &'static Field) {
        let home = field_where(|f| f.foreign_numbers.is_some());
        let abroad = reg()
            .field(home.foreign_numbers.as_deref().unwrap_or_default())
            .unwrap_or_else(|| panic!("no field abroad"));
        (home, abroad)
    }

    #[test]
    fn a_foreign_number_in_the_indonesian_field_is_sent_to_the_field_abroad() {
        let (home, abroad) = home_and_abroad();
        let mut a = Answers::new();
        let o = set_in(&mut a, &home.id, "+852 9123 4567", Lang::Id);
        assert_eq!(codes(&o), ["field.phone_belongs_elsewhere"]);
        assert_eq!(o.stored, json!("+852 9123 4567"), "kept as typed");
        let msg = &o.issues[0].message;
        assert!(
            msg.contains(abroad.label.id.as_str()) && msg.contains("Indonesia"),
            "{msg}"
        );
        let en = set_in(&mut a, &home.id, "00852 9123 4567", Lang::En);
        assert!(en.issues[0].message.contains(abroad.label.en.as_str()));
        // Typed the way people in Hong Kong write it: before a destination is chosen an
        // invalid Indonesian number; choosing Hong Kong checks the field again.
        let dest = field_where(|f| f.role == Some(crate::forms::Role::Destination));
        assert_eq!(
            codes(&set(&mut a, &home.id, "9123 4567")),
            ["phone.invalid"]
        );
        let o = set(&mut a, &dest.id, "HK");
        assert!(o.rechecked.contains(&home.id), "{:?}", o.rechecked);
        assert!(o
            .issues
            .iter()
            .any(|i| i.path == home.id && i.code == "field.phone_belongs_elsewhere"));
        assert_eq!(
            codes(&set(&mut a, &home.id, "9123 4567")),
            ["field.phone_belongs_elsewhere"]
        );
        // Indonesian numbers, however written, are welcome.
        for typed in ["0812-3456-7890", "+62 812 3456 7890", "6281234567890"] {
            let o = set(&mut a, &home.id, typed);
            assert_eq!(
                (o.stored.clone(), codes(&o)),
                (json!("+6281234567890"), vec![]),
                "{typed}"
            );
        }
        // The field abroad, and a fixed-country field without `foreign_numbers`, take it.
        assert_eq!(
            codes(&set(&mut a, &abroad.id, "+852 9123 4567")),
            Vec::<&str>::new()
        );
        let other = field_where(|f| {
            f.kind == Kind::Phone
                && f.foreign_numbers.is_none()
                && matches!(f.phone_country, Some(PhoneCountry::Fixed(_)))
        });
        assert_eq!(
            codes(&set(&mut a, &other.id, "+852 9123 4567")),
            Vec::<&str>::new()
        );
    }

    proptest! {
        #[test]
        fn the_indonesian_field_stores_only_indonesian_numbers(
            digits in "[0-9 +-]{0,18}",
            dest in prop::sample::select(vec!["HK", "TW", "MY", "SG", "SA"]),
        ) {
            let (home, _) = home_and_abroad();
            let mut a = sample_registration();
            let d = field_where(|f| f.role == Some(crate::forms::Role::Destination));
            a.insert(d.id.clone(), json!(dest));
            let o = set(&mut a, &home.id, &digits);
            if !o.issues.iter().any(|i| i.is_error()) && !o.stored.is_null() {
                let stored = o.stored.as_str().unwrap_or_default();
                prop_assert!(stored.starts_with("+62"), "{} stored as {}", digits, stored);
            }
        }

        #[test]
        fn any_label_of_any_choice_selects_it(lang_id in any::<bool>(), pick in 0usize..64) {
            for f in reg().top_fields().filter(|f| f.kind == Kind::SingleChoice) {
                let choices = reg().choices_of(f);
                let c = &choices[pick % choices.len()];
                let label = if lang_id { &c.label.id } else { &c.label.en };
                let mut a = Answers::new();
                let o = set(&mut a, &f.id, &label.to_uppercase());
                prop_assert_eq!(&o.stored, &json!(c.value), "{}", label);
            }
        }
    }
}
