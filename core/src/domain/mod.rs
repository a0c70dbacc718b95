//! Domain values: identifiers (NIK, KPJ, passport, phone, e-mail), dates, countries
//! and the contribution tariff. Each identifier is a type that can only hold a valid,
//! normalised value; parsers return language-neutral [`Problem`]s, never panic.

pub mod country;
pub mod date;
pub mod directory;
pub mod document;
pub mod email;
pub mod kpj;
pub mod nik;
pub mod passport;
pub mod phone;
pub(crate) mod phone_plan;
pub mod photo;
pub mod tariff;

use crate::base::issue::Problem;

/// A value that passed validation, with the warnings it raised (shown, not blocking).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked<T> {
    /// The normalised value.
    pub value: T,
    /// Warnings about the value (e.g. an unusual passport format).
    pub warnings: Vec<Problem>,
}

impl<T> Checked<T> {
    /// A value with no warnings.
    pub fn clean(value: T) -> Self {
        Checked {
            value,
            warnings: Vec::new(),
        }
    }
}

/// Removes every whitespace character and every char in `drop`: the separators
/// people type inside numbers (`0812-3456 7890`, `35.15.14…`).
pub(crate) fn compact(input: &str, drop: &[char]) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && !drop.contains(c))
        .collect()
}

/// Implements `Deserialize` for an identifier by running its parser on the string,
/// so a value read from storage or the network is validated again. The error names
/// the problem code only, never the value.
macro_rules! deserialize_via_parse {
    ($t:ty, $parse:expr) => {
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                let parse: fn(&str) -> Result<$t, crate::base::issue::Problem> = $parse;
                parse(&s).map_err(|p| serde::de::Error::custom(p.code))
            }
        }
    };
}
pub(crate) use deserialize_via_parse;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::lang::Lang;
    use crate::base::messages;

    #[test]
    fn compact_drops_whitespace_and_listed_separators() {
        assert_eq!(compact(" 0812-3456.78\t90 ", &['-', '.']), "081234567890");
        assert_eq!(compact("a-b", &[]), "a-b");
    }

    #[test]
    fn identifiers_round_trip_through_serde_and_are_validated_on_read() {
        let nik = nik::Nik::parse("3515140508680001").unwrap();
        let json = serde_json::to_string(&nik).unwrap();
        assert_eq!(serde_json::from_str::<nik::Nik>(&json).unwrap(), nik);
        let kpj = kpj::Kpj::parse("23012345678").unwrap();
        assert_eq!(
            serde_json::from_value::<kpj::Kpj>(serde_json::to_value(&kpj).unwrap()).unwrap(),
            kpj
        );
        let email = email::Email::parse("siti@gmail.com").unwrap();
        assert_eq!(
            serde_json::from_value::<email::Email>(serde_json::to_value(&email).unwrap()).unwrap(),
            email
        );
        let pass = passport::Passport::parse("A1234567").unwrap().value;
        assert_eq!(
            serde_json::from_value::<passport::Passport>(serde_json::to_value(&pass).unwrap())
                .unwrap(),
            pass
        );
        let phone = phone::Phone::parse("012-345 6789", "MY").unwrap().value;
        let back: phone::Phone =
            serde_json::from_value(serde_json::to_value(&phone).unwrap()).unwrap();
        assert_eq!(back, phone);
        assert_eq!(back.region(), Some("MY"));
        // A bad stored value is refused, and the error names the code, not the value.
        let err = serde_json::from_str::<nik::Nik>("\"2015140508680001\"")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("nik.province_unknown") && !err.contains("2015"),
            "{err}"
        );
    }

    #[test]
    fn every_domain_message_renders_in_both_languages() {
        for (code, _, _) in messages::domain::MESSAGES {
            for lang in [Lang::Id, Lang::En] {
                let text = messages::render(code, lang, &[]);
                assert_ne!(text, *code, "{code} missing");
            }
        }
    }
}
