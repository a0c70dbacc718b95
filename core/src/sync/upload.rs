//! Upload of document files after the push. One request asks the server what it
//! holds of every pending file; each file's missing chunks then go in runs of
//! consecutive chunks, one run per request, sized to the link ([`RunSize`]), and
//! the run that makes a file whole gets the server's verified completion in its
//! answer. Up to [`FILES_IN_FLIGHT`] files travel at once, so the link carries
//! one run while the answer to another crosses back instead of idling a round
//! trip per request. A cut costs at most the chunk in flight per request: the
//! server keeps every chunk that arrived whole, and after a failure a file goes on
//! from the server's status (in this run, or the next).

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use super::http::{decode, exchange, Failure, Http};
use super::known_status::KnownStatuses;
use super::meta_keys::META_TOKEN;
use super::observer::{SyncObserver, SyncReport, SyncState};
use super::push::now_ms;
use super::run_size::RunSize;
use crate::domain::document::content_id;
use crate::protocol::wire::{
    chunk_count, AttachmentStatus, AttachmentStatusRequest, AttachmentStatuses,
    ATTACHMENT_CHUNK_SIZE, MAX_STATUS_IDS,
};
use crate::store::attachments::{self, AttachmentRow};
use crate::store::meta::set_meta;
use crate::store::{InterruptHandle, Store};
use crate::{Error, Result};

/// Failures of one file in a row, with no chunk gained, before the upload gives
/// up for this run.
const MAX_FRUITLESS_ATTEMPTS: u32 = 3;
/// Times one file's chunks are re-sent after the server found one damaged.
const MAX_CHUNK_RESENDS: u32 = 3;
/// Failures per file in one run, whatever happens (a guard against a flapping link).
const MAX_ATTEMPTS_PER_FILE: u32 = 200;
/// Files whose requests may be on the link at once (one request each). Two keep
/// the link busy through each answer's round trip; more would only split it.
pub(crate) const FILES_IN_FLIGHT: usize = 2;

/// Wait before asking a file's status after a run failed on the way. The cut
/// connection's last bytes reach the server a moment after the phone notices the
/// cut (they are behind it on the link); asked at once, the server could answer
/// before it stored the chunks that arrived whole, and they would be sent again.
/// A phone reconnecting pays a round trip or more anyway.
const SETTLE_AFTER_CUT: Duration = Duration::from_millis(300);

/// The path of the status of many attachments.
const STATUS_PATH: &str = "/v1/attachments/status";

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

/// One file being uploaded: its bytes and what the server is known to lack.
struct Upload {
    row: AttachmentRow,
    bytes: Vec<u8>,
    /// Chunks the server lacks, ascending; `None` until its status is known again.
    missing: Option<VecDeque<u32>>,
    /// Chunks the server held at the last status (a failure that gained some is
    /// not fruitless: the server kept what arrived whole).
    held: usize,
    fruitless: u32,
    attempts: u32,
    resends: u32,
    /// The last run failed on the way: its status waits [`SETTLE_AFTER_CUT`].
    settle: bool,
}

/// What a request in flight asked.
#[derive(Debug, Clone, Copy)]
enum Ask {
    /// The status of the file.
    Status,
    /// A run of `count` chunks, `bytes` long, sent while `sharing` runs (itself
    /// included) were on the link.
    Run {
        count: u32,
        bytes: u64,
        sharing: u32,
    },
}

/// A request's answer, back from the link.
struct Answer {
    file: usize,
    ask: Ask,
    started: Instant,
    body: Result<Vec<u8>, Failure>,
    down: u64,
}

/// What to do after an answer.
enum Next {
    /// Send the file's next request.
    Continue,
    /// The server holds the whole file, verified.
    Done,
    /// Leave the file for a later run; the others go on.
    SetAside,
}

