//! The domain validators' messages: every problem code of the identifiers, dates,
//! countries and the tariff, in Indonesian and English.

/// Messages for the domain validators' problem codes: (code, Indonesian, English).
pub static MESSAGES: &[super::Entry] = &[
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
        "Tanggal tidak valid. Tulis tanggal-bulan-tahun, misalnya 17-08-1995, 17/08/1995, 17.8.1995 atau 17081995 (juga 1995-08-17).",
        "This date is not valid. Write day-month-year, e.g. 17-08-1995, 17/08/1995, 17.8.1995 or 17081995 (also 1995-08-17).",
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
