//! A small key/value table for the store's own bookkeeping: the sync cursor,
//! the device token's id, the last form-definition ETag.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::Result;

/// The value stored under `key`, if any.
pub fn get_meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?;
    Ok(stmt.query_row([key], |r| r.get(0)).optional()?)
}

/// Stores `value` under `key`, replacing any previous value.
pub fn set_meta(tx: &Transaction<'_>, key: &str, value: &str) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?;
    stmt.execute(params![key, value])?;
    Ok(())
}

/// Removes `key`; false if it was not there.
pub fn delete_meta(tx: &Transaction<'_>, key: &str) -> Result<bool> {
    Ok(tx.prepare_cached("DELETE FROM meta WHERE key = ?1")?.execute([key])? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;

    #[test]
    fn set_get_replace_delete() {
        let (_dir, store) = temp_store();
        assert_eq!(store.read(|c| get_meta(c, "cursor")).unwrap(), None);
        store.write(|tx| set_meta(tx, "cursor", "1")).unwrap();
        store.write(|tx| set_meta(tx, "cursor", "2")).unwrap();
        assert_eq!(store.read(|c| get_meta(c, "cursor")).unwrap().as_deref(), Some("2"));
        assert!(store.write(|tx| delete_meta(tx, "cursor")).unwrap());
        assert!(!store.write(|tx| delete_meta(tx, "cursor")).unwrap());
        assert_eq!(store.read(|c| get_meta(c, "cursor")).unwrap(), None);
    }
}
