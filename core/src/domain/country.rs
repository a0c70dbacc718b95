//! Countries the app knows: Indonesia and the workers' destinations, with names in
//! both languages and dialing codes. Reference data shipped in
//! `core/data/countries.json`, parsed once.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::base::lang::Localized;

/// A country in the reference data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code, upper case (`MY`).
    pub code: String,
    /// Name in Indonesian and English.
    pub name: Localized,
    /// International dialing code with its plus (`+60`).
    pub dialing_code: String,
    /// True for a placement destination (false for Indonesia).
    pub destination: bool,
    /// A mobile number in the national form people write (shown as an example).
    #[serde(default)]
    pub mobile_example: String,
    /// Other names workers type for it (`Hongkong`, `Saudi`, `UEA`); the code and
    /// both names always count. Data, so a new spelling needs no code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

const BUILTIN: &str = include_str!("../../data/countries.json");

/// All built-in countries, Indonesia first, then destinations by number of workers.
pub fn countries() -> &'static [Country] {
    static LIST: OnceLock<Vec<Country>> = OnceLock::new();
    // The file is compiled in and checked by `builtin_countries_are_valid`, so the
    // empty fallback is never taken in a tested build.
    LIST.get_or_init(|| serde_json::from_str(BUILTIN).unwrap_or_default())
}

/// The country with this ISO code (case-insensitive).
pub fn find(code: &str) -> Option<&'static Country> {
    let code = code.trim();
    countries()
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(code))
}

/// What a typed name is compared by: letters and digits, lower case, so
/// `Hong Kong`, `hongkong` and `HONG-KONG` are one name.
fn key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Every spelling that names `c`: code, both names, aliases.
fn spellings(c: &Country) -> impl Iterator<Item = &str> {
    [c.code.as_str(), c.name.id.as_str(), c.name.en.as_str()]
        .into_iter()
        .chain(c.aliases.iter().map(String::as_str))
}

/// The country a worker means by `typed`: its ISO code, its name in either
/// language or one of its aliases, ignoring case, spaces and punctuation.
pub fn find_typed(typed: &str) -> Option<&'static Country> {
    let wanted = key(typed);
    if wanted.is_empty() {
        return None;
    }
    countries()
        .iter()
        .find(|c| spellings(c).any(|s| key(s) == wanted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn builtin_countries_are_valid() {
        let parsed: Vec<Country> = serde_json::from_str(BUILTIN).unwrap();
        assert_eq!(parsed.as_slice(), countries());
        assert!(countries().len() >= 16);
        let mut codes = HashSet::new();
        for c in countries() {
            assert!(codes.insert(c.code.clone()), "duplicate {}", c.code);
            assert!(
                c.code.len() == 2 && c.code.bytes().all(|b| b.is_ascii_uppercase()),
                "{}",
                c.code
            );
            assert!(!c.name.id.is_empty() && !c.name.en.is_empty(), "{}", c.code);
            let digits = c.dialing_code.strip_prefix('+').unwrap_or("");
            assert!(
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
                "{}",
                c.code
            );
            assert!(!c.mobile_example.is_empty(), "{}", c.code);
            assert_eq!(c.destination, c.code != "ID");
        }
        for needed in [
            "ID", "HK", "TW", "MY", "JP", "SG", "KR", "SA", "IT", "BN", "TR", "AE", "QA", "OM",
            "KW", "BH",
        ] {
            assert!(codes.contains(needed), "{needed} missing");
        }
    }

    #[test]
    fn every_spelling_names_one_country() {
        let mut owner = std::collections::HashMap::new();
        for c in countries() {
            for s in spellings(c) {
                assert!(!key(s).is_empty(), "{}: empty spelling", c.code);
                let prev = owner.insert(key(s), c.code.as_str());
                assert!(
                    prev.is_none() || prev == Some(c.code.as_str()),
                    "\"{s}\" names {} and {}",
                    c.code,
                    prev.unwrap_or_default()
                );
            }
        }
    }

    #[test]
    fn typed_names_find_their_country() {
        let code = |s: &str| find_typed(s).map(|c| c.code.as_str());
        for (typed, want) in [
            ("Hongkong", "HK"),
            ("hong kong", "HK"),
            ("HK", "HK"),
            ("taiwan", "TW"),
            ("Malaysia", "MY"),
            ("malaysia ", "MY"),
            ("Saudi", "SA"),
            ("Arab Saudi", "SA"),
            ("korsel", "KR"),
            ("UEA", "AE"),
            ("Jepang", "JP"),
            ("japan", "JP"),
        ] {
            assert_eq!(code(typed), Some(want), "{typed}");
        }
        assert_eq!(code(""), None);
        assert_eq!(code("Atlantis"), None);
    }

    proptest::proptest! {
        #[test]
        fn any_spelling_with_any_case_and_spacing_finds_its_country(
            i in 0usize..64,
            which in 0usize..8,
            upper in proptest::collection::vec(proptest::bool::ANY, 0..24),
            gaps in proptest::collection::vec(0usize..3, 0..24),
        ) {
            let c = &countries()[i % countries().len()];
            let all: Vec<&str> = spellings(c).collect();
            let s = all[which % all.len()];
            let typed: String = s
                .chars()
                .enumerate()
                .map(|(n, ch)| {
                    let ch: String = if upper.get(n).copied().unwrap_or(false) {
                        ch.to_uppercase().collect()
                    } else {
                        ch.to_lowercase().collect()
                    };
                    format!("{}{ch}", ["", " ", "-"][gaps.get(n).copied().unwrap_or(0)])
                })
                .collect();
            proptest::prop_assert_eq!(find_typed(&typed).map(|c| &c.code), Some(&c.code));
        }
    }

    #[test]
    fn find_is_case_insensitive() {
        assert_eq!(find("my").map(|c| c.name.en.as_str()), Some("Malaysia"));
        assert_eq!(find(" KR ").map(|c| c.dialing_code.as_str()), Some("+82"));
        assert_eq!(find("XX"), None);
    }
}
