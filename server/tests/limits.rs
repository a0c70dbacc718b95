//! Rate limits and slow clients against a real server on loopback: per-device,
//! per-address and officer buckets (429 `request.rate_limited` with `Retry-After`,
//! in the asked language), the defaults never biting a real phone's sync, and raw
//! TCP clients that trickle headers or bodies (cut, or 408 `request.timeout`).
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use rantau_core::protocol::wire::ErrorBody;
use rantau_server::{Limits, Rate, RunningServer, ServerConfig};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod common;
use common::client;

const ADMIN: &str = "limits-admin";
const WIDE: Rate = Rate {
    burst: 1_000_000,
    per_second: 1_000_000.0,
};
/// A bucket that does not refill within a test (Retry-After would be ~1000 s).
const fn tight(burst: u32) -> Rate {
    Rate {
        burst,
        per_second: 0.001,
    }
}

async fn server(limits: Limits) -> common::backend::TestServer {
    common::backend::server(ServerConfig {
        limits,
        ..ServerConfig::ephemeral(ADMIN)
    })
    .await
}

fn wide() -> Limits {
    Limits {
        device: WIDE,
        address: WIDE,
        officer: WIDE,
        ..Limits::default()
    }
}

/// Enrolls `device` and returns its token.
async fn enroll(c: &reqwest::Client, s: &RunningServer, device: &str) -> String {
    common::enroll(c, s, device).await.token
}