/// The upload phase's state: the files, the requests in flight, the counters.
struct Phase<'a, 'h> {
    store: &'a Store,
    http: &'a mut Http<'h>,
    observer: &'a dyn SyncObserver,
    interrupt: &'a InterruptHandle,
    report: &'a mut SyncReport,
    uploads: Vec<Option<Upload>>,
    in_flight: JoinSet<Answer>,
    /// Runs on the link now (status requests are too small to count).
    runs_in_flight: u32,
    run_size: RunSize,
    files_done: usize,
    files_total: usize,
    bytes_total: u64,
}

impl Phase<'_, '_> {
    fn tell(&self) {
        self.observer.on_state(SyncState::Uploading {
            files_done: self.files_done,
            files_total: self.files_total,
            bytes_sent: self.report.doc_bytes_up,
            bytes_total: self.bytes_total,
        });
    }

    /// Puts file `file`'s next request on the link: its status when unknown, else
    /// its next run of missing chunks.
    fn send_next(&mut self, file: usize) -> Result<Option<Failure>> {
        self.interrupt.check()?;
        let Some(up) = self.uploads[file].as_mut() else {
            return Ok(None);
        };
        let settle = std::mem::take(&mut up.settle);
        let prepared = match up.missing.as_mut() {
            None => {
                let ids = vec![up.row.id.clone()];
                self.http
                    .post_request(STATUS_PATH, &AttachmentStatusRequest { ids })
                    .map(|req| (req, Ask::Status))
            }
            Some(missing) => {
                let Some(&first) = missing.front() else {
                    return Ok(Some(not_complete()));
                };
                // Consecutive missing chunks from the first one, up to the run size.
                let left = u32::try_from(missing.len()).unwrap_or(u32::MAX);
                let count = missing
                    .iter()
                    .zip(first..)
                    .take(self.run_size.chunks_for(left) as usize)
                    .take_while(|(idx, expected)| *idx == expected)
                    .count() as u32;
                let start = first as usize * ATTACHMENT_CHUNK_SIZE;
                let end = ((first + count) as usize * ATTACHMENT_CHUNK_SIZE).min(up.bytes.len());
                let data = &up.bytes[start..end];
                let hashes: Vec<String> =
                    data.chunks(ATTACHMENT_CHUNK_SIZE).map(content_id).collect();
                let bytes = data.len() as u64;
                self.http
                    .chunk_run(&up.row.id, first, data, &hashes, up.row.size)
                    .map(|req| {
                        let sharing = self.runs_in_flight + 1;
                        (
                            req,
                            Ask::Run {
                                count,
                                bytes,
                                sharing,
                            },
                        )
                    })
            }
        };
        let (req, ask) = match prepared {
            Ok(p) => p,
            Err(failure) => return Ok(Some(failure)),
        };
        if let Ask::Run { bytes, .. } = ask {
            self.report.doc_bytes_up += bytes;
            self.runs_in_flight += 1;
        }
        let started = Instant::now();
        self.in_flight.spawn(async move {
            if settle && matches!(ask, Ask::Status) {
                tokio::time::sleep(SETTLE_AFTER_CUT).await;
            }
            let (body, down) = exchange(req).await;
            Answer {
                file,
                ask,
                started,
                body,
                down,
            }
        });
        Ok(None)
    }

    /// Takes an answer to file `file`'s request: what to do with the file next.
    fn take(
        &mut self,
        file: usize,
        ask: Ask,
        started: Instant,
        body: Vec<u8>,
    ) -> Result<Next, Failure> {
        let Some(up) = self.uploads[file].as_mut() else {
            return Ok(Next::SetAside);
        };
        match ask {
            Ask::Status => {
                let found: AttachmentStatuses = decode(&body)?;
                let status = found
                    .attachments
                    .into_iter()
                    .find(|s| s.sha256 == up.row.id);
                if status.as_ref().is_some_and(|s| s.complete) {
                    return Ok(Next::Done);
                }
                let held = status.map(|s| s.chunks_received).unwrap_or_default();
                if held.len() > up.held {
                    up.fruitless = 0;
                }
                up.held = held.len();
                up.missing = Some(missing_chunks(up.row.size, &held));
                Ok(Next::Continue)
            }
            Ask::Run {
                count,
                bytes,
                sharing,
            } => {
                let status: AttachmentStatus = decode(&body)?;
                self.run_size.answered(bytes, started.elapsed(), sharing);
                up.fruitless = 0;
                if let Some(missing) = up.missing.as_mut() {
                    missing.drain(..(count as usize).min(missing.len()));
                }
                self.tell();
                if status.complete {
                    Ok(Next::Done)
                } else {
                    Ok(Next::Continue)
                }
            }
        }
    }

