//! Structural checks run on every definition as it is deserialized: ids,
//! translations, options that fit each kind, references and condition cycles.
//! Each failure is a message naming the offending page, field or rule.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::choice_match;
use super::definition::{
    Choice, Choices, DefinitionDoc, Field, FormDefinition, Index, Kind, PhoneCountry, RuleCheck,
    FORMAT_VERSION,
};
use super::role::{Role, OPTED_IN};
use crate::base::lang::Localized;

/// Longest pattern source accepted, and the compiled size limit: definitions may
/// come from the server and must not make the phone build a huge automaton.
const MAX_PATTERN_LEN: usize = 500;
const PATTERN_SIZE_LIMIT: usize = 1 << 20;
/// Highest `max_length` a definition may set.
const MAX_MAX_LENGTH: u32 = 100_000;

impl TryFrom<DefinitionDoc> for FormDefinition {
    type Error = String;

    fn try_from(doc: DefinitionDoc) -> Result<Self, String> {
        let mut def = FormDefinition {
            format: doc.format,
            id: doc.id,
            version: doc.version,
            title: doc.title,
            description: doc.description,
            choice_lists: doc.choice_lists,
            pages: doc.pages,
            rules: doc.rules,
            index: Index::default(),
        };
        def.index = check(&def)?;
        Ok(def)
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn text(t: &Localized, what: &str) -> Result<(), String> {
    if t.id.trim().is_empty() {
        return Err(format!("{what}: missing Indonesian text (\"id\")"));
    }
    if t.en.trim().is_empty() {
        return Err(format!("{what}: missing English text (\"en\")"));
    }
    Ok(())
}

fn choice_list(list: &[Choice], what: &str) -> Result<(), String> {
    if list.is_empty() {
        return Err(format!("{what}: a choice list needs at least one choice"));
    }
    let mut seen = HashSet::new();
    for c in list {
        if c.value.trim().is_empty() || c.value.len() > 200 {
            return Err(format!(
                "{what}: a choice value must be 1 to 200 characters"
            ));
        }
        if !seen.insert(c.value.to_ascii_lowercase()) {
            return Err(format!("{what}: duplicate choice value \"{}\"", c.value));
        }
        text(&c.label, &format!("{what}, choice \"{}\"", c.value))?;
    }
    // What is typed selects a choice by key (value, labels, aliases): a key shared by
    // two choices would make the answer depend on the list's order.
    let mut owner: HashMap<String, &str> = HashMap::new();
    for c in list {
        for s in choice_match::spellings(c) {
            let k = choice_match::key(s);
            if k.is_empty() {
                if c.aliases.iter().any(|a| a == s) {
                    return Err(format!(
                        "{what}, choice \"{}\": alias \"{s}\" has no letter or digit",
                        c.value
                    ));
                }
                continue;
            }
            match owner.insert(k, &c.value) {
                Some(other) if other != c.value => {
                    return Err(format!(
                        "{what}: \"{s}\" would select both \"{other}\" and \"{}\"",
                        c.value
                    ));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Checks the whole definition and builds its index.
pub(crate) fn check(def: &FormDefinition) -> Result<Index, String> {
    if def.format != FORMAT_VERSION {
        return Err(format!(
            "unsupported format {} (this version reads {FORMAT_VERSION})",
            def.format
        ));
    }
    if !is_id(&def.id) {
        return Err(format!(
            "form id \"{}\" must be 1 to 64 letters, digits, '-' or '_'",
            def.id
        ));
    }
    if def.version == 0 {
        return Err("version must be 1 or more".to_string());
    }
    text(&def.title, "form title")?;
    if let Some(d) = &def.description {
        text(d, "form description")?;
    }
    for (name, list) in &def.choice_lists {
        if !is_id(name) {
            return Err(format!("choice list name \"{name}\" is not a valid id"));
        }
        choice_list(list, &format!("choice list \"{name}\""))?;
    }
    if def.pages.is_empty() {
        return Err("a form needs at least one page".to_string());
    }
    let mut index = Index::default();
    let mut page_ids = HashSet::new();
    for (p, page) in def.pages.iter().enumerate() {
        if !is_id(&page.id) || !page_ids.insert(page.id.as_str()) {
            return Err(format!("page id \"{}\" is invalid or duplicate", page.id));
        }
        text(&page.title, &format!("page \"{}\" title", page.id))?;
        for (f, field) in page.fields.iter().enumerate() {
            if index
                .fields
                .insert(field.id.clone(), (p, f, None))
                .is_some()
            {
                return Err(format!("duplicate field id \"{}\"", field.id));
            }
            check_field(def, field, None, &mut index)?;
            let conditions = field
                .fields
                .iter()
                .chain([field])
                .flat_map(|f| f.show_if.iter().chain(&f.required_if));
            index
                .in_conditions
                .extend(conditions.flat_map(|c| c.fields()).map(str::to_string));
            let mut sub_ids = HashSet::new();
            for (s, sub) in field.fields.iter().enumerate() {
                if !sub_ids.insert(sub.id.as_str()) {
                    return Err(format!(
                        "duplicate field id \"{}\" in group \"{}\"",
                        sub.id, field.id
                    ));
                }
                index
                    .fields
                    .insert(format!("{}.{}", field.id, sub.id), (p, f, Some(s)));
                check_field(def, sub, Some(field), &mut index)?;
            }
        }
    }
    check_references(def, &index)?;
    check_roles(def, &index)?;
    check_rules(def, &index)?;
    check_cycles(def)?;
    Ok(index)
}

fn check_field(
    def: &FormDefinition,
    f: &Field,
    group: Option<&Field>,
    index: &mut Index,
) -> Result<(), String> {
    let key = match group {
        Some(g) => format!("{}.{}", g.id, f.id),
        None => f.id.clone(),
    };
    let at = format!("field \"{key}\"");
    if !is_id(&f.id) {
        return Err(format!(
            "{at}: an id is 1 to 64 letters, digits, '-' or '_'"
        ));
    }
    text(&f.label, &format!("{at} label"))?;
    if let Some(h) = &f.help {
        text(h, &format!("{at} help"))?;
    }
    let k = f.kind;
    let only = |set: bool, kinds: &[Kind], option: &str| -> Result<(), String> {
        if set && !kinds.contains(&k) {
            return Err(format!(
                "{at}: option \"{option}\" does not apply to kind {k:?}"
            ));
        }
        Ok(())
    };
    only(f.multiline, &[Kind::Text], "multiline")?;
    only(f.min_length.is_some(), &[Kind::Text], "min_length")?;
    only(f.max_length.is_some(), &[Kind::Text], "max_length")?;
    only(f.pattern.is_some(), &[Kind::Text], "pattern")?;
    only(
        f.pattern_message.is_some(),
        &[Kind::Text],
        "pattern_message",
    )?;
    only(f.min.is_some(), &[Kind::Number], "min")?;
    only(f.max.is_some(), &[Kind::Number], "max")?;
    only(f.integer, &[Kind::Number], "integer")?;
    only(f.min_age.is_some(), &[Kind::Date], "min_age")?;
    only(f.max_age.is_some(), &[Kind::Date], "max_age")?;
    only(f.not_in_future, &[Kind::Date], "not_in_future")?;
    only(
        f.choices.is_some(),
        &[Kind::SingleChoice, Kind::MultiChoice],
        "choices",
    )?;
    only(
        f.min_items.is_some(),
        &[Kind::MultiChoice, Kind::Repeat],
        "min_items",
    )?;
    only(
        f.max_items.is_some(),
        &[Kind::MultiChoice, Kind::Repeat],
        "max_items",
    )?;
    only(!f.fields.is_empty(), &[Kind::Repeat], "fields")?;
    only(f.item_label.is_some(), &[Kind::Repeat], "item_label")?;
    only(f.keyboard.is_some(), &[Kind::Text], "keyboard")?;
    only(f.phone_country.is_some(), &[Kind::Phone], "phone_country")?;
    only(
        f.foreign_numbers.is_some(),
        &[Kind::Phone],
        "foreign_numbers",
    )?;
    if f.foreign_numbers.is_some() && !matches!(f.phone_country, Some(PhoneCountry::Fixed(_))) {
        return Err(format!(
            "{at}: foreign_numbers needs a fixed phone_country (numbers of other countries are refused)"
        ));
    }
    only(f.destinations_only, &[Kind::Country], "destinations_only")?;
    only(f.nik_check.is_some(), &[Kind::Nik], "nik_check")?;
    only(f.document.is_some(), &[Kind::Document], "document")?;
    only(f.min_pages.is_some(), &[Kind::Document], "min_pages")?;
    only(f.max_pages.is_some(), &[Kind::Document], "max_pages")?;
    if let Some(role) = f.role {
        // Roles are read from the top level of the answers, as the server's payload has them.
        if let Some(g) = group {
            return Err(format!(
                "{at}: role \"{role}\" is declared inside repeat group \"{}\"; a role names a top-level field",
                g.id
            ));
        }
        if !role.kinds().contains(&k) {
            let kinds: Vec<String> = role.kinds().iter().map(|k| format!("{k:?}")).collect();
            return Err(format!(
                "{at}: role \"{role}\" needs a field of kind {}, not {k:?}",
                kinds.join(" or ")
            ));
        }
        if let Some(other) = index.roles.insert(role, key.clone()) {
            return Err(format!(
                "{at}: duplicate role \"{role}\" (field \"{other}\" declares it already)"
            ));
        }
    }
    if k == Kind::Document && f.document.is_none() {
        return Err(format!("{at}: a document field names its document"));
    }
    if let (Some(a), Some(b)) = (f.min_pages, f.max_pages) {
        if a > b {
            return Err(format!("{at}: min_pages is above max_pages"));
        }
    }
    if k == Kind::Note && (f.required || f.required_if.is_some()) {
        return Err(format!(
            "{at}: a note holds no value and cannot be required"
        ));
    }
    if let (Some(a), Some(b)) = (f.min_length, f.max_length) {
        if a > b {
            return Err(format!("{at}: min_length is above max_length"));
        }
    }
    if f.max_length.is_some_and(|m| m == 0 || m > MAX_MAX_LENGTH) {
        return Err(format!("{at}: max_length must be 1 to {MAX_MAX_LENGTH}"));
    }
    for v in [f.min, f.max].into_iter().flatten() {
        if !v.is_finite() {
            return Err(format!("{at}: min and max must be finite numbers"));
        }
    }
    if let (Some(a), Some(b)) = (f.min, f.max) {
        if a > b {
            return Err(format!("{at}: min is above max"));
        }
    }
    if let (Some(a), Some(b)) = (f.min_age, f.max_age) {
        if a > b {
            return Err(format!("{at}: min_age is above max_age"));
        }
    }
    if let (Some(a), Some(b)) = (f.min_items, f.max_items) {
        if a > b {
            return Err(format!("{at}: min_items is above max_items"));
        }
    }
    if let Some(p) = &f.pattern {
        if p.len() > MAX_PATTERN_LEN {
            return Err(format!(
                "{at}: pattern longer than {MAX_PATTERN_LEN} characters"
            ));
        }
        let re = regex_lite::RegexBuilder::new(&format!("^(?:{p})$"))
            .size_limit(PATTERN_SIZE_LIMIT)
            .build()
            .map_err(|e| format!("{at}: invalid pattern: {e}"))?;
        index.patterns.insert(key.clone(), re);
    }
    if let Some(m) = &f.pattern_message {
        text(m, &format!("{at} pattern_message"))?;
    }
    match (&f.choices, k) {
        (None, Kind::SingleChoice | Kind::MultiChoice) => {
            return Err(format!("{at}: a choice field needs \"choices\""));
        }
        (Some(Choices::Named(name)), _) if !def.choice_lists.contains_key(name) => {
            return Err(format!("{at}: no choice list named \"{name}\""));
        }
        (Some(Choices::Inline(list)), _) => choice_list(list, &at)?,
        _ => {}
    }
    if k == Kind::Repeat {
        if group.is_some() {
            return Err(format!("{at}: a repeat group cannot be inside another"));
        }
        if f.fields.is_empty() {
            return Err(format!("{at}: a repeat group needs \"fields\""));
        }
    }
    if let Some(l) = &f.item_label {
        text(l, &format!("{at} item_label"))?;
    }
    if let Some(PhoneCountry::Fixed(c)) = &f.phone_country {
        // A code, not a name: the phone parser takes the code as written.
        if !super::dom::is_country_code(c) {
            return Err(format!("{at}: unknown phone country \"{c}\""));
        }
    }
    Ok(())
}

/// A field id as seen from `group` (a sibling first), with its kind.
fn lookup(
    def: &FormDefinition,
    index: &Index,
    group: Option<&Field>,
    id: &str,
) -> Option<(String, Kind)> {
    if let Some(g) = group {
        if let Some(s) = g.fields.iter().find(|s| s.id == id) {
            return Some((format!("{}.{}", g.id, s.id), s.kind));
        }
    }
    let (_, _, sub) = index.fields.get(id)?;
    if sub.is_some() {
        return None;
    }
    def.field_by_key_in(index, id)
        .map(|f| (id.to_string(), f.kind))
}

impl FormDefinition {
    /// `field_by_key` during the checks, before the index is stored.
    fn field_by_key_in(&self, index: &Index, key: &str) -> Option<&Field> {
        let (p, f, sub) = *index.fields.get(key)?;
        let field = self.pages.get(p)?.fields.get(f)?;
        match sub {
            None => Some(field),
            Some(s) => field.fields.get(s),
        }
    }
}

fn check_references(def: &FormDefinition, index: &Index) -> Result<(), String> {
    for field in def.top_fields() {
        let scopes =
            std::iter::once((field, None)).chain(field.fields.iter().map(|s| (s, Some(field))));
        for (f, group) in scopes {
            let at = match group {
                Some(g) => format!("field \"{}.{}\"", g.id, f.id),
                None => format!("field \"{}\"", f.id),
            };
            for (name, cond) in [("show_if", &f.show_if), ("required_if", &f.required_if)] {
                for id in cond.iter().flat_map(|c| c.fields()) {
                    if lookup(def, index, group, id).is_none() {
                        return Err(format!("{at}: {name} names unknown field \"{id}\""));
                    }
                }
            }
            if let Some(PhoneCountry::Field(c)) = &f.phone_country {
                match lookup(def, index, group, c) {
                    Some((_, Kind::Country)) => {}
                    _ => {
                        return Err(format!(
                            "{at}: phone_country names \"{c}\", which is not a country field"
                        ))
                    }
                }
            }
            if let Some(other) = &f.foreign_numbers {
                // A top-level phone field other than this one: the message names its label.
                let ok = group.is_none()
                    && other != &f.id
                    && matches!(index.fields.get(other.as_str()), Some((_, _, None)))
                    && def
                        .field_by_key_in(index, other)
                        .is_some_and(|o| o.kind == Kind::Phone);
                if !ok {
                    return Err(format!(
                        "{at}: foreign_numbers names \"{other}\", which is not another top-level phone field"
                    ));
                }
            }
            if let Some(n) = &f.nik_check {
                if let Some(b) = &n.birth_date {
                    if !matches!(lookup(def, index, group, b), Some((_, Kind::Date))) {
                        return Err(format!(
                            "{at}: nik_check.birth_date \"{b}\" is not a date field"
                        ));
                    }
                }
                if let Some(s) = &n.sex {
                    if !matches!(lookup(def, index, group, s), Some((_, Kind::SingleChoice))) {
                        return Err(format!(
                            "{at}: nik_check.sex \"{s}\" is not a single choice field"
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Roles come in sets (registration terms need scheme and contract dates; the
/// JHT opt-in and amount go together), and the opt-in choice must offer "yes".
fn check_roles(def: &FormDefinition, index: &Index) -> Result<(), String> {
    for (role, id) in &index.roles {
        // `Role::needs` is closed (a unit test in role.rs), so one level suffices.
        if let Some(missing) = role.needs().iter().find(|r| !index.roles.contains_key(r)) {
            return Err(format!(
                "field \"{id}\": role \"{role}\" needs a field with role \"{missing}\" too"
            ));
        }
        if *role == Role::JhtOptIn {
            let offers_yes = def
                .field_by_key_in(index, id)
                .is_some_and(|f| def.choices_of(f).iter().any(|c| c.value == OPTED_IN));
            if !offers_yes {
                return Err(format!(
                    "field \"{id}\": role \"{role}\" needs a choice with value \"{OPTED_IN}\""
                ));
            }
        }
    }
    Ok(())
}

fn check_rules(def: &FormDefinition, index: &Index) -> Result<(), String> {
    let mut codes = HashSet::new();
    for rule in &def.rules {
        let at = format!("rule \"{}\"", rule.code);
        let code_ok = rule.code.len() <= 80
            && rule.code.contains('.')
            && rule
                .code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
        if !code_ok || !codes.insert(rule.code.as_str()) {
            return Err(format!("{at}: a rule code is unique, lowercase and dotted (e.g. \"contract.end_before_start\")"));
        }
        text(&rule.message, &format!("{at} message"))?;
        match &rule.check {
            RuleCheck::DateOrder(d) => {
                for id in [&d.earlier, &d.later] {
                    if !matches!(lookup(def, index, None, id), Some((_, Kind::Date))) {
                        return Err(format!("{at}: \"{id}\" is not a top-level date field"));
                    }
                }
            }
        }
        if let Some(p) = &rule.path {
            if lookup(def, index, None, p).is_none() {
                return Err(format!("{at}: path \"{p}\" is not a top-level field"));
            }
        }
    }
    Ok(())
}

/// Rejects `show_if` conditions that depend on themselves, directly or not.
fn check_cycles(def: &FormDefinition) -> Result<(), String> {
    // Edges: field key → keys its visibility depends on.
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for field in def.top_fields() {
        let deps = field
            .show_if
            .iter()
            .flat_map(|c| c.fields())
            .map(str::to_string)
            .collect();
        edges.insert(field.id.clone(), deps);
        for sub in &field.fields {
            let mut deps: Vec<String> = vec![field.id.clone()];
            for id in sub.show_if.iter().flat_map(|c| c.fields()) {
                if field.fields.iter().any(|s| s.id == id) {
                    deps.push(format!("{}.{id}", field.id));
                } else {
                    deps.push(id.to_string());
                }
            }
            edges.insert(format!("{}.{}", field.id, sub.id), deps);
        }
    }
    // Iterative depth-first search with three colours.
    let mut state: HashMap<&str, u8> = HashMap::new(); // 1 = on stack, 2 = done
    for start in edges.keys() {
        if state.contains_key(start.as_str()) {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(start.as_str(), 0)];
        state.insert(start, 1);
        while let Some((node, i)) = stack.pop() {
            let deps = edges.get(node).map_or(&[][..], |v| v.as_slice());
            if let Some(next) = deps.get(i) {
                stack.push((node, i + 1));
                match state.get(next.as_str()) {
                    Some(1) => {
                        return Err(format!(
                            "show_if of field \"{node}\" depends on itself (through \"{next}\")"
                        ))
                    }
                    Some(_) => {}
                    None => {
                        state.insert(next, 1);
                        stack.push((next, 0));
                    }
                }
            } else {
                state.insert(node, 2);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    fn minimal(fields: Value) -> Value {
        json!({
            "format": 1, "id": "t", "version": 1,
            "title": {"id": "Uji", "en": "Test"},
            "choice_lists": {"yn": [{"value": "yes", "label": {"id": "Ya", "en": "Yes"}}]},
            "pages": [{"id": "p", "title": {"id": "H", "en": "P"}, "fields": fields}]
        })
    }

    fn field(id: &str, kind: &str) -> Value {
        json!({"id": id, "kind": kind, "label": {"id": "L", "en": "L"}})
    }

    fn with(mut f: Value, key: &str, v: Value) -> Value {
        if let Value::Object(m) = &mut f {
            m.insert(key.to_string(), v);
        }
        f
    }

    fn error_of(doc: Value) -> String {
        match FormDefinition::from_json(&doc.to_string()) {
            Ok(_) => panic!("accepted: {doc}"),
            Err(e) => {
                assert_eq!(e.code(), "form.invalid_definition");
                e.to_string()
            }
        }
    }

    #[test]
    fn minimal_definition_is_accepted() {
        let def = FormDefinition::from_json(&minimal(json!([field("a", "text")])).to_string());
        assert!(def.is_ok(), "{def:?}");
    }

    #[test]
    fn definition_rejects_duplicate_field_ids() {
        let e = error_of(minimal(json!([field("a", "text"), field("a", "date")])));
        assert!(e.contains("duplicate field id \"a\""), "{e}");
    }

    #[test]
    fn definition_rejects_condition_on_unknown_field() {
        let f = with(
            field("a", "text"),
            "show_if",
            json!({"field": "ghost", "equals": "x"}),
        );
        let e = error_of(minimal(json!([f])));
        assert!(e.contains("unknown field \"ghost\""), "{e}");
    }

    #[test]
    fn definition_rejects_missing_choice_list() {
        let f = with(field("a", "single_choice"), "choices", json!("colours"));
        assert!(error_of(minimal(json!([f]))).contains("no choice list named \"colours\""));
        assert!(
            error_of(minimal(json!([field("b", "single_choice")]))).contains("needs \"choices\"")
        );
    }

    #[test]
    fn definition_rejects_version_zero_and_unknown_format() {
        let mut doc = minimal(json!([field("a", "text")]));
        doc["version"] = json!(0);
        assert!(error_of(doc.clone()).contains("version must be 1"));
        doc["version"] = json!(1);
        doc["format"] = json!(2);
        assert!(error_of(doc).contains("unsupported format 2"));
    }

    #[test]
    fn definition_rejects_missing_translations() {
        let f = json!({"id": "a", "kind": "text", "label": {"id": "Nama", "en": " "}});
        assert!(error_of(minimal(json!([f]))).contains("missing English text"));
        let f = json!({"id": "a", "kind": "text", "label": {"id": "Nama"}});
        assert!(error_of(minimal(json!([f]))).contains("missing field `en`"));
    }

    #[test]
    fn definition_rejects_options_of_another_kind_and_unknown_keys() {
        let f = with(field("a", "date"), "max_length", json!(5));
        assert!(error_of(minimal(json!([f]))).contains("\"max_length\" does not apply"));
        let f = with(field("a", "text"), "colour", json!("red"));
        assert!(error_of(minimal(json!([f]))).contains("unknown field `colour`"));
    }

    #[test]
    fn definition_rejects_bad_patterns_and_ranges() {
        let f = with(field("a", "text"), "pattern", json!("[0-9"));
        assert!(error_of(minimal(json!([f]))).contains("invalid pattern"));
        // regex-lite has no Unicode classes: such a definition is refused when it
        // arrives, rather than matching nothing on the phone.
        let f = with(field("a", "text"), "pattern", json!("\\p{L}+"));
        assert!(error_of(minimal(json!([f]))).contains("invalid pattern"));
        let f = with(with(field("a", "number"), "min", json!(5)), "max", json!(1));
        assert!(error_of(minimal(json!([f]))).contains("min is above max"));
    }

    #[test]
    fn definition_rejects_nested_repeat_and_show_if_cycles() {
        let inner = with(
            field("inner", "repeat"),
            "fields",
            json!([field("x", "text")]),
        );
        let outer = with(field("outer", "repeat"), "fields", json!([inner]));
        assert!(error_of(minimal(json!([outer]))).contains("cannot be inside another"));
        let a = with(
            field("a", "text"),
            "show_if",
            json!({"field": "b", "filled": true}),
        );
        let b = with(
            field("b", "text"),
            "show_if",
            json!({"not": {"field": "a", "filled": true}}),
        );
        assert!(error_of(minimal(json!([a, b]))).contains("depends on itself"));
    }

    #[test]
    fn definition_checks_phone_country_and_rules() {
        let p = with(field("p", "phone"), "phone_country", json!({"field": "a"}));
        assert!(error_of(minimal(json!([field("a", "text"), p]))).contains("not a country field"));
        let mut doc = minimal(json!([field("a", "date"), field("b", "text")]));
        doc["rules"] = json!([{"code": "x.order", "check": {"date_order": {"earlier": "a", "later": "b"}},
            "message": {"id": "Salah", "en": "Wrong"}}]);
        assert!(error_of(doc).contains("\"b\" is not a top-level date field"));
    }

    #[test]
    fn repeat_sub_fields_may_refer_to_siblings() {
        let sub = vec![
            field("d", "date"),
            with(field("n", "nik"), "nik_check", json!({"birth_date": "d"})),
        ];
        let g = with(field("g", "repeat"), "fields", json!(sub));
        let def = FormDefinition::from_json(&minimal(json!([g])).to_string());
        assert!(def.is_ok(), "{def:?}");
    }

    /// The registration roles, each on a field of a fitting kind.
    fn terms_fields() -> Vec<Value> {
        vec![
            with(
                with(field("s", "single_choice"), "choices", json!("yn")),
                "role",
                json!("scheme"),
            ),
            with(field("a", "date"), "role", json!("contract_start")),
            with(field("b", "date"), "role", json!("contract_end")),
        ]
    }

    #[test]
    fn roles_are_accepted_and_found_on_their_fields() {
        let mut fields = terms_fields();
        fields.push(with(field("r", "text"), "role", json!("refers_to")));
        let def = FormDefinition::from_json(&minimal(json!(fields)).to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            def.field_with_role(Role::ContractEnd)
                .map(|f| f.id.as_str()),
            Some("b")
        );
        assert_eq!(
            def.field_with_role(Role::RefersTo).map(|f| f.id.as_str()),
            Some("r")
        );
        assert!(def.field_with_role(Role::JhtAmount).is_none());
    }

    #[test]
    fn definition_rejects_an_unknown_role() {
        let f = with(field("a", "text"), "role", json!("salary"));
        let e = error_of(minimal(json!([f])));
        assert!(e.contains("unknown role \"salary\""), "{e}");
    }

    #[test]
    fn definition_rejects_a_role_on_a_field_of_the_wrong_kind() {
        let f = with(field("a", "text"), "role", json!("contract_start"));
        let e = error_of(minimal(json!([f])));
        assert!(
            e.contains("role \"contract_start\" needs a field of kind Date, not Text"),
            "{e}"
        );
        let f = with(field("a", "date"), "role", json!("jht_amount"));
        let e = error_of(minimal(json!([f])));
        assert!(e.contains("SingleChoice or Number"), "{e}");
    }

    #[test]
    fn definition_rejects_a_duplicate_role() {
        let mut fields = terms_fields();
        fields.push(with(field("c", "date"), "role", json!("contract_end")));
        let e = error_of(minimal(json!(fields)));
        assert!(
            e.contains("duplicate role \"contract_end\" (field \"b\" declares it already)"),
            "{e}"
        );
    }

    #[test]
    fn definition_rejects_a_role_without_its_partners() {
        // Without a field for it, a role the others need is missing.
        let mut fields = terms_fields();
        fields.remove(2);
        let e = error_of(minimal(json!(fields)));
        assert!(
            e.contains("needs a field with role \"contract_end\" too"),
            "{e}"
        );
        let mut fields = terms_fields();
        fields.push(with(field("j", "number"), "role", json!("jht_amount")));
        let e = error_of(minimal(json!(fields)));
        assert!(
            e.contains("role \"jht_amount\" needs a field with role \"jht_opt_in\""),
            "{e}"
        );
        let lone = with(field("d", "date"), "role", json!("departure_date"));
        let e = error_of(minimal(json!([lone])));
        assert!(e.contains("needs a field with role \"scheme\""), "{e}");
    }

    #[test]
    fn definition_rejects_a_role_inside_a_repeat_group() {
        let sub = with(field("r", "text"), "role", json!("refers_to"));
        let g = with(field("g", "repeat"), "fields", json!([sub]));
        let e = error_of(minimal(json!([g])));
        assert!(
            e.contains("field \"g.r\": role \"refers_to\" is declared inside repeat group"),
            "{e}"
        );
    }

    #[test]
    fn jht_opt_in_needs_a_yes_choice() {
        let mut fields = terms_fields();
        fields.push(with(field("j", "number"), "role", json!("jht_amount")));
        let no_yes = json!([{"value": "ya", "label": {"id": "Ya", "en": "Yes"}}]);
        fields.push(with(
            with(field("o", "single_choice"), "choices", no_yes),
            "role",
            json!("jht_opt_in"),
        ));
        let e = error_of(minimal(json!(fields.clone())));
        assert!(e.contains("needs a choice with value \"yes\""), "{e}");
        fields.pop();
        fields.push(with(
            with(field("o", "single_choice"), "choices", json!("yn")),
            "role",
            json!("jht_opt_in"),
        ));
        let def = FormDefinition::from_json(&minimal(json!(fields)).to_string());
        assert!(def.is_ok(), "{def:?}");
    }

    #[test]
    fn a_spelling_may_select_one_choice_only() {
        let list = |c: Value| with(field("s", "single_choice"), "choices", c);
        // An alias equal to another choice's label, ignoring case and spaces.
        let clash = json!([
            {"value": "M", "label": {"id": "Laki-laki", "en": "Male"}, "aliases": ["L"]},
            {"value": "F", "label": {"id": "Perempuan", "en": "Female"}, "aliases": ["laki laki"]}
        ]);
        let e = error_of(minimal(json!([list(clash)])));
        assert!(e.contains("would select both \"M\" and \"F\""), "{e}");
        let empty = json!([{"value": "a", "label": {"id": "A", "en": "A"}, "aliases": ["--"]}]);
        assert!(error_of(minimal(json!([list(empty)]))).contains("no letter or digit"));
        // One choice may repeat its own spellings (a label equal to an alias).
        let own =
            json!([{"value": "yes", "label": {"id": "Ya", "en": "Yes"}, "aliases": ["ya", "y"]}]);
        let def = FormDefinition::from_json(&minimal(json!([list(own)])).to_string());
        assert!(def.is_ok(), "{def:?}");
    }

    #[test]
    fn keyboard_is_for_text_and_foreign_numbers_for_a_fixed_phone() {
        let f = with(field("n", "number"), "keyboard", json!("digits"));
        assert!(error_of(minimal(json!([f]))).contains("\"keyboard\" does not apply"));
        let f = with(field("t", "text"), "keyboard", json!("shouting"));
        assert!(error_of(minimal(json!([f]))).contains("unknown variant"));
        let abroad = field("abroad", "phone");
        let home = |to: &str, country: Value| {
            with(
                with(field("home", "phone"), "phone_country", country),
                "foreign_numbers",
                json!(to),
            )
        };
        let fixed = json!({"fixed": "ID"});
        let ok = minimal(json!([home("abroad", fixed.clone()), abroad.clone()]));
        assert!(FormDefinition::from_json(&ok.to_string()).is_ok());
        for (to, why) in [
            ("home", "not another"),
            ("ghost", "not another"),
            ("t", "not another"),
        ] {
            let doc = minimal(json!([
                home(to, fixed.clone()),
                abroad.clone(),
                field("t", "text")
            ]));
            assert!(error_of(doc).contains(why), "{to}");
        }
        let c = field("c", "country");
        let doc = minimal(json!([home("abroad", json!({"field": "c"})), abroad, c]));
        assert!(error_of(doc).contains("needs a fixed phone_country"));
    }

    #[test]
    fn a_rule_shows_on_its_field_that_comes_last_in_the_form() {
        let date = |id: &str| field(id, "date");
        let mut doc = minimal(json!([date("b")]));
        if let Some(pages) = doc["pages"].as_array_mut() {
            pages
                .push(json!({"id": "q", "title": {"id": "H2", "en": "P2"}, "fields": [date("a")]}));
        }
        // `later` (b) sits on the first page, `earlier` (a) on the second.
        doc["rules"] = json!([{"code": "x.order", "check": {"date_order": {"earlier": "a", "later": "b"}},
            "message": {"id": "Salah", "en": "Wrong"}}]);
        let def = FormDefinition::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(def.issue_path(&def.rules[0]), "a");
        doc["rules"][0]["path"] = json!("b");
        let def = FormDefinition::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(def.issue_path(&def.rules[0]), "b", "an explicit path wins");
    }

    proptest! {
        /// Any role on any kind of field (top-level, alone) is accepted exactly
        /// when the kind fits and the role needs no partner; never a panic.
        #[test]
        fn role_checks_follow_kinds_and_needs(role in proptest::sample::select(Role::ALL.to_vec()),
                                              kind in proptest::sample::select(vec!["text", "number", "date", "country", "consent"])) {
            let doc = minimal(json!([with(field("f", kind), "role", json!(role.name()))]));
            let accepted = FormDefinition::from_json(&doc.to_string()).is_ok();
            let fits = role.kinds().iter().any(|k| serde_json::to_value(k).ok() == Some(json!(kind)));
            prop_assert_eq!(accepted, fits && role.needs().is_empty());
        }
    }

    proptest! {
        #[test]
        fn from_json_never_panics_on_arbitrary_text(s in ".{0,400}") {
            let _ = FormDefinition::from_json(&s);
        }

        #[test]
        fn from_json_never_panics_on_damaged_builtin(cut in 0usize..20_000, len in 0usize..200, insert in "[{}\\[\\]\":,a-z0-9]{0,5}") {
            let src = include_str!("../../forms/pmi-registration.json");
            let start = cut.min(src.len());
            let end = (start + len).min(src.len());
            if src.is_char_boundary(start) && src.is_char_boundary(end) {
                let damaged = format!("{}{}{}", &src[..start], insert, &src[end..]);
                let _ = FormDefinition::from_json(&damaged);
            }
        }
    }
}
