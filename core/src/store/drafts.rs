//! Drafts: forms being filled, saved on every change. Answers are one JSON object
//! per draft; a row that does not decode is reported, never skipped or panicked on.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde_json::{Map, Value};

use crate::{Error, Result};

/// One stored draft.
#[derive(Clone, PartialEq)]
pub struct DraftRow {
    /// Client-generated id (a UUID).
    pub id: String,
    /// Form definition id.
    pub form_id: String,
    /// Form definition version the draft started with (it stays on it).
    pub form_version: u32,
    /// Creation time, unix ms.
    pub created_at: i64,
    /// Last change, unix ms.
    pub updated_at: i64,
    /// The answers so far, by field path.
    pub answers: Map<String, Value>,
    /// The submission this draft was reopened from (after a rejection), if any.
    pub reopened_from: Option<String>,
}

impl std::fmt::Debug for DraftRow {
    // Hand-written: answers hold personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DraftRow")
            .field("id", &self.id)
            .field("form_id", &self.form_id)
            .field("form_version", &self.form_version)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .field("answers", &format_args!("<{} answers>", self.answers.len()))
            .field("reopened_from", &self.reopened_from)
            .finish()
    }
}

const COLUMNS: &str = "id, form_id, form_version, created_at, updated_at, answers, reopened_from";

/// Encodes answers for storage.
fn encode(answers: &Map<String, Value>) -> Result<String> {
    serde_json::to_string(answers)
        .map_err(|_| Error::MalformedStoredData("answers do not encode".into()))
}

fn decode_answers(id: &str, text: &str) -> Result<Map<String, Value>> {
    // The serde error is dropped on purpose: it may quote the stored text.
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Error::MalformedStoredData(format!(
            "answers of draft {id} are not a JSON object"
        ))),
    }
}

/// Reads the raw columns; JSON is decoded afterwards so a bad row becomes an `Error`.
fn raw(row: &Row<'_>) -> rusqlite::Result<(DraftRow, String)> {
    Ok((
        DraftRow {
            id: row.get(0)?,
            form_id: row.get(1)?,
            form_version: row.get(2)?,
            created_at: row.get(3)?,
            updated_at: row.get(4)?,
            answers: Map::new(),
            reopened_from: row.get(6)?,
        },
        row.get(5)?,
    ))
}

fn finish((mut draft, text): (DraftRow, String)) -> Result<DraftRow> {
    draft.answers = decode_answers(&draft.id, &text)?;
    Ok(draft)
}

/// Inserts a new draft.
pub fn insert_draft(tx: &Transaction<'_>, draft: &DraftRow) -> Result<()> {
    let mut stmt = tx.prepare_cached(&format!(
        "INSERT INTO drafts ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    ))?;
    stmt.execute(params![
        draft.id,
        draft.form_id,
        draft.form_version,
        draft.created_at,
        draft.updated_at,
        encode(&draft.answers)?,
        draft.reopened_from,
    ])?;
    Ok(())
}

/// The draft with `id`, if any.
pub fn get_draft(conn: &Connection, id: &str) -> Result<Option<DraftRow>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM drafts WHERE id = ?1"))?;
    stmt.query_row([id], raw)
        .optional()?
        .map(finish)
        .transpose()
}

/// The answers of the draft an autosave last wrote, kept with the exact text it
/// stored. The next autosave still reads the row (the store stays the truth) but
/// decodes the JSON again only when the stored text is not that text: no staleness
/// is possible, and a keystroke skips a parse of the whole draft.
#[derive(Default)]
pub struct LastWritten {
    id: String,
    text: String,
    answers: Map<String, Value>,
}

impl std::fmt::Debug for LastWritten {
    // Hand-written: answers hold personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LastWritten").field("id", &self.id).finish()
    }
}

/// Draft `id` to update: like [`get_draft`], taking the answers from `last` when the
/// stored text is the one it holds (the cache is emptied; [`save_answers_keeping`]
/// fills it again).
pub fn get_draft_to_update(
    conn: &Connection,
    id: &str,
    last: &mut LastWritten,
) -> Result<Option<DraftRow>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM drafts WHERE id = ?1"))?;
    let Some((mut row, text)) = stmt.query_row([id], raw).optional()? else {
        return Ok(None);
    };
    let last = std::mem::take(last);
    if last.id == id && last.text == text {
        row.answers = last.answers;
        Ok(Some(row))
    } else {
        finish((row, text)).map(Some)
    }
}

