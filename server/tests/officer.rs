//! The officer flow through the blocking client against a server started with
//! `spawn_blocking`: payments, contributions, replies, rejections, listing.
// Test helpers outside #[test] fns: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use rantau_core::base::lang::Localized;
use rantau_core::protocol::wire::{
    BatchResponse, ChangesResponse, EnrollResponse, EventKind, ItemOutcome, Phase,
};
use rantau_server::officer::{
    ContributionRequest, OfficerClient, PaymentRequest, RejectRequest, ReplyRequest,
};
use rantau_server::{spawn_blocking, ServerConfig};
use serde_json::json;

#[allow(dead_code)] // only the backend helper is used here
mod common;

#[test]
fn officer_decisions_reach_only_their_participant() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (config, _db) = common::backend::blocking_config(ServerConfig::ephemeral("officer-token"));
    let server = spawn_blocking(config).unwrap();
    let base = server.base_url();
    let http = reqwest::blocking::Client::new();
    let enroll = |device: &str| -> EnrollResponse {
        http.post(format!("{base}/v1/devices"))
            .json(&json!({"device_id": device}))
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let a = enroll("officer-a");
    let b = enroll("officer-b");
    let mut registration = rantau_core::forms::samples::sample_registration();
    registration.insert("departure_date".into(), json!("2025-07-05"));
    let items = json!({"items": [
        {"id": "reg-a", "form_id": "pmi-registration", "form_version": 1, "created_at": "2026-01-01T00:00:00Z",
         "payload": registration},
        {"id": "kons-a", "form_id": "consultation", "form_version": 1, "created_at": "2026-01-01T00:00:00Z",
         "payload": rantau_core::forms::samples::sample_consultation()}
    ]});
    let out: BatchResponse = http
        .post(format!("{base}/v1/submissions/batch"))
        .bearer_auth(&a.token)
        .json(&items)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(
        out.results
            .iter()
            .all(|r| matches!(r.outcome, ItemOutcome::Accepted { .. })),
        "{:?}",
        out.results
    );

    let officer = OfficerClient::new(&base, "officer-token").unwrap();
    let regs = officer.list(Some("pmi-registration")).unwrap();
    assert_eq!(regs.submissions.len(), 1);
    let kpj = regs.submissions[0].kpj.clone().unwrap();
    assert_eq!(regs.submissions[0].amount_due, Some(470_000));

    let paid = officer
        .pay(&PaymentRequest {
            kpj: kpj.clone(),
            amount: 470_000,
            paid_on: "2026-01-20".into(),
        })
        .unwrap();
    let EventKind::PaymentRecorded { protection, .. } = &paid.kind else {
        panic!()
    };
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(protection[0].phase, Phase::PrePlacement);
    assert_eq!(protection[0].start, today);
    assert_eq!(protection[1].phase, Phase::Placement);
    assert_eq!(
        (protection[1].start.as_str(), protection[1].end.as_str()),
        ("2025-07-05", "2027-07-30")
    );

    officer
        .contribution(&ContributionRequest {
            kpj: kpj.clone(),
            programme: "jht".into(),
            period: "2026-04".into(),
            amount: 100_000,
        })
        .unwrap();
    officer
        .reply(
            "kons-a",
            &ReplyRequest {
                body: "Jawaban".into(),
                from: None,
            },
        )
        .unwrap();
    officer
        .reject(
            "reg-a",
            &RejectRequest {
                reason: Localized::new("Dokumen kurang", "Missing documents"),
            },
        )
        .unwrap();

    let errs = [
        officer
            .pay(&PaymentRequest {
                kpj: "00000000000".into(),
                amount: 1,
                paid_on: "2026-01-20".into(),
            })
            .unwrap_err(),
        officer
            .reply(
                "reg-a",
                &ReplyRequest {
                    body: "x".into(),
                    from: None,
                },
            )
            .unwrap_err(),
        officer
            .reject(
                "reg-a",
                &RejectRequest {
                    reason: Localized::new("a", "b"),
                },
            )
            .unwrap_err(),
        officer
            .reply(
                "missing",
                &ReplyRequest {
                    body: "x".into(),
                    from: None,
                },
            )
            .unwrap_err(),
        OfficerClient::new(&base, "wrong")
            .unwrap()
            .list(None)
            .unwrap_err(),
        officer
            .pay(&PaymentRequest {
                kpj: kpj.clone(),
                amount: 1,
                paid_on: "2026-02-01".into(),
            })
            .unwrap_err(),
    ];
    let codes: Vec<String> = errs
        .iter()
        .map(|e| match e {
            rantau_server::Error::Remote { code, .. } => code.clone(),
            other => other.to_string(),
        })
        .collect();
    assert_eq!(
        codes,
        [
            "kpj.not_found",
            "submission.wrong_form",
            "submission.not_accepted",
            "submission.not_found",
            "auth.invalid_token",
            "submission.not_accepted"
        ]
    );

    let feed = |token: &str| -> ChangesResponse {
        http.get(format!("{base}/v1/changes"))
            .bearer_auth(token)
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let kinds: Vec<&'static str> = feed(&a.token)
        .events
        .iter()
        .map(|e| match e.kind {
            EventKind::RegistrationDecided { .. } => "decided",
            EventKind::PaymentRecorded { .. } => "paid",
            EventKind::ContributionRecorded { .. } => "contribution",
            EventKind::ConsultationReplied { .. } => "replied",
            EventKind::RegistrationRejected { .. } => "rejected",
            EventKind::MembershipOnFile { .. } => "on_file",
        })
        .collect();
    assert_eq!(
        kinds,
        ["decided", "paid", "contribution", "replied", "rejected"]
    );
    assert!(feed(&b.token).events.is_empty());
    // The original answer stands after an officer's rejection.
    let again: BatchResponse = http
        .post(format!("{base}/v1/submissions/batch"))
        .bearer_auth(&a.token)
        .json(&items)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(again
        .results
        .iter()
        .all(|r| matches!(r.outcome, ItemOutcome::Duplicate { .. })));
    server.stop();
}
