//! Positions in commit order. A sequence hands out numbers when a transaction
//! asks, not when it commits: a transaction holding 5 may commit after one
//! holding 6 was read, and a reader past 6 never sees 5. So every transaction
//! that adds rows to a paged list (events, submissions) takes its positions as
//! its last step from a one-row counter, `UPDATE … SET n = n + k RETURNING n`.
//! The row lock it takes is held until commit: the next appender waits there,
//! so a later position always belongs to a later commit. Only that last step is
//! serialised, not the rest of a batch.

use rantau_core::protocol::wire::{Event, EventKind};

use crate::error::Result;
use crate::storage::postgres::{PgDb, Tx};

/// An event decided inside a transaction, waiting for its position.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    /// Whose feed.
    pub participant: String,
    /// When (RFC 3339).
    pub at: String,
    /// What.
    pub kind: EventKind,
}

/// Takes positions for the new submissions `submissions` (ids, in order) and
/// the events, writes them, and returns the events with their seq. Call it
/// last, right before commit.
///
/// One statement: the counter, the submissions' positions and the events in
/// one round trip, so the counter's row lock (which every appender waits for)
/// is held for that statement and the commit only.
pub(crate) async fn assign(
    db: &PgDb,
    tx: &Tx<'_>,
    submissions: &[String],
    pending: Vec<Pending>,
) -> Result<Vec<Event>> {
    let k = submissions.len() + pending.len();
    if k == 0 {
        return Ok(Vec::new());
    }
    db.pause(HoldPoint::BeforeCounter).await;
    let mut participants = Vec::with_capacity(pending.len());
    let mut ats = Vec::with_capacity(pending.len());
    let mut bodies = Vec::with_capacity(pending.len());
    for p in &pending {
        participants.push(p.participant.as_str());
        ats.push(p.at.as_str());
        bodies.push(serde_json::to_string(&p.kind)?);
    }
    // `base` is the counter before: the submissions get base+1…, the events
    // the positions after them, each in the order given (`ord` counts from 1).
    let take = tx
        .prepare_cached(
            "WITH counter AS (UPDATE positions SET n = n + $1 RETURNING n - $1 AS base),
                  placed AS (
                      UPDATE submissions SET pos = counter.base + u.ord
                      FROM counter, UNNEST($2::text[]) WITH ORDINALITY AS u(id, ord)
                      WHERE submissions.id = u.id),
                  written AS (
                      INSERT INTO events (seq, participant_id, at, body)
                      SELECT counter.base + $3 + u.ord, u.participant, u.at, u.body
                      FROM counter, UNNEST($4::text[], $5::text[], $6::text[])
                                    WITH ORDINALITY AS u(participant, at, body, ord))
             SELECT base FROM counter",
        )
        .await?;
    let base: i64 = tx
        .query_one(
            &take,
            &[
                &(k as i64),
                &submissions,
                &(submissions.len() as i64),
                &participants,
                &ats,
                &bodies,
            ],
        )
        .await?
        .try_get(0)?;
    db.pause(HoldPoint::AfterCounter).await;
    let first_event = base + submissions.len() as i64 + 1;
    Ok((first_event..)
        .zip(pending)
        .map(|(seq, p)| Event {
            seq,
            at: p.at,
            kind: p.kind,
        })
        .collect())
}

/// Where a test may hold the next appending transaction.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HoldPoint {
    /// Its rows are written, its positions not yet taken.
    BeforeCounter,
    /// Its positions are taken (the counter's row lock held), not committed.
    AfterCounter,
}

/// A test's pause: `reached` fires when the transaction gets there, and it
/// goes on when `release` fires (or is dropped).
#[cfg(test)]
#[derive(Debug)]
pub(crate) struct Hold {
    /// Where.
    pub point: HoldPoint,
    /// Told when the transaction is paused.
    pub reached: tokio::sync::oneshot::Sender<()>,
    /// Waited for.
    pub release: tokio::sync::oneshot::Receiver<()>,
}

#[cfg(test)]
impl PgDb {
    /// Pauses the next appending transaction at `point`; returns (paused, go on).
    pub(crate) fn hold_next(
        &self,
        point: HoldPoint,
    ) -> (
        tokio::sync::oneshot::Receiver<()>,
        tokio::sync::oneshot::Sender<()>,
    ) {
        let (reached, reached_rx) = tokio::sync::oneshot::channel();
        let (release_tx, release) = tokio::sync::oneshot::channel();
        *self.hold.lock().unwrap_or_else(|p| p.into_inner()) = Some(Hold {
            point,
            reached,
            release,
        });
        (reached_rx, release_tx)
    }

    async fn pause(&self, point: HoldPoint) {
        let hold = {
            let mut slot = self.hold.lock().unwrap_or_else(|p| p.into_inner());
            match slot.take() {
                Some(h) if h.point == point => Some(h),
                other => {
                    *slot = other;
                    None
                }
            }
        };
        if let Some(h) = hold {
            let _ = h.reached.send(());
            let _ = h.release.await;
        }
    }
}

#[cfg(not(test))]
impl PgDb {
    /// Test-only pauses compile to nothing in the server.
    #[inline(always)]
    async fn pause(&self, _point: HoldPoint) {}
}

/// Outside tests there is nowhere to hold.
#[cfg(not(test))]
#[derive(Debug, Clone, Copy)]
enum HoldPoint {
    BeforeCounter,
    AfterCounter,
}