/// [`save_answers`], then keeps `answers` with the text written in `last` for the
/// next [`get_draft_to_update`].
pub fn save_answers_keeping(
    tx: &Transaction<'_>,
    id: &str,
    answers: Map<String, Value>,
    updated_at: i64,
    last: &mut LastWritten,
) -> Result<()> {
    let text = encode(&answers)?;
    update_answers(tx, id, &text, updated_at)?;
    *last = LastWritten {
        id: id.to_string(),
        text,
        answers,
    };
    Ok(())
}

/// Replaces the answers of draft `id` (autosave). Missing draft → [`Error::DraftNotFound`].
pub fn save_answers(
    tx: &Transaction<'_>,
    id: &str,
    answers: &Map<String, Value>,
    updated_at: i64,
) -> Result<()> {
    update_answers(tx, id, &encode(answers)?, updated_at)
}

fn update_answers(tx: &Transaction<'_>, id: &str, text: &str, updated_at: i64) -> Result<()> {
    let mut stmt =
        tx.prepare_cached("UPDATE drafts SET answers = ?2, updated_at = ?3 WHERE id = ?1")?;
    if stmt.execute(params![id, text, updated_at])? == 0 {
        return Err(Error::DraftNotFound(id.to_string()));
    }
    Ok(())
}

/// All drafts, most recently changed first.
pub fn list_drafts(conn: &Connection) -> Result<Vec<DraftRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM drafts ORDER BY updated_at DESC, id"
    ))?;
    let rows = stmt
        .query_map([], raw)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(finish).collect()
}

/// Remembers `page` as the page of draft `id` the worker last changed something on.
pub fn set_last_page(tx: &Transaction<'_>, id: &str, page: u32) -> Result<()> {
    let mut stmt = tx.prepare_cached("UPDATE drafts SET last_page = ?2 WHERE id = ?1")?;
    if stmt.execute(params![id, page])? == 0 {
        return Err(Error::DraftNotFound(id.to_string()));
    }
    Ok(())
}

/// The page of draft `id` the worker last changed something on (0 when none was
/// remembered); `None` when there is no such draft.
pub fn last_page(conn: &Connection, id: &str) -> Result<Option<u32>> {
    let mut stmt = conn.prepare_cached("SELECT last_page FROM drafts WHERE id = ?1")?;
    let page: Option<i64> = stmt.query_row([id], |r| r.get(0)).optional()?;
    Ok(page.map(|p| u32::try_from(p).unwrap_or(0)))
}

