//! The NIK (Nomor Induk Kependudukan), the 16-digit national identity number:
//! `PP KK CC DDMMYY SSSS` — province, regency, district, birth date (women add 40
//! to the day) and serial. Checked offline for shape, province and embedded date.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::date::age_on;
use crate::base::issue::Problem;

/// Sex as recorded in the NIK (women add 40 to the birth day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    /// Laki-laki.
    #[serde(rename = "M")]
    Male,
    /// Perempuan.
    #[serde(rename = "F")]
    Female,
}

impl Sex {
    /// Accepts `M`/`F`, `L`/`P` (as on the KTP), `male`/`female`, `laki-laki`/`perempuan`
    /// (case-insensitive, surrounding spaces ignored).
    pub fn parse(s: &str) -> Option<Sex> {
        match s.trim().to_lowercase().as_str() {
            "m" | "l" | "male" | "laki-laki" | "laki laki" | "pria" => Some(Sex::Male),
            "f" | "p" | "female" | "perempuan" | "wanita" => Some(Sex::Female),
            _ => None,
        }
    }

    /// The letter printed on the KTP: `L` (laki-laki) or `P` (perempuan).
    pub fn ktp_letter(self) -> &'static str {
        match self {
            Sex::Male => "L",
            Sex::Female => "P",
        }
    }
}

/// Province codes (the first two NIK digits) with their names.
///
/// 91–97 are the Papua provinces: two numbering schemes exist since the 2022 split,
/// so every code in that range is accepted and its name is only a hint.
pub static PROVINCES: &[(u8, &str)] = &[
    (11, "Aceh"),
    (12, "Sumatera Utara"),
    (13, "Sumatera Barat"),
    (14, "Riau"),
    (15, "Jambi"),
    (16, "Sumatera Selatan"),
    (17, "Bengkulu"),
    (18, "Lampung"),
    (19, "Kepulauan Bangka Belitung"),
    (21, "Kepulauan Riau"),
    (31, "DKI Jakarta"),
    (32, "Jawa Barat"),
    (33, "Jawa Tengah"),
    (34, "DI Yogyakarta"),
    (35, "Jawa Timur"),
    (36, "Banten"),
    (51, "Bali"),
    (52, "Nusa Tenggara Barat"),
    (53, "Nusa Tenggara Timur"),
    (61, "Kalimantan Barat"),
    (62, "Kalimantan Tengah"),
    (63, "Kalimantan Selatan"),
    (64, "Kalimantan Timur"),
    (65, "Kalimantan Utara"),
    (71, "Sulawesi Utara"),
    (72, "Sulawesi Tengah"),
    (73, "Sulawesi Selatan"),
    (74, "Sulawesi Tenggara"),
    (75, "Gorontalo"),
    (76, "Sulawesi Barat"),
    (81, "Maluku"),
    (82, "Maluku Utara"),
    (91, "Papua"),
    (92, "Papua Barat"),
    (93, "Papua Selatan"),
    (94, "Papua Tengah"),
    (95, "Papua Pegunungan"),
    (96, "Papua Barat Daya"),
    (97, "Papua"),
];

/// The name of a province code, if the code is known.
pub fn province_name(code: u8) -> Option<&'static str> {
    PROVINCES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// A NIK with a valid shape: 16 digits, known province, real embedded date, serial ≥ 1.
///
/// `Debug` is redacted; [`Nik::as_str`] and `Display` give the real value.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Nik(String);

/// What a NIK tells about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NikInfo {
    /// First two digits.
    pub province_code: u8,
    /// Province name (a hint for the Papua codes 91–97).
    pub province: &'static str,
    /// Digits 3–4.
    pub regency_code: u8,
    /// Digits 5–6.
    pub district_code: u8,
    /// Birth date, century inferred (see [`Nik::info`]).
    pub birth_date: NaiveDate,
    /// Sex (day > 40 means female).
    pub sex: Sex,
    /// Last four digits, 1–9999.
    pub serial: u16,
}

/// The decoded fields of a 16-digit string, before the century is known.
struct Fields {
    province: u8,
    regency: u8,
    district: u8,
    day: u32,
    month: u32,
    yy: i32,
    sex: Sex,
    serial: u16,
}

