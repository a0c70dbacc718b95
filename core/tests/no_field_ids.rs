//! No field id of a built-in form is spelled in the Rust code that decides
//! things: code finds a field through its role (`rantau_core::forms::Role`,
//! declared in the definition), so a form can rename or move a field without a
//! code change, and a decision cannot silently read the wrong key.
//!
//! The test collects every field id of the built-in definitions
//! (`rantau_core::forms::builtin()`, repeat sub-fields included) and fails,
//! naming file, line and id, when one of them is a string literal `"<id>"` in
//! the production sources: the `src/` trees listed in [`SCANNED`].
//!
//! What is not scanned, and why:
//! - test code: items under `#[cfg(test)]` (exactly that attribute; the item is
//!   skipped to its closing brace), `tests/` directories, `benches/`, and the
//!   `rantau-tests` crate (`tests/`, all of it test support). Tests fill forms
//!   by id on purpose.
//! - fuzzing: `fuzz/`, `core/src/fuzzing.rs` and `core/src/fuzzing/` (the fuzz
//!   targets' bodies, which drive the forms as a test would), `server/src/fuzzing.rs`.
//! - test data: `core/src/forms/samples.rs` (sample answers keyed by field id,
//!   for tests, benches and the demo) and `cli/src/demo.rs` (the scripted demo
//!   types a worker's answers into the forms, as a user would; it decides nothing).
//! - comments, doc comments included: examples in docs name fields.
//! - in `core/src/forms/role.rs`, the names of the roles: the role vocabulary,
//!   which may equal the id of the field that carries the role (`scheme`).
//!
//! Which ids count: an id with an underscore (`contract_start`,
//! `registration_ref`) and every id of a field that declares a role (`scheme`).
//! One-word ids without a role (`name`, `email`, `message`) are ordinary
//! words that the code uses as JSON keys, message parameters and the paths of
//! the stand-alone identifier checks; a literal of them says nothing about a
//! form, and flagging them would only teach people to ignore this test.
//! [`ALLOWED`] lists the remaining literals that are not field ids, each with
//! its reason; an entry that no longer matches anything fails the test too.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use rantau_core::forms::{builtin, Role};

/// The production source trees, relative to the workspace root.
const SCANNED: &[&str] = &[
    "core/src",
    "core/sqlcipher-provider/src",
    "server/src",
    "cli/src",
    "bindings/src",
    "bindings/uniffi-bindgen/src",
];

/// Files under [`SCANNED`] that are fuzzing or test data (see the module docs).
const SKIPPED_FILES: &[&str] = &[
    "core/src/fuzzing.rs",
    "core/src/forms/samples.rs",
    "server/src/fuzzing.rs",
    "cli/src/demo.rs",
];

/// Directories under [`SCANNED`] that are fuzzing (see the module docs).
const SKIPPED_DIRS: &[&str] = &["core/src/fuzzing"];

/// The file whose role names may equal field ids.
const ROLE_FILE: &str = "core/src/forms/role.rs";

/// `(file, literal, why)`: literals equal to a field id that are not one.
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "server/src/officer/routes.rs",
        "jkk_jkm",
        "the programme code of a recorded contribution (JKK and JKM together) on the \
         officers' API, not the registration's consent field of the same name",
    ),
    (
        "core/src/domain/nik.rs",
        "nik",
        "the name of a message placeholder (`{nik}`: the birth date or sex the NIK \
         encodes), not a form field",
    ),
    (
        "core/src/app/checks.rs",
        "nik",
        "the path of the stand-alone NIK check's result (no form is involved), not the \
         registration's NIK field, which the server finds by its role",
    ),
    (
        "cli/src/help_id.rs",
        "nik",
        "the id of the CLI's own NIK arguments (`check nik NIK`, `link start --nik`) in \
         the table of Indonesian help texts, not a form field",
    ),
    (
        "cli/src/help_id.rs",
        "scheme",
        "the id of `rantau fee --scheme` in the table of Indonesian help texts, not the \
         registration's scheme field",
    ),
    (
        "cli/src/help_id.rs",
        "birth_date",
        "the id of `rantau link start --birth-date` in the table of Indonesian help texts, \
         not a form field",
    ),
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The field ids this test looks for (see the module docs for which count).
fn checked_ids() -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for def in builtin() {
        for field in def.top_fields() {
            for f in std::iter::once(field).chain(field.fields.iter()) {
                if f.id.contains('_') || f.role.is_some() {
                    ids.insert(f.id.clone());
                }
            }
        }
    }
    ids
}