    /// A failed request of file `file`: whether the file is tried again, set
    /// aside, or the phase ends (`Err` holds how).
    fn failed(&mut self, file: usize, ask: Ask, failure: Failure) -> Result<Next, PhaseEnd> {
        let Some(up) = self.uploads[file].as_mut() else {
            return Ok(Next::SetAside);
        };
        let failure = match failure {
            Failure::Auth(e) => return Err(PhaseEnd::AuthLost(e)),
            Failure::Refused(e) => return Err(PhaseEnd::Refused(e)),
            // Damaged on the way: the server kept the chunks before it; send the
            // rest again, from its status.
            Failure::Permanent(Error::Server { ref code, .. })
                if code == "chunk.hash_mismatch" && up.resends < MAX_CHUNK_RESENDS =>
            {
                up.resends += 1;
                up.missing = None;
                return Ok(Next::Continue);
            }
            // Chunks went missing or the whole hash failed (the server dropped them):
            // worth another attempt, which starts from the server's status again.
            Failure::Permanent(Error::Server { status, code })
                if code == "attachment.incomplete" || code == "attachment.hash_mismatch" =>
            {
                Failure::Transient {
                    error: Error::Server { status, code },
                    retry_after: None,
                }
            }
            Failure::Permanent(e) => {
                // The server will not take this file (e.g. too large for it): leave it
                // for a later version instead of looping; the others still go.
                tracing::warn!(code = e.code(), "attachment refused by the server");
                self.report.upload_error = Some(e.code().to_string());
                return Ok(Next::SetAside);
            }
            other => other,
        };
        if failure.asked_to_wait() {
            // Retrying at once would only be refused again: the next run goes on
            // from the server's status of this file.
            return Err(PhaseEnd::Stopped(failure.code()));
        }
        if matches!(ask, Ask::Run { .. }) {
            self.run_size.failed();
            up.settle = true;
        }
        up.missing = None;
        up.fruitless += 1;
        up.attempts += 1;
        if up.fruitless >= MAX_FRUITLESS_ATTEMPTS || up.attempts >= MAX_ATTEMPTS_PER_FILE {
            return Err(PhaseEnd::Stopped(failure.code()));
        }
        Ok(Next::Continue)
    }

    /// Reads the next file to upload into `uploads[file]`; false when it cannot be
    /// read (set aside with its error code).
    fn open(
        &mut self,
        file: usize,
        row: AttachmentRow,
        status: Option<&AttachmentStatus>,
    ) -> Result<bool> {
        // Read and verified once: a damaged local copy is never sent.
        let bytes = match self.store.read(|c| attachments::read_all(c, &row.id)) {
            Ok(b) => b,
            Err(e @ (Error::MalformedStoredData(_) | Error::AttachmentNotFound(_))) => {
                tracing::warn!(code = e.code(), "attachment cannot be read; not uploaded");
                self.report.upload_error = Some(e.code().to_string());
                return Ok(false);
            }
            Err(e) => return Err(e),
        };
        // Before the first byte: its submissions can no longer be taken back.
        self.store
            .write(|tx| attachments::mark_submissions_left(tx, &row.id, now_ms()))?;
        let held = status
            .map(|s| s.chunks_received.clone())
            .unwrap_or_default();
        self.uploads[file] = Some(Upload {
            missing: Some(missing_chunks(row.size, &held)),
            held: held.len(),
            row,
            bytes,
            fruitless: 0,
            attempts: 0,
            resends: 0,
            settle: false,
        });
        Ok(true)
    }

