//! End-to-end tests of the v1 API: a real server on 127.0.0.1 port 0 and a real
//! HTTP client.
// Test helpers outside #[test] fns: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::io::Write;

use rantau_core::protocol::wire::{
    BatchResponse, ChangesResponse, ErrorBody, EventKind, ItemOutcome,
};
use rantau_server::{spawn, DbLocation, RunningServer, ServerConfig};
use serde_json::{json, Value};

mod common;
use common::client;
use common::enroll;

const ADMIN: &str = "admin-secret";

/// A server on the backend the run asks for (see `common::backend`).
async fn server() -> common::backend::TestServer {
    common::backend::server(ServerConfig::ephemeral(ADMIN)).await
}

fn item(id: &str, form: &str, payload: Value) -> Value {
    json!({"id": id, "form_id": form, "form_version": 1, "created_at": "2026-01-01T00:00:00Z", "payload": payload})
}

fn registration() -> Value {
    registration_of(0)
}

/// The registration of sample person `n`: a NIK is registered once per
/// placement, so a test registering several times names several people.
fn registration_of(n: u32) -> Value {
    let mut answers = rantau_core::forms::samples::sample_registration_of(n);
    answers.insert("departure_date".into(), json!("2025-07-05"));
    Value::Object(answers)
}

fn consultation(subject: &str) -> Value {
    let mut answers = rantau_core::forms::samples::sample_consultation();
    answers.insert("subject".into(), json!(subject));
    Value::Object(answers)
}

