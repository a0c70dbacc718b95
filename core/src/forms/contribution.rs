//! The contribution a registration will owe, estimated offline from its answers
//! with the built-in tariff (the server's payment code has the final figure).

use super::answers::Answers;
use super::context::Context;
use super::definition::FormDefinition;
use super::terms::RegistrationTerms;
use crate::domain::tariff::FeeQuote;

/// The fee quote of a registration draft: from the fields with the scheme,
/// contract date and JHT roles ([`RegistrationTerms::read_draft`]). `None` for
/// forms without registration terms and while those answers are missing or invalid.
pub fn contribution(def: &FormDefinition, answers: &Answers, ctx: &Context) -> Option<FeeQuote> {
    RegistrationTerms::read_draft(def, answers)?
        .ok()?
        .quote(ctx.today)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::builtin_form;
    use crate::forms::samples::{sample_registration, sample_today};
    use crate::Lang;
    use serde_json::json;

    fn reg() -> &'static FormDefinition {
        builtin_form("pmi-registration", Some(1)).unwrap_or_else(|| panic!("missing"))
    }

    fn ctx() -> Context {
        Context {
            today: sample_today(),
            lang: Lang::Id,
        }
    }

    #[test]
    fn sample_registration_quotes_the_24_month_p3mi_tariff() {
        let q = contribution(reg(), &sample_registration(), &ctx())
            .unwrap_or_else(|| panic!("no quote"));
        assert_eq!(
            (q.pre_placement, q.placement, q.jht_monthly),
            (37_500, 332_500, 100_000)
        );
    }

    #[test]
    fn individual_scheme_pays_no_pre_placement_and_no_jht_when_opted_out() {
        let mut a = sample_registration();
        a.insert("scheme".into(), json!("individual"));
        a.insert("jht_opt_in".into(), json!("no"));
        let q = contribution(reg(), &a, &ctx()).unwrap_or_else(|| panic!("no quote"));
        assert_eq!(
            (q.pre_placement, q.placement, q.jht_monthly),
            (0, 332_500, 0)
        );
    }

    #[test]
    fn incomplete_answers_or_other_forms_give_no_quote() {
        let mut a = sample_registration();
        a.remove("contract_end");
        assert!(contribution(reg(), &a, &ctx()).is_none());
        let mut a = sample_registration();
        a.insert("contract_start".into(), json!("soon"));
        assert!(contribution(reg(), &a, &ctx()).is_none());
        let cons = builtin_form("consultation", None).unwrap_or_else(|| panic!("missing"));
        assert!(contribution(cons, &sample_registration(), &ctx()).is_none());
    }
}
