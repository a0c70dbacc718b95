//! Answers: a JSON object keyed by field id; a repeat group holds an array of
//! objects, and a field path (`path.rs`) names one value in them. A [`Scope`]
//! reads answers the way conditions see them (hidden = empty).

use serde_json::Value;

use super::condition::is_filled;
use super::definition::{Field, FormDefinition, Kind};
use super::path::item_path;

/// A draft's answers: field id → value (a repeat group: an array of objects).
pub type Answers = serde_json::Map<String, Value>;

/// Deepest chain of conditions followed; deeper counts as hidden (cycles are
/// rejected by the checks, this only bounds the work).
const MAX_DEPTH: u32 = 32;

/// Where conditions and cross-field checks look values up: the whole form, or
/// one item of a repeat group (siblings first, then top-level fields).
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub(crate) def: &'a FormDefinition,
    pub(crate) answers: &'a Answers,
    /// The repeat group and item index, when inside an item.
    pub(crate) item: Option<(&'a Field, usize)>,
}

impl<'a> Scope<'a> {
    /// The top-level scope.
    pub(crate) fn top(def: &'a FormDefinition, answers: &'a Answers) -> Self {
        Scope {
            def,
            answers,
            item: None,
        }
    }

    /// The scope of item `index` of `group`.
    pub(crate) fn item(
        def: &'a FormDefinition,
        answers: &'a Answers,
        group: &'a Field,
        index: usize,
    ) -> Self {
        Scope {
            def,
            answers,
            item: Some((group, index)),
        }
    }

    fn item_map(&self) -> Option<&'a Answers> {
        let (group, index) = self.item?;
        self.answers
            .get(&group.id)?
            .as_array()?
            .get(index)?
            .as_object()
    }

    /// Resolves `id`: a sibling in the item first, then a top-level field.
    fn resolve(&self, id: &str) -> Option<(&'a Field, bool)> {
        if let Some((group, _)) = self.item {
            if let Some(f) = group.fields.iter().find(|f| f.id == id) {
                return Some((f, true));
            }
        }
        let f = self.def.field_by_key(id)?;
        Some((f, false))
    }

    /// The stored value of `id` as seen from this scope, hidden or not.
    pub(crate) fn raw(&self, id: &str) -> Option<&'a Value> {
        match self.resolve(id)? {
            (_, true) => self.item_map()?.get(id),
            (_, false) => self.answers.get(id),
        }
        .filter(|v| !v.is_null())
    }

    /// The value conditions see: `None` when empty or hidden.
    pub(crate) fn value_for(&self, id: &str, depth: u32) -> Option<&'a Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (field, in_item) = self.resolve(id)?;
        let scope = if in_item {
            *self
        } else {
            Scope::top(self.def, self.answers)
        };
        if !scope.visible_at(field, depth + 1) {
            return None;
        }
        let v = scope.raw(id)?;
        is_filled(Some(v)).then_some(v)
    }

    /// Whether `field` (a field of this scope) is shown.
    pub(crate) fn visible(&self, field: &Field) -> bool {
        self.visible_at(field, 0)
    }

    fn visible_at(&self, field: &Field, depth: u32) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        if let Some((group, _)) = self.item {
            // A sub-field is shown only inside a shown group.
            if !Scope::top(self.def, self.answers).visible_at(group, depth + 1) {
                return false;
            }
        }
        match &field.show_if {
            None => true,
            Some(c) => c.eval(&|id| self.value_for(id, depth + 1)),
        }
    }

    /// Whether `field` (a field of this scope) must be filled.
    pub(crate) fn required(&self, field: &Field) -> bool {
        field.required
            || field
                .required_if
                .as_ref()
                .is_some_and(|c| c.eval(&|id| self.value_for(id, 0)))
    }
}

/// The stored value at `path` (`nik`, `heirs[0].name`); `None` when unanswered.
pub fn value_at<'a>(answers: &'a Answers, path: &str) -> Option<&'a Value> {
    match super::path::parse_path(path)? {
        super::path::Path::Top(id) => answers.get(id),
        super::path::Path::Item {
            group,
            index,
            field,
        } => answers
            .get(group)?
            .as_array()?
            .get(index)?
            .as_object()?
            .get(field),
    }
}

/// Items stored in repeat group `group`.
pub fn item_count(answers: &Answers, group: &str) -> usize {
    answers
        .get(group)
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

/// Whether the field at `path` must be filled now: `required`, or its
/// `required_if` holds for these answers. `false` for an unknown path.
pub fn required_now(def: &FormDefinition, answers: &Answers, path: &str) -> bool {
    match super::path::parse_path(path) {
        Some(super::path::Path::Top(id)) => def
            .field(id)
            .is_some_and(|f| Scope::top(def, answers).required(f)),
        Some(super::path::Path::Item { group, index, .. }) => {
            match (def.field(group), def.field(path)) {
                (Some(g), Some(f)) => Scope::item(def, answers, g, index).required(f),
                _ => false,
            }
        }
        None => false,
    }
}

/// Every field instance's path and visibility, in form order.
pub(crate) fn visibility_map(def: &FormDefinition, answers: &Answers) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let top = Scope::top(def, answers);
    for field in def.top_fields() {
        out.push((field.id.clone(), top.visible(field)));
        if field.kind == Kind::Repeat {
            let n = answers
                .get(&field.id)
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            for i in 0..n {
                let scope = Scope::item(def, answers, field, i);
                for sub in &field.fields {
                    out.push((item_path(&field.id, i, &sub.id), scope.visible(sub)));
                }
            }
        }
    }
    out
}

/// The paths of every field instance hidden now (its `show_if` is false, or it sits
/// in a hidden repeat group), in form order: what a renderer needs on first paint;
/// after that, each autosave reports the flips.
pub fn hidden_paths(def: &FormDefinition, answers: &Answers) -> Vec<String> {
    visibility_map(def, answers)
        .into_iter()
        .filter_map(|(path, visible)| (!visible).then_some(path))
        .collect()
}