fn two(d: &[u8], at: usize) -> u32 {
    u32::from(d[at] - b'0') * 10 + u32::from(d[at + 1] - b'0')
}

/// Splits 16 ASCII digits into fields (the caller checked the shape).
fn fields(digits: &str) -> Fields {
    let d = digits.as_bytes();
    let raw_day = two(d, 6);
    let (day, sex) = if raw_day > 40 {
        (raw_day - 40, Sex::Female)
    } else {
        (raw_day, Sex::Male)
    };
    Fields {
        province: two(d, 0) as u8,
        regency: two(d, 2) as u8,
        district: two(d, 4) as u8,
        day,
        month: two(d, 8),
        yy: two(d, 10) as i32,
        sex,
        serial: (two(d, 12) * 100 + two(d, 14)) as u16,
    }
}

impl Fields {
    /// The birth date in 2000+yy and 1900+yy, whichever exist (29 Feb may not).
    fn candidates(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        [2000, 1900]
            .into_iter()
            .filter_map(|c| NaiveDate::from_ymd_opt(c + self.yy, self.month, self.day))
    }
}

impl Nik {
    /// Parses a NIK, ignoring spaces, dots and dashes.
    ///
    /// Errors: `nik.not_digits`, `nik.length` (`{length}`), `nik.province_unknown`
    /// (`{code}`), `nik.birth_date_invalid`, `nik.serial_invalid`.
    pub fn parse(input: &str) -> Result<Nik, Problem> {
        let digits = super::compact(input, &['.', '-']);
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Problem::error("nik.not_digits"));
        }
        if digits.len() != 16 {
            return Err(Problem::error("nik.length").with("length", digits.len().to_string()));
        }
        let f = fields(&digits);
        if province_name(f.province).is_none() {
            return Err(
                Problem::error("nik.province_unknown").with("code", format!("{:02}", f.province))
            );
        }
        // Day 00 or 32–40 or > 71 fails here too: from_ymd_opt rejects them.
        if f.candidates().next().is_none() {
            return Err(Problem::error("nik.birth_date_invalid"));
        }
        if f.serial == 0 {
            return Err(Problem::error("nik.serial_invalid"));
        }
        Ok(Nik(digits))
    }

    /// The 16 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Decodes the NIK. The century is not encoded: the birth date is the latest one
    /// (2000s before 1900s) that makes the holder at least 18 on `today`; if none
    /// does, the latest one not after `today`.
    pub fn info(&self, today: NaiveDate) -> NikInfo {
        let f = fields(&self.0);
        let candidates: Vec<NaiveDate> = f.candidates().collect();
        let birth_date = candidates
            .iter()
            .find(|b| age_on(**b, today) >= 18)
            .or_else(|| candidates.iter().find(|b| **b <= today))
            .or(candidates.first())
            .copied()
            // Unreachable: parse() proved a candidate exists.
            .unwrap_or_default();
        NikInfo {
            province_code: f.province,
            province: province_name(f.province).unwrap_or(""),
            regency_code: f.regency,
            district_code: f.district,
            birth_date,
            sex: f.sex,
            serial: f.serial,
        }
    }

    /// Compares the NIK with what the user declared. The birth date is compared on
    /// day, month and two-digit year, so the inferred century never matters.
    ///
    /// Problems (errors): `nik.birth_date_mismatch` (`{declared}` as DD-MM-YYYY,
    /// `{nik}` as DD-MM-YY) and `nik.sex_mismatch` (`{declared}`, `{nik}` as the
    /// KTP letters L/P).
    pub fn check_declared(&self, birth_date: Option<NaiveDate>, sex: Option<Sex>) -> Vec<Problem> {
        let f = fields(&self.0);
        let mut out = Vec::new();
        if let Some(b) = birth_date {
            let same = b.day() == f.day && b.month() == f.month && b.year().rem_euclid(100) == f.yy;
            if !same {
                out.push(
                    Problem::error("nik.birth_date_mismatch")
                        .with("declared", super::date::display(b))
                        .with("nik", format!("{:02}-{:02}-{:02}", f.day, f.month, f.yy)),
                );
            }
        }
        if let Some(s) = sex {
            if s != f.sex {
                out.push(
                    Problem::error("nik.sex_mismatch")
                        .with("declared", s.ktp_letter())
                        .with("nik", f.sex.ktp_letter()),
                );
            }
        }
        out
    }
}

