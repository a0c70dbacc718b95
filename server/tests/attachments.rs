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
use common::uploads::{file, hex_sha, post_complete, put, put_run, statuses};

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

#[tokio::test]
async fn a_run_of_chunks_is_stored_and_its_last_answer_is_the_verified_file() {
    let s = common::backend::server(ServerConfig::ephemeral(ADMIN)).await;
    let c = client();
    let token = enroll(&c, &s, "d1").await;
    let data = file(5 * ATTACHMENT_CHUNK_SIZE + 100);
    let sha = hex_sha(&data);
    let chunks: Vec<&[u8]> = data.chunks(ATTACHMENT_CHUNK_SIZE).collect();
    let id = (sha.as_str(), data.len());
    let (code, first) = put_run(&c, &s, &token, id, 0, &chunks[..2]).await;
    assert_eq!(code, 200);
    let first = first.unwrap();
    assert_eq!((first.chunks_received, first.complete), (vec![0, 1], false));
    // The rest in one run: the answer is the completion, no POST …/complete.
    let (code, done) = put_run(&c, &s, &token, id, 2, &chunks[2..]).await;
    assert_eq!(code, 200);
    let done = done.unwrap();
    assert!(done.complete, "{done:?}");
    assert_eq!(done.chunks_received, (0..6).collect::<Vec<u32>>());
    let again: AttachmentStatus = post_complete(&c, &s, &token, &sha)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, done, "the same file the old completion sees");
    // A run again after completion: nothing written, the file is complete.
    let (code, still) = put_run(&c, &s, &token, id, 4, &chunks[4..]).await;
    assert_eq!((code, still.unwrap().complete), (200, true));
}

#[tokio::test]
async fn a_run_whose_file_is_not_the_one_named_is_refused_and_dropped() {
    let s = common::backend::server(ServerConfig::ephemeral(ADMIN)).await;
    let c = client();
    let token = enroll(&c, &s, "d1").await;
    let data = file(2 * ATTACHMENT_CHUNK_SIZE + 7);
    let chunks: Vec<&[u8]> = data.chunks(ATTACHMENT_CHUNK_SIZE).collect();
    // Every chunk matches its own hash, the whole does not match the id.
    let wrong = hex_sha(b"another file");
    let (code, answer) = put_run(&c, &s, &token, (&wrong, data.len()), 0, &chunks).await;
    assert_eq!(
        (code, answer.unwrap_err()),
        (422, "attachment.hash_mismatch".to_string())
    );
    let (code, held) = statuses(&c, &s, &token, &[wrong]).await;
    assert_eq!(code, 200);
    let held = &held["attachments"];
    assert!(
        held.as_array().unwrap().is_empty()
            || held[0]["chunks_received"].as_array().unwrap().is_empty(),
        "every chunk dropped: {held}"
    );
}

#[tokio::test]
async fn a_damaged_chunk_in_a_run_keeps_the_chunks_before_it() {
    let s = common::backend::server(ServerConfig::ephemeral(ADMIN)).await;
    let c = client();
    let token = enroll(&c, &s, "d1").await;
    let data = file(4 * ATTACHMENT_CHUNK_SIZE);
    let sha = hex_sha(&data);
    let chunks: Vec<&[u8]> = data.chunks(ATTACHMENT_CHUNK_SIZE).collect();
    let hashes: Vec<String> = chunks.iter().map(|c| hex_sha(c)).collect();
    let mut body = data.clone();
    body[ATTACHMENT_CHUNK_SIZE + 5] ^= 0x5A;
    let r = c
        .put(format!("{}/v1/attachments/{sha}/chunks/0", s.base_url()))
        .bearer_auth(&token)
        .header("x-chunk-count", "4")
        .header("x-chunk-sha256", hashes.join(","))
        .header("x-attachment-size", data.len().to_string())
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<ErrorBody>().await.unwrap().code,
        "chunk.hash_mismatch"
    );
    let (_, held) = statuses(&c, &s, &token, std::slice::from_ref(&sha)).await;
    assert_eq!(held["attachments"][0]["chunks_received"], json!([0]));
    assert_eq!(held["attachments"][0]["complete"], json!(false));
}

