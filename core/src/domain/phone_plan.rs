//! National numbering plans of Indonesia and the destinations, as data: calling
//! code, trunk prefix, and the leading digits and lengths of mobile and other valid
//! numbers (`core/data/phone_plans.json`, generated from libphonenumber's metadata by
//! `scripts/phone_plans.py`). Plain prefix lists, no regex; parsed once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

const BUILTIN: &str = include_str!("../../data/phone_plans.json");

/// Longest national significant number we represent (a length bitmask is a `u32`).
const MAX_NSN: usize = 17;

/// A set of national-number lengths, as a bitmask (bit `n` = length `n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Lengths(u32);

impl Lengths {
    /// Parses `"8"`, `"9-12"`, `"6,8-10"`.
    fn parse(spec: &str) -> Result<Lengths, String> {
        let mut bits = 0u32;
        for part in spec.split(',') {
            let (lo, hi) = part.split_once('-').unwrap_or((part, part));
            let bad = || format!("bad length spec {spec:?}");
            let lo: usize = lo.trim().parse().map_err(|_| bad())?;
            let hi: usize = hi.trim().parse().map_err(|_| bad())?;
            if lo == 0 || lo > hi || hi > MAX_NSN {
                return Err(bad());
            }
            for n in lo..=hi {
                bits |= 1 << n;
            }
        }
        Ok(Lengths(bits))
    }

    /// Whether a number of `n` digits has one of these lengths.
    pub(crate) fn contains(self, n: usize) -> bool {
        n <= MAX_NSN && self.0 & (1 << n) != 0
    }

    fn union(self, other: Lengths) -> Lengths {
        Lengths(self.0 | other.0)
    }
}

/// Leading digits and the lengths of the numbers that start with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rule {
    pub(crate) prefix: String,
    pub(crate) lengths: Lengths,
}

/// What a valid national number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A mobile number (or one that may be mobile or fixed).
    Mobile,
    /// A fixed line or another non-mobile service (toll-free, VoIP, UAN, pager…).
    Other,
}

/// The numbering plan of one country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// ISO 3166 alpha-2 code (`ID`).
    pub(crate) country: String,
    /// Calling code without `+` (`62`).
    pub(crate) calling_code: String,
    /// Trunk prefix dialled before national numbers (`0`), empty when there is none.
    pub(crate) trunk_prefix: String,
    /// International call prefixes besides `00` (`002` in Taiwan), longest first.
    pub(crate) idd: Vec<String>,
    /// Every valid national significant number length.
    pub(crate) lengths: Lengths,
    mobile: Vec<Rule>,
    other: Vec<Rule>,
}

impl Plan {
    /// The kind of this national significant number, `None` when it is not valid here.
    pub(crate) fn classify(&self, nsn: &str) -> Option<Kind> {
        let matches = |rules: &[Rule]| {
            rules
                .iter()
                .any(|r| nsn.starts_with(&r.prefix) && r.lengths.contains(nsn.len()))
        };
        if !self.lengths.contains(nsn.len()) {
            None
        } else if matches(&self.mobile) {
            Some(Kind::Mobile)
        } else if matches(&self.other) {
            Some(Kind::Other)
        } else {
            None
        }
    }

    /// All rules, mobile first (for the data checks).
    #[cfg(test)]
    pub(crate) fn rules(&self) -> (&[Rule], &[Rule]) {
        (&self.mobile, &self.other)
    }
}

/// All plans, plus the possible lengths under every other calling code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Plans {
    /// Our countries, in the order of `countries.json`; the first plan of a shared
    /// calling code whose rules match a number gets it.
    pub(crate) plans: Vec<Plan>,
    /// Calling codes of the rest of the world → possible national lengths.
    pub(crate) other_codes: BTreeMap<String, Lengths>,
}

/// Where an international number's calling code leads.
pub(crate) enum Destination<'a> {
    /// One of our countries (several when they share the calling code).
    Planned(Vec<&'a Plan>),
    /// A country outside our tables: only the length can be checked.
    Unplanned(Lengths),
}

impl Plans {
    /// Parses and checks the JSON data file.
    pub(crate) fn from_json(json: &str) -> Result<Plans, String> {
        let raw: RawFile = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let mut plans = Vec::new();
        for p in raw.plans {
            let rules = |groups: &BTreeMap<String, String>| -> Result<Vec<Rule>, String> {
                let mut out = Vec::new();
                for (spec, prefixes) in groups {
                    let lengths = Lengths::parse(spec)?;
                    for prefix in prefixes.split_whitespace() {
                        if !is_digits(prefix) {
                            return Err(format!("{}: bad prefix {prefix:?}", p.country));
                        }
                        out.push(Rule {
                            prefix: prefix.to_string(),
                            lengths,
                        });
                    }
                }
                Ok(out)
            };
            let plan = Plan {
                mobile: rules(&p.mobile)?,
                other: rules(&p.other)?,
                lengths: Lengths::parse(&p.lengths)?,
                idd: {
                    let mut idd: Vec<String> =
                        p.idd.split_whitespace().map(str::to_string).collect();
                    idd.sort_by_key(|s| std::cmp::Reverse(s.len()));
                    idd
                },
                country: p.country,
                calling_code: p.calling_code,
                trunk_prefix: p.trunk_prefix,
            };
            let all = plan.mobile.iter().chain(&plan.other);
            let derived = all.fold(Lengths::default(), |acc, r| acc.union(r.lengths));
            if derived != plan.lengths
                || !is_digits(&plan.calling_code)
                || !plan.idd.iter().all(|s| is_digits(s))
                || !(plan.trunk_prefix.is_empty() || is_digits(&plan.trunk_prefix))
            {
                return Err(format!("{}: inconsistent plan", plan.country));
            }
            plans.push(plan);
        }
        let mut other_codes = BTreeMap::new();
        for (code, spec) in raw.other_calling_codes {
            if !is_digits(&code) || plans.iter().any(|p| p.calling_code == code) {
                return Err(format!("bad other calling code {code}"));
            }
            other_codes.insert(code, Lengths::parse(&spec)?);
        }
        Ok(Plans { plans, other_codes })
    }

