//! The outbox: finalized submissions waiting for the server. Persist first, send
//! later; a row leaves `queued`/`sending`/`waiting` only on the server's answer or
//! after [`MAX_ATTEMPTS`] transient failures, and no row is ever deleted here.
//!
//! `queued → sending → accepted(reference) | rejected(issues) | waiting(retry at)`;
//! `waiting → sending`; the 10th failure → `needs_attention` (last error kept),
//! where a server asking to wait ([`mark_deferred`]) is not a failure;
//! at start-up `sending → queued` (the same id is resent; the server deduplicates).

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::base::issue::Issue;
use crate::{Error, Result};

/// Transient failures after which a submission needs the user.
pub const MAX_ATTEMPTS: u32 = 10;

/// Where a submission is on its way to the server (stored as text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Finalized, not sent yet.
    Queued,
    /// In a batch on its way; back to queued if the app died meanwhile.
    Sending,
    /// A transient failure; retried at `next_attempt_at`.
    Waiting,
    /// The server accepted it (final).
    Accepted,
    /// The server rejected it with field issues; the user fixes and resubmits.
    Rejected,
    /// Too many failed attempts; shown to the user with the last error.
    NeedsAttention,
}

impl OutboxState {
    /// Queued, sending or waiting: still the client's to send, no answer yet.
    pub fn is_on_its_way(self) -> bool {
        matches!(
            self,
            OutboxState::Queued | OutboxState::Sending | OutboxState::Waiting
        )
    }

    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sending => "sending",
            OutboxState::Waiting => "waiting",
            OutboxState::Accepted => "accepted",
            OutboxState::Rejected => "rejected",
            OutboxState::NeedsAttention => "needs_attention",
        }
    }

    /// Parses the stored text.
    pub fn parse(text: &str) -> Option<OutboxState> {
        Some(match text {
            "queued" => OutboxState::Queued,
            "sending" => OutboxState::Sending,
            "waiting" => OutboxState::Waiting,
            "accepted" => OutboxState::Accepted,
            "rejected" => OutboxState::Rejected,
            "needs_attention" => OutboxState::NeedsAttention,
            _ => return None,
        })
    }
}

/// One submission in the outbox.
#[derive(Clone, PartialEq)]
pub struct SubmissionRow {
    /// Client-generated id; the server's idempotency key.
    pub id: String,
    /// Form definition id.
    pub form_id: String,
    /// Form definition version.
    pub form_version: u32,
    /// Finalize time, unix ms.
    pub created_at: i64,
    /// The frozen answers sent to the server.
    pub payload: Value,
    /// Current state.
    pub state: OutboxState,
    /// Transient failures so far.
    pub attempts: u32,
    /// When to retry (state `waiting`).
    pub next_attempt_at: Option<i64>,
    /// The server's reference once accepted.
    pub reference: Option<String>,
    /// The server's issues once rejected.
    pub issues: Vec<Issue>,
    /// Code of the last transient failure.
    pub last_error: Option<String>,
    /// A submission that must be accepted before this one is sent.
    pub depends_on: Option<String>,
    /// Last state change, unix ms.
    pub updated_at: i64,
    /// When a request carrying it (or one of its files) was first started, unix ms;
    /// None: it never left the phone and may be taken back ([`take_back`]).
    pub left_at: Option<i64>,
}

