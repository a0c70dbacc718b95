//! `--help` in the user's language. The English help is the doc comments clap derives
//! from; a worker reads Indonesian first, so every command's about and every
//! argument's help also has an Indonesian text here, keyed by the command's path
//! (`"draft set"`, `""` for `rantau` itself) and the argument's id, and clap's own
//! words (`Usage:`, `Options:`, `--help`'s help, the `help` command, the usual
//! errors) are replaced by Indonesian ones. Wording follows the app's: "formulir",
//! "draf", "kirim", "sinkronkan", "tarik kembali", "Formulir saya" for the outbox.

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Arg, Command, CommandFactory};
use rantau_core::Lang;

/// Indonesian texts: (command path, argument id or `""` for the command's about, text).
static TEXTS: &[(&str, &str, &str)] = &[
    (
        "",
        "",
        "Rantau: BPJS Ketenagakerjaan untuk Pekerja Migran Indonesia, tetap bisa dipakai tanpa internet",
    ),
    (
        "",
        "lang",
        "Bahasa: id (Bahasa Indonesia, bawaan) atau en (Inggris)",
    ),
    ("", "json", "Tampilkan JSON, bukan teks"),
    (
        "",
        "home",
        "Tempat profil disimpan (bawaan: $RANTAU_HOME, kalau tidak ada ~/.local/share/rantau)",
    ),
    ("", "profile", "Profil yang dipakai"),
    (
        "",
        "key_file",
        "Berkas berisi kunci profil (64 digit heksadesimal). Bawaan: $RANTAU_KEY, kalau tidak ada <home>/<profil>.key",
    ),
    // rantau profile …
    (
        "profile",
        "",
        "Profil (masing-masing satu basis data terenkripsi)",
    ),
    (
        "profile create",
        "",
        "Buat profil. Tanpa $RANTAU_KEY atau --key-file, kunci baru dibuat dan disimpan (0600)",
    ),
    (
        "profile create",
        "name",
        "Nama profil (huruf, angka, - dan _)",
    ),
    (
        "profile list",
        "",
        "Daftar profil (label bernomor, bukan nama, selama nama disembunyikan)",
    ),
    (
        "profile hide-names",
        "",
        "Sembunyikan nama di daftar profil perangkat ini (ponsel dipakai bersama), atau tampilkan lagi",
    ),
    (
        "profile hide-names",
        "state",
        "on (sembunyikan) atau off (tampilkan)",
    ),
    (
        "profile set-aside",
        "",
        "Sisihkan profil yang rusak (berkasnya tidak dapat dibaca) agar bisa dibuat lagi; berkasnya diganti nama dan disimpan, tidak pernah dihapus",
    ),
    ("profile set-aside", "name", "Nama profil"),
    // rantau form …
    ("form", "", "Formulir yang tersedia"),
    ("form list", "", "Daftar formulir yang bisa diisi"),
    (
        "form show",
        "",
        "Tampilkan halaman dan isian sebuah formulir",
    ),
    ("form show", "id", "Id formulir, mis. pmi-registration"),
    // rantau draft …
    (
        "draft",
        "",
        "Draf: isi formulir tanpa internet, satu per satu isian",
    ),
    (
        "draft new",
        "",
        "Mulai draf sebuah formulir; id-nya ditampilkan. Pendaftaran yang belum selesai dilanjutkan, tidak dimulai lagi",
    ),
    ("draft new", "form", "Id formulir"),
    (
        "draft set",
        "",
        "Isi satu isian (langsung tersimpan). Daftar dipisah koma; centang ditulis ya/tidak",
    ),
    ("draft set", "draft", "Id draf"),
    (
        "draft set",
        "path",
        "Jalur isian, mis. nik atau heirs[0].name",
    ),
    (
        "draft set",
        "value",
        "Nilai seperti diketik (tidak perlu dengan --clear)",
    ),
    ("draft set", "clear", "Kosongkan isian"),
    (
        "draft show",
        "",
        "Tampilkan draf: jawaban, masalah, dan iuran yang harus dibayar",
    ),
    ("draft show", "draft", "Id draf"),
    ("draft list", "", "Daftar draf"),
    (
        "draft review",
        "",
        "Semua jawaban per halaman, seperti yang akan dikirim: periksa sebelum finalize",
    ),
    ("draft review", "draft", "Id draf"),
    (
        "draft finalize",
        "",
        "Selesaikan formulir: jawaban ditampilkan untuk diperiksa; dengan --confirm formulir diperiksa, dikunci dan disiapkan untuk dikirim, lalu langkah berikutnya dijelaskan",
    ),
    ("draft finalize", "draft", "Id draf"),
    (
        "draft finalize",
        "confirm",
        "Kirim: Anda sudah memeriksa jawaban",
    ),
    ("draft delete", "", "Hapus draf"),
    ("draft delete", "draft", "Id draf"),
    (
        "draft attach",
        "",
        "Lampirkan foto atau pindaian (JPEG, PNG atau PDF, paling besar 5 MB) sebagai halaman berikutnya dari isian dokumen; disimpan terenkripsi di profil dan dikirim pada sinkronisasi berikutnya",
    ),
    ("draft attach", "draft", "Id draf"),
    (
        "draft attach",
        "field",
        "Isian dokumen, mis. ktp_photo",
    ),
    ("draft attach", "file", "Berkasnya"),
    (
        "draft files",
        "",
        "Daftar berkas yang dilampirkan pada draf (atau formulir yang sudah dikirim)",
    ),
    (
        "draft files",
        "draft",
        "Id draf atau id formulir yang dikirim",
    ),
    ("draft detach", "", "Lepaskan berkas dari isian dokumen"),
    ("draft detach", "draft", "Id draf"),
    ("draft detach", "field", "Isian dokumen"),
    (
        "draft detach",
        "file_id",
        "Id berkas (lihat `draft files`)",
    ),
    (
        "draft reopen",
        "",
        "Buka kembali formulir yang ditolak sebagai draf baru, untuk diperbaiki dan dikirim ulang",
    ),
    (
        "draft reopen",
        "submission",
        "Id formulir yang dikirim",
    ),
    // rantau outbox …
    (
        "outbox",
        "",
        "Formulir saya: formulir yang siap dikirim (atau sudah terkirim) saat sinkronisasi",
    ),
    (
        "outbox list",
        "",
        "Daftar formulir yang siap dikirim dan keadaan pengirimannya",
    ),
    (
        "outbox withdraw",
        "",
        "Tarik kembali formulir yang belum keluar dari ponsel menjadi draf",
    ),
    (
        "outbox withdraw",
        "submission",
        "Id formulir (lihat `outbox list`)",
    ),
    (
        "outbox send-again",
        "",
        "Kirim lagi formulir yang perlu tindakan Anda karena berkali-kali gagal terkirim",
    ),
    (
        "outbox send-again",
        "submission",
        "Id formulir (lihat `outbox list`)",
    ),
    // rantau check …
    ("check", "", "Pemeriksaan cepat nomor identitas"),
    (
        "check nik",
        "",
        "Periksa NIK (16 digit), bisa juga dicocokkan dengan tanggal lahir dan jenis kelamin yang diisi",
    ),
    ("check nik", "nik", "NIK-nya"),
    (
        "check nik",
        "dob",
        "Tanggal lahir yang diisi (HH-BB-TTTT, mis. 17-08-1995; juga 17081995 atau 1995-08-17)",
    ),
    (
        "check nik",
        "sex",
        "Jenis kelamin yang diisi: M (laki-laki) atau F (perempuan)",
    ),
    (
        "check phone",
        "",
        "Periksa nomor telepon dan tulis dalam format E.164",
    ),
    ("check phone", "input", "Nomor seperti diketik"),
    (
        "check phone",
        "country",
        "Negara asal nomor bila tanpa kode +negara (kode ISO: ID, MY, TW, HK…)",
    ),
    (
        "check passport",
        "",
        "Periksa nomor paspor Indonesia dan tulis dalam bentuk baku",
    ),
    (
        "check passport",
        "input",
        "Nomor paspor seperti diketik",
    ),
    // rantau fee
    (
        "fee",
        "",
        "Iuran yang harus dibayar (Permenaker 4/2023)",
    ),
    (
        "fee",
        "scheme",
        "Skema penempatan: p3mi (perusahaan penempatan), government (G-to-G) atau individual (mandiri)",
    ),
    ("fee", "months", "Lama kontrak dalam bulan"),
    (
        "fee",
        "jht",
        "JHT (tabungan hari tua) per bulan, boleh tidak diisi, dalam rupiah: 50000 … 600000",
    ),
    // rantau sync
    (
        "sync",
        "",
        "Sinkronkan: kirim formulir yang menunggu dan ambil kabar baru dari server",
    ),
    (
        "sync",
        "server",
        "Alamat server (https, atau http di loopback)",
    ),
    (
        "sync",
        "ca_file",
        "Berkas PEM berisi sertifikat akar yang dipercaya, sebagai ganti milik sistem (server uji atau staging dengan otoritasnya sendiri)",
    ),
    (
        "status",
        "",
        "Status kepesertaan, dari data yang tersimpan di perangkat (dengan umur datanya)",
    ),
    (
        "card",
        "",
        "Kartu kepesertaan (KPJ) dan cara membayar, dari data yang tersimpan di perangkat",
    ),
    // rantau consult …
    ("consult", "", "Konsultasi dan pengaduan"),
    (
        "consult new",
        "",
        "Mulai konsultasi atau pengaduan (draf formulir konsultasi); id-nya ditampilkan",
    ),
    (
        "consult list",
        "",
        "Daftar konsultasi dan balasannya",
    ),
    (
        "consult urgent",
        "",
        "Nomor yang bisa ditelepon sekarang (darurat, layanan ketenagakerjaan, hotline perwakilan RI, WhatsApp) di negara penempatan Anda, atau di --country",
    ),
    (
        "consult urgent",
        "country",
        "Kode negara (HK, MY, TW…), sebagai ganti negara penempatan di pendaftaran Anda",
    ),
    // rantau link …
    (
        "link",
        "",
        "\"Saya sudah terdaftar\": tautkan profil ini ke pekerja yang didaftarkan di tempat lain (dengan NIK atau KPJ dan tanggal lahir, memakai kode sekali pakai lewat e-mail atau dari petugas)",
    ),
    (
        "link start",
        "",
        "Minta kode sekali pakai: dengan NIK atau KPJ dan tanggal lahir, dikirim lewat e-mail atau diberikan petugas",
    ),
    ("link start", "nik", "NIK pekerja (16 digit)"),
    (
        "link start",
        "kpj",
        "Nomor KPJ (kepesertaan) pekerja",
    ),
    (
        "link start",
        "birth_date",
        "Tanggal lahir (HH-BB-TTTT atau TTTT-BB-HH)",
    ),
    (
        "link start",
        "email",
        "Kode dikirim ke alamat e-mail pekerja yang tercatat di BPJS Ketenagakerjaan",
    ),
    (
        "link start",
        "officer",
        "Petugas di KBRI, KJRI atau KDEI yang memberikan kodenya",
    ),
    (
        "link start",
        "server",
        "Alamat server (https, atau http di loopback)",
    ),
    (
        "link start",
        "ca_file",
        "Berkas PEM berisi sertifikat akar yang dipercaya, sebagai ganti milik sistem",
    ),
    (
        "link confirm",
        "",
        "Ketik kodenya: profil ini ditautkan, lalu disinkronkan",
    ),
    ("link confirm", "code", "Kode 6 angka"),
    (
        "link confirm",
        "server",
        "Alamat server (https, atau http di loopback)",
    ),
    (
        "link confirm",
        "ca_file",
        "Berkas PEM berisi sertifikat akar yang dipercaya, sebagai ganti milik sistem",
    ),
    // rantau backup …
    (
        "backup",
        "",
        "Cadangan: profil dalam satu berkas yang dikunci kata sandi, untuk ponsel baru",
    ),
    (
        "backup export",
        "",
        "Simpan profil (draf, formulir yang menunggu, dokumen, kredensial perangkat ini) ke FILE, dikunci dengan kata sandi",
    ),
    (
        "backup export",
        "file",
        "Berkas cadangan yang ditulis",
    ),
    (
        "backup export",
        "damaged",
        "Simpan berkas profil rusak yang sudah disisihkan (`rantau profile set-aside`), sejauh bisa dibaca, dengan kunci profilnya",
    ),
    (
        "backup import",
        "",
        "Pulihkan FILE sebagai profil yang disebut --profile (profil baru), di sini atau di ponsel lain. Formulir yang sedang dikirim tetap terkirim tepat satu kali",
    ),
    (
        "backup import",
        "file",
        "Berkas cadangan yang dibaca",
    ),
    // rantau pin …
    (
        "pin",
        "",
        "PIN profil, diminta sebelum profil dibuka (tidak untuk `sync`)",
    ),
    (
        "pin set",
        "",
        "Pasang PIN (4 sampai 8 angka) pada profil yang belum punya PIN",
    ),
    (
        "pin change",
        "",
        "Ganti PIN (PIN sekarang diminta, lalu PIN baru)",
    ),
    ("pin remove", "", "Hapus PIN (PIN sekarang diminta)"),
    (
        "pin status",
        "",
        "Apakah profil memakai PIN, sisa percobaan, dan waktu tunggu bila ada",
    ),
    (
        "demo",
        "",
        "Seluruh alur dari awal sampai akhir, dengan server bawaan di loopback",
    ),
];

