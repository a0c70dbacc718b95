//! Push: send due submissions in batches, exactly once. Each batch is marked
//! `sending` before the request (so a killed run resends the same ids, and the
//! server answers "duplicate"), and its answers are applied in one transaction.

use std::collections::{HashMap, VecDeque};

use super::config::SyncConfig;
use super::http::{Failure, Http};
use super::known_status::KnownStatuses;
use super::meta_keys::META_TOKEN;
use super::observer::{SyncObserver, SyncReport, SyncState};
use crate::base::issue::{Issue, Severity};
use crate::forms;
use crate::protocol::wire::{BatchRequest, BatchResponse, ItemOutcome, SubmissionItem};
use crate::store::meta::set_meta;
use crate::store::outbox::{self, OutboxState, SubmissionRow};
use crate::store::{InterruptHandle, Store};
use crate::Result;

/// Most submissions considered in one run; the rest go next run.
const MAX_PER_RUN: usize = 10_000;

/// How the push phase ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PushEnd {
    /// Everything due was sent (or held back).
    Completed,
    /// A transient failure: the batch waits; the server looks unwell, so stop this run.
    Stopped,
    /// The token was refused and dropped.
    AuthLost,
}

/// The submission this one waits for: `depends_on`, or the registration its
/// form's `refers_to` field names (rows queued before `depends_on` was kept).
fn dependency(row: &SubmissionRow) -> Option<String> {
    row.depends_on.clone().or_else(|| {
        let def = forms::builtin_form(&row.form_id, Some(row.form_version))?;
        forms::refers_to(def, row.payload.as_object()?).map(str::to_string)
    })
}

/// True when `row` must wait: it names a local submission that is not accepted yet.
fn held_back(conn: &rusqlite::Connection, row: &SubmissionRow) -> Result<bool> {
    let Some(dep) = dependency(row) else {
        return Ok(false);
    };
    Ok(match outbox::get_submission(conn, &dep)? {
        Some(d) => d.state != OutboxState::Accepted,
        // Not a local submission: a server reference, nothing to wait for.
        None => false,
    })
}

