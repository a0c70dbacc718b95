//! Upload of document files after the push: for each file a submission names, ask
//! the server what it holds, send only the missing chunks, then ask it to verify
//! the whole file. A cut connection costs at most the chunk in flight: the next
//! attempt (in this run, or the next) starts from the server's answer.

use std::collections::BTreeSet;

use super::http::{Failure, Http};
use super::meta_keys::META_TOKEN;
use super::observer::{SyncObserver, SyncReport, SyncState};
use super::push::now_ms;
use crate::protocol::wire::{AttachmentStatus, ATTACHMENT_CHUNK_SIZE};
use crate::store::attachments::{self, AttachmentRow};
use crate::store::meta::set_meta;
use crate::store::{InterruptHandle, Store};
use crate::{Error, Result};

/// Attempts in a row that sent nothing before the upload gives up for this run.
const MAX_FRUITLESS_ATTEMPTS: u32 = 3;
/// Times one chunk is re-sent at once after the server found it damaged.
const MAX_CHUNK_RESENDS: u32 = 3;
/// Attempts per file in one run, whatever happens (a guard against a flapping link).
const MAX_ATTEMPTS_PER_FILE: u32 = 200;

/// How the upload phase ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum UploadEnd {
    /// Every pending file is on the server (or was set aside with an error code).
    Completed,
    /// The network or server failed repeatedly: the rest waits for the next run.
    Stopped,
    /// The token was refused and dropped.
    AuthLost,
}

/// One file's progress in this run.
struct Progress<'a> {
    observer: &'a dyn SyncObserver,
    files_done: usize,
    files_total: usize,
    bytes_total: u64,
}

impl Progress<'_> {
    fn tell(&self, report: &SyncReport) {
        self.observer.on_state(SyncState::Uploading {
            files_done: self.files_done,
            files_total: self.files_total,
            bytes_sent: report.doc_bytes_up,
            bytes_total: self.bytes_total,
        });
    }
}

/// What one attempt at a file did.
enum Attempt {
    /// The server holds the whole file, verified.
    Done,
    /// A failure after `sent` chunks were acknowledged in this attempt.
    Failed { failure: Failure, sent: u32 },
}

/// The chunks the server already holds of `file` (empty when it holds nothing).
async fn server_status(
    http: &mut Http<'_>,
    file: &AttachmentRow,
) -> Result<Option<AttachmentStatus>, Failure> {
    match http
        .get_path::<AttachmentStatus>(&format!("/v1/attachments/{}", file.id))
        .await
    {
        Ok(status) => Ok(Some(status)),
        Err(Failure::Permanent(Error::Server { status: 404, .. })) => Ok(None),
        Err(f) => Err(f),
    }
}

async fn attempt(
    http: &mut Http<'_>,
    interrupt: &InterruptHandle,
    file: &AttachmentRow,
    bytes: &[u8],
    report: &mut SyncReport,
    progress: &Progress<'_>,
) -> Result<Attempt> {
    let held: BTreeSet<u32> = match server_status(http, file).await {
        Ok(Some(s)) if s.complete => return Ok(Attempt::Done),
        Ok(Some(s)) => s.chunks_received.into_iter().collect(),
        Ok(None) => BTreeSet::new(),
        Err(failure) => return Ok(Attempt::Failed { failure, sent: 0 }),
    };
    let mut sent = 0u32;
    for (idx, chunk) in bytes.chunks(ATTACHMENT_CHUNK_SIZE).enumerate() {
        let idx = idx as u32;
        if held.contains(&idx) {
            continue;
        }
        interrupt.check()?;
        let chunk_sha = crate::domain::document::content_id(chunk);
        let path = format!("/v1/attachments/{}/chunks/{idx}", file.id);
        let mut resends = 0;
        loop {
            report.doc_bytes_up += chunk.len() as u64;
            match http.put_chunk(&path, chunk, &chunk_sha, file.size).await {
                Ok(()) => break,
                // Damaged on the way: the server kept nothing; send it again.
                Err(Failure::Permanent(Error::Server { ref code, .. }))
                    if code == "chunk.hash_mismatch" && resends < MAX_CHUNK_RESENDS =>
                {
                    resends += 1;
                }
                Err(failure) => return Ok(Attempt::Failed { failure, sent }),
            }
        }
        sent += 1;
        progress.tell(report);
    }
    match http
        .post::<_, AttachmentStatus>(&format!("/v1/attachments/{}/complete", file.id), &())
        .await
    {
        Ok(s) if s.complete => Ok(Attempt::Done),
        Ok(_) => Ok(Attempt::Failed {
            failure: Failure::Transient {
                error: Error::Protocol("file not complete".into()),
                retry_after: None,
            },
            sent,
        }),
        // Chunks went missing or the whole hash failed (the server dropped them):
        // worth another attempt, which starts from the server's status again.
        Err(Failure::Permanent(Error::Server { status, code }))
            if code == "attachment.incomplete" || code == "attachment.hash_mismatch" =>
        {
            Ok(Attempt::Failed {
                failure: Failure::Transient {
                    error: Error::Server { status, code },
                    retry_after: None,
                },
                sent: 0,
            })
        }
        Err(failure) => Ok(Attempt::Failed { failure, sent }),
    }
}