async fn changes(c: &reqwest::Client, s: &RunningServer, token: &str) -> reqwest::Response {
    c.get(format!("{}/v1/changes", s.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// Asserts a 429 `request.rate_limited` and returns (Retry-After, message).
async fn limited(r: reqwest::Response) -> (u64, String) {
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body: ErrorBody = r.json().await.unwrap();
    assert_eq!(body.code, "request.rate_limited");
    (retry, body.message)
}

#[tokio::test]
async fn a_device_over_its_bucket_gets_429_and_other_buckets_are_untouched() {
    let s = server(Limits {
        device: tight(5),
        ..wide()
    })
    .await;
    let c = client();
    let a_first = common::enroll(&c, &s, "dev-a").await;
    let (a, b) = (a_first.token.clone(), enroll(&c, &s, "dev-b").await);
    for _ in 0..5 {
        assert_eq!(changes(&c, &s, &a).await.status(), 200);
    }
    let (retry, message) = limited(changes(&c, &s, &a).await).await;
    assert!(retry >= 900, "{retry}");
    assert!(
        message.contains("Terlalu banyak"),
        "Indonesian by default: {message}"
    );
    let en = c
        .get(format!("{}/v1/changes", s.base_url()))
        .bearer_auth(&a)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let (_, message) = limited(en).await;
    assert!(message.contains("Too many requests"), "{message}");
    // Every route of the device shares its bucket, and the body is not even read.
    let r = c
        .post(format!("{}/v1/submissions/batch", s.base_url()))
        .bearer_auth(&a)
        .body("not json")
        .send()
        .await
        .unwrap();
    limited(r).await;
    // Device b, enrollment and the officers have their own buckets.
    assert_eq!(changes(&c, &s, &b).await.status(), 200);
    enroll(&c, &s, "dev-c").await;
    let r = c
        .get(format!("{}/v1/admin/submissions", s.base_url()))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Re-enrolling gives a new token, and with it a new bucket (enrollment is
    // limited by address, so this cannot be used to escape the limit quickly).
    let a2 = common::enroll_again(&c, &s, "dev-a", &a_first).await.token;
    assert_eq!(changes(&c, &s, &a2).await.status(), 200);
    let st = s.stats();
    assert_eq!((st.rate_limited, st.server_errors), (3, 0), "{st:?}");
}

#[tokio::test]
async fn the_bucket_refills_after_retry_after() {
    // 0.5 per second: two requests in a row always meet the limit, even on a slow machine.
    let s = server(Limits {
        device: Rate {
            burst: 1,
            per_second: 0.5,
        },
        ..wide()
    })
    .await;
    let c = client();
    let a = enroll(&c, &s, "dev-refill").await;
    assert_eq!(changes(&c, &s, &a).await.status(), 200);
    let (retry, _) = limited(changes(&c, &s, &a).await).await;
    assert!((1..=2).contains(&retry), "{retry}");
    // Waiting is the point here: the bucket refills with time.
    tokio::time::sleep(Duration::from_secs(retry) + Duration::from_millis(100)).await;
    assert_eq!(changes(&c, &s, &a).await.status(), 200);
}

#[tokio::test]
async fn unauthenticated_routes_and_failed_tokens_share_the_address_bucket() {
    let s = server(Limits {
        address: tight(4),
        ..wide()
    })
    .await;
    let c = client();
    let token = enroll(&c, &s, "dev-addr").await; // 1
    let forms = c
        .get(format!("{}/v1/forms", s.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(forms.status(), 200); // 2
    let bad = |t: &'static str| {
        c.get(format!("{}/v1/changes", s.base_url()))
            .bearer_auth(t)
            .send()
    };
    assert_eq!(bad("guess-1").await.unwrap().status(), 401); // 3
    let no_token = c
        .get(format!("{}/v1/admin/submissions", s.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 401); // 4
                                        // The address is used up: guessing and enrolling both wait now.
    limited(bad("guess-2").await.unwrap()).await;
    let r = c
        .post(format!("{}/v1/devices", s.base_url()))
        .json(&json!({"device_id": "dev-addr-2"}))
        .send()
        .await
        .unwrap();
    limited(r).await;
    let r = c
        .get(format!("{}/v1/openapi.json", s.base_url()))
        .send()
        .await
        .unwrap();
    limited(r).await;
    // A good device token and the officer are not counted against the address.
    assert_eq!(changes(&c, &s, &token).await.status(), 200);
    let r = c
        .get(format!("{}/v1/admin/submissions", s.base_url()))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn the_officers_have_their_own_bucket() {
    let s = server(Limits {
        officer: tight(2),
        ..wide()
    })
    .await;
    let c = client();
    let list = || {
        c.get(format!("{}/v1/admin/submissions", s.base_url()))
            .bearer_auth(ADMIN)
            .send()
    };
    assert_eq!(list().await.unwrap().status(), 200);
    assert_eq!(list().await.unwrap().status(), 200);
    limited(list().await.unwrap()).await;
    let token = enroll(&c, &s, "dev-officer").await;
    assert_eq!(changes(&c, &s, &token).await.status(), 200);
}

fn sha(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The heaviest normal sync run the default limits are sized for, as fast as
/// loopback goes: five 5 MiB files in 16 KiB chunks (status, chunks, complete),
/// 200 batch requests and 10 change-feed pages. Not one 429.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_defaults_never_limit_a_full_sync_of_a_real_phone() {
    let start = Instant::now();
    let s = server(Limits::default()).await;
    let c = client();
    let token = enroll(&c, &s, "dev-heavy").await;
    let base = s.base_url();
    for f in 0..5u8 {
        let file: Vec<u8> = (0..5 * 1024 * 1024u32)
            .map(|n| (n % 251) as u8 ^ f)
            .collect();
        let id = sha(&file);
        let r = c
            .get(format!("{base}/v1/attachments/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        for (idx, chunk) in file.chunks(16 * 1024).enumerate() {
            let r = c
                .put(format!("{base}/v1/attachments/{id}/chunks/{idx}"))
                .bearer_auth(&token)
                .header("content-type", "application/octet-stream")
                .header("x-chunk-sha256", sha(chunk))
                .header("x-attachment-size", file.len().to_string())
                .body(chunk.to_vec())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 204, "file {f} chunk {idx}");
        }
        let r = c
            .post(format!("{base}/v1/attachments/{id}/complete"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let consultation = rantau_core::forms::samples::sample_consultation();
    for n in 0..200 {
        let r = c
            .post(format!("{base}/v1/submissions/batch"))
            .bearer_auth(&token)
            .json(&json!({"items": [{"id": format!("heavy-{n}"), "form_id": "consultation", "form_version": 1,
                "created_at": "2026-01-01T00:00:00Z", "payload": consultation}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "batch {n}");
    }
    for _ in 0..10 {
        assert_eq!(changes(&c, &s, &token).await.status(), 200);
    }
    let st = s.stats();
    assert_eq!((st.rate_limited, st.server_errors), (0, 0), "{st:?}");
    assert_eq!(st.requests, 1 + 5 * 322 + 200 + 10);
    report(st.requests, start);
}

#[allow(clippy::print_stdout)]
fn report(requests: u64, start: Instant) {
    println!(
        "full sync under default limits: {requests} requests in {:.1} s, none limited",
        start.elapsed().as_secs_f64()
    );
}

// ---- slow clients ----

fn slow_limits() -> Limits {
    Limits {
        header_timeout: Duration::from_millis(600),
        request_timeout: Duration::from_millis(1_200),
        ..wide()
    }
}

/// Reads until the server closes; returns what came and how long it took.
async fn read_to_close(stream: &mut TcpStream, start: Instant) -> (Vec<u8>, Duration) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => panic!("the server kept a slow connection open for 20 s"),
        }
    }
    (out, start.elapsed())
}

/// Sends `bytes` one every 100 ms in the background (never finishing the request)
/// and reads until the server closes; returns what came and how long it took.
async fn trickle_until_closed(
    stream: TcpStream,
    start: Instant,
    bytes: Vec<u8>,
) -> (Vec<u8>, Duration) {
    let (mut rd, mut wr) = stream.into_split();
    let trickle = tokio::spawn(async move {
        for b in bytes {
            if wr.write_all(&[b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), rd.read_to_end(&mut buf)).await;
    let took = start.elapsed();
    trickle.abort();
    assert!(read.is_ok(), "still open after 20 s");
    (buf, took)
}

#[tokio::test]
async fn trickled_headers_are_cut_at_the_header_deadline() {
    let s = server(slow_limits()).await;
    let mut stream = TcpStream::connect(s.addr).await.unwrap();
    let start = Instant::now();
    stream
        .write_all(b"POST /v1/devices HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // One header byte every 100 ms, never finishing.
    let header =
        b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let (buf, took) = trickle_until_closed(
        stream,
        start,
        header.iter().copied().cycle().take(400).collect(),
    )
    .await;
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_secs(10),
        "{took:?}"
    );
    // Cut without an answer: there was no request to answer.
    assert!(buf.is_empty(), "{}", String::from_utf8_lossy(&buf));
}

#[tokio::test]
async fn a_trickled_body_gets_408_with_a_json_code() {
    let s = server(slow_limits()).await;
    let mut stream = TcpStream::connect(s.addr).await.unwrap();
    let start = Instant::now();
    stream
        .write_all(
            b"POST /v1/devices HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Accept-Language: en\r\nContent-Length: 1000\r\n\r\n{\"device_id\":",
        )
        .await
        .unwrap();
    // One body byte (a space) every 100 ms, never reaching the announced length.
    let (buf, took) = trickle_until_closed(stream, start, vec![b' '; 400]).await;
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    let body = text.split("\r\n\r\n").nth(1).unwrap();
    let err: ErrorBody = serde_json::from_str(body).unwrap();
    assert_eq!(err.code, "request.timeout");
    assert!(err.message.contains("too long"), "{}", err.message);
    assert!(
        took >= Duration::from_millis(1_100) && took < Duration::from_secs(10),
        "{took:?}"
    );
    assert_eq!(s.stats().timed_out, 1);
}

#[tokio::test]
async fn idle_kept_alive_connections_are_closed_and_slow_but_honest_clients_pass() {
    let s = server(slow_limits()).await;
    let mut stream = TcpStream::connect(s.addr).await.unwrap();
    // A body sent in three pieces over 400 ms: well within the 1.2 s deadline.
    let body = br#"{"device_id":"slow-but-honest"}"#;
    stream
        .write_all(
            format!(
                "POST /v1/devices HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    for piece in body.chunks(12) {
        tokio::time::sleep(Duration::from_millis(130)).await;
        stream.write_all(piece).await.unwrap();
    }
    let mut head = vec![0u8; 4096];
    let n = stream.read(&mut head).await.unwrap();
    assert!(
        head[..n].starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&head[..n])
    );
    // Then the connection idles: closed at the header deadline, not kept forever.
    let start = Instant::now();
    let (rest, took) = read_to_close(&mut stream, start).await;
    assert!(rest.len() < 4096, "nothing more was asked");
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_secs(10),
        "{took:?}"
    );
}

// ---- refused bodies ----

/// Sends `head` and then `body_len` bytes of body (chunked when `chunked`) in
/// the background while reading the answer to its end; returns the answer and
/// whether the whole body could be written.
async fn send_refused(
    s: &RunningServer,
    head: String,
    body_len: usize,
    chunked: bool,
) -> (String, std::io::Result<()>) {
    let stream = TcpStream::connect(s.addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let writer = tokio::spawn(async move {
        wr.write_all(head.as_bytes()).await?;
        let piece = vec![b' '; 64 << 10];
        let mut left = body_len;
        while left > 0 {
            let n = left.min(piece.len());
            if chunked {
                wr.write_all(format!("{n:x}\r\n").as_bytes()).await?;
            }
            wr.write_all(&piece[..n]).await?;
            if chunked {
                wr.write_all(b"\r\n").await?;
            }
            left -= n;
        }
        if chunked {
            wr.write_all(b"0\r\n\r\n").await?;
        }
        wr.flush().await
    });
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), rd.read_to_end(&mut answer))
        .await
        .expect("the answer did not end within 20 s");
    let written = writer.await.unwrap();
    read.unwrap_or_else(|e| panic!("the answer was lost: {e}"));
    (String::from_utf8_lossy(&answer).into_owned(), written)
}

/// A request refused before its body is read (no token; a declared length over
/// the limit) still gets its answer while the client is sending the body: the
/// server reads and drops the rest before closing instead of resetting the
/// connection (the gate saw reqwest lose such answers as "error sending
/// request"). 12 MiB is more than the kernel's socket buffers hold, so without
/// the lingering close the client's writes meet the reset every time.
#[tokio::test]
async fn a_refused_requests_answer_arrives_while_its_body_is_still_being_sent() {
    let s = server(wide()).await;
    let body = 12 << 20;
    let cases = [
        (
            "no token, chunked body",
            "POST /v1/submissions/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Accept-Language: en\r\nTransfer-Encoding: chunked\r\n\r\n"
                .to_string(),
            true,
            "HTTP/1.1 401",
            "auth.missing_token",
        ),
        (
            "declared length over the limit",
            format!(
                "POST /v1/devices HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                 Accept-Language: en\r\nContent-Length: {body}\r\n\r\n"
            ),
            false,
            "HTTP/1.1 413",
            "body.too_large",
        ),
    ];
    for (name, head, chunked, status, code) in cases {
        for round in 0..3 {
            let (answer, written) = send_refused(&s, head.clone(), body, chunked).await;
            assert!(answer.starts_with(status), "{name} #{round}: {answer}");
            let json = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
            let err: ErrorBody = serde_json::from_str(json)
                .unwrap_or_else(|e| panic!("{name} #{round}: {e}: {answer}"));
            assert_eq!(err.code, code, "{name} #{round}");
            assert!(
                answer
                    .to_ascii_lowercase()
                    .contains("\r\nconnection: close\r\n"),
                "{name} #{round}: {answer}"
            );
            written.unwrap_or_else(|e| panic!("{name} #{round}: the body met a reset: {e}"));
        }
    }
}

/// The head of an answer to a request whose small body was refused unread says
/// `Connection: close` (hyper closes such a connection after the answer; a head
/// that promised keep-alive let a client reuse it in that moment and lose the next
/// request: reqwest's `IncompleteMessage`, seen in the gate); one whose body was
/// read keeps the connection.
#[tokio::test]
async fn an_answer_whose_body_was_left_unread_says_close() {
    let s = server(wide()).await;
    let (unread, written) = send_refused(
        &s,
        "POST /v1/submissions/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n"
            .to_string(),
        100,
        false,
    )
    .await;
    written.unwrap();
    assert!(unread.starts_with("HTTP/1.1 401"), "{unread}");
    assert!(
        unread
            .to_ascii_lowercase()
            .contains("\r\nconnection: close\r\n"),
        "{unread}"
    );
    // A body read to its end (malformed JSON: read, then refused) keeps it.
    let c = client();
    let r = c
        .post(format!("{}/v1/devices", s.base_url()))
        .header("content-type", "application/json")
        .body(vec![b' '; 100])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.headers().get("connection").is_none(), "{:?}", r.headers());
}
