//! What the server decides for an accepted registration: the terms read from
//! the payload through the form's roles (`rantau_core::forms::RegistrationTerms`,
//! the same reading as the app's fee estimate), the amount due from the tariff,
//! and the protection windows a payment puts in force.

use chrono::{Months, NaiveDate};
use rantau_core::domain::tariff::{Scheme, TariffTable};
use rantau_core::forms::{Answers, FormDefinition, RegistrationTerms};
use rantau_core::protocol::wire::{Phase, PhaseWindow};
use rantau_core::{Issue, Lang};

/// Reads the terms of a registration payload of form `def`, or the issues that
/// keep the server from deciding (each on the field that holds the role).
/// `None` when `def` declares no registration terms: it is not a registration.
pub fn terms(
    def: &FormDefinition,
    payload: &serde_json::Value,
    lang: Lang,
) -> Option<Result<RegistrationTerms, Vec<Issue>>> {
    // Validation has refused a payload that is not an object; read one as empty.
    let empty = Answers::new();
    let answers = payload.as_object().unwrap_or(&empty);
    let read = RegistrationTerms::read(def, answers)?;
    Some(read.map_err(|errors| errors.iter().map(|e| e.to_issue(def, lang)).collect()))
}

/// The lowercase name a scheme has on the wire and in the database.
pub fn scheme_name(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::P3mi => "p3mi",
        Scheme::Government => "government",
        Scheme::Individual => "individual",
    }
}

/// The amount due for these terms on `on`, in rupiah, from the built-in tariff
/// (`TariffTable::quote`; its total includes the first JHT month). An issue is
/// shown on the field of `def` the problem is about.
pub fn amount_due(
    def: &FormDefinition,
    terms: &RegistrationTerms,
    on: NaiveDate,
    lang: Lang,
) -> Result<u64, Issue> {
    terms
        .quote(on)
        .map(|q| q.total_due)
        .map_err(|e| e.to_issue(def, lang))
}

/// True when the scheme pays (and so is covered for) the pre-placement phase.
fn has_pre_placement(terms: &RegistrationTerms, on: NaiveDate) -> bool {
    TariffTable::builtin()
        .quote(terms.scheme, 1, None, on)
        .map(|q| q.pre_placement > 0)
        .unwrap_or(terms.scheme != Scheme::Individual)
}

fn window(phase: Phase, start: NaiveDate, end: NaiveDate) -> PhaseWindow {
    PhaseWindow {
        phase,
        start: start.format("%Y-%m-%d").to_string(),
        end: end.format("%Y-%m-%d").to_string(),
    }
}

