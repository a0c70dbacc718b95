//! Documents in an S3-compatible bucket, end to end: `rantau-server` processes
//! with `--files s3://BUCKET/PREFIX` against a real S3 server on loopback
//! (s3s-fs), through a whole upload, an upload a new server process resumes,
//! and a server killed (SIGKILL) between the last chunk and `complete`.
//!
//! `RANTAU_TEST_S3` says where the S3 server is: `http://KEY:SECRET@HOST:PORT/BUCKET`
//! for one already running (the gate starts one), or else the s3s-fs binary
//! (`s3s-fs` for the one on PATH), which each test then starts itself on a free
//! loopback port over a temporary folder. Unset, the tests say they are skipped.
// Test helpers outside #[test] fns: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use object_store::ObjectStoreExt;
use rantau_core::protocol::wire::{AttachmentStatus, ATTACHMENT_CHUNK_SIZE};
use rantau_server::storage::files::read_document_in;
use rantau_server::storage::key::default_key_path;
use rantau_server::storage::objects::{BucketUrl, Objects};

mod common;
use common::process::ServerProcess;
use common::uploads::{file, hex_sha, post_complete, put, status};

const ENV: &str = "RANTAU_TEST_S3";
const TOKEN: &str = "s3-test-token-0123456789abcdef012345";

/// The S3 server the tests use, and how to reach it.
struct S3 {
    endpoint: String,
    access: String,
    secret: String,
    bucket: String,
    _started: Option<Started>,
}

/// An s3s-fs this test started: stopped and its folder removed on drop.
struct Started {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl S3 {
    /// The S3 server of `RANTAU_TEST_S3`; `None` (and a note) when unset.
    #[allow(clippy::print_stderr)] // the note that says a test is skipped
    fn get(test: &str) -> Option<S3> {
        let Ok(spec) = std::env::var(ENV) else {
            eprintln!("{test}: skipped ({ENV} is not set; scripts/test-all.sh sets it)");
            return None;
        };
        Some(match spec.strip_prefix("http://") {
            Some(rest) => {
                let (creds, place) = rest
                    .split_once('@')
                    .unwrap_or_else(|| panic!("{ENV}: http://KEY:SECRET@HOST:PORT/BUCKET"));
                let (access, secret) = creds.split_once(':').unwrap();
                let (host, bucket) = place.split_once('/').unwrap();
                S3 {
                    endpoint: format!("http://{host}"),
                    access: access.into(),
                    secret: secret.into(),
                    bucket: bucket.trim_end_matches('/').into(),
                    _started: None,
                }
            }
            None => S3::start(&spec),
        })
    }

    /// Starts the s3s-fs binary `bin` on a free loopback port.
    fn start(bin: &str) -> S3 {
        let dir = tempfile::tempdir().unwrap();
        let bucket = "rantau";
        std::fs::create_dir(dir.path().join(bucket)).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let (access, secret) = ("rantau-test", "rantau-test-secret");
        let child = Command::new(bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", access, "--secret-key", secret])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{ENV}={bin}: cannot start s3s-fs: {e}"));
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "s3s-fs did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        S3 {
            endpoint: format!("http://127.0.0.1:{port}"),
            access: access.into(),
            secret: secret.into(),
            bucket: bucket.into(),
            _started: Some(Started { child, _dir: dir }),
        }
    }

    /// The AWS variables a server (or the test) reaches the bucket with.
    fn vars(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", self.access.as_str()),
            ("AWS_SECRET_ACCESS_KEY", self.secret.as_str()),
            ("AWS_REGION", "us-east-1"),
        ]
    }

    /// A key prefix of its own for one test, so tests share a bucket safely.
    fn place(&self) -> BucketUrl {
        let prefix = format!("test-{}", uuid::Uuid::new_v4().simple());
        BucketUrl::parse(&format!("s3://{}/{prefix}", self.bucket)).unwrap()
    }

    fn objects(&self, place: &BucketUrl) -> Objects {
        Objects::bucket_with_vars(place, self.vars()).unwrap()
    }
}

/// A `rantau-server serve` process with its documents in the bucket: SQLite in
/// `dir` (its key beside it).
fn start_server(s3: &S3, dir: &Path, place: &BucketUrl) -> ServerProcess {
    spawn_server(s3, dir, place, db(dir).to_str().unwrap(), None)
}

