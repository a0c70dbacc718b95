//! A profile's rows as plain data, and back: what a backup carries. Every table
//! of the database goes, row by row and column by column, so nothing a later
//! version adds is forgotten here; reading tolerates damage (a table that stops
//! reading is kept as far as it read, and named), so a damaged profile that was
//! set aside can still be saved as far as it can be read.

use std::path::Path;

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OpenFlags, Transaction};
use serde::{Deserialize, Serialize};

use crate::base::error::{Error, Result};
use crate::store::key::Key;
use crate::store::open::{connect, unlock};
use crate::store::schema;

/// Every row of one database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dump {
    /// The schema version the rows were read at.
    pub schema_version: u32,
    /// The tables, in the database's order.
    pub tables: Vec<TableDump>,
    /// Tables that stopped reading before their end (a damaged file): the rows
    /// before the damage are in `tables`.
    pub cut_short: Vec<String>,
}

/// The rows of one table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableDump {
    /// Table name.
    pub name: String,
    /// Column names, in the order of each row's cells.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

/// One stored value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A float.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes (document chunks), hex on the wire of the dump.
    Blob(#[serde(with = "hex::serde")] Vec<u8>),
}

impl Cell {
    fn of(v: ValueRef<'_>) -> Cell {
        match v {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(i) => Cell::Int(i),
            ValueRef::Real(f) => Cell::Real(f),
            ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
        }
    }

    fn value(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Int(i) => Value::Integer(*i),
            Cell::Real(f) => Value::Real(*f),
            Cell::Text(t) => Value::Text(t.clone()),
            Cell::Blob(b) => Value::Blob(b.clone()),
        }
    }
}

/// Names of the database's own tables (not SQLite's), in creation order.
fn table_names(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
    )?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names)
}

/// Reads every row of every table. A table whose reading fails part way keeps
/// the rows read before and is named in [`Dump::cut_short`]; only a database
/// whose list of tables cannot be read fails as a whole.
pub fn dump(conn: &Connection) -> Result<Dump> {
    let schema_version = schema::user_version(conn)?;
    let mut tables = Vec::new();
    let mut cut_short = Vec::new();
    for name in table_names(conn)? {
        let mut table = TableDump {
            name: name.clone(),
            columns: Vec::new(),
            rows: Vec::new(),
        };
        if read_table(conn, &mut table).is_err() {
            cut_short.push(name);
        }
        tables.push(table);
    }
    Ok(Dump {
        schema_version,
        tables,
        cut_short,
    })
}

fn read_table(conn: &Connection, table: &mut TableDump) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(&format!("SELECT * FROM \"{}\"", table.name))?;
    table.columns = stmt.column_names().map(str::to_string).collect();
    let width = table.columns.len();
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let mut cells = Vec::with_capacity(width);
        for i in 0..width {
            cells.push(Cell::of(row.get_ref(i)?));
        }
        table.rows.push(cells);
    }
    Ok(())
}

/// Reads the database file at `path` with `key` as far as it can be read, without
/// writing to it (a damaged profile that was set aside). A key that opens nothing
/// is [`Error::WrongKey`]-like: the file's own error.
pub fn dump_file(path: &Path, key: &Key) -> Result<Dump> {
    let conn = connect(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    unlock(&conn, key).map_err(|e| Error::NotADatabase(e.to_string()))?;
    dump(&conn)
}

/// Writes `dump`'s rows into the (empty, current-schema) database of `tx`: for each
/// table of the dump that the database has, the columns both know. A column only
/// the database has gets its default. Refuses a dump from a newer schema.
pub fn load(tx: &Transaction<'_>, dump: &Dump) -> Result<()> {
    schema::check_not_too_new(dump.schema_version)?;
    let present = table_names(tx)?;
    for table in &dump.tables {
        if !present.contains(&table.name) {
            return Err(Error::MalformedStoredData(format!(
                "a backup table this version does not know: {}",
                table.name
            )));
        }
        let known = columns_of(tx, &table.name)?;
        let keep: Vec<usize> = (0..table.columns.len())
            .filter(|&i| known.contains(&table.columns[i]))
            .collect();
        if keep.is_empty() || table.rows.is_empty() {
            continue;
        }
        let names: Vec<String> = keep
            .iter()
            .map(|&i| format!("\"{}\"", table.columns[i]))
            .collect();
        let marks = vec!["?"; keep.len()].join(", ");
        let mut stmt = tx.prepare(&format!(
            "INSERT INTO \"{}\" ({}) VALUES ({marks})",
            table.name,
            names.join(", ")
        ))?;
        for row in &table.rows {
            if row.len() != table.columns.len() {
                return Err(Error::MalformedStoredData(format!(
                    "a row of {} with {} cells for {} columns",
                    table.name,
                    row.len(),
                    table.columns.len()
                )));
            }
            let values: Vec<Value> = keep.iter().map(|&i| row[i].value()).collect();
            stmt.execute(rusqlite::params_from_iter(values))?;
        }
    }
    Ok(())
}

fn columns_of(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info(\"{table}\")"))?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(1))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    // Test code: a failed unwrap is a failed test.
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::store::test_support::{draft, submission, temp_store, test_key};
    use crate::store::{insert_draft, insert_submission, set_meta, OpenMode, Store};

    #[test]
    fn a_dump_loads_into_a_new_store_as_the_same_rows() {
        let (_dir, store) = temp_store();
        store
            .write(|tx| {
                insert_draft(tx, &draft("d1", 10))?;
                insert_submission(tx, &submission("s1", 20))?;
                set_meta(tx, "device.id", "dev-1")?;
                tx.execute(
                    "INSERT INTO attachments (id, mime, size, chunk_count, created_at) VALUES ('a', 'image/jpeg', 3, 1, 5)",
                    [],
                )?;
                tx.execute(
                    "INSERT INTO attachment_chunks (attachment_id, idx, data) VALUES ('a', 0, x'ff00fe')",
                    [],
                )?;
                Ok(())
            })
            .unwrap();
        let before = store.read(dump).unwrap();
        assert!(before.cut_short.is_empty());
        // Through its serialized form, as a backup carries it.
        let text = serde_json::to_string(&before).unwrap();
        let again: Dump = serde_json::from_str(&text).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let other = Store::open(&dir.path().join("b.db"), &test_key(), OpenMode::Create).unwrap();
        other.write(|tx| load(tx, &again)).unwrap();
        let after = other.read(dump).unwrap();
        assert_eq!(before, after);
    }

    #[test]
    fn a_dump_from_a_newer_schema_is_refused() {
        let (_dir, store) = temp_store();
        let mut d = store.read(dump).unwrap();
        d.schema_version = schema::VERSION + 1;
        let dir = tempfile::tempdir().unwrap();
        let other = Store::open(&dir.path().join("b.db"), &test_key(), OpenMode::Create).unwrap();
        let err = other.write(|tx| load(tx, &d)).unwrap_err();
        assert_eq!(err.code(), "store.schema_too_new");
    }
}
