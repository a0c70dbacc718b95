//! The server under abuse, driven by `openapi.json`: for every operation it documents,
//! requests without a token, with a bad one, with another device's, with broken bodies,
//! wrong content types, oversized and bomb bodies, bad path and query values, and a
//! few hundred random bodies (proptest). Every error answer must be a 4xx JSON body
//! whose code that operation lists; no 5xx, no panic (the server's counters say so).
//! `ABUSE_SEED` replays a run; `ABUSE_CASES` sets the random cases per operation.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::io::Write;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use rantau_core::protocol::wire::ErrorBody;
use rantau_server::{spawn_blocking, BlockingServer, Limits, Rate, ServerConfig};
use reqwest::blocking::Client;
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

#[allow(dead_code)] // only the backend helper is used here
mod common;

const ADMIN: &str = "abuse-admin-token";
const CHUNK: usize = 16 * 1024;

fn hex_sha(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Percent-encodes everything but unreserved characters, so any string is a path segment.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Limits that never bite: this test is about answers, not rates.
fn no_limits() -> Limits {
    let wide = Rate {
        burst: 1_000_000,
        per_second: 1_000_000.0,
    };
    Limits {
        device: wide,
        address: wide,
        officer: wide,
        ..Limits::default()
    }
}

/// One documented operation.
#[derive(Debug, Clone)]
struct Op {
    method: Method,
    path: String,
    id: String,
    auth: Auth,
    body: BodyKind,
    codes: BTreeSet<String>,
    query: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Auth {
    None,
    Device,
    Officer,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum BodyKind {
    None,
    Json,
    Bytes,
}

fn operations(doc: &Value) -> Vec<Op> {
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let auth = match op["security"].as_array().and_then(|s| s.first()) {
                None => Auth::None,
                Some(s) if s.get("adminAuth").is_some() => Auth::Officer,
                Some(_) => Auth::Device,
            };
            let content = &op["requestBody"]["content"];
            let body = if content.get("application/json").is_some() {
                BodyKind::Json
            } else if content.get("application/octet-stream").is_some() {
                BodyKind::Bytes
            } else {
                BodyKind::None
            };
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            out.push(Op {
                method: method.to_uppercase().parse().unwrap(),
                path: path.clone(),
                id: op["operationId"].as_str().unwrap().to_string(),
                auth,
                body,
                codes: op["x-error-codes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap().to_string())
                    .collect(),
                query: params
                    .iter()
                    .filter(|p| p["in"] == "query")
                    .map(|p| p["name"].as_str().unwrap().to_string())
                    .collect(),
            });
        }
    }
    out
}

/// Every property name in the document's schemas: the vocabulary of random bodies.
fn vocabulary(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Object(props)) = m.get("properties") {
                out.extend(props.keys().cloned());
            }
            m.values().for_each(|x| vocabulary(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| vocabulary(x, out)),
        _ => {}
    }
}

/// A request, before it is sent.
#[derive(Debug, Clone)]
struct Req {
    method: Method,
    /// Path and query, already encoded.
    target: String,
    token: Option<String>,
    headers: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
}

/// An answer.
#[derive(Debug, Clone, PartialEq)]
struct Answer {
    status: u16,
    body: Vec<u8>,
}

struct World {
    server: BlockingServer,
    /// The server's PostgreSQL database on a PostgreSQL run (kept until the end).
    _db: Option<common::backend::ScratchDb>,
    http: Client,
    ops: Vec<Op>,
    vocab: Vec<String>,
    a: String,
    b: String,
    a_file: String,
    a_kons: String,
    a_reg: String,
    a_kpj: String,
    requests: usize,
}

impl World {
    fn send(&mut self, req: &Req) -> Answer {
        self.requests += 1;
        let url = format!("{}{}", self.server.base_url(), req.target);
        let mut b = self.http.request(req.method.clone(), url);
        if let Some(t) = &req.token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in &req.headers {
            b = b.header(*k, v);
        }
        if let Some(body) = &req.body {
            b = b.body(body.clone());
        }
        let r = b.send().unwrap_or_else(|e| {
            let headers: Vec<_> = req
                .headers
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            let len = req.body.as_ref().map_or(0, Vec::len);
            panic!(
                "{} {} {headers:?} ({len} B body): {e:?}",
                req.method, req.target
            )
        });
        let status = r.status().as_u16();
        Answer {
            status,
            body: r.bytes().unwrap().to_vec(),
        }
    }

    /// The token an operation needs.
    fn token(&self, op: &Op) -> Option<String> {
        match op.auth {
            Auth::None => None,
            Auth::Device => Some(self.a.clone()),
            Auth::Officer => Some(ADMIN.to_string()),
        }
    }

    /// A well-formed request for `op` (it may still be refused for its content).
    fn valid(&self, op: &Op) -> Req {
        let sub = if op.id == "rejectRegistration" {
            &self.a_reg
        } else {
            &self.a_kons
        };
        let target = op
            .path
            .replace("{sha256}", &self.a_file)
            .replace("{idx}", "0")
            .replace("{submission_id}", &enc(sub));
        let mut headers = Vec::new();
        let body = match op.body {
            BodyKind::Json => {
                headers.push(("content-type", "application/json".to_string()));
                Some(serde_json::to_vec(&self.valid_json(op)).unwrap())
            }
            BodyKind::Bytes => {
                let chunk = vec![7u8; 100];
                headers.push(("content-type", "application/octet-stream".to_string()));
                headers.push(("x-chunk-sha256", hex_sha(&chunk)));
                headers.push(("x-attachment-size", "100".to_string()));
                Some(chunk)
            }
            BodyKind::None => None,
        };
        Req {
            method: op.method.clone(),
            target,
            token: self.token(op),
            headers,
            body,
        }
    }

    fn valid_json(&self, op: &Op) -> Value {
        match op.id.as_str() {
            "enroll" => json!({"device_id": "abuse-valid", "label": "t"}),
            "submitBatch" => {
                json!({"items": [item("abuse-valid-1", "consultation", consultation())]})
            }
            "recordPayment" => json!({"kpj": self.a_kpj, "amount": 1000, "paid_on": "2026-01-20"}),
            "recordContribution" => {
                json!({"kpj": self.a_kpj, "programme": "jht", "period": "2026-01", "amount": 1000})
            }
            "replyConsultation" => json!({"body": "Jawaban."}),
            "rejectRegistration" => json!({"reason": {"id": "Ditolak.", "en": "Rejected."}}),
            "importPersons" => json!({"csv": "nik,name,birth_date,kpj,start,end\n\
                3515145708950002,Sri Wahyuni,1995-08-17,12345678902,2030-01-01,2031-12-31\n"}),
            "getAttachmentStatuses" => json!({"ids": ["a".repeat(64)]}),
            "linkStart" => {
                json!({"nik": "3515145708950002", "birth_date": "1995-08-17", "channel": "officer"})
            }
            "linkConfirm" => json!({"link_id": "abuse-link", "code": "123456"}),
            "issueLinkCode" => json!({"nik": "3515145708950002"}),
            other => panic!("no valid body for {other}"),
        }
    }

    /// Checks an answer to an abusive request: a 4xx with a code `op` lists (and, if
    /// given, exactly `expect`), or — when `may_succeed` — a 2xx/304.
    fn check(
        &self,
        op: &Op,
        case: &str,
        answer: &Answer,
        expect: Option<&str>,
        may_succeed: bool,
    ) -> Result<(), String> {
        let Answer { status, body } = answer;
        if may_succeed && ((200..300).contains(status) || *status == 304) {
            return Ok(());
        }
        let text = String::from_utf8_lossy(body);
        if !(400..500).contains(status) {
            return Err(format!(
                "{} {} [{case}]: status {status}: {text}",
                op.method, op.path
            ));
        }
        let err: ErrorBody = serde_json::from_slice(body).map_err(|e| {
            format!(
                "{} {} [{case}]: {status} not a JSON error ({e}): {text}",
                op.method, op.path
            )
        })?;
        if !op.codes.contains(&err.code) {
            return Err(format!(
                "{} {} [{case}]: {status} {} is not listed for this operation",
                op.method, op.path, err.code
            ));
        }
        let documented = rantau_server::http::error::CODES
            .iter()
            .find(|(c, _)| *c == err.code)
            .map(|(_, s)| *s);
        if documented != Some(*status) {
            return Err(format!(
                "{} {} [{case}]: {} came with {status}, documented {documented:?}",
                op.method, op.path, err.code
            ));
        }
        if let Some(code) = expect {
            if err.code != code {
                return Err(format!(
                    "{} {} [{case}]: {} instead of {code}",
                    op.method, op.path, err.code
                ));
            }
        }
        Ok(())
    }
}

fn item(id: &str, form: &str, payload: Value) -> Value {
    json!({"id": id, "form_id": form, "form_version": 1, "created_at": "2026-01-01T00:00:00Z", "payload": payload})
}

fn consultation() -> Value {
    Value::Object(rantau_core::forms::samples::sample_consultation())
}

fn registration() -> Value {
    let mut answers = rantau_core::forms::samples::sample_registration();
    answers.insert("departure_date".into(), json!("2025-07-05"));
    Value::Object(answers)
}

/// A server with two devices; device a holds a consultation, a registration (with
/// its KPJ), a complete file and a half-uploaded one.
fn world() -> World {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (config, db) = common::backend::blocking_config(ServerConfig {
        limits: no_limits(),
        ..ServerConfig::ephemeral(ADMIN)
    });
    let server = spawn_blocking(config).unwrap();
    let http = Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let base = server.base_url();
    let enroll = |name: &str| -> String {
        let r: Value = http
            .post(format!("{base}/v1/devices"))
            .json(&json!({"device_id": name}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        r["token"].as_str().unwrap().to_string()
    };
    let (a, b) = (enroll("abuse-a"), enroll("abuse-b"));
    let r: Value = http
        .post(format!("{base}/v1/submissions/batch"))
        .bearer_auth(&a)
        .json(&json!({"items": [item("a-kons", "consultation", consultation()), item("a-reg", "pmi-registration", registration())]}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["status"] == "accepted"),
        "{r}"
    );
    let feed: Value = http
        .get(format!("{base}/v1/changes"))
        .bearer_auth(&a)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let a_kpj = feed["events"][0]["kpj"].as_str().unwrap().to_string();
    let put = |file: &[u8], idx: usize| {
        let chunk = &file[idx * CHUNK..((idx + 1) * CHUNK).min(file.len())];
        let r = http
            .put(format!(
                "{base}/v1/attachments/{}/chunks/{idx}",
                hex_sha(file)
            ))
            .bearer_auth(&a)
            .header("content-type", "application/octet-stream")
            .header("x-chunk-sha256", hex_sha(chunk))
            .header("x-attachment-size", file.len().to_string())
            .body(chunk.to_vec())
            .send()
            .unwrap();
        assert_eq!(r.status(), 204);
    };
    let whole: Vec<u8> = (0..5000u32).map(|n| (n % 251) as u8).collect();
    put(&whole, 0);
    let r = http
        .post(format!(
            "{base}/v1/attachments/{}/complete",
            hex_sha(&whole)
        ))
        .bearer_auth(&a)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let half: Vec<u8> = (0..CHUNK as u32 + 10).map(|n| (n % 13) as u8).collect();
    put(&half, 0);
    let doc: Value = serde_json::from_str(rantau_server::http::catalog::OPENAPI).unwrap();
    let mut vocab = BTreeSet::new();
    vocabulary(&doc["components"], &mut vocab);
    World {
        _db: db,
        ops: operations(&doc),
        vocab: vocab.into_iter().collect(),
        server,
        http,
        a,
        b,
        a_file: hex_sha(&whole),
        a_kons: "a-kons".into(),
        a_reg: "a-reg".into(),
        a_kpj,
        requests: 0,
    }
}

/// The fixed abusive requests of one operation, each with the code it must get
/// (`None`: any code the operation lists).
fn fixed_cases(w: &World, op: &Op) -> Vec<(String, Req, Option<&'static str>)> {
    let valid = w.valid(op);
    let mut cases = Vec::new();
    let mut add = |name: &str, req: Req, code: Option<&'static str>| {
        cases.push((name.to_string(), req, code));
    };
    if op.auth != Auth::None {
        add(
            "no token",
            Req {
                token: None,
                ..valid.clone()
            },
            Some("auth.missing_token"),
        );
        add(
            "bad token",
            Req {
                token: Some("0".repeat(64)),
                ..valid.clone()
            },
            Some("auth.invalid_token"),
        );
        let mut basic = valid.clone();
        basic.token = None;
        basic.headers.push(("authorization", "Basic YTpi".into()));
        add("basic auth", basic, Some("auth.missing_token"));
        let mut empty = valid.clone();
        empty.token = None;
        empty.headers.push(("authorization", "Bearer    ".into()));
        add("empty bearer", empty, Some("auth.missing_token"));
    }
    if op.auth == Auth::Officer {
        add(
            "device token on an officer route",
            Req {
                token: Some(w.a.clone()),
                ..valid.clone()
            },
            Some("auth.invalid_token"),
        );
    }
    let with_body = |body: Vec<u8>, extra: &[(&'static str, &str)]| {
        let mut r = valid.clone();
        r.body = Some(body);
        for (k, v) in extra {
            r.headers.retain(|(h, _)| h != k);
            r.headers.push((*k, v.to_string()));
        }
        r
    };
    match op.body {
        BodyKind::Json => {
            let good = valid.body.clone().unwrap();
            add(
                "malformed json",
                with_body(b"{\"items\": [".to_vec(), &[]),
                Some("body.malformed_json"),
            );
            add(
                "empty body",
                with_body(Vec::new(), &[]),
                Some("body.malformed_json"),
            );
            add(
                "wrong shape",
                with_body(b"[1, 2, 3]".to_vec(), &[]),
                Some("body.invalid"),
            );
            add(
                "deep nesting",
                with_body(
                    format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
                    &[],
                ),
                None,
            );
            add(
                "text/plain",
                with_body(good.clone(), &[("content-type", "text/plain")]),
                Some("body.wrong_content_type"),
            );
            add(
                "form urlencoded",
                with_body(
                    b"a=1".to_vec(),
                    &[("content-type", "application/x-www-form-urlencoded")],
                ),
                Some("body.wrong_content_type"),
            );
            add(
                "over the limit",
                with_body(vec![b' '; (1 << 20) + 1], &[]),
                Some("body.too_large"),
            );
            add(
                "gzip bomb",
                with_body(gzip(&vec![b' '; 64 << 20]), &[("content-encoding", "gzip")]),
                Some("body.too_large"),
            );
            add(
                "bad gzip",
                with_body(b"not gzip".to_vec(), &[("content-encoding", "gzip")]),
                Some("body.bad_gzip"),
            );
            add(
                "brotli",
                with_body(good.clone(), &[("content-encoding", "br")]),
                Some("body.unsupported_encoding"),
            );
            add(
                "invalid utf-8",
                with_body(b"{\"device_id\": \"\xff\xfe\"}".to_vec(), &[]),
                None,
            );
        }
        BodyKind::Bytes => {
            add(
                "json content type",
                with_body(
                    valid.body.clone().unwrap(),
                    &[("content-type", "application/json")],
                ),
                Some("body.wrong_content_type"),
            );
            let big = vec![1u8; CHUNK + 1];
            let sha = hex_sha(&big);
            add(
                "chunk over the limit",
                with_body(
                    big,
                    &[
                        ("x-chunk-sha256", sha.as_str()),
                        ("x-attachment-size", "5242880"),
                    ],
                ),
                Some("body.too_large"),
            );
            add(
                "gzip bomb chunk",
                with_body(gzip(&vec![0u8; 64 << 20]), &[("content-encoding", "gzip")]),
                None,
            );
            add(
                "wrong chunk hash",
                with_body(
                    vec![7u8; 100],
                    &[("x-chunk-sha256", "a".repeat(64).as_str())],
                ),
                Some("chunk.hash_mismatch"),
            );
            for size in ["0", "5242881", "-1", "abc", "18446744073709551616", ""] {
                add(
                    &format!("size {size:?}"),
                    with_body(vec![7u8; 100], &[("x-attachment-size", size)]),
                    None,
                );
            }
            let mut no_hash = valid.clone();
            no_hash.headers.retain(|(h, _)| *h != "x-chunk-sha256");
            add("no chunk hash", no_hash, Some("body.invalid"));
        }
        BodyKind::None => {}
    }
    // Path parameters.
    let bad_sha = [
        "z".repeat(64),
        "A".repeat(64),
        "a".repeat(63),
        "a".repeat(65),
        "%00".into(),
        "..%2F..%2Fetc%2Fpasswd".into(),
        "a".repeat(10_000),
        "%FF%FE".into(),
    ];
    let bad_idx = [
        "4294967296",
        "18446744073709551616",
        "99999999999999999999999999999",
        "-1",
        "1e3",
        "0x1",
        "%20",
        "1000000",
    ];
    // (Not `..`: the client resolves it before sending, as any URL library does.)
    let bad_id = ["%FF", "%00", &"x".repeat(5_000), "...", "%F0%9F%98%80"];
    let fill = |sha: &str, idx: &str, id: &str| {
        op.path
            .replace("{sha256}", sha)
            .replace("{idx}", idx)
            .replace("{submission_id}", id)
    };
    if op.path.contains("{sha256}") {
        for s in &bad_sha {
            add(
                &format!("sha {}", &s[..s.len().min(20)]),
                Req {
                    target: fill(s, "0", ""),
                    ..valid.clone()
                },
                None,
            );
        }
    }
    if op.path.contains("{idx}") {
        for i in bad_idx {
            add(
                &format!("idx {i}"),
                Req {
                    target: fill(&w.a_file, i, ""),
                    ..valid.clone()
                },
                None,
            );
        }
    }
    if op.path.contains("{submission_id}") {
        for id in bad_id {
            add(
                &format!("id {}", &id[..id.len().min(20)]),
                Req {
                    target: fill("", "", id),
                    ..valid.clone()
                },
                None,
            );
        }
    }
    cases
}

/// Query strings that are wrong or odd; answered with a listed error or a success.
fn query_cases(w: &World, op: &Op) -> Vec<(String, Req)> {
    let valid = w.valid(op);
    let mut out = Vec::new();
    for name in &op.query {
        for v in [
            "%FF",
            "-3",
            "99999999999999999999999",
            "abc",
            "",
            "%00",
            &"9".repeat(5_000),
        ] {
            out.push((
                format!("?{name}={}", &v[..v.len().min(20)]),
                Req {
                    target: format!("{}?{name}={v}", valid.target),
                    ..valid.clone()
                },
            ));
        }
        out.push((
            format!("?{name} twice"),
            Req {
                target: format!("{}?{name}=1&{name}=2", valid.target),
                ..valid.clone()
            },
        ));
    }
    out
}

#[test]
fn every_documented_operation_answers_abuse_with_a_listed_4xx() {
    let start = Instant::now();
    let mut w = world();
    let mut failures = Vec::new();
    let ops = w.ops.clone();
    assert_eq!(ops.len(), rantau_server::http::routes::route_list().len());
    let mut count = 0;
    for op in &ops {
        for (case, req, expect) in fixed_cases(&w, op) {
            let answer = w.send(&req);
            count += 1;
            if let Err(e) = w.check(op, &case, &answer, expect, false) {
                failures.push(e);
            }
        }
        for (case, req) in query_cases(&w, op) {
            let answer = w.send(&req);
            count += 1;
            if let Err(e) = w.check(op, &case, &answer, None, true) {
                failures.push(e);
            }
        }
    }
    let stats = w.server.stats();
    report("fixed cases", count, start);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!((stats.server_errors, stats.panics), (0, 0), "{stats:?}");
}

#[test]
fn another_devices_ids_answer_like_missing_ones() {
    let mut w = world();
    let missing = "b".repeat(64);
    for op in w.ops.clone() {
        if op.auth != Auth::Device || !op.path.contains("{sha256}") || op.body != BodyKind::None {
            continue;
        }
        let send = |w: &mut World, sha: &str| {
            let mut req = w.valid(&op);
            req.token = Some(w.b.clone());
            req.target = op.path.replace("{sha256}", sha);
            w.send(&req)
        };
        let a_file = w.a_file.clone();
        let theirs = send(&mut w, &a_file);
        let absent = send(&mut w, &missing);
        assert_eq!(theirs, absent, "{} {}", op.method, op.path);
        w.check(
            &op,
            "other device",
            &theirs,
            Some("attachment.not_found"),
            false,
        )
        .unwrap();
        // And the owner still sees it.
        let mut own = w.valid(&op);
        own.target = op.path.replace("{sha256}", &w.a_file);
        assert_eq!(w.send(&own).status, 200, "{}", op.path);
    }
    // b's change feed has none of a's events; b cannot take a's submission id.
    let feed: Value = w
        .http
        .get(format!("{}/v1/changes", w.server.base_url()))
        .bearer_auth(&w.b)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(feed["events"], json!([]));
    let r: Value = w
        .http
        .post(format!("{}/v1/submissions/batch", w.server.base_url()))
        .bearer_auth(&w.b)
        .json(&json!({"items": [item("a-kons", "consultation", consultation())]}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(r["results"][0]["status"], "conflict", "{r}");
    let stats = w.server.stats();
    assert_eq!((stats.server_errors, stats.panics), (0, 0), "{stats:?}");
}

// ---- random requests ----

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop_oneof![
            Just("consultation".to_string()),
            Just("pmi-registration".to_string()),
            Just("data-update".to_string()),
            Just("2026-01-01".to_string()),
            Just("2026-01".to_string()),
            Just("12345678901".to_string()),
            Just("jht".to_string()),
            Just("a".repeat(64)),
            Just(String::new()),
            ".{0,30}",
        ]
        .prop_map(Value::from),
    ]
}

fn json_value(vocab: Vec<String>) -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 48, 6, move |inner| {
        let keys = prop_oneof![
            3 => proptest::sample::select(vocab.clone()),
            1 => ".{0,12}",
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((keys, inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Every path (object keys and array indexes) inside `v`.
fn paths(v: &Value, here: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let mut p = here.clone();
                p.push(k.clone());
                paths(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let mut p = here.clone();
                p.push(i.to_string());
                paths(x, p, out);
            }
        }
        _ => {}
    }
}

/// `base` with the value at `path` replaced (or removed when `new` is None).
fn mutate(base: &Value, path: &[String], new: Option<Value>) -> Value {
    let mut out = base.clone();
    let Some((last, parents)) = path.split_last() else {
        return new.unwrap_or(Value::Null);
    };
    let mut at = &mut out;
    for key in parents {
        at = match at {
            Value::Object(m) => m.get_mut(key).unwrap(),
            Value::Array(a) => &mut a[key.parse::<usize>().unwrap()],
            _ => unreachable!(),
        };
    }
    match (at, new) {
        (Value::Object(m), Some(v)) => {
            m.insert(last.clone(), v);
        }
        (Value::Object(m), None) => {
            m.remove(last);
        }
        (Value::Array(a), Some(v)) => a[last.parse::<usize>().unwrap()] = v,
        (Value::Array(a), None) => {
            a.remove(last.parse::<usize>().unwrap());
        }
        _ => {}
    }
    out
}

/// What a random case sends.
#[derive(Debug, Clone)]
enum Random {
    /// A whole random JSON value.
    Json(Value),
    /// The valid body with one place replaced (or removed).
    Mutated(usize, Option<Value>),
    /// Random bytes.
    Bytes(Vec<u8>),
    /// A chunk: bytes, whether the hash header matches, size header, index, sha path.
    Chunk(Vec<u8>, bool, String, String, String),
    /// A path segment and a query string.
    Target(String, Vec<(String, String)>),
}

fn random_strategy(op: &Op, vocab: Vec<String>, mutation_points: usize) -> BoxedStrategy<Random> {
    let text = prop_oneof![
        Just(String::new()),
        "[0-9]{1,25}",
        "-?[0-9]{1,5}",
        "[0-9a-f]{64}",
        ".{0,40}",
    ];
    match op.body {
        BodyKind::Json => prop_oneof![
            2 => json_value(vocab.clone()).prop_map(Random::Json),
            3 => (0..mutation_points, proptest::option::weighted(0.85, json_value(vocab)))
                .prop_map(|(i, v)| Random::Mutated(i, v)),
            1 => proptest::collection::vec(any::<u8>(), 0..512).prop_map(Random::Bytes),
        ]
        .boxed(),
        BodyKind::Bytes => (
            proptest::collection::vec(any::<u8>(), 0..CHUNK + 2),
            any::<bool>(),
            // Header values: anything a client can put on the wire (visible ASCII).
            prop_oneof![
                (1u64..=5 * 1024 * 1024).prop_map(|n| n.to_string()),
                "[ -~]{0,30}",
                "[0-9]{1,25}",
            ],
            prop_oneof![(0u32..400).prop_map(|n| n.to_string()), text.clone()],
            prop_oneof!["[0-9a-f]{64}", text],
        )
            .prop_map(|(b, ok, size, idx, sha)| Random::Chunk(b, ok, size, idx, sha))
            .boxed(),
        BodyKind::None => {
            let keys = if op.query.is_empty() {
                vec!["x".to_string()]
            } else {
                op.query.clone()
            };
            (
                text.clone(),
                proptest::collection::vec((proptest::sample::select(keys), text), 0..3),
            )
                .prop_map(|(seg, q)| Random::Target(seg, q))
                .boxed()
        }
    }
}

fn random_request(w: &World, op: &Op, base: &Value, points: &[Vec<String>], r: &Random) -> Req {
    let mut req = w.valid(op);
    match r {
        Random::Json(v) => req.body = Some(serde_json::to_vec(v).unwrap()),
        Random::Mutated(i, v) => {
            req.body = Some(serde_json::to_vec(&mutate(base, &points[*i], v.clone())).unwrap())
        }
        Random::Bytes(b) => req.body = Some(b.clone()),
        Random::Chunk(bytes, hash_ok, size, idx, sha) => {
            // An empty segment is another route (route.not_found), not this one.
            let (idx, sha) = (non_empty(idx), non_empty(sha));
            let hash = if *hash_ok {
                hex_sha(bytes)
            } else {
                "0".repeat(64)
            };
            req.headers = vec![
                ("content-type", "application/octet-stream".into()),
                ("x-chunk-sha256", hash),
                ("x-attachment-size", size.clone()),
            ];
            req.target = op
                .path
                .replace("{sha256}", &enc(sha))
                .replace("{idx}", &enc(idx));
            req.body = Some(bytes.clone());
        }
        Random::Target(seg, query) => {
            let seg = non_empty(seg);
            let path = op
                .path
                .replace("{sha256}", &enc(seg))
                .replace("{submission_id}", &enc(seg));
            let q: Vec<String> = query
                .iter()
                .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                .collect();
            req.target = if q.is_empty() {
                path
            } else {
                format!("{path}?{}", q.join("&"))
            };
        }
    }
    req
}

fn non_empty(s: &str) -> &str {
    if s.is_empty() {
        "x"
    } else {
        s
    }
}

#[allow(clippy::print_stdout)]
fn report(what: &str, count: usize, start: Instant) {
    println!(
        "{what}: {count} requests in {:.1} s",
        start.elapsed().as_secs_f64()
    );
}

#[test]
fn random_requests_to_every_operation_never_fail_the_server() {
    let start = Instant::now();
    let seed: u64 = std::env::var("ABUSE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_AB05);
    let cases: u32 = std::env::var("ABUSE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let w = std::cell::RefCell::new(world());
    let ops = w.borrow().ops.clone();
    let vocab = w.borrow().vocab.clone();
    for (n, op) in ops.iter().enumerate() {
        let base = match op.body {
            BodyKind::Json => w.borrow().valid_json(op),
            _ => Value::Null,
        };
        let mut points = Vec::new();
        paths(&base, Vec::new(), &mut points);
        let strategy = random_strategy(op, vocab.clone(), points.len());
        let mut seed_bytes = [0u8; 32];
        seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
        seed_bytes[8] = n as u8;
        let config = Config {
            cases,
            failure_persistence: None,
            max_shrink_iters: 200,
            ..Config::default()
        };
        let mut runner = TestRunner::new_with_rng(
            config,
            TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
        );
        let result = runner.run(&strategy, |r| {
            let req = random_request(&w.borrow(), op, &base, &points, &r);
            let answer = w.borrow_mut().send(&req);
            w.borrow()
                .check(op, "random", &answer, None, true)
                .map_err(TestCaseError::fail)
        });
        if let Err(e) = result {
            panic!("ABUSE_SEED={seed} {} {}: {e}", op.method, op.path);
        }
    }
    let w = w.into_inner();
    let stats = w.server.stats();
    report("random cases", w.requests, start);
    assert_eq!((stats.server_errors, stats.panics), (0, 0), "{stats:?}");
}
