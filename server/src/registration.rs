//! What the server decides for an accepted registration: the terms read from
//! the payload (scheme, contract dates, JHT), the amount due from the tariff,
//! and the protection windows a payment puts in force.

use chrono::{Months, NaiveDate};
use rantau_core::domain::date::{contract_months, parse_date};
use rantau_core::domain::tariff::{Scheme, TariffTable};
use rantau_core::protocol::wire::{Phase, PhaseWindow};
use rantau_core::{Issue, Lang};

use crate::messages::error_issue;

/// The registration facts the server needs, read from the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    /// `p3mi`, `government` or `individual`.
    pub scheme: String,
    /// Day of departure, when known.
    pub departure_date: Option<NaiveDate>,
    /// First day of the contract.
    pub contract_start: NaiveDate,
    /// Last day of the contract.
    pub contract_end: NaiveDate,
    /// Chosen monthly JHT amount, when the worker opted in.
    pub jht_monthly: Option<u64>,
}

fn text<'a>(payload: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    payload
        .get(key)
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn date(
    payload: &serde_json::Value,
    key: &str,
    lang: Lang,
    issues: &mut Vec<Issue>,
    required: bool,
) -> Option<NaiveDate> {
    let params = [("field", key.to_string())];
    match text(payload, key) {
        None if required => {
            issues.push(error_issue(
                "registration.missing_field",
                key,
                lang,
                &params,
            ));
            None
        }
        None => None,
        Some(s) => match parse_date(s) {
            Ok(d) => Some(d),
            Err(problem) => {
                issues.push(problem.localize(key, lang));
                None
            }
        },
    }
}

/// Reads the terms (the same fields the app's fee estimate reads: `scheme`,
/// `contract_start`, `contract_end`, `departure_date`, `jht_opt_in`,
/// `jht_amount`), or the issues that keep the server from deciding.
pub fn terms(payload: &serde_json::Value, lang: Lang) -> Result<Terms, Vec<Issue>> {
    let mut issues = Vec::new();
    let scheme = match text(payload, "scheme") {
        Some(s) => match Scheme::parse(s) {
            Some(scheme) => Some(scheme_name(scheme)),
            None => {
                issues.push(error_issue(
                    "registration.invalid_scheme",
                    "scheme",
                    lang,
                    &[],
                ));
                None
            }
        },
        None => {
            issues.push(error_issue(
                "registration.missing_field",
                "scheme",
                lang,
                &[("field", "scheme".into())],
            ));
            None
        }
    };
    let contract_start = date(payload, "contract_start", lang, &mut issues, true);
    let contract_end = date(payload, "contract_end", lang, &mut issues, true);
    let departure_date = date(payload, "departure_date", lang, &mut issues, false);
    let jht_monthly = match text(payload, "jht_opt_in") {
        Some("yes") => {
            let amount = payload.get("jht_amount").and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            });
            if amount.is_none() {
                issues.push(error_issue(
                    "registration.invalid_jht",
                    "jht_amount",
                    lang,
                    &[],
                ));
            }
            amount
        }
        _ => None,
    };
    if let (Some(s), Some(e)) = (contract_start, contract_end) {
        if contract_months(s, e).is_none() {
            issues.push(error_issue(
                "registration.contract_order",
                "contract_end",
                lang,
                &[],
            ));
        }
    }
    match (scheme, contract_start, contract_end) {
        (Some(scheme), Some(contract_start), Some(contract_end)) if issues.is_empty() => {
            Ok(Terms {
                scheme,
                departure_date,
                contract_start,
                contract_end,
                jht_monthly,
            })
        }
        _ => Err(issues),
    }
}

/// The lowercase name a scheme has on the wire and in the database.
fn scheme_name(scheme: Scheme) -> String {
    match scheme {
        Scheme::P3mi => "p3mi",
        Scheme::Government => "government",
        Scheme::Individual => "individual",
    }
    .to_string()
}

/// The amount due for these terms on `on`, in rupiah, from the built-in tariff
/// (`TariffTable::quote`; its total includes the first JHT month).
pub fn amount_due(terms: &Terms, on: NaiveDate, lang: Lang) -> Result<u64, Issue> {
    let scheme = Scheme::parse(&terms.scheme)
        .ok_or_else(|| error_issue("registration.invalid_scheme", "scheme", lang, &[]))?;
    let months = contract_months(terms.contract_start, terms.contract_end)
        .ok_or_else(|| error_issue("registration.contract_order", "contract_end", lang, &[]))?;
    TariffTable::builtin()
        .quote(scheme, months, terms.jht_monthly, on)
        .map(|q| q.total_due)
        .map_err(|problem| {
            let path = match problem.code {
                "tariff.months_invalid" => "contract_end",
                "tariff.jht_invalid" => "jht_amount",
                _ => "",
            };
            problem.localize(path, lang)
        })
}

