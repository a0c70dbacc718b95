//! The change feed's queries: events appended per participant with a global,
//! strictly increasing sequence (SQLite's one writer commits them in that
//! order), read back after a cursor (the last seq seen).

use rantau_core::protocol::wire::{Event, EventKind};
use rusqlite::{params, Connection, Transaction};

use crate::error::Result;

/// Appends `kind` to `participant`'s feed; returns its seq.
pub fn append(tx: &Transaction, participant: &str, at: &str, kind: &EventKind) -> Result<i64> {
    let body = serde_json::to_string(kind)?;
    tx.prepare_cached("INSERT INTO events (participant_id, at, body) VALUES (?1, ?2, ?3)")?
        .execute(params![participant, at, body])?;
    Ok(tx.last_insert_rowid())
}

/// Up to `limit` events of `participant` after `after`, oldest first, and
/// whether more are waiting.
pub fn since(
    conn: &Connection,
    participant: &str,
    after: i64,
    limit: usize,
) -> Result<(Vec<Event>, bool)> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, body FROM events WHERE participant_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    )?;
    let fetch = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
    let rows = stmt.query_map(params![participant, after, fetch], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut events = Vec::new();
    for row in rows {
        let (seq, at, body) = row?;
        let kind: EventKind = serde_json::from_str(&body)?;
        events.push(Event { seq, at, kind });
    }
    let has_more = events.len() > limit;
    events.truncate(limit);
    Ok((events, has_more))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::storage::sqlite::SqliteDb;
    use crate::storage::DbLocation;

    fn reply(n: usize) -> EventKind {
        EventKind::ConsultationReplied {
            submission_id: format!("s{n}"),
            reply_id: format!("r{n}"),
            body: "ok".into(),
            from: "desk".into(),
        }
    }

    #[test]
    fn feed_is_scoped_ordered_and_paged() {
        let db = SqliteDb::open(
            &DbLocation::Memory,
            &crate::storage::key::DataKey::generate(),
        )
        .unwrap();
        db.write(|tx| {
            for p in ["a", "b"] {
                tx.execute("INSERT INTO participants VALUES (?1, ?1, '', 0)", [p])?;
            }
            for n in 0..5 {
                append(
                    tx,
                    if n % 2 == 0 { "a" } else { "b" },
                    "2026-01-01T00:00:00Z",
                    &reply(n),
                )?;
            }
            Ok::<_, Error>(())
        })
        .unwrap();
        let (page, more) = db.read(|c| since(c, "a", 0, 2)).unwrap();
        assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 3]);
        assert!(more);
        let (page, more) = db.read(|c| since(c, "a", 3, 2)).unwrap();
        assert_eq!(page.len(), 1);
        assert_eq!(page[0].kind, reply(4));
        assert!(!more);
        let (page, _) = db.read(|c| since(c, "b", 0, 10)).unwrap();
        assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 4]);
    }
}