/// Runs the upload phase: every file of a queued, waiting or accepted submission
/// that the server does not hold yet. Files of accepted submissions that are all
/// uploaded are then released from the phone.
pub(crate) async fn upload(
    store: &Store,
    http: &mut Http<'_>,
    observer: &dyn SyncObserver,
    interrupt: &InterruptHandle,
    report: &mut SyncReport,
) -> Result<UploadEnd> {
    let mut files: Vec<AttachmentRow> = Vec::new();
    for (_, file) in store.read(attachments::pending_uploads)? {
        if !files.iter().any(|f| f.id == file.id) {
            files.push(file);
        }
    }
    let mut progress = Progress {
        observer,
        files_done: 0,
        files_total: files.len(),
        bytes_total: files.iter().map(|f| f.size).sum(),
    };
    if files.is_empty() {
        store.write(attachments::release_uploaded)?;
        return Ok(UploadEnd::Completed);
    }
    progress.tell(report);
    for file in &files {
        // Read and verified once: a damaged local copy is never sent.
        let bytes = match store.read(|c| attachments::read_all(c, &file.id)) {
            Ok(b) => b,
            Err(e @ (Error::MalformedStoredData(_) | Error::AttachmentNotFound(_))) => {
                tracing::warn!(code = e.code(), "attachment cannot be read; not uploaded");
                report.upload_error = Some(e.code().to_string());
                continue;
            }
            Err(e) => return Err(e),
        };
        // Before the first byte: its submissions can no longer be taken back.
        store.write(|tx| attachments::mark_submissions_left(tx, &file.id, now_ms()))?;
        let mut fruitless = 0;
        let mut attempts = 0;
        loop {
            interrupt.check()?;
            attempts += 1;
            match attempt(http, interrupt, file, &bytes, report, &progress).await? {
                Attempt::Done => {
                    store.write(|tx| attachments::mark_uploaded(tx, &file.id, now_ms()))?;
                    report.docs_uploaded += 1;
                    progress.files_done += 1;
                    progress.tell(report);
                    break;
                }
                Attempt::Failed {
                    failure: Failure::Auth(e),
                    ..
                } => {
                    store.write(|tx| set_meta(tx, META_TOKEN, ""))?;
                    report.auth_lost = true;
                    report.upload_error = Some(e.code().to_string());
                    return Ok(UploadEnd::AuthLost);
                }
                Attempt::Failed {
                    failure: Failure::Refused(e),
                    ..
                } => {
                    // Not a trusted server: stop, keep the file for a later run.
                    report.upload_error = Some(e.code().to_string());
                    return Err(e);
                }
                Attempt::Failed {
                    failure: Failure::Permanent(e),
                    ..
                } => {
                    // The server will not take this file (e.g. too large for it): leave it
                    // for a later version instead of looping; the others still go.
                    tracing::warn!(code = e.code(), "attachment refused by the server");
                    report.upload_error = Some(e.code().to_string());
                    break;
                }
                Attempt::Failed { failure, .. } if failure.asked_to_wait() => {
                    // Retrying at once would only be refused again: the next run goes on
                    // from the server's status of this file.
                    report.upload_error = Some(failure.code().to_string());
                    return Ok(UploadEnd::Stopped);
                }
                Attempt::Failed { failure, sent } => {
                    fruitless = if sent > 0 { 0 } else { fruitless + 1 };
                    if fruitless >= MAX_FRUITLESS_ATTEMPTS || attempts >= MAX_ATTEMPTS_PER_FILE {
                        report.upload_error = Some(failure.code().to_string());
                        return Ok(UploadEnd::Stopped);
                    }
                }
            }
        }
    }
    store.write(attachments::release_uploaded)?;
    Ok(UploadEnd::Completed)
}