impl std::fmt::Debug for SubmissionRow {
    // Hand-written: the payload holds personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubmissionRow")
            .field("id", &self.id)
            .field("form_id", &self.form_id)
            .field("form_version", &self.form_version)
            .field("state", &self.state)
            .field("attempts", &self.attempts)
            .field("next_attempt_at", &self.next_attempt_at)
            .field("reference", &self.reference)
            .field("issues", &self.issues)
            .field("last_error", &self.last_error)
            .field("depends_on", &self.depends_on)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, form_id, form_version, created_at, payload, state, attempts, \
     next_attempt_at, reference, issues, last_error, depends_on, updated_at, left_at";

struct Raw {
    row: SubmissionRow,
    payload: String,
    state: String,
    issues: String,
}

fn raw(r: &Row<'_>) -> rusqlite::Result<Raw> {
    Ok(Raw {
        row: SubmissionRow {
            id: r.get(0)?,
            form_id: r.get(1)?,
            form_version: r.get(2)?,
            created_at: r.get(3)?,
            payload: Value::Null,
            state: OutboxState::Queued,
            attempts: r.get(6)?,
            next_attempt_at: r.get(7)?,
            reference: r.get(8)?,
            issues: Vec::new(),
            last_error: r.get(10)?,
            depends_on: r.get(11)?,
            updated_at: r.get(12)?,
            left_at: r.get(13)?,
        },
        payload: r.get(4)?,
        state: r.get(5)?,
        issues: r.get(9)?,
    })
}

fn finish(raw: Raw) -> Result<SubmissionRow> {
    let Raw {
        mut row,
        payload,
        state,
        issues,
    } = raw;
    let bad = |what: &str| Error::MalformedStoredData(format!("{what} of submission {}", row.id));
    // serde errors are dropped on purpose: they may quote the stored text.
    row.payload = serde_json::from_str(&payload).map_err(|_| bad("payload"))?;
    row.state = OutboxState::parse(&state).ok_or_else(|| bad("state"))?;
    row.issues = serde_json::from_str(&issues).map_err(|_| bad("issues"))?;
    Ok(row)
}

fn collect(rows: Vec<Raw>) -> Result<Vec<SubmissionRow>> {
    rows.into_iter().map(finish).collect()
}

fn encode<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|_| Error::MalformedStoredData("value does not encode".into()))
}

/// Inserts a submission (finalize does this in the same transaction as the draft's removal).
pub fn insert_submission(tx: &Transaction<'_>, s: &SubmissionRow) -> Result<()> {
    let mut stmt = tx.prepare_cached(&format!(
        "INSERT INTO submissions ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
    ))?;
    stmt.execute(params![
        s.id,
        s.form_id,
        s.form_version,
        s.created_at,
        encode(&s.payload)?,
        s.state.as_str(),
        s.attempts,
        s.next_attempt_at,
        s.reference,
        encode(&s.issues)?,
        s.last_error,
        s.depends_on,
        s.updated_at,
        s.left_at,
    ])?;
    Ok(())
}

/// The submission with `id`, if any.
pub fn get_submission(conn: &Connection, id: &str) -> Result<Option<SubmissionRow>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM submissions WHERE id = ?1"))?;
    stmt.query_row([id], raw)
        .optional()?
        .map(finish)
        .transpose()
}

/// Every submission, oldest first.
pub fn list_submissions(conn: &Connection) -> Result<Vec<SubmissionRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM submissions ORDER BY created_at, rowid"
    ))?;
    let rows = stmt
        .query_map([], raw)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    collect(rows)
}

/// Up to `limit` submissions to send now, oldest first: queued ones, and waiting
/// ones whose retry time has come.
pub fn due_for_send(conn: &Connection, now: i64, limit: usize) -> Result<Vec<SubmissionRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM submissions
         WHERE state = 'queued' OR (state = 'waiting' AND next_attempt_at <= ?1)
         ORDER BY created_at, rowid LIMIT ?2"
    ))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt
        .query_map(params![now, limit], raw)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    collect(rows)
}

/// Moves the queued or waiting submissions among `ids` to `sending`; others are
/// left alone. Returns how many moved. From here on each may have reached the
/// server (`left_at` is set), so none can be taken back.
pub fn mark_sending(tx: &Transaction<'_>, ids: &[String], now: i64) -> Result<usize> {
    let mut stmt = tx.prepare_cached(
        "UPDATE submissions SET state = 'sending', updated_at = ?2, left_at = coalesce(left_at, ?2)
         WHERE id = ?1 AND state IN ('queued', 'waiting')",
    )?;
    let mut moved = 0;
    for id in ids {
        moved += stmt.execute(params![id, now])?;
    }
    Ok(moved)
}

