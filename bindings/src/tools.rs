//! Calls that need no open profile: identifier checks, the contribution quote,
//! the service-point directory, key generation, the profile list; plus a
//! trivial call (call-cost benchmark) and a panicking one (tests the panic guard).

use std::path::Path;

use rantau_core::domain::date::parse_date;
use rantau_core::domain::directory;
use rantau_core::domain::nik::{Nik, Sex};
use rantau_core::domain::passport::Passport;
use rantau_core::domain::phone::Phone;
use rantau_core::domain::tariff::{self, TariffTable};
use rantau_core::store::{profiles, Key};
use rantau_core::{Lang, Problem};

use crate::error::{guard, RantauError};
use crate::types::text;
use rantau_core::domain::tariff::FeeQuote;
use rantau_core::Issue;

type Res<T> = Result<T, RantauError>;

/// The answer of an identifier check.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct CheckResult {
    /// No error (warnings allowed).
    pub valid: bool,
    /// The normalized value; empty when not valid.
    pub normalized: String,
    /// Errors and warnings, localized.
    pub issues: Vec<Issue>,
}

fn localize(path: &str, problems: &[Problem], lang: Lang) -> Vec<Issue> {
    problems.iter().map(|p| p.localize(path, lang)).collect()
}

fn result(path: &str, normalized: Option<String>, problems: &[Problem], lang: Lang) -> CheckResult {
    let valid = normalized.is_some()
        && !problems
            .iter()
            .any(|p| p.severity == rantau_core::Severity::Error);
    CheckResult {
        valid,
        normalized: if valid {
            normalized.unwrap_or_default()
        } else {
            String::new()
        },
        issues: localize(path, problems, lang),
    }
}

/// Checks a NIK, optionally against a declared birth date (`YYYY-MM-DD`,
/// `DD-MM-YYYY`) and sex (`M`/`F`/`L`/`P`).
#[uniffi::export]
pub fn check_nik(
    nik: String,
    birth_date: Option<String>,
    sex: Option<String>,
    lang: Lang,
) -> Res<CheckResult> {
    guard(|| {
        let mut problems = Vec::new();
        let dob = birth_date.and_then(|d| parse_date(&d).map_err(|p| problems.push(p)).ok());
        let sex = sex.and_then(|s| {
            let parsed = Sex::parse(&s);
            if parsed.is_none() {
                problems.push(Problem::error("sex.invalid"));
            }
            parsed
        });
        Ok(match Nik::parse(&nik) {
            Ok(n) => {
                problems.extend(n.check_declared(dob, sex));
                result("nik", Some(n.as_str().to_string()), &problems, lang)
            }
            Err(p) => {
                problems.insert(0, p);
                result("nik", None, &problems, lang)
            }
        })
    })
}

/// Checks a phone number and normalizes it to E.164; `default_country` (ISO code)
/// applies when it has no `+` prefix.
#[uniffi::export]
pub fn check_phone(input: String, default_country: String, lang: Lang) -> Res<CheckResult> {
    guard(|| {
        Ok(
            match Phone::parse(&input, &default_country.to_ascii_uppercase()) {
                Ok(c) => result("phone", Some(c.value.e164().to_string()), &c.warnings, lang),
                Err(p) => result("phone", None, &[p], lang),
            },
        )
    })
}

/// Checks and normalizes an Indonesian passport number.
#[uniffi::export]
pub fn check_passport(input: String, lang: Lang) -> Res<CheckResult> {
    guard(|| {
        Ok(match Passport::parse(&input) {
            Ok(c) => result(
                "passport",
                Some(c.value.as_str().to_string()),
                &c.warnings,
                lang,
            ),
            Err(p) => result("passport", None, &[p], lang),
        })
    })
}

/// How the worker is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Scheme {
    /// Through a placement company (P3MI).
    P3mi,
    /// Through the government (G-to-G).
    Government,
    /// Individually.
    Individual,
}

