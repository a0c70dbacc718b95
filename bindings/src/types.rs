//! Records and enums that cross the FFI, and their conversions from the core's
//! types. Text meant for the user arrives already in the profile's language;
//! dates are `YYYY-MM-DD` strings, times unix milliseconds. Types that may hold
//! personal data have no `Debug`, or a hand-written one without the values.

use rantau_core::app::profile;
use rantau_core::domain::tariff::FeeQuote;
use rantau_core::forms::Input;
use rantau_core::Issue;
use rantau_core::{Lang, Localized};
use serde_json::Value;

pub(crate) fn text(l: &Localized, lang: Lang) -> String {
    l.get(lang).to_string()
}

/// A value as the form sends it (one user action).
#[derive(Clone, PartialEq, uniffi::Enum)]
pub enum FieldInput {
    /// Typed or picked text; every single-value kind parses it.
    Text {
        /// The text as typed.
        value: String,
    },
    /// A number (number fields).
    Number {
        /// The number.
        value: f64,
    },
    /// A tick (consent fields).
    Bool {
        /// Ticked or not.
        value: bool,
    },
    /// Picked values (multi-choice fields). (Not `List`: it would shadow Kotlin's `List`.)
    Picked {
        /// The values.
        values: Vec<String>,
    },
    /// Empties the field (a repeat group: removes every item).
    Clear,
}

impl From<FieldInput> for Input {
    fn from(i: FieldInput) -> Input {
        match i {
            FieldInput::Text { value } => Input::Text(value),
            FieldInput::Number { value } => Input::Number(value),
            FieldInput::Bool { value } => Input::Bool(value),
            FieldInput::Picked { values } => Input::List(values),
            FieldInput::Clear => Input::Clear,
        }
    }
}

/// A stored answer.
#[derive(Clone, PartialEq, uniffi::Enum)]
pub enum AnswerValue {
    /// Text (dates `YYYY-MM-DD`, phones E.164, codes, free text).
    Text {
        /// The text.
        value: String,
    },
    /// A number.
    Number {
        /// The number.
        value: f64,
    },
    /// A tick.
    Bool {
        /// Ticked or not.
        value: bool,
    },
    /// Picked values.
    Picked {
        /// The values.
        values: Vec<String>,
    },
    /// Anything else (a repeat group's items), as JSON.
    Json {
        /// The JSON text.
        json: String,
    },
}

/// `None` for JSON null (an empty field).
pub(crate) fn answer_value(v: Value) -> Option<AnswerValue> {
    Some(match v {
        Value::Null => return None,
        Value::String(value) => AnswerValue::Text { value },
        Value::Bool(value) => AnswerValue::Bool { value },
        Value::Number(n) => match n.as_f64() {
            Some(value) => AnswerValue::Number { value },
            None => AnswerValue::Json {
                json: n.to_string(),
            },
        },
        Value::Array(items) if items.iter().all(Value::is_string) => AnswerValue::Picked {
            values: items
                .into_iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
        },
        other => AnswerValue::Json {
            json: other.to_string(),
        },
    })
}

/// One answer of a draft.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct Answer {
    /// Top-level field id.
    pub path: String,
    /// The stored value.
    pub value: AnswerValue,
}

/// A field whose visibility flipped.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VisibilityChange {
    /// Field path.
    pub path: String,
    /// Shown now.
    pub visible: bool,
}

/// What one autosave did.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct SetFieldResult {
    /// The path that was set.
    pub path: String,
    /// What is stored now (normalized when valid, as typed when not); `None` when empty.
    pub stored: Option<AnswerValue>,
    /// That field's issues, then every current issue of the paths in `rechecked`.
    pub issues: Vec<Issue>,
    /// Other paths this change can affect: replace what is shown for each of them
    /// with its issues here (none listed = none now; `field.required` is left to
    /// the full check of `draft`/`finalize`).
    pub rechecked: Vec<String>,
    /// Every field whose visibility flipped.
    pub visibility: Vec<VisibilityChange>,
}

impl From<rantau_core::forms::SetOutcome> for SetFieldResult {
    fn from(o: rantau_core::forms::SetOutcome) -> Self {
        SetFieldResult {
            path: o.path,
            stored: answer_value(o.stored),
            issues: o.issues,
            rechecked: o.rechecked,
            visibility: o
                .visibility
                .into_iter()
                .map(|v| VisibilityChange {
                    path: v.path,
                    visible: v.visible,
                })
                .collect(),
        }
    }
}

