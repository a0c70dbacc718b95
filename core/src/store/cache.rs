//! Cached server reads (membership status, card, contributions, payment
//! instructions, replies), each with the time it was fetched so the UI can show
//! its age. Reads never wait on the network; they read here.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::Value;

use crate::{Error, Result};

fn decode(kind: &str, key: &str, text: &str) -> Result<Value> {
    // The serde error is dropped on purpose: it may quote personal data.
    serde_json::from_str(text).map_err(|_| Error::MalformedStoredData(format!("cached {kind} {key}")))
}

/// Stores `body` as the cached `kind`/`key`, replacing an older copy.
pub fn put_cache(tx: &Transaction<'_>, kind: &str, key: &str, body: &Value, fetched_at: i64) -> Result<()> {
    let text =
        serde_json::to_string(body).map_err(|_| Error::MalformedStoredData("cache body does not encode".into()))?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO cache (kind, key, body, fetched_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at",
    )?;
    stmt.execute(params![kind, key, text, fetched_at])?;
    Ok(())
}

/// The cached `kind`/`key` and when it was fetched (unix ms), if any.
pub fn get_cache(conn: &Connection, kind: &str, key: &str) -> Result<Option<(Value, i64)>> {
    let mut stmt = conn.prepare_cached("SELECT body, fetched_at FROM cache WHERE kind = ?1 AND key = ?2")?;
    let row: Option<(String, i64)> = stmt.query_row([kind, key], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    row.map(|(text, at)| Ok((decode(kind, key, &text)?, at))).transpose()
}

/// Every cached entry of `kind` as `(key, body, fetched_at)`, by key.
pub fn list_cache(conn: &Connection, kind: &str) -> Result<Vec<(String, Value, i64)>> {
    let mut stmt = conn.prepare_cached("SELECT key, body, fetched_at FROM cache WHERE kind = ?1 ORDER BY key")?;
    let rows = stmt
        .query_map([kind], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(key, text, at)| {
            let body = decode(kind, &key, &text)?;
            Ok((key, body, at))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;
    use serde_json::json;

    #[test]
    fn put_replaces_and_lists_by_kind() {
        let (_dir, store) = temp_store();
        store.write(|tx| put_cache(tx, "status", "me", &json!({"active": false}), 1)).unwrap();
        store.write(|tx| put_cache(tx, "status", "me", &json!({"active": true}), 2)).unwrap();
        store.write(|tx| put_cache(tx, "payment", "b", &json!([1]), 3)).unwrap();
        store.write(|tx| put_cache(tx, "payment", "a", &json!("x"), 4)).unwrap();
        assert_eq!(store.read(|c| get_cache(c, "status", "me")).unwrap(), Some((json!({"active": true}), 2)));
        assert_eq!(store.read(|c| get_cache(c, "status", "you")).unwrap(), None);
        let listed = store.read(|c| list_cache(c, "payment")).unwrap();
        assert_eq!(listed, vec![("a".to_string(), json!("x"), 4), ("b".to_string(), json!([1]), 3)]);
    }

    #[test]
    fn malformed_body_is_an_error() {
        let (_dir, store) = temp_store();
        store.write(|tx| put_cache(tx, "card", "me", &json!({}), 1)).unwrap();
        store.write(|tx| Ok(tx.execute("UPDATE cache SET body = 'not json'", [])?)).unwrap();
        assert!(matches!(store.read(|c| get_cache(c, "card", "me")), Err(Error::MalformedStoredData(_))));
        assert!(matches!(store.read(|c| list_cache(c, "card")), Err(Error::MalformedStoredData(_))));
    }
}