/// Wire form of an outbox row.
pub(crate) fn to_item(row: &SubmissionRow) -> SubmissionItem {
    let created_at = chrono::DateTime::from_timestamp_millis(row.created_at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    SubmissionItem {
        id: row.id.clone(),
        form_id: row.form_id.clone(),
        form_version: row.form_version,
        created_at,
        payload: row.payload.clone(),
    }
}

/// Takes the next batch from `pending`, in order, skipping held items (they stay in
/// `pending`), capped by count and uncompressed bytes. A single oversized item goes alone.
pub(crate) fn next_batch(
    pending: &mut VecDeque<SubmissionRow>,
    max_items: usize,
    max_bytes: usize,
    mut is_held: impl FnMut(&SubmissionRow) -> Result<bool>,
) -> Result<(Vec<SubmissionRow>, Vec<SubmissionItem>)> {
    let mut rows = Vec::new();
    let mut items = Vec::new();
    let mut bytes = 0usize;
    let mut kept = VecDeque::new();
    while let Some(row) = pending.pop_front() {
        if rows.len() >= max_items.max(1) {
            kept.push_back(row);
            continue;
        }
        if is_held(&row)? {
            kept.push_back(row);
            continue;
        }
        let item = to_item(&row);
        let size = serde_json::to_vec(&item).map(|v| v.len()).unwrap_or(0);
        if !rows.is_empty() && bytes + size > max_bytes {
            kept.push_back(row);
            // Keep order: nothing after a too-big item joins this batch.
            kept.extend(pending.drain(..));
            break;
        }
        bytes += size;
        rows.push(row);
        items.push(item);
    }
    kept.extend(pending.drain(..));
    *pending = kept;
    Ok((rows, items))
}

/// Sets a submission aside for the user: the server holds another payload under its id.
fn mark_conflict(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    code: &str,
    lang: crate::Lang,
    now: i64,
) -> Result<()> {
    let issue = Issue {
        code: "sync.conflict".into(),
        path: String::new(),
        severity: Severity::Error,
        message: crate::base::messages::render("sync.conflict", lang, &[]),
    };
    crate::store::outbox::mark_needs_attention(tx, id, code, &[issue], now)
}

/// Applies a batch's answers in one transaction. Items the answer does not mention wait.
fn apply_answers(
    store: &Store,
    config: &SyncConfig,
    rows: &[SubmissionRow],
    answer: BatchResponse,
    report: &mut SyncReport,
) -> Result<()> {
    let mut by_id: HashMap<String, ItemOutcome> = answer
        .results
        .into_iter()
        .map(|r| (r.id, r.outcome))
        .collect();
    let now = now_ms();
    // Items the answer left out wait together, like a failed batch (backoff.rs).
    let missing_at = config.backoff.batch_next_attempt_at(
        now,
        rows.iter()
            .filter(|r| !by_id.contains_key(&r.id))
            .map(|r| r.attempts),
        None,
        &mut rand::rng(),
    );
    let mut counts = SyncReport::default();
    store.write(|tx| {
        for row in rows {
            match by_id.remove(&row.id) {
                Some(ItemOutcome::Accepted { reference }) => {
                    outbox::mark_accepted(tx, &row.id, &reference, now)?;
                    counts.accepted += 1;
                }
                Some(ItemOutcome::Duplicate { reference }) => {
                    outbox::mark_accepted(tx, &row.id, &reference, now)?;
                    counts.duplicates += 1;
                }
                Some(ItemOutcome::Rejected { issues }) => {
                    outbox::mark_rejected(tx, &row.id, &issues, now)?;
                    counts.rejected += 1;
                }
                Some(ItemOutcome::Conflict { code }) => {
                    mark_conflict(tx, &row.id, &code, config.lang, now)?;
                    counts.conflicts += 1;
                }
                None => {
                    let at = missing_at.unwrap_or(now);
                    outbox::mark_waiting(tx, &row.id, at, "sync.missing_answer", now)?;
                    counts.waiting += 1;
                }
            }
        }
        Ok(())
    })?;
    report.accepted += counts.accepted;
    report.duplicates += counts.duplicates;
    report.rejected += counts.rejected;
    report.conflicts += counts.conflicts;
    report.waiting += counts.waiting;
    Ok(())
}

/// Puts every row of a failed batch to wait until one shared time (one backoff
/// draw for the batch, so the next due sync sends them together again); when the
/// server asked to wait, for as long as it asked and with no attempt counted, and
/// then returns until when (unix ms) they wait. Attempts still count per row.
fn wait_all(
    store: &Store,
    config: &SyncConfig,
    rows: &[SubmissionRow],
    failure: &Failure,
) -> Result<Option<i64>> {
    let retry_after = match failure {
        Failure::Transient { retry_after, .. } => *retry_after,
        _ => None,
    };
    let now = now_ms();
    let Some(at) = config.backoff.batch_next_attempt_at(
        now,
        rows.iter().map(|r| r.attempts),
        retry_after,
        &mut rand::rng(),
    ) else {
        return Ok(None);
    };
    store.write(|tx| {
        for row in rows {
            if failure.asked_to_wait() {
                outbox::mark_deferred(tx, &row.id, at, failure.code(), now)?;
            } else {
                outbox::mark_waiting(tx, &row.id, at, failure.code(), now)?;
            }
        }
        Ok(())
    })?;
    Ok(failure.asked_to_wait().then_some(at))
}

/// Runs the push phase.
/// The first batch asks along the status of `known`'s documents and keeps the answer.
pub(crate) async fn push(
    store: &Store,
    config: &SyncConfig,
    http: &mut Http<'_>,
    observer: &dyn SyncObserver,
    interrupt: &InterruptHandle,
    report: &mut SyncReport,
    known: &mut KnownStatuses,
) -> Result<PushEnd> {
    store.write(outbox::requeue_sending)?;
    let mut pending: VecDeque<SubmissionRow> = store
        .read(|c| outbox::due_for_send(c, now_ms(), MAX_PER_RUN))?
        .into_iter()
        .collect();
    let total = pending.len();
    observer.on_state(SyncState::Pushing { sent: 0, total });
    loop {
        interrupt.check()?;
        let (rows, items) = store.read(|c| {
            next_batch(
                &mut pending,
                config.batch_max_items,
                config.batch_max_bytes,
                |r| held_back(c, r),
            )
        })?;
        if rows.is_empty() {
            report.held += pending.len();
            return Ok(PushEnd::Completed);
        }
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        // Pessimistic: once this commits, a lost answer means "resend the same ids".
        store.write(|tx| outbox::mark_sending(tx, &ids, now_ms()).map(|_| ()))?;
        report.sent += rows.len();
        let attachment_status = known.take_ask();
        let request = BatchRequest {
            items,
            attachment_status: attachment_status.clone(),
        };
        match http
            .post::<_, BatchResponse>("/v1/submissions/batch", &request)
            .await
        {
            Ok(mut answer) => {
                known.answered(attachment_status, answer.attachments.take());
                apply_answers(store, config, &rows, answer, report)?
            }
            Err(Failure::Auth(e)) => {
                store.write(|tx| {
                    outbox::requeue_sending(tx)?;
                    set_meta(tx, META_TOKEN, "")
                })?;
                report.auth_lost = true;
                report.push_error = Some(e.code().to_string());
                return Ok(PushEnd::AuthLost);
            }
            Err(Failure::Refused(e)) => {
                // The server could not be trusted, or sent us elsewhere: the batch
                // goes back to the queue as it was (no attempt counted, no backoff),
                // and the run fails with the reason.
                store.write(|tx| outbox::restore_unsent(tx, &rows).map(|_| ()))?;
                report.push_error = Some(e.code().to_string());
                return Err(e);
            }
            Err(failure) => {
                report.server_wait_until = wait_all(store, config, &rows, &failure)?;
                report.waiting += rows.len();
                report.push_error = Some(failure.code().to_string());
                return Ok(PushEnd::Stopped);
            }
        }
        observer.on_state(SyncState::Pushing {
            sent: report.sent.min(total),
            total,
        });
    }
}

/// Now, in unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(id: &str, payload: serde_json::Value) -> SubmissionRow {
        SubmissionRow {
            id: id.into(),
            form_id: "consultation".into(),
            form_version: 1,
            created_at: 1_700_000_000_000,
            payload,
            state: OutboxState::Queued,
            attempts: 0,
            next_attempt_at: None,
            reference: None,
            issues: vec![],
            last_error: None,
            depends_on: None,
            updated_at: 0,
            left_at: None,
        }
    }

    #[test]
    fn batches_are_capped_by_count_in_order() {
        let mut pending: VecDeque<_> = (0..120)
            .map(|i| row(&format!("s{i:03}"), json!({})))
            .collect();
        let (rows, items) = next_batch(&mut pending, 50, usize::MAX, |_| Ok(false)).unwrap();
        assert_eq!(rows.len(), 50);
        assert_eq!(items[0].id, "s000");
        assert_eq!(items[49].id, "s049");
        assert_eq!(pending.len(), 70);
        assert_eq!(pending[0].id, "s050");
    }

    #[test]
    fn batches_are_capped_by_bytes_but_a_big_item_goes_alone() {
        let big = "x".repeat(5000);
        let mut pending: VecDeque<_> = (0..4)
            .map(|i| row(&format!("s{i}"), json!({ "t": big })))
            .collect();
        let (rows, _) = next_batch(&mut pending, 50, 12_000, |_| Ok(false)).unwrap();
        assert_eq!(rows.len(), 2);
        let (rows, _) = next_batch(&mut pending, 50, 100, |_| Ok(false)).unwrap();
        assert_eq!(
            rows.len(),
            1,
            "an item larger than the cap is still sent, alone"
        );
        assert_eq!(rows[0].id, "s2");
    }

    #[test]
    fn held_items_stay_pending_and_do_not_block_others() {
        let mut pending: VecDeque<_> = vec![
            row("a", json!({"registration_ref": "reg"})),
            row("b", json!({})),
        ]
        .into();
        let (rows, _) = next_batch(
            &mut pending,
            50,
            usize::MAX,
            |r| Ok(dependency(r).is_some()),
        )
        .unwrap();
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            vec!["b"]
        );
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].id, "a");
        let (rows, _) = next_batch(
            &mut pending,
            50,
            usize::MAX,
            |r| Ok(dependency(r).is_some()),
        )
        .unwrap();
        assert!(rows.is_empty());
    }

    #[test]
    fn dependency_prefers_depends_on_then_registration_ref() {
        let mut r = row("c", json!({"registration_ref": "reg-1"}));
        assert_eq!(dependency(&r).as_deref(), Some("reg-1"));
        r.depends_on = Some("reg-2".into());
        assert_eq!(dependency(&r).as_deref(), Some("reg-2"));
        assert_eq!(dependency(&row("d", json!({"registration_ref": 5}))), None);
    }

    /// `n` submissions, the first three already tried, all marked `sending` as the
    /// push does before the request; returns them as the push read them.
    fn sent_batch(store: &Store, n: usize) -> Vec<SubmissionRow> {
        use crate::store::test_support::submission;
        store
            .write(|tx| {
                for i in 0..n {
                    let mut r = submission(&format!("s{i:03}"), 1_000 + i as i64);
                    r.attempts = u32::from(i < 3) * (i as u32 + 1);
                    outbox::insert_submission(tx, &r)?;
                }
                Ok(())
            })
            .unwrap();
        let rows = store
            .read(|c| outbox::due_for_send(c, now_ms(), MAX_PER_RUN))
            .unwrap();
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        store
            .write(|tx| outbox::mark_sending(tx, &ids, now_ms()).map(|_| ()))
            .unwrap();
        rows
    }

    fn lab_config() -> SyncConfig {
        let mut c = SyncConfig::new("http://127.0.0.1:9").unwrap();
        c.backoff = crate::sync::Backoff {
            base: std::time::Duration::from_secs(60),
            cap: std::time::Duration::from_secs(3600),
        };
        c
    }

    /// Once every `waiting` row is due: the next batch the push would send.
    fn next_due_batch(store: &Store) -> Vec<String> {
        let mut pending: VecDeque<_> = store
            .read(|c| outbox::due_for_send(c, i64::MAX, MAX_PER_RUN))
            .unwrap()
            .into();
        let (rows, _) = next_batch(&mut pending, 50, usize::MAX, |_| Ok(false)).unwrap();
        rows.into_iter().map(|r| r.id).collect()
    }

    #[test]
    fn a_failed_batch_waits_as_one_and_goes_out_as_one_again() {
        let (_dir, store) = crate::store::test_support::temp_store();
        let rows = sent_batch(&store, 40);
        let failure = Failure::Transient {
            error: crate::Error::Network("connection reset".into()),
            retry_after: None,
        };
        assert_eq!(
            wait_all(&store, &lab_config(), &rows, &failure).unwrap(),
            None
        );
        let after = store.read(outbox::list_submissions).unwrap();
        let times: std::collections::BTreeSet<_> =
            after.iter().map(|r| r.next_attempt_at).collect();
        assert_eq!(
            times.len(),
            1,
            "one next-attempt time for the batch: {times:?}"
        );
        assert!(times.iter().all(Option::is_some));
        for (before, now) in rows.iter().zip(&after) {
            assert_eq!(now.state, OutboxState::Waiting);
            // Attempts still count per item.
            assert_eq!(now.attempts, before.attempts + 1, "{}", now.id);
        }
        // Nothing is due before that time, and then all of it together.
        let at = after[0].next_attempt_at.unwrap();
        let early = store
            .read(|c| outbox::due_for_send(c, at - 1, MAX_PER_RUN))
            .unwrap();
        assert!(early.is_empty());
        assert_eq!(next_due_batch(&store).len(), 40);
    }

    #[test]
    fn a_batch_the_server_defers_waits_as_one_with_no_attempt_counted() {
        let (_dir, store) = crate::store::test_support::temp_store();
        let rows = sent_batch(&store, 12);
        let failure = Failure::Transient {
            error: crate::Error::Server {
                status: 503,
                code: "http.503".into(),
            },
            retry_after: Some(std::time::Duration::from_secs(7200)),
        };
        let until = wait_all(&store, &lab_config(), &rows, &failure).unwrap();
        let after = store.read(outbox::list_submissions).unwrap();
        assert!(after
            .iter()
            .all(|r| r.next_attempt_at == until && until.is_some()));
        for (before, now) in rows.iter().zip(&after) {
            assert_eq!(now.attempts, before.attempts, "{}", now.id);
        }
        assert_eq!(next_due_batch(&store).len(), 12);
    }

    #[test]
    fn items_left_out_of_an_answer_wait_as_one_and_own_outcomes_stay_their_own() {
        use crate::protocol::wire::ItemResult;
        let (_dir, store) = crate::store::test_support::temp_store();
        let rows = sent_batch(&store, 20);
        let answer = BatchResponse {
            results: vec![
                ItemResult {
                    id: "s000".into(),
                    outcome: ItemOutcome::Accepted {
                        reference: "R-1".into(),
                    },
                },
                ItemResult {
                    id: "s005".into(),
                    outcome: ItemOutcome::Rejected { issues: vec![] },
                },
            ],
            attachments: None,
        };
        let mut report = SyncReport::default();
        apply_answers(&store, &lab_config(), &rows, answer, &mut report).unwrap();
        assert_eq!(
            (report.accepted, report.rejected, report.waiting),
            (1, 1, 18)
        );
        let after = store.read(outbox::list_submissions).unwrap();
        let waiting: Vec<_> = after
            .iter()
            .filter(|r| r.state == OutboxState::Waiting)
            .collect();
        assert_eq!(waiting.len(), 18);
        assert!(waiting
            .iter()
            .all(|r| r.next_attempt_at == waiting[0].next_attempt_at));
        assert_eq!(next_due_batch(&store).len(), 18);
    }

    #[test]
    fn wire_item_carries_rfc3339_time() {
        let item = to_item(&row("e", json!({"q": 1})));
        assert_eq!(item.created_at, "2023-11-14T22:13:20.000Z");
        assert_eq!(item.payload, json!({"q": 1}));
    }
}
