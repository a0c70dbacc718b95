//! The attachment routes over real HTTP: chunk checks, status, completion with
//! the whole-file hash, limits, idempotence, and the files a submission waits for.
// Test helpers outside #[test] fns: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use rantau_core::protocol::wire::{AttachmentStatus, ErrorBody, ATTACHMENT_CHUNK_SIZE};
use rantau_server::officer::SubmissionList;
use rantau_server::{RunningServer, ServerConfig};
use serde_json::json;

mod common;
use common::client;
use common::uploads::{file, hex_sha, post_complete, put};

const ADMIN: &str = "admin-secret";

/// Enrolls `device` and returns its token.
async fn enroll(c: &reqwest::Client, s: &RunningServer, device: &str) -> String {
    common::enroll(c, s, device).await.token
}

#[tokio::test]
async fn chunks_in_any_order_complete_into_a_verified_file() {
    let s = common::backend::server(ServerConfig::ephemeral(ADMIN)).await;
    let c = client();
    let token = enroll(&c, &s, "d1").await;
    let data = file(2 * ATTACHMENT_CHUNK_SIZE + 100);
    let sha = hex_sha(&data);
    let chunks: Vec<&[u8]> = data.chunks(ATTACHMENT_CHUNK_SIZE).collect();
    assert_eq!(
        put(&c, &s, &token, &data, 2, chunks[2]).await,
        (204, String::new())
    );
    let r = post_complete(&c, &s, &token, &sha).await;
    assert_eq!(r.status(), 409);
    assert_eq!(
        r.json::<ErrorBody>().await.unwrap().code,
        "attachment.incomplete"
    );
    assert_eq!(put(&c, &s, &token, &data, 0, chunks[0]).await.0, 204);
    assert_eq!(
        put(&c, &s, &token, &data, 0, chunks[0]).await.0,
        204,
        "a chunk again is harmless"
    );
    let st: AttachmentStatus = c
        .get(format!("{}/v1/attachments/{sha}", s.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (st.size, st.chunks_received.clone(), st.complete),
        (data.len() as u64, vec![0, 2], false)
    );
    assert_eq!(put(&c, &s, &token, &data, 1, chunks[1]).await.0, 204);
    let done: AttachmentStatus = post_complete(&c, &s, &token, &sha)
        .await
        .json()
        .await
        .unwrap();
    assert!(done.complete);
    assert_eq!(done.chunks_received, vec![0, 1, 2]);
    let again: AttachmentStatus = post_complete(&c, &s, &token, &sha)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, done, "complete is idempotent");
}

#[tokio::test]
async fn bad_chunks_and_sizes_are_refused_with_their_codes() {
    let s = common::backend::server(ServerConfig::ephemeral(ADMIN)).await;
    let c = client();
    let token = enroll(&c, &s, "d1").await;
    let data = file(ATTACHMENT_CHUNK_SIZE + 10);
    let chunks: Vec<&[u8]> = data.chunks(ATTACHMENT_CHUNK_SIZE).collect();
    // Wrong length for a middle chunk, index past the end, a chunk that is not the hashed one.
    assert_eq!(
        put(&c, &s, &token, &data, 0, chunks[1]).await,
        (422, "chunk.hash_mismatch".into())
    );
    assert_eq!(
        put(&c, &s, &token, &data, 2, chunks[1]).await,
        (422, "chunk.out_of_range".into())
    );
    let r = c
        .put(format!(
            "{}/v1/attachments/{}/chunks/0",
            s.base_url(),
            hex_sha(&data)
        ))
        .bearer_auth(&token)
        .header("x-chunk-sha256", hex_sha(chunks[1]))
        .header("x-attachment-size", data.len().to_string())
        .body(chunks[0].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let big = vec![0u8; 1];
    let r = c
        .put(format!(
            "{}/v1/attachments/{}/chunks/0",
            s.base_url(),
            "a".repeat(64)
        ))
        .bearer_auth(&token)
        .header("x-chunk-sha256", hex_sha(&big))
        .header("x-attachment-size", (5 * 1024 * 1024 + 1).to_string())
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(
        r.json::<ErrorBody>().await.unwrap().code,
        "attachment.too_large"
    );
    let r = c
        .get(format!("{}/v1/attachments/NOT-A-HASH", s.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // A file whose chunks all pass but whose whole hash is not its id: dropped.
    let wrong_id = "b".repeat(64);
    let one = file(100);
    let r = c
        .put(format!(
            "{}/v1/attachments/{wrong_id}/chunks/0",
            s.base_url()
        ))
        .bearer_auth(&token)
        .header("x-chunk-sha256", hex_sha(&one))
        .header("x-attachment-size", "100")
        .body(one.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = post_complete(&c, &s, &token, &wrong_id).await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<ErrorBody>().await.unwrap().code,
        "attachment.hash_mismatch"
    );
    let r = c
        .get(format!("{}/v1/attachments/{wrong_id}", s.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "every chunk was dropped");
}

#[tokio::test]
async fn a_submission_is_complete_when_its_files_are() {
    let s = common::backend::server(ServerConfig::ephemeral(ADMIN)).await;
    let c = client();
    let token = enroll(&c, &s, "d1").await;
    let data = file(500);
    let sha = hex_sha(&data);
    let mut payload = rantau_core::forms::samples::sample_registration();
    payload.insert("departure_date".into(), json!("2025-07-05"));
    payload.insert("ktp_photo".into(), json!([sha]));
    let item = json!({"id": "reg-1", "form_id": "pmi-registration", "form_version": 1,
                      "created_at": "2026-01-01T00:00:00Z", "payload": payload});
    let r = c
        .post(format!("{}/v1/submissions/batch", s.base_url()))
        .bearer_auth(&token)
        .json(&json!({"items": [item]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let files = || async {
        let list: SubmissionList = c
            .get(format!("{}/v1/admin/submissions", s.base_url()))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let sub = list
            .submissions
            .into_iter()
            .find(|x| x.id == "reg-1")
            .unwrap();
        (sub.status, sub.files_expected, sub.files_complete)
    };
    // The KTP above and the sample's family card (required before placement).
    assert_eq!(files().await, ("accepted".to_string(), 2, 0));
    assert_eq!(put(&c, &s, &token, &data, 0, &data).await.0, 204);
    assert_eq!(
        files().await.2,
        0,
        "chunks alone do not make the file complete"
    );
    assert_eq!(post_complete(&c, &s, &token, &sha).await.status(), 200);
    assert_eq!(files().await, ("accepted".to_string(), 2, 1));
    let (_, kk) = rantau_core::forms::samples::sample_documents()
        .into_iter()
        .find(|(f, _)| f == "kk_photo")
        .unwrap();
    assert_eq!(put(&c, &s, &token, &kk, 0, &kk).await.0, 204);
    assert_eq!(
        post_complete(&c, &s, &token, &hex_sha(&kk)).await.status(),
        200
    );
    assert_eq!(files().await, ("accepted".to_string(), 2, 2));
}
