//! `rantau`: the terminal front-end over the Rantau core. Indonesian by default,
//! `--help` included (`--lang en` for English). Staff and scripts use `--json`.

mod backup;
mod check;
mod demo;
mod draft;
mod help_id;
mod home;
mod inquiry;
mod link;
mod out;
mod pin;

use std::process::ExitCode;

use std::ffi::OsString;

use clap::{FromArgMatches, Parser, Subcommand};
use rantau_core::Lang;

/// Rantau: BPJS Ketenagakerjaan for Indonesian migrant workers, offline first.
#[derive(Parser)]
#[command(name = "rantau", version)]
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

/// The language asked for, read before clap parses so that its help and errors are
/// in it: the last `--lang X` or `--lang=X` before any `--`, else `$RANTAU_LANG`
/// (as clap reads it), else Indonesian. `Err` holds what was typed when it names no
/// language the app speaks.
fn lang_before_parsing(args: &[OsString]) -> Result<Lang, String> {
    let mut typed = None;
    let mut args = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(arg) = args.next() {
        if arg == "--" {
            break;
        } else if arg == "--lang" {
            typed = args.next().map(|v| v.into_owned()).or(typed);
        } else if let Some(v) = arg.strip_prefix("--lang=") {
            typed = Some(v.to_string());
        }
    }
    let typed =
        typed.or_else(|| std::env::var_os("RANTAU_LANG").map(|v| v.to_string_lossy().into_owned()));
    match typed {
        None => Ok(Lang::Id),
        Some(t) => Lang::parse(&t).ok_or(t),
    }
}

/// The command line, parsed with help and errors in `lang`; on help, version or a
/// mistake, what was printed's exit code.
fn parse(lang: Lang, args: Vec<OsString>) -> Result<Cli, ExitCode> {
    let mut cmd = help_id::command(lang);
    cmd.try_get_matches_from_mut(args)
        .and_then(|m| Cli::from_arg_matches(&m))
        .map_err(|e| help_id::print_error(lang, &e.format(&mut cmd)))
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    // An unknown language is refused, not silently read as Indonesian, help included.
    let lang = match lang_before_parsing(&args) {
        Ok(lang) => lang,
        Err(typed) => {
            let json = args
                .iter()
                .take_while(|a| *a != "--")
                .any(|a| a == "--json");
            out::unknown_language(&typed, json);
            return ExitCode::from(2);
        }
    };
    let cli = match parse(lang, args) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lang_of(args: &[&str]) -> Result<Lang, String> {
        let args: Vec<OsString> = std::iter::once("rantau")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        lang_before_parsing(&args)
    }

    #[test]
    fn the_language_is_read_before_parsing_wherever_lang_is() {
        assert_eq!(lang_of(&["--lang", "en", "--help"]), Ok(Lang::En));
        assert_eq!(
            lang_of(&["draft", "set", "--help", "--lang=en"]),
            Ok(Lang::En)
        );
        assert_eq!(
            lang_of(&["--lang", "en", "help", "--lang", "id"]),
            Ok(Lang::Id)
        );
        assert_eq!(lang_of(&["--lang", "fr", "--help"]), Err("fr".to_string()));
        // After `--` a word is a value, not an option.
        assert_eq!(
            lang_of(&["--lang", "en", "draft", "set", "D", "p", "--", "--lang=xx"]),
            Ok(Lang::En)
        );
    }
}
