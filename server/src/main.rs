//! `rantau-server`: run the reference server (`serve`), or act as an officer
//! against a running one (`officer pay|reply|reject|contribution|list|import`).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use rantau_core::base::lang::Localized;
use rantau_server::config::ServeSettings;
use rantau_server::officer::{
    ContributionRequest, LinkCodeRequest, OfficerClient, PaymentRequest, RejectRequest,
    ReplyRequest,
};
use rantau_server::{admin_token, DbLocation, ServerConfig};

/// Rantau reference server.
#[derive(Parser)]
#[command(name = "rantau-server", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the v1 API. Each setting comes from its flag, else its RANTAU_*
    /// variable, else the --config file (keys: the flags' names), else its default.
    Serve {
        /// A TOML file of these settings, keys named as the flags
        /// (`addr = "0.0.0.0:8080"`, `admin-token-file = "…"`); unknown keys are refused.
        #[arg(long, env = "RANTAU_CONFIG", value_name = "FILE")]
        config: Option<PathBuf>,
        /// SQLite file (created if missing); in memory when neither this nor
        /// --database is given.
        #[arg(long, env = "RANTAU_DB", conflicts_with = "database")]
        db: Option<PathBuf>,
        /// The database: a SQLite path or `sqlite:PATH` URL (the default
        /// backend), or a `postgres://USER[:PASSWORD]@HOST:PORT/DB` URL (the
        /// database must exist; its tables are made on start). Prefer the
        /// RANTAU_DATABASE variable to a URL with a password: `ps` shows
        /// arguments.
        // hide_env_values: `--help` would print the variable's URL, password and all.
        #[arg(
            long,
            env = "RANTAU_DATABASE",
            hide_env_values = true,
            value_name = "URL"
        )]
        database: Option<String>,
        /// Where document bytes go: with PostgreSQL, a folder (created 0700
        /// when missing; the key file defaults to `<files>.key` beside it) or an
        /// S3-compatible bucket `s3://BUCKET/PREFIX` (then `--key-file` is
        /// required); with SQLite, only a bucket (else they stay beside the
        /// database). A bucket is reached with the AWS_* variables
        /// (docs/objects.md).
        #[arg(long, env = "RANTAU_FILES", value_name = "DIR|s3://BUCKET/PREFIX")]
        files: Option<String>,
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long, env = "RANTAU_ADDR")]
        addr: Option<SocketAddr>,
        #[command(flatten)]
        token: TokenArgs,
        /// The data key's file (64 hex digits; made 0600 when missing and the
        /// database is new). Default: `<db>.key` beside the database.
        #[arg(long, env = "RANTAU_KEY_FILE")]
        key_file: Option<PathBuf>,
        /// A reverse proxy (IP or CIDR) whose X-Forwarded-For is believed; repeat
        /// for several (comma-separated in RANTAU_TRUSTED_PROXY).
        #[arg(
            long = "trusted-proxy",
            env = "RANTAU_TRUSTED_PROXY",
            value_name = "CIDR",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<rantau_server::Cidr>,
        /// Most bytes of documents the server holds, all devices together.
        #[arg(long, env = "RANTAU_DOCUMENTS_QUOTA")]
        documents_quota: Option<u64>,
        /// Seconds requests in flight get to finish after SIGTERM or SIGINT
        /// before the server exits anyway [default: 25].
        #[arg(long, env = "RANTAU_SHUTDOWN_GRACE", value_name = "SECONDS")]
        shutdown_grace: Option<u64>,
        /// The SMTP relay that mails link codes ("I am already registered");
        /// without it the e-mail channel sends nothing (docs/link.md).
        #[arg(long, env = "RANTAU_SMTP_HOST", value_name = "HOST")]
        smtp_host: Option<String>,
        /// The relay's port [default: 587, 465 with --smtp-security tls].
        #[arg(long, env = "RANTAU_SMTP_PORT", value_name = "PORT")]
        smtp_port: Option<u16>,
        /// The sender of link codes, e.g. "Rantau <noreply@bpjs.example>".
        #[arg(long, env = "RANTAU_SMTP_FROM", value_name = "ADDRESS")]
        smtp_from: Option<String>,
        /// starttls (default), tls, or plain (only to a relay on loopback).
        #[arg(long, env = "RANTAU_SMTP_SECURITY", value_name = "MODE")]
        smtp_security: Option<rantau_server::mail::Security>,
    },
    /// Officer actions against a running server.
    Officer {
        /// Server base URL, e.g. http://127.0.0.1:8080.
        #[arg(long)]
        server: String,
        #[command(flatten)]
        token: TokenArgs,
        #[command(subcommand)]
        action: OfficerAction,
    },
}

/// Where the officers' bearer token comes from: a private file, or else the
/// environment variable `RANTAU_ADMIN_TOKEN`; never the command line, where `ps`
/// shows it. At least 32 characters.
#[derive(clap::Args)]
struct TokenArgs {
    /// A file holding only the admin token (mode 600).
    #[arg(long, env = "RANTAU_ADMIN_TOKEN_FILE", value_name = "FILE")]
    admin_token_file: Option<PathBuf>,
    /// Refused with an explanation: kept so that old scripts fail clearly.
    #[arg(long, hide = true, value_name = "TOKEN")]
    admin_token: Option<String>,
}

