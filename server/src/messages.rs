//! The server's own user-visible messages (issues it adds to a rejected
//! submission, and the answers of its abuse limits), in Indonesian and English.

use rantau_core::{Issue, Lang, Severity};

/// `(code, id_template, en_template)`; placeholders are `{name}`.
pub static MESSAGES: &[rantau_core::base::messages::Entry] = &[
    (
        "form.unknown",
        "Formulir {form} versi {version} tidak dikenal server.",
        "The server does not know form {form} version {version}.",
    ),
    (
        "payload.not_object",
        "Isi formulir harus berupa objek JSON.",
        "The form's answers must be a JSON object.",
    ),
    (
        "field.unknown",
        "Kolom ini tidak ada pada formulir.",
        "This field is not part of the form.",
    ),
    (
        "submission.unreadable",
        "Kiriman tidak dapat dibaca server ({code}).",
        "The server cannot read this submission ({code}).",
    ),
    (
        "submission.invalid_id",
        "ID kiriman harus diisi (paling banyak 100 karakter).",
        "The submission id must be given (at most 100 characters).",
    ),
    (
        "registration.invalid_date",
        "Tanggal pada kolom {field} tidak valid (gunakan TTTT-BB-HH).",
        "The date in {field} is not valid (use YYYY-MM-DD).",
    ),
    (
        "request.rate_limited",
        "Terlalu banyak permintaan. Coba lagi dalam {seconds} detik.",
        "Too many requests. Try again in {seconds} seconds.",
    ),
    (
        "device.secret_mismatch",
        "Perangkat ini sudah terdaftar dan kunci rahasianya tidak cocok. Pulihkan profil dari cadangannya atau hubungi petugas.",
        "This device is already enrolled and its secret does not match. Restore the profile from its backup or contact an officer.",
    ),
    (
        "request.invalid_text",
        "Teks dalam permintaan memuat karakter yang tidak dapat disimpan (karakter NUL).",
        "A text in the request holds a character that cannot be stored (a NUL character).",
    ),
    (
        "request.timeout",
        "Permintaan terlalu lama dikirim dan dihentikan. Coba lagi.",
        "The request took too long to arrive and was stopped. Try again.",
    ),
    (
        "body.too_large",
        "Isi permintaan lebih besar dari {bytes} bita.",
        "The request body is larger than {bytes} bytes.",
    ),
    (
        "request.bad_content_length",
        "Panjang isi (Content-Length) permintaan tidak valid.",
        "The request's Content-Length is not valid.",
    ),
    (
        "submission.invalid_created_at",
        "Waktu pembuatan kiriman (created_at) harus berupa tanggal dan jam RFC 3339, misalnya 2026-01-31T08:00:00Z.",
        "The submission's created_at must be an RFC 3339 date and time, e.g. 2026-01-31T08:00:00Z.",
    ),
    (
        "body.bad_gzip",
        "Isi permintaan ditandai gzip (Content-Encoding: gzip) tetapi tidak dikompresi gzip.",
        "The request body is marked gzip (Content-Encoding: gzip) but is not gzip-compressed.",
    ),
    (
        "enroll.busy",
        "Server sedang menerima terlalu banyak pendaftaran perangkat. Coba lagi dalam {seconds} detik.",
        "The server is enrolling too many devices right now. Try again in {seconds} seconds.",
    ),
    (
        "storage.full",
        "Server belum punya ruang untuk dokumen. Dokumen tetap tersimpan di ponsel dan akan dikirim nanti.",
        "The server has no room for documents now. They stay on the phone and will be sent later.",
    ),
    (
        "storage.unavailable",
        "Basis data server sedang tidak dapat dijangkau. Coba lagi nanti.",
        "The server's database cannot be reached now. Try again later.",
    ),
    (
        "storage.schema_mismatch",
        "Skema basis data (versi {found}) tidak sesuai dengan versi server ini ({expected}).",
        "The database schema (version {found}) does not match this server's ({expected}).",
    ),
    (
        "config.unreadable",
        "Berkas konfigurasi {file} tidak dapat dibaca: {detail}",
        "cannot read the configuration file {file}: {detail}",
    ),
    (
        "config.invalid",
        "Berkas konfigurasi {file} tidak valid: {detail}",
        "the configuration file {file} is not valid: {detail}",
    ),
    (
        "config.files_without_database",
        "files (--files) hanya untuk PostgreSQL: berikan juga database (--database postgres://…).",
        "files (--files) is for PostgreSQL: give database (--database postgres://…) too.",
    ),
    // The officers' import of people registered elsewhere (`decisions/import.rs`).
    (
        "import.invalid_rows",
        "Berkas tidak diimpor: ada baris yang salah (lihat daftar). Perbaiki lalu impor lagi seluruh berkas.",
        "The file was not imported: some rows are wrong (see the list). Fix them and import the whole file again.",
    ),
    (
        "import.empty",
        "Berkas tidak memuat baris data.",
        "The file holds no data rows.",
    ),
    (
        "import.header",
        "Baris pertama harus berupa judul kolom: nik,name,birth_date,kpj,start,end.",
        "The first line must be the header: nik,name,birth_date,kpj,start,end.",
    ),
    (
        "import.columns",
        "Baris ini harus memuat tepat 6 kolom (tanda kutip yang tidak ditutup juga salah).",
        "This row must have exactly 6 columns (an unclosed quote is wrong too).",
    ),
    (
        "import.too_many_rows",
        "Berkas memuat lebih dari 10.000 baris; bagi menjadi beberapa berkas.",
        "The file holds more than 10,000 rows; split it into several files.",
    ),
    (
        "import.name",
        "Nama wajib diisi (paling banyak 200 karakter).",
        "The name is required (at most 200 characters).",
    ),
    (
        "import.window_order",
        "Akhir masa penempatan tidak boleh sebelum awalnya.",
        "The placement window must not end before it starts.",
    ),
    (
        "import.nik_other_kpj",
        "NIK ini sudah tercatat dengan nomor KPJ lain.",
        "This NIK is already recorded with another KPJ number.",
    ),
    (
        "import.kpj_other_nik",
        "Nomor KPJ ini sudah tercatat untuk NIK lain.",
        "This KPJ number is already recorded for another NIK.",
    ),
    (
        "import.overlaps",
        "Orang ini sudah punya kepesertaan yang masa penempatannya tumpang tindih dengan baris ini.",
        "This person already holds a membership whose placement window overlaps this row's.",
    ),
    (
        "registration.tariff",
        "Iuran tidak dapat dihitung: {reason}",
        "The contribution cannot be computed: {reason}",
    ),
];

