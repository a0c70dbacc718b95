//! The core's layers point one way (ARCHITECTURE.md): this test fails, naming file,
//! line and both layers, when a file under `core/src` imports a layer above its own,
//! and when the server's sources name the client's store or sync engine.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

/// The layers of `core/src`, bottom to top; each is one top-level module.
const LAYERS: &[&str] = &[
    "base", "domain", "forms", "protocol", "store", "sync", "app",
];

/// Top-level modules outside the layers: the fuzz targets' bodies drive every
/// layer, as a test would, and nothing in the layers imports them.
const OUTSIDE: &[&str] = &["fuzzing"];

/// What the front-ends (the FFI bindings, the CLI) may name of the core: the app
/// API, and the plain types below it that its records carry. Never the store or
/// the sync engine: the app API re-exports the little of them a front-end needs.
const FRONT_ENDS_MAY_USE: &[&str] = &["base", "domain", "forms", "app"];

/// What the server's sources may name of the core (`rantau_core::<module>`), and
/// the names the core re-exports at its root (all from `base`).
const SERVER_MAY_USE: &[&str] = &["base", "domain", "forms", "protocol"];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
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

/// One token of Rust source that matters here: a word or a punctuation mark,
/// with its line. Comments, strings and char literals are dropped, so a path
/// named in a doc comment or a message is not an import.
#[derive(Debug, Clone, PartialEq)]
struct Token {
    text: String,
    line: usize,
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
        } else if c == '"' || ((c == 'r' || c == 'b') && starts_raw_or_byte_string(&chars, i)) {
            i = skip_string(&chars, i, &mut line);
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
            out.push(Token {
                text: chars[start..i].iter().collect(),
                line,
            });
        } else if c == ':' && next == Some(':') {
            out.push(Token {
                text: "::".into(),
                line,
            });
            i += 2;
        } else if !c.is_whitespace() {
            out.push(Token {
                text: c.to_string(),
                line,
            });
            i += 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Whether `chars[i..]` opens `r"…"`, `r#"…"#`, `b"…"` or `br"…"` (and `i` starts a word).
fn starts_raw_or_byte_string(chars: &[char], i: usize) -> bool {
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

/// Skips a string literal starting at `i` (plain, byte or raw); returns the index after it.
fn skip_string(chars: &[char], mut i: usize, line: &mut usize) -> usize {
    if chars[i] == 'b' {
        i += 1;
    }
    if chars[i] == 'r' {
        i += 1;
        let mut hashes = 0;
        while chars[i] == '#' {
            hashes += 1;
            i += 1;
        }
        i += 1; // the opening quote
        while i < chars.len() {
            if chars[i] == '\n' {
                *line += 1;
            }
            if chars[i] == '"' && (0..hashes).all(|h| chars.get(i + 1 + h) == Some(&'#')) {
                return i + 1 + hashes;
            }
            i += 1;
        }
        return i;
    }
    i += 1; // the opening quote
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            '\n' => {
                *line += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    i
}

/// The first segments a path reaches from `tokens[at]` on (the token after a `::`):
/// one word, or the first word of each item of a `{…}` group, with its line.
fn first_segments(tokens: &[Token], at: usize) -> Vec<(String, usize)> {
    let Some(t) = tokens.get(at) else {
        return Vec::new();
    };
    if t.text != "{" {
        return vec![(t.text.clone(), t.line)];
    }
    let mut out = Vec::new();
    let mut depth = 0;
    let mut item_start = true;
    for t in &tokens[at..] {
        match t.text.as_str() {
            "{" => {
                depth += 1;
                item_start = depth == 1;
            }
            "}" => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            "," if depth == 1 => item_start = true,
            word if item_start && depth == 1 => {
                out.push((word.to_string(), t.line));
                item_start = false;
            }
            _ => {}
        }
    }
    out
}

/// The module path of a file under `core/src`: `store/outbox.rs` → `[store, outbox]`,
/// `forms/mod.rs` → `[forms]`, `lib.rs` → `[]`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if stem != "mod" && stem != "lib" {
            parts.push(stem.to_string());
        }
    }
    parts
}

