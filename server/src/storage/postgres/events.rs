//! The change feed's queries: events with their commit-ordered positions
//! (from [`super::positions`]), read back per participant after a cursor.

use rantau_core::protocol::wire::Event;

use crate::error::Result;
use crate::storage::postgres::{PgDb, Tx};

/// Writes events (with their positions, taken from the counter) and whose
/// feed each is in, with one statement.
pub(crate) async fn insert_all(tx: &Tx<'_>, events: &[(String, Event)]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let mut seqs = Vec::with_capacity(events.len());
    let mut participants = Vec::with_capacity(events.len());
    let mut ats = Vec::with_capacity(events.len());
    let mut bodies = Vec::with_capacity(events.len());
    for (participant, e) in events {
        seqs.push(e.seq);
        participants.push(participant.as_str());
        ats.push(e.at.as_str());
        bodies.push(serde_json::to_string(&e.kind)?);
    }
    let insert = tx
        .prepare_cached(
            "INSERT INTO events (seq, participant_id, at, body)
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[])",
        )
        .await?;
    tx.execute(&insert, &[&seqs, &participants, &ats, &bodies])
        .await?;
    Ok(())
}

/// Up to `limit` events of `participant` after `after`, oldest first, and
/// whether more are waiting. Only committed events are read, and none can
/// commit later at a position at or before one read here.
pub async fn since(
    db: &PgDb,
    participant: &str,
    after: i64,
    limit: usize,
) -> Result<(Vec<Event>, bool)> {
    let client = db.client().await?;
    let fetch = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
    let page = client
        .prepare_cached(
            "SELECT seq, at, body FROM events WHERE participant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .await?;
    let rows = client.query(&page, &[&participant, &after, &fetch]).await?;
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        let body: String = row.try_get(2)?;
        events.push(Event {
            seq: row.try_get(0)?,
            at: row.try_get(1)?,
            kind: serde_json::from_str(&body)?,
        });
    }
    let has_more = events.len() > limit;
    events.truncate(limit);
    Ok((events, has_more))
}
