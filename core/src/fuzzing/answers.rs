//! The `form_answers` harness: a built-in form filled by a random sequence of
//! user inputs (and, in a second mode, random raw JSON as a damaged draft holds).
//! Nothing panics; re-entering a stored value changes nothing; what the client
//! would send is accepted in shape by the server's check and means the same.

use serde_json::{json, Value};

use super::bytes::Bytes;
use crate::forms::samples::sample_today;
use crate::forms::{
    builtin, contribution, document_files, frozen_payload, hidden_paths, remove_repeat_item,
    set_field, validate, validate_submission, Answers, Context, Field, FormDefinition, Input, Kind,
};
use crate::Lang;

/// Texts that are valid for some kind, nearly valid, or hostile.
const TEXTS: [&str; 24] = [
    "3515144508680002",
    "3515 1445 0868 0002",
    "3171015501900001",
    "1968-08-05",
    "05-08-1968",
    "29-02-2023",
    "2999-01-01",
    "+60123456789",
    "0812-3456-7890",
    "012-345 6789",
    "A1234567",
    "b 123 4567",
    "siti@example.com",
    "11012345678",
    "MY",
    "id",
    "Malaysia",
    "12",
    " 1e3 ",
    "-0",
    "NaN",
    "  ",
    "p3mi",
    "\u{0}\u{202e}Ω\u{1F600}",
];

/// Every field instance path a user could address now, plus a few that are wrong.
fn paths(def: &'static FormDefinition, answers: &Answers) -> Vec<(String, &'static Field)> {
    let mut out = Vec::new();
    for f in def.top_fields() {
        out.push((f.id.clone(), f));
        if f.kind == Kind::Repeat {
            let n = answers
                .get(&f.id)
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            for i in 0..=n + 1 {
                for sub in &f.fields {
                    out.push((format!("{}[{i}].{}", f.id, sub.id), sub));
                }
            }
        }
    }
    out
}

/// One user input for `field`.
fn input(r: &mut Bytes<'_>, def: &FormDefinition, field: &Field) -> Input {
    let choices = def.choices_of(field);
    let choice = |r: &mut Bytes<'_>| match choices.len() {
        0 => TEXTS[r.below(TEXTS.len())].to_string(),
        n => choices[r.below(n)].value.clone(),
    };
    match r.below(9) {
        0 => Input::Clear,
        1 => Input::Text(choice(r)),
        2 => Input::Text(TEXTS[r.below(TEXTS.len())].to_string()),
        3 => Input::Text(r.text(40)),
        // Long enough to reach the hard cap of any field.
        4 => Input::Text("9".repeat(r.below(8) * 300)),
        5 => Input::Number(match r.below(4) {
            0 => r.f64(),
            1 => f64::from(r.byte()),
            2 => f64::from(r.byte()) / 4.0 - 8.0,
            _ => 1e16,
        }),
        6 => Input::Bool(r.flag()),
        7 => Input::List((0..r.below(4)).map(|_| choice(r)).collect()),
        _ => Input::List(vec![r.text(20)]),
    }
}

/// The input that re-enters a stored value as the UI would show it again.
fn as_input(stored: &Value) -> Input {
    match stored {
        Value::String(s) => Input::Text(s.clone()),
        Value::Number(n) => Input::Number(n.as_f64().unwrap_or_default()),
        Value::Bool(b) => Input::Bool(*b),
        Value::Array(a) => Input::List(
            a.iter()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect(),
        ),
        _ => Input::Clear,
    }
}

/// A random raw JSON value (what a damaged or very old draft could hold).
fn raw(r: &mut Bytes<'_>, depth: u32) -> Value {
    match r.below(9) {
        0 => Value::Null,
        1 => Value::Bool(r.flag()),
        2 => serde_json::Number::from_f64(r.f64()).map_or(json!(-1), Value::Number),
        3 => json!(TEXTS[r.below(TEXTS.len())]),
        4 => Value::String(r.text(30)),
        5 if depth < 3 => Value::Array((0..r.below(4)).map(|_| raw(r, depth + 1)).collect()),
        6 if depth < 3 => {
            let keys = ["name", "nik", "relationship", "birth_date", "x"];
            let mut m = Answers::new();
            for _ in 0..r.below(4) {
                m.insert(keys[r.below(keys.len())].into(), raw(r, depth + 1));
            }
            Value::Object(m)
        }
        _ => json!(u64::MAX),
    }
}