/// The `help` command clap adds to every command with subcommands.
const HELP_COMMAND: &str = "Tampilkan bantuan ini atau bantuan perintah yang disebut";
/// `-h, --help`.
const HELP_FLAG: &str = "Tampilkan bantuan";
/// `-V, --version`.
const VERSION_FLAG: &str = "Tampilkan versi";

/// clap's words in its errors, English then Indonesian, replaced longest first
/// where one contains another.
static ERROR_WORDS: &[(&str, &str)] = &[
    ("error:", "gagal:"),
    ("Usage:", "Pemakaian:"),
    ("[OPTIONS]", "[OPSI]"),
    ("tip:", "saran:"),
    ("unrecognized subcommand '", "perintah tidak dikenal '"),
    ("unexpected argument '", "argumen tidak dikenal '"),
    ("unexpected value '", "nilai berlebih '"),
    ("' found; no more were expected", "'"),
    ("' found", "'"),
    (
        "the following required arguments were not provided:",
        "argumen wajib berikut belum diberikan:",
    ),
    ("invalid value '", "nilai tidak sah '"),
    ("a value is required for '", "nilai diperlukan untuk '"),
    ("' but none was supplied", "', tetapi tidak diberikan"),
    ("' for '", "' untuk '"),
    (
        "' cannot be used multiple times",
        "' tidak boleh dipakai lebih dari sekali",
    ),
    ("' cannot be used with", "' tidak bisa dipakai bersama"),
    (
        "one or more of the other specified arguments",
        "argumen lain yang diberikan",
    ),
    ("the argument '", "argumen '"),
    ("the subcommand '", "perintah '"),
    (
        "' requires a subcommand but one was not provided",
        "' perlu perintah lanjutan, tetapi tidak diberikan",
    ),
    ("[subcommands: ", "[perintah: "),
    ("[possible values: ", "[pilihan: "),
    ("a similar subcommand exists: ", "ada perintah yang mirip: "),
    (
        "some similar subcommands exist: ",
        "ada perintah yang mirip: ",
    ),
    ("a similar argument exists: ", "ada argumen yang mirip: "),
    ("some similar arguments exist: ", "ada argumen yang mirip: "),
    ("a similar value exists: ", "ada nilai yang mirip: "),
    ("some similar values exist: ", "ada nilai yang mirip: "),
    ("to pass '", "untuk memberikan '"),
    ("' as a value, use '", "' sebagai nilai, pakai '"),
    (
        "For more information, try '",
        "Untuk keterangan lebih lanjut, coba '",
    ),
];