impl std::fmt::Debug for Nik {
    // Hand-written: a NIK identifies a person and encodes the birth date.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Nik(<redacted>)")
    }
}

impl std::fmt::Display for Nik {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Nik {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

super::deserialize_via_parse!(Nik, Nik::parse);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn today() -> NaiveDate {
        d(2026, 11, 22)
    }

    #[test]
    fn nik_decodes_the_public_examples() {
        let man = Nik::parse("3515140508680001").unwrap().info(today());
        assert_eq!(man.province_code, 35);
        assert_eq!(man.province, "Jawa Timur");
        assert_eq!((man.regency_code, man.district_code), (15, 14));
        assert_eq!(man.birth_date, d(1968, 8, 5));
        assert_eq!(man.sex, Sex::Male);
        assert_eq!(man.serial, 1);
        let woman = Nik::parse("3515144508680002").unwrap().info(today());
        assert_eq!(woman.birth_date, d(1968, 8, 5));
        assert_eq!(woman.sex, Sex::Female);
        assert_eq!(woman.serial, 2);
    }

    #[test]
    fn nik_strips_separators() {
        let n = Nik::parse(" 35.15.14 050868-0001 ").unwrap();
        assert_eq!(n.as_str(), "3515140508680001");
        assert_eq!(n.to_string(), "3515140508680001");
    }

    #[test]
    fn nik_rejects_wrong_length_and_non_digits() {
        let p = Nik::parse("351514050868000").unwrap_err();
        assert_eq!(p.code, "nik.length");
        assert_eq!(p.params, vec![("length", "15".to_string())]);
        assert_eq!(Nik::parse("").unwrap_err().code, "nik.length");
        assert_eq!(
            Nik::parse("35151405086800O1").unwrap_err().code,
            "nik.not_digits"
        );
    }

    #[test]
    fn nik_rejects_unknown_province() {
        let p = Nik::parse("2015140508680001").unwrap_err();
        assert_eq!(p.code, "nik.province_unknown");
        assert_eq!(p.params, vec![("code", "20".to_string())]);
        assert_eq!(
            Nik::parse("9815140508680001").unwrap_err().code,
            "nik.province_unknown"
        );
        for papua in 91..=97 {
            assert!(
                Nik::parse(&format!("{papua}15140508680001")).is_ok(),
                "{papua}"
            );
        }
    }

    #[test]
    fn nik_rejects_invalid_embedded_date() {
        for bad in [
            "3515140013680001",
            "3515143208680001",
            "3515144008680001",
            "3515147208680001",
            "3515140000680001",
            "3515143102680001",
        ] {
            assert_eq!(
                Nik::parse(bad).unwrap_err().code,
                "nik.birth_date_invalid",
                "{bad}"
            );
        }
        // 29 Feb 00 exists in 2000, so it is accepted and dated 2000 if that makes 18.
        let leap = Nik::parse("3515142902000001").unwrap();
        assert_eq!(leap.info(today()).birth_date, d(2000, 2, 29));
    }

    #[test]
    fn nik_rejects_serial_zero() {
        assert_eq!(
            Nik::parse("3515140508680000").unwrap_err().code,
            "nik.serial_invalid"
        );
    }

    #[test]
    fn nik_century_makes_the_holder_adult_when_possible() {
        let young = Nik::parse("3515140508050001").unwrap();
        assert_eq!(young.info(today()).birth_date, d(2005, 8, 5));
        // Born 2010 would be 16: the holder is taken as born 1910.
        let old = Nik::parse("3515140508100001").unwrap();
        assert_eq!(old.info(today()).birth_date, d(1910, 8, 5));
    }

    #[test]
    fn check_declared_accepts_matching_values() {
        let n = Nik::parse("3515144508680002").unwrap();
        assert!(n
            .check_declared(Some(d(1968, 8, 5)), Some(Sex::Female))
            .is_empty());
        // Century is ignored: only DD, MM and YY are compared.
        assert!(n.check_declared(Some(d(2068, 8, 5)), None).is_empty());
        assert!(n.check_declared(None, None).is_empty());
    }

