//! Answers and field paths. Answers are a JSON object keyed by field id; a repeat
//! group holds an array of objects. Paths name one value: `nik`, `heirs[1].name`.
//! A [`Scope`] reads answers the way conditions see them (hidden = empty).

use serde_json::Value;

use super::condition::is_filled;
use super::definition::{Field, FormDefinition, Kind};

/// A draft's answers: field id → value (a repeat group: an array of objects).
pub type Answers = serde_json::Map<String, Value>;

/// Deepest chain of conditions followed; deeper counts as hidden (cycles are
/// rejected by the checks, this only bounds the work).
const MAX_DEPTH: u32 = 32;

/// A parsed field path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Path<'a> {
    /// A top-level field.
    Top(&'a str),
    /// A field of one item of a repeat group.
    Item {
        /// The repeat group's id.
        group: &'a str,
        /// The item's index.
        index: usize,
        /// The field in the item.
        field: &'a str,
    },
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Parses `id` or `group[n].id`.
pub(crate) fn parse_path(path: &str) -> Option<Path<'_>> {
    if is_id(path) {
        return Some(Path::Top(path));
    }
    let (group, rest) = path.split_once('[')?;
    let (index, rest) = rest.split_once(']')?;
    let field = rest.strip_prefix('.')?;
    if !is_id(group)
        || !is_id(field)
        || index.is_empty()
        || !index.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some(Path::Item {
        group,
        index: index.parse().ok()?,
        field,
    })
}

/// The definition key of a path: `heirs[1].name` → `heirs.name`; also accepts
/// `heirs.name` and `name`.
pub(crate) fn field_key(path: &str) -> Option<String> {
    match parse_path(path) {
        Some(Path::Top(id)) => Some(id.to_string()),
        Some(Path::Item { group, field, .. }) => Some(format!("{group}.{field}")),
        None => {
            let (g, f) = path.split_once('.')?;
            (is_id(g) && is_id(f)).then(|| path.to_string())
        }
    }
}

/// The path of a field in a repeat item.
pub(crate) fn item_path(group: &str, index: usize, field: &str) -> String {
    format!("{group}[{index}].{field}")
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parses_top_and_item_forms() {
        assert_eq!(parse_path("nik"), Some(Path::Top("nik")));
        assert_eq!(
            parse_path("heirs[12].name"),
            Some(Path::Item {
                group: "heirs",
                index: 12,
                field: "name"
            })
        );
        for bad in [
            "",
            "heirs[].name",
            "heirs[1]",
            "heirs[1]name",
            "heirs[-1].x",
            "a b",
            "h[1].x.y",
            "h[1][2].x",
        ] {
            assert_eq!(parse_path(bad), None, "{bad}");
        }
        assert_eq!(field_key("heirs[3].name").as_deref(), Some("heirs.name"));
        assert_eq!(field_key("heirs.name").as_deref(), Some("heirs.name"));
        assert_eq!(field_key("heirs..name"), None);
    }
}
