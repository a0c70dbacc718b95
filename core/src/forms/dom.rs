//! The form engine's one door to `crate::domain`: each field kind's parser,
//! reduced to "normalized text plus warnings, or a problem".

use chrono::NaiveDate;

use crate::domain;
use crate::Problem;

/// A valid value in its normalized text form, with any warnings.
pub(crate) type Normalized = Result<(String, Vec<Problem>), Problem>;

/// Parses a date as people type it (`17-08-1995`, `17081995`, `1995-08-17`…).
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, Problem> {
    domain::date::parse_date(s)
}

/// A date as the core shows it (`DD-MM-YYYY`).
pub(crate) fn show_date(d: NaiveDate) -> String {
    domain::date::display(d)
}

/// Completed years between `birth` and `on`.
pub(crate) fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    domain::date::age_on(birth, on)
}

/// A NIK, normalized to its 16 digits.
pub(crate) fn nik(s: &str) -> Normalized {
    domain::nik::Nik::parse(s).map(|n| (n.as_str().to_string(), Vec::new()))
}

/// Checks the birth date and sex a NIK encodes against the declared ones.
pub(crate) fn nik_declared(nik: &str, birth: Option<NaiveDate>, sex: Option<&str>) -> Vec<Problem> {
    match domain::nik::Nik::parse(nik) {
        Ok(n) => n.check_declared(birth, sex.and_then(domain::nik::Sex::parse)),
        Err(_) => Vec::new(),
    }
}

/// A KPJ card number.
pub(crate) fn kpj(s: &str) -> Normalized {
    domain::kpj::Kpj::parse(s).map(|k| (k.as_str().to_string(), Vec::new()))
}

/// A passport number, uppercase without spaces.
pub(crate) fn passport(s: &str) -> Normalized {
    domain::passport::Passport::parse(s).map(|c| (c.value.as_str().to_string(), c.warnings))
}

/// An e-mail address.
pub(crate) fn email(s: &str) -> Normalized {
    domain::email::Email::parse(s).map(|e| (e.as_str().to_string(), Vec::new()))
}

/// A phone number in E.164; `country` is used when it is typed without `+`.
pub(crate) fn phone(s: &str, country: &str) -> Normalized {
    domain::phone::Phone::parse(s, country).map(|c| (c.value.e164().to_string(), c.warnings))
}

/// The ISO code of the country a valid phone number belongs to, read with
/// `country` for a number typed without `+`; `None` when it is not a valid
/// number there, or its country is outside our numbering plans.
pub(crate) fn phone_region(s: &str, country: &str) -> Option<String> {
    let checked = domain::phone::Phone::parse(s, country).ok()?;
    checked.value.region().map(str::to_string)
}

/// A country's name in `lang`, or the code itself when it is unknown.
pub(crate) fn country_name(code: &str, lang: crate::Lang) -> String {
    domain::country::find(code).map_or_else(|| code.to_string(), |c| c.name.get(lang).to_string())
}

/// A country by ISO alpha-2 code, its name in either language or a spelling the
/// country directory lists (`Hongkong`, `Saudi`), whatever the case and spacing
/// (what a text box gets): (code, is a placement destination).
pub(crate) fn find_country(code_or_name: &str) -> Option<(&'static str, bool)> {
    domain::country::find_typed(code_or_name).map(|c| (c.code.as_str(), c.destination))
}

/// Whether `code` is the ISO alpha-2 code of a known country (any case).
pub(crate) fn is_country_code(code: &str) -> bool {
    domain::country::find(code).is_some()
}

/// The countries a country field accepts, by name in `lang`, for a refusal's message.
pub(crate) fn country_names(destinations_only: bool, lang: crate::Lang) -> String {
    domain::country::countries()
        .iter()
        .filter(|c| c.destination || !destinations_only)
        .map(|c| c.name.get(lang))
        .collect::<Vec<_>>()
        .join(", ")
}