/// Fails with [`Error::SubmissionNotFound`] if there is no submission `id`.
fn require(tx: &Transaction<'_>, id: &str) -> Result<OutboxState> {
    let mut stmt = tx.prepare_cached("SELECT state FROM submissions WHERE id = ?1")?;
    let state: Option<String> = stmt.query_row([id], |r| r.get(0)).optional()?;
    let state = state.ok_or_else(|| Error::SubmissionNotFound(id.to_string()))?;
    OutboxState::parse(&state)
        .ok_or_else(|| Error::MalformedStoredData(format!("state of submission {id}")))
}

/// The server accepted `id` with `reference`. Accepted is final: a second answer
/// (a duplicate) keeps the first reference.
pub fn mark_accepted(tx: &Transaction<'_>, id: &str, reference: &str, now: i64) -> Result<()> {
    if require(tx, id)? == OutboxState::Accepted {
        return Ok(());
    }
    tx.prepare_cached(
        "UPDATE submissions SET state = 'accepted', reference = ?2, next_attempt_at = NULL,
         issues = '[]', updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id, reference, now])?;
    Ok(())
}

/// The server rejected `id` with `issues` (the user fixes and resubmits). An
/// accepted submission stays accepted.
pub fn mark_rejected(tx: &Transaction<'_>, id: &str, issues: &[Issue], now: i64) -> Result<()> {
    if require(tx, id)? == OutboxState::Accepted {
        return Ok(());
    }
    tx.prepare_cached(
        "UPDATE submissions SET state = 'rejected', issues = ?2, next_attempt_at = NULL,
         updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id, encode(&issues)?, now])?;
    Ok(())
}

/// The server will never take `id` as it is (e.g. it holds another payload under
/// the same id): set it aside for the user with `error_code` and `issues`. Never
/// deleted; an accepted submission is left as it is.
pub fn mark_needs_attention(
    tx: &Transaction<'_>,
    id: &str,
    error_code: &str,
    issues: &[Issue],
    now: i64,
) -> Result<()> {
    if require(tx, id)? == OutboxState::Accepted {
        return Ok(());
    }
    tx.prepare_cached(
        "UPDATE submissions SET state = 'needs_attention', last_error = ?2, issues = ?3,
         next_attempt_at = NULL, updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![id, error_code, encode(&issues)?, now])?;
    Ok(())
}

/// An officer rejected an accepted registration after review: the one case that
/// moves an accepted submission on, to `rejected` with the reason as its issues, so
/// the user can reopen and correct it. Rows in any other state are left alone.
pub fn mark_rejected_after_review(
    tx: &Transaction<'_>,
    id: &str,
    issues: &[Issue],
    now: i64,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE submissions SET state = 'rejected', issues = ?2, next_attempt_at = NULL,
         updated_at = ?3 WHERE id = ?1 AND state = 'accepted'",
    )?
    .execute(params![id, encode(&issues)?, now])?;
    Ok(())
}

/// A transient failure sending `id`: one more attempt counted, `error_code` kept,
/// retried at `next_attempt_at`; the [`MAX_ATTEMPTS`]th failure moves it to
/// `needs_attention` instead. Only queued, sending or waiting submissions change.
/// Returns the state it is in afterwards.
pub fn mark_waiting(
    tx: &Transaction<'_>,
    id: &str,
    next_attempt_at: i64,
    error_code: &str,
    now: i64,
) -> Result<OutboxState> {
    put_to_wait(tx, id, next_attempt_at, error_code, now, 1)
}