/// The command line in `lang`: the derived one for English, translated for Indonesian.
pub fn command(lang: Lang) -> Command {
    let cmd = crate::Cli::command();
    match lang {
        Lang::En => cmd,
        Lang::Id => {
            // Texts first, so that clap's copies (global options in every command,
            // the commands listed under `help`) are made from the Indonesian ones.
            let mut cmd = translate(cmd, "");
            cmd.build();
            clap_words(&mut cmd);
            cmd
        }
    }
}

/// The Indonesian text of a command (`arg` empty) or argument, if there is one.
fn text(path: &str, arg: &str) -> Option<&'static str> {
    TEXTS
        .iter()
        .find(|(p, a, _)| *p == path && *a == arg)
        .map(|(_, _, t)| *t)
}

/// The path of `name` under `path`.
fn child(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path} {name}")
    }
}

/// The texts of `cmd` (at `path`) and all under it, in Indonesian. Only the short
/// texts are kept: an English long one would otherwise show with `--help`.
fn translate(cmd: Command, path: &str) -> Command {
    let mut cmd = cmd.long_about(None);
    if let Some(about) = text(path, "") {
        cmd = cmd.about(about);
    }
    cmd.mut_args(|arg| match text(path, arg.get_id().as_str()) {
        Some(help) => arg.help(help).long_help(None),
        None => arg,
    })
    .mut_subcommands(|sub| {
        let path = child(path, sub.get_name());
        translate(sub, &path)
    })
}

