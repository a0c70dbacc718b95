//! Indonesian passport numbers: commonly one letter and seven digits (`A1234567`).
//! No authoritative list of prefixes exists, so other plausible shapes are accepted
//! with a warning rather than rejected.

use serde::Serialize;

use super::{compact, Checked};
use crate::base::issue::Problem;

/// A passport number: upper case, 1–2 letters then 6–8 digits. `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Passport(String);

impl Passport {
    /// Parses a passport number, upper-casing it and dropping spaces.
    ///
    /// Error: `passport.invalid`. Warning: `passport.unusual_format` when the
    /// number is not one letter and seven digits.
    pub fn parse(input: &str) -> Result<Checked<Passport>, Problem> {
        let s = compact(input, &[]).to_ascii_uppercase();
        let letters = s.bytes().take_while(u8::is_ascii_uppercase).count();
        let digits = &s[letters..];
        let shape_ok = (1..=2).contains(&letters)
            && (6..=8).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit());
        if !shape_ok {
            return Err(Problem::error("passport.invalid"));
        }
        let usual = letters == 1 && digits.len() == 7;
        let mut checked = Checked::clean(Passport(s));
        if !usual {
            checked
                .warnings
                .push(Problem::warning("passport.unusual_format"));
        }
        Ok(checked)
    }

    /// The normalised number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Passport {
    // Hand-written: a passport number identifies a person.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passport(<redacted>)")
    }
}

impl std::fmt::Display for Passport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Passport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

super::deserialize_via_parse!(Passport, |s| Passport::parse(s).map(|c| c.value));

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn common_passport_is_normalised_without_warning() {
        let p = Passport::parse(" a 123 4567 ").unwrap();
        assert_eq!(p.value.as_str(), "A1234567");
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn unusual_passport_is_accepted_with_warning() {
        for s in ["AB123456", "X123456", "C12345678", "AB12345678"] {
            let p = Passport::parse(s).unwrap();
            assert_eq!(p.value.as_str(), s);
            assert_eq!(
                p.warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
                vec!["passport.unusual_format"]
            );
        }
    }

    #[test]
    fn malformed_passport_is_rejected() {
        for s in [
            "",
            "1234567",
            "ABC1234567",
            "A12345",
            "A123456789",
            "A123456B",
            "A-1234567",
            "Á1234567",
        ] {
            assert_eq!(
                Passport::parse(s).unwrap_err().code,
                "passport.invalid",
                "{s}"
            );
        }
    }

    #[test]
    fn passport_debug_is_redacted() {
        let p = Passport::parse("A1234567").unwrap().value;
        assert!(!format!("{p:?}").contains("1234567"));
        assert_eq!(p.to_string(), "A1234567");
    }

    proptest! {
        #[test]
        fn passport_parse_never_panics(s in "\\PC*") {
            let _ = Passport::parse(&s);
        }

        #[test]
        fn passport_normalization_is_idempotent(s in "[a-zA-Z ]{0,3}[0-9 ]{5,9}|\\PC{0,12}") {
            if let Ok(p) = Passport::parse(&s) {
                let again = Passport::parse(p.value.as_str()).unwrap();
                prop_assert_eq!(again, p);
            }
        }
    }
}