/// The contribution due today for a contract of `months` months, with an optional
/// monthly JHT. Out-of-range inputs are [`RantauError::Validation`].
#[uniffi::export]
pub fn fee(scheme: Scheme, months: u32, jht_monthly: Option<u64>, lang: Lang) -> Res<FeeQuote> {
    guard(|| {
        let scheme = match scheme {
            Scheme::P3mi => tariff::Scheme::P3mi,
            Scheme::Government => tariff::Scheme::Government,
            Scheme::Individual => tariff::Scheme::Individual,
        };
        let today = chrono::Utc::now().date_naive();
        TariffTable::builtin()
            .quote(scheme, months, jht_monthly, today)
            .map_err(|p| RantauError::Validation {
                code: p.code.to_string(),
                issues: localize("fee", &[p], lang),
            })
    })
}

/// The JHT amounts a worker may choose per month, today.
#[uniffi::export]
pub fn jht_options() -> Vec<u64> {
    guard(|| Ok(TariffTable::builtin().jht_options(chrono::Utc::now().date_naive())))
        .unwrap_or_default()
}

/// What kind of office a service point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PointKind {
    /// Consulate (KJRI/KRI).
    Consulate,
    /// Embassy (KBRI).
    Embassy,
    /// KDEI Taipei.
    Kdei,
    /// A bank that takes contributions.
    Bank,
    /// Another office.
    Office,
}

/// A phone line of a service point.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PhoneLine {
    /// What it is for, localized.
    pub label: String,
    /// As printed by the source.
    pub number: String,
    /// E.164, when unambiguous (the dial button uses it).
    pub e164: Option<String>,
    /// Date of the source.
    pub as_of: String,
    /// Source URL.
    pub source: String,
    /// Takes WhatsApp.
    pub whatsapp: bool,
}

/// A mission or office abroad.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ServicePoint {
    /// Stable id.
    pub id: String,
    /// Kind.
    pub kind: PointKind,
    /// Official name.
    pub name: String,
    /// City.
    pub city: String,
    /// Address; `None` when the sources disagree (see notes).
    pub address: Option<String>,
    /// Website.
    pub website: String,
    /// Verified phone lines.
    pub phones: Vec<PhoneLine>,
    /// Verified e-mails.
    pub emails: Vec<String>,
    /// Notes, localized.
    pub notes: Option<String>,
}

fn phone_line(p: &directory::PhoneLine, lang: Lang) -> PhoneLine {
    PhoneLine {
        label: text(&p.label, lang),
        number: p.number.clone(),
        e164: p.e164.clone(),
        as_of: p.as_of.clone(),
        source: p.source.clone(),
        whatsapp: p.whatsapp,
    }
}

/// The service points in a country (ISO code, any case), from the built-in directory.
#[uniffi::export]
pub fn service_points(country: String, lang: Lang) -> Vec<ServicePoint> {
    guard(|| {
        Ok(directory::builtin()
            .for_country(&country)
            .into_iter()
            .map(|s| ServicePoint {
                id: s.id.clone(),
                kind: match s.kind {
                    directory::PointKind::Consulate => PointKind::Consulate,
                    directory::PointKind::Embassy => PointKind::Embassy,
                    directory::PointKind::Kdei => PointKind::Kdei,
                    directory::PointKind::Bank => PointKind::Bank,
                    directory::PointKind::Office => PointKind::Office,
                },
                name: s.name.clone(),
                city: s.city.clone(),
                address: s.address.clone(),
                website: s.website.clone(),
                phones: s.phones.iter().map(|p| phone_line(p, lang)).collect(),
                emails: s.emails.clone(),
                notes: s.notes.as_ref().map(|n| text(n, lang)),
            })
            .collect())
    })
    .unwrap_or_default()
}

/// A country the app knows.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CountryInfo {
    /// ISO 3166 alpha-2 code (`MY`).
    pub code: String,
    /// Name in the requested language.
    pub name: String,
    /// Dialing code with its plus (`+60`).
    pub dialing_code: String,
    /// A placement destination (false for Indonesia).
    pub destination: bool,
}

/// Indonesia, then the destinations by number of workers.
#[uniffi::export]
pub fn countries(lang: Lang) -> Vec<CountryInfo> {
    guard(|| {
        Ok(rantau_core::domain::country::countries()
            .iter()
            .map(|c| CountryInfo {
                code: c.code.clone(),
                name: c.name.get(lang).to_string(),
                dialing_code: c.dialing_code.clone(),
                destination: c.destination,
            })
            .collect())
    })
    .unwrap_or_default()
}