/// A form a user can start.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FormInfo {
    /// Form id (`pmi-registration`).
    pub id: String,
    /// Version.
    pub version: u32,
    /// Title in the profile's language.
    pub title: String,
    /// Description, if any.
    pub description: Option<String>,
}

/// A draft: its answers, every current issue and the contribution due.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct DraftView {
    /// Draft id (becomes the submission id at finalize).
    pub id: String,
    /// Form id.
    pub form_id: String,
    /// Form version the draft keeps for its whole life.
    pub form_version: u32,
    /// Answers so far, in field-id order; a repeat group's answers are given per
    /// item field (`heirs[0].name`), with the group's size in `item_counts`.
    pub answers: Vec<Answer>,
    /// The number of items of each repeat group that has any.
    pub item_counts: Vec<ItemCount>,
    /// Every issue of the whole form.
    pub issues: Vec<Issue>,
    /// Contribution due, once the placement answers are complete (registration only).
    pub contribution: Option<FeeQuote>,
    /// Last change (unix ms).
    pub updated_at: i64,
    /// The rejected submission this draft corrects.
    pub reopened_from: Option<String>,
    /// Paths of the fields hidden now; each autosave then reports the flips.
    pub hidden: Vec<String>,
}

impl From<profile::DraftView> for DraftView {
    fn from(d: profile::DraftView) -> Self {
        DraftView {
            id: d.id,
            form_id: d.form_id,
            form_version: d.form_version,
            item_counts: item_counts(&d.answers),
            answers: flatten(d.answers),
            issues: d.issues,
            contribution: d.contribution,
            updated_at: d.updated_at,
            reopened_from: d.reopened_from,
            hidden: d.hidden,
        }
    }
}

/// How many items a repeat group has.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ItemCount {
    /// The group's field id.
    pub group: String,
    /// Its items (some may still be empty).
    pub count: u32,
}

fn item_counts(answers: &rantau_core::forms::Answers) -> Vec<ItemCount> {
    answers
        .iter()
        .filter_map(|(group, v)| {
            let items = v.as_array().filter(|a| a.iter().all(Value::is_object))?;
            Some(ItemCount {
                group: group.clone(),
                count: u32::try_from(items.len()).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

/// Top-level answers as they are; each item field of a repeat group (an array of
/// objects) as its own `group[i].field` answer.
fn flatten(answers: rantau_core::forms::Answers) -> Vec<Answer> {
    let mut out = Vec::new();
    for (path, v) in answers {
        match v {
            Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
                for (i, item) in items.into_iter().enumerate() {
                    let Value::Object(fields) = item else {
                        continue;
                    };
                    for (id, v) in fields {
                        if let Some(value) = answer_value(v) {
                            out.push(Answer {
                                path: format!("{path}[{i}].{id}"),
                                value,
                            });
                        }
                    }
                }
            }
            v => out.extend(answer_value(v).map(|value| Answer { path, value })),
        }
    }
    out
}

/// One line of the drafts list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DraftSummary {
    /// Draft id.
    pub id: String,
    /// Form id.
    pub form_id: String,
    /// Form title in the profile's language.
    pub title: String,
    /// Answered fields.
    pub answered: u32,
    /// Last change (unix ms).
    pub updated_at: i64,
}

impl From<profile::DraftSummary> for DraftSummary {
    fn from(d: profile::DraftSummary) -> Self {
        DraftSummary {
            id: d.id,
            form_id: d.form_id,
            title: d.title,
            answered: u32::try_from(d.answered).unwrap_or(u32::MAX),
            updated_at: d.updated_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_values_keep_their_type_and_null_is_none() {
        assert!(answer_value(Value::Null).is_none());
        assert!(
            matches!(answer_value(Value::String("a".into())), Some(AnswerValue::Text { value }) if value == "a")
        );
        assert!(
            matches!(answer_value(serde_json::json!(2.5)), Some(AnswerValue::Number { value }) if value == 2.5)
        );
        assert!(
            matches!(answer_value(serde_json::json!(["a", "b"])), Some(AnswerValue::Picked { values }) if values.len() == 2)
        );
        assert!(
            matches!(answer_value(serde_json::json!([{"nik": "1"}])), Some(AnswerValue::Json { json }) if json.contains("nik"))
        );
    }
}