/// The server asked to wait (429, or 503 with `Retry-After`): `id` waits until
/// `next_attempt_at` like [`mark_waiting`], but no attempt is counted. A busy or
/// throttling server is not a failure of this submission, and must never push it
/// to `needs_attention`. Only queued, sending or waiting submissions change.
pub fn mark_deferred(
    tx: &Transaction<'_>,
    id: &str,
    next_attempt_at: i64,
    error_code: &str,
    now: i64,
) -> Result<OutboxState> {
    put_to_wait(tx, id, next_attempt_at, error_code, now, 0)
}

/// [`mark_waiting`] (`counted` = 1) and [`mark_deferred`] (0).
fn put_to_wait(
    tx: &Transaction<'_>,
    id: &str,
    next_attempt_at: i64,
    error_code: &str,
    now: i64,
    counted: u32,
) -> Result<OutboxState> {
    let state = require(tx, id)?;
    if !state.is_on_its_way() {
        return Ok(state);
    }
    tx.prepare_cached(
        "UPDATE submissions SET attempts = attempts + ?6, last_error = ?3, updated_at = ?4,
           state = CASE WHEN attempts + ?6 >= ?5 THEN 'needs_attention' ELSE 'waiting' END,
           next_attempt_at = CASE WHEN attempts + ?6 >= ?5 THEN NULL ELSE ?2 END
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        next_attempt_at,
        error_code,
        now,
        MAX_ATTEMPTS,
        counted
    ])?;
    require(tx, id)
}

/// At start-up: every `sending` submission goes back to `queued` (the app died
/// mid-send; the same id is resent and the server answers it once). Returns how many.
pub fn requeue_sending(tx: &Transaction<'_>) -> Result<usize> {
    Ok(tx
        .prepare_cached("UPDATE submissions SET state = 'queued' WHERE state = 'sending'")?
        .execute([])?)
}

/// Puts `rows`, marked `sending` since they were read, back exactly as they were
/// (state and time): their request never reached a trusted server (a refused
/// certificate, a redirect), so for the outbox nothing happened. Returns how many.
pub fn restore_unsent(tx: &Transaction<'_>, rows: &[SubmissionRow]) -> Result<usize> {
    let mut stmt = tx.prepare_cached(
        "UPDATE submissions SET state = ?2, updated_at = ?3, left_at = ?4
         WHERE id = ?1 AND state = 'sending'",
    )?;
    let mut restored = 0;
    for row in rows {
        restored += stmt.execute(params![
            row.id,
            row.state.as_str(),
            row.updated_at,
            row.left_at
        ])?;
    }
    Ok(restored)
}

/// Takes submission `id` out of the outbox, for the worker to edit it again as a
/// draft: only while it is queued, has never left the phone (`left_at` is None:
/// no request carrying it or one of its files was ever started) and no other
/// submission on its way waits for it. Returns the row removed.
/// Errors: [`Error::SubmissionNotFound`]; [`Error::AlreadyLeft`] (on its way, or
/// answered); [`Error::NeededByAnother`].
pub fn take_back(tx: &Transaction<'_>, id: &str) -> Result<SubmissionRow> {
    let row = get_submission(tx, id)?.ok_or_else(|| Error::SubmissionNotFound(id.to_string()))?;
    if row.state != OutboxState::Queued || row.left_at.is_some() {
        return Err(Error::AlreadyLeft(id.to_string()));
    }
    let waiting: i64 = tx
        .prepare_cached(
            "SELECT count(*) FROM submissions
             WHERE depends_on = ?1 AND state IN ('queued', 'sending', 'waiting', 'needs_attention')",
        )?
        .query_row([id], |r| r.get(0))?;
    if waiting > 0 {
        return Err(Error::NeededByAnother(id.to_string()));
    }
    tx.prepare_cached("DELETE FROM submissions WHERE id = ?1")?
        .execute([id])?;
    Ok(row)
}

