//! The KPJ number printed on the BPJS Ketenagakerjaan membership card. Usually 11
//! digits; 10–15 are seen in practice and there is no public check digit.

use serde::Serialize;

use super::compact;
use crate::base::issue::Problem;

/// A KPJ number: 10–15 digits. `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Kpj(String);

impl Kpj {
    /// Parses a KPJ number, ignoring spaces, dashes and dots. Error: `kpj.invalid`.
    pub fn parse(input: &str) -> Result<Kpj, Problem> {
        let s = compact(input, &['-', '.']);
        if (10..=15).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Kpj(s))
        } else {
            Err(Problem::error("kpj.invalid"))
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Kpj {
    // Hand-written: a membership number identifies a person.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kpj(<redacted>)")
    }
}

impl std::fmt::Display for Kpj {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Kpj {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

super::deserialize_via_parse!(Kpj, Kpj::parse);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn kpj_accepts_10_to_15_digits_with_separators() {
        assert_eq!(Kpj::parse("230-1234.5678").unwrap().as_str(), "23012345678");
        assert_eq!(Kpj::parse("1234567890").unwrap().as_str(), "1234567890");
        assert_eq!(
            Kpj::parse("123456789012345").unwrap().to_string(),
            "123456789012345"
        );
    }

    #[test]
    fn kpj_rejects_wrong_length_or_letters() {
        for s in [
            "",
            "123456789",
            "1234567890123456",
            "2301234567A",
            "２３０１２３４５６７８",
        ] {
            assert_eq!(Kpj::parse(s).unwrap_err().code, "kpj.invalid", "{s}");
        }
    }

    #[test]
    fn kpj_debug_is_redacted() {
        assert!(!format!("{:?}", Kpj::parse("23012345678").unwrap()).contains("2301"));
    }

    proptest! {
        #[test]
        fn kpj_parse_never_panics(s in "\\PC*") {
            let _ = Kpj::parse(&s);
        }

        #[test]
        fn kpj_normalization_is_idempotent(s in "[0-9 .-]{8,20}") {
            if let Ok(k) = Kpj::parse(&s) {
                prop_assert_eq!(Kpj::parse(k.as_str()), Ok(k));
            }
        }
    }
}
