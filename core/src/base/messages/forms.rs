//! The form engine's message catalog: every problem code it reports, in
//! Indonesian and English. Rule messages live in the definitions themselves.

/// Messages for the form engine's problem codes.
pub static MESSAGES: &[super::Entry] = &[
    ("field.required", "Wajib diisi.", "This field is required."),
    (
        "document.invalid_file",
        "Berkas lampiran tidak dikenal. Lampirkan ulang fotonya.",
        "An attached file is not recognised. Attach the photo again.",
    ),
    (
        "document.too_few_pages",
        "Lampirkan paling sedikit {min} halaman.",
        "Attach at least {min} pages.",
    ),
    (
        "document.too_many_pages",
        "Paling banyak {max} halaman.",
        "At most {max} pages.",
    ),
    (
        "field.wrong_type",
        "Isian ini tidak sesuai jenisnya (harus {expected}).",
        "This answer has the wrong type (expected {expected}).",
    ),
    (
        "field.date_in_future",
        "Tanggal tidak boleh di masa depan.",
        "The date cannot be in the future.",
    ),
    (
        "field.age_too_young",
        "Umur minimal {min} tahun.",
        "You must be at least {min} years old.",
    ),
    (
        "field.age_too_old",
        "Umur maksimal {max} tahun.",
        "You must be at most {max} years old.",
    ),
    (
        "field.phone_needs_country",
        "Pilih negara terlebih dahulu, atau tulis nomor dengan kode negara (+…).",
        "Choose the country first, or write the number with its country code (+…).",
    ),
    (
        "field.phone_belongs_elsewhere",
        "Ini bukan nomor dari {country}. Di sini tulis nomor HP {country}; nomor dari negara lain diisi di \"{field}\".",
        "This is not a number from {country}. Write your mobile number in {country} here; a number from another country goes in \"{field}\".",
    ),
    (
        "field.country_unknown",
        "Negara \"{value}\" tidak dikenal. Tulis salah satu: {accepted}.",
        "Unknown country \"{value}\". Write one of: {accepted}.",
    ),
    (
        "field.country_not_destination",
        "Negara ini bukan negara tujuan penempatan.",
        "This country is not a placement destination.",
    ),
    (
        "text.too_long",
        "Terlalu panjang: paling banyak {max} karakter.",
        "Too long: at most {max} characters.",
    ),
    (
        "text.too_short",
        "Terlalu pendek: paling sedikit {min} karakter.",
        "Too short: at least {min} characters.",
    ),
    (
        "text.pattern",
        "Format tidak sesuai.",
        "The format is not valid.",
    ),
    (
        "number.invalid",
        "Tulis angka, misalnya 12 atau 12,5.",
        "Write a number, e.g. 12 or 12.5.",
    ),
    (
        "number.not_integer",
        "Tulis bilangan bulat.",
        "Write a whole number.",
    ),
    ("number.too_small", "Paling kecil {min}.", "At least {min}."),
    ("number.too_large", "Paling besar {max}.", "At most {max}."),
    (
        "choice.unknown",
        "Pilihan \"{value}\" tidak tersedia. Pilih salah satu: {accepted}.",
        "\"{value}\" is not one of the choices. Choose one of: {accepted}.",
    ),
    (
        "choice.too_few",
        "Pilih paling sedikit {min}.",
        "Choose at least {min}.",
    ),
    (
        "choice.too_many",
        "Pilih paling banyak {max}.",
        "Choose at most {max}.",
    ),
    (
        "consent.invalid",
        "Jawab ya atau tidak.",
        "Answer yes or no.",
    ),
    (
        "consent.required",
        "Anda perlu menyetujui ini untuk melanjutkan.",
        "You need to agree to this to continue.",
    ),
    (
        "repeat.too_few",
        "Isi paling sedikit {min}.",
        "Add at least {min}.",
    ),
    ("repeat.too_many", "Paling banyak {max}.", "At most {max}."),
    // Registration terms (`forms::TermsError`): the server rejects a registration
    // with these when its terms cannot be read; `{field}` is the field's id.
    (
        "registration.missing_field",
        "Kolom {field} wajib diisi untuk pendaftaran.",
        "The field {field} is required for a registration.",
    ),
    // The server's answer to a registration of a NIK that already holds a
    // membership for an overlapping placement: it says nothing about that
    // membership, only what the worker can do.
    (
        "registration.already_registered",
        "NIK ini sudah terdaftar untuk masa penempatan ini, jadi tidak perlu mendaftar lagi. Jika ini NIK Anda, pilih \"Saya sudah terdaftar\" untuk menautkan ponsel ini ke kepesertaan Anda. Jika bukan, periksa kembali NIK yang Anda ketik.",
        "This NIK is already registered for this placement period, so there is no need to register again. If it is your NIK, choose \"I am already registered\" (Saya sudah terdaftar) to link this phone to your membership. If not, check the NIK you typed.",
    ),
    (
        "registration.invalid_scheme",
        "Skema penempatan tidak dikenal.",
        "Unknown placement scheme.",
    ),
    (
        "registration.contract_order",
        "Tanggal akhir kontrak harus setelah tanggal mulai kontrak.",
        "The contract must end after it starts.",
    ),
    (
        "registration.invalid_jht",
        "Iuran JHT per bulan tidak valid.",
        "The monthly JHT amount is not valid.",
    ),
    (
        "reference.invalid",
        "Data bawaan aplikasi rusak. Pasang ulang atau perbarui aplikasi.",
        "The app's built-in data is damaged. Reinstall or update the app.",
    ),
    (
        "form.unknown",
        "Formulir ini tidak dikenal oleh versi aplikasi ini. Perbarui aplikasi.",
        "This version of the app does not know this form. Update the app.",
    ),
    (
        "form.invalid_definition",
        "Formulir ini rusak di dalam aplikasi. Perbarui aplikasi.",
        "This form is damaged inside the app. Update the app.",
    ),
    (
        "field.unknown",
        "Isian ini tidak ada di formulir ini.",
        "This form has no such field.",
    ),
    (
        "form.invalid",
        "Masih ada isian yang perlu diperbaiki. Periksa pesan di setiap isian.",
        "Some answers still need fixing. See the message on each field.",
    ),
];