/// Deletes draft `id`; false if there was none.
pub fn delete_draft(tx: &Transaction<'_>, id: &str) -> Result<bool> {
    let mut stmt = tx.prepare_cached("DELETE FROM drafts WHERE id = ?1")?;
    Ok(stmt.execute([id])? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{draft, temp_store};
    use serde_json::json;

    #[test]
    fn insert_get_save_list_delete() {
        let (_dir, store) = temp_store();
        let d = draft("d1", 10);
        store.write(|tx| insert_draft(tx, &d)).unwrap();
        assert_eq!(store.read(|c| get_draft(c, "d1")).unwrap(), Some(d.clone()));

        let mut answers = d.answers.clone();
        answers.insert("name".into(), json!("Ani"));
        store
            .write(|tx| save_answers(tx, "d1", &answers, 20))
            .unwrap();
        let saved = store.read(|c| get_draft(c, "d1")).unwrap().unwrap();
        assert_eq!(saved.answers, answers);
        assert_eq!(saved.updated_at, 20);

        store
            .write(|tx| insert_draft(tx, &draft("d2", 15)))
            .unwrap();
        let ids: Vec<String> = store
            .read(list_drafts)
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(ids, ["d1", "d2"]);

        assert!(store.write(|tx| delete_draft(tx, "d1")).unwrap());
        assert!(!store.write(|tx| delete_draft(tx, "d1")).unwrap());
        assert_eq!(store.read(|c| get_draft(c, "d1")).unwrap(), None);
    }

    #[test]
    fn an_autosave_decodes_again_only_when_the_stored_text_changed() {
        let (_dir, store) = temp_store();
        store
            .write(|tx| insert_draft(tx, &draft("d1", 10)))
            .unwrap();
        let mut last = LastWritten::default();
        let mut a = Map::new();
        a.insert("name".into(), json!("Ani"));
        store
            .write(|tx| save_answers_keeping(tx, "d1", a.clone(), 20, &mut last))
            .unwrap();
        assert_eq!((last.id.as_str(), &last.answers), ("d1", &a));

        // The row still holds what was kept: the kept answers are used (a marker
        // proves no decode happened), and the cache is emptied by the taking.
        let mut doctored = LastWritten {
            id: "d1".into(),
            text: last.text.clone(),
            answers: Map::from_iter([("marker".to_string(), json!(1))]),
        };
        let row = store
            .read(|c| get_draft_to_update(c, "d1", &mut doctored))
            .unwrap()
            .unwrap();
        assert_eq!(row.answers.keys().collect::<Vec<_>>(), ["marker"]);
        assert!(doctored.id.is_empty() && doctored.answers.is_empty());

        // Another writer changed the row: it is decoded from the store.
        let mut b = a.clone();
        b.insert("name".into(), json!("Budi"));
        store.write(|tx| save_answers(tx, "d1", &b, 30)).unwrap();
        let row = store
            .read(|c| get_draft_to_update(c, "d1", &mut last))
            .unwrap()
            .unwrap();
        assert_eq!((row.answers, row.updated_at), (b, 30));

        // A cache of another draft is not used, and a missing draft is None.
        let mut other = LastWritten {
            id: "d2".into(),
            text: last.text.clone(),
            answers: Map::new(),
        };
        let row = store
            .read(|c| get_draft_to_update(c, "d1", &mut other))
            .unwrap();
        assert_eq!(row.map(|r| r.answers.len()), Some(1));
        assert!(store
            .read(|c| get_draft_to_update(c, "nope", &mut LastWritten::default()))
            .unwrap()
            .is_none());
    }

    #[test]
    fn saving_a_missing_draft_is_draft_not_found() {
        let (_dir, store) = temp_store();
        let err = store
            .write(|tx| save_answers(tx, "nope", &Map::new(), 1))
            .unwrap_err();
        assert!(matches!(err, Error::DraftNotFound(id) if id == "nope"));
    }

    #[test]
    fn malformed_answers_are_an_error_not_a_panic() {
        let (_dir, store) = temp_store();
        store.write(|tx| insert_draft(tx, &draft("d1", 1))).unwrap();
        store
            .write(|tx| {
                Ok(tx.execute(
                    "UPDATE drafts SET answers = '{\"nik\": \"35151' WHERE id = 'd1'",
                    [],
                )?)
            })
            .unwrap();
        let err = store.read(|c| get_draft(c, "d1")).unwrap_err();
        assert!(matches!(&err, Error::MalformedStoredData(m) if !m.contains("3515")));
        assert!(matches!(
            store.read(list_drafts),
            Err(Error::MalformedStoredData(_))
        ));
        store
            .write(|tx| Ok(tx.execute("UPDATE drafts SET answers = '[1]' WHERE id = 'd1'", [])?))
            .unwrap();
        assert!(matches!(
            store.read(|c| get_draft(c, "d1")),
            Err(Error::MalformedStoredData(_))
        ));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
        #[test]
        fn any_answers_round_trip(entries in proptest::collection::btree_map(".{0,12}", ".{0,40}", 0..6)) {
            let (_dir, store) = temp_store();
            let answers: Map<String, Value> = entries.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
            let mut d = draft("d1", 1);
            d.answers = answers.clone();
            store.write(|tx| insert_draft(tx, &d)).unwrap();
            store.write(|tx| save_answers(tx, "d1", &answers, 2)).unwrap();
            let back = store.read(|c| get_draft(c, "d1")).unwrap().unwrap();
            proptest::prop_assert_eq!(back.answers, answers);
        }
    }

    #[test]
    fn debug_hides_answers() {
        let mut d = draft("d1", 1);
        d.answers.insert("name".into(), json!("Siti Rahayu"));
        assert!(!format!("{d:?}").contains("Siti"));
    }
}
