//! Local reminders: the core computes when and what, the app only schedules them
//! (at a morning hour of the phone's own time zone) and the CLI lists them. Two
//! kinds: before the payment deadline of an unpaid registration (a week and a day
//! before), and, for a worker who joined JHT, once a month through the contract.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use super::form::display;
use super::inquiry::PaymentInstructions;
use crate::base::lang::Lang;
use crate::base::messages::render;
use crate::domain::tariff::rupiah;
use crate::forms::RegistrationTerms;

/// Days before the payment deadline a reminder comes.
const BEFORE_DEADLINE: [u64; 2] = [7, 1];

/// Monthly JHT reminders scheduled ahead (the app asks again after a sync).
const JHT_MONTHS_AHEAD: u32 = 12;

/// One reminder to schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Reminder {
    /// Stable id (`pay-<kpj>-7`, `jht-2026-09`): scheduling the same id again
    /// replaces the earlier alarm, so the app can schedule the whole list after
    /// every sync and none comes twice.
    pub id: String,
    /// The day it comes (`YYYY-MM-DD`), in the phone's own calendar.
    pub on: String,
    /// The same day as the worker writes it (`17-08-2026`).
    pub on_text: String,
    /// Notification title.
    pub title: String,
    /// Notification text.
    pub text: String,
}

/// Every reminder from `today` on: before the deadline of `payment` while it is not
/// paid, and monthly for JHT when `terms` (the worker's registration) opted in.
pub fn schedule(
    payment: Option<&PaymentInstructions>,
    terms: Option<&RegistrationTerms>,
    today: NaiveDate,
    lang: Lang,
) -> Vec<Reminder> {
    let mut out = Vec::new();
    if let Some(p) = payment.filter(|p| !p.paid) {
        if let Ok(deadline) = NaiveDate::parse_from_str(&p.pay_before, "%Y-%m-%d") {
            for days in BEFORE_DEADLINE {
                let Some(on) = deadline.checked_sub_days(chrono::Days::new(days)) else {
                    continue;
                };
                if on < today {
                    continue;
                }
                let vars = [
                    ("amount", p.amount_due_text.clone()),
                    ("date", p.pay_before_text.clone()),
                    ("code", p.payment_code.clone()),
                ];
                out.push(Reminder {
                    id: format!("pay-{}-{days}", p.kpj),
                    on: on.to_string(),
                    on_text: display::date(on),
                    title: render("reminder.pay_title", lang, &[]),
                    text: render("reminder.pay", lang, &vars),
                });
            }
        }
    }
    if let Some((t, amount)) = terms.and_then(|t| Some((t, t.jht_monthly?))) {
        // On the contract's day of the month (the last day of a shorter month).
        let day = t.contract_start.day();
        let mut ahead = 0;
        for n in 0.. {
            let Some(month) = t.contract_start.checked_add_months(Months::new(n)) else {
                break;
            };
            if month > t.contract_end || ahead >= JHT_MONTHS_AHEAD {
                break;
            }
            let on = month.with_day(day).unwrap_or(month);
            if on < today {
                continue;
            }
            ahead += 1;
            out.push(Reminder {
                id: format!("jht-{:04}-{:02}", on.year(), on.month()),
                on: on.to_string(),
                on_text: display::date(on),
                title: render("reminder.jht_title", lang, &[]),
                text: render("reminder.jht", lang, &[("amount", rupiah(amount))]),
            });
        }
    }
    out.sort_by(|a, b| a.on.cmp(&b.on).then(a.id.cmp(&b.id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tariff::Scheme;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn payment(pay_before: &str, paid: bool) -> PaymentInstructions {
        PaymentInstructions {
            kpj: "KPJ1".into(),
            payment_code: "8888001".into(),
            amount_due: 370_000,
            amount_due_text: "Rp 370.000".into(),
            pay_before: pay_before.into(),
            pay_before_text: "17 Agt 2026".into(),
            paid,
            channels: Vec::new(),
            fetched_at: 0,
        }
    }

    fn terms(start: &str, end: &str, jht: Option<u64>) -> RegistrationTerms {
        RegistrationTerms {
            scheme: Scheme::P3mi,
            contract_start: d(start),
            contract_end: d(end),
            departure_date: None,
            jht_monthly: jht,
            destination: Some("HK".into()),
        }
    }

    #[test]
    fn a_week_and_a_day_before_an_unpaid_deadline_and_none_once_paid() {
        let p = payment("2026-08-17", false);
        let r = schedule(Some(&p), None, d("2026-08-01"), Lang::Id);
        let days: Vec<_> = r.iter().map(|r| (r.id.as_str(), r.on.as_str())).collect();
        assert_eq!(
            days,
            [("pay-KPJ1-7", "2026-08-10"), ("pay-KPJ1-1", "2026-08-16")]
        );
        assert!(
            r[0].text.contains("Rp 370.000") && r[0].text.contains("8888001"),
            "{}",
            r[0].text
        );
        assert_eq!(r[0].on_text, "10-08-2026");
        // Six days before: only the day-before reminder is still ahead.
        assert_eq!(schedule(Some(&p), None, d("2026-08-11"), Lang::Id).len(), 1);
        assert!(schedule(
            Some(&payment("2026-08-17", true)),
            None,
            d("2026-08-01"),
            Lang::Id
        )
        .is_empty());
        assert!(schedule(
            Some(&payment("bad", false)),
            None,
            d("2026-08-01"),
            Lang::Id
        )
        .is_empty());
    }

    #[test]
    fn jht_comes_monthly_on_the_contracts_day_within_the_contract_and_a_year_ahead() {
        let t = terms("2026-01-31", "2026-06-15", Some(50_000));
        let r = schedule(None, Some(&t), d("2026-03-05"), Lang::En);
        let days: Vec<_> = r.iter().map(|r| r.on.as_str()).collect();
        // The 31st, or the last day of a shorter month; never past the contract.
        assert_eq!(days, ["2026-03-31", "2026-04-30", "2026-05-31"]);
        assert!(r[0].text.contains("Rp 50.000"), "{}", r[0].text);
        assert_eq!(r[1].id, "jht-2026-04");
        let long = terms("2026-01-10", "2028-01-09", Some(50_000));
        assert_eq!(
            schedule(None, Some(&long), d("2026-01-01"), Lang::Id).len(),
            12
        );
        assert!(schedule(
            None,
            Some(&terms("2026-01-10", "2028-01-09", None)),
            d("2026-01-01"),
            Lang::Id
        )
        .is_empty());
    }

    #[test]
    fn both_kinds_come_in_date_order_with_distinct_ids_in_both_languages() {
        let t = terms("2026-08-05", "2028-08-04", Some(100_000));
        let p = payment("2026-08-17", false);
        for lang in [Lang::Id, Lang::En] {
            let r = schedule(Some(&p), Some(&t), d("2026-08-01"), lang);
            assert!(r.windows(2).all(|w| w[0].on <= w[1].on));
            let mut ids: Vec<_> = r.iter().map(|r| &r.id).collect();
            ids.dedup();
            assert_eq!(ids.len(), r.len());
            assert!(r
                .iter()
                .all(|r| !r.title.is_empty() && !r.text.contains('{')));
        }
    }
}
