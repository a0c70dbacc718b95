//! The reference server on loopback, and its officer (admin) endpoints as the
//! tests use them: the submission list that proves "exactly once".

use std::collections::HashMap;
use std::net::SocketAddr;

use rantau_server::officer::SubmissionList;
use rantau_server::{DbLocation, RunningServer, ServerConfig};

/// The admin token of test servers.
pub const ADMIN_TOKEN: &str = "test-admin-token";

/// Selects PostgreSQL for [`file_or_postgres`] (the gate runs the soak both ways).
const MODE_ENV: &str = "RANTAU_TEST_SERVER_DB";
/// A PostgreSQL URL whose user may create databases.
const PG_ENV: &str = "RANTAU_TEST_POSTGRES";

/// Where a test server keeps its data: a SQLite file in `dir`, or, with
/// `RANTAU_TEST_SERVER_DB=postgres`, a fresh database in the cluster
/// `RANTAU_TEST_POSTGRES` names (documents in `dir`), dropped with the guard.
pub fn file_or_postgres(dir: &std::path::Path) -> (DbLocation, Option<PostgresDb>) {
    if std::env::var(MODE_ENV).as_deref() != Ok("postgres") {
        return (DbLocation::File(dir.join("server.db")), None);
    }
    let admin_url =
        std::env::var(PG_ENV).unwrap_or_else(|_| panic!("{MODE_ENV}=postgres needs {PG_ENV}"));
    let name = format!("rantau_e2e_{}", uuid::Uuid::new_v4().simple());
    let url = {
        let (admin_url, name) = (admin_url.clone(), name.clone());
        on_own_runtime(async move {
            rantau_server::storage::create_database(&admin_url, &name)
                .await
                .map_err(|e| e.to_string())
        })
    };
    let location = DbLocation::parse(&url, dir.join("documents").to_str())
        .unwrap_or_else(|e| panic!("{PG_ENV}: {e}"));
    (location, Some(PostgresDb { admin_url, name }))
}

/// A database made for one test; dropped (its connections closed) with this.
#[derive(Debug)]
pub struct PostgresDb {
    admin_url: String,
    name: String,
}

impl Drop for PostgresDb {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        postgres_admin(&self.admin_url, &sql);
    }
}

/// Runs `work` on a thread with a runtime of its own (callers may be inside
/// one); an error panics, naming the cluster's variable.
fn on_own_runtime<T: Send + 'static>(
    work: impl std::future::Future<Output = Result<T, String>> + Send + 'static,
) -> T {
    let done = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?
            .block_on(work)
    })
    .join();
    match done {
        Ok(Ok(value)) => value,
        Ok(Err(e)) => panic!("{PG_ENV}: {e}"),
        Err(_) => panic!("{PG_ENV}: the admin thread panicked"),
    }
}

/// Runs `sql` on the cluster at `url`.
fn postgres_admin(url: &str, sql: &str) {
    let (url, sql) = (url.to_string(), sql.to_string());
    on_own_runtime(async move {
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        client.batch_execute(&sql).await.map_err(|e| e.to_string())
    })
}

/// Starts a server on a free loopback port with `db`.
pub async fn start(db: DbLocation) -> RunningServer {
    let config = ServerConfig {
        db,
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        ..ServerConfig::ephemeral(ADMIN_TOKEN)
    };
    match rantau_server::spawn(config).await {
        Ok(s) => s,
        Err(e) => panic!("server: {e}"),
    }
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    match reqwest::Client::builder().build() {
        Ok(c) => c,
        Err(e) => panic!("client: {e}"),
    }
}

/// Every submission the server holds (oldest first), page after page.
pub async fn submissions(addr: SocketAddr) -> SubmissionList {
    let mut all: Option<SubmissionList> = None;
    loop {
        let cursor = all
            .as_ref()
            .map(|l| l.next_cursor.clone())
            .unwrap_or_default();
        let url = format!("http://{addr}/v1/admin/submissions?limit=500&cursor={cursor}");
        let resp = client().get(url).bearer_auth(ADMIN_TOKEN).send().await;
        let resp = match resp {
            Ok(r) if r.status().is_success() => r,
            Ok(r) => panic!("admin list: {}", r.status()),
            Err(e) => panic!("admin list: {e}"),
        };
        let page = match resp.json::<SubmissionList>().await {
            Ok(l) => l,
            Err(e) => panic!("admin list body: {e}"),
        };
        let more = page.has_more && !page.submissions.is_empty();
        match all.as_mut() {
            None => all = Some(page),
            Some(a) => {
                a.submissions.extend(page.submissions);
                a.next_cursor = page.next_cursor;
            }
        }
        if !more {
            break;
        }
    }
    let mut all = all.unwrap_or_else(|| panic!("admin list: no page"));
    all.has_more = false;
    all
}

/// How many times the server holds each submission id.
pub async fn counts(addr: SocketAddr) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for s in submissions(addr).await.submissions {
        *out.entry(s.id).or_insert(0) += 1;
    }
    out
}

/// POSTs `body` to an admin endpoint; panics unless it succeeds.
pub async fn admin_post(
    addr: SocketAddr,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let url = format!("http://{addr}{path}");
    let resp = client()
        .post(url)
        .bearer_auth(ADMIN_TOKEN)
        .json(&body)
        .send()
        .await;
    match resp {
        Ok(r) if r.status().is_success() => r.json().await.unwrap_or(serde_json::Value::Null),
        Ok(r) => {
            let status = r.status();
            panic!(
                "admin {path}: {status} {}",
                r.text().await.unwrap_or_default()
            )
        }
        Err(e) => panic!("admin {path}: {e}"),
    }
}

/// The server's copy of document `sha` (whoever uploaded it), read from its files
/// directory `files_root` (`<db file>.files`) and opened with the server's key file
/// (`<db file>.key`); `None` when it holds no such file.
pub fn stored_file(files_root: &std::path::Path, sha: &str) -> Option<Vec<u8>> {
    let name = files_root.file_name()?.to_str()?.strip_suffix(".files")?;
    let db = files_root.with_file_name(name);
    let key_file = rantau_server::storage::key::default_key_path(&db);
    match rantau_server::storage::files::read_document(&db, &key_file, sha) {
        Ok(found) => found,
        Err(e) => panic!("stored file: {e}"),
    }
}