#[tokio::test]
async fn a_run_cut_mid_body_keeps_every_chunk_that_arrived_whole() {
    use tokio::io::AsyncWriteExt;
    let s = common::backend::server(ServerConfig::ephemeral(ADMIN)).await;
    let c = client();
    let token = enroll(&c, &s, "d1").await;
    let data = file(4 * ATTACHMENT_CHUNK_SIZE);
    let sha = hex_sha(&data);
    let hashes: Vec<String> = data.chunks(ATTACHMENT_CHUNK_SIZE).map(hex_sha).collect();
    let head = format!(
        "PUT /v1/attachments/{sha}/chunks/0 HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\n\
         content-type: application/octet-stream\r\nx-chunk-count: 4\r\nx-chunk-sha256: {}\r\n\
         x-attachment-size: {}\r\ncontent-length: {}\r\n\r\n",
        hashes.join(","),
        data.len(),
        data.len()
    );
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(head.as_bytes()).await.unwrap();
    // Two whole chunks and half of the third cross; then the link is gone.
    tcp.write_all(&data[..2 * ATTACHMENT_CHUNK_SIZE + ATTACHMENT_CHUNK_SIZE / 2])
        .await
        .unwrap();
    tcp.flush().await.unwrap();
    drop(tcp);
    let mut held = json!(null);
    for _ in 0..100 {
        held = statuses(&c, &s, &token, std::slice::from_ref(&sha)).await.1;
        if held["attachments"][0]["chunks_received"] == json!([0, 1]) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        held["attachments"][0]["chunks_received"],
        json!([0, 1]),
        "{held}"
    );
    assert_eq!(held["attachments"][0]["complete"], json!(false));
}

#[tokio::test]
async fn the_status_of_many_files_is_one_request_and_shows_only_the_callers() {
    let s = common::backend::server(ServerConfig::ephemeral(ADMIN)).await;
    let c = client();
    let token = enroll(&c, &s, "d1").await;
    let other = enroll(&c, &s, "d2").await;
    let whole = file(ATTACHMENT_CHUNK_SIZE + 3);
    let part = file(3 * ATTACHMENT_CHUNK_SIZE);
    let foreign = file(100);
    let chunks: Vec<&[u8]> = whole.chunks(ATTACHMENT_CHUNK_SIZE).collect();
    let (code, _) = put_run(&c, &s, &token, (&hex_sha(&whole), whole.len()), 0, &chunks).await;
    assert_eq!(code, 200);
    assert_eq!(
        put(
            &c,
            &s,
            &token,
            &part,
            1,
            &part[ATTACHMENT_CHUNK_SIZE..2 * ATTACHMENT_CHUNK_SIZE]
        )
        .await
        .0,
        204
    );
    assert_eq!(put(&c, &s, &other, &foreign, 0, &foreign).await.0, 204);
    let missing = "0".repeat(64);
    let ids = [
        hex_sha(&whole),
        hex_sha(&part),
        hex_sha(&foreign),
        missing,
        hex_sha(&whole),
    ];
    let (code, answer) = statuses(&c, &s, &token, &ids).await;
    assert_eq!(code, 200);
    let got: Vec<(String, bool, Vec<u32>)> = answer["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let st: AttachmentStatus = serde_json::from_value(a.clone()).unwrap();
            (st.sha256, st.complete, st.chunks_received)
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (hex_sha(&whole), true, vec![0, 1]),
            (hex_sha(&part), false, vec![1]),
        ],
        "another device's file and a missing one are left out alike, a repeated id once"
    );
    // Too many ids, or one that is not an id: refused whole.
    let many: Vec<String> = (0..201).map(|i| format!("{i:064x}")).collect();
    let (code, err) = statuses(&c, &s, &token, &many).await;
    assert_eq!((code, err["code"].as_str()), (422, Some("body.invalid")));
    let (code, err) = statuses(&c, &s, &token, &["../etc".to_string()]).await;
    assert_eq!((code, err["code"].as_str()), (422, Some("body.invalid")));
}

