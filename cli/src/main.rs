//! `rantau`: the terminal front-end over the Rantau core. Indonesian by default
//! (`--lang en` for English). Staff and scripts use `--json`.

mod backup;
mod check;
mod demo;
mod draft;
mod home;
mod inquiry;
mod link;
mod out;
mod pin;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rantau_core::Lang;

/// Rantau: BPJS Ketenagakerjaan for Indonesian migrant workers, offline first.
#[derive(Parser)]
#[command(name = "rantau", version, about)]
struct Cli {
    /// Language: id (Bahasa Indonesia, default) or en.
    #[arg(long, global = true, default_value = "id", env = "RANTAU_LANG")]
    lang: String,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Where profiles live (default: $RANTAU_HOME, else ~/.local/share/rantau).
    #[arg(long, global = true, env = "RANTAU_HOME")]
    home: Option<std::path::PathBuf>,
    /// Profile to use.
    #[arg(long, global = true, env = "RANTAU_PROFILE", default_value = "default")]
    profile: String,
    /// File holding the profile key (64 hex digits). Default: $RANTAU_KEY, else <home>/<profile>.key.
    #[arg(long, global = true)]
    key_file: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Profiles (one encrypted database each).
    Profile {
        #[command(subcommand)]
        action: home::ProfileCmd,
    },
    /// Form definitions.
    Form {
        #[command(subcommand)]
        action: draft::FormCmd,
    },
    /// Drafts: fill a form offline, field by field.
    Draft {
        #[command(subcommand)]
        action: draft::DraftCmd,
    },
    /// The outbox: finalized forms waiting for (or done with) sync.
    Outbox {
        #[command(subcommand)]
        action: draft::OutboxCmd,
    },
    /// Quick checks of identifiers.
    Check {
        #[command(subcommand)]
        what: check::CheckCmd,
    },
    /// Contribution due (Permenaker 4/2023).
    Fee(check::FeeArgs),
    /// Send the outbox and fetch news from the server.
    Sync {
        /// Server base URL (https, or http on loopback).
        #[arg(long, env = "RANTAU_SERVER")]
        server: String,
        /// PEM file of root certificates to trust instead of the system's (a test or
        /// staging server with its own authority).
        #[arg(long, env = "RANTAU_CA_FILE")]
        ca_file: Option<std::path::PathBuf>,
    },
    /// Membership status, from the local cache (with its age).
    Status,
    /// Membership card (KPJ) and payment instructions, from the local cache.
    Card,
    /// Consultations and complaints.
    Consult {
        #[command(subcommand)]
        action: inquiry::ConsultCmd,
    },
    /// "Saya sudah terdaftar": link this profile to a worker registered elsewhere
    /// (by NIK or KPJ and birth date, with a one-time code by e-mail or from an officer).
    Link {
        #[command(subcommand)]
        action: link::LinkCmd,
    },
    /// Backups: the profile in one passphrase-protected file, for a new phone.
    Backup {
        #[command(subcommand)]
        action: backup::BackupCmd,
    },
    /// A PIN on the profile, asked before it is opened (not for `sync`).
    Pin {
        #[command(subcommand)]
        action: pin::PinCmd,
    },
    /// The whole story end to end, on an embedded server on loopback.
    Demo,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // An unknown language is refused, not silently read as Indonesian.
    let Some(lang) = Lang::parse(&cli.lang) else {
        out::unknown_language(&cli.lang, cli.json);
        return ExitCode::from(2);
    };
    let env = home::Env::new(
        cli.home.clone(),
        cli.profile.clone(),
        cli.key_file.clone(),
        lang,
        cli.json,
    );
    let result = match cli.command {
        Command::Profile { action } => home::run(&env, action),
        Command::Form { action } => draft::run_form(&env, action),
        Command::Draft { action } => draft::run_draft(&env, action),
        Command::Outbox { action } => draft::run_outbox(&env, action),
        Command::Check { what } => check::run(&env, what),
        Command::Fee(args) => check::fee(&env, args),
        Command::Sync { server, ca_file } => inquiry::sync_cmd(&env, &server, ca_file.as_deref()),
        Command::Status => inquiry::status_cmd(&env),
        Command::Card => inquiry::card_cmd(&env),
        Command::Consult { action } => inquiry::consult_cmd(&env, action),
        Command::Link { action } => link::run(&env, action),
        Command::Backup { action } => backup::run(&env, action),
        Command::Pin { action } => pin::run(&env, action),
        Command::Demo => demo::run(&env),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            out::error(&env, &e);
            ExitCode::from(2)
        }
    }
}
