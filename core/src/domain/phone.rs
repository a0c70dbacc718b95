//! Phone numbers, stored in E.164 (`+6281234567890`). Parsing and validity come
//! from the `phonenumber` crate (libphonenumber metadata) for Indonesia and every
//! destination; we only pre-normalise what people type (spaces, dashes, `00`).

use phonenumber::{Mode, Type};
use serde::Serialize;

use super::{compact, country, Checked};
use crate::issue::Problem;

/// A valid phone number in E.164 form. `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone {
    e164: String,
    region: Option<String>,
}

/// Digits in an E.164 number are at most 15; we allow a little slack for trunk
/// prefixes and reject longer input before the parser sees it.
const MAX_DIGITS: usize = 17;

impl Phone {
    /// Parses a number typed by the user. Spaces, dashes, dots and parentheses are
    /// ignored and a leading `00` means `+`. A number without `+` is read as a
    /// national number of `default_country` (ISO 3166 alpha-2, e.g. `ID`, `MY`).
    ///
    /// Errors: `phone.invalid` (`{country}` assumed, `{example}` of that country).
    /// Warning: `phone.not_mobile` for a valid number that is not a mobile one.
    pub fn parse(input: &str, default_country: &str) -> Result<Checked<Phone>, Problem> {
        let default = default_country.trim().to_ascii_uppercase();
        let mut s = compact(input, &['-', '.', '(', ')']);
        if let Some(rest) = s.strip_prefix("00") {
            s = format!("+{rest}");
        }
        let international = s.starts_with('+');
        let digits = s.strip_prefix('+').unwrap_or(&s);
        let invalid = || invalid(international.then_some(digits), &default);
        if digits.len() < 4 || digits.len() > MAX_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let region: Option<phonenumber::country::Id> = default.parse().ok();
        if !international && region.is_none() {
            return Err(invalid());
        }
        // An international number is parsed with no default region: phonenumber 0.3.10
        // strips the default region's trunk `0` from it otherwise (`+39 06…` with
        // default ID lost Italy's leading zero; found by the idempotence property).
        let hint = if international { None } else { region };
        // The parser has `unwrap`s inside; input is reduced to `+` and digits above,
        // and a panic on some exotic number must still become a validation error.
        let parsed = std::panic::catch_unwind(|| phonenumber::parse(hint, &s)).ok().and_then(Result::ok);
        let Some(number) = parsed.filter(phonenumber::is_valid) else {
            return Err(invalid());
        };
        let e164 = number.format().mode(Mode::E164).to_string();
        let region = number.country().id().map(|id| id.as_ref().to_string());
        let kind = number.number_type(&phonenumber::metadata::DATABASE);
        let mut checked = Checked::clean(Phone { e164, region });
        if !matches!(kind, Type::Mobile | Type::FixedLineOrMobile) {
            checked.warnings.push(Problem::warning("phone.not_mobile"));
        }
        Ok(checked)
    }

    /// The number in E.164 form (`+` and digits).
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// Same as [`Phone::e164`]: the stored form.
    pub fn as_str(&self) -> &str {
        &self.e164
    }

    /// The ISO code of the number's country, when the metadata knows it.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }
}

/// `phone.invalid`, naming the country assumed: the one whose dialing code starts
/// an international number, else the default country.
fn invalid(international_digits: Option<&str>, default: &str) -> Problem {
    let assumed = match international_digits {
        Some(d) => country::countries()
            .iter()
            .filter(|c| d.starts_with(c.dialing_code.trim_start_matches('+')))
            .max_by_key(|c| c.dialing_code.len()),
        None => country::find(default),
    };
    let (name, example) = match assumed {
        Some(c) => (format!("{} ({})", c.code, c.dialing_code), c.mobile_example.clone()),
        None if international_digits.is_some() => ("+".to_string(), "+62 812-3456-7890".to_string()),
        None => (default.to_string(), "+62 812-3456-7890".to_string()),
    };
    Problem::error("phone.invalid").with("country", name).with("example", example)
}

impl std::fmt::Debug for Phone {
    // Hand-written: a phone number is personal data; the region is not.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Phone").field("region", &self.region).finish_non_exhaustive()
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.e164)
    }
}

impl Serialize for Phone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.e164)
    }
}