/// Every `.rs` file under `dir`, sorted so failures come out in a stable order.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A token of Rust source: a word, a punctuation mark or a string literal (its
/// contents, between the quotes), with its line. Comments and char literals are dropped.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String, usize),
    Punct(char, usize),
    Str(String, usize),
}

fn tokens(src: &str) -> Vec<Token> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if c == '"' || ((c == 'r' || c == 'b') && opens_string(&chars, i)) {
            let at = line;
            let (text, end) = string_at(&chars, i, &mut line);
            out.push(Token::Str(text, at));
            i = end;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if is_word(c) {
            let start = i;
            while i < chars.len() && is_word(chars[i]) {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect(), line));
        } else {
            if !c.is_whitespace() {
                out.push(Token::Punct(c, line));
            }
            i += 1;
        }
    }
    out
}

/// Whether `chars[i..]` opens `r"…"`, `r#"…"#`, `b"…"` or `br"…"` (and `i` starts a word).
fn opens_string(chars: &[char], i: usize) -> bool {
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return false;
    }
    let mut j = i;
    if chars[j] == 'b' {
        j += 1;
    }
    if chars.get(j) == Some(&'r') {
        j += 1;
        while chars.get(j) == Some(&'#') {
            j += 1;
        }
    }
    j > i && chars.get(j) == Some(&'"')
}

