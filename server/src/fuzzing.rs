//! Fuzz harness body for the server (`server_bodies`), shared by the cargo-fuzz
//! target in `fuzz/` and by the test below that replays its seed corpus on every
//! `cargo test`. It drives the real router in process with random requests on
//! every route and panics (how a fuzzer sees a finding) when an invariant breaks.
#![doc(hidden)]
#![allow(clippy::missing_panics_doc)]

use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use rantau_core::forms::samples::{sample_consultation, sample_registration};
use rantau_core::protocol::wire::{
    AttachmentStatus, AttachmentStatuses, BatchRequest, BatchResponse, ChangesResponse,
    EnrollResponse, ErrorBody, Event, EventKind, ItemOutcome, ATTACHMENT_SIZE_HEADER,
    CHUNK_SHA256_HEADER,
};
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::decisions::ids;
use crate::http::published::Catalog;
use crate::http::{routes, AppState};
use crate::officer::SubmissionList;
use crate::storage::Storage;
use crate::DbLocation;

/// The officers' token of the fuzzed server.
const ADMIN_TOKEN: &str = "fuzz-admin";

/// One server, enrolled and holding a registration with a KPJ and a consultation,
/// shared by every input of a fuzzing process (state accumulates; every
/// invariant below holds whatever an earlier input stored).
struct Harness {
    runtime: tokio::runtime::Runtime,
    app: Router,
    device_token: String,
    /// `$KPJ`, `$REG`, `$CONS` in an input are replaced by these.
    kpj: String,
    registration: String,
    consultation: String,
    /// `$LAST` in an input: the SHA-256 of the last chunk body uploaded.
    last_sha: Mutex<String>,
}

/// A response: status and body bytes.
struct Reply {
    status: StatusCode,
    body: Vec<u8>,
}

impl Harness {
    fn send(&self, req: Request<Body>) -> Reply {
        self.runtime.block_on(async {
            let resp = match self.app.clone().oneshot(req).await {
                Ok(r) => r,
                Err(e) => match e {},
            };
            let status = resp.status();
            let body = match axum::body::to_bytes(resp.into_body(), usize::MAX).await {
                Ok(b) => b.to_vec(),
                Err(e) => panic!("the response body cannot be read: {e}"),
            };
            Reply { status, body }
        })
    }

    /// Limits no fuzz run can reach.
    fn unlimited() -> crate::limits::Limits {
        let lavish = crate::limits::Rate {
            burst: u32::MAX,
            per_second: 1e9,
        };
        // Every limit, the server-wide ones too: the harness's server lives through
        // the whole run, so a cap (enrollments, document quotas) would be reached
        // after some thousand inputs and answer 503/507 to a valid request.
        crate::limits::Limits {
            device: lavish,
            address: lavish,
            officer: lavish,
            enrollments: lavish,
            participant_documents: u64::MAX,
            documents_total: u64::MAX,
            ..crate::limits::Limits::default()
        }
    }

