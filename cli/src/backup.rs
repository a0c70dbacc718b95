//! `rantau backup export|import`: a profile in one passphrase-protected file, to
//! move to a new phone (or keep safe). The passphrase comes from
//! `$RANTAU_PASSPHRASE`, else it is asked on the terminal.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use rantau_core::app::backup::{self, BackupSummary};
use rantau_core::app::profile::Profile;
use rantau_core::{Lang, Result};

use crate::home::Env;
use crate::out::{self, t};

/// `rantau backup …`
#[derive(Subcommand)]
pub enum BackupCmd {
    /// Write the profile (drafts, outbox, documents, this device's credentials) to
    /// FILE, protected by a passphrase.
    Export {
        /// The backup file to write.
        file: PathBuf,
        /// Save a damaged profile file that was set aside (`rantau profile
        /// set-aside`) instead, as far as it can be read, with the profile's key.
        #[arg(long)]
        damaged: Option<PathBuf>,
    },
    /// Restore FILE as the profile given by --profile (a new one), here or on
    /// another phone. Forms that were on their way are still sent exactly once.
    Import {
        /// The backup file to read.
        file: PathBuf,
    },
}

/// Runs a `backup` command.
pub fn run(env: &Env, cmd: BackupCmd) -> Result<ExitCode> {
    let lang = env.lang;
    match cmd {
        BackupCmd::Export { file, damaged } => {
            let pass = passphrase(lang)?;
            let summary = match damaged {
                Some(path) => backup::export_damaged(&path, &env.key()?, &file, &pass)?,
                None => env.open()?.export_backup(&file, &pass)?,
            };
            show(
                env,
                &summary,
                &file,
                t(lang, "Cadangan disimpan", "Backup written"),
            );
        }
        BackupCmd::Import { file } => {
            let pass = passphrase(lang)?;
            // Checked first: a wrong passphrase or a bad file leaves no key file behind.
            backup::inspect(&file, &pass)?;
            let (key, saved) = env.key_or_new()?;
            let (_profile, summary) =
                Profile::import_backup(&env.home, &env.profile, &key, &file, &pass)?;
            show(
                env,
                &summary,
                &file,
                t(lang, "Profil dipulihkan dari", "Profile restored from"),
            );
            if let (Some(f), false) = (saved, env.json) {
                out::line(format!(
                    "{}: {}",
                    t(lang, "Kunci disimpan di", "Key saved in"),
                    f.display()
                ));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show(env: &Env, s: &BackupSummary, file: &Path, what: &str) {
    let lang = env.lang;
    if env.json {
        out::json(&serde_json::json!({"profile": env.profile, "file": file, "backup": s}));
        return;
    }
    out::line(format!("{what}: {}", file.display()));
    out::line(format!(
        "  {}: {}, {}: {}, {}: {} ({} KB)",
        t(lang, "draf", "drafts"),
        s.drafts,
        t(lang, "formulir belum terkirim", "forms not yet sent"),
        s.in_flight,
        t(lang, "dokumen", "documents"),
        s.documents,
        s.bytes.div_ceil(1024)
    ));
    if !s.cut_short.is_empty() {
        out::line(t(
            lang,
            "  Sebagian data rusak dan tidak dapat dibaca; sisanya tersimpan.",
            "  Part of the data was damaged and could not be read; the rest was saved.",
        ));
    }
}

/// `$RANTAU_PASSPHRASE`, else one line read from the terminal.
// The prompt goes to stderr so `--json` output stays clean.
#[allow(clippy::print_stderr)]
fn passphrase(lang: Lang) -> Result<String> {
    if let Ok(p) = std::env::var("RANTAU_PASSPHRASE") {
        return Ok(p);
    }
    eprint!(
        "{} ",
        t(
            lang,
            "Kata sandi cadangan (minimal 10 karakter):",
            "Backup passphrase (at least 10 characters):"
        )
    );
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
