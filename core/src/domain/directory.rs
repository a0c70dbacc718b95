//! The offline directory of Indonesian service points abroad (embassies, consulates,
//! KDEI) and national channels (BPJS Ketenagakerjaan, KP2MI, Kemlu), shipped inside
//! the app as `core/data/service_points.json`; the server may replace it whole.
//!
//! Only numbers and e-mails whose research status is `OK` or `OK×2` are in the
//! data; `[unverified]`, `CONFLICT` and `NOT FOUND` values are left out, and each
//! number kept names its source and the date of it (`source`, `as_of`). The JSON shape:
//!
//! ```text
//! { "version": "YYYY-MM-DD", "source": "…",
//!   "countries": [{ "country": "HK",                  // ISO-3166 alpha-2
//!       "points": [{ "id": "kjri-hong-kong",
//!           "kind": "consulate|embassy|kdei|bank|office",
//!           "name": "…", "city": "…",
//!           "address": "…" | null,                    // null when sources conflict (see notes)
//!           "website": "https://…",
//!           "phones": [PHONE], "emails": ["…"], "notes": {"id","en"} | null }],
//!       "local_lines": [PHONE] }],                    // optional: local emergency/labour lines
//!   "national": [{ "id": "kp2mi", "name": {"id","en"}, "phones": [PHONE],
//!       "emails": ["…"], "links": [{ "label": {"id","en"}, "url": "https://…" | null,
//!       "as_of": "…", "source": "…" }], "notes": {"id","en"} | null }],
//!   "scam_numbers": [{ "number": "…", "e164": "+…" | null, "as_of": "…",
//!       "source": "…", "note": {"id","en"} | null }] }
//! PHONE = { "label": {"id","en"}, "number": "as printed", "e164": "+…" | null,
//!           "as_of": "YYYY" | "YYYY-MM" | "YYYY-MM-DD", "source": "https://…", "whatsapp": bool }
//! ```
//!
//! `number` keeps the source's printing. Where a source joins two lines
//! ("2116-4016 / 4017"), each gets its own entry and the second repeats the printed
//! prefix; a printed range ("73 54 – 56") stays one entry whose `e164` is the first
//! line. `e164` is null for short codes (175, 999) and domestic-only numbers. A link's
//! `url` is null when the channel lives inside an app (JMO "Click To Call").

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::{Error, Localized, Result};

/// The built-in directory, as shipped in the app.
const BUILTIN_JSON: &str = include_str!("../../data/service_points.json");

/// The whole directory: service points by country, national channels, scam numbers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Directory {
    /// Date of this edition (`YYYY-MM-DD`).
    pub version: String,
    /// Where the data comes from, in words.
    pub source: String,
    /// Service points grouped by country.
    pub countries: Vec<CountryEntry>,
    /// Channels that serve PMI from any country.
    #[serde(default)]
    pub national: Vec<NationalChannel>,
    /// Numbers that a mission publicly called a hoax.
    #[serde(default)]
    pub scam_numbers: Vec<ScamNumber>,
}

/// The service points of one country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryEntry {
    /// ISO-3166 alpha-2 code, upper case (`HK`, `MY`, …).
    pub country: String,
    /// Missions and offices in that country.
    pub points: Vec<ServicePoint>,
    /// Local lines that are not a mission's (emergency 999, Taiwan's 1955 labour line).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub local_lines: Vec<PhoneLine>,
}

/// What kind of office a service point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "lowercase")]
pub enum PointKind {
    /// A consulate general (KJRI) or consulate (KRI).
    Consulate,
    /// An embassy (KBRI).
    Embassy,
    /// The Indonesian Economic and Trade Office in Taipei (KDEI).
    Kdei,
    /// A bank branch that takes contributions.
    Bank,
    /// Any other office (e.g. a BPJS Ketenagakerjaan desk).
    Office,
}