super::deserialize_via_parse!(Phone, |s| Phone::parse(s, "ID").map(|c| c.value));

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(input: &str, country: &str) -> Checked<Phone> {
        Phone::parse(input, country).unwrap_or_else(|p| panic!("{input} ({country}): {}", p.code))
    }

    #[test]
    fn indonesian_mobile_becomes_e164() {
        let p = ok("0812-3456-7890", "ID");
        assert_eq!(p.value.e164(), "+6281234567890");
        assert_eq!(p.value.region(), Some("ID"));
        assert!(p.warnings.is_empty());
        assert_eq!(ok("+62 812 3456 7890", "MY").value.e164(), "+6281234567890");
        assert_eq!(ok("0062 (812) 3456.7890", "TW").value.e164(), "+6281234567890");
        assert_eq!(ok("0812 3456 7890", "id").value.to_string(), "+6281234567890");
    }

    #[test]
    fn destination_mobiles_from_identifiers_md_parse() {
        let cases = [
            ("MY", "012-345 6789", "+60123456789"),
            ("SG", "8123 4567", "+6581234567"),
            ("SG", "9123 4567", "+6591234567"),
            ("HK", "5123 4567", "+85251234567"),
            ("HK", "9123 4567", "+85291234567"),
            ("TW", "0912 345 678", "+886912345678"),
            ("SA", "050 123 4567", "+966501234567"),
            ("KR", "010-1234-5678", "+821012345678"),
            ("JP", "090-1234-5678", "+819012345678"),
            ("JP", "080-1234-5678", "+818012345678"),
            ("JP", "070-1234-5678", "+817012345678"),
        ];
        for (country, input, e164) in cases {
            let p = ok(input, country);
            assert_eq!(p.value.e164(), e164, "{country} {input}");
            assert_eq!(p.value.region(), Some(country));
            assert!(p.warnings.is_empty(), "{country} {input} not mobile");
        }
    }

    #[test]
    fn every_country_example_is_a_valid_mobile_of_that_country() {
        for c in country::countries() {
            let p = ok(&c.mobile_example, &c.code);
            assert_eq!(p.value.region(), Some(c.code.as_str()), "{}", c.code);
            assert!(p.value.e164().starts_with(&c.dialing_code), "{}", c.code);
            assert!(p.warnings.is_empty(), "{} example is not mobile", c.code);
        }
    }

    #[test]
    fn invalid_number_names_the_assumed_country_and_an_example() {
        let p = Phone::parse("0812", "ID").unwrap_err();
        assert_eq!(p.code, "phone.invalid");
        assert_eq!(
            p.params,
            vec![("country", "ID (+62)".to_string()), ("example", "0812-3456-7890".to_string())]
        );
        let p = Phone::parse("+60 1", "ID").unwrap_err();
        assert_eq!(p.params[0], ("country", "MY (+60)".to_string()));
        let p = Phone::parse("+852 1234", "ID").unwrap_err();
        assert_eq!(p.params[0], ("country", "HK (+852)".to_string()));
        assert_eq!(Phone::parse("hello", "ID").unwrap_err().code, "phone.invalid");
        assert_eq!(Phone::parse("0812 3456 7890", "ZZ").unwrap_err().code, "phone.invalid");
        assert_eq!(Phone::parse("", "ID").unwrap_err().code, "phone.invalid");
    }

    #[test]
    fn international_number_ignores_the_default_country() {
        // Italian fixed lines keep their leading zero whatever the default country.
        for c in ["ID", "MY", "SG", "IT"] {
            let p = ok("+39 06 1234 5678", c);
            assert_eq!(p.value.e164(), "+390612345678", "{c}");
            assert_eq!(ok(p.value.e164(), "ID").value, p.value);
        }
        assert_eq!(ok("+39010000", "ID").value.e164(), "+39010000");
    }

    #[test]
    fn landline_is_accepted_with_a_warning() {
        // Jakarta fixed line.
        let p = ok("021 5123 4567", "ID");
        assert_eq!(p.value.e164(), "+622151234567");
        assert_eq!(p.warnings.iter().map(|w| w.code).collect::<Vec<_>>(), vec!["phone.not_mobile"]);
    }

    #[test]
    fn phone_debug_is_redacted() {
        let p = ok("0812-3456-7890", "ID").value;
        let shown = format!("{p:?}");
        assert!(!shown.contains("3456") && shown.contains("ID"), "{shown}");
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"+6281234567890\"");
    }

    proptest! {
        #[test]
        fn phone_parse_never_panics(s in "\\PC*", c in "[A-Z]{2}") {
            let _ = Phone::parse(&s, &c);
        }

        #[test]
        fn phone_parse_never_panics_on_digit_strings(s in "(\\+|00)?[0-9 -]{0,20}", c in prop::sample::select(vec!["ID", "MY", "HK", "TW", "SA", "KR", "JP", "SG"])) {
            let _ = Phone::parse(&s, c);
        }

        #[test]
        fn phone_normalization_is_idempotent(s in "(\\+|00)?[0-9]{6,14}", c in prop::sample::select(vec!["ID", "MY", "HK", "TW", "SA", "KR", "JP", "SG"])) {
            if let Ok(p) = Phone::parse(&s, c) {
                let again = Phone::parse(p.value.as_str(), "ID").unwrap();
                prop_assert_eq!(again.value, p.value);
            }
        }
    }
}
