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

/// Looks up the templates of `code`.
pub fn lookup(code: &str) -> Option<&'static Entry> {
    tables()
        .into_iter()
        .flat_map(|t| t.iter())
        .find(|e| e.0 == code)
}

/// Renders `code` in `lang`, substituting `{name}` parameters. An unknown code
/// renders as the code itself, so a missing translation is visible, never a crash.
pub fn render(code: &str, lang: Lang, params: &[(&'static str, String)]) -> String {
    let template = match lookup(code) {
        Some((_, id, en)) => match lang {
            Lang::Id => *id,
            Lang::En => *en,
        },
        None => return code.to_string(),
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
    fn unknown_code_renders_as_itself() {
        assert_eq!(render("no.such.code", Lang::Id, &[]), "no.such.code");
    }
}
