//! The server's data at rest, over real HTTP: no personal data in plaintext in any
//! file it writes (database, its journal, document files), files 0600 and folders
//! 0700, a wrong or missing key file refused with nothing overwritten, and the
//! officers' submission list paged so every submission comes exactly once.
// Test helpers outside #[test] fns: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rantau_core::protocol::wire::{BatchResponse, ErrorBody};
use rantau_server::officer::SubmissionList;
use rantau_server::{spawn, DbLocation, RunningServer, ServerConfig};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

mod common;
use common::client;

const ADMIN: &str = "at-rest-admin";

fn registration() -> Value {
    let mut answers = rantau_core::forms::samples::sample_registration();
    answers.insert("departure_date".into(), json!("2025-07-05"));
    Value::Object(answers)
}

/// The planted personal data: NIK, passport and phone of the sample registration.
fn secrets() -> Vec<String> {
    let r = registration();
    ["nik", "passport_number", "phone_abroad"]
        .iter()
        .map(|f| r[f].as_str().unwrap().to_string())
        .collect()
}

fn item(id: &str, form: &str, payload: Value) -> Value {
    json!({"id": id, "form_id": form, "form_version": 1, "created_at": "2026-01-01T00:00:00Z", "payload": payload})
}

async fn file_server(dir: &Path) -> RunningServer {
    spawn(ServerConfig {
        db: DbLocation::File(dir.join("server.db")),
        ..ServerConfig::ephemeral(ADMIN)
    })
    .await
    .unwrap()
}

