//! Applying one user input to a draft's answers: parse per kind, store the
//! normalized value (or, when invalid, what was typed), and report that field's
//! issues, cross-field issues it takes part in, and visibility changes.

use serde_json::Value;

use super::answers::{visibility_map, Answers, Scope};
use super::context::Context;
use super::definition::{Field, FormDefinition, Kind};
use super::finding::{localize_all, Finding};
use super::kinds::{check_value, expected, nik_cross_findings, number_value};
use super::path::{item_path, parse_path, Path};
use super::rules::{is_blank, rules_involving};
use super::validate::field_findings;
use crate::{Error, Issue, Problem};

/// A value as the UI sends it.
#[derive(Clone, PartialEq)]
pub enum Input {
    /// Typed text; accepted by every single-value kind and parsed per kind.
    Text(String),
    /// A number (number fields).
    Number(f64),
    /// A tick (consent fields).
    Bool(bool),
    /// Picked values (multi-choice fields).
    List(Vec<String>),
    /// Empties the field (a repeat group: removes all items).
    Clear,
}

impl std::fmt::Debug for Input {
    // Hand-written: typed text is personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Input::Text(s) => write!(f, "Text(<{} chars>)", s.chars().count()),
            Input::Number(_) => f.write_str("Number(..)"),
            Input::Bool(_) => f.write_str("Bool(..)"),
            Input::List(l) => write!(f, "List(<{} items>)", l.len()),
            Input::Clear => f.write_str("Clear"),
        }
    }
}

/// A field instance that was shown and is now hidden, or the reverse.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VisibilityChange {
    /// Field path, e.g. `placement_company` or `heirs[0].nik`.
    pub path: String,
    /// Whether it is now shown.
    pub visible: bool,
}

/// The result of [`set_field`].
#[derive(Clone, PartialEq, serde::Serialize)]
pub struct SetOutcome {
    /// The path that was set.
    pub path: String,
    /// What is stored now (normalized if valid, as typed if not; `null` if empty).
    pub stored: Value,
    /// The field's issues, then every current issue of the paths in `rechecked`.
    pub issues: Vec<Issue>,
    /// Other paths this change can affect (fields cross-checked against it, and where
    /// the form rules it takes part in report): their issues in `issues` are complete
    /// (except `field.required`, reported only by [`super::validate`]); a path listed
    /// without issues has none now.
    pub rechecked: Vec<String>,
    /// Every field whose visibility flipped.
    pub visibility: Vec<VisibilityChange>,
}

impl std::fmt::Debug for SetOutcome {
    // Hand-written: the stored value is personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetOutcome")
            .field("path", &self.path)
            .field("issues", &self.issues)
            .field("visibility", &self.visibility)
            .finish_non_exhaustive()
    }
}

/// Strings longer than this many times the field's maximum are cut: the rest is
/// certainly not an answer, and unbounded input must not reach the store.
const HARD_CAP_FACTOR: usize = 4;
/// The maximum assumed for kinds without `max_length` (identifiers, dates…).
const DEFAULT_MAX: usize = 200;

/// Turns the UI's input into a JSON value, capping over-long text.
fn to_value(
    field: &Field,
    path: &str,
    input: Input,
    found: &mut Vec<(String, Finding)>,
) -> crate::Result<Option<Value>> {
    let wrong = || Error::WrongValueType {
        path: path.to_string(),
        expected: expected(field.kind),
    };
    let v = match (input, field.kind) {
        (_, Kind::Note) => return Err(wrong()),
        (Input::Clear, _) => return Ok(None),
        (Input::Text(s), k) if k.is_stringish() || matches!(k, Kind::Number | Kind::Consent) => {
            let max = if k == Kind::Text {
                field.effective_max_length()
            } else {
                DEFAULT_MAX
            };
            let cap = max.saturating_mul(HARD_CAP_FACTOR);
            let s = match s.char_indices().nth(cap) {
                Some((cut, _)) => {
                    if k != Kind::Text {
                        // Text reports its own length; other kinds learn it here.
                        found.push((
                            path.to_string(),
                            Problem::error("text.too_long")
                                .with("max", max.to_string())
                                .into(),
                        ));
                    }
                    s[..cut].to_string()
                }
                None => s,
            };
            Value::String(s)
        }
        (Input::Number(n), Kind::Number) if n.is_finite() => number_value(n),
        (Input::Number(n), Kind::Number) => Value::String(n.to_string()),
        (Input::Bool(b), Kind::Consent) => Value::Bool(b),
        (Input::List(l), Kind::MultiChoice | Kind::Document) => {
            Value::Array(l.into_iter().map(Value::String).collect())
        }
        _ => return Err(wrong()),
    };
    Ok((!is_blank(Some(&v)) || matches!(v, Value::Bool(_))).then_some(v))
}