/// Names the crate root re-exports (`pub use base::error::{Error, Result};`), with
/// the top-level module each comes from.
fn root_reexports(lib: &str) -> Vec<(String, String)> {
    let toks = tokens(lib);
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if t.text != "use" || i == 0 || toks[i - 1].text != "pub" {
            continue;
        }
        let module = toks[i + 1].text.clone();
        let end = toks[i..]
            .iter()
            .position(|t| t.text == ";")
            .map_or(toks.len(), |p| i + p);
        // Every word of the statement that is not followed by `::` is a name it exports.
        for (j, w) in toks.iter().enumerate().take(end).skip(i + 2) {
            let is_word = w.text.chars().all(|c| c.is_alphanumeric() || c == '_');
            if is_word && toks.get(j + 1).is_none_or(|n| n.text != "::") {
                out.push((w.text.clone(), module.clone()));
            }
        }
    }
    out
}

/// An import that runs upward, ready to print.
fn violations(src_dir: &Path) -> Vec<String> {
    let lib = fs::read_to_string(src_dir.join("lib.rs")).unwrap();
    let reexports = root_reexports(&lib);
    let layer_of = |module: &str| LAYERS.iter().position(|l| *l == module);
    let mut out = Vec::new();
    for file in rust_files(src_dir) {
        let rel = file.strip_prefix(src_dir).unwrap().to_path_buf();
        let shown = format!("core/src/{}", rel.display());
        let path = module_path(&rel);
        let Some(top) = path.first() else {
            continue; // lib.rs: the root names every layer
        };
        if OUTSIDE.contains(&top.as_str()) {
            continue;
        }
        let Some(own) = layer_of(top) else {
            out.push(format!(
                "{shown}: top-level module `{top}` has no layer; add it to LAYERS in core/tests/layers.rs and to ARCHITECTURE.md"
            ));
            continue;
        };
        let toks = tokens(&fs::read_to_string(&file).unwrap());
        // Inline modules (`mod tests { … }`) deepen the path that `super` climbs from.
        let mut inline: Vec<(String, usize)> = Vec::new();
        let mut depth = 0usize;
        for (i, t) in toks.iter().enumerate() {
            match t.text.as_str() {
                "{" => {
                    depth += 1;
                    if i >= 2 && toks[i - 2].text == "mod" {
                        inline.push((toks[i - 1].text.clone(), depth));
                    }
                    continue;
                }
                "}" => {
                    if inline.last().is_some_and(|(_, d)| *d == depth) {
                        inline.pop();
                    }
                    depth = depth.saturating_sub(1);
                    continue;
                }
                _ => {}
            }
            let after_colons = i > 0 && toks[i - 1].text == "::";
            let (base, next): (Vec<String>, usize) = if t.text == "crate"
                && !after_colons
                && toks.get(i + 1).is_some_and(|n| n.text == "::")
            {
                (Vec::new(), i + 2)
            } else if t.text == "super" && !after_colons {
                let mut here: Vec<String> = path
                    .iter()
                    .cloned()
                    .chain(inline.iter().map(|(m, _)| m.clone()))
                    .collect();
                let mut j = i;
                while toks.get(j).is_some_and(|s| s.text == "super")
                    && toks.get(j + 1).is_some_and(|n| n.text == "::")
                {
                    here.pop();
                    j += 2;
                }
                if j == i {
                    continue; // `super` alone (`pub(super)`)
                }
                (here, j)
            } else {
                continue;
            };
            let targets: Vec<(String, usize)> = match base.first() {
                Some(top) => vec![(top.clone(), t.line)],
                None => first_segments(&toks, next),
            };
            for (name, line) in targets {
                let module = reexports
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map_or(name.clone(), |(_, m)| m.clone());
                if module == "self" || module == *top {
                    continue;
                }
                match layer_of(&module) {
                    Some(theirs) if theirs > own => {
                        let what = if name == module {
                            String::new()
                        } else {
                            format!(" (`{name}`)")
                        };
                        out.push(format!(
                            "{shown}:{line}: layer `{}` imports layer `{}`{what}, which stands above it; a layer uses only itself and the layers below (ARCHITECTURE.md)",
                            LAYERS[own], LAYERS[theirs]
                        ))
                    }
                    Some(_) => {}
                    None if OUTSIDE.contains(&module.as_str()) => out.push(format!(
                        "{shown}:{line}: layer `{}` imports `{module}`, which stands outside the layers",
                        LAYERS[own]
                    )),
                    None => out.push(format!(
                        "{shown}:{line}: `crate::{name}` is neither a layer nor a name the crate root re-exports"
                    )),
                }
            }
        }
    }
    out
}

