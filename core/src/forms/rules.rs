//! Form-level rules across fields (e.g. a passport must not expire before the
//! contract ends). A rule is checked only when all its fields are shown and valid;
//! otherwise the fields' own issues speak.

use serde_json::Value;

use super::answers::{Answers, Scope};
use super::definition::{FormDefinition, Rule, RuleCheck};
use super::dom;
use super::finding::Finding;

/// The finding of `rule` on `answers`, if it fails.
pub(crate) fn check_rule(def: &FormDefinition, rule: &Rule, answers: &Answers) -> Option<Finding> {
    let scope = Scope::top(def, answers);
    let date = |id: &str| {
        let field = def.field_by_key(id)?;
        if !scope.visible(field) {
            return None;
        }
        dom::parse_date(scope.raw(id)?.as_str()?.trim()).ok()
    };
    match &rule.check {
        RuleCheck::DateOrder(d) => {
            let (earlier, later) = (date(&d.earlier)?, date(&d.later)?);
            let fails = earlier > later || (d.strict && earlier == later);
            fails.then(|| Finding::Custom {
                code: rule.code.clone(),
                severity: rule.severity,
                message: rule.message.clone(),
                params: vec![
                    ("earlier", dom::show_date(earlier)),
                    ("later", dom::show_date(later)),
                ],
            })
        }
    }
}

/// Findings of every rule, at their paths.
pub(crate) fn check_rules(def: &FormDefinition, answers: &Answers) -> Vec<(String, Finding)> {
    def.rules
        .iter()
        .filter_map(|r| check_rule(def, r, answers).map(|f| (def.issue_path(r).to_string(), f)))
        .collect()
}

/// Findings of the rules that read top-level field `id`.
pub(crate) fn rules_involving(
    def: &FormDefinition,
    answers: &Answers,
    id: &str,
) -> Vec<(String, Finding)> {
    def.rules
        .iter()
        .filter(|r| r.fields().contains(&id))
        .filter_map(|r| check_rule(def, r, answers).map(|f| (def.issue_path(r).to_string(), f)))
        .collect()
}

/// True when `v` is absent or blank.
pub(crate) fn is_blank(v: Option<&Value>) -> bool {
    !super::condition::is_filled(v)
}
