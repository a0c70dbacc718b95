//! `rantau link start|confirm`: "Saya sudah terdaftar" (I am already registered).
//! Links this profile to a worker registered elsewhere (by a placement company,
//! on an old phone, or imported by an officer), so `rantau status` and `rantau
//! card` show their card and status. The code comes by e-mail (to the address the
//! agency holds) or from an officer at a service point.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgGroup, Subcommand};
use rantau_core::app::profile::link::{LinkChannel, LinkRequest};
use rantau_core::app::sync::{Network, ServerLink, SyncConfig};
use rantau_core::Result;

use crate::home::Env;
use crate::out::{self, t};

/// `rantau link …`
#[derive(Subcommand)]
pub enum LinkCmd {
    /// Ask for a one-time code: by NIK or KPJ and birth date, sent by e-mail or
    /// given by an officer.
    #[command(group(ArgGroup::new("who").required(true)))]
    #[command(group(ArgGroup::new("how").required(true)))]
    Start {
        /// The worker's NIK (16 digits).
        #[arg(long, group = "who")]
        nik: Option<String>,
        /// The worker's KPJ (membership) number.
        #[arg(long, group = "who")]
        kpj: Option<String>,
        /// Birth date (DD-MM-YYYY or YYYY-MM-DD).
        #[arg(long)]
        birth_date: String,
        /// The code goes to the e-mail address the agency holds for the worker.
        #[arg(long, group = "how")]
        email: bool,
        /// An officer at the embassy, consulate or KDEI gives the code.
        #[arg(long, group = "how")]
        officer: bool,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Type the code: links this profile, then syncs.
    Confirm {
        /// The 6-digit code.
        code: String,
        #[command(flatten)]
        server: ServerArgs,
    },
}

/// The server, as for `rantau sync`.
#[derive(clap::Args)]
pub struct ServerArgs {
    /// Server base URL (https, or http on loopback).
    #[arg(long, env = "RANTAU_SERVER")]
    server: String,
    /// PEM file of root certificates to trust instead of the system's.
    #[arg(long, env = "RANTAU_CA_FILE")]
    ca_file: Option<PathBuf>,
}

fn config(env: &Env, url: &str, ca_file: Option<&Path>) -> Result<SyncConfig> {
    let link = ServerLink::new("rantau-cli");
    if let Some(path) = ca_file {
        link.trust_only_roots(&String::from_utf8_lossy(&std::fs::read(path)?))?;
    }
    link.config(url, env.lang)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(rantau_core::Error::Io)
}

/// Runs a `link` command.
pub fn run(env: &Env, cmd: LinkCmd) -> Result<ExitCode> {
    let lang = env.lang;
    let profile = env.open()?;
    match cmd {
        LinkCmd::Start {
            nik,
            kpj,
            birth_date,
            email,
            officer: _,
            server,
        } => {
            let config = config(env, &server.server, server.ca_file.as_deref())?;
            let request = LinkRequest {
                nik_or_kpj: nik.or(kpj).unwrap_or_default(),
                birth_date,
                channel: if email {
                    LinkChannel::Email
                } else {
                    LinkChannel::Officer
                },
            };
            let pending = runtime()?.block_on(profile.link_start(&config, &request))?;
            if env.json {
                out::json(&serde_json::json!({
                    "message": pending.message, "expires_at": pending.expires_at,
                }));
            } else {
                out::line(&pending.message);
                out::line(t(
                    lang,
                    "Lalu ketik: rantau link confirm KODE",
                    "Then type: rantau link confirm CODE",
                ));
            }
        }
        LinkCmd::Confirm { code, server } => {
            let config = config(env, &server.server, server.ca_file.as_deref())?;
            // A computer's network: the worker's Wi-Fi and roaming settings do not hold it back.
            let linked =
                runtime()?.block_on(profile.link_confirm(&config, &code, Network::WIRED))?;
            if env.json {
                out::json(&serde_json::json!({ "linked": true, "kpj": linked.kpj }));
            } else {
                out::line(&linked.message);
                if let Some(kpj) = &linked.kpj {
                    out::line(format!("KPJ: {kpj}"));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