async fn batch(
    c: &reqwest::Client,
    s: &RunningServer,
    token: &str,
    items: Vec<Value>,
) -> Vec<ItemOutcome> {
    let r = c
        .post(format!("{}/v1/submissions/batch", s.base_url()))
        .bearer_auth(token)
        .json(&json!({"items": items}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: BatchResponse = r.json().await.unwrap();
    body.results.into_iter().map(|r| r.outcome).collect()
}

async fn changes(
    c: &reqwest::Client,
    s: &RunningServer,
    token: &str,
    cursor: &str,
    limit: u32,
) -> ChangesResponse {
    let r = c
        .get(format!(
            "{}/v1/changes?cursor={cursor}&limit={limit}",
            s.base_url()
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn error_of(r: reqwest::Response) -> (u16, String) {
    let status = r.status().as_u16();
    let body: ErrorBody = r.json().await.unwrap();
    (status, body.code)
}

#[tokio::test]
async fn enroll_batch_duplicate_conflict_and_changes() {
    let s = server().await;
    let c = client();
    let dev = enroll(&c, &s, "device-1").await;
    let out = batch(
        &c,
        &s,
        &dev.token,
        vec![
            item("r1", "pmi-registration", registration()),
            item("k1", "consultation", consultation("hi")),
        ],
    )
    .await;
    let ItemOutcome::Accepted { reference: reg_ref } = &out[0] else {
        panic!("{out:?}")
    };
    let ItemOutcome::Accepted {
        reference: kons_ref,
    } = &out[1]
    else {
        panic!("{out:?}")
    };
    assert!(kons_ref.starts_with("KONS-"));

    // Retry of the same batch: the first references again.
    let again = batch(
        &c,
        &s,
        &dev.token,
        vec![
            item("r1", "pmi-registration", registration()),
            item("k1", "consultation", consultation("hi")),
        ],
    )
    .await;
    assert_eq!(
        again,
        vec![
            ItemOutcome::Duplicate {
                reference: reg_ref.clone()
            },
            ItemOutcome::Duplicate {
                reference: kons_ref.clone()
            }
        ]
    );
    // Same id, other content: conflict, never an overwrite.
    let conflict = batch(
        &c,
        &s,
        &dev.token,
        vec![item("k1", "consultation", consultation("changed"))],
    )
    .await;
    assert_eq!(
        conflict,
        vec![ItemOutcome::Conflict {
            code: "submission.conflict".into()
        }]
    );

    let feed = changes(&c, &s, &dev.token, "", 100).await;
    assert_eq!(feed.events.len(), 1, "one registration decided, no doubles");
    let EventKind::RegistrationDecided {
        submission_id,
        reference,
        kpj,
        payment_code,
        amount_due,
        pay_before,
    } = &feed.events[0].kind
    else {
        panic!()
    };
    assert_eq!(submission_id, "r1");
    assert_eq!(reference, reg_ref);
    assert_eq!((kpj.len(), payment_code.len()), (11, 11));
    assert_ne!(kpj, payment_code);
    assert_eq!(*amount_due, 470_000, "24 months P3MI + first JHT month");
    let expected = (chrono::Utc::now().date_naive() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(pay_before, &expected);
    assert!(!feed.has_more);
    let after = changes(&c, &s, &dev.token, &feed.next_cursor, 100).await;
    assert!(after.events.is_empty());
    assert_eq!(after.next_cursor, feed.next_cursor);
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn rejected_registration_is_localized_and_answered_the_same_again() {
    let s = server().await;
    let c = client();
    let dev = enroll(&c, &s, "device-lang").await;
    let url = format!("{}/v1/submissions/batch", s.base_url());
    let mut broken = rantau_core::forms::samples::sample_registration();
    broken.remove("full_name");
    let bad = json!({"items": [item("bad1", "pmi-registration", Value::Object(broken))]});
    let send = |lang: &'static str| {
        c.post(&url)
            .bearer_auth(&dev.token)
            .header("Accept-Language", lang)
            .json(&bad)
            .send()
    };
    let en: BatchResponse = send("en").await.unwrap().json().await.unwrap();
    let ItemOutcome::Rejected { issues } = &en.results[0].outcome else {
        panic!()
    };
    assert!(
        issues.iter().any(|i| i.path == "full_name"
            && i.code == "field.required"
            && i.message.contains("required")),
        "{issues:?}"
    );
    // The answer is kept: the same rejection again (even when asked in another language).
    let id: BatchResponse = send("id").await.unwrap().json().await.unwrap();
    assert_eq!(id.results, en.results);
    let other = enroll(&c, &s, "device-lang-2").await;
    let fresh = json!({"items": [item("bad2", "pmi-registration", json!({"full_name": ""}))]});
    let r: BatchResponse = c
        .post(&url)
        .bearer_auth(&other.token)
        .json(&fresh)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ItemOutcome::Rejected { issues } = &r.results[0].outcome else {
        panic!()
    };
    assert!(
        issues.iter().any(|i| i.message.contains("Wajib")),
        "Indonesian by default: {issues:?}"
    );
}

#[tokio::test]
async fn devices_are_isolated() {
    let s = server().await;
    let c = client();
    let a = enroll(&c, &s, "device-a").await;
    let b = enroll(&c, &s, "device-b").await;
    assert_ne!(a.participant_id, b.participant_id);
    batch(
        &c,
        &s,
        &a.token,
        vec![item("a-reg", "pmi-registration", registration())],
    )
    .await;
    assert_eq!(changes(&c, &s, &a.token, "", 100).await.events.len(), 1);
    assert!(changes(&c, &s, &b.token, "", 100).await.events.is_empty());
    // b cannot take over a's id, even with the same content.
    let stolen = batch(
        &c,
        &s,
        &b.token,
        vec![item("a-reg", "pmi-registration", registration())],
    )
    .await;
    assert_eq!(
        stolen,
        vec![ItemOutcome::Conflict {
            code: "submission.conflict".into()
        }]
    );
    assert!(changes(&c, &s, &b.token, "", 100).await.events.is_empty());
    // Re-enrolling device a with its secret (lost answer) keeps its participant.
    let a2 = common::enroll_again(&c, &s, "device-a", &a).await;
    assert_eq!(a2.participant_id, a.participant_id);
    assert_ne!(a2.token, a.token);
    assert_eq!(changes(&c, &s, &a2.token, "", 100).await.events.len(), 1);
}

#[tokio::test]
async fn bad_requests_get_4xx_with_a_code() {
    let s = server().await;
    let c = client();
    let dev = enroll(&c, &s, "device-bad").await;
    let url = format!("{}/v1/submissions/batch", s.base_url());
    let post = |body: Vec<u8>| {
        c.post(&url)
            .bearer_auth(&dev.token)
            .header("content-type", "application/json")
            .body(body)
    };

    assert_eq!(
        error_of(post(b"{not json".to_vec()).send().await.unwrap()).await,
        (400, "body.malformed_json".into())
    );
    let wrong = br#"{"items":[{"id":"x","form_id":"consultation","form_version":"one","created_at":"","payload":{}}]}"#;
    assert_eq!(
        error_of(post(wrong.to_vec()).send().await.unwrap()).await,
        (422, "body.invalid".into())
    );
    assert_eq!(
        error_of(post(br#"{"items": 5}"#.to_vec()).send().await.unwrap()).await,
        (422, "body.invalid".into())
    );
    let huge = format!(r#"{{"items":[],"pad":"{}"}}"#, "x".repeat(1_100_000));
    assert_eq!(
        error_of(post(huge.into_bytes()).send().await.unwrap()).await,
        (413, "body.too_large".into())
    );
    let many: Vec<Value> = (0..101)
        .map(|n| item(&format!("m{n}"), "consultation", json!({})))
        .collect();
    let r = c
        .post(&url)
        .bearer_auth(&dev.token)
        .json(&json!({"items": many}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await, (413, "batch.too_many_items".into()));

    // A gzip bomb: 8 KiB on the wire, 64 MiB inflated.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..64 {
        enc.write_all(&vec![b' '; 1 << 20]).unwrap();
    }
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 100_000);
    let r = post(bomb)
        .header("content-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await, (413, "body.too_large".into()));
    let r = post(b"garbage".to_vec())
        .header("content-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await, (400, "body.bad_gzip".into()));

    // Auth.
    let r = c
        .post(&url)
        .json(&json!({"items": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await, (401, "auth.missing_token".into()));
    let r = c
        .post(&url)
        .bearer_auth("nope")
        .json(&json!({"items": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await, (401, "auth.invalid_token".into()));
    let r = c
        .get(format!("{}/v1/changes", s.base_url()))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await, (401, "auth.missing_token".into()));
    let r = c
        .get(format!("{}/v1/admin/submissions", s.base_url()))
        .bearer_auth(&dev.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_of(r).await,
        (401, "auth.invalid_token".into()),
        "a device token is not an officer token"
    );

    let r = c
        .post(format!("{}/v1/admin/consultations/%FF/reply", s.base_url()))
        .bearer_auth(ADMIN)
        .json(&json!({"body": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await, (400, "path.invalid".into()));

    // Query, route, method.
    let r = c
        .get(format!("{}/v1/changes?cursor=abc", s.base_url()))
        .bearer_auth(&dev.token)
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await, (400, "cursor.invalid".into()));
    let r = c
        .get(format!("{}/v1/changes?limit=-3", s.base_url()))
        .bearer_auth(&dev.token)
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await, (400, "query.invalid".into()));
    assert_eq!(
        error_of(
            c.get(format!("{}/v2/nothing", s.base_url()))
                .send()
                .await
                .unwrap()
        )
        .await,
        (404, "route.not_found".into())
    );
    assert_eq!(
        error_of(c.get(&url).send().await.unwrap()).await,
        (405, "route.method_not_allowed".into())
    );
    let r = c
        .post(format!("{}/v1/devices", s.base_url()))
        .json(&json!({"device_id": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await, (422, "body.invalid".into()));

    // The server still works after all that.
    let ok = batch(
        &c,
        &s,
        &dev.token,
        vec![item(
            "ok1",
            "data-update",
            json!({"kpj": "12345678901", "what": ["phone"], "new_phone": "+60123456789"}),
        )],
    )
    .await;
    assert!(
        matches!(&ok[0], ItemOutcome::Accepted { reference } if reference.starts_with("UPD-")),
        "{ok:?}"
    );
}

#[tokio::test]
async fn gzip_requests_and_responses_work() {
    let s = server().await;
    let _ = client();
    // No automatic decompression: this test looks at the bytes on the wire.
    let c = reqwest::Client::builder().no_gzip().build().unwrap();
    let dev = enroll(&c, &s, "device-gz").await;
    let body =
        serde_json::to_vec(&json!({"items": [item("gz1", "consultation", consultation("gzip"))]}))
            .unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&body).unwrap();
    let r = c
        .post(format!("{}/v1/submissions/batch", s.base_url()))
        .bearer_auth(&dev.token)
        .header("content-encoding", "gzip")
        .header("accept-encoding", "gzip")
        .body(enc.finish().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers().get("content-encoding").unwrap(), "gzip");
    let raw = r.bytes().await.unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&raw[..]), &mut text).unwrap();
    let parsed: BatchResponse = serde_json::from_str(&text).unwrap();
    assert!(
        matches!(parsed.results[0].outcome, ItemOutcome::Accepted { .. }),
        "{:?}",
        parsed.results
    );
}

#[tokio::test]
async fn forms_and_reference_answer_304_for_a_matching_etag() {
    let s = server().await;
    let c = client();
    for path in ["/v1/forms", "/v1/reference"] {
        let r = c
            .get(format!("{}{path}", s.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let etag = r
            .headers()
            .get("etag")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(etag.starts_with('"'));
        let _: Value = r.json().await.unwrap();
        let r = c
            .get(format!("{}{path}", s.base_url()))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 304);
        assert!(r.bytes().await.unwrap().is_empty());
        let r = c
            .get(format!("{}{path}", s.base_url()))
            .header("if-none-match", "\"stale\"")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
}

#[tokio::test]
async fn every_route_is_served_and_documented() {
    let s = server().await;
    let c = client();
    let doc: Value = c
        .get(format!("{}/v1/openapi.json", s.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    let mut routed: Vec<(String, String)> = rantau_server::http::routes::route_list()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    documented.sort();
    routed.sort();
    assert_eq!(documented, routed, "openapi.json and the router disagree");
    // And each is really routed: no route.not_found / method_not_allowed.
    for (method, path) in &routed {
        let url = format!(
            "{}{}",
            s.base_url(),
            path.replace("{submission_id}", "x")
                .replace("{sha256}", &"a".repeat(64))
                .replace("{idx}", "0")
        );
        let r = match method.as_str() {
            "get" => c.get(url).send().await.unwrap(),
            "put" => c.put(url).body("x").send().await.unwrap(),
            _ => c.post(url).json(&json!({})).send().await.unwrap(),
        };
        let status = r.status().as_u16();
        assert!(
            status != 404 && status != 405 || {
                let b: ErrorBody = r.json().await.unwrap();
                !b.code.starts_with("route.")
            },
            "{method} {path} is not routed"
        );
    }
    // Every error code is documented, and only those.
    let mut doc_codes: Vec<String> = doc["components"]["schemas"]["ErrorBody"]["properties"]
        ["code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let mut codes: Vec<String> = rantau_server::http::error::CODES
        .iter()
        .map(|(c, _)| c.to_string())
        .collect();
    doc_codes.sort();
    codes.sort();
    assert_eq!(doc_codes, codes);
    // Each operation lists the codes it answers, each with its documented status.
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let listed = op["x-error-codes"].as_array().unwrap();
            assert!(!listed.is_empty(), "{method} {path}");
            for code in listed {
                let code = code.as_str().unwrap();
                let (_, status) = rantau_server::http::error::CODES
                    .iter()
                    .find(|(c, _)| *c == code)
                    .unwrap_or_else(|| panic!("{method} {path}: unknown {code}"));
                assert!(
                    op["responses"].get(status.to_string()).is_some(),
                    "{method} {path}: {code} needs a {status} response"
                );
            }
            // Every rate-limited operation says when to come back (the probes
            // are not rate-limited: a 429 would take a healthy server out).
            if listed.iter().any(|c| c == "request.rate_limited") {
                let retry = &op["responses"]["429"]["headers"]["Retry-After"];
                assert!(
                    retry.is_object(),
                    "{method} {path}: 429 without Retry-After"
                );
            }
        }
    }
    for entry in doc["x-error-codes"].as_array().unwrap() {
        let code = entry["code"].as_str().unwrap();
        let status = entry["status"].as_u64().unwrap() as u16;
        assert!(
            rantau_server::http::error::CODES.contains(&(code, status)),
            "{code}"
        );
    }
}

#[tokio::test]
async fn answers_survive_a_restart_with_a_file_database() {
    let dir = tempfile::tempdir().unwrap();
    let config = ServerConfig {
        db: DbLocation::File(dir.path().join("server.db")),
        ..ServerConfig::ephemeral(ADMIN)
    };
    let c = client();
    let s = spawn(config.clone()).await.unwrap();
    let dev = enroll(&c, &s, "device-restart").await;
    let first = batch(
        &c,
        &s,
        &dev.token,
        vec![
            item("p1", "pmi-registration", registration()),
            item("p2", "consultation", consultation("p2")),
        ],
    )
    .await;
    assert!(
        first
            .iter()
            .all(|o| matches!(o, ItemOutcome::Accepted { .. })),
        "{first:?}"
    );
    let feed = changes(&c, &s, &dev.token, "", 100).await;
    s.shutdown().await.unwrap();

    let s = spawn(config).await.unwrap();
    let again = batch(
        &c,
        &s,
        &dev.token,
        vec![
            item("p1", "pmi-registration", registration()),
            item("p2", "consultation", consultation("p2")),
        ],
    )
    .await;
    let expected: Vec<ItemOutcome> = first
        .into_iter()
        .map(|o| match o {
            ItemOutcome::Accepted { reference } => ItemOutcome::Duplicate { reference },
            other => other,
        })
        .collect();
    assert_eq!(again, expected);
    let conflict = batch(
        &c,
        &s,
        &dev.token,
        vec![item("p2", "consultation", consultation("changed"))],
    )
    .await;
    assert_eq!(
        conflict,
        vec![ItemOutcome::Conflict {
            code: "submission.conflict".into()
        }]
    );
    assert_eq!(
        changes(&c, &s, &dev.token, "", 100).await.events,
        feed.events
    );
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn changes_are_paged_in_order() {
    let s = server().await;
    let c = client();
    let dev = enroll(&c, &s, "device-pages").await;
    let items: Vec<Value> = (0..7)
        .map(|n| item(&format!("reg{n}"), "pmi-registration", registration_of(n)))
        .collect();
    batch(&c, &s, &dev.token, items).await;
    let mut cursor = String::new();
    let mut seen = Vec::new();
    loop {
        let page = changes(&c, &s, &dev.token, &cursor, 3).await;
        assert!(page.events.len() <= 3);
        seen.extend(page.events.iter().map(|e| e.seq));
        cursor = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(seen.len(), 7);
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    let big = c
        .get(format!("{}/v1/changes?limit=100000", s.base_url()))
        .bearer_auth(&dev.token)
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 200, "limits over 500 are clamped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_retries_of_one_submission_store_it_once() {
    let s = server().await;
    let c = client();
    let dev = enroll(&c, &s, "device-race").await;
    let body = json!({"items": [item("race-1", "pmi-registration", registration())]});
    let url = format!("{}/v1/submissions/batch", s.base_url());
    let sends = (0..8).map(|_| {
        let (c, url, token, body) = (c.clone(), url.clone(), dev.token.clone(), body.clone());
        tokio::spawn(async move {
            let r: BatchResponse = c
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r.results.into_iter().next().unwrap().outcome
        })
    });
    let mut outcomes = Vec::new();
    for h in sends.collect::<Vec<_>>() {
        outcomes.push(h.await.unwrap());
    }
    let accepted: Vec<&String> = outcomes
        .iter()
        .filter_map(|o| {
            if let ItemOutcome::Accepted { reference } = o {
                Some(reference)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(accepted.len(), 1, "{outcomes:?}");
    assert!(outcomes.iter().all(|o| match o {
        ItemOutcome::Accepted { reference } | ItemOutcome::Duplicate { reference } =>
            reference == accepted[0],
        _ => false,
    }));
    assert_eq!(
        changes(&c, &s, &dev.token, "", 100).await.events.len(),
        1,
        "one registration decided"
    );
}

/// Sends `head` (and `body`) on a fresh connection and reads the whole answer
/// (the server closes the connection after each of these).
async fn raw(s: &RunningServer, head: &str, body: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        tcp.read_to_end(&mut answer),
    )
    .await
    .unwrap_or_else(|_| panic!("answered at once, not held to the request deadline"))
    .unwrap();
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test]
async fn a_declared_length_over_the_cap_is_413_at_once_and_a_bad_one_is_counted() {
    let s = server().await;
    let c = client();
    let dev = enroll(&c, &s, "device-length").await;
    let before = s.stats();
    // 2 MiB declared, 10 bytes sent: refused from the header, not after 60 s.
    let head = format!(
        "POST /v1/submissions/batch HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\naccept-language: en\r\ncontent-length: 2097152\r\n\r\n",
        dev.token
    );
    let (status, text) = raw(&s, &head, b"{\"items\":").await;
    assert_eq!(status, 413, "{text}");
    let body: ErrorBody = serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body.code, "body.too_large");
    assert!(body.message.contains("1048576 bytes"), "{}", body.message);
    assert!(
        text.to_ascii_lowercase().contains("connection: close"),
        "{text}"
    );
    // Negative and overflowing lengths: hyper answers a bare 400 before the router
    // (see http::serve); the request is still counted like every other one.
    for length in ["-1", "99999999999999999999999"] {
        let head =
            format!("POST /v1/devices HTTP/1.1\r\nhost: x\r\ncontent-length: {length}\r\n\r\n");
        let (status, text) = raw(&s, &head, b"{}").await;
        assert_eq!(status, 400, "{length}: {text}");
    }
    let after = s.stats();
    assert_eq!(after.requests, before.requests + 3, "{before:?} {after:?}");
    assert_eq!(after.server_errors, before.server_errors);
    let metrics = c
        .get(format!("{}/metrics", s.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        r#"rantau_http_requests_total{method="other",route="unparsed",status="400"} 2"#,
        r#"status="413"} 1"#,
    ] {
        assert!(metrics.contains(line), "missing {line}:\n{metrics}");
    }
}

#[tokio::test]
async fn plain_bodies_marked_gzip_empty_limits_and_encoded_chunks_are_coded_4xx() {
    let s = server().await;
    let c = client();
    let dev = enroll(&c, &s, "device-input").await;
    let url = format!("{}/v1/submissions/batch", s.base_url());
    for plain in [&b""[..], br#"{"items":[]}"#] {
        let r = c
            .post(&url)
            .bearer_auth(&dev.token)
            .header("content-type", "application/json")
            .header("content-encoding", "gzip")
            .body(plain.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_of(r).await,
            (400, "body.bad_gzip".into()),
            "{plain:?}"
        );
    }
    for (path, token) in [
        ("/v1/changes", dev.token.as_str()),
        ("/v1/admin/submissions", ADMIN),
    ] {
        for query in ["limit=", "limit=%20", "limit=1.5"] {
            let r = c
                .get(format!("{}{path}?{query}", s.base_url()))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(
                error_of(r).await,
                (400, "query.invalid".into()),
                "{path}?{query}"
            );
        }
        // Absent is still the default page.
        let r = c
            .get(format!("{}{path}", s.base_url()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    // A chunk is hashed as sent: a compressed one is refused before its hash.
    let r = c
        .put(format!(
            "{}/v1/attachments/{}/chunks/0",
            s.base_url(),
            "a".repeat(64)
        ))
        .bearer_auth(&dev.token)
        .header("content-type", "application/octet-stream")
        .header("content-encoding", "gzip")
        .header("x-attachment-size", "3")
        .header("x-chunk-sha256", "b".repeat(64))
        .body("abc")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await, (415, "body.unsupported_encoding".into()));
}

#[tokio::test]
async fn an_item_whose_created_at_is_not_a_time_is_rejected_once_and_for_all() {
    let s = server().await;
    let c = client();
    let dev = enroll(&c, &s, "device-created-at").await;
    let bad = |id: &str, created_at: &str| {
        let mut v = item(id, "consultation", consultation("when"));
        v["created_at"] = json!(created_at);
        v
    };
    let good = item("ca-good", "consultation", consultation("when"));
    // One broken item does not hold the rest of the batch back.
    let outcomes = batch(
        &c,
        &s,
        &dev.token,
        vec![bad("ca-bad", "not a date"), good.clone()],
    )
    .await;
    let ItemOutcome::Rejected { issues } = &outcomes[0] else {
        panic!("{outcomes:?}");
    };
    assert_eq!(issues[0].code, "submission.invalid_created_at");
    assert_eq!(issues[0].path, "created_at");
    let ItemOutcome::Accepted { reference } = &outcomes[1] else {
        panic!("{outcomes:?}");
    };
    // Exactly once: the rejection is answered again for its id, and an accepted id
    // keeps its first answer even when a retry carries a broken created_at.
    let again = batch(
        &c,
        &s,
        &dev.token,
        vec![bad("ca-bad", "not a date"), bad("ca-good", "2026-02-30")],
    )
    .await;
    assert_eq!(again[0], outcomes[0]);
    assert_eq!(
        again[1],
        ItemOutcome::Duplicate {
            reference: reference.clone()
        }
    );
}

#[tokio::test]
async fn the_document_states_the_limits_the_server_enforces() {
    let doc: Value = serde_json::from_str(rantau_server::http::catalog::OPENAPI).unwrap();
    let param = |path: &str, method: &str, name: &str| -> Value {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{method} {path} {name}"))["schema"]
            .clone()
    };
    let max_idx =
        rantau_core::protocol::wire::chunk_count(rantau_server::http::attachments::MAX_FILE_BYTES)
            - 1;
    assert_eq!(
        param("/v1/attachments/{sha256}/chunks/{idx}", "put", "idx")["maximum"],
        max_idx
    );
    assert_eq!(
        param("/v1/changes", "get", "limit")["maximum"],
        rantau_server::http::changes::MAX_LIMIT
    );
    assert_eq!(
        param("/v1/admin/submissions", "get", "limit")["maximum"],
        rantau_server::officer::routes::MAX_PAGE
    );
    // Every cursor the pattern allows parses (18 digits stay under i64::MAX).
    for path in ["/v1/changes", "/v1/admin/submissions"] {
        let cursor = param(path, "get", "cursor");
        assert_eq!(cursor["pattern"], "^[0-9]{0,18}$", "{path}");
    }
    assert!(rantau_server::http::changes::parse_cursor(Some(&"9".repeat(18))).is_some());
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["SubmissionItem"]["properties"]["created_at"]["maxLength"],
        rantau_server::decisions::ingest::MAX_CREATED_AT
    );
    assert_eq!(
        schemas["SubmissionItem"]["properties"]["form_version"]["maximum"],
        u32::MAX
    );
    assert_eq!(
        schemas["BatchRequest"]["properties"]["items"]["maxItems"],
        rantau_server::http::body::MAX_BATCH_ITEMS
    );
    for name in ["PaymentRequest", "ContributionRequest"] {
        assert_eq!(
            schemas[name]["properties"]["amount"]["maximum"],
            u64::MAX,
            "{name}"
        );
    }
    assert_eq!(
        schemas["ContributionRequest"]["properties"]["period"]["pattern"],
        "^[0-9]{4}-(0[1-9]|1[0-2])$"
    );
}
