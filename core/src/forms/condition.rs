//! Conditions (`show_if`, `required_if`): a small JSON expression tree over other
//! fields' answers. A field hidden by its own condition counts as empty, so
//! conditions chain naturally.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A condition on answers, written as JSON:
/// `{"field":"scheme","equals":"p3mi"}`, `{"field":"x","in":["a","b"]}`,
/// `{"field":"x","filled":true}`, `{"all":[…]}`, `{"any":[…]}`, `{"not":{…}}`.
///
/// On a multi-choice field, `equals` means "is selected" and `in` means "any of
/// these is selected". A consent counts as filled only when ticked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawCondition", into = "RawCondition")]
pub enum Condition {
    /// The field's value equals this value.
    Equals {
        /// Field id (a sibling in the same repeat item is found first).
        field: String,
        /// Compared value.
        value: Value,
    },
    /// The field's value is one of these.
    In {
        /// Field id.
        field: String,
        /// Accepted values.
        values: Vec<Value>,
    },
    /// The field is (or, with `false`, is not) filled.
    Filled {
        /// Field id.
        field: String,
        /// Expected state.
        filled: bool,
    },
    /// Every condition holds (true when empty).
    All(Vec<Condition>),
    /// At least one condition holds (false when empty).
    Any(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
}

/// The JSON shape: one object with optional keys; exactly one form is allowed.
#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    equals: Option<Value>,
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    in_: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    filled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    all: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    any: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    not: Option<Box<Condition>>,
}

/// Keeps an explicit `"equals": null` (a test for "empty", see [`Condition::eval`])
/// apart from an absent key; plain `Option` would read both as `None`, so a
/// condition on null neither parsed nor survived its own serialization.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

impl TryFrom<RawCondition> for Condition {
    type Error = String;

    fn try_from(r: RawCondition) -> Result<Self, String> {
        let tests = usize::from(r.equals.is_some())
            + usize::from(r.in_.is_some())
            + usize::from(r.filled.is_some());
        let groups = usize::from(r.all.is_some())
            + usize::from(r.any.is_some())
            + usize::from(r.not.is_some());
        match (r.field, tests, groups) {
            (Some(field), 1, 0) => Ok(if let Some(value) = r.equals {
                Condition::Equals { field, value }
            } else if let Some(values) = r.in_ {
                Condition::In { field, values }
            } else {
                Condition::Filled {
                    field,
                    filled: r.filled.unwrap_or(true),
                }
            }),
            (None, 0, 1) => Ok(if let Some(all) = r.all {
                Condition::All(all)
            } else if let Some(any) = r.any {
                Condition::Any(any)
            } else {
                Condition::Not(
                    r.not
                        .unwrap_or_else(|| Box::new(Condition::All(Vec::new()))),
                )
            }),
            _ => Err(
                "a condition is either {\"field\", and one of \"equals\"/\"in\"/\"filled\"} \
                      or exactly one of \"all\"/\"any\"/\"not\""
                    .to_string(),
            ),
        }
    }
}

impl From<Condition> for RawCondition {
    fn from(c: Condition) -> Self {
        match c {
            Condition::Equals { field, value } => RawCondition {
                field: Some(field),
                equals: Some(value),
                ..Default::default()
            },
            Condition::In { field, values } => RawCondition {
                field: Some(field),
                in_: Some(values),
                ..Default::default()
            },
            Condition::Filled { field, filled } => RawCondition {
                field: Some(field),
                filled: Some(filled),
                ..Default::default()
            },
            Condition::All(v) => RawCondition {
                all: Some(v),
                ..Default::default()
            },
            Condition::Any(v) => RawCondition {
                any: Some(v),
                ..Default::default()
            },
            Condition::Not(c) => RawCondition {
                not: Some(c),
                ..Default::default()
            },
        }
    }
}

/// True when a value counts as an answer: a non-blank string, a non-empty list,
/// a number, a ticked consent, an object.
pub(crate) fn is_filled(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(_)) | Some(Value::Object(_)) => true,
    }
}

/// Compares loosely: strings case-insensitively after trimming, numbers by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.trim().eq_ignore_ascii_case(y.trim()),
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
            s.trim().parse::<f64>().ok() == n.as_f64()
        }
        _ => a == b,
    }
}

