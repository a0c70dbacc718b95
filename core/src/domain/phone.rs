//! Phone numbers, stored in E.164 (`+6281234567890`). Validity and mobile/fixed come
//! from our own numbering plans (`phone_plan`, data in `core/data/phone_plans.json`)
//! for Indonesia and every destination; other countries are checked on their calling
//! code and length only. Input rules are documented on [`Phone::parse`].

use serde::Serialize;

use super::phone_plan::{plans, Destination, Kind, Plan, Plans};
use super::{compact, country, Checked};
use crate::base::issue::Problem;

/// A valid phone number in E.164 form. `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone {
    e164: String,
    region: Option<String>,
}

/// Digits people may type: 15 in E.164, plus room for an international call prefix
/// (`00700`) or a trunk zero. Longer input is refused before any lookup.
const MAX_DIGITS: usize = 21;

/// E.164: at most 15 digits after the `+`.
const E164_MAX: usize = 15;

/// The shortest whole international number (calling code and national number)
/// accepted for a country outside our tables.
const UNPLANNED_MIN: usize = 8;

/// Indonesia's calling code: `62812…` without `+` is how WhatsApp shows numbers.
const INDONESIA: &str = "62";

impl Phone {
    /// Parses a number typed by the user. Spaces, dashes, dots and parentheses are
    /// ignored. Rules, in order:
    ///
    /// - `+` or `00` starts an international number: calling code, then the
    ///   national number, which must be valid in that country's plan. A trunk `0`
    ///   typed after the calling code (`+62 0812…`) is dropped when the number is
    ///   valid without it (Italy, whose leading `0` is part of the number, has no
    ///   trunk prefix and keeps it). A country outside our tables is accepted on
    ///   its calling code and length (`phone.unchecked` warning, no region).
    /// - Other digits are a national number of `default_country` (ISO 3166
    ///   alpha-2, e.g. `ID`, `MY`), with or without its trunk prefix (`0812…` or
    ///   `812…`).
    /// - If that is not valid, digits starting with the default country's calling
    ///   code or Indonesia's `62` are read as international (`62812…` copied from
    ///   WhatsApp), then digits starting with one of the default country's
    ///   international call prefixes (`002` in Taiwan, `001`/`007`/`008` in Indonesia).
    ///
    /// Errors: `phone.invalid` (`{country}` assumed, `{example}` of that country).
    /// Warnings: `phone.not_mobile` for a valid number that is not a mobile one,
    /// `phone.unchecked` for a number of a country we have no plan for.
    pub fn parse(input: &str, default_country: &str) -> Result<Checked<Phone>, Problem> {
        parse_with(plans(), input, default_country)
    }

    /// The number in E.164 form (`+` and digits).
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// Same as [`Phone::e164`]: the stored form.
    pub fn as_str(&self) -> &str {
        &self.e164
    }

    /// The ISO code of the number's country; `None` for a country outside our plans
    /// (accepted on its calling code and length only).
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }
}

/// [`Phone::parse`] against a given set of plans (tests use synthetic ones).
fn parse_with(
    plans: &Plans,
    input: &str,
    default_country: &str,
) -> Result<Checked<Phone>, Problem> {
    let default = default_country.trim().to_ascii_uppercase();
    let s = compact(input, &['-', '.', '(', ')']);
    let plus = s.starts_with('+');
    let (international, digits) = match s.strip_prefix('+').or_else(|| s.strip_prefix("00")) {
        Some(rest) => (true, rest),
        None => (false, s.as_str()),
    };
    let invalid = || invalid(international.then_some(digits), &default);
    if digits.len() < 4 || digits.len() > MAX_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(invalid());
    }
    let plan = plans.for_country(&default);
    let found = if plus {
        international_number(plans, digits)
    } else if international {
        // `00…`, else one of the country's longer call prefixes (`002…` in Taiwan).
        let abroad = international_number(plans, digits)
            .or_else(|| plan.and_then(|p| after_call_prefix(plans, p, &s)));
        // Some plans have national numbers that begin with `00` (Qatar's toll-free
        // 00800/00801). Read the digits as such a number when they are one and the
        // international reading is no clean number of a known country.
        let at_home = plan.and_then(|p| national_number(plans, p, &s));
        match (abroad, at_home) {
            (Some(a), Some(h)) if !a.warnings.is_empty() => Some(h),
            (Some(a), _) => Some(a),
            (None, h) => h,
        }
    } else {
        plan.and_then(|p| national_number(plans, p, digits))
    };
    found.ok_or_else(invalid)
}

