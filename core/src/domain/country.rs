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
    fn find_is_case_insensitive() {
        assert_eq!(find("my").map(|c| c.name.en.as_str()), Some("Malaysia"));
        assert_eq!(find(" KR ").map(|c| c.dialing_code.as_str()), Some("+82"));
        assert_eq!(find("XX"), None);
    }
}
