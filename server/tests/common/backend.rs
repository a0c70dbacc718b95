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
struct ScratchDb {
    admin_url: String,
    name: String,
    _files: tempfile::TempDir,
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

/// `url` naming database `name` instead of its own.
fn with_dbname(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let (scheme, rest) = base.split_once("://").unwrap();
    let authority = rest.split('/').next().unwrap();
    format!("{scheme}://{authority}/{name}{query}")
}

/// Spawns `config`; an in-memory database becomes a fresh PostgreSQL one when
/// the tests are asked to run on PostgreSQL.
pub async fn server(mut config: ServerConfig) -> TestServer {
    let mut db = None;
    if config.db == DbLocation::Memory && std::env::var(MODE_ENV).as_deref() == Ok("postgres") {
        let admin_url =
            std::env::var(PG_ENV).unwrap_or_else(|_| panic!("{MODE_ENV}=postgres needs {PG_ENV}"));
        let name = format!("rantau_api_{}", uuid::Uuid::new_v4().simple());
        admin(&admin_url)
            .await
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap();
        let files = tempfile::tempdir().unwrap();
        config.db = DbLocation::parse(
            &with_dbname(&admin_url, &name),
            files.path().join("docs").to_str(),
        )
        .unwrap();
        db = Some(ScratchDb {
            admin_url,
            name,
            _files: files,
        });
    }
    TestServer {
        server: spawn(config).await.unwrap(),
        db,
    }
}
