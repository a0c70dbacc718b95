//! Limits that hold behind a reverse proxy, against a real server on loopback:
//! `X-Forwarded-For` believed only from a trusted proxy (and then its rightmost
//! untrusted address), the server-wide enrollment cap (503 `enroll.busy`), the
//! documents quotas reserved atomically (413 per device, 507 `storage.full` for the
//! server) and the cap on open connections.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use rantau_core::protocol::wire::{ErrorBody, ATTACHMENT_CHUNK_SIZE};
use rantau_server::{Limits, Rate, RunningServer, ServerConfig};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod common;
use common::client;

const ADMIN: &str = "proxy-admin";
const WIDE: Rate = Rate {
    burst: 1_000_000,
    per_second: 1_000_000.0,
};
/// A bucket that does not refill within a test.
const fn tight(burst: u32) -> Rate {
    Rate {
        burst,
        per_second: 0.001,
    }
}

fn wide() -> Limits {
    Limits {
        device: WIDE,
        address: WIDE,
        officer: WIDE,
        enrollments: WIDE,
        ..Limits::default()
    }
}

async fn server(limits: Limits) -> common::backend::TestServer {
    common::backend::server(ServerConfig {
        limits,
        ..ServerConfig::ephemeral(ADMIN)
    })
    .await
}

fn loopback_is_the_proxy() -> Vec<rantau_server::Cidr> {
    vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()]
}

/// `GET /v1/forms` (an address-limited route) with `X-Forwarded-For: xff`.
async fn forms(c: &reqwest::Client, s: &RunningServer, xff: &str) -> u16 {
    c.get(format!("{}/v1/forms", s.base_url()))
        .header("x-forwarded-for", xff)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn error(r: reqwest::Response) -> (u16, Option<String>, ErrorBody) {
    let status = r.status().as_u16();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, retry, r.json().await.unwrap())
}

#[tokio::test]
async fn two_phones_behind_one_trusted_proxy_get_their_own_buckets() {
    let s = server(Limits {
        address: tight(2),
        trusted_proxies: loopback_is_the_proxy(),
        ..wide()
    })
    .await;
    let c = client();
    assert_eq!(forms(&c, &s, "198.51.100.1").await, 200);
    assert_eq!(forms(&c, &s, "198.51.100.1").await, 200);
    assert_eq!(
        forms(&c, &s, "198.51.100.1").await,
        429,
        "phone 1 used its bucket"
    );
    // Phone 2 comes through the same proxy connection source: its own bucket.
    assert_eq!(forms(&c, &s, "198.51.100.2").await, 200);
    assert_eq!(forms(&c, &s, "198.51.100.2").await, 200);
    assert_eq!(forms(&c, &s, "198.51.100.2").await, 429);
    // A client that writes its own X-Forwarded-For before the proxy appends the
    // real address cannot pick a fresh bucket: the rightmost untrusted one counts.
    assert_eq!(forms(&c, &s, "203.0.113.50, 198.51.100.1").await, 429);
}

#[tokio::test]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored() {
    // A proxy is configured, but this peer (loopback) is not it.
    let s = server(Limits {
        address: tight(2),
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..wide()
    })
    .await;
    let c = client();
    assert_eq!(forms(&c, &s, "198.51.100.1").await, 200);
    assert_eq!(forms(&c, &s, "198.51.100.2").await, 200);
    assert_eq!(
        forms(&c, &s, "198.51.100.3").await,
        429,
        "one peer, one bucket"
    );
    // And failed tokens, also keyed by address, are not escaped with it either.
    let r = c
        .get(format!("{}/v1/changes", s.base_url()))
        .bearer_auth("guess")
        .header("x-forwarded-for", "198.51.100.4")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
}

#[tokio::test]
async fn the_server_wide_enrollment_cap_holds_across_addresses() {
    let s = server(Limits {
        enrollments: tight(3),
        trusted_proxies: loopback_is_the_proxy(),
        ..wide()
    })
    .await;
    let c = client();
    let enroll = |n: u32| {
        c.post(format!("{}/v1/devices", s.base_url()))
            .header("x-forwarded-for", format!("198.51.100.{n}"))
            .json(&json!({"device_id": format!("dev-{n}"), "label": "t"}))
            .send()
    };
    for n in 0..3 {
        assert_eq!(enroll(n).await.unwrap().status(), 200);
    }
    for n in 3..6 {
        let (status, retry, body) = error(enroll(n).await.unwrap()).await;
        assert_eq!((status, body.code.as_str()), (503, "enroll.busy"));
        assert!(retry.unwrap().parse::<u64>().unwrap() >= 1);
        assert!(
            body.message.contains("detik"),
            "Indonesian by default: {}",
            body.message
        );
    }
    // Other routes of those addresses are not affected.
    assert_eq!(forms(&c, &s, "198.51.100.9").await, 200);
}

/// PUTs chunk 0 of a `size`-byte file named `sha` (its whole hash is only checked
/// at completion, so any id reserves).
async fn first_chunk(
    c: &reqwest::Client,
    base: &str,
    token: &str,
    sha: &str,
    size: u64,
) -> (u16, String) {
    let chunk = vec![5u8; ATTACHMENT_CHUNK_SIZE.min(size as usize)];
    let r = c
        .put(format!("{base}/v1/attachments/{sha}/chunks/0"))
        .bearer_auth(token)
        .header("x-chunk-sha256", hex::encode(Sha256::digest(&chunk)))
        .header("x-attachment-size", size.to_string())
        .body(chunk)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let code = if status == 204 {
        String::new()
    } else {
        r.json::<ErrorBody>().await.unwrap().code
    };
    (status, code)
}

