//! The reference server on loopback, and its officer (admin) endpoints as the
//! tests use them: the submission list that proves "exactly once".

use std::collections::HashMap;
use std::net::SocketAddr;

use rantau_server::admin::SubmissionList;
use rantau_server::{DbLocation, RunningServer, ServerConfig};

/// The admin token of test servers.
pub const ADMIN_TOKEN: &str = "test-admin-token";

/// Starts a server on a free loopback port with `db`.
pub async fn start(db: DbLocation) -> RunningServer {
    let config = ServerConfig {
        db,
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        admin_token: ADMIN_TOKEN.into(),
        limits: rantau_server::Limits::default(),
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

/// Every submission the server holds (oldest first).
pub async fn submissions(addr: SocketAddr) -> SubmissionList {
    let url = format!("http://{addr}/v1/admin/submissions");
    let resp = client().get(url).bearer_auth(ADMIN_TOKEN).send().await;
    let resp = match resp {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => panic!("admin list: {}", r.status()),
        Err(e) => panic!("admin list: {e}"),
    };
    match resp.json::<SubmissionList>().await {
        Ok(l) => l,
        Err(e) => panic!("admin list body: {e}"),
    }
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
/// directory `files_root` (`<db file>.files`); `None` when it holds no such file.
pub fn stored_file(files_root: &std::path::Path, sha: &str) -> Option<Vec<u8>> {
    let dirs = std::fs::read_dir(files_root).ok()?;
    dirs.flatten()
        .map(|d| d.path().join(sha))
        .find(|p| p.is_file())
        .and_then(|p| std::fs::read(p).ok())
}
