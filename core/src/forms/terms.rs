//! The terms of a registration, read from any form that declares the
//! registration roles: the one reading behind the app's fee quote and the
//! server's decision (amount due, protection windows).

use chrono::NaiveDate;
use serde_json::Value;

use super::answers::{Answers, Scope};
use super::definition::FormDefinition;
use super::dom;
use super::role::{Role, OPTED_IN};
use crate::base::issue::{Issue, Problem};
use crate::base::lang::Lang;
use crate::domain::date::contract_months;
use crate::domain::tariff::{FeeQuote, Scheme, TariffTable};

/// What a registration commits to: the facts the tariff and the protection
/// windows are computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationTerms {
    /// How the worker is placed.
    pub scheme: Scheme,
    /// First day of the contract.
    pub contract_start: NaiveDate,
    /// Last day of the contract (after `contract_start` in terms that were read).
    pub contract_end: NaiveDate,
    /// Day of departure, when known.
    pub departure_date: Option<NaiveDate>,
    /// Chosen monthly JHT amount, when the worker opted in.
    pub jht_monthly: Option<u64>,
    /// Destination country (ISO alpha-2), when the form has one and it is filled.
    pub destination: Option<String>,
}

/// Why registration terms cannot be read or priced. Each names the [`Role`]
/// whose field the issue belongs on, so the message lands on the right field
/// whatever the form calls it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TermsError {
    /// A field the terms need is empty.
    #[error("the {0} field is empty")]
    Missing(Role),
    /// The scheme is not one the tariff knows.
    #[error("the scheme is not a known placement scheme")]
    InvalidScheme,
    /// A date field does not hold a date; `problem` is the date parser's.
    #[error("the {role} field is not a date ({})", .problem.code)]
    InvalidDate {
        /// The date's role.
        role: Role,
        /// Why it does not parse.
        problem: Problem,
    },
    /// The worker opted in to JHT without a readable amount.
    #[error("the JHT amount is not a whole number of rupiah")]
    InvalidJht,
    /// The contract does not end after it starts.
    #[error("the contract does not end after it starts")]
    ContractOrder,
    /// The tariff refuses these terms (contract too long, JHT amount not offered…).
    #[error("the tariff refuses these terms ({})", .0.code)]
    Tariff(Problem),
}

impl TermsError {
    /// The stable code of the issue this error becomes.
    pub fn code(&self) -> &'static str {
        match self {
            TermsError::Missing(_) => "registration.missing_field",
            TermsError::InvalidScheme => "registration.invalid_scheme",
            TermsError::InvalidDate { problem, .. } | TermsError::Tariff(problem) => problem.code,
            TermsError::InvalidJht => "registration.invalid_jht",
            TermsError::ContractOrder => "registration.contract_order",
        }
    }

    /// The role whose field the issue is shown on (none for a tariff problem
    /// that is about no one field, e.g. no tariff in force).
    pub fn role(&self) -> Option<Role> {
        match self {
            TermsError::Missing(role) | TermsError::InvalidDate { role, .. } => Some(*role),
            TermsError::InvalidScheme => Some(Role::Scheme),
            TermsError::InvalidJht => Some(Role::JhtAmount),
            TermsError::ContractOrder => Some(Role::ContractEnd),
            TermsError::Tariff(p) => match p.code {
                "tariff.months_invalid" => Some(Role::ContractEnd),
                "tariff.jht_invalid" => Some(Role::JhtAmount),
                _ => None,
            },
        }
    }

    /// The issue for the user, on the field of `def` that holds [`TermsError::role`]
    /// (the path is empty when the form has no such field).
    pub fn to_issue(&self, def: &FormDefinition, lang: Lang) -> Issue {
        let path = self
            .role()
            .and_then(|r| def.field_with_role(r))
            .map_or("", |f| f.id.as_str());
        let problem = match self {
            TermsError::InvalidDate { problem, .. } | TermsError::Tariff(problem) => {
                problem.clone()
            }
            TermsError::Missing(_) => Problem::error(self.code()).with("field", path),
            _ => Problem::error(self.code()),
        };
        problem.localize(path, lang)
    }
}