#[test]
fn no_layer_of_the_core_imports_a_layer_above_it() {
    let found = violations(&manifest_dir().join("src"));
    assert!(
        found.is_empty(),
        "imports that run upward:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_top_level_module_of_the_core_has_a_layer() {
    let lib = fs::read_to_string(manifest_dir().join("src/lib.rs")).unwrap();
    let toks = tokens(&lib);
    let declared: Vec<&str> = toks
        .windows(3)
        .filter(|w| w[0].text == "mod" && w[2].text == ";")
        .map(|w| w[1].text.as_str())
        .collect();
    for m in &declared {
        assert!(
            LAYERS.contains(m) || OUTSIDE.contains(m),
            "core/src/lib.rs declares `mod {m}`, which has no layer in core/tests/layers.rs"
        );
    }
    for l in LAYERS {
        assert!(
            declared.contains(l),
            "layer `{l}` is not a module of lib.rs"
        );
    }
}

/// Every `rantau_core::<module>` that the sources of crate `dir` (relative to the
/// workspace: `server`, `cli`) name outside `may_use`, as `file:line: message`.
fn names_outside(dir: &str, may_use: &[&str]) -> Vec<String> {
    let root = manifest_dir().join("..").join(dir);
    let lib = fs::read_to_string(manifest_dir().join("src/lib.rs")).unwrap();
    let reexports = root_reexports(&lib);
    let mut found = Vec::new();
    for sub in ["src", "tests", "benches"] {
        let sub = root.join(sub);
        if !sub.is_dir() {
            continue;
        }
        for file in rust_files(&sub) {
            let shown = format!("{dir}/{}", file.strip_prefix(&root).unwrap().display());
            let toks = tokens(&fs::read_to_string(&file).unwrap());
            for (i, t) in toks.iter().enumerate() {
                if t.text != "rantau_core" || toks.get(i + 1).is_none_or(|n| n.text != "::") {
                    continue;
                }
                for (name, line) in first_segments(&toks, i + 2) {
                    let module = reexports
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map_or(name.clone(), |(_, m)| m.clone());
                    if !may_use.contains(&module.as_str()) {
                        found.push(format!(
                            "{shown}:{line}: names `rantau_core::{name}`; {dir} may use only {}",
                            may_use.join(", ")
                        ));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn the_server_uses_only_the_shared_layers_of_the_core() {
    let found = names_outside("server", SERVER_MAY_USE);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_front_ends_use_the_app_api_and_never_the_store_or_the_sync_engine() {
    let mut found = names_outside("bindings", FRONT_ENDS_MAY_USE);
    found.extend(names_outside("cli", FRONT_ENDS_MAY_USE));
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn a_front_end_naming_the_store_is_caught() {
    // The check itself, on a file written for it: it must not pass everything.
    let dir = manifest_dir().join("../target/layers-check/src");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("lib.rs"),
        "use rantau_core::app::Key;\nuse rantau_core::store::Store;\n",
    )
    .unwrap();
    let found = names_outside("target/layers-check", FRONT_ENDS_MAY_USE);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("lib.rs:2") && found[0].contains("rantau_core::store"));
}

#[test]
fn the_reader_skips_comments_and_strings_and_sees_groups() {
    let src = "// crate::app\nuse crate::{base::lang, sync::X};\nlet s = \"crate::app\";\nlet c = '\"'; super::y";
    let toks = tokens(src);
    let words: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
    assert!(!words.contains(&"app"), "{words:?}");
    let at = toks.iter().position(|t| t.text == "{").unwrap();
    assert_eq!(
        first_segments(&toks, at),
        vec![("base".to_string(), 2), ("sync".to_string(), 2)]
    );
    assert_eq!(toks.last().unwrap().text, "y");
    assert_eq!(toks.last().unwrap().line, 4);
}