/// What clap adds or writes itself, in Indonesian, on a built command and all under
/// it: the help and version flags, the `help` command, the headings, `[OPTIONS]`,
/// defaults and possible values.
fn clap_words(cmd: &mut Command) {
    let mut c = std::mem::take(cmd);
    if c.get_name() == "help" {
        c = c.about(HELP_COMMAND);
    }
    c = c
        .mut_args(clap_arg_words)
        .subcommand_help_heading("Perintah")
        .subcommand_value_name("PERINTAH");
    let usage = c.render_usage().to_string();
    let usage = usage.strip_prefix("Usage: ").unwrap_or(&usage);
    c = c.override_usage(usage.replace("[OPTIONS]", "[OPSI]"));
    let template = template(&c);
    c = c.help_template(template);
    for sub in c.get_subcommands_mut() {
        clap_words(sub);
    }
    *cmd = c;
}

/// An argument's built-in help, default and possible values in Indonesian.
fn clap_arg_words(arg: Arg) -> Arg {
    let mut arg = match arg.get_id().as_str() {
        "help" => arg.help(HELP_FLAG).long_help(None),
        "version" => arg.help(VERSION_FLAG).long_help(None),
        _ => arg,
    };
    let mut help = arg.get_help().map(ToString::to_string).unwrap_or_default();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && arg.get_action().takes_values() && !arg.is_hide_default_value_set() {
        help.push_str(&format!(" [bawaan: {}]", defaults.join(" ")));
        arg = arg.hide_default_value(true);
    }
    let possible: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if !possible.is_empty() && !arg.is_hide_possible_values_set() {
        help.push_str(&format!(" [pilihan: {}]", possible.join(", ")));
        arg = arg.hide_possible_values(true);
    }
    arg.help(help)
}