/// Digits starting with one of `plan`'s international call prefixes besides `00`.
fn after_call_prefix(plans: &Plans, plan: &Plan, digits: &str) -> Option<Checked<Phone>> {
    plan.idd
        .iter()
        .filter_map(|idd| digits.strip_prefix(idd.as_str()))
        .find_map(|rest| international_number(plans, rest))
}

/// A number typed without `+` or `00`, in the default country `plan`.
fn national_number(plans: &Plans, plan: &Plan, digits: &str) -> Option<Checked<Phone>> {
    // Every plan of the default country's calling code, in table order (a Canadian
    // number typed in the US): the same order as for `+1…`, so that the region of a
    // number does not depend on how it was typed.
    let same_code = plans
        .plans
        .iter()
        .filter(|p| p.calling_code == plan.calling_code);
    let mut national = None;
    'plans: for p in same_code {
        let trunk = p.trunk_prefix.as_str();
        let stripped = digits.strip_prefix(trunk).filter(|_| !trunk.is_empty());
        for nsn in stripped.into_iter().chain([digits]) {
            if let Some(kind) = p.classify(nsn) {
                national = Some(phone(&p.calling_code, nsn, Some(&p.country), kind));
                break 'plans;
            }
        }
    }
    // A calling code typed without `+` (ours or Indonesia's only, so that a mistyped
    // local number is not read as some far-away country's). Taken when the digits
    // are no national number, or only a non-mobile one written without the trunk
    // prefix: `62812345678` is a pasted Indonesian mobile, not a landline in area
    // 0628 (in a country with a trunk prefix, people write landlines with it).
    let no_trunk = !plan.trunk_prefix.is_empty() && !digits.starts_with(&plan.trunk_prefix);
    let may_be_international = match &national {
        None => true,
        Some(n) => no_trunk && !n.warnings.is_empty(),
    };
    if may_be_international {
        for code in [plan.calling_code.as_str(), INDONESIA] {
            let Some(found) = digits
                .starts_with(code)
                .then(|| international_number(plans, digits))
                .flatten()
                .filter(|f| f.value.e164[1..].starts_with(code))
            else {
                continue;
            };
            if national.is_none() || found.warnings.is_empty() {
                return Some(found);
            }
        }
    }
    if national.is_some() {
        return national;
    }
    // Or the country's own international call prefix (`010 62 812…` in Japan).
    after_call_prefix(plans, plan, digits)
}

/// Digits after `+`: calling code, then a national number valid there.
fn international_number(plans: &Plans, digits: &str) -> Option<Checked<Phone>> {
    let (destination, nsn) = plans.split(digits)?;
    match destination {
        Destination::Planned(candidates) => {
            let found = candidates
                .iter()
                .find_map(|p| p.classify(nsn).map(|kind| (p, nsn, kind)))
                .or_else(|| {
                    // A trunk prefix typed after the calling code (`+62 0812…`).
                    candidates.iter().find_map(|p| {
                        let trunk = p.trunk_prefix.as_str();
                        let rest = nsn.strip_prefix(trunk).filter(|_| !trunk.is_empty())?;
                        p.classify(rest).map(|kind| (p, rest, kind))
                    })
                });
            let (p, nsn, kind) = found?;
            Some(phone(&p.calling_code, nsn, Some(&p.country), kind))
        }
        Destination::Unplanned(lengths) => {
            let total = digits.len();
            if !lengths.contains(nsn.len()) || !(UNPLANNED_MIN..=E164_MAX).contains(&total) {
                return None;
            }
            let code = &digits[..digits.len() - nsn.len()];
            let mut checked = phone(code, nsn, None, Kind::Mobile);
            checked.warnings.push(Problem::warning("phone.unchecked"));
            Some(checked)
        }
    }
}

