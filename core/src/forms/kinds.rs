//! Per-kind checking of one value: does it fit the kind, is it valid, and what
//! is its normalized form (E.164 phone, uppercase passport, ISO date…).

use serde_json::Value;

use super::answers::Scope;
use super::context::Context;
use super::definition::{Field, Kind, PhoneCountry};
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
            match scope
                .def
                .choices_of(field)
                .iter()
                .find(|c| c.value.eq_ignore_ascii_case(s))
            {
                Some(c) => Checked::from_parts(Value::String(c.value.clone()), Vec::new()),
                None => Checked::invalid(Problem::error("choice.unknown").with("value", s)),
            }
        }
        Kind::MultiChoice => check_multi(field, scope, v),
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
            None => Checked::invalid(Problem::error("field.country_unknown").with("value", s)),
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

fn check_multi(field: &Field, scope: &Scope<'_>, v: &Value) -> Checked {
    let choices = scope.def.choices_of(field);
    let mut picked: Vec<Value> = Vec::new();
    let mut found: Vec<Finding> = Vec::new();
    for item in v.as_array().into_iter().flatten().filter_map(Value::as_str) {
        match choices
            .iter()
            .find(|c| c.value.eq_ignore_ascii_case(item.trim()))
        {
            Some(c) => {
                let value = Value::String(c.value.clone());
                if !picked.contains(&value) {
                    picked.push(value);
                }
            }
            None => found.push(
                Problem::error("choice.unknown")
                    .with("value", item.trim())
                    .into(),
            ),
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