    /// The plan of a country (ISO code, case-insensitive).
    pub(crate) fn for_country(&self, iso: &str) -> Option<&Plan> {
        self.plans
            .iter()
            .find(|p| p.country.eq_ignore_ascii_case(iso))
    }

    /// Splits the calling code off the digits of an international number. Calling
    /// codes are prefix-free (ITU-T E.164), so at most one of 1–3 digits matches.
    pub(crate) fn split<'a>(&self, digits: &'a str) -> Option<(Destination<'_>, &'a str)> {
        (1..=3).filter(|&n| n <= digits.len()).find_map(|n| {
            let (code, rest) = digits.split_at(n);
            let planned: Vec<&Plan> = self
                .plans
                .iter()
                .filter(|p| p.calling_code == code)
                .collect();
            if !planned.is_empty() {
                Some((Destination::Planned(planned), rest))
            } else {
                let lengths = self.other_codes.get(code)?;
                Some((Destination::Unplanned(*lengths), rest))
            }
        })
    }
}

/// The built-in plans. The file is compiled in and checked by
/// `builtin_plans_parse_and_cover_every_country`, so the empty fallback (every
/// number invalid) is never taken in a tested build.
pub(crate) fn plans() -> &'static Plans {
    static PLANS: OnceLock<Plans> = OnceLock::new();
    PLANS.get_or_init(|| Plans::from_json(BUILTIN).unwrap_or_default())
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[derive(Deserialize)]
struct RawFile {
    plans: Vec<RawPlan>,
    other_calling_codes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct RawPlan {
    country: String,
    calling_code: String,
    trunk_prefix: String,
    idd: String,
    lengths: String,
    mobile: BTreeMap<String, String>,
    other: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::country;

    #[test]
    fn builtin_plans_parse_and_cover_every_country() {
        let plans = Plans::from_json(BUILTIN).unwrap();
        assert_eq!(&plans, super::plans());
        let ours: Vec<&str> = country::countries()
            .iter()
            .map(|c| c.code.as_str())
            .collect();
        let planned: Vec<&str> = plans.plans.iter().map(|p| p.country.as_str()).collect();
        assert_eq!(planned, ours);
        for p in &plans.plans {
            let c = country::find(&p.country).unwrap();
            assert_eq!(
                format!("+{}", p.calling_code),
                c.dialing_code,
                "{}",
                p.country
            );
            let (mobile, other) = p.rules();
            assert!(!mobile.is_empty() && !other.is_empty(), "{}", p.country);
            // Within a list no rule is redundant: a prefix nested in another (from two
            // number types merged into `other`) is for other lengths.
            for list in [mobile, other] {
                for a in list {
                    for b in list {
                        assert!(
                            std::ptr::eq(a, b)
                                || !b.prefix.starts_with(&a.prefix)
                                || a.lengths.0 & b.lengths.0 == 0,
                            "{}: {} shadows {}",
                            p.country,
                            a.prefix,
                            b.prefix
                        );
                    }
                }
            }
            // E.164 allows 15 digits with the calling code; a trunk-prefixed NSN
            // would be ambiguous after `+`.
            for r in mobile.iter().chain(other) {
                let longest = (1..=MAX_NSN).rev().find(|&n| r.lengths.contains(n));
                assert!(
                    longest.unwrap() + p.calling_code.len() <= 15,
                    "{}",
                    p.country
                );
                assert!(
                    p.trunk_prefix.is_empty() || !r.prefix.starts_with(&p.trunk_prefix),
                    "{} {}",
                    p.country,
                    r.prefix
                );
            }
        }
        // Calling codes are prefix-free across the whole table.
        let codes: Vec<&str> = plans
            .plans
            .iter()
            .map(|p| p.calling_code.as_str())
            .chain(plans.other_codes.keys().map(String::as_str))
            .collect();
        assert!(codes.len() > 200);
        for a in &codes {
            for b in &codes {
                assert!(a == b || !b.starts_with(a), "{a} is a prefix of {b}");
            }
        }
    }

    #[test]
    fn length_specs_parse_and_reject_nonsense() {
        let l = Lengths::parse("6,8-10").unwrap();
        assert!([6, 8, 9, 10].iter().all(|&n| l.contains(n)));
        assert!(![5, 7, 11, 40].iter().any(|&n| l.contains(n)));
        for bad in ["", "0", "9-8", "1-18", "a", "5,"] {
            assert!(Lengths::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn inconsistent_data_is_refused() {
        let plan = |lengths: &str, prefix: &str| {
            format!(
                r#"{{"plans":[{{"country":"XX","calling_code":"999","trunk_prefix":"","idd":"",
                "lengths":"{lengths}","mobile":{{"8":"{prefix}"}},"other":{{}}}}],
                "other_calling_codes":{{}}}}"#
            )
        };
        assert!(Plans::from_json(&plan("8", "9")).is_ok());
        assert!(Plans::from_json(&plan("7-8", "9")).is_err());
        assert!(Plans::from_json(&plan("8", "9x")).is_err());
        assert!(Plans::from_json("{}").is_err());
    }
}
