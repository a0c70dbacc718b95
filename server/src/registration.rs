//! What the server decides for an accepted registration: the terms read from
//! the payload (scheme, contract dates, JHT), the amount due from the tariff,
//! and the protection windows a payment puts in force.

use chrono::{Months, NaiveDate};
use rantau_core::sync::wire::{Phase, PhaseWindow};
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
    /// Chosen monthly JHT amount, if any.
    pub jht_monthly: Option<u64>,
}

/// Finds `key` anywhere in the payload (forms may nest fields in pages or groups).
fn find<'a>(value: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(v) = map.get(key).filter(|v| !v.is_null()) {
                return Some(v);
            }
            map.values().find_map(|v| find(v, key))
        }
        serde_json::Value::Array(items) => items.iter().find_map(|v| find(v, key)),
        _ => None,
    }
}

fn date(payload: &serde_json::Value, key: &str, lang: Lang, issues: &mut Vec<Issue>, required: bool) -> Option<NaiveDate> {
    let params = [("field", key.to_string())];
    match find(payload, key) {
        None if required => {
            issues.push(error_issue("registration.missing_field", key, lang, &params));
            None
        }
        None => None,
        Some(v) => {
            let parsed = v.as_str().and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok());
            if parsed.is_none() {
                issues.push(error_issue("registration.invalid_date", key, lang, &params));
            }
            parsed
        }
    }
}

/// Reads the terms, or the issues that keep the server from deciding.
pub fn terms(payload: &serde_json::Value, lang: Lang) -> Result<Terms, Vec<Issue>> {
    let mut issues = Vec::new();
    let scheme = match find(payload, "scheme").and_then(|v| v.as_str()) {
        Some(s) if matches!(s, "p3mi" | "government" | "individual") => Some(s.to_string()),
        Some(_) => {
            issues.push(error_issue("registration.invalid_scheme", "scheme", lang, &[]));
            None
        }
        None => {
            issues.push(error_issue("registration.missing_field", "scheme", lang, &[("field", "scheme".into())]));
            None
        }
    };
    let contract_start = date(payload, "contract_start", lang, &mut issues, true);
    let contract_end = date(payload, "contract_end", lang, &mut issues, true);
    let departure_date = date(payload, "departure_date", lang, &mut issues, false);
    let jht_monthly = match find(payload, "jht_amount") {
        None => None,
        Some(v) => match v.as_u64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())) {
            Some(0) => None,
            Some(n) => Some(n),
            None => {
                issues.push(error_issue("registration.invalid_jht", "jht_amount", lang, &[]));
                None
            }
        },
    };
    if let (Some(s), Some(e)) = (contract_start, contract_end) {
        if e <= s {
            issues.push(error_issue("registration.contract_order", "contract_end", lang, &[]));
        }
    }
    match (scheme, contract_start, contract_end) {
        (Some(scheme), Some(contract_start), Some(contract_end)) if issues.is_empty() => {
            Ok(Terms { scheme, departure_date, contract_start, contract_end, jht_monthly })
        }
        _ => Err(issues),
    }
}

/// Contract length in months; a started month counts.
pub fn contract_months(start: NaiveDate, end: NaiveDate) -> u32 {
    use chrono::Datelike;
    let mut months = (end.year() - start.year()) * 12 + end.month() as i32 - start.month() as i32;
    if end.day() >= start.day() {
        months += 1;
    }
    months.max(1) as u32
}

/// The amount due for these terms on `on`, in rupiah.
pub fn amount_due(terms: &Terms, on: NaiveDate, lang: Lang) -> Result<u64, Issue> {
    let months = contract_months(terms.contract_start, terms.contract_end);
    let _ = (on, lang);
    // Permenaker 4/2023 Pasal 18, until the core's tariff table is merged.
    let pre = if terms.scheme == "individual" { 0 } else { 37_500 };
    let placement = match months {
        0..=6 => 108_000,
        7..=12 => 189_000,
        13..=24 => 332_500,
        m => 332_500 + u64::from(m - 24) * 13_500,
    };
    Ok(pre + placement + terms.jht_monthly.unwrap_or(0))
}

fn window(phase: Phase, start: NaiveDate, end: NaiveDate) -> PhaseWindow {
    PhaseWindow { phase, start: start.format("%Y-%m-%d").to_string(), end: end.format("%Y-%m-%d").to_string() }
}

/// Protection windows once paid: pre-placement for 5 months from registration
/// (schemes with a placement agency only), and placement from departure (or
/// contract start) until contract end + 1 month.
pub fn protection(terms: &Terms, registered_on: NaiveDate) -> Vec<PhaseWindow> {
    let mut out = Vec::new();
    if terms.scheme != "individual" {
        if let Some(end) = registered_on.checked_add_months(Months::new(5)).and_then(|d| d.pred_opt()) {
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
    fn reads_terms_from_nested_payloads() {
        let p = json!({"job": {"scheme": "p3mi", "contract_start": "2026-03-01", "contract_end": "2028-02-29"},
                       "departure_date": "2026-03-05", "jht_amount": 100000});
        let t = terms(&p, Lang::En).unwrap();
        assert_eq!(t.scheme, "p3mi");
        assert_eq!(t.departure_date, Some(d("2026-03-05")));
        assert_eq!(t.jht_monthly, Some(100_000));
        assert_eq!(contract_months(t.contract_start, t.contract_end), 24);
    }

    #[test]
    fn missing_and_bad_fields_become_issues() {
        let issues = terms(&json!({"scheme": "x", "contract_start": "soon"}), Lang::En).unwrap_err();
        let codes: Vec<_> = issues.iter().map(|i| i.code.as_str()).collect();
        assert!(codes.contains(&"registration.invalid_scheme"));
        assert!(codes.contains(&"registration.invalid_date"));
        assert!(codes.contains(&"registration.missing_field"));
        let issues = terms(&json!({"scheme": "p3mi", "contract_start": "2026-03-01", "contract_end": "2026-01-01"}), Lang::En).unwrap_err();
        assert_eq!(issues[0].code, "registration.contract_order");
    }

    #[test]
    fn tariff_matches_the_worked_figures() {
        let t = Terms { scheme: "p3mi".into(), departure_date: None, contract_start: d("2026-01-01"),
            contract_end: d("2027-12-31"), jht_monthly: None };
        assert_eq!(amount_due(&t, d("2026-01-01"), Lang::Id).unwrap(), 370_000);
        let t36 = Terms { scheme: "government".into(), contract_end: d("2028-12-31"), ..t };
        assert_eq!(amount_due(&t36, d("2026-01-01"), Lang::Id).unwrap(), 37_500 + 494_500);
    }

    #[test]
    fn protection_windows_follow_the_scheme() {
        let t = Terms { scheme: "p3mi".into(), departure_date: Some(d("2026-04-10")), contract_start: d("2026-04-01"),
            contract_end: d("2028-03-31"), jht_monthly: None };
        let w = protection(&t, d("2026-01-15"));
        assert_eq!(w, vec![window(Phase::PrePlacement, d("2026-01-15"), d("2026-06-14")),
            window(Phase::Placement, d("2026-04-10"), d("2028-04-30"))]);
        let ind = Terms { scheme: "individual".into(), departure_date: None, ..t };
        let w = protection(&ind, d("2026-01-15"));
        assert_eq!(w, vec![window(Phase::Placement, d("2026-04-01"), d("2028-04-30"))]);
    }
}