/// The contents of the string literal at `i` (plain, byte or raw, escapes left
/// as written) and the index after it.
fn string_at(chars: &[char], mut i: usize, line: &mut usize) -> (String, usize) {
    if chars[i] == 'b' {
        i += 1;
    }
    let mut hashes = None;
    if chars[i] == 'r' {
        i += 1;
        let mut n = 0;
        while chars[i] == '#' {
            n += 1;
            i += 1;
        }
        hashes = Some(n);
    }
    i += 1; // the opening quote
    let start = i;
    while i < chars.len() {
        match (chars[i], hashes) {
            ('"', Some(n)) if (0..n).all(|h| chars.get(i + 1 + h) == Some(&'#')) => {
                return (chars[start..i].iter().collect(), i + 1 + n);
            }
            ('"', None) => return (chars[start..i].iter().collect(), i + 1),
            ('\\', None) => i += 2,
            ('\n', _) => {
                *line += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    (chars[start..].iter().collect(), i)
}

/// Whether the tokens from `i` are the attribute `#[cfg(test)]`; returns its length.
fn cfg_test_at(toks: &[Token], i: usize) -> Option<usize> {
    let expected = ["#", "[", "cfg", "(", "test", ")", "]"];
    let matches = expected
        .iter()
        .enumerate()
        .all(|(k, e)| match toks.get(i + k) {
            Some(Token::Punct(c, _)) => e.len() == 1 && e.starts_with(*c),
            Some(Token::Word(w, _)) => w == e,
            _ => false,
        });
    matches.then_some(expected.len())
}

/// The index after the item that starts at `i`: through the `}` that closes its
/// first top-level `{`, or through a `;` outside brackets when it has no body.
fn item_end(toks: &[Token], mut i: usize) -> usize {
    let mut depth = 0usize;
    let mut braces = false;
    while i < toks.len() {
        if let Token::Punct(c, _) = toks[i] {
            match c {
                '{' => {
                    braces = true;
                    depth += 1;
                }
                '(' | '[' => depth += 1,
                '}' | ')' | ']' => {
                    depth = depth.saturating_sub(1);
                    if c == '}' && braces && depth == 0 {
                        return i + 1;
                    }
                }
                ';' if depth == 0 => return i + 1,
                _ => {}
            }
        }
        i += 1;
    }
    i
}

/// The string literals of `src` outside `#[cfg(test)]` items, with their lines.
fn literals_outside_tests(src: &str) -> Vec<(String, usize)> {
    let toks = tokens(src);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if let Some(len) = cfg_test_at(&toks, i) {
            i = item_end(&toks, i + len);
            continue;
        }
        if let Token::Str(s, line) = &toks[i] {
            out.push((s.clone(), *line));
        }
        i += 1;
    }
    out
}

/// Every literal that spells a checked field id, as `file:line: "id"`, and the
/// [`ALLOWED`] entries that were used.
fn findings(ids: &BTreeSet<String>) -> (Vec<String>, BTreeSet<(&'static str, &'static str)>) {
    let root = workspace_root();
    let mut found = Vec::new();
    let mut used = BTreeSet::new();
    for tree in SCANNED {
        let dir = root.join(tree);
        assert!(dir.is_dir(), "{tree} is gone; update SCANNED in this test");
        for file in rust_files(&dir) {
            let rel = file
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if SKIPPED_FILES.contains(&rel.as_str())
                || SKIPPED_DIRS
                    .iter()
                    .any(|d| rel.starts_with(&format!("{d}/")))
            {
                continue;
            }
            let src = fs::read_to_string(&file).unwrap();
            for (lit, line) in literals_outside_tests(&src) {
                if !ids.contains(&lit) {
                    continue;
                }
                if rel == ROLE_FILE && Role::parse(&lit).is_some() {
                    continue;
                }
                if let Some((f, l, _)) = ALLOWED.iter().find(|(f, l, _)| *f == rel && *l == lit) {
                    used.insert((*f, *l));
                    continue;
                }
                found.push(format!("{rel}:{line}: \"{lit}\""));
            }
        }
    }
    (found, used)
}

#[test]
fn no_field_id_of_a_built_in_form_is_spelled_in_production_code() {
    let ids = checked_ids();
    let (found, _) = findings(&ids);
    assert!(
        found.is_empty(),
        "field ids spelled in code; read the field through its role \
         (forms::Role, RegistrationTerms, refers_to) instead:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_allowed_literal_is_still_needed() {
    let (_, used) = findings(&checked_ids());
    for (file, lit, _) in ALLOWED {
        assert!(
            used.contains(&(*file, *lit)),
            "ALLOWED lists \"{lit}\" in {file}, which no longer spells it; remove the entry"
        );
    }
}

#[test]
fn the_ids_the_roles_replaced_are_checked() {
    let ids = checked_ids();
    for id in [
        "scheme",
        "contract_start",
        "contract_end",
        "departure_date",
        "jht_opt_in",
        "jht_amount",
        "destination_country",
        "registration_ref",
        // One word, but with a role (the registrant's NIK): checked.
        "nik",
    ] {
        assert!(ids.contains(id), "{id} is not checked");
    }
    // A one-word id without a role is an ordinary word (see the module docs).
    assert!(!ids.contains("name") && !ids.contains("email"));
}

#[test]
fn the_reader_finds_literals_in_code_only() {
    let src = r####"
        // payload.get("jht_amount") in a comment
        /// Reads `"scheme"` in a doc comment.
        fn decide(p: &Value) -> Option<&Value> {
            let c = '"';
            p.get("jht_amount").or(p.get(r#"scheme"#))
        }
        #[cfg(not(test))]
        const A: &str = "registration_ref";
        #[cfg(test)]
        const B: [&str; 2] = ["contract_end", "x"];
        #[cfg(test)]
        mod tests {
            fn t() { let _ = "contract_start"; let _ = format!("{}", "}"); }
        }
        fn after() { let _ = "departure_date"; }
    "####;
    let lits: Vec<(String, usize)> = literals_outside_tests(src)
        .into_iter()
        .filter(|(s, _)| s.contains('_') || s == "scheme")
        .collect();
    let expected: Vec<(String, usize)> = [
        ("jht_amount", 6),
        ("scheme", 6),
        ("registration_ref", 9),
        ("departure_date", 16),
    ]
    .iter()
    .map(|(s, l)| (s.to_string(), *l))
    .collect();
    assert_eq!(lits, expected);
}