    #[test]
    fn check_declared_reports_both_values_on_mismatch() {
        let n = Nik::parse("3515140508680001").unwrap();
        let problems = n.check_declared(Some(d(1968, 8, 6)), Some(Sex::Female));
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].code, "nik.birth_date_mismatch");
        assert_eq!(
            problems[0].params,
            vec![
                ("declared", "06-08-1968".to_string()),
                ("nik", "05-08-68".to_string())
            ]
        );
        assert_eq!(problems[1].code, "nik.sex_mismatch");
        assert_eq!(
            problems[1].params,
            vec![("declared", "P".to_string()), ("nik", "L".to_string())]
        );
        let msg = problems[0].localize("nik", crate::Lang::Id).message;
        assert!(
            msg.contains("06-08-1968") && msg.contains("05-08-68"),
            "{msg}"
        );
    }

    #[test]
    fn sex_parses_common_spellings_and_serializes_as_letters() {
        for m in ["M", "l", "male", "Laki-laki"] {
            assert_eq!(Sex::parse(m), Some(Sex::Male), "{m}");
        }
        for f in ["F", "p", "Female", "PEREMPUAN"] {
            assert_eq!(Sex::parse(f), Some(Sex::Female), "{f}");
        }
        assert_eq!(Sex::parse("x"), None);
        assert_eq!(serde_json::to_string(&Sex::Female).unwrap(), "\"F\"");
        assert_eq!(serde_json::from_str::<Sex>("\"M\"").unwrap(), Sex::Male);
    }

    #[test]
    fn nik_debug_is_redacted_and_serializes_as_string() {
        let n = Nik::parse("3515140508680001").unwrap();
        assert!(!format!("{n:?}").contains("3515"));
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"3515140508680001\"");
    }

    fn arb_nik() -> impl Strategy<Value = (String, u8, NaiveDate, Sex, u16, u8, u8)> {
        (
            prop::sample::select(PROVINCES.iter().map(|(c, _)| *c).collect::<Vec<_>>()),
            0u8..100,
            0u8..100,
            0i64..(365 * 80),
            any::<bool>(),
            1u16..10_000,
        )
            .prop_map(|(prov, reg, dis, days, female, serial)| {
                let birth = d(1950, 1, 1) + chrono::Duration::days(days);
                let sex = if female { Sex::Female } else { Sex::Male };
                let day = birth.day() + if female { 40 } else { 0 };
                let s = format!(
                    "{prov:02}{reg:02}{dis:02}{day:02}{:02}{:02}{serial:04}",
                    birth.month(),
                    birth.year() % 100
                );
                (s, prov, birth, sex, serial, reg, dis)
            })
    }

    proptest! {
        #[test]
        fn nik_parse_never_panics(s in "\\PC*") {
            let _ = Nik::parse(&s);
        }

        #[test]
        fn nik_parse_never_panics_on_digit_strings(s in "[0-9 .-]{0,20}") {
            if let Ok(n) = Nik::parse(&s) {
                let _ = n.info(today());
                prop_assert_eq!(n.as_str().len(), 16);
            }
        }

        #[test]
        fn nik_normalization_is_idempotent(s in "[0-9]{16}|[0-9 .-]{16,22}") {
            if let Ok(n) = Nik::parse(&s) {
                prop_assert_eq!(Nik::parse(n.as_str()), Ok(n));
            }
        }

        #[test]
        fn generated_nik_round_trips_its_info((s, prov, birth, sex, serial, reg, dis) in arb_nik()) {
            let n = Nik::parse(&s).unwrap();
            prop_assert_eq!(n.as_str(), s.as_str());
            let info = n.info(today());
            prop_assert_eq!(info.province_code, prov);
            prop_assert_eq!((info.regency_code, info.district_code), (reg, dis));
            prop_assert_eq!(info.sex, sex);
            prop_assert_eq!(info.serial, serial);
            prop_assert_eq!((info.birth_date.day(), info.birth_date.month()), (birth.day(), birth.month()));
            prop_assert_eq!(info.birth_date.year() % 100, birth.year() % 100);
            prop_assert!(n.check_declared(Some(birth), Some(sex)).is_empty());
            // Born 1950–2008: everyone who is an adult today keeps their true century.
            if age_on(birth, today()) >= 18 {
                prop_assert_eq!(info.birth_date, birth);
            }
        }
    }
}