/// One mission or office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicePoint {
    /// Stable id, kebab-case (`kjri-hong-kong`).
    pub id: String,
    /// Kind of office.
    pub kind: PointKind,
    /// Official name, in Indonesian as the mission uses it.
    pub name: String,
    /// City.
    pub city: String,
    /// Street address; `None` when the sources disagree (the notes give both).
    pub address: Option<String>,
    /// Official website.
    pub website: String,
    /// Verified phone lines.
    #[serde(default)]
    pub phones: Vec<PhoneLine>,
    /// Verified e-mail addresses.
    #[serde(default)]
    pub emails: Vec<String>,
    /// Anything the user should know, in both languages.
    #[serde(default)]
    pub notes: Option<Localized>,
}

/// A phone number with its label, its date and its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneLine {
    /// What the line is for.
    pub label: Localized,
    /// The number as the source printed it.
    pub number: String,
    /// The same number in E.164 (`+8523…`), when the conversion is unambiguous.
    pub e164: Option<String>,
    /// Date of the source (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`), not of a call check.
    pub as_of: String,
    /// URL of the source.
    pub source: String,
    /// The source says the line takes WhatsApp.
    #[serde(default)]
    pub whatsapp: bool,
}

/// A channel that serves PMI from anywhere (BPJS Ketenagakerjaan, KP2MI, Kemlu).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NationalChannel {
    /// Stable id, kebab-case.
    pub id: String,
    /// Name of the institution or service.
    pub name: Localized,
    /// Verified phone lines.
    #[serde(default)]
    pub phones: Vec<PhoneLine>,
    /// Verified e-mail addresses.
    #[serde(default)]
    pub emails: Vec<String>,
    /// Websites and in-app channels.
    #[serde(default)]
    pub links: Vec<Link>,
    /// Anything the user should know, in both languages.
    #[serde(default)]
    pub notes: Option<Localized>,
}

/// A website or an in-app channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// What it is.
    pub label: Localized,
    /// Address; `None` for a channel inside an app (e.g. JMO "Click To Call").
    pub url: Option<String>,
    /// Date of the source.
    pub as_of: String,
    /// URL of the source.
    pub source: String,
}

/// A number that a mission publicly called a hoax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScamNumber {
    /// The number as the source printed it.
    pub number: String,
    /// The same number in E.164, when unambiguous.
    pub e164: Option<String>,
    /// Date of the source.
    pub as_of: String,
    /// URL of the source.
    pub source: String,
    /// What the hoax was, in both languages.
    #[serde(default)]
    pub note: Option<Localized>,
}

/// The directory shipped with the app, parsed once. A broken built-in file is a
/// build mistake, but the app must still start: it then gets an empty directory
/// and the failure is logged.
pub fn builtin() -> &'static Directory {
    static BUILTIN: OnceLock<Directory> = OnceLock::new();
    BUILTIN.get_or_init(|| match Directory::from_json(BUILTIN_JSON) {
        Ok(directory) => directory,
        Err(e) => {
            tracing::error!(code = e.code(), "built-in service directory rejected: {e}");
            Directory::default()
        }
    })
}

impl Directory {
    /// Parses and checks a directory (the built-in one or the server's replacement).
    /// Bad JSON, or a phone without its date or source, is
    /// [`Error::MalformedStoredData`]: a directory that breaks the rules is refused
    /// whole rather than shown in part.
    pub fn from_json(s: &str) -> Result<Directory> {
        let directory: Directory = serde_json::from_str(s)
            .map_err(|e| Error::MalformedStoredData(format!("service directory: {e}")))?;
        directory.check()?;
        Ok(directory)
    }

    /// The service points in `code` (ISO-3166 alpha-2, any case).
    pub fn for_country(&self, code: &str) -> Vec<&ServicePoint> {
        let code = code.trim();
        self.countries
            .iter()
            .filter(|c| c.country.eq_ignore_ascii_case(code))
            .flat_map(|c| c.points.iter())
            .collect()
    }

    /// True when `input` is a known scam number. Only digits are compared, so
    /// spaces, dashes and brackets do not matter; `00` and a leading trunk `0`
    /// (local form of the same number) are understood too.
    pub fn is_scam_number(&self, input: &str) -> bool {
        let typed = digits(input);
        // Fewer digits than any real number: never a match (avoids "0" or "" matching).
        if typed.len() < 6 {
            return false;
        }
        self.scam_numbers.iter().any(|scam| {
            let printed = digits(&scam.number);
            let e164 = scam.e164.as_deref().map(digits).unwrap_or_default();
            same_number(&typed, &printed) || same_number(&typed, &e164)
        })
    }