    /// The file is on the server: the phone records it and frees its slot.
    fn done(&mut self, file: usize) -> Result<()> {
        if let Some(up) = self.uploads[file].take() {
            self.store
                .write(|tx| attachments::mark_uploaded(tx, &up.row.id, now_ms()))?;
            self.report.docs_uploaded += 1;
            self.files_done += 1;
            self.tell();
        }
        Ok(())
    }
}

/// Why the phase ended before every file was done.
enum PhaseEnd {
    AuthLost(Error),
    Refused(Error),
    Stopped(&'static str),
}

fn not_complete() -> Failure {
    Failure::Transient {
        error: Error::Protocol("file not complete".into()),
        retry_after: None,
    }
}

/// The chunks of a file of `size` bytes that are not in `held`, ascending.
fn missing_chunks(size: u64, held: &[u32]) -> VecDeque<u32> {
    let held: BTreeSet<u32> = held.iter().copied().collect();
    (0..chunk_count(size))
        .filter(|i| !held.contains(i))
        .collect()
}

/// The server's status of every file in `files`, in requests of at most
/// [`MAX_STATUS_IDS`] ids; transient failures are tried again a few times.
async fn statuses(
    http: &mut Http<'_>,
    files: &[AttachmentRow],
) -> Result<HashMap<String, AttachmentStatus>, Failure> {
    let mut found = HashMap::new();
    for group in files.chunks(MAX_STATUS_IDS) {
        let req = AttachmentStatusRequest {
            ids: group.iter().map(|f| f.id.clone()).collect(),
        };
        let mut tries = 0;
        let answer: AttachmentStatuses = loop {
            tries += 1;
            match http.post(STATUS_PATH, &req).await {
                Ok(answer) => break answer,
                Err(f @ Failure::Transient { .. })
                    if !f.asked_to_wait() && tries < MAX_FRUITLESS_ATTEMPTS => {}
                Err(f) => return Err(f),
            }
        };
        for s in answer.attachments {
            found.insert(s.sha256.clone(), s);
        }
    }
    Ok(found)
}

/// Runs the upload phase: every file of a queued, waiting or accepted submission
/// that the server does not hold yet. Files of accepted submissions that are all
/// uploaded are then released from the phone.
/// Files whose status came along with the push (`known`) need no status request.
pub(crate) async fn upload(
    store: &Store,
    http: &mut Http<'_>,
    observer: &dyn SyncObserver,
    interrupt: &InterruptHandle,
    report: &mut SyncReport,
    known: KnownStatuses,
) -> Result<UploadEnd> {
    let mut files: Vec<AttachmentRow> = Vec::new();
    for (_, file) in store.read(attachments::pending_uploads)? {
        if !files.iter().any(|f| f.id == file.id) {
            files.push(file);
        }
    }
    if files.is_empty() {
        store.write(attachments::release_uploaded)?;
        return Ok(UploadEnd::Completed);
    }
    let mut phase = Phase {
        store,
        http,
        observer,
        interrupt,
        report,
        uploads: (0..files.len()).map(|_| None).collect(),
        in_flight: JoinSet::new(),
        runs_in_flight: 0,
        run_size: RunSize::default(),
        files_done: 0,
        files_total: files.len(),
        bytes_total: files.iter().map(|f| f.size).sum(),
    };
    phase.tell();
    interrupt.check()?;
    let unknown: Vec<AttachmentRow> = known.unknown(&files).into_iter().cloned().collect();
    let mut held = known.into_held();
    if !unknown.is_empty() {
        match statuses(phase.http, &unknown).await {
            Ok(found) => held.extend(found),
            Err(failure) => return end(&mut phase, failure_end(failure)),
        }
    }
    let mut queue = files.into_iter().enumerate();
    let mut active = 0usize;
    loop {
        // Fill the free slots with the next files.
        while active < FILES_IN_FLIGHT {
            let Some((file, row)) = queue.next() else {
                break;
            };
            let status = held.get(&row.id);
            if !phase.open(file, row, status)? {
                continue;
            }
            if status.is_some_and(|s| s.complete) {
                phase.done(file)?;
                continue;
            }
            active += 1;
            match launch(&mut phase, file)? {
                Ok(Launched::Sent) => {}
                Ok(Launched::Freed) => active -= 1,
                Err(why) => return end(&mut phase, why),
            }
        }
        let Some(joined) = phase.in_flight.join_next().await else {
            break;
        };
        // Only a panic in a request's task (nothing is aborted while the loop runs).
        let answer = joined.map_err(|e| Error::Io(std::io::Error::other(e)))?;
        phase.http.counters.bytes_down += answer.down;
        let file = answer.file;
        if matches!(answer.ask, Ask::Run { .. }) {
            phase.runs_in_flight = phase.runs_in_flight.saturating_sub(1);
        }
        let next = match answer.body {
            Ok(body) => match phase.take(file, answer.ask, answer.started, body) {
                Ok(next) => Ok(next),
                Err(failure) => phase.failed(file, answer.ask, failure),
            },
            Err(failure) => phase.failed(file, answer.ask, failure),
        };
        match next {
            Ok(Next::Continue) => match launch(&mut phase, file)? {
                Ok(Launched::Sent) => {}
                Ok(Launched::Freed) => active -= 1,
                Err(why) => return end(&mut phase, why),
            },
            Ok(Next::Done) => {
                phase.done(file)?;
                active -= 1;
            }
            Ok(Next::SetAside) => {
                phase.uploads[file] = None;
                active -= 1;
            }
            Err(why) => return end(&mut phase, why),
        }
    }
    store.write(attachments::release_uploaded)?;
    Ok(UploadEnd::Completed)
}

/// What became of a file's next request.
enum Launched {
    /// It is on the link.
    Sent,
    /// The file was set aside: its slot is free.
    Freed,
}

/// Sends file `file`'s next request; a request that cannot even be built fails
/// the file as its answer would.
fn launch(phase: &mut Phase<'_, '_>, file: usize) -> Result<Result<Launched, PhaseEnd>> {
    // Bounded: each pass puts a request on the link or counts a failure, and
    // failures end in a set-aside file or a stopped phase.
    loop {
        let Some(failure) = phase.send_next(file)? else {
            return Ok(Ok(Launched::Sent));
        };
        match phase.failed(file, Ask::Status, failure) {
            Ok(Next::Continue) => {}
            Ok(_) => {
                phase.uploads[file] = None;
                return Ok(Ok(Launched::Freed));
            }
            Err(why) => return Ok(Err(why)),
        }
    }
}

fn failure_end(failure: Failure) -> PhaseEnd {
    match failure {
        Failure::Auth(e) => PhaseEnd::AuthLost(e),
        Failure::Refused(e) => PhaseEnd::Refused(e),
        other => PhaseEnd::Stopped(other.code()),
    }
}

/// Ends the phase early: what is in flight is dropped (the server keeps what
/// arrived whole), the reason is recorded.
fn end(phase: &mut Phase<'_, '_>, why: PhaseEnd) -> Result<UploadEnd> {
    phase.in_flight.abort_all();
    match why {
        PhaseEnd::AuthLost(e) => {
            phase.store.write(|tx| set_meta(tx, META_TOKEN, ""))?;
            phase.report.auth_lost = true;
            phase.report.upload_error = Some(e.code().to_string());
            Ok(UploadEnd::AuthLost)
        }
        PhaseEnd::Refused(e) => {
            // Not a trusted server: stop, keep the file for a later run.
            phase.report.upload_error = Some(e.code().to_string());
            Err(e)
        }
        PhaseEnd::Stopped(code) => {
            phase.report.upload_error = Some(code.to_string());
            Ok(UploadEnd::Stopped)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_chunks_are_those_not_held_in_order() {
        let c = ATTACHMENT_CHUNK_SIZE as u64;
        assert_eq!(missing_chunks(5 * c + 1, &[4, 0, 2]), [1, 3, 5]);
        assert_eq!(missing_chunks(1, &[]), [0]);
        assert!(missing_chunks(2 * c, &[0, 1]).is_empty());
    }
}
