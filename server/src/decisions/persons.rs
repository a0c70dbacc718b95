//! The person behind a registration: a worker is identified by NIK, not by the
//! phone that sent the form. A person holds memberships, each for one placement
//! window; a registration whose window overlaps one the person already holds
//! (registered here or imported from elsewhere) is refused with
//! [`ALREADY_REGISTERED`], an answer that names no one and shows nothing of the
//! membership it collided with.

use chrono::NaiveDate;
use rantau_core::domain::nik::Nik;
use rantau_core::forms::{FormDefinition, RegistrationTerms, Role};
use rantau_core::protocol::wire::ItemOutcome;
use rantau_core::{Lang, Problem};

/// The code of a registration refused because the person already holds a
/// membership for an overlapping placement.
pub const ALREADY_REGISTERED: &str = "registration.already_registered";

/// Where a membership came from (stored as its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A registration this server accepted.
    Registration,
    /// An officer's import of people registered elsewhere.
    Import,
}

impl Source {
    /// The name stored in the database.
    pub fn name(self) -> &'static str {
        match self {
            Source::Registration => "registration",
            Source::Import => "import",
        }
    }
}

/// A placement window, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First day.
    pub start: NaiveDate,
    /// Last day (not before `start`).
    pub end: NaiveDate,
}

impl Window {
    /// The placement a registration covers: from departure (or contract start)
    /// to contract end. A departure after the contract's end is read as the
    /// one day it starts, so the window is never empty.
    pub fn of_terms(terms: &RegistrationTerms) -> Window {
        let start = terms.placement_starts();
        Window {
            start,
            end: terms.contract_end.max(start),
        }
    }

    /// True when the two windows share at least one day.
    pub fn overlaps(&self, other: &Window) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    /// `YYYY-MM-DD` of the first day, as stored (so text order is date order).
    pub fn start_ymd(&self) -> String {
        ymd(self.start)
    }