#[tokio::test]
async fn bad_runs_are_refused_with_their_codes() {
    let s = common::backend::server(ServerConfig::ephemeral(ADMIN)).await;
    let c = client();
    let token = enroll(&c, &s, "d1").await;
    let data = file(3 * ATTACHMENT_CHUNK_SIZE);
    let sha = hex_sha(&data);
    let chunks: Vec<&[u8]> = data.chunks(ATTACHMENT_CHUNK_SIZE).collect();
    let id = (sha.as_str(), data.len());
    // Past the end of the file.
    assert_eq!(
        put_run(&c, &s, &token, id, 2, &chunks[..2]).await,
        (422, Err("chunk.out_of_range".into()))
    );
    // A count the hashes do not match, a count of 0 or over the limit.
    for (count, hashes) in [("2", 3), ("0", 0), ("65", 65)] {
        let list: Vec<String> = (0..hashes).map(|i| hex_sha(chunks[i % 3])).collect();
        let r = c
            .put(format!("{}/v1/attachments/{sha}/chunks/0", s.base_url()))
            .bearer_auth(&token)
            .header("x-chunk-count", count)
            .header("x-chunk-sha256", list.join(","))
            .header("x-attachment-size", data.len().to_string())
            .body(data.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "count {count}");
        assert_eq!(r.json::<ErrorBody>().await.unwrap().code, "body.invalid");
    }
    // A body longer than its chunks.
    let hashes: Vec<String> = chunks[..2].iter().map(|c| hex_sha(c)).collect();
    let r = c
        .put(format!("{}/v1/attachments/{sha}/chunks/0", s.base_url()))
        .bearer_auth(&token)
        .header("x-chunk-count", "2")
        .header("x-chunk-sha256", hashes.join(","))
        .header("x-attachment-size", data.len().to_string())
        .body(data.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<ErrorBody>().await.unwrap().code,
        "chunk.hash_mismatch"
    );
}

#[tokio::test]
async fn a_batch_answers_the_status_of_the_files_asked_along_and_refuses_a_bad_ask_unstored() {
    let s = common::backend::server(ServerConfig::ephemeral(ADMIN)).await;
    let c = client();
    let token = enroll(&c, &s, "d1").await;
    let part = file(3 * ATTACHMENT_CHUNK_SIZE);
    let sha = hex_sha(&part);
    let second = &part[ATTACHMENT_CHUNK_SIZE..2 * ATTACHMENT_CHUNK_SIZE];
    assert_eq!(put(&c, &s, &token, &part, 1, second).await.0, 204);
    let item = |id: &str| {
        let mut payload = rantau_core::forms::samples::sample_registration();
        payload.insert("departure_date".into(), json!("2025-07-05"));
        payload.insert("ktp_photo".into(), json!([sha]));
        json!({"id": id, "form_id": "pmi-registration", "form_version": 1,
               "created_at": "2026-01-01T00:00:00Z", "payload": payload})
    };
    let batch = |body: serde_json::Value| {
        c.post(format!("{}/v1/submissions/batch", s.base_url()))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let missing = "0".repeat(64);
    let r = batch(json!({"items": [item("reg-1")], "attachment_status": [sha, missing]}))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let answer: serde_json::Value = r.json().await.unwrap();
    assert_eq!(answer["results"][0]["status"], "accepted");
    let held: Vec<AttachmentStatus> =
        serde_json::from_value(answer["attachments"].clone()).unwrap();
    assert_eq!(
        held.iter()
            .map(|a| (a.sha256.as_str(), a.complete, a.chunks_received.clone()))
            .collect::<Vec<_>>(),
        [(sha.as_str(), false, vec![1])],
        "what is held of the asked file; the one held nothing of is absent"
    );
    // Not asked: no statuses in the answer (the answer of a server before them).
    let r = batch(json!({"items": [item("reg-1")]})).await.unwrap();
    let answer: serde_json::Value = r.json().await.unwrap();
    assert_eq!(answer["results"][0]["status"], "duplicate");
    assert!(answer.get("attachments").is_none(), "{answer}");
    // A bad id in the ask refuses the batch before anything is stored.
    let r = batch(json!({"items": [item("reg-2")], "attachment_status": ["../etc"]}))
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let list: SubmissionList = c
        .get(format!("{}/v1/admin/submissions", s.base_url()))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list.submissions.iter().all(|x| x.id != "reg-2"));
}