/// Sets the field at `path` (`nik`, `heirs[0].name`) from `input`.
///
/// A valid value is stored normalized; an invalid one is stored as typed and its
/// issues returned. `heirs[n].x` with `n` equal to the number of items appends an
/// item. Required-but-empty is not reported here (only by [`super::validate`]).
/// Errors: [`Error::UnknownField`] for an unknown path or an index past the end,
/// [`Error::WrongValueType`] for an input the kind does not take.
pub fn set_field(
    def: &FormDefinition,
    answers: &mut Answers,
    path: &str,
    input: Input,
    ctx: &Context,
) -> crate::Result<SetOutcome> {
    let unknown = || Error::UnknownField(path.to_string());
    let parsed = parse_path(path).ok_or_else(unknown)?;
    let (field, group, key) = match parsed {
        Path::Top(id) => (
            def.field_by_key(id).ok_or_else(unknown)?,
            None,
            id.to_string(),
        ),
        Path::Item {
            group,
            index,
            field,
        } => {
            let g = def
                .field_by_key(group)
                .filter(|g| g.kind == Kind::Repeat)
                .ok_or_else(unknown)?;
            let f = g
                .fields
                .iter()
                .find(|f| f.id == field)
                .ok_or_else(unknown)?;
            let len = answers
                .get(group)
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if index > len {
                return Err(unknown());
            }
            (f, Some((g, index)), format!("{group}.{field}"))
        }
    };
    if field.kind == Kind::Repeat {
        return set_group(def, answers, path, field, input);
    }
    // Most fields show or hide nothing: their autosave skips both visibility maps.
    let before = may_show_or_hide(def, field).then(|| visibility_map(def, answers));
    let mut found = Vec::new();
    let value = to_value(field, path, input, &mut found)?;
    let stored = match &value {
        None => Value::Null,
        Some(v) => {
            let scope = match group {
                None => Scope::top(def, answers),
                Some((g, i)) => Scope::item(def, answers, g, i),
            };
            let checked = check_value(field, &key, &scope, v, ctx).map_err(|expected| {
                Error::WrongValueType {
                    path: path.to_string(),
                    expected,
                }
            })?;
            found.extend(checked.findings.into_iter().map(|f| (path.to_string(), f)));
            checked.normalized.unwrap_or_else(|| v.clone())
        }
    };
    write(answers, field, group, &stored);
    let (updates, mut rechecked) = dependents(def, answers, field, group, ctx);
    for (g, f, v) in updates {
        write(answers, f, g, &v);
    }
    if group.is_none() {
        found.extend(rules_involving(def, answers, &field.id));
        rechecked.extend(
            def.rules
                .iter()
                .filter(|r| r.fields().contains(&field.id.as_str()))
                .map(|r| def.issue_path(r).to_string()),
        );
    }
    rechecked.retain(|p| p != path);
    rechecked.sort();
    rechecked.dedup();
    found.retain(|(p, _)| p == path);
    let mut issues: Vec<Issue> = localize_all(&found, ctx.lang);
    if !rechecked.is_empty() {
        // Other fields this change can affect get their complete current issues, so a
        // screen can replace what it shows for them; rare (a few fields have
        // dependents), so the whole-form check stays off the common autosave path.
        issues.extend(
            super::validate(def, answers, ctx)
                .into_iter()
                .filter(|i| i.code != "field.required" && rechecked.contains(&i.path)),
        );
    }
    Ok(SetOutcome {
        path: path.to_string(),
        stored,
        issues,
        rechecked,
        visibility: before
            .map(|before| diff(&before, &visibility_map(def, answers)))
            .unwrap_or_default(),
    })
}

