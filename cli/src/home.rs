//! Where profiles and their keys live, and the `profile` commands.
//!
//! On Android the key comes from the Keystore; on the command line it comes from
//! `$RANTAU_KEY`, `--key-file`, or a `<profile>.key` file (mode 0600) made at create.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use rantau_core::app::data_size;
use rantau_core::app::profile_list;
use rantau_core::app::Key;
use rantau_core::{Error, Lang, Result};

use crate::out::{self, t};

/// What every command needs to know about its environment.
pub struct Env {
    /// Profiles directory.
    pub home: PathBuf,
    /// Selected profile.
    pub profile: String,
    key_file: Option<PathBuf>,
    /// Output language.
    pub lang: Lang,
    /// JSON output.
    pub json: bool,
}

impl Env {
    /// Resolves the home directory (flag, `$RANTAU_HOME`, or `~/.local/share/rantau`).
    pub fn new(
        home: Option<PathBuf>,
        profile: String,
        key_file: Option<PathBuf>,
        lang: Lang,
        json: bool,
    ) -> Env {
        let home = home.unwrap_or_else(|| {
            std::env::var_os("XDG_DATA_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
                .unwrap_or_else(|| PathBuf::from("."))
                .join("rantau")
        });
        Env {
            home,
            profile,
            key_file,
            lang,
            json,
        }
    }

    /// The same environment with profile `name` selected (commands that name it).
    fn for_profile(&self, name: &str) -> Env {
        Env {
            profile: name.to_string(),
            key_file: self.key_file.clone(),
            home: self.home.clone(),
            lang: self.lang,
            json: self.json,
        }
    }

    fn default_key_file(&self) -> PathBuf {
        self.home.join(format!("{}.key", self.profile))
    }

    /// The profile key: `$RANTAU_KEY`, else `--key-file`, else `<home>/<profile>.key`.
    pub fn key(&self) -> Result<Key> {
        if let Ok(hex) = std::env::var("RANTAU_KEY") {
            return Key::from_hex(hex.trim());
        }
        let file = self
            .key_file
            .clone()
            .unwrap_or_else(|| self.default_key_file());
        match std::fs::read_to_string(&file) {
            Ok(s) => Key::from_hex(s.trim()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(Error::ProfileNotFound(self.profile.clone()))
            }
            Err(e) => Err(Error::Io(e)),
        }
    }

    /// The key for a profile about to be made: the one given (`$RANTAU_KEY`,
    /// `--key-file`, a key file left by a run cut short), else a new one saved to
    /// `<home>/<profile>.key` (0600), whose path is returned too.
    pub fn key_or_new(&self) -> Result<(Key, Option<PathBuf>)> {
        match self.key() {
            Ok(k) => Ok((k, None)),
            Err(Error::ProfileNotFound(_)) => {
                let key = Key::generate();
                let file = self.default_key_file();
                std::fs::create_dir_all(&self.home)?;
                write_private(&file, key.to_hex().as_str())?;
                Ok((key, Some(file)))
            }
            Err(e) => Err(e),
        }
    }

    /// Opens the selected profile in the selected language for the user: with its
    /// PIN when it has one (`$RANTAU_PIN`, else asked).
    pub fn open(&self) -> Result<rantau_core::app::profile::Profile> {
        let p = self.open_locked()?;
        crate::pin::unlock(&p, self.lang)?;
        Ok(p)
    }

    /// Opens the selected profile without asking for its PIN: for syncing, which
    /// works without it (as the phone's background sync does), and the `pin`
    /// commands, which check it themselves.
    pub fn open_locked(&self) -> Result<rantau_core::app::profile::Profile> {
        let p = rantau_core::app::profile::Profile::open(&self.home, &self.profile, &self.key()?)?;
        p.set_lang(self.lang);
        Ok(p)
    }
}

/// `rantau profile …`
#[derive(Subcommand)]
pub enum ProfileCmd {
    /// Create a profile. Without $RANTAU_KEY or --key-file a new key is made and saved (0600).
    Create {
        /// Profile name (letters, digits, - and _).
        name: String,
    },
    /// List profiles (numbered labels instead of names while names are hidden).
    List,
    /// Hide the names in this device's profile list (a shared phone), or show them again.
    HideNames {
        /// on or off.
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// Set a damaged profile (one whose file cannot be read) aside, so it can be
    /// created again; the file is renamed and kept, never deleted.
    SetAside {
        /// Profile name.
        name: String,
    },
}

/// Runs a `profile` command.
pub fn run(env: &Env, cmd: ProfileCmd) -> Result<ExitCode> {
    let lang = env.lang;
    match cmd {
        ProfileCmd::Create { name } => {
            let env = env.for_profile(&name);
            let (key, saved) = env.key_or_new()?;
            let profile = rantau_core::app::profile::Profile::create(&env.home, &name, &key)?;
            if env.json {
                out::json(
                    &serde_json::json!({"profile": name, "path": profile.path(), "key_file": saved}),
                );
            } else {
                out::line(format!(
                    "{} {name}: {}",
                    t(lang, "Profil dibuat", "Profile created"),
                    profile.path().display()
                ));
                if let Some(f) = saved {
                    out::line(format!(
                        "{}: {}",
                        t(lang, "Kunci disimpan di", "Key saved in"),
                        f.display()
                    ));
                }
            }
        }
        ProfileCmd::SetAside { name } => {
            let env = env.for_profile(&name);
            let kept = rantau_core::app::profile::Profile::set_aside_damaged(
                &env.home,
                &name,
                &env.key()?,
            )?;
            if env.json {
                out::json(&serde_json::json!({"profile": name, "kept": kept}));
            } else {
                out::line(format!(
                    "{} {name}: {}",
                    t(
                        lang,
                        "Profil rusak disisihkan, berkasnya disimpan di",
                        "Damaged profile set aside, its file kept at"
                    ),
                    kept.display()
                ));
            }
        }
        ProfileCmd::List => {
            let entries = profile_list::profile_entries(&env.home, lang)?;
            if env.json {
                out::json(&entries);
            } else if entries.is_empty() {
                out::line(t(lang, "Belum ada profil.", "No profiles yet."));
            } else {
                entries
                    .iter()
                    .for_each(|e| out::line(format!("  {}", e.label)));
            }
        }
        ProfileCmd::HideNames { state } => {
            let hidden = state == "on";
            profile_list::set_names_hidden(&env.home, hidden)?;
            if env.json {
                out::json(&serde_json::json!({"names_hidden": hidden}));
            } else {
                out::line(if hidden {
                    t(
                        lang,
                        "Nama profil disembunyikan di daftar.",
                        "Profile names are hidden in the list.",
                    )
                } else {
                    t(
                        lang,
                        "Nama profil ditampilkan di daftar.",
                        "Profile names are shown in the list.",
                    )
                });
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes a secret file readable by its owner only.
fn write_private(path: &std::path::Path, contents: &str) -> Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

/// The user's explanation of an error, in their language.
pub fn error_text(lang: Lang, e: &Error) -> String {
    let s = match e {
        Error::WrongKey => t(
            lang,
            "Kunci tidak cocok untuk profil ini. Data tidak diubah.",
            "The key does not open this profile. Nothing was changed.",
        ),
        Error::InvalidKey => t(
            lang,
            "Kunci harus 64 digit heksadesimal.",
            "A key must be 64 hexadecimal digits.",
        ),
        Error::NotADatabase(_) => t(
            lang,
            "Berkas profil tidak dapat dibaca. Berkas tidak dihapus. Untuk mulai baru dan menyimpan \
             berkas ini bagi petugas: rantau profile set-aside NAMA",
            "The profile file cannot be read. It was not deleted. To start again and keep this file \
             for an officer: rantau profile set-aside NAME",
        ),
        Error::ProfileNotDamaged(_) => {
            return rantau_core::base::messages::render(e.code(), lang, &[]);
        }
        Error::SchemaTooNew { .. } => t(
            lang,
            "Profil ini dibuat oleh versi aplikasi yang lebih baru. Perbarui aplikasi.",
            "This profile was made by a newer version of the app. Update the app.",
        ),
        Error::ProfileNotFound(_) => t(
            lang,
            "Profil tidak ditemukan. Buat dengan: rantau profile create NAMA",
            "Profile not found. Create one with: rantau profile create NAME",
        ),
        Error::ProfileExists(_) => t(
            lang,
            "Profil dengan nama itu sudah ada.",
            "A profile with that name exists already.",
        ),
        Error::InvalidProfileName => t(
            lang,
            "Nama profil hanya boleh huruf, angka, - dan _ (1–64 karakter).",
            "Profile names use letters, digits, - and _ (1–64 characters).",
        ),
        Error::StorageFull => t(
            lang,
            "Penyimpanan penuh. Tidak ada data yang hilang; kosongkan ruang lalu coba lagi.",
            "Storage is full. Nothing was lost; free some space and try again.",
        ),
        Error::StorageIo { .. }
        | Error::Tls(_)
        | Error::Redirect { .. }
        | Error::InvalidRoots(_) => {
            return rantau_core::base::messages::render(e.code(), lang, &[]);
        }
        Error::UnknownForm(_) => t(lang, "Formulir tidak dikenal.", "Unknown form."),
        Error::UnknownField(_) => t(
            lang,
            "Kolom tidak dikenal di formulir ini.",
            "No such field in this form.",
        ),
        Error::WrongValueType { .. } => t(
            lang,
            "Jenis nilai tidak sesuai untuk kolom ini.",
            "That kind of value does not fit this field.",
        ),
        Error::DraftNotFound(_) => t(lang, "Draf tidak ditemukan.", "Draft not found."),
        Error::SubmissionNotFound(_) => {
            t(lang, "Kiriman tidak ditemukan.", "Submission not found.")
        }
        Error::AlreadyFinalized(_) => t(
            lang,
            "Formulir ini sudah siap dikirim dan tidak bisa diubah lagi.",
            "This form is ready to send and can no longer be changed.",
        ),
        Error::Invalid(_) => t(
            lang,
            "Formulir belum bisa dikirim. Perbaiki dulu isian berikut:",
            "The form cannot be sent yet. Fix these answers first:",
        ),
        Error::AttachmentTooLarge { size, max } => {
            return rantau_core::base::messages::render(
                "attachment.too_large",
                lang,
                &[
                    ("size", data_size::megabytes(*size, lang)),
                    ("max", data_size::megabytes(*max, lang)),
                ],
            )
        }
        Error::UnsupportedAttachmentType
        | Error::AttachmentNotFound(_)
        | Error::TooManyPages { .. }
        | Error::DeviceSecretMismatch
        | Error::WeakPassphrase { .. }
        | Error::WrongPassphrase
        | Error::PinFormat { .. }
        | Error::PinTrivial
        | Error::PinWrong { .. }
        | Error::PinLocked { .. }
        | Error::PinRequired
        | Error::PinExists
        | Error::NoPin
        | Error::DamagedBackup(_)
        | Error::BackupTooNew { .. } => {
            return rantau_core::base::messages::render(e.code(), lang, &[])
        }
        Error::LinkInvalid
        | Error::LinkNotStarted
        | Error::LinkCodeWrong { .. }
        | Error::LinkCodeExpired
        | Error::LinkCodeUsed
        | Error::LinkLocked => {
            return rantau_core::app::profile::link::link_error_message(e, lang);
        }
        Error::Interrupted => t(
            lang,
            "Dihentikan. Tidak ada data yang hilang.",
            "Stopped. Nothing was lost.",
        ),
        Error::InvalidUrl(_) => t(
            lang,
            "Alamat server tidak valid.",
            "The server address is not valid.",
        ),
        Error::InsecureUrl(_) => t(
            lang,
            "Alamat server harus memakai https:// (data pribadi hanya dikirim terenkripsi).",
            "The server address must use https:// (personal data is only sent encrypted).",
        ),
        Error::Network(_) => t(
            lang,
            "Tidak dapat terhubung ke server. Formulir tetap aman dan akan dikirim nanti.",
            "Cannot reach the server. Your forms are safe and will be sent later.",
        ),
        Error::Server { .. } | Error::Protocol(_) => t(
            lang,
            "Server sedang bermasalah. Formulir tetap aman dan akan dikirim nanti.",
            "The server has a problem. Your forms are safe and will be sent later.",
        ),
        Error::Unauthorized(_) => t(
            lang,
            "Perangkat perlu didaftarkan ulang; sinkronisasi berikutnya melakukannya otomatis.",
            "This device must enroll again; the next sync does it.",
        ),
        _ => {
            return format!(
                "{} ({e})",
                t(lang, "Terjadi kesalahan", "Something went wrong")
            )
        }
    };
    s.to_string()
}