/// How strictly [`RegistrationTerms`] reads: a draft is still being typed, a
/// submission is final.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    Draft,
    Submission,
}

impl RegistrationTerms {
    /// True when `def` declares registration terms (the validator then
    /// guarantees scheme and both contract dates are declared too).
    pub fn declared_by(def: &FormDefinition) -> bool {
        def.field_with_role(Role::Scheme).is_some()
    }

    /// The terms of a submitted registration: `None` when `def` declares no
    /// terms, else the terms or every reason they cannot be read (in form
    /// order: scheme, contract dates, departure date, JHT, contract order).
    pub fn read(def: &FormDefinition, answers: &Answers) -> Option<Result<Self, Vec<TermsError>>> {
        read(def, answers, Reading::Submission)
    }

    /// The terms of a draft, for an estimate while the worker types: like
    /// [`RegistrationTerms::read`], except that a departure date that does not
    /// parse yet is taken as unknown (it moves no fee, so the quote stays).
    pub fn read_draft(
        def: &FormDefinition,
        answers: &Answers,
    ) -> Option<Result<Self, Vec<TermsError>>> {
        read(def, answers, Reading::Draft)
    }

    /// Whole months of the contract (`None` when it does not end after it starts).
    pub fn months(&self) -> Option<u32> {
        contract_months(self.contract_start, self.contract_end)
    }

    /// The first day of placement protection: the day of departure when known,
    /// else the contract's first day (the one rule the server's decision and the
    /// app's "what happens next" both read).
    pub fn placement_starts(&self) -> NaiveDate {
        self.departure_date.unwrap_or(self.contract_start)
    }

    /// The fee for these terms on `on`, from the built-in tariff.
    pub fn quote(&self, on: NaiveDate) -> Result<FeeQuote, TermsError> {
        let months = self.months().ok_or(TermsError::ContractOrder)?;
        TariffTable::builtin()
            .quote(self.scheme, months, self.jht_monthly, on)
            .map_err(TermsError::Tariff)
    }
}