/// Whether setting `field` can show or hide a field: some condition reads it, or
/// reads a field whose value is rewritten when it changes (see [`dependents`]).
fn may_show_or_hide(def: &FormDefinition, field: &Field) -> bool {
    def.in_a_condition(&field.id)
        || def
            .top_fields()
            .flat_map(|f| std::iter::once(f).chain(&f.fields))
            .any(|f| def.in_a_condition(&f.id) && def.reads(f).contains(&field.id.as_str()))
}

/// Stores `v` (or removes the value when null), creating the item if needed.
fn write(answers: &mut Answers, field: &Field, group: Option<(&Field, usize)>, v: &Value) {
    let target = match group {
        None => answers,
        Some((g, i)) => {
            let items = answers
                .entry(g.id.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            if !items.is_array() {
                *items = Value::Array(Vec::new());
            }
            let Value::Array(items) = items else { return };
            if i == items.len() {
                items.push(Value::Object(Answers::new()));
            }
            let Some(item) = items.get_mut(i) else { return };
            if !item.is_object() {
                *item = Value::Object(Answers::new());
            }
            let Value::Object(item) = item else { return };
            item
        }
    };
    if v.is_null() {
        target.remove(&field.id);
    } else {
        target.insert(field.id.clone(), v.clone());
    }
}

/// A dependent field that became valid, to store normalized: its group and
/// item (if any), the field, the normalized value.
type Update<'d> = (Option<(&'d Field, usize)>, &'d Field, Value);

/// Re-checks fields whose own check reads `changed` (a phone's country field, a
/// NIK's birth date and sex), in the same scope. A phone typed before its
/// country was chosen is stored as typed; once it validates it is normalized too,
/// so the payload never carries a number without its country code.
fn dependents<'d>(
    def: &'d FormDefinition,
    answers: &Answers,
    changed: &Field,
    group: Option<(&Field, usize)>,
    ctx: &Context,
) -> (Vec<Update<'d>>, Vec<String>) {
    let mut paths = Vec::new();
    let mut updates = Vec::new();
    let top = Scope::top(def, answers);
    for field in def.top_fields() {
        if group.is_none() && def.reads(field).contains(&changed.id.as_str()) {
            let (_, update) = recheck(field, &field.id, &top, &field.id, ctx);
            paths.push(field.id.clone());
            updates.extend(update.map(|v| (None, field, v)));
        }
        if field.kind != Kind::Repeat {
            continue;
        }
        let n = answers
            .get(&field.id)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let sibling = field.fields.iter().any(|s| s.id == changed.id);
        for i in 0..n {
            // A sub-field reads a sibling of its own item, or a top-level field.
            let same_item = group.is_some_and(|(g, gi)| g.id == field.id && gi == i);
            let relevant = same_item || (group.is_none() && !sibling);
            let scope = Scope::item(def, answers, field, i);
            for sub in &field.fields {
                if relevant && sub.id != changed.id && def.reads(sub).contains(&changed.id.as_str())
                {
                    let key = format!("{}.{}", field.id, sub.id);
                    let path = item_path(&field.id, i, &sub.id);
                    let (_, update) = recheck(sub, &key, &scope, &path, ctx);
                    paths.push(path);
                    updates.extend(update.map(|v| (Some((field, i)), sub, v)));
                }
            }
        }
    }
    (updates, paths)
}