impl TokenArgs {
    fn load(&self) -> Result<String, String> {
        self.load_from(self.admin_token_file.as_deref())
    }

    /// The token from `file` (where the settings say it is), else the variable.
    fn load_from(&self, file: Option<&std::path::Path>) -> Result<String, String> {
        if self.admin_token.is_some() {
            return Err(admin_token::TokenError::OnCommandLine.to_string());
        }
        admin_token::load(file, std::env::var(admin_token::ENV).ok()).map_err(|e| e.to_string())
    }
}

#[derive(Subcommand)]
enum OfficerAction {
    /// Record a payment for a KPJ.
    Pay {
        #[arg(long)]
        kpj: String,
        #[arg(long)]
        amount: u64,
        /// YYYY-MM-DD; today when absent.
        #[arg(long)]
        paid_on: Option<String>,
    },
    /// Answer a consultation.
    Reply {
        /// The consultation's submission id.
        #[arg(long)]
        submission: String,
        #[arg(long)]
        body: String,
    },
    /// Reject a registration.
    Reject {
        /// The registration's submission id.
        #[arg(long)]
        submission: String,
        /// Reason in Indonesian.
        #[arg(long)]
        reason_id: String,
        /// Reason in English.
        #[arg(long)]
        reason_en: String,
    },
    /// Record a contribution.
    Contribution {
        #[arg(long)]
        kpj: String,
        /// jkk_jkm or jht.
        #[arg(long)]
        programme: String,
        /// YYYY-MM.
        #[arg(long)]
        period: String,
        #[arg(long)]
        amount: u64,
    },
    /// List submissions.
    List {
        #[arg(long)]
        form_id: Option<String>,
    },
    /// A one-time link code for a worker whose passport you checked: they type
    /// it in "Saya sudah terdaftar" (officer channel) within 15 minutes.
    LinkCode {
        /// The worker's NIK (16 digits) or KPJ number.
        nik_or_kpj: String,
    },
    /// Import people registered elsewhere from a CSV file (docs/import.md):
    /// all rows or none; a bad row is reported by its line.
    Import {
        /// The CSV file: nik,name,birth_date,kpj,start,end.
        file: PathBuf,
    },
}

/// What `serve` was asked, from every source.
struct ServeRequest {
    config: ServerConfig,
    grace: Duration,
}

/// Merges flags and environment (`flags`) over the config file, over the defaults.
fn serve_request(
    flags: ServeSettings,
    config_file: Option<PathBuf>,
    token: &TokenArgs,
) -> Result<ServeRequest, String> {
    let file = match config_file {
        Some(path) => ServeSettings::from_file(&path)
            .map_err(|e| e.render(rantau_server::messages::operator_lang()))?,
        None => ServeSettings::default(),
    };
    let settings = flags.over(file);
    let db = match (&settings.db, &settings.database, &settings.files) {
        // A SQLite file keeps documents beside it, or in a bucket (not another folder).
        (Some(path), _, Some(files)) => {
            let path = path.to_str().ok_or("the database path is not UTF-8")?;
            DbLocation::parse(path, Some(files)).map_err(|e| e.to_string())?
        }
        (Some(path), _, None) => DbLocation::File(path.clone()),
        (None, Some(database), files) => {
            DbLocation::parse(database, files.as_deref()).map_err(|e| e.to_string())?
        }
        (None, None, Some(_)) => {
            let lang = rantau_server::messages::operator_lang();
            let code = "config.files_without_database";
            return Err(format!(
                "{code}: {}",
                rantau_server::messages::render(code, lang, &[])
            ));
        }
        (None, None, None) => DbLocation::Memory,
    };
    let admin_token = token.load_from(settings.admin_token_file.as_deref())?;
    let defaults = rantau_server::Limits::default();
    let limits = rantau_server::Limits {
        trusted_proxies: settings.trusted_proxy.clone(),
        documents_total: settings.documents_quota.unwrap_or(defaults.documents_total),
        ..defaults
    };
    Ok(ServeRequest {
        config: ServerConfig {
            smtp: settings.smtp()?,
            db,
            key_file: settings.key_file.clone(),
            addr: settings.addr_or_default(),
            admin_token,
            limits,
        },
        grace: settings.grace_or_default(),
    })
}

/// SIGTERM (what orchestrators send) and SIGINT (Ctrl-C), listened to from
/// before the server binds: one sent as soon as it says it listens is not lost,
/// nor does it kill the process before the requests in flight finish.
struct StopSignals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl StopSignals {
    /// Installs the handlers (inside the runtime).
    fn install() -> Result<StopSignals, String> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(StopSignals {
                term: signal(SignalKind::terminate()).map_err(|e| e.to_string())?,
                int: signal(SignalKind::interrupt()).map_err(|e| e.to_string())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(StopSignals {})
        }
    }

