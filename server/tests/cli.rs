//! The `rantau-server` binary: `serve` on port 0 prints its URL, and the
//! `officer` subcommands talk to it with the admin token.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_rantau-server");

#[test]
fn serve_and_officer_commands_work_together() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--admin-token",
            "cli-token",
            "--db",
        ])
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");

    let officer = |args: &[&str]| {
        Command::new(BIN)
            .args(["officer", "--server", &url, "--admin-token"])
            .args(args)
            .output()
            .unwrap()
    };
    let list = officer(&["cli-token", "list"]);
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let body: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(body["submissions"], serde_json::json!([]));

    let wrong = officer(&["wrong", "list"]);
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("auth.invalid_token"));
    let unknown = officer(&[
        "cli-token",
        "pay",
        "--kpj",
        "12345678901",
        "--amount",
        "1000",
    ]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("kpj.not_found"));

    child.kill().unwrap();
    child.wait().unwrap();
    assert!(db.exists());
}