    /// Structural rules every edition must follow.
    fn check(&self) -> Result<()> {
        let bad = |what: String| {
            Err(Error::MalformedStoredData(format!(
                "service directory: {what}"
            )))
        };
        let mut ids = std::collections::HashSet::new();
        for entry in &self.countries {
            if !is_country_code(&entry.country) {
                return bad(format!(
                    "country code {:?} is not ISO-3166 alpha-2",
                    entry.country
                ));
            }
            for line in &entry.local_lines {
                check_phone(line).map_or(Ok(()), |why| {
                    bad(format!("{} local line: {why}", entry.country))
                })?;
            }
            for point in &entry.points {
                if !ids.insert(point.id.as_str()) {
                    return bad(format!("duplicate point id {}", point.id));
                }
                for line in &point.phones {
                    check_phone(line).map_or(Ok(()), |why| bad(format!("{}: {why}", point.id)))?;
                }
            }
        }
        for channel in &self.national {
            for line in &channel.phones {
                check_phone(line).map_or(Ok(()), |why| bad(format!("{}: {why}", channel.id)))?;
            }
            for link in &channel.links {
                if !is_as_of(&link.as_of) || link.source.trim().is_empty() {
                    return bad(format!("{}: link without date or source", channel.id));
                }
            }
        }
        for scam in &self.scam_numbers {
            if !is_as_of(&scam.as_of) || scam.source.trim().is_empty() {
                return bad("scam number without date or source".to_string());
            }
        }
        Ok(())
    }
}

/// Why a phone line breaks the rules, if it does (no number is named: the
/// message may be logged).
fn check_phone(line: &PhoneLine) -> Option<&'static str> {
    if digits(&line.number).is_empty() {
        return Some("phone without digits");
    }
    if !is_as_of(&line.as_of) {
        return Some("phone without a valid as_of date");
    }
    if line.source.trim().is_empty() {
        return Some("phone without a source");
    }
    if let Some(e164) = &line.e164 {
        let rest = e164.strip_prefix('+').unwrap_or("");
        if !(8..=15).contains(&rest.len()) || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return Some("e164 is not + and 8 to 15 digits");
        }
    }
    None
}

/// Two uppercase ASCII letters.
fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
fn is_as_of(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let all_digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] => all_digits(y, 4),
        [y, m] => {
            all_digits(y, 4) && all_digits(m, 2) && (1..=12).contains(&m.parse::<u8>().unwrap_or(0))
        }
        [y, m, d] => {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
                && all_digits(y, 4)
                && m.len() == 2
                && d.len() == 2
        }
        _ => false,
    }
}

