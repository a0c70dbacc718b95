//! The review before a form is sent: every answer the worker gave, by page, with
//! its label and the value as people read it (labels of choices, countries by
//! name, dates as DD-MM-YYYY, heirs one by one), never field ids, codes or JSON;
//! each line knows its page, so a screen can go back there to change it.

use serde::Serialize;

use crate::app::form::display;
use crate::app::form::QuoteView;
use crate::base::lang::Lang;
use crate::forms::{self, Answers, Field, FormDefinition, Kind};

/// One answer as the review lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReviewLine {
    /// The field's path (`heirs[0].name` inside a repeat item): where to edit it.
    pub path: String,
    /// The field's label; inside a repeat item, the item's name first
    /// ("Ahli waris 1 · Nama lengkap").
    pub label: String,
    /// The answer as the worker reads it.
    pub value: String,
}

/// One page of the review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReviewPage {
    /// The page's index (0-based): "change" goes back to it.
    pub page: u32,
    /// Its title.
    pub title: String,
    /// Its answers, in the form's order (only those answered and shown).
    pub lines: Vec<ReviewLine>,
}

/// What the worker checks before sending.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Review {
    /// The draft.
    pub draft_id: String,
    /// The form's title.
    pub title: String,
    /// Every page with an answer.
    pub pages: Vec<ReviewPage>,
    /// The contribution due, when the answers allow a quote.
    pub contribution: Option<QuoteView>,
}

/// The review of `answers` of `def`, leaving out the fields in `hidden`.
pub fn review(
    def: &FormDefinition,
    draft_id: &str,
    answers: &Answers,
    hidden: &std::collections::HashSet<String>,
    contribution: Option<QuoteView>,
    lang: Lang,
) -> Review {
    let pages = def
        .pages
        .iter()
        .enumerate()
        .filter_map(|(i, page)| {
            let mut lines = Vec::new();
            for f in page.fields.iter().filter(|f| !hidden.contains(&f.id)) {
                lines_of(def, f, &f.id, None, answers, hidden, lang, &mut lines);
            }
            (!lines.is_empty()).then(|| ReviewPage {
                page: i as u32,
                title: page.title.get(lang).to_string(),
                lines,
            })
        })
        .collect();
    Review {
        draft_id: draft_id.to_string(),
        title: def.title.get(lang).to_string(),
        pages,
        contribution,
    }
}

/// The lines of field `f` at `path` (its items' fields for a repeat group).
#[allow(clippy::too_many_arguments)] // one recursive walk; a struct would only rename them
fn lines_of(
    def: &FormDefinition,
    f: &Field,
    path: &str,
    item: Option<&str>,
    answers: &Answers,
    hidden: &std::collections::HashSet<String>,
    lang: Lang,
    out: &mut Vec<ReviewLine>,
) {
    if f.kind == Kind::Repeat {
        let name = f.item_label.as_ref().map_or_else(
            || f.label.get(lang).to_string(),
            |l| l.get(lang).to_string(),
        );
        let n = forms::value_at(answers, path)
            .and_then(serde_json::Value::as_array)
            .map_or(0, Vec::len);
        for i in 0..n {
            let title = format!("{name} {}", i + 1);
            for sub in &f.fields {
                let p = forms::item_path(path, i, &sub.id);
                if !hidden.contains(&p) {
                    lines_of(def, sub, &p, Some(&title), answers, hidden, lang, out);
                }
            }
        }
        return;
    }
    let Some(value) = display::display(def, f, forms::value_at(answers, path), lang) else {
        return;
    };
    let label = f.label.get(lang);
    out.push(ReviewLine {
        path: path.to_string(),
        label: match item {
            Some(item) => format!("{item} · {label}"),
            None => label.to_string(),
        },
        value,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::{builtin_form, samples};

    fn sample_review(lang: Lang) -> Review {
        let def = builtin_form("pmi-registration", None).expect("built-in");
        review(
            def,
            "d1",
            &samples::sample_registration(),
            &Default::default(),
            None,
            lang,
        )
    }

    #[test]
    fn every_answer_is_listed_by_its_label_never_by_id_or_code() {
        let def = builtin_form("pmi-registration", None).expect("built-in");
        let answers = samples::sample_registration();
        for lang in [Lang::Id, Lang::En] {
            let r = sample_review(lang);
            let lines: Vec<&ReviewLine> = r.pages.iter().flat_map(|p| &p.lines).collect();
            // Every answered top-level field that is not a group has a line.
            for f in def.top_fields().filter(|f| f.kind != Kind::Repeat) {
                let answered = answers.get(&f.id).is_some_and(|v| !display::is_empty(v));
                assert_eq!(lines.iter().any(|l| l.path == f.id), answered, "{}", f.id);
            }
            for l in &lines {
                let field = def.field(&l.path).or_else(|| {
                    // An item's field: its id is the path's last segment.
                    l.path.rsplit('.').next().and_then(|id| {
                        def.top_fields()
                            .flat_map(|g| g.fields.iter())
                            .find(|s| s.id == id)
                    })
                });
                let field = field.unwrap_or_else(|| panic!("{} names no field", l.path));
                assert!(l.label.ends_with(field.label.get(lang)), "{l:?}");
                assert_ne!(l.label, field.id, "a label, not the field's id");
                // Choices read as their labels: no code of a choice is a value.
                if matches!(field.kind, Kind::SingleChoice) {
                    assert!(
                        def.choices_of(field)
                            .iter()
                            .all(|c| c.value != l.value || c.label.get(lang) == c.value),
                        "{l:?} shows a code"
                    );
                }
                assert!(
                    !l.value.starts_with('{') && !l.value.starts_with('['),
                    "{l:?}"
                );
            }
        }
    }

    #[test]
    fn heirs_are_listed_one_by_one_and_dates_as_people_write_them() {
        let r = sample_review(Lang::Id);
        let lines: Vec<&ReviewLine> = r.pages.iter().flat_map(|p| &p.lines).collect();
        let heirs: Vec<&&ReviewLine> = lines.iter().filter(|l| l.path.contains('[')).collect();
        assert!(!heirs.is_empty(), "the sample has heirs");
        assert!(heirs.iter().all(|l| l.label.contains(" 1 · ")
            || l.label.contains(" 2 · ")
            || l.label.contains(" 3 · ")));
        let dates: Vec<&&ReviewLine> = lines
            .iter()
            .filter(|l| l.value.len() == 10 && l.value.as_bytes()[2] == b'-')
            .collect();
        assert!(!dates.is_empty(), "dates read DD-MM-YYYY");
        assert!(lines.iter().all(|l| !(l.value.len() == 10
            && l.value.as_bytes()[4] == b'-'
            && l.value.as_bytes()[7] == b'-')));
    }

    #[test]
    fn a_hidden_field_is_not_reviewed_and_pages_keep_their_index() {
        let def = builtin_form("pmi-registration", None).expect("built-in");
        let answers = samples::sample_registration();
        let first = def.top_fields().next().expect("a field");
        let hidden = std::iter::once(first.id.clone()).collect();
        let r = review(def, "d1", &answers, &hidden, None, Lang::En);
        assert!(r
            .pages
            .iter()
            .flat_map(|p| &p.lines)
            .all(|l| l.path != first.id));
        for p in &r.pages {
            assert_eq!(
                def.pages[p.page as usize].title.get(Lang::En),
                p.title,
                "a line's page is where to edit it"
            );
        }
    }
}
