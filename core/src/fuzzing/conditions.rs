//! The `conditions` harness: `show_if`/`required_if` expression trees built from
//! fuzzer bytes (or parsed from JSON) and evaluated against random answers.
//! Evaluation never panics, is deterministic, and obeys the boolean laws.

use serde_json::{json, Value};

use super::bytes::Bytes;
use crate::forms::{Answers, Condition};

/// Field ids conditions read; `zz` is never answered (an unknown or hidden field).
const FIELDS: [&str; 5] = ["a", "b", "c", "d", "zz"];

/// Deepest generated tree (the parser itself takes any depth serde allows).
const MAX_DEPTH: u32 = 6;

/// A JSON value from a pool that hits every branch of the loose comparison.
fn value(r: &mut Bytes<'_>, depth: u32) -> Value {
    match r.below(16) {
        0 => Value::Null,
        1 => Value::Bool(true),
        2 => Value::Bool(false),
        3 => json!(3),
        4 => json!(3.0),
        5 => json!("3"),
        6 => json!(" P3MI "),
        7 => json!("p3mi"),
        8 => json!(""),
        9 => json!("  "),
        10 if depth < 2 => Value::Array((0..r.below(4)).map(|_| value(r, depth + 1)).collect()),
        11 => json!({}),
        12 => serde_json::Number::from_f64(r.f64()).map_or(Value::Null, Value::Number),
        13 => json!(u64::MAX),
        14 => json!(i64::MIN),
        _ => Value::String(r.text(12)),
    }
}

/// A condition tree of at most [`MAX_DEPTH`] levels.
fn condition(r: &mut Bytes<'_>, depth: u32) -> Condition {
    let field = |r: &mut Bytes<'_>| FIELDS[r.below(FIELDS.len())].to_string();
    let leaf = depth >= MAX_DEPTH || r.is_empty();
    match r.below(if leaf { 3 } else { 6 }) {
        0 => Condition::Equals {
            field: field(r),
            value: value(r, 0),
        },
        1 => Condition::In {
            field: field(r),
            values: (0..r.below(4)).map(|_| value(r, 0)).collect(),
        },
        2 => Condition::Filled {
            field: field(r),
            filled: r.flag(),
        },
        3 => Condition::All((0..r.below(4)).map(|_| condition(r, depth + 1)).collect()),
        4 => Condition::Any((0..r.below(4)).map(|_| condition(r, depth + 1)).collect()),
        _ => Condition::Not(Box::new(condition(r, depth + 1))),
    }
}

fn eval(c: &Condition, answers: &Answers) -> bool {
    c.eval(&|id| answers.get(id))
}

/// Checks every law on one condition and one answer set.
fn laws(c: &Condition, answers: &Answers) {
    let r = eval(c, answers);
    assert_eq!(eval(c, answers), r, "evaluation is not deterministic");
    assert_eq!(eval(&Condition::Not(Box::new(c.clone())), answers), !r);
    assert_eq!(eval(&Condition::All(vec![c.clone()]), answers), r);
    assert_eq!(eval(&Condition::Any(vec![c.clone()]), answers), r);
    let both = vec![c.clone(), Condition::Not(Box::new(c.clone()))];
    assert!(eval(&Condition::Any(both.clone()), answers));
    assert!(!eval(&Condition::All(both), answers));
    // De Morgan, over the children of a group.
    if let Condition::All(list) | Condition::Any(list) = c {
        let negated: Vec<Condition> = list
            .iter()
            .map(|x| Condition::Not(Box::new(x.clone())))
            .collect();
        let dual = match c {
            Condition::All(_) => Condition::Any(negated),
            _ => Condition::All(negated),
        };
        assert_eq!(eval(&dual, answers), !r, "De Morgan");
    }
    // Only the fields a condition names can change its value.
    let read = c.fields();
    let mut other = answers.clone();
    other.retain(|k, _| read.contains(&k.as_str()));
    for f in FIELDS.iter().filter(|f| !read.contains(f)) {
        other.insert((*f).to_string(), json!("something else"));
    }
    assert_eq!(eval(c, &other), r, "depends on a field it does not name");
    // The JSON form round-trips and means the same.
    let Ok(v) = serde_json::to_value(c) else {
        panic!("a condition does not serialize")
    };
    let back: Condition = match serde_json::from_value(v) {
        Ok(back) => back,
        Err(e) => panic!("a serialized condition does not parse back: {e}"),
    };
    assert_eq!(&back, c);
    assert_eq!(eval(&back, answers), r);
}

/// First byte even: a condition tree and answers built from the bytes. Odd: the
/// rest is a JSON condition (the form-definition syntax); when it parses, the same
/// laws hold against a fixed answer set and against no answers.
pub fn conditions(data: &[u8]) {
    let mut r = Bytes::new(data);
    let parsed = if r.byte() & 1 == 1 {
        let Ok(c) = serde_json::from_slice::<Condition>(r.rest()) else {
            return;
        };
        c
    } else {
        condition(&mut r, 0)
    };
    let mut answers = Answers::new();
    if r.is_empty() {
        // JSON mode (or a tree that used every byte): a fixed answer set.
        for (k, v) in [
            ("a", json!("P3MI")),
            ("b", json!(["x", 3])),
            ("c", json!(true)),
            ("d", json!(3)),
        ] {
            answers.insert(k.to_string(), v);
        }
    }
    for f in &FIELDS[..4] {
        if r.flag() {
            answers.insert((*f).to_string(), value(&mut r, 0));
        }
    }
    laws(&parsed, &answers);
    laws(&parsed, &Answers::new());
}
