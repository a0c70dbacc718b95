//! Choices as people type them: the stored value, the label in either language,
//! or one of the spellings the choice list declares (`aliases`: `P` for
//! Perempuan, `ya`, `mandiri`), whatever the case, spaces and punctuation. The
//! spellings are data in the form definition, so a new one needs no code.

use super::definition::Choice;
use crate::base::lang::Lang;

/// What a typed choice is compared by: its letters and digits, lower case.
/// `Laki-laki`, `laki laki` and `LAKILAKI` are one key; so are `G to G` and
/// `GtoG`. Empty for text with neither (such text matches no choice).
pub(crate) fn key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Every spelling of `choice` that selects it: value, both labels, aliases.
pub(crate) fn spellings(choice: &Choice) -> impl Iterator<Item = &str> {
    [
        choice.value.as_str(),
        choice.label.id.as_str(),
        choice.label.en.as_str(),
    ]
    .into_iter()
    .chain(choice.aliases.iter().map(String::as_str))
}

/// The choice `typed` selects, if any. The definition checks guarantee no two
/// choices of a list share a key, so the first match is the only one.
pub fn find_choice<'a>(choices: &'a [Choice], typed: &str) -> Option<&'a Choice> {
    let wanted = key(typed);
    if wanted.is_empty() {
        return None;
    }
    choices
        .iter()
        .find(|c| spellings(c).any(|s| key(s) == wanted))
}

/// What the worker may type, for the message of a refused value: the labels in
/// `lang`, in list order (`Laki-laki, Perempuan`).
pub(crate) fn accepted(choices: &[Choice], lang: Lang) -> String {
    choices
        .iter()
        .map(|c| c.label.get(lang))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::lang::Localized;
    use proptest::prelude::*;

    fn choice(value: &str, id: &str, en: &str, aliases: &[&str]) -> Choice {
        Choice {
            value: value.to_string(),
            label: Localized {
                id: id.to_string(),
                en: en.to_string(),
            },
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            urgent: false,
        }
    }

    fn sex() -> Vec<Choice> {
        vec![
            choice("M", "Laki-laki", "Male", &["L", "pria"]),
            choice("F", "Perempuan", "Female", &["P", "wanita"]),
        ]
    }

    #[test]
    fn value_labels_and_aliases_select_the_choice() {
        let list = sex();
        for (typed, want) in [
            ("M", "M"),
            ("f", "F"),
            ("P", "F"),
            ("l", "M"),
            ("Perempuan", "F"),
            ("  perempuan ", "F"),
            ("Laki-laki", "M"),
            ("laki laki", "M"),
            ("LAKILAKI", "M"),
            ("female", "F"),
            ("Wanita", "F"),
        ] {
            assert_eq!(
                find_choice(&list, typed).map(|c| c.value.as_str()),
                Some(want),
                "{typed}"
            );
        }
        for typed in ["", "  ", "-", "X", "laki", "perempuanx"] {
            assert_eq!(find_choice(&list, typed), None, "{typed}");
        }
    }

    #[test]
    fn accepted_lists_the_labels_in_the_language() {
        assert_eq!(accepted(&sex(), Lang::Id), "Laki-laki, Perempuan");
        assert_eq!(accepted(&sex(), Lang::En), "Male, Female");
    }

    proptest! {
        #[test]
        fn any_spelling_in_any_case_with_any_spacing_selects_its_choice(
            pick in 0usize..2,
            which in 0usize..5,
            upper in proptest::collection::vec(any::<bool>(), 0..12),
            spaces in proptest::collection::vec(0usize..3, 0..12),
        ) {
            let list = sex();
            let c = &list[pick];
            let all: Vec<&str> = spellings(c).collect();
            let s = all[which % all.len()];
            // Change case and sprinkle spaces and hyphens the way a thumb does.
            let typed: String = s
                .chars()
                .enumerate()
                .map(|(i, ch)| {
                    let ch = if upper.get(i).copied().unwrap_or(false) {
                        ch.to_uppercase().collect::<String>()
                    } else {
                        ch.to_lowercase().collect::<String>()
                    };
                    let gap = ["", " ", "-"][spaces.get(i).copied().unwrap_or(0)];
                    format!("{gap}{ch}")
                })
                .collect();
            prop_assert_eq!(find_choice(&list, &typed).map(|c| c.value.as_str()), Some(c.value.as_str()));
        }

        #[test]
        fn find_choice_never_panics_and_only_returns_a_matching_choice(s in "\\PC{0,20}") {
            if let Some(c) = find_choice(&sex(), &s) {
                prop_assert!(spellings(c).any(|x| key(x) == key(&s)));
            }
        }
    }
}
