//! The message catalog: every user-visible message, in Indonesian and English,
//! keyed by its stable code. The catalog is data, one table per layer that reports
//! codes (`domain`, `forms`, `store`, `sync`, `app`), kept here so no layer reaches up for it.

pub mod app;
pub mod domain;
pub mod forms;
pub mod store;
pub mod sync;

use crate::base::lang::Lang;

/// One catalog entry: code, Indonesian template, English template.
/// Templates name their parameters in braces: `{declared}`.
pub type Entry = (&'static str, &'static str, &'static str);

fn tables() -> [&'static [Entry]; 5] {
    [
        app::MESSAGES,
        domain::MESSAGES,
        forms::MESSAGES,
        store::MESSAGES,
        sync::MESSAGES,
    ]
}

/// The words for a code the catalog does not have.
const UNKNOWN: &str = "error.unknown";

/// Looks up the templates of `code`.
pub fn lookup(code: &str) -> Option<&'static Entry> {
    tables()
        .into_iter()
        .flat_map(|t| t.iter())
        .find(|e| e.0 == code)
}

/// Renders `code` in `lang`, substituting `{name}` parameters. An unknown code
/// (a newer server's, say) is never shown bare: it is worded as a problem with the
/// code as a reference to give an officer (`error.unknown`), never a crash.
pub fn render(code: &str, lang: Lang, params: &[(&'static str, String)]) -> String {
    let template = match lookup(code) {
        Some((_, id, en)) => match lang {
            Lang::Id => *id,
            Lang::En => *en,
        },
        None if code == UNKNOWN => return code.to_string(),
        None => return render(UNKNOWN, lang, &[("code", code.to_string())]),
    };
    let mut out = template.to_string();
    for (name, value) in params {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Renders `code` for `count` things: the entry `{code}.one` when `count` is 1
/// and the catalog has one (English says "1 page", "2 pages"; Indonesian reads the
/// same either way), else `code`.
pub fn render_count(
    code: &str,
    count: u64,
    lang: Lang,
    params: &[(&'static str, String)],
) -> String {
    let one = format!("{code}.one");
    if count == 1 && lookup(&one).is_some() {
        render(&one, lang, params)
    } else {
        render(code, lang, params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn placeholders(t: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut rest = t;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            out.push(rest[start + 1..start + len].to_string());
            rest = &rest[start + len..];
        }
        out.sort();
        out
    }

    #[test]
    fn every_code_is_unique_and_translated_with_the_same_placeholders() {
        let mut seen = HashSet::new();
        for table in tables() {
            for (code, id, en) in table.iter() {
                assert!(seen.insert(*code), "duplicate message code {code}");
                assert!(
                    !id.trim().is_empty() && !en.trim().is_empty(),
                    "{code} lacks a text"
                );
                assert_eq!(
                    placeholders(id),
                    placeholders(en),
                    "{code}: placeholders differ"
                );
            }
        }
    }

    #[test]
    fn a_count_of_one_takes_the_singular_where_there_is_one() {
        let pages = |n: u64| {
            render_count(
                "form.pages_attached",
                n,
                Lang::En,
                &[("count", n.to_string())],
            )
        };
        assert_eq!(pages(1), "1 page");
        assert_eq!(pages(2), "2 pages");
        assert_eq!(pages(0), "0 pages");
        let id = render_count("form.pages_attached", 1, Lang::Id, &[("count", "1".into())]);
        assert_eq!(id, "1 halaman");
        // A code without a singular renders as it is.
        assert_eq!(render_count("form.yes", 1, Lang::En, &[]), "Yes");
    }

    #[test]
    fn every_singular_has_its_plural() {
        for table in tables() {
            for (code, _, _) in table.iter() {
                if let Some(base) = code.strip_suffix(".one") {
                    assert!(lookup(base).is_some(), "{code} without {base}");
                }
            }
        }
    }

    #[test]
    fn an_unknown_code_is_worded_with_the_code_as_a_reference() {
        let id = render("no.such.code", Lang::Id, &[]);
        assert!(id.starts_with("Ada kendala (kode no.such.code)"), "{id}");
        let en = render("no.such.code", Lang::En, &[]);
        assert!(
            en.starts_with("Something went wrong (code no.such.code)"),
            "{en}"
        );
    }

    /// Every code the core's own code can put before a person (an error's `code()`,
    /// a problem on a field, a rendered message) has words in the catalog: read from
    /// the sources, so a new code without words fails here, not on a worker's screen.
    #[test]
    fn every_code_the_core_emits_has_words() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let calls = [
            "Problem::error(",
            "Problem::warning(",
            "Problem::info(",
            "render(",
            "render_count(",
        ];
        let mut files = vec![src];
        let (mut seen, mut missing) = (0, Vec::new());
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // The code, not its tests (which use made-up codes on purpose).
            let text = text.split("#[cfg(test)]\nmod tests").next().unwrap();
            let mut codes: Vec<&str> = Vec::new();
            for call in calls {
                for (at, _) in text.match_indices(call) {
                    let rest = text[at + call.len()..].trim_start();
                    if let Some(lit) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) {
                        codes.push(lit);
                    }
                }
            }
            if path.ends_with("base/error.rs") {
                let body = text.split("pub fn code(&self)").nth(1).unwrap();
                let body = body.split("\n    }\n").next().unwrap();
                codes.extend(
                    body.split("=> \"")
                        .skip(1)
                        .filter_map(|r| r.split('"').next()),
                );
            }
            for code in codes {
                seen += 1;
                if lookup(code).is_none() {
                    missing.push(format!("{code} ({})", path.display()));
                }
            }
        }
        assert!(seen > 100, "the scan found only {seen} codes");
        assert!(missing.is_empty(), "codes without words: {missing:#?}");
    }
}