async fn submit(c: &reqwest::Client, s: &RunningServer, token: &str, items: Vec<Value>) {
    let r = c
        .post(format!("{}/v1/submissions/batch", s.base_url()))
        .bearer_auth(token)
        .json(&json!({ "items": items }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let _: BatchResponse = r.json().await.unwrap();
}

/// Uploads `data` as one chunk and completes it.
async fn upload(c: &reqwest::Client, s: &RunningServer, token: &str, data: &[u8]) -> String {
    let sha = hex::encode(Sha256::digest(data));
    let r = c
        .put(format!("{}/v1/attachments/{sha}/chunks/0", s.base_url()))
        .bearer_auth(token)
        .header("x-chunk-sha256", &sha)
        .header("x-attachment-size", data.len().to_string())
        .body(data.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = c
        .post(format!("{}/v1/attachments/{sha}/complete", s.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    sha
}

/// Every file under `dir`, recursively, and every folder.
fn walk(dir: &Path, files: &mut Vec<PathBuf>, dirs: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            dirs.push(path.clone());
            walk(&path, files, dirs);
        } else {
            files.push(path);
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

async fn list_page(c: &reqwest::Client, s: &RunningServer, query: &str) -> reqwest::Response {
    c.get(format!("{}/v1/admin/submissions?{query}", s.base_url()))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn no_file_the_server_writes_holds_a_planted_nik_passport_or_phone() {
    let dir = tempfile::tempdir().unwrap();
    let c = client();
    let s = file_server(dir.path()).await;
    let dev = common::enroll(&c, &s, "device-at-rest").await;
    submit(
        &c,
        &s,
        &dev.token,
        vec![item("r1", "pmi-registration", registration())],
    )
    .await;
    let nik = secrets()[0].clone();
    let page = format!("%PDF-1.4 KTP NIK {nik} {}", "x".repeat(200));
    let sha = upload(&c, &s, &dev.token, page.as_bytes()).await;
    // The server itself still reads what it holds.
    let list: SubmissionList = list_page(&c, &s, "").await.json().await.unwrap();
    assert_eq!(list.submissions[0].payload["nik"], json!(nik));
    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    walk(dir.path(), &mut files, &mut dirs);
    assert!(
        files.iter().any(|f| f.ends_with("server.db-wal")),
        "{files:?}"
    );
    assert!(files.iter().any(|f| f.ends_with(&sha)), "{files:?}");
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for secret in secrets() {
            assert!(
                !contains(&bytes, secret.as_bytes()),
                "{secret} in plaintext in {f:?}"
            );
        }
        assert!(
            !contains(&bytes, b"%PDF"),
            "a document page in plaintext in {f:?}"
        );
    }
    s.shutdown().await.unwrap();
    // After a restart with the same key file everything reads back.
    let s = file_server(dir.path()).await;
    let list: SubmissionList = list_page(&c, &s, "").await.json().await.unwrap();
    assert_eq!(list.submissions[0].payload["nik"], json!(nik));
    let stored = rantau_server::storage::files::read_document(
        &dir.path().join("server.db"),
        &dir.path().join("server.db.key"),
        &sha,
    )
    .unwrap();
    assert_eq!(stored.as_deref(), Some(page.as_bytes()));
}

#[cfg(unix)]
#[tokio::test]
async fn every_file_is_0600_and_every_folder_0700() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    // A folder the server makes itself (the database's own folder is missing).
    let dir = parent.path().join("data");
    let c = client();
    let s = file_server(&dir).await;
    let dev = common::enroll(&c, &s, "device-modes").await;
    submit(
        &c,
        &s,
        &dev.token,
        vec![item("r1", "pmi-registration", registration())],
    )
    .await;
    upload(&c, &s, &dev.token, b"%PDF-1.4 one page").await;
    // A half-uploaded file: its chunk folder and chunk are on disk.
    let half = vec![7u8; ATTACHMENT_CHUNK + 10];
    let sha = hex::encode(Sha256::digest(&half));
    let r = c
        .put(format!("{}/v1/attachments/{sha}/chunks/0", s.base_url()))
        .bearer_auth(&dev.token)
        .header(
            "x-chunk-sha256",
            hex::encode(Sha256::digest(&half[..ATTACHMENT_CHUNK])),
        )
        .header("x-attachment-size", half.len().to_string())
        .body(half[..ATTACHMENT_CHUNK].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    dirs.push(dir.clone());
    walk(&dir, &mut files, &mut dirs);
    assert!(files.len() >= 6, "{files:?}");
    assert!(
        dirs.iter().any(|d| d.to_string_lossy().ends_with(".parts")),
        "{dirs:?}"
    );
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for f in &files {
        assert_eq!(mode(f), 0o600, "{f:?}");
    }
    for d in &dirs {
        assert_eq!(mode(d), 0o700, "{d:?}");
    }
}

const ATTACHMENT_CHUNK: usize = rantau_core::protocol::wire::ATTACHMENT_CHUNK_SIZE;

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    walk(dir, &mut files, &mut dirs);
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(&f).unwrap();
            (f, bytes)
        })
        .collect()
}

#[tokio::test]
async fn a_wrong_or_missing_key_file_is_refused_and_nothing_is_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let c = client();
    let s = file_server(dir.path()).await;
    let dev = common::enroll(&c, &s, "device-key").await;
    submit(
        &c,
        &s,
        &dev.token,
        vec![item("r1", "pmi-registration", registration())],
    )
    .await;
    s.shutdown().await.unwrap();
    let key_file = dir.path().join("server.db.key");
    let right = std::fs::read(&key_file).unwrap();

    // Another server's key.
    std::fs::write(&key_file, format!("{}\n", "ab".repeat(32))).unwrap();
    let before = snapshot(dir.path());
    let err = spawn(ServerConfig {
        db: DbLocation::File(dir.path().join("server.db")),
        ..ServerConfig::ephemeral(ADMIN)
    })
    .await
    .err()
    .unwrap();
    assert_eq!(err.code(), "server.wrong_key", "{err}");
    assert!(err.to_string().contains("key file"), "{err}");
    assert_eq!(snapshot(dir.path()), before, "nothing was written");

    // Also when the key-check sidecar is gone: SQLCipher itself refuses.
    std::fs::remove_file(dir.path().join("server.db.keycheck")).unwrap();
    let before = snapshot(dir.path());
    let err = spawn(ServerConfig {
        db: DbLocation::File(dir.path().join("server.db")),
        ..ServerConfig::ephemeral(ADMIN)
    })
    .await
    .err()
    .unwrap();
    assert_eq!(err.code(), "server.wrong_key", "{err}");
    assert_eq!(snapshot(dir.path()), before);

    // No key file at all: never a new key for existing data.
    std::fs::remove_file(&key_file).unwrap();
    let err = spawn(ServerConfig {
        db: DbLocation::File(dir.path().join("server.db")),
        ..ServerConfig::ephemeral(ADMIN)
    })
    .await
    .err()
    .unwrap();
    assert_eq!(err.code(), "server.key_file", "{err}");
    assert!(!key_file.exists(), "no key file was made up");

    // The right key opens it again, data intact.
    std::fs::write(key_file, right).unwrap();
    let s = file_server(dir.path()).await;
    let list: SubmissionList = list_page(&c, &s, "").await.json().await.unwrap();
    assert_eq!(list.submissions.len(), 1);
}

#[tokio::test]
async fn a_key_file_elsewhere_is_used_and_made_0600() {
    let data = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("rantau.key");
    let config = ServerConfig {
        db: DbLocation::File(data.path().join("server.db")),
        key_file: Some(key_file.clone()),
        ..ServerConfig::ephemeral(ADMIN)
    };
    let s = spawn(config.clone()).await.unwrap();
    s.shutdown().await.unwrap();
    assert!(key_file.is_file());
    assert!(!data.path().join("server.db.key").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    spawn(config).await.unwrap().shutdown().await.unwrap();
}

#[tokio::test]
async fn paging_the_submission_list_gives_every_submission_exactly_once() {
    let c = client();
    let s = spawn(ServerConfig::ephemeral(ADMIN)).await.unwrap();
    let mut sent = BTreeSet::new();
    for d in 0..3 {
        let dev = common::enroll(&c, &s, &format!("device-page-{d}")).await;
        let items: Vec<Value> = (0..40)
            .map(|i| {
                let id = format!("c-{d}-{i}");
                sent.insert(id.clone());
                let mut answers = rantau_core::forms::samples::sample_consultation();
                answers.insert("subject".into(), json!(format!("question {i}")));
                item(&id, "consultation", Value::Object(answers))
            })
            .collect();
        submit(&c, &s, &dev.token, items).await;
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let r = list_page(&c, &s, &format!("limit=7&cursor={cursor}")).await;
        assert_eq!(r.status(), 200);
        let page: SubmissionList = r.json().await.unwrap();
        assert!(page.submissions.len() <= 7, "{}", page.submissions.len());
        pages += 1;
        seen.extend(page.submissions.into_iter().map(|s| s.id));
        cursor = page.next_cursor;
        if !page.has_more {
            break;
        }
        assert!(pages < 30, "paging does not end");
    }
    assert_eq!(pages, 18, "120 submissions in pages of 7");
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "a submission came twice");
    assert_eq!(unique, sent);
    // Filtered by form, a page past the end, and a cursor the server never gave.
    let r = list_page(&c, &s, "form_id=pmi-registration").await;
    let none: SubmissionList = r.json().await.unwrap();
    assert!(none.submissions.is_empty() && !none.has_more);
    let end: SubmissionList = list_page(&c, &s, &format!("cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(end.submissions.is_empty() && !end.has_more);
    assert_eq!(end.next_cursor, cursor);
    for bad in ["cursor=abc", "cursor=-1"] {
        let r = list_page(&c, &s, bad).await;
        assert_eq!(r.status(), 400);
        assert_eq!(r.json::<ErrorBody>().await.unwrap().code, "cursor.invalid");
    }
    let r = list_page(&c, &s, "limit=0").await;
    assert_eq!(r.json::<ErrorBody>().await.unwrap().code, "query.invalid");
    // The officer client follows the pages.
    let base = s.base_url();
    let all = tokio::task::spawn_blocking(move || {
        rantau_server::officer::OfficerClient::new(&base, ADMIN)
            .unwrap()
            .list(None)
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(all.submissions.len(), sent.len());
    let ids: BTreeSet<String> = all.submissions.into_iter().map(|s| s.id).collect();
    assert_eq!(ids, sent, "past the default page of 100 too");
}
