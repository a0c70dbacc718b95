//! Quick checks that need no profile: a NIK against a declared birth date and sex,
//! a phone number, a passport number, and the contribution quote. One answer shape
//! for every front-end (the app's check screens, `rantau check`, `rantau fee`).

use chrono::NaiveDate;
use serde::Serialize;

use crate::base::issue::{Issue, Problem, Severity};
use crate::base::lang::Lang;
use crate::domain::date::parse_date;
use crate::domain::nik::{Nik, Sex};
use crate::domain::passport::Passport;
use crate::domain::phone::Phone;
use crate::domain::tariff::{FeeQuote, Scheme, TariffTable};

/// The answer of an identifier check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CheckResult {
    /// No error (warnings allowed).
    pub valid: bool,
    /// The normalized value; empty when not valid.
    pub normalized: String,
    /// Errors first, then warnings, in the user's language.
    pub issues: Vec<Issue>,
}

impl CheckResult {
    fn of(path: &str, normalized: Option<String>, problems: &[Problem], lang: Lang) -> Self {
        let valid = normalized.is_some() && !problems.iter().any(|p| p.severity == Severity::Error);
        CheckResult {
            valid,
            normalized: normalized.filter(|_| valid).unwrap_or_default(),
            issues: problems.iter().map(|p| p.localize(path, lang)).collect(),
        }
    }
}

/// Checks a NIK, and against it a declared birth date (as people type dates) and
/// sex (`M`/`F`/`L`/`P`) when given.
pub fn check_nik(
    nik: &str,
    birth_date: Option<&str>,
    sex: Option<&str>,
    lang: Lang,
) -> CheckResult {
    let mut problems = Vec::new();
    let dob = birth_date.and_then(|d| parse_date(d).map_err(|p| problems.push(p)).ok());
    let sex = sex.and_then(|s| {
        let parsed = Sex::parse(s);
        if parsed.is_none() {
            problems.push(Problem::error("sex.invalid"));
        }
        parsed
    });
    match Nik::parse(nik) {
        Ok(n) => {
            problems.extend(n.check_declared(dob, sex));
            CheckResult::of("nik", Some(n.as_str().to_string()), &problems, lang)
        }
        Err(p) => {
            problems.insert(0, p);
            CheckResult::of("nik", None, &problems, lang)
        }
    }
}

/// Checks a phone number and normalizes it to E.164; `default_country` (ISO code,
/// any case) applies when it has no `+` prefix.
pub fn check_phone(input: &str, default_country: &str, lang: Lang) -> CheckResult {
    match Phone::parse(input, &default_country.to_ascii_uppercase()) {
        Ok(c) => CheckResult::of("phone", Some(c.value.e164().to_string()), &c.warnings, lang),
        Err(p) => CheckResult::of("phone", None, &[p], lang),
    }
}

/// Checks and normalizes an Indonesian passport number.
pub fn check_passport(input: &str, lang: Lang) -> CheckResult {
    match Passport::parse(input) {
        Ok(c) => CheckResult::of(
            "passport",
            Some(c.value.as_str().to_string()),
            &c.warnings,
            lang,
        ),
        Err(p) => CheckResult::of("passport", None, &[p], lang),
    }
}

/// The day whose tariff a quote without a profile reads: today in UTC, the same
/// day a profile's own quote uses (`Profile::now`), so both answer alike.
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The contribution due on `today` for a contract of `months` months, with an
/// optional monthly JHT; out-of-range inputs come back as their localized issues.
pub fn fee(
    scheme: Scheme,
    months: u32,
    jht_monthly: Option<u64>,
    today: NaiveDate,
    lang: Lang,
) -> Result<FeeQuote, Vec<Issue>> {
    TariffTable::builtin()
        .quote(scheme, months, jht_monthly, today)
        .map_err(|p| vec![p.localize("fee", lang)])
}

/// The JHT amounts a worker may choose per month on `today`.
pub fn jht_options(today: NaiveDate) -> Vec<u64> {
    TariffTable::builtin().jht_options(today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nik_check_normalizes_and_flags_a_mismatched_birth_date() {
        let ok = check_nik("3515 1457 0895 0001", None, None, Lang::En);
        assert!(ok.valid);
        assert_eq!(ok.normalized, "3515145708950001");
        let bad = check_nik("3515145708950001", Some("1995-08-18"), None, Lang::En);
        assert!(!bad.valid);
        assert!(bad.normalized.is_empty());
        assert!(bad.issues.iter().any(|i| i.severity == Severity::Error));
        let sex = check_nik("3515145708950001", None, Some("X"), Lang::Id);
        assert!(sex.issues.iter().any(|i| i.code == "sex.invalid"));
        let garbage = check_nik("12", None, None, Lang::Id);
        assert!(!garbage.valid && !garbage.issues.is_empty());
    }

    #[test]
    fn phone_and_passport_checks_normalize_or_explain() {
        let p = check_phone("0812-3456-7890", "id", Lang::Id);
        assert!(p.valid);
        assert_eq!(p.normalized, "+6281234567890");
        let bad = check_passport("??", Lang::Id);
        assert!(!bad.valid);
        assert!(bad
            .issues
            .iter()
            .all(|i| !i.message.is_empty() && i.message != i.code));
    }

    #[test]
    fn fee_quotes_and_refuses_out_of_range_in_the_users_language() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap_or_default();
        let q = fee(Scheme::P3mi, 24, None, today, Lang::Id).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(q.total_due, q.pre_placement + q.placement);
        let refused = fee(Scheme::P3mi, 0, None, today, Lang::En)
            .err()
            .unwrap_or_default();
        assert_eq!(refused.len(), 1);
        assert_ne!(refused[0].message, refused[0].code);
        assert!(!jht_options(today).is_empty());
    }
}