/// A `rantau-server serve` process on the database `database` (a path or a
/// URL), its documents in the bucket, the key in `key_file` when given; its log
/// goes to `dir/server.log`.
fn spawn_server(
    s3: &S3,
    dir: &Path,
    place: &BucketUrl,
    database: &str,
    key_file: Option<&Path>,
) -> ServerProcess {
    let log_path = dir.join("server.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .unwrap();
    let mut command = common::process::serve();
    command
        .args(["--files", &place.to_string()])
        .env("RANTAU_DATABASE", database)
        .env("RANTAU_ADMIN_TOKEN", TOKEN)
        .envs(s3.vars())
        .stderr(log);
    if let Some(key_file) = key_file {
        command.arg("--key-file").arg(key_file);
    }
    ServerProcess::start(command, Some(&log_path))
}

fn db(dir: &Path) -> PathBuf {
    dir.join("server.db")
}

/// The document `sha` as the bucket holds it, opened with the key of the
/// SQLite server in `dir`.
fn stored(s3: &S3, place: &BucketUrl, dir: &Path, sha: &str) -> Option<Vec<u8>> {
    read_document_in(s3.objects(place), &default_key_path(&db(dir)), sha).unwrap()
}

/// Runs `sql` on the PostgreSQL server of `url`.
async fn pg_admin(url: &str, sql: &str) {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let conn = tokio::spawn(conn);
    client.batch_execute(sql).await.unwrap();
    drop(client);
    let _ = conn.await;
}

/// Every object key under the test's prefix.
async fn keys(s3: &S3, place: &BucketUrl) -> Vec<String> {
    let objects = s3.objects(place);
    let mut listed: Vec<String> = objects
        .store
        .list(None)
        .map(|m| m.unwrap().location.to_string())
        .collect()
        .await;
    listed.sort();
    listed
}

fn chunks(data: &[u8]) -> Vec<&[u8]> {
    data.chunks(ATTACHMENT_CHUNK_SIZE).collect()
}

async fn completed(
    c: &reqwest::Client,
    s: &ServerProcess,
    token: &str,
    sha: &str,
) -> AttachmentStatus {
    let r = post_complete(c, &s.url, token, sha).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_document_goes_to_the_bucket_sealed_and_comes_back() {
    let Some(s3) = S3::get("a_document_goes_to_the_bucket") else {
        return;
    };
    let (dir, place) = (tempfile::tempdir().unwrap(), s3.place());
    let server = start_server(&s3, dir.path(), &place);
    let c = common::client();
    let token = common::enroll(&c, &server.url, "d1").await.token;
    let data = file(2 * ATTACHMENT_CHUNK_SIZE + 100);
    let sha = hex_sha(&data);
    for (idx, chunk) in chunks(&data).into_iter().enumerate() {
        assert_eq!(put(&c, &server.url, &token, &data, idx, chunk).await.0, 204);
    }
    let done = completed(&c, &server, &token, &sha).await;
    assert!(done.complete);
    assert_eq!(stored(&s3, &place, dir.path(), &sha), Some(data.clone()));
    // One object is left, the file itself, and the bucket sees only sealed bytes.
    let keys = keys(&s3, &place).await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].ends_with(&sha), "{keys:?}");
    let sealed = s3
        .objects(&place)
        .store
        .get(&keys[0].as_str().into())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(sealed.starts_with(b"RSF1"));
    assert!(!sealed.windows(5).any(|w| w == b"%PDF-"));
    server.kill();
}

#[tokio::test]
async fn a_new_server_process_resumes_an_upload_from_its_reported_chunks() {
    let Some(s3) = S3::get("a_new_server_process_resumes_an_upload") else {
        return;
    };
    let (dir, place) = (tempfile::tempdir().unwrap(), s3.place());
    let c = common::client();
    let data = file(3 * ATTACHMENT_CHUNK_SIZE + 7);
    let sha = hex_sha(&data);
    let parts = chunks(&data);
    let first = start_server(&s3, dir.path(), &place);
    let token = common::enroll(&c, &first.url, "d1").await.token;
    // The phone sends two chunks, then the connection (and the server) go away.
    for idx in [0, 1] {
        assert_eq!(
            put(&c, &first.url, &token, &data, idx, parts[idx]).await.0,
            204
        );
    }
    first.kill();
    let second = start_server(&s3, dir.path(), &place);
    let held = status(&c, &second.url, &token, &sha).await;
    assert_eq!(
        (held.chunks_received.clone(), held.complete),
        (vec![0, 1], false)
    );
    // The phone sends only what the server says it lacks.
    for (idx, part) in parts.iter().enumerate() {
        if !held.chunks_received.contains(&(idx as u32)) {
            assert_eq!(put(&c, &second.url, &token, &data, idx, part).await.0, 204);
        }
    }
    let done = completed(&c, &second, &token, &sha).await;
    assert_eq!((done.complete, done.chunks_received.len()), (true, 4));
    assert_eq!(stored(&s3, &place, dir.path(), &sha), Some(data));
    second.kill();
}