    fn setup() -> Harness {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => panic!("no runtime: {e}"),
        };
        let storage = runtime
            .block_on(Storage::connect(&fuzzed_database(&runtime), None))
            .unwrap_or_else(|e| panic!("{e}"));
        let state = AppState {
            storage,
            admin_hash: ids::sha256(ADMIN_TOKEN.as_bytes()),
            catalog: Arc::new(Catalog::builtin().unwrap_or_else(|e| panic!("{e}"))),
            // Rate limits are tested in tests/limits.rs; here every input must reach its handler.
            limiter: Arc::new(crate::limits::Limiter::new(&Self::unlimited())),
            stats: Arc::new(crate::stats::Stats::default()),
            metrics: Arc::new(crate::http::metrics::Metrics::new(false)),
            ready: Arc::default(),
            runs: Arc::default(),
            mail: None,
        };
        let mut h = Harness {
            runtime,
            app: routes::app(state, crate::limits::Limits::default().request_timeout),
            device_token: String::new(),
            kpj: String::new(),
            registration: "fuzz-reg-0001".into(),
            consultation: "fuzz-cons-0001".into(),
            last_sha: Mutex::new(hex::encode(ids::sha256(b""))),
        };
        let enrolled = h.send(json_request(
            Method::POST,
            "/v1/devices",
            None,
            &json!({"device_id": "fuzz-device"}),
        ));
        let enrolled: EnrollResponse = decode(&enrolled.body);
        h.device_token = enrolled.token;
        let batch = json!({"items": [
            {"id": h.registration, "form_id": "pmi-registration", "form_version": 1,
             "created_at": "2026-01-01T00:00:00Z", "payload": Value::Object(sample_registration())},
            {"id": h.consultation, "form_id": "consultation", "form_version": 1,
             "created_at": "2026-01-01T00:00:00Z", "payload": Value::Object(sample_consultation())},
        ]});
        let token = h.device_token.clone();
        let sent = h.send(json_request(
            Method::POST,
            "/v1/submissions/batch",
            Some(&token),
            &batch,
        ));
        let sent: BatchResponse = decode(&sent.body);
        assert!(
            sent.results
                .iter()
                .all(|r| matches!(r.outcome, ItemOutcome::Accepted { .. })),
            "the setup batch is not accepted"
        );
        let changes = h.send(
            Request::get("/v1/changes")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let changes: ChangesResponse = decode(&changes.body);
        for e in changes.events {
            if let EventKind::RegistrationDecided { kpj, .. } = e.kind {
                h.kpj = kpj;
            }
        }
        assert!(!h.kpj.is_empty(), "the setup registration got no KPJ");
        h
    }

    /// Replaces the placeholders of an input with this server's ids.
    fn fill(&self, text: &[u8]) -> Vec<u8> {
        let s = String::from_utf8_lossy(text);
        if !s.contains('$') {
            return text.to_vec();
        }
        let last = self.last_sha.lock().map(|g| g.clone()).unwrap_or_default();
        s.replace("$KPJ", &self.kpj)
            .replace("$REG", &self.registration)
            .replace("$CONS", &self.consultation)
            .replace("$LAST", &last)
            .into_bytes()
    }
}

/// The fuzzed server's database: in memory (SQLite), or with
/// `RANTAU_TEST_SERVER_DB=postgres` a fresh database in the cluster
/// `RANTAU_TEST_POSTGRES` names (the gate runs the invariants both ways). The
/// harness lives as long as the process, so the database and its documents'
/// folder stay; the gate's cluster is thrown away after the run.
fn fuzzed_database(runtime: &tokio::runtime::Runtime) -> DbLocation {
    if std::env::var("RANTAU_TEST_SERVER_DB").as_deref() != Ok("postgres") {
        return DbLocation::Memory;
    }
    let admin_url = std::env::var("RANTAU_TEST_POSTGRES")
        .unwrap_or_else(|_| panic!("RANTAU_TEST_SERVER_DB=postgres needs RANTAU_TEST_POSTGRES"));
    let name = format!("rantau_fuzz_{}", uuid::Uuid::new_v4().simple());
    let url = runtime
        .block_on(crate::storage::create_database(&admin_url, &name))
        .unwrap_or_else(|e| panic!("RANTAU_TEST_POSTGRES: {e}"));
    let files = std::env::temp_dir().join(&name);
    DbLocation::parse(&url, files.to_str()).unwrap_or_else(|e| panic!("{e}"))
}

fn harness() -> &'static Harness {
    static H: OnceLock<Harness> = OnceLock::new();
    H.get_or_init(Harness::setup)
}

fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> T {
    match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => panic!(
            "a response does not decode as its wire type: {e}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        ),
    }
}

fn json_request(method: Method, uri: &str, token: Option<&str>, body: &Value) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_string()))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Percent-encodes everything but unreserved characters (one path segment).
fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// The routes, in selector order: (method, uri template, admin). `{p}` is the
/// percent-encoded parameter, `{q}` the raw one (a query string).
const ROUTES: [(&str, &str, bool); 19] = [
    ("POST", "/v1/devices", false),
    ("POST", "/v1/submissions/batch", false),
    ("GET", "/v1/changes?{q}", false),
    ("GET", "/v1/forms", false),
    ("GET", "/v1/reference", false),
    ("PUT", "/v1/attachments/{p}/chunks/{i}", false),
    ("GET", "/v1/attachments/{p}", false),
    ("POST", "/v1/attachments/{p}/complete", false),
    ("POST", "/v1/admin/payments", true),
    ("POST", "/v1/admin/contributions", true),
    ("POST", "/v1/admin/consultations/{p}/reply", true),
    ("POST", "/v1/admin/registrations/{p}/reject", true),
    ("GET", "/v1/admin/submissions?{q}", true),
    ("DELETE", "{q}", false),
    // Last, so the seeds' route bytes kept their routes when they came.
    ("POST", "/v1/admin/persons/import", true),
    ("POST", "/v1/attachments/status", false),
    ("POST", "/v1/link/start", false),
    ("POST", "/v1/link/confirm", false),
    ("POST", "/v1/admin/link-codes", true),
];