/// The E.164 result, with `phone.not_mobile` for a number that is not mobile.
fn phone(calling_code: &str, nsn: &str, region: Option<&str>, kind: Kind) -> Checked<Phone> {
    let mut checked = Checked::clean(Phone {
        e164: format!("+{calling_code}{nsn}"),
        region: region.map(str::to_string),
    });
    if kind == Kind::Other {
        checked.warnings.push(Problem::warning("phone.not_mobile"));
    }
    checked
}

/// `phone.invalid`, naming the country assumed: the one whose dialing code starts
/// an international number, else the default country.
fn invalid(international_digits: Option<&str>, default: &str) -> Problem {
    // An international number whose calling code is no known country names the
    // default country instead: `{country}` is never left empty or a bare `+`.
    let assumed = international_digits
        .and_then(|d| {
            country::countries()
                .iter()
                .filter(|c| d.starts_with(c.dialing_code.trim_start_matches('+')))
                .max_by_key(|c| c.dialing_code.len())
        })
        .or_else(|| country::find(default));
    let (name, example) = match assumed {
        Some(c) => (
            format!("{} ({})", c.code, c.dialing_code),
            c.mobile_example.clone(),
        ),
        // No country given at all: the example is Indonesian, so is the name.
        None if default.is_empty() => ("ID (+62)".to_string(), "+62 812-3456-7890".to_string()),
        None => (default.to_string(), "+62 812-3456-7890".to_string()),
    };
    Problem::error("phone.invalid")
        .with("country", name)
        .with("example", example)
}

