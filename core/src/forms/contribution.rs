//! The contribution a registration will owe, estimated offline from its answers
//! with the built-in tariff (the server's payment code has the final figure).

use serde_json::Value;

use super::answers::{Answers, Scope};
use super::context::Context;
use super::definition::FormDefinition;
use super::dom;
use crate::domain::tariff::{FeeQuote, Scheme, TariffTable};

/// The fee quote of a `pmi-registration` draft: from `scheme`, `contract_start`,
/// `contract_end` and (when opted in) `jht_amount`. `None` for other forms and
/// while those answers are missing or invalid.
pub fn contribution(def: &FormDefinition, answers: &Answers, ctx: &Context) -> Option<FeeQuote> {
    if def.id != "pmi-registration" {
        return None;
    }
    let scope = Scope::top(def, answers);
    let text = |id: &str| {
        scope
            .value_for(id, 0)
            .and_then(Value::as_str)
            .map(str::trim)
    };
    let scheme = Scheme::parse(text("scheme")?)?;
    let start = dom::parse_date(text("contract_start")?).ok()?;
    let end = dom::parse_date(text("contract_end")?).ok()?;
    let months = crate::domain::date::contract_months(start, end)?;
    let jht = match text("jht_opt_in") {
        Some("yes") => Some(text("jht_amount")?.parse::<u64>().ok()?),
        _ => None,
    };
    TariffTable::builtin()
        .quote(scheme, months, jht, ctx.today)
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
