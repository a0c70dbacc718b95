//! `rantau-server`: run the reference server (`serve`), or act as an officer
//! against a running one (`officer pay|reply|reject|contribution|list`).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rantau_core::base::lang::Localized;
use rantau_server::officer::{
    ContributionRequest, OfficerClient, PaymentRequest, RejectRequest, ReplyRequest,
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
    /// Serve the v1 API.
    Serve {
        /// SQLite file (created if missing); in memory when neither this nor
        /// --database is given.
        #[arg(long, conflicts_with = "database")]
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
        #[arg(long, value_name = "DIR|s3://BUCKET/PREFIX", requires = "database")]
        files: Option<String>,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[command(flatten)]
        token: TokenArgs,
        /// The data key's file (64 hex digits; made 0600 when missing and the
        /// database is new). Default: `<db>.key` beside the database.
        #[arg(long)]
        key_file: Option<PathBuf>,
        /// A reverse proxy (IP or CIDR) whose X-Forwarded-For is believed; repeat for several.
        #[arg(long = "trusted-proxy", value_name = "CIDR")]
        trusted_proxies: Vec<rantau_server::Cidr>,
        /// Most bytes of documents the server holds, all devices together.
        #[arg(long)]
        documents_quota: Option<u64>,
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
    #[arg(long, value_name = "FILE")]
    admin_token_file: Option<PathBuf>,
    /// Refused with an explanation: kept so that old scripts fail clearly.
    #[arg(long, hide = true, value_name = "TOKEN")]
    admin_token: Option<String>,
}

impl TokenArgs {
    fn load(&self) -> Result<String, String> {
        if self.admin_token.is_some() {
            return Err(admin_token::TokenError::OnCommandLine.to_string());
        }
        admin_token::load(
            self.admin_token_file.as_deref(),
            std::env::var(admin_token::ENV).ok(),
        )
        .map_err(|e| e.to_string())
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
}

fn serve(
    db: DbLocation,
    addr: SocketAddr,
    admin_token: String,
    key_file: Option<PathBuf>,
    limits: rantau_server::Limits,
) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let server = rantau_server::spawn(ServerConfig {
            db,
            key_file,
            addr,
            admin_token,
            limits,
        })
        .await
        .map_err(|e| e.to_string())?;
        let _ = writeln!(
            std::io::stdout(),
            "rantau-server listening on {}",
            server.base_url()
        );
        tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
        server.shutdown().await.map_err(|e| e.to_string())
    })
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
            db,
            database,
            files,
            addr,
            token,
            key_file,
            trusted_proxies,
            documents_quota,
        } => {
            let defaults = rantau_server::Limits::default();
            let limits = rantau_server::Limits {
                trusted_proxies,
                documents_total: documents_quota.unwrap_or(defaults.documents_total),
                ..defaults
            };
            let location = match (db, database) {
                (Some(path), _) => Ok(DbLocation::File(path)),
                (None, Some(database)) => {
                    DbLocation::parse(&database, files.as_deref()).map_err(|e| e.to_string())
                }
                (None, None) => Ok(DbLocation::Memory),
            };
            location.and_then(|db| {
                token
                    .load()
                    .and_then(|admin_token| serve(db, addr, admin_token, key_file, limits))
            })
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