fn read(
    def: &FormDefinition,
    answers: &Answers,
    how: Reading,
) -> Option<Result<RegistrationTerms, Vec<TermsError>>> {
    if !RegistrationTerms::declared_by(def) {
        return None;
    }
    // Read the way conditions see answers: a hidden field counts as empty.
    let scope = Scope::top(def, answers);
    let value = |role: Role| {
        def.field_with_role(role)
            .and_then(|f| scope.value_for(&f.id, 0))
    };
    let text = |role: Role| {
        value(role)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let mut errors = Vec::new();
    let date = |role: Role, required: bool, errors: &mut Vec<TermsError>| match text(role) {
        None if required => {
            errors.push(TermsError::Missing(role));
            None
        }
        None => None,
        Some(s) => match dom::parse_date(s) {
            Ok(d) => Some(d),
            Err(_) if how == Reading::Draft && !required => None,
            Err(problem) => {
                errors.push(TermsError::InvalidDate { role, problem });
                None
            }
        },
    };
    let scheme = match text(Role::Scheme) {
        Some(s) => Scheme::parse(s).or_else(|| {
            errors.push(TermsError::InvalidScheme);
            None
        }),
        None => {
            errors.push(TermsError::Missing(Role::Scheme));
            None
        }
    };
    let start = date(Role::ContractStart, true, &mut errors);
    let end = date(Role::ContractEnd, true, &mut errors);
    let departure_date = date(Role::DepartureDate, false, &mut errors);
    let jht_monthly = match text(Role::JhtOptIn) {
        Some(OPTED_IN) => {
            // A choice stores the amount as text; a number field as a number.
            let amount = value(Role::JhtAmount).and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            });
            if amount.is_none() {
                errors.push(TermsError::InvalidJht);
            }
            amount
        }
        _ => None,
    };
    if let (Some(s), Some(e)) = (start, end) {
        if contract_months(s, e).is_none() {
            errors.push(TermsError::ContractOrder);
        }
    }
    // Informational: validation has checked it; an unknown code reads as absent.
    let destination = text(Role::Destination)
        .and_then(dom::find_country)
        .map(|(code, _)| code.to_string());
    Some(match (scheme, start, end) {
        (Some(scheme), Some(contract_start), Some(contract_end)) if errors.is_empty() => {
            Ok(RegistrationTerms {
                scheme,
                contract_start,
                contract_end,
                departure_date,
                jht_monthly,
                destination,
            })
        }
        _ => Err(errors),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::builtin_form;
    use crate::forms::samples::{sample_registration, sample_today};
    use proptest::prelude::*;
    use serde_json::json;

    fn reg() -> &'static FormDefinition {
        builtin_form("pmi-registration", Some(1)).unwrap_or_else(|| panic!("missing"))
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn read_ok(a: &Answers) -> RegistrationTerms {
        match RegistrationTerms::read(reg(), a) {
            Some(Ok(t)) => t,
            other => panic!("{other:?}"),
        }
    }

    fn errors(a: &Answers) -> Vec<TermsError> {
        match RegistrationTerms::read(reg(), a) {
            Some(Err(e)) => e,
            other => panic!("{other:?}"),
        }
    }

    /// A registration with only the terms, as `json!` keyed by field id.
    fn answers(v: serde_json::Value) -> Answers {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn the_sample_registration_reads_through_its_roles() {
        let t = read_ok(&sample_registration());
        assert_eq!(t.scheme, Scheme::P3mi);
        assert_eq!(
            (t.contract_start, t.contract_end),
            (d("2025-07-01"), d("2027-06-30"))
        );
        assert_eq!(t.departure_date, None);
        assert_eq!(t.jht_monthly, Some(100_000));
        assert_eq!(t.destination.as_deref(), Some("HK"));
        assert_eq!(t.months(), Some(24));
    }

    #[test]
    fn forms_without_terms_read_as_none() {
        for id in ["consultation", "data-update"] {
            let def = builtin_form(id, None).unwrap_or_else(|| panic!("{id}"));
            assert!(!RegistrationTerms::declared_by(def));
            assert!(RegistrationTerms::read(def, &sample_registration()).is_none());
        }
        assert!(RegistrationTerms::declared_by(reg()));
    }

    #[test]
    fn jht_counts_only_when_opted_in_and_takes_numbers_or_text() {
        let base =
            json!({"scheme": "p3mi", "contract_start": "2026-03-01", "contract_end": "2028-02-29"});
        let mut a = answers(base.clone());
        a.insert("jht_opt_in".into(), json!("no"));
        a.insert("jht_amount".into(), json!("100000"));
        assert_eq!(read_ok(&a).jht_monthly, None);
        a.insert("jht_opt_in".into(), json!("yes"));
        a.insert("jht_amount".into(), json!(200_000));
        assert_eq!(read_ok(&a).jht_monthly, Some(200_000));
        a.insert("jht_amount".into(), json!("lots"));
        assert_eq!(errors(&a), vec![TermsError::InvalidJht]);
    }

    #[test]
    fn every_problem_is_reported_in_form_order() {
        let a = answers(
            json!({"scheme": "x", "contract_start": "soon", "departure_date": "later",
                               "jht_opt_in": "yes"}),
        );
        let e = errors(&a);
        let codes: Vec<_> = e.iter().map(TermsError::code).collect();
        assert_eq!(
            codes,
            [
                "registration.invalid_scheme",
                "date.invalid",
                "registration.missing_field",
                "date.invalid",
                "registration.invalid_jht"
            ]
        );
        let roles: Vec<_> = e.iter().filter_map(TermsError::role).collect();
        assert_eq!(
            roles,
            [
                Role::Scheme,
                Role::ContractStart,
                Role::ContractEnd,
                Role::DepartureDate,
                Role::JhtAmount
            ]
        );
        let late = answers(
            json!({"scheme": "p3mi", "contract_start": "2026-03-01", "contract_end": "2026-01-01"}),
        );
        assert_eq!(errors(&late), vec![TermsError::ContractOrder]);
    }

    #[test]
    fn a_draft_keeps_its_terms_while_the_departure_date_is_half_typed() {
        let mut a = sample_registration();
        a.insert("departure_date".into(), json!("05-07-20"));
        assert!(matches!(RegistrationTerms::read(reg(), &a), Some(Err(_))));
        let draft = RegistrationTerms::read_draft(reg(), &a);
        assert!(
            matches!(&draft, Some(Ok(t)) if t.departure_date.is_none()),
            "{draft:?}"
        );
        a.insert("departure_date".into(), json!("05-07-2025"));
        assert_eq!(read_ok(&a).departure_date, Some(d("2025-07-05")));
    }

    #[test]
    fn issues_land_on_the_field_that_holds_the_role() {
        let missing = TermsError::Missing(Role::ContractEnd).to_issue(reg(), Lang::En);
        assert_eq!(missing.path, "contract_end");
        assert!(missing.message.contains("contract_end"), "{missing:?}");
        assert!(missing.is_error());
        let tariff = TermsError::Tariff(Problem::error("tariff.jht_invalid").with("options", "x"));
        assert_eq!(tariff.to_issue(reg(), Lang::Id).path, "jht_amount");
        let cons = builtin_form("consultation", None).unwrap_or_else(|| panic!("missing"));
        assert_eq!(TermsError::ContractOrder.to_issue(cons, Lang::En).path, "");
    }

    #[test]
    fn quote_uses_the_built_in_tariff() {
        let t = read_ok(&sample_registration());
        let q = t.quote(sample_today()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (q.pre_placement, q.placement, q.jht_monthly),
            (37_500, 332_500, 100_000)
        );
        let backwards = RegistrationTerms {
            contract_end: t.contract_start,
            ..t.clone()
        };
        assert_eq!(
            backwards.quote(sample_today()),
            Err(TermsError::ContractOrder)
        );
        let odd_jht = RegistrationTerms {
            jht_monthly: Some(123),
            ..t
        };
        let e = odd_jht.quote(sample_today()).err();
        assert_eq!(e.as_ref().map(TermsError::code), Some("tariff.jht_invalid"));
        assert_eq!(e.and_then(|e| e.role()), Some(Role::JhtAmount));
    }

    proptest! {
        /// Whatever is typed into the terms' fields, reading never panics, and it
        /// succeeds exactly when it reports nothing.
        #[test]
        fn reading_arbitrary_answers_never_panics(
            scheme in prop_oneof![Just("p3mi".to_string()), ".{0,12}"],
            start in "[0-9/-]{0,12}",
            end in "[0-9/-]{0,12}",
            opt in prop_oneof![Just("yes".to_string()), Just("no".to_string()), ".{0,4}"],
            amount in prop_oneof![Just(json!("100000")), any::<i64>().prop_map(|n| json!(n)), ".{0,8}".prop_map(|s| json!(s))],
        ) {
            let a = answers(json!({"scheme": scheme, "contract_start": start, "contract_end": end,
                                   "jht_opt_in": opt, "jht_amount": amount}));
            for how in [Reading::Draft, Reading::Submission] {
                match read(reg(), &a, how) {
                    Some(Ok(t)) => prop_assert!(t.months().is_some()),
                    Some(Err(e)) => prop_assert!(!e.is_empty()),
                    None => prop_assert!(false, "the registration declares terms"),
                }
            }
        }
    }
}
