//! Domain values: identifiers (NIK, KPJ, passport, phone, e-mail), dates, countries
//! and the contribution tariff. Each identifier is a type that can only hold a valid,
//! normalised value; parsers return language-neutral [`Problem`]s, never panic.

pub mod country;
pub mod date;
pub mod directory;
pub mod email;
pub mod kpj;
pub mod nik;
pub mod passport;
pub mod phone;
pub(crate) mod phone_plan;
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

/// Messages for the domain validators' problem codes: (code, Indonesian, English).
pub static MESSAGES: &[crate::base::messages::Entry] = &[
    // --- small choices the CLI and forms parse ---------------------------------
    (
        "sex.invalid",
        "Jenis kelamin diisi M (laki-laki) atau F (perempuan).",
        "Sex is M (male) or F (female).",
    ),
    (
        "tariff.scheme_invalid",
        "Skema penempatan tidak dikenal. Pilih p3mi (perusahaan penempatan), government (G to G) atau individual (perseorangan).",
        "Unknown placement scheme. Choose p3mi (placement company), government (G to G) or individual.",
    ),
    // --- NIK ---------------------------------------------------------------
    (
        "nik.length",
        "NIK harus terdiri dari 16 angka. Yang Anda isi {length} angka.",
        "The NIK must have 16 digits. You entered {length}.",
    ),
    (
        "nik.not_digits",
        "NIK hanya boleh berisi angka (16 angka, seperti tertulis di KTP).",
        "The NIK may contain digits only (16 digits, as printed on the ID card).",
    ),
    (
        "nik.province_unknown",
        "Dua angka pertama NIK ({code}) bukan kode provinsi yang dikenal. Mohon periksa kembali NIK Anda.",
        "The first two digits of the NIK ({code}) are not a known province code. Please check your NIK.",
    ),
    (
        "nik.birth_date_invalid",
        "Angka tanggal lahir di dalam NIK (angka ke-7 sampai ke-12) tidak membentuk tanggal yang benar. Mohon periksa kembali NIK Anda.",
        "The birth date inside the NIK (digits 7 to 12) is not a real date. Please check your NIK.",
    ),
    (
        "nik.serial_invalid",
        "Empat angka terakhir NIK tidak boleh 0000. Mohon periksa kembali NIK Anda.",
        "The last four digits of the NIK cannot be 0000. Please check your NIK.",
    ),
    (
        "nik.birth_date_mismatch",
        "Tanggal lahir yang Anda isi ({declared}) tidak sama dengan tanggal lahir di dalam NIK ({nik}). Mohon perbaiki salah satunya.",
        "The birth date you entered ({declared}) does not match the birth date in the NIK ({nik}). Please correct one of them.",
    ),
    (
        "nik.sex_mismatch",
        "Jenis kelamin yang Anda isi ({declared}) tidak sama dengan yang tercatat di NIK ({nik}). L = laki-laki, P = perempuan. Mohon perbaiki salah satunya.",
        "The sex you entered ({declared}) does not match the one recorded in the NIK ({nik}). L = male, P = female. Please correct one of them.",
    ),
    // --- phone -------------------------------------------------------------
    (
        "phone.invalid",
        "Nomor telepon ini tidak valid untuk {country}. Contoh penulisan: {example}. Untuk negara lain, awali dengan + dan kode negara.",
        "This phone number is not valid for {country}. Example: {example}. For another country, start with + and the country code.",
    ),
    (
        "phone.not_mobile",
        "Nomor ini sepertinya bukan nomor HP. Kami menyarankan nomor HP agar Anda bisa menerima SMS.",
        "This does not look like a mobile number. We suggest a mobile number so that you can receive text messages.",
    ),
    (
        "phone.unchecked",
        "Kami tidak punya data nomor telepon negara ini, jadi hanya panjangnya yang diperiksa. Mohon pastikan nomornya benar.",
        "We have no numbering data for this country, so only the length was checked. Please make sure the number is right.",
    ),
    // --- passport ----------------------------------------------------------
    (
        "passport.invalid",
        "Nomor paspor harus berisi 1 atau 2 huruf diikuti 6 sampai 8 angka, contoh: A1234567.",
        "A passport number is 1 or 2 letters followed by 6 to 8 digits, for example A1234567.",
    ),
    (
        "passport.unusual_format",
        "Nomor paspor biasanya 1 huruf diikuti 7 angka (contoh: A1234567). Mohon cocokkan lagi dengan paspor Anda.",
        "A passport number is usually 1 letter followed by 7 digits (e.g. A1234567). Please check it against your passport.",
    ),
    // --- KPJ ---------------------------------------------------------------
    (
        "kpj.invalid",
        "Nomor KPJ (nomor kartu peserta) terdiri dari 10 sampai 15 angka. Mohon periksa kembali kartu Anda.",
        "A KPJ (membership card) number has 10 to 15 digits. Please check your card.",
    ),
    // --- e-mail ------------------------------------------------------------
    (
        "email.invalid",
        "Alamat email tidak valid. Contoh penulisan: nama@contoh.com",
        "This e-mail address is not valid. Example: name@example.com",
    ),
    // --- dates -------------------------------------------------------------
    (
        "date.invalid",
        "Tanggal tidak valid. Tulis seperti ini: 31-12-1990 (tanggal-bulan-tahun) atau 1990-12-31.",
        "This date is not valid. Write it like this: 31-12-1990 (day-month-year) or 1990-12-31.",
    ),
    // --- tariff ------------------------------------------------------------
    (
        "tariff.jht_invalid",
        "Iuran JHT per bulan harus salah satu dari pilihan berikut: {options}.",
        "The monthly JHT contribution must be one of: {options}.",
    ),
    (
        "tariff.months_invalid",
        "Lama kontrak kerja harus antara 1 dan {max} bulan.",
        "The contract length must be between 1 and {max} months.",
    ),
    (
        "tariff.not_available",
        "Tarif iuran untuk tanggal {date} belum tersedia. Mohon sinkronkan aplikasi saat ada koneksi internet.",
        "No contribution tariff is available for {date} yet. Please sync the app when you are online.",
    ),
];

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
        for (code, _, _) in MESSAGES {
            for lang in [Lang::Id, Lang::En] {
                let text = messages::render(code, lang, &[]);
                assert_ne!(text, *code, "{code} missing");
            }
        }
    }
}