impl Condition {
    /// Evaluates against `value_of`, which answers a field id with its value
    /// (`None` when empty or hidden).
    pub(crate) fn eval<'a>(&self, value_of: &dyn Fn(&str) -> Option<&'a Value>) -> bool {
        match self {
            Condition::Equals { field, value } => match value_of(field) {
                Some(Value::Array(items)) => items.iter().any(|i| same(i, value)),
                Some(v) => same(v, value),
                None => value.is_null(),
            },
            Condition::In { field, values } => match value_of(field) {
                Some(Value::Array(items)) => {
                    items.iter().any(|i| values.iter().any(|v| same(i, v)))
                }
                Some(v) => values.iter().any(|x| same(v, x)),
                None => false,
            },
            Condition::Filled { field, filled } => is_filled(value_of(field)) == *filled,
            Condition::All(list) => list.iter().all(|c| c.eval(value_of)),
            Condition::Any(list) => list.iter().any(|c| c.eval(value_of)),
            Condition::Not(c) => !c.eval(value_of),
        }
    }

    /// Every field id the condition reads.
    pub(crate) fn fields(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Condition::Equals { field, .. }
            | Condition::In { field, .. }
            | Condition::Filled { field, .. } => out.push(field),
            Condition::All(l) | Condition::Any(l) => l.iter().for_each(|c| c.collect(out)),
            Condition::Not(c) => c.collect(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<Condition, serde_json::Error> {
        serde_json::from_value(v)
    }

    #[test]
    fn condition_parses_every_form_and_round_trips() {
        let c = parse(
            json!({"all":[{"field":"a","equals":"x"},{"any":[{"field":"b","in":[1,2]},
            {"not":{"field":"c","filled":true}}]}]}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.fields(), vec!["a", "b", "c"]);
        let back = serde_json::to_value(&c).unwrap_or_default();
        assert_eq!(parse(back).ok(), Some(c));
    }

    #[test]
    fn equals_null_parses_round_trips_and_means_empty() {
        // Found by the `conditions` fuzz target: `"equals": null` was read as absent.
        let c = parse(json!({"field":"a","equals":null})).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            c,
            Condition::Equals {
                field: "a".into(),
                value: Value::Null
            }
        );
        let back = serde_json::to_value(&c).unwrap_or_default();
        assert_eq!(back, json!({"field":"a","equals":null}));
        assert_eq!(parse(back).ok(), Some(c.clone()));
        assert!(c.eval(&|_| None));
        assert!(!c.eval(&|_| Some(&Value::Bool(true))));
    }

    #[test]
    fn condition_rejects_mixed_or_empty_forms() {
        assert!(parse(json!({"field":"a"})).is_err());
        assert!(parse(json!({"field":"a","equals":1,"filled":true})).is_err());
        assert!(parse(json!({"all":[],"any":[]})).is_err());
        assert!(parse(json!({"field":"a","all":[]})).is_err());
        assert!(parse(json!({"field":"a","equal":1})).is_err());
    }

    #[test]
    fn condition_evaluates_lists_and_consents() {
        let answers = json!({"what":["phone","email"],"ok":false,"n":3,"s":" P3MI "});
        let get = |id: &str| answers.get(id).filter(|v| !v.is_null());
        let c = |v: Value| parse(v).unwrap_or_else(|e| panic!("{e}"));
        assert!(c(json!({"field":"what","equals":"email"})).eval(&get));
        assert!(!c(json!({"field":"what","equals":"employer"})).eval(&get));
        assert!(c(json!({"field":"what","in":["x","phone"]})).eval(&get));
        assert!(c(json!({"field":"ok","filled":false})).eval(&get));
        assert!(c(json!({"field":"n","equals":"3"})).eval(&get));
        assert!(c(json!({"field":"s","equals":"p3mi"})).eval(&get));
        assert!(!c(json!({"field":"missing","in":["a"]})).eval(&get));
        assert!(c(json!({"not":{"field":"missing","filled":true}})).eval(&get));
        assert!(c(json!({"all":[]})).eval(&get));
        assert!(!c(json!({"any":[]})).eval(&get));
    }
}