    /// `YYYY-MM-DD` of the last day, as stored.
    pub fn end_ymd(&self) -> String {
        ymd(self.end)
    }
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The person a registration is for, decided before storage: their NIK (the 16
/// digits), the window asked for, and the answer the registration gets instead
/// of acceptance if that person already holds an overlapping membership.
#[derive(Debug, Clone)]
pub struct Registrant {
    /// The NIK's 16 digits.
    pub nik: String,
    /// The placement window of the registration.
    pub window: Window,
    /// The refusal ([`already_registered`]), rendered in the request's language.
    pub refusal: ItemOutcome,
    /// The e-mail address the registration gives, if any: kept on the person
    /// when they have none yet, the only address a link code is sent to.
    pub email: Option<String>,
}

/// The e-mail address in a registration payload of form `def`: the first
/// top-level field of kind e-mail, checked with the core's parser.
pub fn payload_email(def: &FormDefinition, payload: &serde_json::Value) -> Option<String> {
    def.pages
        .iter()
        .flat_map(|p| p.fields.iter())
        .find(|f| f.kind == rantau_core::forms::Kind::Email)
        .and_then(|f| payload.get(&f.id)?.as_str())
        .and_then(|s| rantau_core::domain::email::Email::parse(s).ok())
        .map(|e| e.as_str().to_string())
}

/// [`payload_email`] of a stored registration (form id, version, payload text),
/// for the migration that gives existing persons their address.
pub fn stored_email(form_id: &str, version: u32, payload: &str) -> Option<String> {
    let def = rantau_core::forms::builtin_form(form_id, Some(version))?;
    def.field_with_role(Role::Nik)?;
    let payload: serde_json::Value = serde_json::from_str(payload).ok()?;
    payload_email(def, &payload)
}

/// The registrant of an accepted registration of form `def`: `None` when the
/// form declares no [`Role::Nik`] (it registers no person) or the field does
/// not hold a NIK (validation has refused that already).
pub fn registrant(
    def: &FormDefinition,
    payload: &serde_json::Value,
    terms: &RegistrationTerms,
    lang: Lang,
) -> Option<Registrant> {
    let field = def.field_with_role(Role::Nik)?;
    let nik = Nik::parse(payload.get(&field.id)?.as_str()?).ok()?;
    Some(Registrant {
        nik: nik.as_str().to_string(),
        window: Window::of_terms(terms),
        refusal: already_registered(&field.id, lang),
        email: payload_email(def, payload),
    })
}

/// The NIK (16 digits) of a stored registration payload of form `form_id`
/// version `version`, read through its role; for the migration that turns each
/// registration's sender into a person.
pub fn stored_nik(form_id: &str, version: u32, payload: &str) -> Option<String> {
    let def = rantau_core::forms::builtin_form(form_id, Some(version))?;
    let field = def.field_with_role(Role::Nik)?;
    let payload: serde_json::Value = serde_json::from_str(payload).ok()?;
    let nik = Nik::parse(payload.get(&field.id)?.as_str()?).ok()?;
    Some(nik.as_str().to_string())
}

/// The placement window of a registration as stored (`YYYY-MM-DD` texts), as
/// [`Window::of_terms`] reads it from the terms; `None` without contract dates.
pub fn stored_window(
    departure: Option<&str>,
    contract_start: Option<&str>,
    contract_end: Option<&str>,
) -> Option<Window> {
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let start = day(departure.or(contract_start)?)?;
    let end = day(contract_end?)?.max(start);
    Some(Window { start, end })
}

/// The answer to a registration of a person already registered for that
/// placement: a rejection on the NIK field at `path` whose message tells the
/// worker to link this phone ("Saya sudah terdaftar"). Deliberately the same
/// whatever the membership is and wherever it came from: whoever typed the NIK
/// learns that it is registered, nothing else.
pub fn already_registered(path: &str, lang: Lang) -> ItemOutcome {
    ItemOutcome::Rejected {
        issues: vec![Problem::error(ALREADY_REGISTERED).localize(path, lang)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rantau_core::domain::tariff::Scheme;
    use rantau_core::forms::samples::sample_registration;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn w(a: &str, b: &str) -> Window {
        Window {
            start: d(a),
            end: d(b),
        }
    }

    #[test]
    fn windows_overlap_when_they_share_a_day() {
        let a = w("2026-01-01", "2027-12-31");
        assert!(a.overlaps(&w("2027-12-31", "2029-01-01")));
        assert!(a.overlaps(&w("2026-06-01", "2026-07-01")));
        assert!(w("2025-01-01", "2026-01-01").overlaps(&a));
        assert!(!a.overlaps(&w("2028-01-01", "2029-12-31")));
        assert!(!w("2028-01-01", "2029-12-31").overlaps(&a));
        assert!(!a.overlaps(&w("2024-01-01", "2025-12-31")));
    }

    #[test]
    fn the_window_runs_from_departure_or_contract_start_to_contract_end() {
        let mut t = RegistrationTerms {
            scheme: Scheme::P3mi,
            departure_date: None,
            contract_start: d("2026-03-01"),
            contract_end: d("2028-02-29"),
            jht_monthly: None,
            destination: None,
        };
        assert_eq!(Window::of_terms(&t), w("2026-03-01", "2028-02-29"));
        t.departure_date = Some(d("2026-03-05"));
        assert_eq!(Window::of_terms(&t), w("2026-03-05", "2028-02-29"));
        t.departure_date = Some(d("2029-01-01"));
        assert_eq!(Window::of_terms(&t), w("2029-01-01", "2029-01-01"));
        assert_eq!(
            stored_window(None, Some("2026-03-01"), Some("2028-02-29")),
            Some(w("2026-03-01", "2028-02-29"))
        );
        assert_eq!(
            stored_window(Some("2026-03-05"), Some("2026-03-01"), Some("2028-02-29")),
            Some(w("2026-03-05", "2028-02-29"))
        );
        assert_eq!(stored_window(None, Some("2026-03-01"), None), None);
    }

    #[test]
    fn the_registrant_is_read_through_the_nik_role_and_the_refusal_names_no_one() {
        let def = rantau_core::forms::builtin_form("pmi-registration", Some(1)).unwrap();
        let payload = serde_json::Value::Object(sample_registration());
        let terms = crate::decisions::registration::terms(def, &payload, Lang::En)
            .unwrap()
            .unwrap();
        let who = registrant(def, &payload, &terms, Lang::Id).unwrap();
        let field = def.field_with_role(Role::Nik).unwrap();
        let typed = payload[&field.id].as_str().unwrap();
        assert_eq!(who.nik, Nik::parse(typed).unwrap().as_str());
        assert_eq!(who.window, Window::of_terms(&terms));
        let ItemOutcome::Rejected { issues } = &who.refusal else {
            panic!("{:?}", who.refusal)
        };
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].code, ALREADY_REGISTERED);
        assert_eq!(issues[0].path, field.id);
        assert!(issues[0].message.contains("Saya sudah terdaftar"));
        assert!(!issues[0].message.contains(&who.nik));
        let en = already_registered(&field.id, Lang::En);
        let ItemOutcome::Rejected { issues } = en else {
            panic!()
        };
        assert!(issues[0].message.contains("already registered"));
        let stored = crate::decisions::ids::canonical_json(&payload);
        assert_eq!(
            stored_nik("pmi-registration", 1, &stored).as_deref(),
            Some(who.nik.as_str())
        );
        assert_eq!(stored_nik("consultation", 1, &stored), None);
        assert_eq!(stored_nik("pmi-registration", 1, "{}"), None);
        let consultation = rantau_core::forms::builtin_form("consultation", Some(1)).unwrap();
        assert!(registrant(consultation, &payload, &terms, Lang::En).is_none());
    }
}
