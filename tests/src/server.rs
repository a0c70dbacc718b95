//! The reference server on loopback, and its officer (admin) endpoints as the
//! tests use them: the submission list that proves "exactly once".

use std::collections::HashMap;
use std::net::SocketAddr;

use rantau_server::officer::SubmissionList;
use rantau_server::{DbLocation, RunningServer, ServerConfig};

/// The admin token of test servers.
pub const ADMIN_TOKEN: &str = "test-admin-token";

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