/// Protection windows once paid: pre-placement for 5 months from registration
/// (schemes with a placement agency only), and placement from departure (or
/// contract start) until contract end + 1 month.
pub fn protection(terms: &RegistrationTerms, registered_on: NaiveDate) -> Vec<PhaseWindow> {
    let mut out = Vec::new();
    if has_pre_placement(terms, registered_on) {
        if let Some(end) = registered_on
            .checked_add_months(Months::new(5))
            .and_then(|d| d.pred_opt())
        {
            out.push(window(Phase::PrePlacement, registered_on, end));
        }
    }
    let start = terms.placement_starts();
    if let Some(end) = terms.contract_end.checked_add_months(Months::new(1)) {
        out.push(window(Phase::Placement, start, end));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rantau_core::forms::builtin_form;
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn reg() -> &'static FormDefinition {
        builtin_form(crate::decisions::validation::REGISTRATION, Some(1)).unwrap()
    }

    /// The terms of the built-in registration (which declares them).
    fn reg_terms(p: &serde_json::Value, lang: Lang) -> Result<RegistrationTerms, Vec<Issue>> {
        terms(reg(), p, lang).unwrap()
    }

    #[test]
    fn reads_terms_like_the_app_estimate() {
        let p = json!({"scheme": "p3mi", "contract_start": "2026-03-01", "contract_end": "2028-02-29",
                       "departure_date": "05-03-2026", "jht_opt_in": "yes", "jht_amount": "100000"});
        let t = reg_terms(&p, Lang::En).unwrap();
        assert_eq!(t.scheme, Scheme::P3mi);
        assert_eq!(t.departure_date, Some(d("2026-03-05")));
        assert_eq!(t.jht_monthly, Some(100_000));
        let no_jht = reg_terms(
            &json!({"scheme": "p3mi", "contract_start": "2026-03-01", "contract_end": "2028-02-29",
                                   "jht_opt_in": "no", "jht_amount": "100000"}),
            Lang::En,
        )
        .unwrap();
        assert_eq!(no_jht.jht_monthly, None);
    }

    #[test]
    fn missing_and_bad_fields_become_issues() {
        let issues =
            reg_terms(&json!({"scheme": "x", "contract_start": "soon"}), Lang::En).unwrap_err();
        let codes: Vec<_> = issues.iter().map(|i| i.code.as_str()).collect();
        assert!(codes.contains(&"registration.invalid_scheme"));
        assert!(codes.contains(&"registration.missing_field"));
        assert_eq!(codes.len(), 3, "{codes:?}");
        let issues = reg_terms(&json!({"scheme": "p3mi", "contract_start": "2026-03-01", "contract_end": "2026-01-01"}), Lang::En).unwrap_err();
        assert_eq!(issues[0].code, "registration.contract_order");
        assert_eq!(issues[0].path, "contract_end");
        let consultation =
            builtin_form(crate::decisions::validation::CONSULTATION, Some(1)).unwrap();
        assert!(terms(consultation, &json!({}), Lang::En).is_none());
    }

    #[test]
    fn amount_due_comes_from_the_core_tariff() {
        let on = d("2026-01-01");
        let t = RegistrationTerms {
            scheme: Scheme::P3mi,
            departure_date: None,
            contract_start: d("2026-01-01"),
            contract_end: d("2027-12-31"),
            jht_monthly: None,
            destination: None,
        };
        assert_eq!(amount_due(reg(), &t, on, Lang::Id).unwrap(), 370_000);
        let with_jht = RegistrationTerms {
            jht_monthly: Some(100_000),
            ..t.clone()
        };
        assert_eq!(amount_due(reg(), &with_jht, on, Lang::Id).unwrap(), 470_000);
        let bad_jht = RegistrationTerms {
            jht_monthly: Some(123),
            ..t.clone()
        };
        assert_eq!(
            amount_due(reg(), &bad_jht, on, Lang::En).unwrap_err().path,
            "jht_amount"
        );
        let t36 = RegistrationTerms {
            scheme: Scheme::Government,
            contract_end: d("2028-12-31"),
            ..t
        };
        assert_eq!(
            amount_due(reg(), &t36, on, Lang::Id).unwrap(),
            37_500 + 494_500
        );
    }

    #[test]
    fn protection_windows_follow_the_scheme() {
        let t = RegistrationTerms {
            scheme: Scheme::P3mi,
            departure_date: Some(d("2026-04-10")),
            contract_start: d("2026-04-01"),
            contract_end: d("2028-03-31"),
            jht_monthly: None,
            destination: None,
        };
        let w = protection(&t, d("2026-01-15"));
        assert_eq!(
            w,
            vec![
                window(Phase::PrePlacement, d("2026-01-15"), d("2026-06-14")),
                window(Phase::Placement, d("2026-04-10"), d("2028-04-30"))
            ]
        );
        let ind = RegistrationTerms {
            scheme: Scheme::Individual,
            departure_date: None,
            ..t
        };
        let w = protection(&ind, d("2026-01-15"));
        assert_eq!(
            w,
            vec![window(Phase::Placement, d("2026-04-01"), d("2028-04-30"))]
        );
    }
}
