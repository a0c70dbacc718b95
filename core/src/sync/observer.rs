//! What a sync run tells its caller while it runs ([`SyncState`] through a
//! [`SyncObserver`]) and when it ends ([`SyncReport`]).

/// A step of a sync run, reported as it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncState {
    /// Enrolling this device with the server (first sync, or after the token was refused).
    Enrolling,
    /// Sending the outbox: `sent` of `total` submissions due at the start of the run.
    Pushing {
        /// Submissions sent so far in this run.
        sent: usize,
        /// Submissions due when the run started.
        total: usize,
    },
    /// Uploading document files: chunk bytes sent so far of the bytes still missing
    /// on the server when the run started.
    Uploading {
        /// Files the server now holds completely, in this run.
        files_done: usize,
        /// Files to upload in this run.
        files_total: usize,
        /// Chunk bytes sent so far in this run.
        bytes_sent: u64,
        /// Size of the files to upload, in bytes.
        bytes_total: u64,
    },
    /// Reading the change feed: `events` applied so far.
    Pulling {
        /// Events applied so far in this run.
        events: usize,
    },
    /// The run finished (it may still have left work waiting; see the report).
    Done(SyncReport),
    /// The run stopped with an error (its stable code).
    Failed {
        /// Stable error code, see [`crate::Error::code`].
        code: String,
    },
}

/// Receives sync progress. Called from the task running the sync; keep it quick.
pub trait SyncObserver: Send + Sync {
    /// A new state.
    fn on_state(&self, state: SyncState);
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl SyncObserver for NoObserver {
    fn on_state(&self, _state: SyncState) {}
}

/// What one sync run did. Byte counts are HTTP body bytes as they crossed the wire
/// (after compression); headers are not counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Submissions sent (each time it was put in a request).
    pub sent: usize,
    /// Accepted for the first time.
    pub accepted: usize,
    /// Answered "duplicate": the server had it already (e.g. a lost response); no second record.
    pub duplicates: usize,
    /// Rejected by the server's validation; the user can reopen them.
    pub rejected: usize,
    /// Same id with a different payload on the server; needs attention.
    pub conflicts: usize,
    /// Held back because the registration they refer to is not accepted yet.
    pub held: usize,
    /// Submissions put back to wait after a transient failure.
    pub waiting: usize,
    /// Document files the server confirmed complete in this run (already-held files included).
    pub docs_uploaded: usize,
    /// Document chunk bytes sent (re-sent ones after a cut included).
    pub doc_bytes_up: u64,
    /// Code of the failure that ended the upload early, if any.
    pub upload_error: Option<String>,
    /// Change-feed events applied.
    pub pulled_events: usize,
    /// Request body bytes sent.
    pub bytes_up: u64,
    /// Response body bytes received.
    pub bytes_down: u64,
    /// HTTP requests made.
    pub requests: usize,
    /// The server refused the device token and enrolling again within this run did
    /// not help: the token was dropped, the run stopped, and the next sync enrolls
    /// again. (A refusal that one re-enrollment cured is not reported.)
    pub auth_lost: bool,
    /// Code of the failure that ended the push early, if any.
    pub push_error: Option<String>,
    /// Code of the failure that ended the pull early, if any.
    pub pull_error: Option<String>,
    /// The server asked to wait (429, or 503 with `Retry-After`): the outbox waits
    /// until then (unix ms).
    pub server_wait_until: Option<i64>,
}