impl std::fmt::Debug for Phone {
    // Hand-written: a phone number is personal data; the region is not.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Phone")
            .field("region", &self.region)
            .finish_non_exhaustive()
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
        assert_eq!(
            ok("0062 (812) 3456.7890", "TW").value.e164(),
            "+6281234567890"
        );
        assert_eq!(
            ok("0812 3456 7890", "id").value.to_string(),
            "+6281234567890"
        );
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
            vec![
                ("country", "ID (+62)".to_string()),
                ("example", "0812-3456-7890".to_string())
            ]
        );
        let p = Phone::parse("+60 1", "ID").unwrap_err();
        assert_eq!(p.params[0], ("country", "MY (+60)".to_string()));
        let p = Phone::parse("+852 1234", "ID").unwrap_err();
        assert_eq!(p.params[0], ("country", "HK (+852)".to_string()));
        assert_eq!(
            Phone::parse("hello", "ID").unwrap_err().code,
            "phone.invalid"
        );
        assert_eq!(
            Phone::parse("0812 3456 7890", "ZZ").unwrap_err().code,
            "phone.invalid"
        );
        assert_eq!(Phone::parse("", "ID").unwrap_err().code, "phone.invalid");
    }

    /// Regression (gate, proptest): Qatar's toll-free 00800/00801 numbers begin with
    /// the international prefix `00`; they were refused, and the message named `+`.
    #[test]
    fn national_numbers_that_begin_with_00_are_read_at_home() {
        let p = ok("00801000000", "QA");
        assert_eq!(p.value.e164(), "+97400801000000");
        assert_eq!(p.value.region(), Some("QA"));
        assert_eq!(warnings(&p), ["phone.not_mobile"]);
        let again = ok(p.value.e164(), "ID");
        assert_eq!(again.value, p.value);
        // `00` still starts an international number wherever it makes one.
        assert_eq!(ok("0060 12 345 6789", "QA").value.e164(), "+60123456789");
        assert_eq!(ok("00 62 812 3456 7890", "QA").value.region(), Some("ID"));
    }

    #[test]
    fn an_unknown_calling_code_names_the_default_country_not_a_bare_plus() {
        let p = Phone::parse("00801", "QA").unwrap_err();
        assert_eq!(p.params[0], ("country", "QA (+974)".to_string()));
        let p = Phone::parse("+999 1234 5678", "MY").unwrap_err();
        assert_eq!(p.params[0], ("country", "MY (+60)".to_string()));
        let p = Phone::parse("+999 1234 5678", "").unwrap_err();
        assert_eq!(p.params[0], ("country", "ID (+62)".to_string()));
        for (_, value) in &p.params {
            assert!(!value.trim().is_empty() && value != "+");
        }
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
        assert_eq!(
            p.warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
            vec!["phone.not_mobile"]
        );
    }

    #[test]
    fn phone_debug_is_redacted() {
        let p = ok("0812-3456-7890", "ID").value;
        let shown = format!("{p:?}");
        assert!(!shown.contains("3456") && shown.contains("ID"), "{shown}");
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"+6281234567890\"");
    }

    fn warnings(c: &Checked<Phone>) -> Vec<&'static str> {
        c.warnings.iter().map(|w| w.code).collect()
    }

    #[test]
    fn trunk_zero_after_the_calling_code_is_dropped() {
        for (input, e164) in [
            ("+62 0812-3456-7890", "+6281234567890"),
            ("0062 0812 3456 7890", "+6281234567890"),
            ("+60 012-345 6789", "+60123456789"),
            ("+886 0912 345 678", "+886912345678"),
            ("+90 0501 234 56 78", "+905012345678"),
        ] {
            let p = ok(input, "HK");
            assert_eq!(p.value.e164(), e164, "{input}");
            assert!(p.warnings.is_empty(), "{input}");
        }
        // Italy has no trunk prefix: its leading zero is part of the number.
        assert_eq!(ok("+39 06 1234 5678", "ID").value.e164(), "+390612345678");
        // Hong Kong has none either, and 0… is no Hong Kong number.
        assert!(Phone::parse("+852 0512 3456", "ID").is_err());
    }

    #[test]
    fn calling_code_without_plus_is_read_as_international() {
        // WhatsApp shows Indonesian numbers as 62812…; families copy them.
        for default in ["ID", "MY", "TW", "HK", "SA"] {
            let p = ok("62 812-3456-7890", default);
            assert_eq!(p.value.e164(), "+6281234567890", "{default}");
            assert_eq!(p.value.region(), Some("ID"));
        }
        assert_eq!(ok("62 0812 3456 7890", "ID").value.e164(), "+6281234567890");
        // The default country's own code too.
        assert_eq!(ok("60 12-345 6789", "MY").value.e164(), "+60123456789");
        // But not some other country's: 852… typed in Malaysia is not Hong Kong.
        assert!(Phone::parse("852 5123 4567", "MY").is_err());
        // A valid national number wins over the calling-code reading…
        assert_eq!(ok("0621 234 5678", "ID").value.e164(), "+626212345678");
        assert_eq!(ok("0628 1234 5678", "ID").value.e164(), "+6262812345678");
        // …unless it is a landline written without its trunk 0 and the other
        // reading is a mobile: 62812345678 is +62 812-345-678, not area 0628.
        let p = ok("62812345678", "ID");
        assert_eq!(p.value.e164(), "+62812345678");
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn international_call_prefixes_of_the_default_country() {
        assert_eq!(
            ok("002 62 812 3456 7890", "TW").value.e164(),
            "+6281234567890"
        );
        assert_eq!(
            ok("010 62 812 3456 7890", "JP").value.e164(),
            "+6281234567890"
        );
        assert_eq!(ok("001 852 5123 4567", "ID").value.e164(), "+85251234567");
        assert_eq!(
            ok("007 886 912 345 678", "ID").value.e164(),
            "+886912345678"
        );
        // Not a Taiwan prefix in Indonesia.
        assert!(Phone::parse("002 62 812 3456 7890", "ID").is_err());
    }

    #[test]
    fn country_outside_our_plans_is_checked_on_calling_code_and_length() {
        // A UK mobile and a US number: accepted, no region, flagged as unchecked.
        let uk = ok("+44 7911 123456", "ID");
        assert_eq!(uk.value.e164(), "+447911123456");
        assert_eq!(uk.value.region(), None);
        assert_eq!(warnings(&uk), vec!["phone.unchecked"]);
        assert_eq!(ok("001 212 555 0123", "MY").value.e164(), "+12125550123");
        assert_eq!(ok(uk.value.e164(), "HK").value, uk.value);
        for bad in [
            "+44 7911 12345678",      // too long for the UK
            "+1 212 555 01",          // too short for +1
            "+990 1234 5678",         // no such calling code
            "+44 7911 1234567890123", // longer than E.164
        ] {
            assert!(Phone::parse(bad, "ID").is_err(), "{bad}");
        }
    }

    #[test]
    fn other_services_and_premium_rate() {
        // Toll-free is valid but not mobile; premium-rate is no contact number.
        let p = ok("0800 1234 567", "ID");
        assert_eq!(warnings(&p), vec!["phone.not_mobile"]);
        assert!(Phone::parse("0809 1234 567", "ID").is_err());
    }

    #[test]
    fn shared_calling_code_goes_to_the_country_whose_prefixes_match() {
        // Synthetic +1 plans: our data has no shared code today, the parser must
        // still pick the region by leading digits and keep it however typed.
        let json = r#"{"plans":[
            {"country":"US","calling_code":"1","trunk_prefix":"1","idd":"011","lengths":"10",
             "mobile":{"10":"201 212"},"other":{"10":"800"}},
            {"country":"CA","calling_code":"1","trunk_prefix":"1","idd":"011","lengths":"10",
             "mobile":{"10":"204 416"},"other":{"10":"800"}}],
            "other_calling_codes":{"62":"9-12"}}"#;
        let plans = Plans::from_json(json).unwrap();
        let region = |input: &str, default: &str| {
            let p = parse_with(&plans, input, default).unwrap().value;
            (p.e164().to_string(), p.region().map(str::to_string))
        };
        let toronto = ("+14165550123".to_string(), Some("CA".to_string()));
        assert_eq!(region("+1 416 555 0123", "US"), toronto);
        assert_eq!(region("1 416 555 0123", "US"), toronto);
        assert_eq!(region("(416) 555-0123", "US"), toronto);
        assert_eq!(region("416 555 0123", "CA"), toronto);
        let ny = region("212 555 0123", "CA");
        assert_eq!(ny.1.as_deref(), Some("US"));
        // A number valid in both goes to the first plan, however typed.
        assert_eq!(region("800 555 0123", "CA").1.as_deref(), Some("US"));
        assert!(parse_with(&plans, "+1 999 555 0123", "US").is_err());
        assert_eq!(region("011 62 812 3456 789", "US").1, None);
    }

    /// A valid national number of `plan` of length `len` starting with `prefix`.
    fn national_strategy() -> impl Strategy<Value = (String, String)> {
        let cases: Vec<(String, String, usize)> = plans()
            .plans
            .iter()
            .flat_map(|p| {
                let (mobile, other) = p.rules();
                mobile.iter().chain(other).flat_map(move |r| {
                    (1..=17)
                        .filter(|&n| r.lengths.contains(n) && n >= r.prefix.len())
                        .map(move |n| (p.country.clone(), r.prefix.clone(), n))
                })
            })
            .collect();
        prop::sample::select(cases).prop_flat_map(|(country, prefix, len)| {
            let tail = prop::collection::vec(0u8..10, len - prefix.len());
            let digits = tail.prop_map(move |t| {
                let t: String = t.iter().map(|d| char::from(b'0' + d)).collect();
                format!("{prefix}{t}")
            });
            (Just(country), digits)
        })
    }

    proptest! {
        #[test]
        fn a_valid_national_number_round_trips_through_its_international_form(
            (country, nsn) in national_strategy(),
            other in prop::sample::select(vec!["ID", "MY", "HK", "TW", "IT"]),
        ) {
            let plan = plans().for_country(&country).unwrap();
            let national = format!("{}{nsn}", plan.trunk_prefix);
            let p = Phone::parse(&national, &country).unwrap();
            prop_assert_eq!(p.value.e164(), format!("+{}{nsn}", plan.calling_code));
            prop_assert_eq!(p.value.region(), Some(country.as_str()));
            let again = Phone::parse(p.value.e164(), other).unwrap();
            prop_assert_eq!(&again.value, &p.value);
            prop_assert_eq!(again.warnings, p.warnings);
        }

        #[test]
        fn e164_output_is_plus_and_at_most_15_digits(
            s in "(\\+|00)?[0-9 ]{4,24}",
            c in prop::sample::select(country::countries().iter().map(|c| c.code.clone()).collect::<Vec<_>>()),
        ) {
            if let Ok(p) = Phone::parse(&s, &c) {
                let digits = p.value.e164().strip_prefix('+').unwrap();
                prop_assert!(digits.len() <= 15 && digits.bytes().all(|b| b.is_ascii_digit()));
                let again = Phone::parse(p.value.e164(), "JO").unwrap();
                prop_assert_eq!(again.value, p.value);
            }
        }

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