/// The message of `code` in `lang` with its placeholders filled (the code itself
/// when the catalog lacks it).
pub fn render(code: &str, lang: Lang, params: &[(&str, String)]) -> String {
    let template = MESSAGES
        .iter()
        .find(|e| e.0 == code)
        .map(|(_, id, en)| match lang {
            Lang::Id => *id,
            Lang::En => *en,
        });
    let mut message = template.unwrap_or(code).to_string();
    for (name, value) in params {
        message = message.replace(&format!("{{{name}}}"), value);
    }
    message
}

/// The language of an operator's terminal: Indonesian when the locale
/// (`LC_ALL`, `LC_MESSAGES`, `LANG`, the first one set) is `id…`, else English.
pub fn operator_lang() -> Lang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    if locale.starts_with("id") {
        Lang::Id
    } else {
        Lang::En
    }
}

/// Renders `code` for the field at `path` as an error in `lang`.
pub fn error_issue(code: &str, path: &str, lang: Lang, params: &[(&str, String)]) -> Issue {
    Issue {
        code: code.to_string(),
        path: path.to_string(),
        severity: Severity::Error,
        message: render(code, lang, params),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(t: &str) -> Vec<&str> {
        let mut v: Vec<&str> = t
            .split('{')
            .skip(1)
            .filter_map(|p| p.split('}').next())
            .collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn every_message_has_both_languages_with_the_same_placeholders() {
        for (code, id, en) in MESSAGES {
            assert!(!id.is_empty() && !en.is_empty(), "{code}");
            assert_eq!(placeholders(id), placeholders(en), "{code}");
        }
    }

    #[test]
    fn renders_in_the_asked_language() {
        let p = [("form", "survey".to_string()), ("version", "2".to_string())];
        let id = error_issue("form.unknown", "form_id", Lang::Id, &p);
        let en = error_issue("form.unknown", "form_id", Lang::En, &p);
        assert!(id.message.contains("tidak dikenal") && id.message.contains("survey"));
        assert!(en.message.contains("does not know"));
        assert_eq!(en.path, "form_id");
        assert!(en.is_error());
    }
}