/// The user asks to try a `needs_attention` submission again: back to `queued`
/// with the attempt count reset. Returns false if it was in another state.
pub fn retry_submission(tx: &Transaction<'_>, id: &str, now: i64) -> Result<bool> {
    if require(tx, id)? != OutboxState::NeedsAttention {
        return Ok(false);
    }
    tx.prepare_cached(
        "UPDATE submissions SET state = 'queued', attempts = 0, next_attempt_at = NULL,
         updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::issue::Severity;
    use crate::store::test_support::{submission, temp_store};
    use crate::store::Store;

    fn state(store: &Store, id: &str) -> OutboxState {
        store
            .read(|c| get_submission(c, id))
            .unwrap()
            .unwrap()
            .state
    }

    #[test]
    fn needs_attention_keeps_the_row_with_its_reason_and_spares_accepted_ones() {
        let (_dir, store) = temp_store();
        for id in ["a", "b"] {
            store
                .write(|tx| insert_submission(tx, &submission(id, 1)))
                .unwrap();
        }
        store
            .write(|tx| mark_accepted(tx, "b", "REF-1", 2))
            .unwrap();
        let issue = Issue {
            code: "sync.conflict".into(),
            path: String::new(),
            severity: Severity::Error,
            message: "m".into(),
        };
        for id in ["a", "b"] {
            store
                .write(|tx| {
                    mark_needs_attention(
                        tx,
                        id,
                        "submission.conflict",
                        std::slice::from_ref(&issue),
                        3,
                    )
                })
                .unwrap();
        }
        let a = store.read(|c| get_submission(c, "a")).unwrap().unwrap();
        assert_eq!(a.state, OutboxState::NeedsAttention);
        assert_eq!(a.last_error.as_deref(), Some("submission.conflict"));
        assert_eq!(a.issues, vec![issue.clone()]);
        assert_eq!(state(&store, "b"), OutboxState::Accepted);
        assert!(store.write(|tx| retry_submission(tx, "a", 4)).unwrap());
        assert_eq!(state(&store, "a"), OutboxState::Queued);
    }

    #[test]
    fn review_rejection_moves_only_accepted_rows() {
        let (_dir, store) = temp_store();
        for id in ["a", "b"] {
            store
                .write(|tx| insert_submission(tx, &submission(id, 1)))
                .unwrap();
        }
        store
            .write(|tx| mark_accepted(tx, "a", "REF-1", 2))
            .unwrap();
        let issue = Issue {
            code: "registration.rejected".into(),
            path: String::new(),
            severity: Severity::Error,
            message: "m".into(),
        };
        for id in ["a", "b"] {
            store
                .write(|tx| mark_rejected_after_review(tx, id, std::slice::from_ref(&issue), 3))
                .unwrap();
        }
        let a = store.read(|c| get_submission(c, "a")).unwrap().unwrap();
        assert_eq!((a.state, a.issues), (OutboxState::Rejected, vec![issue]));
        assert_eq!(
            state(&store, "b"),
            OutboxState::Queued,
            "a queued row is not touched by a review"
        );
    }

    #[test]
    fn insert_get_and_list_oldest_first() {
        let (_dir, store) = temp_store();
        let (b, a) = (submission("b", 20), submission("a", 10));
        store.write(|tx| insert_submission(tx, &b)).unwrap();
        store.write(|tx| insert_submission(tx, &a)).unwrap();
        assert_eq!(store.read(|c| get_submission(c, "b")).unwrap(), Some(b));
        assert_eq!(store.read(|c| get_submission(c, "zz")).unwrap(), None);
        let ids: Vec<String> = store
            .read(list_submissions)
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(ids, ["a", "b"]);
    }

    #[test]
    fn state_text_round_trips_and_unknown_text_is_refused_by_the_check() {
        for s in [
            OutboxState::Queued,
            OutboxState::Sending,
            OutboxState::Waiting,
            OutboxState::Accepted,
            OutboxState::Rejected,
            OutboxState::NeedsAttention,
        ] {
            assert_eq!(OutboxState::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.as_str())
            );
        }
        let (_dir, store) = temp_store();
        store
            .write(|tx| insert_submission(tx, &submission("a", 1)))
            .unwrap();
        let err = store
            .write(|tx| Ok(tx.execute("UPDATE submissions SET state = 'lost'", [])?))
            .unwrap_err();
        assert!(matches!(err, Error::Sqlite(_)));
        assert_eq!(state(&store, "a"), OutboxState::Queued);
    }

    #[test]
    fn send_accept_reject_and_duplicate_answers() {
        let (_dir, store) = temp_store();
        for (id, t) in [("a", 1), ("b", 2)] {
            store
                .write(|tx| insert_submission(tx, &submission(id, t)))
                .unwrap();
        }
        let ids = vec!["a".to_string(), "b".to_string(), "missing".to_string()];
        assert_eq!(store.write(|tx| mark_sending(tx, &ids, 5)).unwrap(), 2);
        assert!(store.read(|c| due_for_send(c, 5, 10)).unwrap().is_empty());

        store
            .write(|tx| mark_accepted(tx, "a", "REF-1", 6))
            .unwrap();
        store
            .write(|tx| mark_accepted(tx, "a", "REF-2", 7))
            .unwrap();
        let a = store.read(|c| get_submission(c, "a")).unwrap().unwrap();
        assert_eq!(
            (a.state, a.reference.as_deref(), a.updated_at),
            (OutboxState::Accepted, Some("REF-1"), 6)
        );
        // Accepted is final.
        store.write(|tx| mark_rejected(tx, "a", &[], 8)).unwrap();
        assert_eq!(state(&store, "a"), OutboxState::Accepted);

        let issue = crate::Problem::error("nik.length").localize("nik", crate::Lang::En);
        store
            .write(|tx| mark_rejected(tx, "b", std::slice::from_ref(&issue), 9))
            .unwrap();
        let b = store.read(|c| get_submission(c, "b")).unwrap().unwrap();
        assert_eq!(b.state, OutboxState::Rejected);
        assert_eq!(b.issues, vec![issue]);
        assert_eq!(b.issues[0].severity, Severity::Error);

        let err = store
            .write(|tx| mark_accepted(tx, "missing", "R", 1))
            .unwrap_err();
        assert!(matches!(err, Error::SubmissionNotFound(id) if id == "missing"));
    }

    #[test]
    fn waiting_is_due_at_its_retry_time_only() {
        let (_dir, store) = temp_store();
        store
            .write(|tx| insert_submission(tx, &submission("a", 1)))
            .unwrap();
        store
            .write(|tx| insert_submission(tx, &submission("b", 2)))
            .unwrap();
        store
            .write(|tx| mark_sending(tx, &["a".to_string()], 3))
            .unwrap();
        let after = store
            .write(|tx| mark_waiting(tx, "a", 100, "network.timeout", 4))
            .unwrap();
        assert_eq!(after, OutboxState::Waiting);
        let a = store.read(|c| get_submission(c, "a")).unwrap().unwrap();
        assert_eq!(
            (a.attempts, a.next_attempt_at, a.last_error.as_deref()),
            (1, Some(100), Some("network.timeout"))
        );

        let due = |now| -> Vec<String> {
            store
                .read(|c| due_for_send(c, now, 10))
                .unwrap()
                .into_iter()
                .map(|s| s.id)
                .collect()
        };
        assert_eq!(due(99), ["b"]);
        assert_eq!(due(100), ["a", "b"]);
        let first: Vec<String> = store
            .read(|c| due_for_send(c, 100, 1))
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(first, ["a"]);
    }

    #[test]
    fn a_server_asking_to_wait_never_counts_as_a_failed_attempt() {
        let (_dir, store) = temp_store();
        store
            .write(|tx| insert_submission(tx, &submission("a", 1)))
            .unwrap();
        store
            .write(|tx| mark_waiting(tx, "a", 5, "sync.network", 1))
            .unwrap();
        for now in 0..3 * i64::from(MAX_ATTEMPTS) {
            store
                .write(|tx| mark_sending(tx, &["a".to_string()], now))
                .unwrap();
            let after = store
                .write(|tx| mark_deferred(tx, "a", now + 60_000, "request.rate_limited", now))
                .unwrap();
            assert_eq!(after, OutboxState::Waiting);
        }
        let a = store.read(|c| get_submission(c, "a")).unwrap().unwrap();
        assert_eq!(a.attempts, 1, "only the network failure counted");
        assert_eq!(a.last_error.as_deref(), Some("request.rate_limited"));
        assert!(a.next_attempt_at.is_some());
        // A final state stays final.
        store
            .write(|tx| mark_accepted(tx, "a", "REF-1", 99))
            .unwrap();
        let after = store
            .write(|tx| mark_deferred(tx, "a", 1, "request.rate_limited", 100))
            .unwrap();
        assert_eq!(after, OutboxState::Accepted);
    }

    #[test]
    fn tenth_failure_needs_attention_and_keeps_the_last_error() {
        let (_dir, store) = temp_store();
        store
            .write(|tx| insert_submission(tx, &submission("a", 1)))
            .unwrap();
        for attempt in 1..=MAX_ATTEMPTS {
            store
                .write(|tx| mark_sending(tx, &["a".to_string()], 0))
                .unwrap();
            let code = format!("http.{attempt}");
            let after = store
                .write(|tx| mark_waiting(tx, "a", 0, &code, i64::from(attempt)))
                .unwrap();
            let expected = if attempt < MAX_ATTEMPTS {
                OutboxState::Waiting
            } else {
                OutboxState::NeedsAttention
            };
            assert_eq!(after, expected, "attempt {attempt}");
        }
        let a = store.read(|c| get_submission(c, "a")).unwrap().unwrap();
        assert_eq!(a.attempts, MAX_ATTEMPTS);
        assert_eq!(a.last_error.as_deref(), Some("http.10"));
        assert_eq!(a.next_attempt_at, None);
        assert!(store
            .read(|c| due_for_send(c, i64::MAX, 10))
            .unwrap()
            .is_empty());
        // Never deleted, and further failures do not change it.
        assert_eq!(
            store.write(|tx| mark_waiting(tx, "a", 0, "x", 99)).unwrap(),
            OutboxState::NeedsAttention
        );
        assert_eq!(store.read(list_submissions).unwrap().len(), 1);

        assert!(store.write(|tx| retry_submission(tx, "a", 100)).unwrap());
        let a = store.read(|c| get_submission(c, "a")).unwrap().unwrap();
        assert_eq!((a.state, a.attempts), (OutboxState::Queued, 0));
        assert!(!store.write(|tx| retry_submission(tx, "a", 101)).unwrap());
    }

    #[test]
    fn only_a_queued_submission_that_never_left_can_be_taken_back() {
        let (_dir, store) = temp_store();
        for (id, t) in [("reg", 1), ("consult", 2), ("sent", 3), ("file", 4)] {
            store
                .write(|tx| insert_submission(tx, &submission(id, t)))
                .unwrap();
        }
        store
            .write(|tx| {
                tx.execute(
                    "UPDATE submissions SET depends_on = 'reg' WHERE id = 'consult'",
                    [],
                )?;
                Ok(())
            })
            .unwrap();
        let back = |id: &str| store.write(|tx| take_back(tx, id));

        // A consultation waits for the registration: that one goes first.
        assert!(matches!(back("reg"), Err(Error::NeededByAnother(_))));
        assert_eq!(back("consult").unwrap().id, "consult");
        assert_eq!(back("reg").unwrap().id, "reg");
        assert!(matches!(back("reg"), Err(Error::SubmissionNotFound(_))));

        // Once a batch carrying it was started, even if it is queued again after a crash.
        store
            .write(|tx| mark_sending(tx, &["sent".to_string()], 5))
            .unwrap();
        store.write(requeue_sending).unwrap();
        assert!(matches!(back("sent"), Err(Error::AlreadyLeft(_))));

        // Once one of its files started on its way.
        let photo = b"%PDF-1.4 take back".to_vec();
        store
            .write(|tx| {
                crate::store::attachments::put_attachment(tx, &photo, "application/pdf", 1)?;
                let id = crate::domain::document::content_id(&photo);
                crate::store::attachments::link(tx, "file", "ktp_photo", &id, 1)?;
                crate::store::attachments::mark_submissions_left(tx, &id, 6)
            })
            .unwrap();
        assert!(matches!(back("file"), Err(Error::AlreadyLeft(_))));
        let left: Vec<Option<i64>> = store
            .read(list_submissions)
            .unwrap()
            .iter()
            .map(|r| r.left_at)
            .collect();
        assert_eq!(left, [Some(5), Some(6)]);
    }

    #[test]
    fn restore_unsent_puts_rows_back_as_they_were_read() {
        let (_dir, store) = temp_store();
        for (id, t) in [("a", 1), ("b", 2)] {
            store
                .write(|tx| insert_submission(tx, &submission(id, t)))
                .unwrap();
        }
        store
            .write(|tx| mark_sending(tx, &["b".to_string()], 3))
            .unwrap();
        store
            .write(|tx| mark_waiting(tx, "b", 4, "sync.network", 5))
            .unwrap();
        let before = store.read(list_submissions).unwrap();
        let ids: Vec<String> = before.iter().map(|r| r.id.clone()).collect();
        store.write(|tx| mark_sending(tx, &ids, 9)).unwrap();
        assert_eq!(store.write(|tx| restore_unsent(tx, &before)).unwrap(), 2);
        assert_eq!(store.read(list_submissions).unwrap(), before);
    }

    #[test]
    fn requeue_sending_puts_in_flight_items_back_in_the_queue() {
        let (_dir, store) = temp_store();
        for (id, t) in [("a", 1), ("b", 2), ("c", 3)] {
            store
                .write(|tx| insert_submission(tx, &submission(id, t)))
                .unwrap();
        }
        store
            .write(|tx| mark_sending(tx, &["a".to_string(), "b".to_string()], 5))
            .unwrap();
        store.write(|tx| mark_accepted(tx, "b", "R", 6)).unwrap();
        assert_eq!(store.write(requeue_sending).unwrap(), 1);
        assert_eq!(state(&store, "a"), OutboxState::Queued);
        assert_eq!(state(&store, "b"), OutboxState::Accepted);
        assert_eq!(state(&store, "c"), OutboxState::Queued);
        assert_eq!(store.write(requeue_sending).unwrap(), 0);
    }

    #[test]
    fn malformed_payload_or_issues_is_an_error_not_a_panic() {
        let (_dir, store) = temp_store();
        store
            .write(|tx| insert_submission(tx, &submission("a", 1)))
            .unwrap();
        store
            .write(|tx| Ok(tx.execute("UPDATE submissions SET payload = '{oops'", [])?))
            .unwrap();
        assert!(matches!(
            store.read(|c| get_submission(c, "a")),
            Err(Error::MalformedStoredData(_))
        ));
        store
            .write(|tx| Ok(tx.execute("UPDATE submissions SET payload = '{}', issues = '{}'", [])?))
            .unwrap();
        assert!(matches!(
            store.read(list_submissions),
            Err(Error::MalformedStoredData(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn state_parse_never_panics_and_round_trips(text in ".*") {
            if let Some(state) = OutboxState::parse(&text) {
                proptest::prop_assert_eq!(state.as_str(), text.as_str());
            }
        }
    }

    #[test]
    fn debug_hides_the_payload() {
        let mut s = submission("a", 1);
        s.payload = serde_json::json!({"name": "Siti Rahayu"});
        assert!(!format!("{s:?}").contains("Siti"));
    }
}
