//! A worker is a person (by NIK), not a phone: over real HTTP on loopback, on
//! the backend the run asks for. A registration of a NIK registered for an
//! overlapping placement (here, or by an officer's import) is refused with
//! `registration.already_registered` and an answer that reveals nothing of
//! that person; a retry of the same submission is answered as before; a later
//! placement is a new window under the same KPJ. The officers' CSV import is
//! whole or nothing, reports bad rows by line, and is idempotent.
// Test helpers outside #[test] fns: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use rantau_core::protocol::wire::{BatchResponse, ChangesResponse, EventKind, ItemOutcome};
use rantau_server::officer::{ImportRefusal, ImportReport};
use rantau_server::ServerConfig;
use serde_json::{json, Value};

mod common;
use common::{client, enroll};

const ADMIN: &str = "admin-secret-for-the-persons-tests";
const CODE: &str = "registration.already_registered";

/// The sample registration of person `n` (its NIK serial) for the contract
/// `start`..`end`.
fn registration(n: u32, start: &str, end: &str) -> Value {
    let mut answers = rantau_core::forms::samples::sample_registration_of(n);
    answers.insert("contract_start".into(), json!(start));
    answers.insert("contract_end".into(), json!(end));
    Value::Object(answers)
}

fn item(id: &str, payload: &Value) -> Value {
    json!({"id": id, "form_id": "pmi-registration", "form_version": 1,
           "created_at": "2026-01-01T00:00:00Z", "payload": payload})
}