/// The ASCII digits of `s`, in order.
fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Whether typed digits denote the number `known` (international digits, or the
/// source's printing). Accepts the `00` international prefix and the local form
/// with a trunk `0` in place of a 1–3 digit country code.
fn same_number(typed: &str, known: &str) -> bool {
    if known.is_empty() {
        return false;
    }
    if typed == known {
        return true;
    }
    if let Some(rest) = typed.strip_prefix("00") {
        if rest == known {
            return true;
        }
    }
    match typed.strip_prefix('0') {
        Some(national) if national.len() >= 6 && known.ends_with(national) => {
            (1..=3).contains(&(known.len() - national.len()))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every phone line of the directory, with where it sits.
    fn all_phones(d: &Directory) -> Vec<(&str, &PhoneLine)> {
        let mut out = Vec::new();
        for c in &d.countries {
            out.extend(c.local_lines.iter().map(|p| (c.country.as_str(), p)));
            for point in &c.points {
                out.extend(point.phones.iter().map(|p| (c.country.as_str(), p)));
            }
        }
        for n in &d.national {
            out.extend(n.phones.iter().map(|p| ("ID", p)));
        }
        out
    }

    fn shipped_digits(d: &Directory) -> Vec<String> {
        all_phones(d)
            .into_iter()
            .flat_map(|(_, p)| {
                [
                    digits(&p.number),
                    p.e164.as_deref().map(digits).unwrap_or_default(),
                ]
            })
            .filter(|s| !s.is_empty())
            .collect()
    }

    #[test]
    fn builtin_file_parses_and_is_non_empty() {
        let parsed = Directory::from_json(BUILTIN_JSON);
        assert!(parsed.is_ok(), "{parsed:?}");
        let d = builtin();
        assert_eq!(Some(d), parsed.as_ref().ok());
        assert!(d.countries.len() >= 10);
        assert!(d.countries.iter().map(|c| c.points.len()).sum::<usize>() >= 20);
        assert!(!d.national.is_empty());
        assert!(!d.scam_numbers.is_empty());
        assert!(chrono::NaiveDate::parse_from_str(&d.version, "%Y-%m-%d").is_ok());
    }

    #[test]
    fn every_phone_has_as_of_and_source() {
        let d = builtin();
        let phones = all_phones(d);
        assert!(phones.len() > 40);
        for (_, p) in phones {
            assert!(is_as_of(&p.as_of), "{} has as_of {:?}", p.number, p.as_of);
            assert!(
                p.source.starts_with("https://") || p.source.starts_with("http://"),
                "{}",
                p.number
            );
            assert!(
                !p.label.id.is_empty() && !p.label.en.is_empty(),
                "{}",
                p.number
            );
        }
        for n in &d.national {
            for l in &n.links {
                assert!(
                    is_as_of(&l.as_of) && l.source.starts_with("https://"),
                    "{}",
                    n.id
                );
            }
        }
    }

    /// Numbers the research marks [unverified], CONFLICT or ambiguous; none may ship.
    const WITHHELD: &[&str] = &[
        "85268942799",
        "85252944184",
        "85362736655", // HK older hotlines, Macau
        "88628752617",
        "886987587000",
        "886905231225", // Taipei main, 2nd quake line, WA
        "60177362331",
        "60176240500",
        "60172660792", // KL by-function WA (MY-GH)
        "60177716866",
        "60167700378", // Johor WA (MY-GH)
        "601112460970",
        "60174970046",
        "60175445100", // Penang WA (MY-GH)
        "60168866734",
        "60168899734",
        "60128801288",
        "60168925037", // Kuching (MY-GH)
        "60146060067",
        "60162376525", // Kota Kinabalu (MY-GH)
        "198228800",
        "111623080", // Tawau hotlines (2020)
        "6592953964",
        "6591860058", // Singapore hotline, WA
        "966569173990",
        "966569094526",
        "966598881945",
        "966581781945", // Riyadh, Jeddah old
        "393389234243",
        "971566156259", // Rome COVID line, Abu Dhabi
        "6281290070027",
        "1500630",
        "1500910", // Kemlu hotline, Kemnaker, old BPJS
        "85228950139",
        "7835675", // HK fax, Seoul "783 5675/7"
    ];

    #[test]
    fn unverified_and_conflicting_numbers_are_not_shipped() {
        let shipped = shipped_digits(builtin());
        for withheld in WITHHELD {
            let local = withheld.trim_start_matches("852").trim_start_matches("60");
            for s in &shipped {
                assert!(
                    !s.contains(withheld) && !s.ends_with(local),
                    "{withheld} is shipped as {s}"
                );
            }
        }
        let printed: Vec<&str> = all_phones(builtin())
            .iter()
            .map(|(_, p)| p.number.as_str())
            .collect();
        assert!(!printed.contains(&"+852 6894 2799"));
        assert!(!printed.contains(&"+852 5294 4184"));
        assert!(printed.contains(&"(852) 3651 0200"));
    }

    #[test]
    fn verified_numbers_are_shipped() {
        let printed: Vec<&str> = all_phones(builtin())
            .iter()
            .map(|(_, p)| p.number.as_str())
            .collect();
        for n in [
            "(852) 3651 0200",
            "+852 5242 2240",
            "+852 6773 0466",
            "+886 901 132 000",
            "+60 17-668 8032",
            "+60105288040",
            "+82-10-5394-2546",
            "+966 50 360 9667",
            "+90 532 135 22 98",
            "+971 56 3322611",
            "+968 9600 0210",
            "+622129244800",
        ] {
            assert!(printed.contains(&n), "{n} missing");
        }
    }

    #[test]
    fn conflicting_emails_and_addresses_are_left_out() {
        let d = builtin();
        let hk = d.for_country("HK");
        assert!(hk[0].emails.is_empty(), "HK e-mail is a CONFLICT");
        let kuching = d
            .for_country("MY")
            .into_iter()
            .find(|p| p.id == "kjri-kuching");
        assert!(kuching
            .is_some_and(|p| p.address.is_none() && p.emails.is_empty() && p.notes.is_some()));
        let all_emails: Vec<&String> = d
            .countries
            .iter()
            .flat_map(|c| &c.points)
            .flat_map(|p| &p.emails)
            .collect();
        assert!(!all_emails
            .iter()
            .any(|e| e.contains("gmail") || e.contains("cgrihk") || e.starts_with("imigrasi@")));
    }

    #[test]
    fn hoax_number_is_on_scam_list() {
        let d = builtin();
        assert!(d.scam_numbers.iter().any(|s| s.number == "+62 81390032112"));
        assert!(d.is_scam_number("+62 81390032112"));
        assert!(d.is_scam_number("+62-813-9003-2112"));
        assert!(d.is_scam_number("081390032112"));
        assert!(d.is_scam_number("0062 813 9003 2112"));
        assert!(!d.is_scam_number("(852) 3651 0200"));
        assert!(!d.is_scam_number("8139003"));
        assert!(!d.is_scam_number(""));
        assert!(!d.is_scam_number("0"));
        // The scam number must never also be listed as a real one.
        assert!(!shipped_digits(d).iter().any(|s| s.ends_with("81390032112")));
    }

    #[test]
    fn national_channels_include_bpjs_175_and_kp2mi() {
        let d = builtin();
        let bpjs = d.national.iter().find(|n| n.id == "bpjs-ketenagakerjaan");
        assert!(bpjs.is_some_and(|b| b
            .phones
            .iter()
            .any(|p| p.number == "175" && p.e164.is_none())));
        assert!(bpjs.is_some_and(|b| b.links.iter().any(|l| l.label.en.contains("Click To Call"))));
        let kp2mi = d.national.iter().find(|n| n.id == "kp2mi");
        assert!(kp2mi.is_some_and(|k| k
            .phones
            .iter()
            .any(|p| p.whatsapp && p.e164.as_deref() == Some("+628118080141"))));
        let links: Vec<&str> = d
            .national
            .iter()
            .flat_map(|n| &n.links)
            .filter_map(|l| l.url.as_deref())
            .collect();
        assert!(links.contains(&"https://safetravel.kemlu.go.id"));
        assert!(links.contains(&"https://peduliwni.kemlu.go.id"));
        // Kemlu's central hotline is only sourced up to 2020: not shipped.
        assert!(!shipped_digits(d).iter().any(|s| s.contains("81290070027")));
    }

    /// Officially assigned ISO-3166 alpha-2 codes (from tzdata's iso3166.tab).
    const ISO_3166: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

    #[test]
    fn country_codes_are_iso_3166_alpha_2() {
        let iso: Vec<&str> = ISO_3166.split(' ').collect();
        assert_eq!(iso.len(), 249);
        let d = builtin();
        for c in &d.countries {
            assert!(
                is_country_code(&c.country) && iso.contains(&c.country.as_str()),
                "{}",
                c.country
            );
        }
        assert!(is_country_code("HK") && !is_country_code("hk") && !is_country_code("HKG"));
    }

    /// Calling codes of the countries in the directory (and Indonesia for national lines).
    const CALLING_CODES: &[(&str, u16)] = &[
        ("HK", 852),
        ("TW", 886),
        ("MY", 60),
        ("SG", 65),
        ("JP", 81),
        ("KR", 82),
        ("SA", 966),
        ("BN", 673),
        ("IT", 39),
        ("TR", 90),
        ("AE", 971),
        ("QA", 974),
        ("OM", 968),
        ("ID", 62),
    ];

    #[test]
    fn e164_is_valid_and_adds_no_digits() {
        for (country, p) in all_phones(builtin()) {
            let Some(e164) = &p.e164 else { continue };
            let parsed = crate::domain::phone::Phone::parse(e164, "ID");
            let Ok(n) = parsed else {
                panic!("{e164} is not a valid number")
            };
            assert_eq!(n.value.e164(), e164, "{e164} is not in E.164 form");
            let calling_code = CALLING_CODES
                .iter()
                .find(|(c, _)| *c == country)
                .map(|(_, code)| code.to_string());
            let Some(calling_code) = calling_code else {
                panic!("no calling code for {country}")
            };
            assert!(
                e164[1..].starts_with(&calling_code),
                "{e164} is not a {country} number"
            );
            assert_eq!(n.value.region(), Some(country), "{e164}");
            // The national part must be printed in the source's number: no digit invented.
            let national = &e164[1 + calling_code.len()..];
            assert!(
                digits(&p.number).contains(national),
                "{e164} vs printed {}",
                p.number
            );
        }
    }

    #[test]
    fn short_codes_have_no_e164() {
        for (_, p) in all_phones(builtin()) {
            if digits(&p.number).len() <= 4 {
                assert!(p.e164.is_none(), "{}", p.number);
            }
        }
    }

    #[test]
    fn point_ids_are_unique_kebab_case_and_websites_https() {
        let d = builtin();
        let mut seen = std::collections::HashSet::new();
        for p in d.countries.iter().flat_map(|c| &c.points) {
            assert!(seen.insert(p.id.clone()), "duplicate {}", p.id);
            assert!(
                p.id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                p.id
            );
            assert!(p.website.starts_with("https://"), "{}", p.id);
            assert!(!p.name.is_empty() && !p.city.is_empty(), "{}", p.id);
        }
    }

    #[test]
    fn for_country_ignores_case_and_unknown_is_empty() {
        let d = builtin();
        let my = d.for_country(" my ");
        assert_eq!(my.len(), 6);
        assert!(my
            .iter()
            .any(|p| p.id == "kbri-kuala-lumpur" && p.kind == PointKind::Embassy));
        assert_eq!(d.for_country("TW")[0].kind, PointKind::Kdei);
        assert!(d.for_country("FR").is_empty());
        assert!(d.for_country("").is_empty());
    }

    #[test]
    fn from_json_rejects_bad_json_as_malformed() {
        let err = Directory::from_json("{not json");
        assert!(matches!(err, Err(Error::MalformedStoredData(_))));
        assert_eq!(err.map_err(|e| e.code()).err(), Some("store.malformed"));
    }

    #[test]
    fn from_json_rejects_phone_without_as_of_or_bad_country() {
        let mut d = builtin().clone();
        d.countries[0].points[0].phones[0].as_of = String::new();
        let text = serde_json::to_string(&d).unwrap_or_default();
        assert!(matches!(
            Directory::from_json(&text),
            Err(Error::MalformedStoredData(_))
        ));

        let mut d = builtin().clone();
        d.countries[0].country = "hkg".into();
        let text = serde_json::to_string(&d).unwrap_or_default();
        assert!(matches!(
            Directory::from_json(&text),
            Err(Error::MalformedStoredData(_))
        ));
    }

    #[test]
    fn serialized_directory_reads_back_equal() {
        let d = builtin();
        let text = serde_json::to_string(d).unwrap_or_default();
        assert_eq!(Directory::from_json(&text).ok().as_ref(), Some(d));
    }

    #[test]
    fn as_of_accepts_year_month_day_only() {
        for ok in ["2023", "2024-12", "2025-10-17"] {
            assert!(is_as_of(ok), "{ok}");
        }
        for bad in [
            "",
            "23",
            "2024-13",
            "2025-02-30",
            "2025/10/17",
            "Dec 2024",
            "2024-1",
        ] {
            assert!(!is_as_of(bad), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn from_json_never_panics(s in ".*") {
            let _ = Directory::from_json(&s);
        }

        #[test]
        fn is_scam_number_never_panics(s in ".*") {
            let _ = builtin().is_scam_number(&s);
        }

        #[test]
        fn scam_match_ignores_separators(seps in proptest::collection::vec("[ ().-]{0,2}", 13)) {
            let digits = "6281390032112";
            let mut typed = String::from("+");
            for (c, sep) in digits.chars().zip(&seps) {
                typed.push(c);
                typed.push_str(sep);
            }
            prop_assert!(builtin().is_scam_number(&typed));
        }
    }
}