/// The part of a dependent field's check that the changed field influences: a
/// phone's whole check (its country changed), a NIK's cross-check only (its own
/// format did not change, so its format issues are not repeated). Also returns
/// the normalized value when it differs from what is stored.
fn recheck(
    field: &Field,
    key: &str,
    scope: &Scope<'_>,
    path: &str,
    ctx: &Context,
) -> (Vec<(String, Finding)>, Option<Value>) {
    let Some(v) = scope.raw(&field.id).filter(|v| !is_blank(Some(v))) else {
        return (Vec::new(), None);
    };
    let at = |found: Vec<Finding>| found.into_iter().map(|f| (path.to_string(), f)).collect();
    if field.kind == Kind::Nik {
        let nik = v.as_str().map(|s| super::dom::nik(s.trim()));
        let Some(Ok((nik, _))) = nik else {
            return (Vec::new(), None);
        };
        return (at(nik_cross_findings(field, scope, &nik)), None);
    }
    match check_value(field, key, scope, v, ctx) {
        Ok(c) => {
            let update = c.normalized.filter(|n| n != v);
            (at(c.findings), update)
        }
        Err(_) => (field_findings(field, key, scope, path, ctx), None),
    }
}

/// Visibility flips between two maps (paths present in both).
fn diff(before: &[(String, bool)], after: &[(String, bool)]) -> Vec<VisibilityChange> {
    after
        .iter()
        .filter_map(|(path, now)| {
            let was = before.iter().find(|(p, _)| p == path)?.1;
            (was != *now).then(|| VisibilityChange {
                path: path.clone(),
                visible: *now,
            })
        })
        .collect()
}

/// A repeat group itself takes only `Clear` (remove every item).
fn set_group(
    def: &FormDefinition,
    answers: &mut Answers,
    path: &str,
    field: &Field,
    input: Input,
) -> crate::Result<SetOutcome> {
    if input != Input::Clear {
        return Err(Error::WrongValueType {
            path: path.to_string(),
            expected: expected(Kind::Repeat),
        });
    }
    let before = visibility_map(def, answers);
    answers.remove(&field.id);
    Ok(SetOutcome {
        path: path.to_string(),
        stored: Value::Null,
        issues: Vec::new(),
        rechecked: Vec::new(),
        visibility: diff(&before, &visibility_map(def, answers)),
    })
}

