//! Device credentials: a device id alone is not a credential; re-enrollment needs
//! the device secret from the first enrollment and revokes the older tokens; a
//! device enrolled before secrets existed can claim one with its live token only.
// Test helpers outside #[test] fns: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use rantau_core::protocol::wire::{EnrollResponse, ErrorBody};
use rantau_server::{spawn, DbLocation, RunningServer, ServerConfig};
use serde_json::{json, Value};

mod common;
use common::{client, enroll, enroll_again};

/// A server on the backend the run asks for (see `common::backend`).
async fn server() -> common::backend::TestServer {
    common::backend::server(ServerConfig::ephemeral("devices-admin")).await
}

/// `POST /v1/devices` with `body` (and a bearer token when given): status and body.
async fn post_enroll(
    c: &reqwest::Client,
    s: &RunningServer,
    body: Value,
    bearer: Option<&str>,
) -> (u16, Vec<u8>) {
    let mut req = c.post(format!("{}/v1/devices", s.base_url())).json(&body);
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

async fn changes_status(c: &reqwest::Client, s: &RunningServer, token: &str) -> (u16, String) {
    let r = c
        .get(format!("{}/v1/changes", s.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let code = if status == 200 {
        String::new()
    } else {
        r.json::<ErrorBody>().await.unwrap().code
    };
    (status, code)
}

#[tokio::test]
async fn knowing_only_a_device_id_gives_no_token() {
    let s = server().await;
    let c = client();
    let victim = enroll(&c, &s, "victim-phone").await;
    let secret = victim
        .device_secret
        .clone()
        .expect("the first enrollment gives a secret");
    assert_eq!(secret.len(), 64);
    assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(secret, victim.token);

    // No secret, a wrong one, or the victim's token in its place: the same refusal,
    // word for word, with nothing about the device in it.
    let mut answers = Vec::new();
    for body in [
        json!({"device_id": "victim-phone"}),
        json!({"device_id": "victim-phone", "device_secret": "0".repeat(64)}),
        json!({"device_id": "victim-phone", "device_secret": victim.token}),
        json!({"device_id": " victim-phone ", "device_secret": ""}),
    ] {
        let (status, bytes) = post_enroll(&c, &s, body, None).await;
        assert_eq!(status, 403, "{}", String::from_utf8_lossy(&bytes));
        let err: ErrorBody = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(err.code, "device.secret_mismatch");
        assert!(!err.message.contains("victim") && !err.message.contains(&victim.participant_id));
        answers.push(bytes);
    }
    answers.dedup();
    assert_eq!(answers.len(), 1, "the refusals differ");
    // Presenting the victim's live token does not help either (that path is only
    // for devices enrolled before secrets existed).
    let (status, _) = post_enroll(
        &c,
        &s,
        json!({"device_id": "victim-phone"}),
        Some(&victim.token),
    )
    .await;
    assert_eq!(status, 403);
    // The attempts revoked nothing.
    assert_eq!(changes_status(&c, &s, &victim.token).await.0, 200);
}

#[tokio::test]
async fn refusals_are_in_the_requested_language() {
    let s = server().await;
    let c = client();
    enroll(&c, &s, "lang-phone").await;
    for (lang, word) in [("id", "kunci rahasianya"), ("en", "secret does not match")] {
        let r = c
            .post(format!("{}/v1/devices", s.base_url()))
            .header("accept-language", lang)
            .json(&json!({"device_id": "lang-phone"}))
            .send()
            .await
            .unwrap();
        let err: ErrorBody = r.json().await.unwrap();
        assert!(err.message.contains(word), "{lang}: {}", err.message);
    }
}

#[tokio::test]
async fn enrolling_again_with_the_secret_revokes_the_older_tokens() {
    let s = server().await;
    let c = client();
    let first = enroll(&c, &s, "phone").await;
    let second = enroll_again(&c, &s, "phone", &first).await;
    assert_eq!(second.participant_id, first.participant_id);
    assert_eq!(second.device_secret, None, "the secret is given once");
    assert_eq!(
        changes_status(&c, &s, &second.token).await,
        (200, String::new())
    );
    assert_eq!(
        changes_status(&c, &s, &first.token).await,
        (401, "auth.invalid_token".to_string()),
        "the older token still works"
    );
    // The same secret keeps working; each enrollment leaves exactly one live token.
    let third = enroll_again(&c, &s, "phone", &first).await;
    assert_eq!(changes_status(&c, &s, &second.token).await.0, 401);
    assert_eq!(changes_status(&c, &s, &third.token).await.0, 200);
    // Another device's tokens are untouched.
    let other = enroll(&c, &s, "other-phone").await;
    enroll_again(&c, &s, "phone", &first).await;
    assert_eq!(changes_status(&c, &s, &other.token).await.0, 200);
}

#[tokio::test]
async fn a_device_enrolled_before_secrets_claims_one_with_its_live_token_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    let config = ServerConfig {
        db: DbLocation::File(path.clone()),
        ..ServerConfig::ephemeral("devices-admin")
    };
    let c = client();
    let s = spawn(config.clone()).await.unwrap();
    let old = enroll(&c, &s, "old-phone").await;
    s.shutdown().await.unwrap();
    // What a participant enrolled by a v2 server looks like after the upgrade.
    // The database is keyed at rest: open it as the server does.
    let key = rantau_server::storage::key::load_or_create(
        &rantau_server::storage::key::default_key_path(&path),
        false,
    )
    .unwrap();
    rantau_server::storage::sqlite::SqliteDb::open(&DbLocation::File(path.clone()), &key)
        .unwrap()
        .execute_for_tests("DELETE FROM device_secrets")
        .unwrap();
    let s = spawn(config).await.unwrap();
    assert_eq!(
        changes_status(&c, &s, &old.token).await.0,
        200,
        "old tokens keep working"
    );

    let body = json!({"device_id": "old-phone", "device_secret": old.device_secret});
    let (status, _) = post_enroll(&c, &s, json!({"device_id": "old-phone"}), None).await;
    assert_eq!(status, 403, "the device id alone");
    let (status, _) = post_enroll(&c, &s, body.clone(), Some(&"f".repeat(64))).await;
    assert_eq!(status, 403, "a made-up token");

    let (status, bytes) =
        post_enroll(&c, &s, json!({"device_id": "old-phone"}), Some(&old.token)).await;
    assert_eq!(status, 200);
    let claimed: EnrollResponse = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(claimed.participant_id, old.participant_id);
    let secret = claimed.device_secret.clone().expect("a claimed secret");
    assert_eq!(changes_status(&c, &s, &old.token).await.0, 401);
    // From now on the secret is what counts; a token alone no longer is.
    let (status, _) = post_enroll(
        &c,
        &s,
        json!({"device_id": "old-phone"}),
        Some(&claimed.token),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = post_enroll(
        &c,
        &s,
        json!({"device_id": "old-phone", "device_secret": secret}),
        None,
    )
    .await;
    assert_eq!(status, 200);
}