/// True when `number` is one a mission publicly called a scam.
#[uniffi::export]
pub fn is_scam_number(number: String) -> bool {
    guard(|| Ok(directory::builtin().is_scam_number(&number))).unwrap_or(false)
}

/// A new random 32-byte profile key, in hex (the app wraps it with the Keystore).
#[uniffi::export]
pub fn generate_key_hex() -> String {
    Key::generate().to_hex().as_str().to_string()
}

/// The user's message for the stable `code` of a [`RantauError`] (e.g.
/// `store.not_a_database`) in `lang`, for screens that show a failed call. An unknown
/// code comes back as itself. Meant for codes without parameters: those of opening a
/// profile, storage and sync; validation issues carry their own messages.
#[uniffi::export]
pub fn error_message(code: String, lang: Lang) -> String {
    rantau_core::base::messages::render(&code, lang, &[])
}

/// The profile names in `dir`, sorted.
#[uniffi::export]
pub fn list_profiles(dir: String) -> Res<Vec<String>> {
    guard(|| Ok(profiles::list_profiles(Path::new(&dir))?))
}

/// The core's version: also the cheapest call, for measuring FFI overhead.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Returns its argument: the bare cost of one FFI call (no allocation, no buffer).
#[uniffi::export]
pub fn echo_u32(value: u32) -> u32 {
    value
}

/// Test hook, not for the app: panics inside the guard, which must come back as
/// [`RantauError::Internal`] rather than crash the process.
#[doc(hidden)]
#[uniffi::export]
pub fn testing_panic(message: String) -> Res<()> {
    guard(|| panic!("{message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_come_in_the_users_language_and_unknown_codes_as_themselves() {
        assert_eq!(
            error_message("store.wrong_key".into(), Lang::Id),
            "Kunci tidak dapat membuka profil ini."
        );
        assert_eq!(
            error_message("store.wrong_key".into(), Lang::En),
            "The key does not open this profile."
        );
        assert!(error_message("profile.not_damaged".into(), Lang::En).contains("not damaged"));
        assert_eq!(error_message("no.such".into(), Lang::Id), "no.such");
    }

    #[test]
    fn nik_check_normalizes_and_flags_a_mismatched_birth_date() {
        let ok = check_nik("3515 1457 0895 0001".into(), None, None, Lang::En).unwrap();
        assert!(ok.valid);
        assert_eq!(ok.normalized, "3515145708950001");
        let bad = check_nik(
            "3515145708950001".into(),
            Some("1995-08-18".into()),
            None,
            Lang::En,
        )
        .unwrap();
        assert!(!bad.valid);
        assert!(bad.normalized.is_empty());
        assert!(!bad.issues.is_empty());
    }

    #[test]
    fn phone_and_passport_checks_normalize() {
        let p = check_phone("0812-3456-7890".into(), "id".into(), Lang::Id).unwrap();
        assert_eq!(p.normalized, "+6281234567890");
        let bad = check_passport("??".into(), Lang::Id).unwrap();
        assert!(!bad.valid);
        assert!(!bad.issues.is_empty());
    }

    #[test]
    fn fee_quotes_and_refuses_out_of_range() {
        let q = fee(Scheme::P3mi, 24, None, Lang::Id).unwrap();
        assert_eq!(q.total_due, q.pre_placement + q.placement);
        assert!(matches!(
            fee(Scheme::P3mi, 0, None, Lang::Id),
            Err(RantauError::Validation { .. })
        ));
    }

    #[test]
    fn service_points_for_hong_kong_have_a_consulate() {
        let points = service_points("hk".into(), Lang::En);
        assert!(points.iter().any(|p| p.kind == PointKind::Consulate));
        assert!(service_points("XX".into(), Lang::En).is_empty());
    }

    #[test]
    fn testing_panic_is_an_internal_error() {
        assert!(matches!(
            testing_panic("x".into()),
            Err(RantauError::Internal { .. })
        ));
    }
}
