//! Which database a test server runs on: SQLite in memory (the default), or,
//! with `RANTAU_TEST_SERVER_DB=postgres`, a fresh PostgreSQL database of its own
//! in the cluster `RANTAU_TEST_POSTGRES` names, dropped with the server. The gate
//! runs the end-to-end API tests once each way.

use std::ops::Deref;

use rantau_server::{spawn, DbLocation, RunningServer, ServerConfig};

/// Selects the backend of [`server`].
const MODE_ENV: &str = "RANTAU_TEST_SERVER_DB";
/// A PostgreSQL URL whose user may create databases.
const PG_ENV: &str = "RANTAU_TEST_POSTGRES";

/// A running test server and the database made for it.
pub struct TestServer {
    server: RunningServer,
    db: Option<ScratchDb>,
}

impl Deref for TestServer {
    type Target = RunningServer;
    fn deref(&self) -> &RunningServer {
        &self.server
    }
}

impl TestServer {
    /// The URL of the server's own PostgreSQL database, when it runs on one.
    pub fn postgres_url(&self) -> Option<String> {
        self.db.as_ref().map(ScratchDb::url)
    }

    /// Stops the server (then drops its database).
    pub async fn shutdown(self) -> rantau_server::Result<()> {
        let TestServer { server, db } = self;
        let out = server.shutdown().await;
        drop(db);
        out
    }
}

/// A database made for one test server; dropped (connections closed by force)
/// when this is.
pub struct ScratchDb {
    admin_url: String,
    name: String,
    url: String,
    _files: tempfile::TempDir,
}

impl ScratchDb {
    /// Its URL.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Its documents folder (not made yet).
    pub fn files(&self) -> std::path::PathBuf {
        self._files.path().join("docs")
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime: the statement runs on a thread
        // with a runtime of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let admin = admin(&url).await;
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
                    .unwrap();
            });
        })
        .join();
    }
}

async fn admin(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("{PG_ENV}: cannot connect: {e}"));
    tokio::spawn(conn);
    client
}

/// True when the run asks for servers on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var(MODE_ENV).as_deref() == Ok("postgres")
}

/// A fresh PostgreSQL database of its own when the run asks for PostgreSQL
/// (for a server started another way: the binary); `None` on SQLite runs.
pub async fn scratch_database() -> Option<ScratchDb> {
    if !on_postgres() {
        return None;
    }
    let admin_url =
        std::env::var(PG_ENV).unwrap_or_else(|_| panic!("{MODE_ENV}=postgres needs {PG_ENV}"));
    Some(create(admin_url).await)
}

/// Makes database `rantau_api_<uuid>` in the cluster at `admin_url`.
async fn create(admin_url: String) -> ScratchDb {
    let name = format!("rantau_api_{}", uuid::Uuid::new_v4().simple());
    let url = rantau_server::storage::create_database(&admin_url, &name)
        .await
        .unwrap_or_else(|e| panic!("{PG_ENV}: {e}"));
    ScratchDb {
        admin_url,
        name,
        url,
        _files: tempfile::tempdir().unwrap(),
    }
}

/// A fresh PostgreSQL database (and documents folder) that several servers
/// share (replicas), whatever backend the run asks for; `None` (and a line
/// saying the test was skipped) when `RANTAU_TEST_POSTGRES` is unset.
#[allow(clippy::print_stderr)] // the line that says a test was skipped
pub async fn shared_postgres(test: &str) -> Option<SharedDb> {
    let Ok(admin_url) = std::env::var(PG_ENV) else {
        eprintln!("{test}: skipped, {PG_ENV} is not set (the gate sets it)");
        return None;
    };
    let scratch = create(admin_url).await;
    Some(SharedDb {
        location: DbLocation::parse(&scratch.url(), scratch.files().to_str()).unwrap(),
        url: scratch.url(),
        _scratch: scratch,
    })
}

/// A database several servers share: see [`shared_postgres`].
pub struct SharedDb {
    /// What each server's configuration names.
    pub location: DbLocation,
    /// The database's URL (for the test's own SQL).
    pub url: String,
    _scratch: ScratchDb,
}

impl SharedDb {
    /// A connection of the test's own to the shared database.
    pub async fn connect(&self) -> tokio_postgres::Client {
        admin(&self.url).await
    }

    /// The documents folder the servers share.
    pub fn files(&self) -> std::path::PathBuf {
        self._scratch.files()
    }
}

/// For servers started with `spawn_blocking` (outside a runtime): `config` with
/// its in-memory database replaced by a fresh PostgreSQL one when the run asks
/// for PostgreSQL, and that database (keep it until the server stops).
pub fn blocking_config(mut config: ServerConfig) -> (ServerConfig, Option<ScratchDb>) {
    if config.db != DbLocation::Memory || !on_postgres() {
        return (config, None);
    }
    let scratch = std::thread::spawn(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(scratch_database())
    })
    .join()
    .unwrap();
    if let Some(s) = &scratch {
        config.db = DbLocation::parse(&s.url(), s.files().to_str()).unwrap();
    }
    (config, scratch)
}

/// Spawns `config`; an in-memory database becomes a fresh PostgreSQL one when
/// the tests are asked to run on PostgreSQL.
pub async fn server(mut config: ServerConfig) -> TestServer {
    let mut db = None;
    if config.db == DbLocation::Memory {
        db = scratch_database().await;
        if let Some(scratch) = &db {
            config.db = DbLocation::parse(&scratch.url(), scratch.files().to_str()).unwrap();
        }
    }
    TestServer {
        server: spawn(config).await.unwrap(),
        db,
    }
}