/// True when the scheme pays (and so is covered for) the pre-placement phase.
fn has_pre_placement(terms: &Terms, on: NaiveDate) -> bool {
    match Scheme::parse(&terms.scheme) {
        Some(scheme) => TariffTable::builtin()
            .quote(scheme, 1, None, on)
            .map(|q| q.pre_placement > 0)
            .unwrap_or(scheme != Scheme::Individual),
        None => false,
    }
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
pub fn protection(terms: &Terms, registered_on: NaiveDate) -> Vec<PhaseWindow> {
    let mut out = Vec::new();
    if has_pre_placement(terms, registered_on) {
        if let Some(end) = registered_on
            .checked_add_months(Months::new(5))
            .and_then(|d| d.pred_opt())
        {
            out.push(window(Phase::PrePlacement, registered_on, end));
        }
    }
    let start = terms.departure_date.unwrap_or(terms.contract_start);
    if let Some(end) = terms.contract_end.checked_add_months(Months::new(1)) {
        out.push(window(Phase::Placement, start, end));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn reads_terms_like_the_app_estimate() {
        let p = json!({"scheme": "p3mi", "contract_start": "2026-03-01", "contract_end": "2028-02-29",
                       "departure_date": "05-03-2026", "jht_opt_in": "yes", "jht_amount": "100000"});
        let t = terms(&p, Lang::En).unwrap();
        assert_eq!(t.scheme, "p3mi");
        assert_eq!(t.departure_date, Some(d("2026-03-05")));
        assert_eq!(t.jht_monthly, Some(100_000));
        let no_jht = terms(
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
            terms(&json!({"scheme": "x", "contract_start": "soon"}), Lang::En).unwrap_err();
        let codes: Vec<_> = issues.iter().map(|i| i.code.as_str()).collect();
        assert!(codes.contains(&"registration.invalid_scheme"));
        assert!(codes.contains(&"registration.missing_field"));
        assert_eq!(codes.len(), 3, "{codes:?}");
        let issues = terms(&json!({"scheme": "p3mi", "contract_start": "2026-03-01", "contract_end": "2026-01-01"}), Lang::En).unwrap_err();
        assert_eq!(issues[0].code, "registration.contract_order");
    }

    #[test]
    fn amount_due_comes_from_the_core_tariff() {
        let on = d("2026-01-01");
        let t = Terms {
            scheme: "p3mi".into(),
            departure_date: None,
            contract_start: d("2026-01-01"),
            contract_end: d("2027-12-31"),
            jht_monthly: None,
        };
        assert_eq!(amount_due(&t, on, Lang::Id).unwrap(), 370_000);
        let with_jht = Terms {
            jht_monthly: Some(100_000),
            ..t.clone()
        };
        assert_eq!(amount_due(&with_jht, on, Lang::Id).unwrap(), 470_000);
        let bad_jht = Terms {
            jht_monthly: Some(123),
            ..t.clone()
        };
        assert_eq!(
            amount_due(&bad_jht, on, Lang::En).unwrap_err().path,
            "jht_amount"
        );
        let t36 = Terms {
            scheme: "government".into(),
            contract_end: d("2028-12-31"),
            ..t
        };
        assert_eq!(amount_due(&t36, on, Lang::Id).unwrap(), 37_500 + 494_500);
    }

    #[test]
    fn protection_windows_follow_the_scheme() {
        let t = Terms {
            scheme: "p3mi".into(),
            departure_date: Some(d("2026-04-10")),
            contract_start: d("2026-04-01"),
            contract_end: d("2028-03-31"),
            jht_monthly: None,
        };
        let w = protection(&t, d("2026-01-15"));
        assert_eq!(
            w,
            vec![
                window(Phase::PrePlacement, d("2026-01-15"), d("2026-06-14")),
                window(Phase::Placement, d("2026-04-10"), d("2028-04-30"))
            ]
        );
        let ind = Terms {
            scheme: "individual".into(),
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