#[tokio::test]
async fn a_server_killed_before_complete_completes_once_after_a_restart() {
    let Some(s3) = S3::get("a_server_killed_before_complete") else {
        return;
    };
    let (dir, place) = (tempfile::tempdir().unwrap(), s3.place());
    let c = common::client();
    let data = file(2 * ATTACHMENT_CHUNK_SIZE + 1);
    let sha = hex_sha(&data);
    let first = start_server(&s3, dir.path(), &place);
    let token = common::enroll(&c, &first.url, "d1").await.token;
    for (idx, chunk) in chunks(&data).into_iter().enumerate() {
        assert_eq!(put(&c, &first.url, &token, &data, idx, chunk).await.0, 204);
    }
    // Every chunk is stored; the server dies before the phone's `complete`.
    first.kill();
    assert_eq!(keys(&s3, &place).await.len(), 3, "three chunk objects wait");
    let second = start_server(&s3, dir.path(), &place);
    let held = status(&c, &second.url, &token, &sha).await;
    assert_eq!((held.chunks_received.len(), held.complete), (3, false));
    let done = completed(&c, &second, &token, &sha).await;
    assert!(done.complete);
    let again = completed(&c, &second, &token, &sha).await;
    assert_eq!(again, done, "a second complete gets the same answer");
    // Once: one assembled object, no chunk left, the bytes the phone sent.
    let left = keys(&s3, &place).await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(stored(&s3, &place, dir.path(), &sha), Some(data.clone()));
    // A third server process still has it complete, and a late chunk changes nothing.
    second.kill();
    let third = start_server(&s3, dir.path(), &place);
    assert!(status(&c, &third.url, &token, &sha).await.complete);
    let late = put(&c, &third.url, &token, &data, 0, chunks(&data)[0]).await;
    assert_eq!(
        late,
        (204, String::new()),
        "a chunk of a complete file is acknowledged"
    );
    assert_eq!(keys(&s3, &place).await.len(), 1, "and not stored");
    assert_eq!(stored(&s3, &place, dir.path(), &sha), Some(data));
    third.kill();
}

#[tokio::test]
async fn two_replicas_on_postgres_share_the_bucket_and_complete_once() {
    let Some(s3) = S3::get("two_replicas_on_postgres") else {
        return;
    };
    let Ok(admin_url) = std::env::var("RANTAU_TEST_POSTGRES") else {
        #[allow(clippy::print_stderr)] // the note that says a test is skipped
        {
            eprintln!("two_replicas_on_postgres: skipped (RANTAU_TEST_POSTGRES is not set)");
        }
        return;
    };
    let name = format!("rantau_s3_{}", uuid::Uuid::new_v4().simple());
    let url = rantau_server::storage::create_database(&admin_url, &name)
        .await
        .unwrap();
    let (dir, place) = (tempfile::tempdir().unwrap(), s3.place());
    let key_file = dir.path().join("documents.key");
    // The first replica makes the key (the bucket prefix is empty); the second reads it.
    let a = spawn_server(&s3, dir.path(), &place, &url, Some(&key_file));
    let b = spawn_server(&s3, dir.path(), &place, &url, Some(&key_file));
    let c = common::client();
    let token = common::enroll(&c, &a.url, "d1").await.token;
    let data = file(4 * ATTACHMENT_CHUNK_SIZE + 3);
    let sha = hex_sha(&data);
    // Chunks go to either replica, as a load balancer would send them.
    for (idx, chunk) in chunks(&data).into_iter().enumerate() {
        let to = if idx % 2 == 0 { &a.url } else { &b.url };
        assert_eq!(put(&c, to, &token, &data, idx, chunk).await.0, 204);
    }
    // `complete` reaches both at once (a retry racing the first try).
    let (on_a, on_b) = tokio::join!(
        post_complete(&c, &a.url, &token, &sha),
        post_complete(&c, &b.url, &token, &sha)
    );
    assert_eq!((on_a.status().as_u16(), on_b.status().as_u16()), (200, 200));
    let on_a: AttachmentStatus = on_a.json().await.unwrap();
    let on_b: AttachmentStatus = on_b.json().await.unwrap();
    assert!(on_a.complete && on_b.complete);
    assert_eq!(on_a, on_b);
    let left = keys(&s3, &place).await;
    assert_eq!(left.len(), 1, "one file, no chunk: {left:?}");
    let read = read_document_in(s3.objects(&place), &key_file, &sha).unwrap();
    assert_eq!(read, Some(data));
    a.kill();
    b.kill();
    pg_admin(
        &admin_url,
        &format!("DROP DATABASE \"{name}\" WITH (FORCE)"),
    )
    .await;
}
