//! `rantau pin set|change|remove|status`: a PIN on the selected profile, asked
//! before the profile is opened for the user (every command but `sync`, which,
//! like the phone's background sync, runs without it). PINs come from
//! `$RANTAU_PIN` (and `$RANTAU_NEW_PIN` for the new one), else they are asked on
//! the terminal, as the backup passphrase is.

use std::process::ExitCode;

use clap::Subcommand;
use rantau_core::app::profile::Profile;
use rantau_core::{Error, Lang, Result};

use crate::home::Env;
use crate::out::{self, t};

/// `rantau pin …`
#[derive(Subcommand)]
pub enum PinCmd {
    /// Set a PIN (4 to 8 digits) on a profile that has none.
    Set,
    /// Change the PIN (asks for the current one, then the new one).
    Change,
    /// Remove the PIN (asks for the current one).
    Remove,
    /// Whether the profile has a PIN, the tries left and any wait.
    Status,
}

/// Runs a `pin` command.
pub fn run(env: &Env, cmd: PinCmd) -> Result<ExitCode> {
    let lang = env.lang;
    // Opened without the PIN: these commands check it themselves.
    let profile = env.open_locked()?;
    let done = match cmd {
        PinCmd::Set => {
            profile.set_pin(&ask("RANTAU_NEW_PIN", new_prompt(lang))?)?;
            t(lang, "PIN dipasang.", "PIN set.")
        }
        PinCmd::Change => {
            let current = ask("RANTAU_PIN", current_prompt(lang))?;
            let new = ask("RANTAU_NEW_PIN", new_prompt(lang))?;
            with_status(&profile, profile.change_pin(&current, &new))?;
            t(lang, "PIN diganti.", "PIN changed.")
        }
        PinCmd::Remove => {
            let current = ask("RANTAU_PIN", current_prompt(lang))?;
            with_status(&profile, profile.remove_pin(&current))?;
            t(lang, "PIN dihapus.", "PIN removed.")
        }
        PinCmd::Status => {
            let s = profile.pin_status()?;
            if env.json {
                out::json(&s);
            } else {
                out::line(if s.has_pin {
                    t(lang, "Profil ini memakai PIN.", "This profile has a PIN.")
                } else {
                    t(lang, "Profil ini tanpa PIN.", "This profile has no PIN.")
                });
                if let Some(line) = s.line {
                    out::line(line);
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    if env.json {
        out::json(&serde_json::json!({"profile": env.profile, "pin": profile.pin_status()?}));
    } else {
        out::line(done);
    }
    Ok(ExitCode::SUCCESS)
}

/// Unlocks `profile` for the user when it has a PIN: `$RANTAU_PIN`, else asked.
pub fn unlock(profile: &Profile, lang: Lang) -> Result<()> {
    if !profile.pin_status()?.has_pin {
        return Ok(());
    }
    let pin = ask("RANTAU_PIN", current_prompt(lang))?;
    with_status(profile, profile.unlock(&pin))
}

/// `result`, and after a wrong PIN the tries left or the wait, on stderr.
#[allow(clippy::print_stderr)]
fn with_status(profile: &Profile, result: Result<()>) -> Result<()> {
    if let Err(Error::PinWrong { .. } | Error::PinLocked { .. }) = &result {
        if let Some(line) = profile.pin_status()?.line {
            eprintln!("{line}");
        }
    }
    result
}

fn current_prompt(lang: Lang) -> &'static str {
    t(lang, "PIN profil:", "Profile PIN:")
}

fn new_prompt(lang: Lang) -> &'static str {
    t(lang, "PIN baru (4–8 angka):", "New PIN (4–8 digits):")
}

/// `$var`, else one line read from the terminal after `prompt` (on stderr, so
/// `--json` output stays clean).
#[allow(clippy::print_stderr)]
fn ask(var: &str, prompt: &str) -> Result<String> {
    if let Ok(p) = std::env::var(var) {
        return Ok(p);
    }
    eprint!("{prompt} ");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
