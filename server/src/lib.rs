//! Rantau's reference server: the v1 sync API (enroll, batch submissions with
//! exactly-once answers, change feed, forms and reference data) and the officer
//! endpoints, over its own SQLite database or a PostgreSQL one.
//!
//! The split: [`http`] (routes, extractors, bodies, errors as answers) parses
//! and answers; [`decisions`] decides (validation, registration, ids, each
//! item's answer, enrollment); [`storage`] owns every query and transaction
//! behind one repository ([`storage::Storage`]); [`officer`] is the officers'
//! routes and client.
//!
//! Start it from async code with [`spawn`], or from synchronous code (the CLI
//! demo) with [`spawn_blocking`]; both bind first, so port 0 works.

pub mod admin_token;
pub mod config;
pub mod decisions;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod http;
pub mod limits;
pub mod mail;
pub mod messages;
pub mod officer;
pub mod stats;
pub mod storage;

use std::net::SocketAddr;
use std::sync::Arc;

pub use error::{Error, Result};
pub use http::error::ApiError;
pub use http::proxy::Cidr;
pub use limits::{Limits, Rate};
pub use stats::StatsSnapshot;
pub use storage::DbLocation;

/// How to start a server.
#[derive(Clone)]
pub struct ServerConfig {
    /// Where the data lives.
    pub db: DbLocation,
    /// The data key's file for a database file (or PostgreSQL's documents
    /// folder); `None` is `<db>.key` (`<files>.key`) beside it.
    /// Created (0600) with a new key when missing and there is no data yet; an
    /// in-memory server uses a key of its own that is never written.
    pub key_file: Option<std::path::PathBuf>,
    /// Address to listen on; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Bearer token for the officer (admin) endpoints.
    pub admin_token: String,
    /// Rate limits and timeouts.
    pub limits: Limits,
    /// The SMTP relay link codes are mailed through (`None`: the e-mail
    /// channel sends nothing; officers' codes still work).
    pub smtp: Option<mail::SmtpConfig>,
}

impl std::fmt::Debug for ServerConfig {
    // Hand-written: the admin token is a secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("db", &self.db)
            .field("key_file", &self.key_file)
            .field("addr", &self.addr)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl ServerConfig {
    /// An in-memory server on a free loopback port.
    pub fn ephemeral(admin_token: impl Into<String>) -> ServerConfig {
        ServerConfig {
            db: DbLocation::Memory,
            key_file: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            admin_token: admin_token.into(),
            limits: Limits::default(),
            smtp: None,
        }
    }
}

/// A server running on the current tokio runtime.
#[derive(Debug)]
pub struct RunningServer {
    /// The bound address (the real port when 0 was asked).
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    stats: Arc<stats::Stats>,
}

impl RunningServer {
    /// `http://ADDR` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the server has answered so far.
    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }

    /// Stops accepting, lets requests in flight finish, and waits.
    pub async fn shutdown(mut self) -> Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.map_err(|e| Error::Runtime(e.to_string()))??;
        }
        Ok(())
    }

    /// [`RunningServer::shutdown`], waiting at most `grace` for the requests
    /// in flight: `Ok(true)` when all finished, `Ok(false)` when the grace
    /// period ended first (those requests end with the runtime).
    pub async fn shutdown_within(self, grace: std::time::Duration) -> Result<bool> {
        match tokio::time::timeout(grace, self.shutdown()).await {
            Ok(done) => done.map(|()| true),
            Err(_) => Ok(false),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Opens the database, binds `config.addr` and serves until shut down.
pub async fn spawn(config: ServerConfig) -> Result<RunningServer> {
    let storage = storage::Storage::connect(&config.db, config.key_file.as_deref()).await?;
    let stats = Arc::new(stats::Stats::default());
    let metrics = Arc::new(http::metrics::Metrics::new(storage.pool_status().is_some()));
    let state = http::AppState {
        storage,
        admin_hash: decisions::ids::sha256(config.admin_token.as_bytes()),
        catalog: Arc::new(http::published::Catalog::builtin()?),
        limiter: Arc::new(limits::Limiter::new(&config.limits)),
        stats: Arc::clone(&stats),
        metrics,
        ready: Arc::default(),
        runs: Arc::default(),
        mail: match &config.smtp {
            Some(smtp) => Some(Arc::new(mail::Mailer::new(smtp)?)),
            None => None,
        },
    };
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let observers = http::middleware::Observers {
        stats: Arc::clone(&state.stats),
        metrics: Arc::clone(&state.metrics),
    };
    let app = http::routes::app(state, config.limits.request_timeout);
    let task = tokio::spawn(http::serve::serve(
        listener,
        app,
        config.limits.header_timeout,
        config.limits.max_connections,
        observers,
        rx,
    ));
    tracing::info!(%addr, "rantau-server listening");
    Ok(RunningServer {
        addr,
        shutdown: Some(tx),
        task: Some(task),
        stats,
    })
}

/// A server on its own thread and runtime, for synchronous callers. Dropping it
/// (or [`BlockingServer::stop`]) shuts it down and joins the thread.
#[derive(Debug)]
pub struct BlockingServer {
    /// The bound address.
    pub addr: SocketAddr,
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    stats: Arc<stats::Stats>,
}

impl BlockingServer {
    /// `http://ADDR` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the server has answered so far.
    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }

    /// Shuts down and waits for the thread.
    pub fn stop(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for BlockingServer {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// Starts a server from synchronous code: a dedicated thread runs a tokio
/// runtime; returns once the socket is bound. Safe to call from any thread,
/// including inside another runtime.
pub fn spawn_blocking(config: ServerConfig) -> Result<BlockingServer> {
    type Ready = Result<(SocketAddr, Arc<stats::Stats>)>;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Ready>();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("rantau-server".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(Error::Io(e)));
                    return;
                }
            };
            runtime.block_on(async move {
                let server = match spawn(config).await {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok((server.addr, Arc::clone(&server.stats))));
                // Wait for the stop signal without blocking a runtime worker.
                let _ = tokio::task::spawn_blocking(move || stop_rx.recv()).await;
                let _ = server.shutdown().await;
            });
        })?;
    match ready_rx.recv() {
        Ok(Ok((addr, stats))) => Ok(BlockingServer {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
            stats,
        }),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e)
        }
        Err(_) => {
            let _ = thread.join();
            Err(Error::Runtime(
                "the server thread stopped before it was ready".into(),
            ))
        }
    }
}
