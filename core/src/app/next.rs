//! What happens next, once a form is finalized: the steps the worker waits for, in
//! their words, built from the form and its answers. A registration: the KPJ after
//! sending, the payment code and where to pay in the worker's destination country
//! (the payment channels that serve it), and when protection starts (on payment, as
//! the server's decision puts windows in force only with a payment; the phases from
//! the tariff and the terms). A consultation: the reply after sending, and where it
//! appears. Any other form: where its result appears. The payment step carries
//! its channels, so a screen lists them right under it.

use serde::Serialize;

use crate::app::inquiry::{channels_for, PaymentChannel};
use crate::base::messages::render;
use crate::domain::country;
use crate::domain::tariff::rupiah;
use crate::forms::{self, Answers, Context, FormDefinition, RegistrationTerms};

use super::form::display;

/// The consultation form's id: its replies come back as a thread.
pub(crate) const CONSULTATION: &str = "consultation";

/// One thing the worker waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NextStep {
    /// A short heading ("Kode pembayaran").
    pub title: String,
    /// What happens, in the worker's words.
    pub text: String,
    /// Where to pay with the payment code, for a worker in the registration's
    /// destination (the payment step only; empty otherwise).
    pub channels: Vec<PaymentChannel>,
}

/// What happens after a form was finalized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct WhatNext {
    /// The submission it is about.
    pub submission_id: String,
    /// The screen's heading.
    pub title: String,
    /// The steps, in the order they happen.
    pub steps: Vec<NextStep>,
}

/// What happens after submission `submission_id` of `def` with `answers` (its
/// frozen payload) was finalized, worded in `ctx.lang`.
pub fn what_next(
    def: &FormDefinition,
    submission_id: &str,
    answers: &Answers,
    ctx: &Context,
) -> WhatNext {
    let lang = ctx.lang;
    let step = |title: &str, text: String| NextStep {
        title: render(title, lang, &[]),
        text,
        channels: Vec::new(),
    };
    let mut steps = vec![step("next.send_title", render("next.send", lang, &[]))];
    if let Some(terms) = RegistrationTerms::read(def, answers) {
        let terms = terms.ok();
        let destination = terms.as_ref().and_then(|t| t.destination.clone());
        steps.push(step("next.kpj_title", render("next.kpj", lang, &[])));
        let amount = forms::contribution(def, answers, ctx);
        let mut payment = vec![render("next.payment", lang, &[])];
        if let Some(q) = &amount {
            payment.push(render(
                "next.amount",
                lang,
                &[("amount", rupiah(q.total_due))],
            ));
        }
        payment.push(match destination.as_deref().and_then(country::find) {
            Some(c) => render(
                "next.pay_at_in",
                lang,
                &[("country", c.name.get(lang).to_string())],
            ),
            None => render("next.pay_at", lang, &[]),
        });
        steps.push(NextStep {
            channels: channels_for(destination.as_deref(), lang),
            ..step("next.payment_title", payment.join(" "))
        });
        let mut protection = vec![render("next.protection_on_payment", lang, &[])];
        if amount.as_ref().is_some_and(|q| q.pre_placement > 0) {
            protection.push(render("next.protection_pre_placement", lang, &[]));
        }
        if let Some(t) = &terms {
            protection.push(render(
                "next.protection_placement",
                lang,
                &[("date", display::date(t.placement_starts()))],
            ));
        }
        steps.push(step("next.protection_title", protection.join(" ")));
    } else if def.id == CONSULTATION {
        steps.push(step("next.reply_title", render("next.reply", lang, &[])));
    } else {
        steps.push(step("next.result_title", render("next.result", lang, &[])));
    }
    WhatNext {
        submission_id: submission_id.to_string(),
        title: render("next.title", lang, &[]),
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::lang::Lang;
    use crate::forms::{builtin_form, samples};

    fn ctx(lang: Lang) -> Context {
        Context {
            today: samples::sample_today(),
            lang,
        }
    }

    fn registration_to(destination: &str, lang: Lang) -> WhatNext {
        let def = builtin_form("pmi-registration", None).expect("built-in");
        let mut answers = samples::sample_registration();
        answers.insert("destination_country".into(), destination.into());
        what_next(def, "s1", &answers, &ctx(lang))
    }

    fn channels(w: &WhatNext) -> Vec<&PaymentChannel> {
        w.steps.iter().flat_map(|s| &s.channels).collect()
    }

    fn text(w: &WhatNext) -> String {
        w.steps
            .iter()
            .map(|s| format!("{}: {}\n", s.title, s.text))
            .collect()
    }

    #[test]
    fn a_registration_says_kpj_payment_code_where_to_pay_and_when_protection_starts() {
        for lang in [Lang::Id, Lang::En] {
            let w = registration_to("HK", lang);
            assert_eq!(w.submission_id, "s1");
            let all = text(&w);
            assert_eq!(w.steps.len(), 4, "{all}");
            assert!(all.contains("KPJ"), "{all}");
            assert!(all.contains("Hong Kong"), "{all}");
            assert!(all.contains("Rp "), "the amount: {all}");
            // The sample has no departure date: placement starts with the contract.
            assert!(all.contains("01-07-2025"), "{all}");
            assert!(!all.contains("next."), "every text from the catalog: {all}");
            assert!(!channels(&w).is_empty());
        }
        let id = text(&registration_to("HK", Lang::Id));
        assert!(id.contains("setelah iuran dibayar"), "{id}");
    }

    #[test]
    fn hong_kong_shows_hong_kong_channels_not_malaysias() {
        let malaysian = |w: &WhatNext| channels(w).iter().any(|c| c.name.contains("Malaysia"));
        let hk = registration_to("HK", Lang::En);
        assert!(!malaysian(&hk), "{:?}", channels(&hk));
        assert!(!text(&hk).contains("Malaysia"));
        let my = registration_to("MY", Lang::En);
        assert!(malaysian(&my), "{:?}", channels(&my));
        assert!(text(&my).contains("Malaysia"));
    }

    #[test]
    fn a_consultation_says_the_reply_comes_after_sending_and_where() {
        let def = builtin_form("consultation", None).expect("built-in");
        let w = what_next(def, "c1", &samples::sample_consultation(), &ctx(Lang::Id));
        assert!(channels(&w).is_empty());
        let all = text(&w);
        assert!(
            all.contains("Balasan") && all.contains("Konsultasi"),
            "{all}"
        );
        assert!(!all.contains("KPJ"));
        let other = builtin_form("data-update", None).expect("built-in");
        let w = what_next(other, "u1", &Answers::new(), &ctx(Lang::En));
        assert!(text(&w).contains("result"), "{}", text(&w));
    }
}