/// Checks what a 2xx answer of route `route` must be, and returns the batch
/// response when it is one.
fn check_success(route: usize, body: &[u8]) -> Option<BatchResponse> {
    match route {
        0 => {
            let _ = decode::<EnrollResponse>(body);
        }
        1 => return Some(decode::<BatchResponse>(body)),
        2 => {
            let page: ChangesResponse = decode(body);
            assert!(
                page.events.windows(2).all(|w| w[0].seq < w[1].seq),
                "the change feed is not in order"
            );
        }
        3 | 4 => {
            let _ = decode::<Value>(body);
        }
        6 | 7 => {
            let s: AttachmentStatus = decode(body);
            assert!(s.chunks_received.windows(2).all(|w| w[0] < w[1]));
        }
        8..=11 => {
            let _ = decode::<Event>(body);
        }
        12 => {
            let _ = decode::<SubmissionList>(body);
        }
        14 => {
            let report: crate::officer::ImportReport = decode(body);
            assert_eq!(
                report.rows,
                report.added + report.unchanged,
                "an import that answered 200 left rows out"
            );
        }
        16 => {
            let _ = decode::<rantau_core::protocol::wire::LinkStarted>(body);
        }
        17 => {
            let done = decode::<rantau_core::protocol::wire::LinkConfirmed>(body);
            assert!(done.linked);
        }
        18 => {
            let code = decode::<crate::officer::LinkCode>(body);
            assert!(crate::decisions::link::normalize_code(&code.code).is_some());
        }
        15 => {
            let found: AttachmentStatuses = decode(body);
            assert!(found
                .attachments
                .iter()
                .all(|s| s.chunks_received.windows(2).all(|w| w[0] < w[1])));
        }
        _ => {}
    }
    None
}

