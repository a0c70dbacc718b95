//! The form engine's one door to `crate::domain`: each field kind's parser,
//! reduced to "normalized text plus warnings, or a problem".

use chrono::NaiveDate;

use crate::domain;
use crate::Problem;

/// A valid value in its normalized text form, with any warnings.
pub(crate) type Normalized = Result<(String, Vec<Problem>), Problem>;

/// Parses a date (`YYYY-MM-DD`, `DD-MM-YYYY`, `DD/MM/YYYY`).
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, Problem> {
    domain::date::parse_date(s)
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

/// A country by ISO alpha-2 code, or by its name in either language (what a
/// text box gets): (code, is a placement destination).
pub(crate) fn find_country(code_or_name: &str) -> Option<(&'static str, bool)> {
    let wanted = code_or_name.trim();
    domain::country::find(wanted)
        .or_else(|| {
            domain::country::countries().iter().find(|c| {
                c.name.id.eq_ignore_ascii_case(wanted) || c.name.en.eq_ignore_ascii_case(wanted)
            })
        })
        .map(|c| (c.code.as_str(), c.destination))
}