/// Everything a screen or the outbox runs on a draft: none of it may panic.
fn read_all(def: &FormDefinition, answers: &Answers, ctx: &Context) -> Vec<crate::Issue> {
    let issues = validate(def, answers, ctx);
    assert!(
        issues == validate(def, answers, ctx),
        "validation is not deterministic"
    );
    let _ = hidden_paths(def, answers);
    let _ = contribution(def, answers, ctx);
    let _ = document_files(def, &Value::Object(answers.clone()));
    issues
}

/// First byte: the built-in form (and the language). Second byte even: a sequence
/// of user inputs through `set_field`; odd: raw JSON answers written directly.
pub fn form_answers(data: &[u8]) {
    let mut r = Bytes::new(data);
    let forms = builtin();
    let pick = r.byte();
    let Some(def) = forms.get(usize::from(pick) % forms.len().max(1)) else {
        return;
    };
    let lang = if pick & 0x80 == 0 { Lang::Id } else { Lang::En };
    let ctx = Context {
        today: sample_today(),
        lang,
    };
    let mut answers = Answers::new();
    if r.flag() {
        // A damaged draft: raw values under real and unknown keys.
        let all = paths(def, &answers);
        while !r.is_empty() {
            let key = match all.get(r.below(all.len() + 1)) {
                Some((p, _)) if !p.contains('[') => p.clone(),
                _ => r.text(8),
            };
            answers.insert(key, raw(&mut r, 0));
        }
        read_all(def, &answers, &ctx);
        let frozen = frozen_payload(def, &answers);
        let _ = validate_submission(&def.id, def.version, &frozen, &ctx);
        return;
    }
    for _ in 0..32 {
        if r.is_empty() {
            break;
        }
        let all = paths(def, &answers);
        if r.below(16) == 0 {
            let groups: Vec<&str> = def
                .top_fields()
                .filter(|f| f.kind == Kind::Repeat)
                .map(|f| f.id.as_str())
                .collect();
            if let Some(g) = groups.get(r.below(groups.len())) {
                let _ = remove_repeat_item(def, &mut answers, g, r.below(3));
            }
            continue;
        }
        let Some((path, field)) = all.get(r.below(all.len())).cloned() else {
            return;
        };
        let Ok(outcome) = set_field(def, &mut answers, &path, input(&mut r, def, field), &ctx)
        else {
            continue;
        };
        // Re-entering what was stored is a no-op: normalization is idempotent.
        if field.kind != Kind::Repeat {
            let before = answers.clone();
            let again = set_field(def, &mut answers, &path, as_input(&outcome.stored), &ctx);
            match again {
                Ok(o) => assert_eq!(o.stored, outcome.stored, "re-normalized to another value"),
                Err(e) => panic!("a stored value is refused when entered again: {}", e.code()),
            }
            assert!(
                answers == before,
                "re-entering a stored value changed the answers"
            );
        }
    }
    let issues = read_all(def, &answers, &ctx);
    // The client's payload: accepted in shape by the server, stable, same verdict.
    let frozen = frozen_payload(def, &answers);
    let Value::Object(frozen_map) = &frozen else {
        panic!("the frozen payload is not an object")
    };
    assert_eq!(
        frozen_payload(def, frozen_map),
        frozen,
        "freezing is not idempotent"
    );
    for hidden in hidden_paths(def, &answers) {
        assert!(!frozen_map.contains_key(&hidden), "a hidden field is sent");
    }
    match validate_submission(&def.id, def.version, &frozen, &ctx) {
        Ok(server) => assert!(
            server == issues,
            "the server's verdict differs from the app's"
        ),
        Err(e) => panic!(
            "the server refuses the shape of a payload the app built: {}",
            e.code()
        ),
    }
}