/// Input: byte 0 picks the route, byte 1 the headers (bits 0–1: right token,
/// right token, none, the wrong kind; bit 2: gzip the body; bit 3: English;
/// bit 4: send `If-None-Match` with the parameter), then `PARAM\nBODY` (a route
/// without a parameter takes everything as the body). `$KPJ`, `$REG`, `$CONS`,
/// `$LAST` name this server's registration, consultation and last chunk.
///
/// Invariants: no 5xx; a 2xx body decodes as the route's wire type; an error
/// body decodes as [`ErrorBody`]; a batch answered once is answered again
/// exactly once (every accepted item comes back a duplicate with its reference).
pub fn server_bodies(data: &[u8]) {
    let [selector, flags, rest @ ..] = data else {
        return;
    };
    let h = harness();
    let route = usize::from(*selector) % ROUTES.len();
    let (method, template, admin) = ROUTES[route];
    let takes_param = template.contains('{');
    let (param, body) = match rest.iter().position(|b| *b == b'\n') {
        Some(i) if takes_param => (&rest[..i], &rest[i + 1..]),
        _ if takes_param => (rest, &[][..]),
        _ => (&[][..], rest),
    };
    let param = String::from_utf8_lossy(&h.fill(param)).into_owned();
    let body = h.fill(body);
    // A chunk's parameter is `IDX`; the attachment is the body itself (one chunk).
    let body_sha = hex::encode(ids::sha256(&body));
    let uri = match route {
        5 => template
            .replace("{p}", &body_sha)
            .replace("{i}", &segment(&param)),
        _ => template
            .replace("{p}", &segment(&param))
            .replace("{q}", &param),
    };
    let mut req = Request::builder()
        .method(method)
        .uri(uri.as_str())
        .header(header::CONTENT_TYPE, "application/json");
    let (right, wrong) = if admin {
        (ADMIN_TOKEN, h.device_token.as_str())
    } else {
        (h.device_token.as_str(), ADMIN_TOKEN)
    };
    match flags & 3 {
        0 | 1 => req = req.header(header::AUTHORIZATION, format!("Bearer {right}")),
        2 => {}
        _ => req = req.header(header::AUTHORIZATION, format!("Bearer {wrong}")),
    }
    if flags & 8 != 0 {
        req = req.header(header::ACCEPT_LANGUAGE, "en");
    }
    if flags & 16 != 0 {
        if let Ok(v) = header::HeaderValue::from_str(&param) {
            req = req.header(header::IF_NONE_MATCH, v);
        }
    }
    if route == 5 {
        req = req
            .header(CHUNK_SHA256_HEADER, body_sha.as_str())
            .header(ATTACHMENT_SIZE_HEADER, body.len().to_string());
    }
    let wire = if flags & 4 != 0 {
        req = req.header(header::CONTENT_ENCODING, "gzip");
        gzip(&body)
    } else {
        body.clone()
    };
    let Ok(request) = req.body(Body::from(wire.clone())) else {
        return; // not a valid URI or header: nothing a client could send
    };
    let reply = h.send(request);
    assert!(
        !reply.status.is_server_error(),
        "{method} {template} answered {}: {}",
        reply.status,
        String::from_utf8_lossy(&reply.body[..reply.body.len().min(300)])
    );
    if reply.status.is_client_error() {
        let _: ErrorBody = decode(&reply.body);
        return;
    }
    if !reply.status.is_success() {
        return;
    }
    if route == 5 {
        if let Ok(mut g) = h.last_sha.lock() {
            *g = body_sha;
        }
    }
    let Some(first) = check_success(route, &reply.body) else {
        return;
    };
    // Exactly once: the same batch again changes nothing and answers the same.
    let sent: BatchRequest = decode(&body);
    assert_eq!(first.results.len(), sent.items.len(), "one result per item");
    let mut again = Request::post(uri.as_str())
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {}", h.device_token));
    if flags & 8 != 0 {
        again = again.header(header::ACCEPT_LANGUAGE, "en");
    }
    if flags & 4 != 0 {
        again = again.header(header::CONTENT_ENCODING, "gzip");
    }
    let Ok(again) = again.body(Body::from(wire)) else {
        return;
    };
    let second = h.send(again);
    assert_eq!(
        second.status,
        StatusCode::OK,
        "a batch answered once is refused"
    );
    let second: BatchResponse = decode(&second.body);
    for (a, b) in first.results.iter().zip(&second.results) {
        assert_eq!(a.id, b.id);
        match (&a.outcome, &b.outcome) {
            (
                ItemOutcome::Accepted { reference: r1 } | ItemOutcome::Duplicate { reference: r1 },
                ItemOutcome::Duplicate { reference: r2 },
            ) => assert_eq!(r1, r2, "a duplicate got another reference"),
            (ItemOutcome::Rejected { issues: i1 }, ItemOutcome::Rejected { issues: i2 }) => {
                assert_eq!(
                    i1, i2,
                    "a rejected item is judged differently the second time"
                )
            }
            (ItemOutcome::Conflict { .. }, ItemOutcome::Conflict { .. }) => {}
            _ => panic!("a batch sent twice is not answered exactly once"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_corpus_holds_every_invariant() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/server_bodies");
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            server_bodies(&std::fs::read(&path).unwrap());
            n += 1;
        }
        assert!(n >= 10, "{n} seeds");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn random_requests_hold_every_invariant(
            route in 0u8..15,
            flags in proptest::prelude::any::<u8>(),
            rest in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
        ) {
            let mut data = vec![route, flags];
            data.extend(rest);
            server_bodies(&data);
        }
    }

    #[test]
    fn every_route_is_fuzzed() {
        let fuzzed: Vec<&str> = ROUTES.iter().map(|r| r.1).collect();
        for (_, path) in routes::route_list() {
            let first = path.split('{').next().unwrap_or(path);
            assert!(
                // These read nothing from a request (no body, path or query).
                ["/v1/openapi.json", "/healthz", "/readyz", "/metrics"].contains(&path)
                    || fuzzed.iter().any(|f| f.starts_with(first)),
                "{path} is not fuzzed"
            );
        }
    }
}
