//! What operators run the server with, end to end on a real server on loopback
//! (on PostgreSQL too with `RANTAU_TEST_SERVER_DB=postgres`): the liveness and
//! readiness probes, and the Prometheus metrics after real traffic (route
//! templates, never raw paths or ids; batch sizes; the pool on PostgreSQL).
// Test helpers outside #[test] fns: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use rantau_core::protocol::wire::{BatchResponse, ErrorBody, ItemOutcome};
use rantau_server::http::health::READY_TTL;
use rantau_server::ServerConfig;
use serde_json::{json, Value};

mod common;
use common::enroll;

async fn server() -> common::backend::TestServer {
    common::backend::server(ServerConfig::ephemeral("ops-admin-token")).await
}

/// A client that opens a connection per request: these tests pause (for the
/// readiness cache, or a busy machine) longer than the server keeps an idle
/// connection, and a reused one could be closed under the request.
fn client() -> reqwest::Client {
    let _ = common::client();
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

fn consultation(id: &str) -> Value {
    let mut answers = rantau_core::forms::samples::sample_consultation();
    answers.insert("subject".into(), json!("Iuran"));
    json!({"id": id, "form_id": "consultation", "form_version": 1,
           "created_at": "2026-01-01T00:00:00Z", "payload": Value::Object(answers)})
}

async fn get(c: &reqwest::Client, url: String) -> (u16, String, String) {
    let r = c.get(url).send().await.unwrap();
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, kind, r.text().await.unwrap())
}

#[tokio::test]
async fn the_probes_answer_and_readiness_follows_the_schema() {
    let s = server().await;
    let c = client();
    let (status, _, body) = get(&c, format!("{}/healthz", s.base_url())).await;
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    let (status, _, body) = get(&c, format!("{}/readyz", s.base_url())).await;
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    // A newer server migrated the shared database: this one must get no traffic.
    if let Some(url) = s.postgres_url() {
        let (db, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        db.batch_execute("UPDATE schema_version SET version = version + 1")
            .await
            .unwrap();
        // Readiness asks the database at most once per READY_TTL.
        tokio::time::sleep(READY_TTL).await;
        let r = c
            .get(format!("{}/readyz", s.base_url()))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 503);
        let err: ErrorBody = r.json().await.unwrap();
        assert_eq!(err.code, "storage.schema_mismatch");
        assert!(err.message.contains("does not match"), "{}", err.message);
        let (status, _, _) = get(&c, format!("{}/healthz", s.base_url())).await;
        assert_eq!(status, 200, "alive all the same");
        db.batch_execute("UPDATE schema_version SET version = version - 1")
            .await
            .unwrap();
        tokio::time::sleep(READY_TTL).await;
        let (status, _, _) = get(&c, format!("{}/readyz", s.base_url())).await;
        assert_eq!(status, 200);
    } else {
        eprintln!("readiness on a changed schema: covered by the unit tests on SQLite");
    }
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn metrics_count_routes_by_template_and_batches_by_size_and_hold_no_ids() {
    let s = server().await;
    let c = client();
    let device = enroll(&c, &s, "ops-metrics-device").await;
    let ids: Vec<String> = (0..3).map(|i| format!("ops-metrics-{i:02}")).collect();
    let r = c
        .post(format!("{}/v1/submissions/batch", s.base_url()))
        .bearer_auth(&device.token)
        .json(&json!({"items": ids.iter().map(|id| consultation(id)).collect::<Vec<_>>()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: BatchResponse = r.json().await.unwrap();
    assert!(body
        .results
        .iter()
        .all(|r| matches!(r.outcome, ItemOutcome::Accepted { .. })));
    // A path with an id in it, and a path that matches no route.
    let sha = "ab".repeat(32);
    let r = c
        .get(format!("{}/v1/attachments/{sha}", s.base_url()))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let (status, _, _) = get(&c, format!("{}/no/such/{}", s.base_url(), ids[0])).await;
    assert_eq!(status, 404);

    let (status, kind, text) = get(&c, format!("{}/metrics", s.base_url())).await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    for line in [
        r#"rantau_http_requests_total{method="POST",route="/v1/devices",status="200"} 1"#,
        r#"rantau_http_requests_total{method="POST",route="/v1/submissions/batch",status="200"} 1"#,
        r#"rantau_http_requests_total{method="GET",route="/v1/attachments/{sha256}",status="404"} 1"#,
        r#"rantau_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
        r#"rantau_http_request_duration_seconds_count{route="/v1/submissions/batch"} 1"#,
        r#"rantau_ingest_batch_submissions_bucket{le="2.0"} 0"#,
        r#"rantau_ingest_batch_submissions_bucket{le="5.0"} 1"#,
        "rantau_ingest_batch_submissions_sum 3.0",
        "rantau_ingest_duration_seconds_count 1",
    ] {
        assert!(text.contains(line), "missing {line}:\n{text}");
    }
    // Nothing personal or secret: no submission id, participant, token or raw path.
    for secret in ids
        .iter()
        .chain([&device.participant_id, &device.token, &sha])
    {
        assert!(!text.contains(secret.as_str()), "{secret} leaked:\n{text}");
    }
    if common::backend::on_postgres() {
        for gauge in [
            "rantau_db_pool_max_connections 16",
            "rantau_db_pool_connections ",
            "rantau_db_pool_idle_connections ",
            "rantau_db_pool_waiting_requests 0",
        ] {
            assert!(text.contains(gauge), "missing {gauge}:\n{text}");
        }
    } else {
        assert!(!text.contains("db_pool"), "SQLite has no pool:\n{text}");
    }
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_probes_are_never_rate_limited_but_metrics_are() {
    let mut config = ServerConfig::ephemeral("ops-admin-token");
    config.limits.address = rantau_server::Rate {
        burst: 2,
        per_second: 0.0,
    };
    let s = common::backend::server(config).await;
    let c = client();
    for _ in 0..10 {
        for probe in ["/healthz", "/readyz"] {
            let (status, _, _) = get(&c, format!("{}{probe}", s.base_url())).await;
            assert_eq!(status, 200, "{probe}");
        }
    }
    let statuses: Vec<u16> = gets(&c, format!("{}/metrics", s.base_url()), 3).await;
    assert_eq!(statuses, [200, 200, 429]);
    s.shutdown().await.unwrap();
}

/// `n` GETs of `url`, one after another: their statuses.
async fn gets(c: &reqwest::Client, url: String, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(get(c, url.clone()).await.0);
    }
    out
}