/// Removes item `index` of repeat group `group`; later items move up by one.
pub fn remove_repeat_item(
    def: &FormDefinition,
    answers: &mut Answers,
    group: &str,
    index: usize,
) -> crate::Result<()> {
    let unknown = || Error::UnknownField(format!("{group}[{index}]"));
    def.field_by_key(group)
        .filter(|g| g.kind == Kind::Repeat && !group.contains('.'))
        .ok_or_else(unknown)?;
    let items = answers
        .get_mut(group)
        .and_then(Value::as_array_mut)
        .ok_or_else(unknown)?;
    if index >= items.len() {
        return Err(unknown());
    }
    items.remove(index);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::lang::Lang;
    use crate::forms::builtin_form;
    use crate::forms::samples::{sample_registration, sample_today};
    use proptest::prelude::*;
    use serde_json::json;

    fn reg() -> &'static FormDefinition {
        builtin_form("pmi-registration", Some(1)).unwrap_or_else(|| panic!("missing"))
    }

    fn ctx() -> Context {
        Context {
            today: sample_today(),
            lang: Lang::En,
        }
    }

    fn set(a: &mut Answers, path: &str, input: Input) -> SetOutcome {
        set_field(reg(), a, path, input, &ctx()).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn text(s: &str) -> Input {
        Input::Text(s.to_string())
    }

    fn codes(o: &SetOutcome) -> Vec<(&str, &str)> {
        o.issues
            .iter()
            .map(|i| (i.code.as_str(), i.path.as_str()))
            .collect()
    }

    #[test]
    fn valid_values_are_stored_normalized() {
        let mut a = Answers::new();
        assert_eq!(
            set(&mut a, "phone_id", text("0812-3456 7890")).stored,
            json!("+6281234567890")
        );
        assert_eq!(
            set(&mut a, "passport_number", text(" c1234567 ")).stored,
            json!("C1234567")
        );
        assert_eq!(
            set(&mut a, "birth_date", text("17/08/1995")).stored,
            json!("1995-08-17")
        );
        assert_eq!(
            set(&mut a, "destination_country", text("hk")).stored,
            json!("HK")
        );
        assert_eq!(
            set(&mut a, "destination_country", text("hong kong")).stored,
            json!("HK")
        );
        let o = set(&mut a, "destination_country", text("ID"));
        assert_eq!(
            (o.stored.clone(), codes(&o)),
            (
                json!("ID"),
                vec![("field.country_not_destination", "destination_country")]
            )
        );
        let o = set(&mut a, "destination_country", text("Atlantis"));
        assert_eq!(
            codes(&o),
            [("field.country_unknown", "destination_country")]
        );
        assert_eq!(set(&mut a, "scheme", text("P3MI")).stored, json!("p3mi"));
        assert_eq!(set(&mut a, "jkk_jkm", text("ya")).stored, json!(true));
        assert_eq!(a.get("phone_id"), Some(&json!("+6281234567890")));
    }

    #[test]
    fn invalid_values_are_kept_as_typed_with_issues() {
        let mut a = Answers::new();
        let o = set(&mut a, "nik", text("35151457"));
        assert_eq!(o.stored, json!("35151457"));
        assert_eq!(codes(&o), [("nik.length", "nik")]);
        let o = set(&mut a, "birth_date", text("31-02-1995"));
        assert_eq!(o.stored, json!("31-02-1995"));
        // The NIK is cross-checked against the birth date: its complete issues come too.
        assert_eq!(o.rechecked, ["nik"]);
        assert_eq!(
            codes(&o),
            [("date.invalid", "birth_date"), ("nik.length", "nik")]
        );
        assert_eq!(a.get("birth_date"), Some(&json!("31-02-1995")));
    }

    #[test]
    fn fixing_a_birth_date_clears_the_nik_mismatch_it_caused() {
        let mut a = sample_registration();
        let nik = a.get("nik").cloned().unwrap();
        let o = set(&mut a, "birth_date", text("1960-01-01"));
        assert!(o.rechecked.contains(&"nik".to_string()));
        assert!(
            o.issues.iter().any(|i| i.path == "nik"),
            "the mismatch shows on the NIK: {:?}",
            codes(&o)
        );
        let good = sample_registration().get("birth_date").cloned().unwrap();
        let o = set(&mut a, "birth_date", text(good.as_str().unwrap()));
        assert!(o.rechecked.contains(&"nik".to_string()));
        assert!(o.issues.is_empty(), "{:?}", codes(&o));
        assert_eq!(a.get("nik"), Some(&nik));
    }

    #[test]
    fn empty_text_clears_and_required_is_not_reported_on_set() {
        let mut a = sample_registration();
        let o = set(&mut a, "full_name", text("   "));
        assert_eq!(o.stored, Value::Null);
        assert!(o.issues.is_empty());
        assert!(!a.contains_key("full_name"));
        set(&mut a, "email", Input::Clear);
        assert!(!a.contains_key("email"));
    }

    #[test]
    fn unknown_paths_and_wrong_inputs_are_errors() {
        let mut a = Answers::new();
        let e = set_field(reg(), &mut a, "nickname", text("x"), &ctx());
        assert!(matches!(e, Err(Error::UnknownField(ref p)) if p == "nickname"));
        let e = set_field(reg(), &mut a, "heirs[0].age", text("x"), &ctx());
        assert!(matches!(e, Err(Error::UnknownField(_))));
        let e = set_field(reg(), &mut a, "name", text("x"), &ctx());
        assert!(
            matches!(e, Err(Error::UnknownField(_))),
            "a sub-field is not top-level"
        );
        let e = set_field(
            reg(),
            &mut a,
            "birth_date",
            Input::List(vec!["x".into()]),
            &ctx(),
        );
        assert!(matches!(e, Err(Error::WrongValueType { ref path, .. }) if path == "birth_date"));
        let e = set_field(reg(), &mut a, "full_name", Input::Bool(true), &ctx());
        assert_eq!(e.err().map(|e| e.code()), Some("field.wrong_type"));
        let e = set_field(reg(), &mut a, "programmes_note", text("x"), &ctx());
        assert_eq!(e.err().map(|e| e.code()), Some("field.wrong_type"));
        assert!(a.is_empty());
    }

    #[test]
    fn hidden_paths_start_with_every_conditional_field_and_follow_the_answers() {
        let mut a = Answers::new();
        let def = reg();
        let hidden = crate::forms::hidden_paths(def, &a);
        for path in ["placement_company", "job_other", "jht_amount"] {
            assert!(hidden.iter().any(|p| p == path), "{path} hidden at first");
        }
        assert!(
            !hidden.iter().any(|p| p == "nik"),
            "unconditional fields are shown"
        );
        set(&mut a, "scheme", text("p3mi"));
        let hidden = crate::forms::hidden_paths(def, &a);
        assert!(!hidden.iter().any(|p| p == "placement_company"));
        assert!(hidden.iter().any(|p| p == "jht_amount"));
    }

    #[test]
    fn visibility_flips_are_reported() {
        let mut a = Answers::new();
        let o = set(&mut a, "scheme", text("p3mi"));
        assert_eq!(
            o.visibility,
            vec![VisibilityChange {
                path: "placement_company".into(),
                visible: true
            }]
        );
        let o = set(&mut a, "scheme", text("individual"));
        assert_eq!(
            o.visibility,
            vec![VisibilityChange {
                path: "placement_company".into(),
                visible: false
            }]
        );
        let o = set(&mut a, "scheme", text("government"));
        assert!(o.visibility.is_empty());
        let o = set(&mut a, "jht_opt_in", text("yes"));
        assert_eq!(
            o.visibility,
            vec![VisibilityChange {
                path: "jht_amount".into(),
                visible: true
            }]
        );
    }

    #[test]
    fn repeat_items_are_appended_set_and_removed() {
        let mut a = Answers::new();
        set(&mut a, "heirs[0].name", text("Suminah"));
        set(&mut a, "heirs[1].name", text("Budi"));
        set(&mut a, "heirs[0].relationship", text("parent"));
        let e = set_field(reg(), &mut a, "heirs[3].name", text("x"), &ctx());
        assert!(matches!(e, Err(Error::UnknownField(_))));
        assert_eq!(
            a["heirs"],
            json!([{"name": "Suminah", "relationship": "parent"}, {"name": "Budi"}])
        );
        remove_repeat_item(reg(), &mut a, "heirs", 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a["heirs"], json!([{"name": "Budi"}]));
        assert!(remove_repeat_item(reg(), &mut a, "heirs", 1).is_err());
        assert!(remove_repeat_item(reg(), &mut a, "full_name", 0).is_err());
        let o = set(&mut a, "heirs", Input::Clear);
        assert_eq!(o.stored, Value::Null);
        assert!(!a.contains_key("heirs"));
    }

    #[test]
    fn sibling_cross_check_inside_a_repeat_item() {
        let mut a = Answers::new();
        set(&mut a, "heirs[0].nik", text("3515140508680001"));
        let o = set(&mut a, "heirs[0].birth_date", text("1968-08-06"));
        assert_eq!(codes(&o), [("nik.birth_date_mismatch", "heirs[0].nik")]);
        let o = set(&mut a, "heirs[0].birth_date", text("05-08-1968"));
        assert!(o.issues.is_empty(), "{:?}", o.issues);
    }

    #[test]
    fn setting_a_field_reports_cross_field_issues_it_takes_part_in() {
        let mut a = sample_registration();
        let o = set(&mut a, "birth_date", text("1995-08-18"));
        assert_eq!(codes(&o), [("nik.birth_date_mismatch", "nik")]);
        let o = set(&mut a, "contract_end", text("2025-06-30"));
        assert_eq!(codes(&o), [("contract.end_before_start", "contract_end")]);
        let o = set(&mut a, "contract_end", text("2031-01-01"));
        assert_eq!(
            codes(&o),
            [("passport.expires_before_contract_end", "passport_expiry")]
        );
        let o = set(&mut a, "passport_expiry", text("2031-01-01"));
        assert!(o.issues.is_empty(), "{:?}", o.issues);
    }

    #[test]
    fn phone_abroad_follows_the_destination_country() {
        let mut a = Answers::new();
        let o = set(&mut a, "phone_abroad", text("9123 4567"));
        assert_eq!(codes(&o), [("field.phone_needs_country", "phone_abroad")]);
        let o = set(&mut a, "destination_country", text("HK"));
        assert!(o.issues.is_empty(), "{:?}", o.issues);
        assert_eq!(
            a.get("phone_abroad"),
            Some(&json!("+85291234567")),
            "normalized once valid"
        );
        let o = set(&mut a, "destination_country", text("SG"));
        assert!(
            o.issues.is_empty(),
            "an E.164 number keeps its own country: {:?}",
            o.issues
        );
        assert_eq!(
            set(&mut a, "phone_abroad", text("9123 4567")).stored,
            json!("+6591234567")
        );
        set(&mut a, "destination_country", text("HK"));
        assert_eq!(
            set(&mut a, "phone_abroad", text("9123 4567")).stored,
            json!("+85291234567")
        );
        let o = set(&mut a, "phone_abroad", text("+60 12-345 6789"));
        assert_eq!(o.stored, json!("+60123456789"));
    }

    #[test]
    fn over_long_text_is_capped_and_reported() {
        let mut a = Answers::new();
        let o = set(&mut a, "full_name", Input::Text("a".repeat(1000)));
        assert_eq!(codes(&o), [("text.too_long", "full_name")]);
        assert_eq!(
            o.stored.as_str().map(str::len),
            Some(400),
            "kept up to 4 x max_length"
        );
        let o = set(&mut a, "nik", Input::Text("1".repeat(5000)));
        assert!(codes(&o).contains(&("text.too_long", "nik")));
        assert_eq!(o.stored.as_str().map(str::len), Some(800));
    }

    #[test]
    fn outcome_debug_hides_the_stored_value() {
        let mut a = Answers::new();
        let o = set(&mut a, "full_name", text("Sri Wahyuni"));
        assert!(!format!("{o:?}").contains("Wahyuni"));
        assert!(!format!("{:?}", text("Sri Wahyuni")).contains("Wahyuni"));
    }

    #[test]
    fn data_update_shows_the_fields_of_each_picked_change() {
        let def = builtin_form("data-update", Some(1)).unwrap_or_else(|| panic!("missing"));
        let mut a = Answers::new();
        let list = Input::List(vec!["phone".into(), "EMAIL".into(), "phone".into()]);
        let o = set_field(def, &mut a, "what", list, &ctx()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(o.stored, json!(["phone", "email"]));
        let shown: Vec<&str> = o
            .visibility
            .iter()
            .filter(|v| v.visible)
            .map(|v| v.path.as_str())
            .collect();
        assert_eq!(shown, ["new_phone", "new_email"]);
        set_field(def, &mut a, "kpj", text("12345678901"), &ctx())
            .unwrap_or_else(|e| panic!("{e}"));
        let issues = crate::forms::validate(def, &a, &ctx());
        let found: Vec<(&str, &str)> = issues
            .iter()
            .map(|i| (i.code.as_str(), i.path.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("field.required", "new_phone"),
                ("field.required", "new_email")
            ]
        );
        let o = set_field(
            def,
            &mut a,
            "what",
            Input::List(vec!["moon".into()]),
            &ctx(),
        );
        let o = o.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(o.stored, json!(["moon"]), "kept as typed");
        assert_eq!(
            o.issues.first().map(|i| i.code.as_str()),
            Some("choice.unknown")
        );
    }

    #[test]
    fn consultation_requires_a_phone_only_for_phone_channels() {
        let def = builtin_form("consultation", Some(1)).unwrap_or_else(|| panic!("missing"));
        let mut a = crate::forms::samples::sample_consultation();
        a.remove("contact_phone");
        let paths = |a: &Answers| -> Vec<String> {
            crate::forms::validate(def, a, &ctx())
                .into_iter()
                .map(|i| i.path)
                .collect()
        };
        assert_eq!(paths(&a), ["contact_phone"]);
        let o = set_field(def, &mut a, "contact_channel", text("in_app"), &ctx())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            o.visibility,
            vec![VisibilityChange {
                path: "contact_phone".into(),
                visible: false
            }]
        );
        assert!(paths(&a).is_empty());
        set_field(
            def,
            &mut a,
            "message",
            Input::Text("x".repeat(2001)),
            &ctx(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(paths(&a), ["message"]);
    }

    proptest! {
        #[test]
        fn set_field_never_panics_on_any_text_in_any_field(s in "\\PC{0,60}") {
            let def = reg();
            let mut paths: Vec<String> = Vec::new();
            for f in def.top_fields() {
                match f.kind {
                    Kind::Repeat => paths.extend(f.fields.iter().map(|s| format!("{}[0].{}", f.id, s.id))),
                    Kind::Note | Kind::MultiChoice | Kind::Document => {}
                    _ => paths.push(f.id.clone()),
                }
            }
            for path in &paths {
                let mut a = sample_registration();
                let o = set_field(def, &mut a, path, Input::Text(s.clone()), &ctx());
                prop_assert!(o.is_ok(), "{}", path);
                let mut empty = Answers::new();
                prop_assert!(set_field(def, &mut empty, path, Input::Text(s.clone()), &ctx()).is_ok());
            }
        }

        #[test]
        fn reported_visibility_flips_are_every_flip(
            steps in proptest::collection::vec((0usize..256, 0usize..8, "\\PC{0,12}"), 1..40),
        ) {
            // The autosave skips the visibility maps for fields no `show_if` can see;
            // whatever it skips, it reports exactly the flips a full comparison finds.
            for def in crate::forms::builtin::builtin() {
                let mut paths: Vec<(String, &Field)> = Vec::new();
                for f in def.top_fields() {
                    match f.kind {
                        Kind::Repeat => paths.extend(f.fields.iter().map(|s| (format!("{}[0].{}", f.id, s.id), s))),
                        Kind::Note | Kind::Document => {}
                        _ => paths.push((f.id.clone(), f)),
                    }
                }
                let sample = sample_registration();
                let mut a = Answers::new();
                for (which, how, typed) in &steps {
                    let (path, field) = &paths[which % paths.len()];
                    let choices = def.choices_of(field);
                    let input = match how {
                        0 => Input::Clear,
                        1..=3 if !choices.is_empty() => Input::Text(choices[how % choices.len()].value.clone()),
                        4 | 5 => match sample.get(path.as_str()) {
                            Some(Value::String(v)) => Input::Text(v.clone()),
                            _ => Input::Text(typed.clone()),
                        },
                        _ => Input::Text(typed.clone()),
                    };
                    let before = visibility_map(def, &a);
                    let Ok(o) = set_field(def, &mut a, path, input, &ctx()) else { continue };
                    prop_assert_eq!(&o.visibility, &diff(&before, &visibility_map(def, &a)), "{} {}", def.id, path);
                }
            }
        }

        #[test]
        fn valid_stored_value_is_a_fixed_point(s in "\\PC{0,30}", idx in 0usize..64) {
            // Setting what was stored (when valid) stores the same value again.
            let def = reg();
            let paths: Vec<&str> = def.top_fields().filter(|f| f.kind.is_stringish()).map(|f| f.id.as_str()).collect();
            let path = paths[idx % paths.len()];
            let mut a = sample_registration();
            if let Ok(o) = set_field(def, &mut a, path, Input::Text(s), &ctx()) {
                if let (Value::String(stored), false) = (&o.stored, o.issues.iter().any(|i| i.is_error())) {
                    let again = set_field(def, &mut a, path, Input::Text(stored.clone()), &ctx());
                    prop_assert_eq!(again.map(|o| o.stored).ok(), Some(o.stored.clone()));
                }
            }
        }
    }
}