fn file_id(n: usize) -> String {
    hex::encode(Sha256::digest(format!("file {n}")))
}

/// Bytes the server holds for `token` (sizes of every attachment it knows).
async fn held(c: &reqwest::Client, base: &str, token: &str, ids: &[String]) -> u64 {
    let mut total = 0;
    for id in ids {
        let r = c
            .get(format!("{base}/v1/attachments/{id}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            total += r.json::<serde_json::Value>().await.unwrap()["size"]
                .as_u64()
                .unwrap();
        }
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_uploads_cannot_exceed_the_participant_quota() {
    // The default quota (200 MiB) and files at the 5 MiB cap: 40 fit. 80 uploads
    // start at once; each reserves its whole size with its first chunk.
    let s = server(wide()).await;
    let c = client();
    let token = common::enroll(&c, &s, "dev-race").await.token;
    let base = s.base_url();
    let quota = Limits::default().participant_documents;
    let size = rantau_server::http::attachments::MAX_FILE_BYTES;
    let ids: Vec<String> = (0..80).map(file_id).collect();
    let tasks: Vec<_> = ids
        .iter()
        .map(|id| {
            let (c, base, token, id) = (c.clone(), base.clone(), token.clone(), id.clone());
            tokio::spawn(async move { first_chunk(&c, &base, &token, &id, size).await })
        })
        .collect();
    let mut stored = 0;
    for t in tasks {
        match t.await.unwrap() {
            (204, _) => stored += 1,
            (413, code) => assert_eq!(code, "attachment.quota_exceeded"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(stored, quota / size, "exactly as many as fit");
    let total = held(&c, &base, &token, &ids).await;
    assert!(total <= quota, "{total} bytes held, quota {quota}");
}

#[tokio::test]
async fn the_server_wide_documents_quota_refuses_over_it() {
    let size = 2 * ATTACHMENT_CHUNK_SIZE as u64;
    let s = server(Limits {
        documents_total: 3 * size,
        ..wide()
    })
    .await;
    let c = client();
    let base = s.base_url();
    let a = common::enroll(&c, &s, "dev-full-a").await.token;
    let b = common::enroll(&c, &s, "dev-full-b").await.token;
    assert_eq!(first_chunk(&c, &base, &a, &file_id(1), size).await.0, 204);
    assert_eq!(first_chunk(&c, &base, &a, &file_id(2), size).await.0, 204);
    assert_eq!(first_chunk(&c, &base, &b, &file_id(3), size).await.0, 204);
    // Each device is far below its own quota; the server is full.
    let r = c
        .put(format!("{base}/v1/attachments/{}/chunks/0", file_id(4)))
        .bearer_auth(&b)
        .header("accept-language", "en")
        .header(
            "x-chunk-sha256",
            hex::encode(Sha256::digest(vec![5u8; ATTACHMENT_CHUNK_SIZE])),
        )
        .header("x-attachment-size", size.to_string())
        .body(vec![5u8; ATTACHMENT_CHUNK_SIZE])
        .send()
        .await
        .unwrap();
    let (status, retry, body) = error(r).await;
    assert_eq!((status, body.code.as_str()), (507, "storage.full"));
    assert!(retry.is_some());
    assert!(body.message.contains("no room"), "{}", body.message);
    // A chunk of a file already reserved still goes through.
    let chunk = vec![6u8; ATTACHMENT_CHUNK_SIZE];
    let r = c
        .put(format!("{base}/v1/attachments/{}/chunks/1", file_id(3)))
        .bearer_auth(&b)
        .header("x-chunk-sha256", hex::encode(Sha256::digest(&chunk)))
        .header("x-attachment-size", size.to_string())
        .body(chunk)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let ids: Vec<String> = (1..=4).map(file_id).collect();
    let total = held(&c, &base, &a, &ids).await + held(&c, &base, &b, &ids).await;
    assert_eq!(total, 3 * size);
}

/// Sends one request on a raw connection and reads its answer's head; the
/// connection stays open (kept alive).
async fn open_kept_alive(s: &RunningServer) -> TcpStream {
    let mut stream = TcpStream::connect(s.addr).await.unwrap();
    stream
        .write_all(b"GET /v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
        .await
        .expect("the first connection is served")
        .unwrap();
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 200"),
        "{:?}",
        &buf[..n.min(40)]
    );
    stream
}

#[tokio::test]
async fn connections_over_the_cap_wait_until_one_ends() {
    let s = server(Limits {
        max_connections: 2,
        ..wide()
    })
    .await;
    let first = open_kept_alive(&s).await;
    let second = open_kept_alive(&s).await;
    // A third client connects (the kernel queues it) but is not served...
    let c = client();
    let url = format!("{}/v1/forms", s.base_url());
    let third = tokio::spawn(async move { c.get(url).send().await.map(|r| r.status().as_u16()) });
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(!third.is_finished(), "served past the cap");
    // ...until a connection ends.
    drop(first);
    let status = tokio::time::timeout(Duration::from_secs(10), third)
        .await
        .expect("served once a connection ended")
        .unwrap()
        .unwrap();
    assert_eq!(status, 200);
    drop(second);
}