/// Posts one batch; the HTTP status must be 200. Returns the raw body too.
async fn send(
    c: &reqwest::Client,
    base: &str,
    token: &str,
    lang: &str,
    items: Vec<Value>,
) -> (String, BatchResponse) {
    let r = c
        .post(format!("{base}/v1/submissions/batch"))
        .bearer_auth(token)
        .header("accept-language", lang)
        .json(&json!({ "items": items }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    let parsed = serde_json::from_str(&text).unwrap();
    (text, parsed)
}

/// The KPJ of each registration decided in `token`'s feed.
async fn kpjs(c: &reqwest::Client, base: &str, token: &str) -> Vec<String> {
    let feed: ChangesResponse = c
        .get(format!("{base}/v1/changes"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    feed.events
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::RegistrationDecided { kpj, .. } => Some(kpj),
            _ => None,
        })
        .collect()
}

/// Posts a CSV import; returns the status and the body.
async fn import(c: &reqwest::Client, base: &str, lang: &str, csv: &str) -> (u16, Value) {
    let r = c
        .post(format!("{base}/v1/admin/persons/import"))
        .bearer_auth(ADMIN)
        .header("accept-language", lang)
        .json(&json!({ "csv": csv }))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

fn nik(payload: &Value) -> String {
    payload["nik"].as_str().unwrap().to_string()
}

fn already_registered(outcome: &ItemOutcome) -> bool {
    matches!(outcome, ItemOutcome::Rejected { issues } if issues.len() == 1 && issues[0].code == CODE)
}

#[tokio::test]
async fn a_registered_nik_is_refused_without_revealing_the_person() {
    let s = common::backend::server(ServerConfig::ephemeral(ADMIN)).await;
    let (c, base) = (client(), s.base_url());
    let (a, b) = (
        enroll(&c, &s, "phone-a").await,
        enroll(&c, &s, "phone-b").await,
    );
    let reg = registration(11, "2025-07-01", "2027-06-30");
    let (_, first) = send(&c, &base, &a.token, "id", vec![item("reg-a", &reg)]).await;
    let ItemOutcome::Accepted { reference } = first.results[0].outcome.clone() else {
        panic!("{:?}", first.results[0])
    };
    let kpj = kpjs(&c, &base, &a.token).await.remove(0);
    let admin: Value = c
        .get(format!("{base}/v1/admin/submissions"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let payment_code = admin["submissions"][0]["payment_code"]
        .as_str()
        .unwrap()
        .to_string();

    // Another phone types the same NIK for an overlapping placement.
    let overlapping = registration(11, "2026-01-01", "2027-12-31");
    for lang in ["id", "en"] {
        let id = format!("reg-b-{lang}");
        let (body, answer) = send(&c, &base, &b.token, lang, vec![item(&id, &overlapping)]).await;
        assert!(already_registered(&answer.results[0].outcome), "{body}");
        let ItemOutcome::Rejected { issues } = &answer.results[0].outcome else {
            panic!()
        };
        // On the NIK field, telling the worker what to do, in their language.
        assert_eq!(issues[0].path, "nik");
        assert!(issues[0].message.contains("Saya sudah terdaftar"), "{body}");
        let worded = if lang == "en" {
            "already registered"
        } else {
            "sudah terdaftar untuk masa penempatan"
        };
        assert!(issues[0].message.contains(worded), "{body}");
        // Nothing of the person: no name, KPJ, payment code, reference or dates,
        // not even the NIK typed.
        for secret in [
            "Sri Wahyuni",
            "Suminah",
            kpj.as_str(),
            payment_code.as_str(),
            reference.as_str(),
            "1995-08-17",
            "17-08-1995",
            "2025-07-01",
            "2027-06-30",
            "Sidoarjo",
            nik(&reg).as_str(),
        ] {
            assert!(!body.contains(secret), "{secret:?} in {body}");
        }
        // The same submission re-sent (a retry): the same answer.
        let (again, _) = send(&c, &base, &b.token, lang, vec![item(&id, &overlapping)]).await;
        assert_eq!(again, body);
    }
    // The first registration re-sent is still recognised as itself.
    let (_, resent) = send(&c, &base, &a.token, "id", vec![item("reg-a", &reg)]).await;
    assert_eq!(
        resent.results[0].outcome,
        ItemOutcome::Duplicate { reference }
    );
    // The refused phone got nothing in its feed.
    assert!(kpjs(&c, &base, &b.token).await.is_empty());

    // A later, non-overlapping placement from that phone: a new window, the same KPJ.
    let later = registration(11, "2027-08-01", "2029-07-31");
    let (body, out) = send(&c, &base, &b.token, "id", vec![item("reg-b-later", &later)]).await;
    assert!(
        matches!(out.results[0].outcome, ItemOutcome::Accepted { .. }),
        "{body}"
    );
    assert_eq!(kpjs(&c, &base, &b.token).await, [kpj]);
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_imported_person_is_refused_like_one_registered_here() {
    let s = common::backend::server(ServerConfig::ephemeral(ADMIN)).await;
    let (c, base) = (client(), s.base_url());
    let (a, b) = (
        enroll(&c, &s, "phone-a").await,
        enroll(&c, &s, "phone-b").await,
    );
    let imported = registration(21, "2025-07-01", "2027-06-30");
    let csv = format!(
        "nik,name,birth_date,kpj,start,end\n{},\"Sri Wahyuni, binti Ali\",1995-08-17,12345678901,2025-01-01,2027-12-31\n",
        nik(&imported)
    );
    let (status, report) = import(&c, &base, "en", &csv).await;
    assert_eq!(status, 200, "{report}");
    let report: ImportReport = serde_json::from_value(report).unwrap();
    assert_eq!((report.rows, report.added, report.unchanged), (1, 1, 0));
    // The same file again changes nothing.
    let (status, again) = import(&c, &base, "en", &csv).await;
    assert_eq!(status, 200);
    let again: ImportReport = serde_json::from_value(again).unwrap();
    assert_eq!((again.added, again.unchanged), (0, 1));

    // A person registered here, refused to a second phone …
    let here = registration(22, "2025-07-01", "2027-06-30");
    send(&c, &base, &a.token, "id", vec![item("reg-a", &here)]).await;
    let (_, refused_here) = send(&c, &base, &b.token, "id", vec![item("b-22", &here)]).await;
    // … and the imported one: the same answer, word for word.
    let (body, refused_imported) =
        send(&c, &base, &b.token, "id", vec![item("b-21", &imported)]).await;
    assert!(
        already_registered(&refused_imported.results[0].outcome),
        "{body}"
    );
    assert_eq!(
        refused_here.results[0].outcome,
        refused_imported.results[0].outcome
    );
    for secret in ["12345678901", "binti Ali", "2025-01-01", "2027-12-31"] {
        assert!(!body.contains(secret), "{secret:?} in {body}");
    }
    // A later placement of the imported person: accepted under the imported KPJ.
    let later = registration(21, "2028-01-01", "2029-12-31");
    let (body, out) = send(&c, &base, &b.token, "id", vec![item("b-21-later", &later)]).await;
    assert!(
        matches!(out.results[0].outcome, ItemOutcome::Accepted { .. }),
        "{body}"
    );
    assert_eq!(kpjs(&c, &base, &b.token).await, ["12345678901"]);
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_file_with_bad_rows_is_refused_whole_each_row_by_line() {
    let s = common::backend::server(ServerConfig::ephemeral(ADMIN)).await;
    let (c, base) = (client(), s.base_url());
    let a = enroll(&c, &s, "phone-a").await;
    let good = registration(31, "2025-07-01", "2027-06-30");
    let csv = format!(
        "nik,name,birth_date,kpj,start,end\n\
         {good},Sri Wahyuni,1995-08-17,12345678931,2025-01-01,2027-12-31\n\
         351514570895003,Sri Wahyuni,1995-08-17,12345678932,2025-01-01,2027-12-31\n\
         {good},Sri Wahyuni,1990-01-01,12345678931,2025-01-01,2027-12-31\n\
         {good},Sri Wahyuni,1995-08-17,12345678931,2027-01-01,2026-01-01\n\
         {good},Sri Wahyuni\n",
        good = nik(&good)
    );
    for (lang, reason) in [("en", "16 digits"), ("id", "16 angka")] {
        let (status, body) = import(&c, &base, lang, &csv).await;
        assert_eq!(status, 422, "{body}");
        let refusal: ImportRefusal = serde_json::from_value(body).unwrap();
        assert_eq!(refusal.code, "import.invalid_rows");
        let got: Vec<(usize, &str)> = refusal
            .errors
            .iter()
            .map(|e| (e.line, e.code.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (3, "nik.length"),
                (4, "nik.birth_date_mismatch"),
                (5, "import.window_order"),
                (6, "import.columns")
            ]
        );
        assert!(refusal.errors[0].reason.contains(reason), "{refusal:?}");
    }
    // Nothing was imported: the good row's person registers freely.
    let (body, out) = send(&c, &base, &a.token, "id", vec![item("reg-31", &good)]).await;
    assert!(
        matches!(out.results[0].outcome, ItemOutcome::Accepted { .. }),
        "{body}"
    );
    assert_ne!(kpjs(&c, &base, &a.token).await, ["12345678931"]);
    // A file that is not CSV with the header: refused, said where.
    let (status, body) = import(&c, &base, "en", "hello\n").await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "import.header");
    assert_eq!(body["errors"][0]["line"], 1);
    // Without the officers' token: refused as every admin route.
    let r = c
        .post(format!("{base}/v1/admin/persons/import"))
        .json(&json!({ "csv": csv }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    s.shutdown().await.unwrap();
}