    /// Waits for either; says which.
    async fn wait(&mut self) -> Result<&'static str, String> {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.term.recv() => Ok("SIGTERM"),
                _ = self.int.recv() => Ok("SIGINT"),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
            Ok("Ctrl-C")
        }
    }
}

fn serve(request: ServeRequest) -> Result<(), String> {
    let ServeRequest { config, grace } = request;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let out = runtime.block_on(async move {
        let mut signals = StopSignals::install()?;
        let server = rantau_server::spawn(config)
            .await
            .map_err(|e| e.to_string())?;
        let _ = writeln!(
            std::io::stdout(),
            "rantau-server listening on {}",
            server.base_url()
        );
        let signal = signals.wait().await?;
        tracing::info!(
            signal,
            grace_secs = grace.as_secs(),
            "stopping: no new connections; requests in flight may finish"
        );
        if server
            .shutdown_within(grace)
            .await
            .map_err(|e| e.to_string())?
        {
            tracing::info!("stopped: every request in flight finished");
        } else {
            tracing::warn!(
                grace_secs = grace.as_secs(),
                "stopped: the grace period ended; requests still in flight were cut"
            );
        }
        Ok(())
    });
    // A request cut at the grace period may still hold a blocking-pool thread
    // (a SQLite transaction, which rolls back): do not wait for it.
    runtime.shutdown_timeout(Duration::from_secs(1));
    out
}

fn officer(server: &str, token: &str, action: OfficerAction) -> Result<(), String> {
    let client = OfficerClient::new(server, token).map_err(|e| e.to_string())?;
    let out = match action {
        OfficerAction::Pay {
            kpj,
            amount,
            paid_on,
        } => {
            let paid_on = paid_on.unwrap_or_else(|| {
                chrono::Utc::now()
                    .date_naive()
                    .format("%Y-%m-%d")
                    .to_string()
            });
            serde_json::to_value(
                client
                    .pay(&PaymentRequest {
                        kpj,
                        amount,
                        paid_on,
                    })
                    .map_err(|e| e.to_string())?,
            )
        }
        OfficerAction::Reply { submission, body } => serde_json::to_value(
            client
                .reply(&submission, &ReplyRequest { body, from: None })
                .map_err(|e| e.to_string())?,
        ),
        OfficerAction::Reject {
            submission,
            reason_id,
            reason_en,
        } => {
            let req = RejectRequest {
                reason: Localized::new(reason_id, reason_en),
            };
            serde_json::to_value(
                client
                    .reject(&submission, &req)
                    .map_err(|e| e.to_string())?,
            )
        }
        OfficerAction::Contribution {
            kpj,
            programme,
            period,
            amount,
        } => {
            let req = ContributionRequest {
                kpj,
                programme,
                period,
                amount,
            };
            serde_json::to_value(client.contribution(&req).map_err(|e| e.to_string())?)
        }
        OfficerAction::List { form_id } => {
            serde_json::to_value(client.list(form_id.as_deref()).map_err(|e| e.to_string())?)
        }
        OfficerAction::LinkCode { nik_or_kpj } => {
            let digits: String = nik_or_kpj.chars().filter(char::is_ascii_digit).collect();
            // A NIK has 16 digits; a KPJ has 10 to 15.
            let req = if digits.len() == 16 {
                LinkCodeRequest {
                    nik: Some(digits),
                    kpj: None,
                }
            } else {
                LinkCodeRequest {
                    nik: None,
                    kpj: Some(digits),
                }
            };
            serde_json::to_value(client.link_code(&req).map_err(|e| e.to_string())?)
        }
        OfficerAction::Import { file } => {
            let csv = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            match client.import_persons(&csv).map_err(|e| e.to_string())? {
                Ok(report) => serde_json::to_value(report),
                Err(rows) => {
                    let mut out = std::io::stderr();
                    for row in &rows {
                        let _ = writeln!(out, "line {}: {}: {}", row.line, row.code, row.reason);
                    }
                    return Err(format!(
                        "{}: nothing imported ({} bad row(s))",
                        file.display(),
                        rows.len()
                    ));
                }
            }
        }
    }
    .map_err(|e| e.to_string())?;
    let text = serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?;
    writeln!(std::io::stdout(), "{text}").map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve {
            config,
            db,
            database,
            files,
            addr,
            token,
            key_file,
            trusted_proxies,
            documents_quota,
            shutdown_grace,
            smtp_host,
            smtp_port,
            smtp_from,
            smtp_security,
        } => {
            let flags = ServeSettings {
                db,
                database,
                files,
                addr,
                admin_token_file: token.admin_token_file.clone(),
                key_file,
                trusted_proxy: trusted_proxies,
                documents_quota,
                shutdown_grace,
                smtp_host,
                smtp_port,
                smtp_from,
                smtp_security,
            };
            serve_request(flags, config, &token).and_then(serve)
        }
        Command::Officer {
            server,
            token,
            action,
        } => token
            .load()
            .and_then(|admin_token| officer(&server, &admin_token, action)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::FAILURE
        }
    }
}
