//! Graceful shutdown of the real `rantau-server` binary: on SIGTERM (or SIGINT) it stops
//! accepting, lets a batch already being received finish and answer, stores
//! it, and exits 0; a request still held past the grace period does not keep
//! it from exiting. On PostgreSQL too with `RANTAU_TEST_SERVER_DB=postgres`.
#![cfg(unix)]
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use rantau_core::protocol::wire::{BatchResponse, EnrollResponse, ItemOutcome};
use serde_json::{json, Value};

#[allow(dead_code)] // only the scratch databases and the process are used here
mod common;
use common::process::ServerProcess;

const TOKEN: &str = "shutdown-token-0123456789abcdef0123";

/// Where the binary keeps its data: a SQLite file, or a scratch PostgreSQL
/// database (kept alive by this value) with a documents folder.
struct Data {
    dir: tempfile::TempDir,
    pg: Option<common::backend::ScratchDb>,
}

impl Data {
    fn new() -> Data {
        let pg = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(common::backend::scratch_database());
        let dir = tempfile::tempdir().unwrap();
        let token_file = dir.path().join("admin.token");
        std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        Data { dir, pg }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Starts `serve` on a free loopback port.
    fn serve(&self, extra: &[&str]) -> ServerProcess {
        let mut c = common::process::serve();
        c.arg("--admin-token-file")
            .arg(self.path("admin.token"))
            .args(extra)
            .env_remove("RANTAU_ADMIN_TOKEN")
            .env_remove("RANTAU_DATABASE")
            .stderr(std::fs::File::create(self.path("server.log")).unwrap());
        match &self.pg {
            Some(pg) => c
                .env("RANTAU_DATABASE", pg.url())
                .arg("--files")
                .arg(pg.files()),
            None => c.arg("--db").arg(self.path("server.db")),
        };
        ServerProcess::start(c, Some(&self.path("server.log")))
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.path("server.log")).unwrap_or_default()
    }
}

fn http() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::new()
}

fn enroll(addr: SocketAddr) -> EnrollResponse {
    let r = http()
        .post(format!("http://{addr}/v1/devices"))
        .json(&json!({"device_id": "shutdown-device", "label": "t"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().unwrap()
}

fn batch(ids: &[String]) -> Vec<u8> {
    let items: Vec<Value> = ids
        .iter()
        .map(|id| {
            let mut answers = rantau_core::forms::samples::sample_consultation();
            answers.insert("subject".into(), json!("Iuran"));
            json!({"id": id, "form_id": "consultation", "form_version": 1,
                   "created_at": "2026-01-01T00:00:00Z", "payload": Value::Object(answers)})
        })
        .collect();
    serde_json::to_vec(&json!({ "items": items })).unwrap()
}

/// Sends a batch's headers with `Expect: 100-continue` and waits for the
/// server's `100 Continue`: then the handler is reading the body, so the
/// request is in flight for certain (no sleep decides it).
fn begin_batch(addr: SocketAddr, token: &str, len: usize) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "POST /v1/submissions/batch HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {len}\r\nExpect: 100-continue\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    assert!(head.starts_with("HTTP/1.1 100"), "{head}");
    s
}

/// Sends `signal` (`TERM`, `INT`) to the process.
fn signal(child: &Child, signal: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

/// Waits for the process to end, at most `limit`.
fn exit_within(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    None
}

/// Waits until connecting to `addr` is refused: the server stopped accepting.
fn refused_within(addr: SocketAddr, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// The submission ids the officers' list holds.
fn stored_ids(addr: SocketAddr) -> Vec<String> {
    let r = http()
        .get(format!("http://{addr}/v1/admin/submissions"))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().unwrap();
    body["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

fn split_response(raw: &[u8]) -> (String, &[u8]) {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head: {}", String::from_utf8_lossy(raw)));
    (
        String::from_utf8_lossy(&raw[..end]).into_owned(),
        &raw[end + 4..],
    )
}

#[test]
fn sigterm_lets_a_batch_in_flight_finish_and_store_then_exits_0() {
    let data = Data::new();
    let mut server = data.serve(&["--shutdown-grace", "30"]);
    let addr = server.addr();
    let device = enroll(addr);
    let ids: Vec<String> = (0..40).map(|i| format!("shutdown-{i:03}")).collect();
    let body = batch(&ids);
    let mut stream = begin_batch(addr, &device.token, body.len());
    let (first, rest) = body.split_at(body.len() / 2);
    stream.write_all(first).unwrap();

    signal(&server.child, "TERM");
    assert!(
        refused_within(addr, Duration::from_secs(10)),
        "still accepting after SIGTERM\n{}",
        data.log()
    );
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "exited with a request in flight\n{}",
        data.log()
    );
    stream.write_all(rest).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let (head, json) = split_response(&raw);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}\n{}", data.log());
    let answer: BatchResponse = serde_json::from_slice(json).unwrap();
    assert_eq!(answer.results.len(), ids.len());
    assert!(answer
        .results
        .iter()
        .all(|r| matches!(r.outcome, ItemOutcome::Accepted { .. })));

    let status = exit_within(&mut server.child, Duration::from_secs(20));
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "{status:?}\n{}",
        data.log()
    );
    assert!(
        data.log().contains("every request in flight finished"),
        "{}",
        data.log()
    );

    // Started again on the same data: the whole batch is there.
    let mut again = data.serve(&[]);
    let addr = again.addr();
    let mut stored = stored_ids(addr);
    stored.sort();
    assert_eq!(stored, ids);
    signal(&again.child, "TERM");
    let status = exit_within(&mut again.child, Duration::from_secs(20));
    assert_eq!(status.and_then(|s| s.code()), Some(0), "{}", data.log());
}

#[test]
fn a_request_held_past_the_grace_period_does_not_keep_the_server_up() {
    let data = Data::new();
    let mut server = data.serve(&["--shutdown-grace", "1"]);
    let addr = server.addr();
    let device = enroll(addr);
    let body = batch(&["held-001".to_string()]);
    // Headers and half the body, then nothing more: a client that stalls.
    let mut stream = begin_batch(addr, &device.token, body.len());
    stream.write_all(&body[..body.len() / 2]).unwrap();
    let start = Instant::now();
    // Ctrl-C stops it the same way.
    signal(&server.child, "INT");
    let status = exit_within(&mut server.child, Duration::from_secs(15));
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "{status:?}\n{}",
        data.log()
    );
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "the grace period was not given: {:?}",
        start.elapsed()
    );
    assert!(data.log().contains("grace period ended"), "{}", data.log());
    // The stalled request got no success.
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    assert!(
        !String::from_utf8_lossy(&raw).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&raw)
    );
}
