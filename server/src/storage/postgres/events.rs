//! The change feed's queries: events (written with their commit-ordered
//! positions by [`super::positions`]), read back per participant after a cursor.

use rantau_core::protocol::wire::Event;

use crate::error::Result;
use crate::storage::postgres::PgDb;

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