/// clap's default help layout with Indonesian headings, a section only when it
/// has something (clap writes "Usage:", "Commands:" … itself otherwise).
fn template(c: &Command) -> String {
    let styles = c.get_styles();
    let (h, u) = (styles.get_header(), styles.get_usage());
    let mut t = format!("{{before-help}}{{about-with-newline}}\n{u}Pemakaian:{u:#} {{usage}}");
    let mut section = |heading: &str, tag: &str| {
        t.push_str(&format!("\n\n{h}{heading}:{h:#}\n{{{tag}}}"));
    };
    if c.get_subcommands().any(|s| !s.is_hide_set()) {
        section("Perintah", "subcommands");
    }
    if c.get_positionals().any(|a| !a.is_hide_set()) {
        section("Argumen", "positionals");
    }
    if c.get_arguments()
        .any(|a| !a.is_positional() && !a.is_hide_set())
    {
        section("Opsi", "options");
    }
    t.push_str("{after-help}");
    t
}

/// Prints what clap stopped at (help, version, a mistyped command line) in `lang`;
/// the exit code clap gives it.
#[allow(clippy::print_stderr)]
pub fn print_error(lang: Lang, e: &clap::Error) -> ExitCode {
    let code = ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
    let ours = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
    if lang == Lang::En || ours {
        // Help and version are already in `lang`: clap prints them, in colour on a terminal.
        let _ = e.print();
        return code;
    }
    use std::io::IsTerminal as _;
    let styled = e.render();
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = if colour {
        styled.ansi().to_string()
    } else {
        styled.to_string()
    };
    let text = ERROR_WORDS
        .iter()
        .fold(text, |text, (en, id)| text.replace(en, id));
    eprint!("{text}");
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command's about and every argument's help, against English; `path`
    /// names the command in the failures.
    fn untranslated(en: &Command, id: &Command, path: &str, missing: &mut Vec<String>) {
        let en_about = en.get_about().map(ToString::to_string);
        let id_about = id.get_about().map(ToString::to_string);
        if id_about.is_none() || id_about == en_about {
            missing.push(format!("command `rantau {path}`"));
        }
        for arg in id.get_arguments() {
            let en_help = en
                .get_arguments()
                .find(|a| a.get_id() == arg.get_id())
                .and_then(Arg::get_help)
                .map(ToString::to_string)
                .unwrap_or_default();
            let id_help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            // Indonesian help may end in " [bawaan: …]": compare its start.
            if id_help.is_empty() || id_help.starts_with(&en_help) {
                missing.push(format!("argument `{}` of `rantau {path}`", arg.get_id()));
            }
        }
        for sub in id.get_subcommands() {
            match en.find_subcommand(sub.get_name()) {
                Some(en_sub) => untranslated(en_sub, sub, &child(path, sub.get_name()), missing),
                None => missing.push(format!("command `rantau {path} {}`", sub.get_name())),
            }
        }
    }

    #[test]
    fn every_command_and_argument_has_an_indonesian_help() {
        let mut en = crate::Cli::command();
        en.build();
        let id = command(Lang::Id);
        let mut missing = Vec::new();
        untranslated(&en, &id, "", &mut missing);
        assert!(
            missing.is_empty(),
            "no Indonesian text (add it to TEXTS in help_id.rs):\n{}",
            missing.join("\n")
        );
    }

    /// The (path, arg) keys the derived command line has.
    fn keys(cmd: &Command, path: &str, out: &mut Vec<(String, String)>) {
        out.push((path.to_string(), String::new()));
        for arg in cmd.get_arguments() {
            out.push((path.to_string(), arg.get_id().to_string()));
        }
        for sub in cmd.get_subcommands() {
            keys(sub, &child(path, sub.get_name()), out);
        }
    }

    #[test]
    fn the_table_names_only_real_commands_and_arguments() {
        let mut real = Vec::new();
        keys(&crate::Cli::command(), "", &mut real);
        for (path, arg, _) in TEXTS {
            assert!(
                real.contains(&(path.to_string(), arg.to_string())),
                "TEXTS has `{path}` `{arg}`, which the command line does not"
            );
        }
        let mut seen = std::collections::HashSet::new();
        for (path, arg, _) in TEXTS {
            assert!(seen.insert((path, arg)), "TEXTS has `{path}` `{arg}` twice");
        }
    }

    #[test]
    fn clap_s_own_words_are_indonesian() {
        let mut id = command(Lang::Id);
        let root = id.render_help().to_string();
        let set = id
            .find_subcommand_mut("draft")
            .and_then(|d| d.find_subcommand_mut("set"))
            .unwrap()
            .render_help()
            .to_string();
        let hide = id
            .find_subcommand_mut("profile")
            .and_then(|d| d.find_subcommand_mut("hide-names"))
            .unwrap()
            .render_help()
            .to_string();
        let all = format!("{root}\n{set}\n{hide}");
        for word in [
            "Pemakaian: rantau [OPSI] <PERINTAH>",
            "Perintah:",
            "Opsi:",
            "Argumen:",
            "Tampilkan bantuan",
            "Tampilkan versi",
            HELP_COMMAND,
            "[bawaan: id]",
            "[pilihan: on, off]",
        ] {
            assert!(all.contains(word), "no {word:?} in:\n{all}");
        }
        for word in [
            "Usage",
            "Commands",
            "Options",
            "Arguments",
            "Print",
            "[default",
            "possible values",
            "OPTIONS",
            "COMMAND",
        ] {
            assert!(!all.contains(word), "{word:?} in:\n{all}");
        }
    }
}
