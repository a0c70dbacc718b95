//! Attachments (photos and scans of documents) inside the profile's encrypted
//! database: content-addressed by SHA-256 (the same file twice is stored once),
//! split into chunks, linked to the drafts (and, after finalize, the submissions
//! with the same id) that use them. Unlinked files are dropped.

use std::collections::HashSet;

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::domain::document::content_id;
use crate::protocol::wire::{chunk_count, ATTACHMENT_CHUNK_SIZE};
use crate::{Error, Result};

/// Chunk size in the database, the same as on the wire so a chunk is uploaded as stored.
pub const CHUNK_SIZE: usize = ATTACHMENT_CHUNK_SIZE;

/// One stored file (its bytes are in `attachment_chunks`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    /// Hex SHA-256 of the content.
    pub id: String,
    /// Sniffed MIME type.
    pub mime: String,
    /// Size in bytes.
    pub size: u64,
    /// Number of chunks.
    pub chunk_count: u32,
    /// First stored (unix ms).
    pub created_at: i64,
    /// When the server confirmed the whole file (unix ms), if it did.
    pub uploaded_at: Option<i64>,
}

/// One use of a file: a page of a document field of a draft (or of the submission
/// that draft became: same id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    /// Draft (or submission) id.
    pub draft_id: String,
    /// Field path, e.g. `ktp_photo`.
    pub field_path: String,
    /// The file's content id.
    pub attachment_id: String,
    /// Position in the field (0-based page).
    pub page: u32,
    /// When it was attached (unix ms).
    pub added_at: i64,
}

fn size_i64(size: u64) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AttachmentRow> {
    Ok(AttachmentRow {
        id: r.get(0)?,
        mime: r.get(1)?,
        size: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
        chunk_count: r.get(3)?,
        created_at: r.get(4)?,
        uploaded_at: r.get(5)?,
    })
}

const COLUMNS: &str = "id, mime, size, chunk_count, created_at, uploaded_at";

/// Stores `bytes` (already checked) unless a file with the same content exists.
/// Returns the row and whether it was new.
pub fn put_attachment(
    tx: &Transaction<'_>,
    bytes: &[u8],
    mime: &str,
    now: i64,
) -> Result<(AttachmentRow, bool)> {
    let id = content_id(bytes);
    if let Some(found) = get_attachment(tx, &id)? {
        return Ok((found, false));
    }
    let size = bytes.len() as u64;
    let row = AttachmentRow {
        id: id.clone(),
        mime: mime.to_string(),
        size,
        chunk_count: chunk_count(size),
        created_at: now,
        uploaded_at: None,
    };
    tx.prepare_cached(&format!(
        "INSERT INTO attachments ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, NULL)"
    ))?
    .execute(params![
        row.id,
        row.mime,
        size_i64(size),
        row.chunk_count,
        now
    ])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO attachment_chunks (attachment_id, idx, data) VALUES (?1, ?2, ?3)",
    )?;
    if bytes.is_empty() {
        insert.execute(params![id, 0u32, &[] as &[u8]])?;
    }
    for (idx, chunk) in bytes.chunks(CHUNK_SIZE).enumerate() {
        insert.execute(params![id, idx as u32, chunk])?;
    }
    Ok((row, true))
}

/// The file with content id `id`, if stored.
pub fn get_attachment(conn: &Connection, id: &str) -> Result<Option<AttachmentRow>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM attachments WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?)
}

/// Chunk `idx` of file `id`, if stored.
pub fn read_chunk(conn: &Connection, id: &str, idx: u32) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .prepare_cached("SELECT data FROM attachment_chunks WHERE attachment_id = ?1 AND idx = ?2")?
        .query_row(params![id, idx], |r| r.get(0))
        .optional()?)
}

/// The whole content of file `id`, checked against its hash.
/// Errors: [`Error::AttachmentNotFound`]; [`Error::MalformedStoredData`] if damaged.
pub fn read_all(conn: &Connection, id: &str) -> Result<Vec<u8>> {
    let meta =
        get_attachment(conn, id)?.ok_or_else(|| Error::AttachmentNotFound(id.to_string()))?;
    let mut out = Vec::with_capacity(usize::try_from(meta.size).unwrap_or(0));
    let mut stmt = conn.prepare_cached(
        "SELECT data FROM attachment_chunks WHERE attachment_id = ?1 ORDER BY idx",
    )?;
    let chunks = stmt.query_map([id], |r| r.get::<_, Vec<u8>>(0))?;
    for chunk in chunks {
        out.extend_from_slice(&chunk?);
    }
    if content_id(&out) != id {
        return Err(Error::MalformedStoredData(format!(
            "attachment {id} does not match its hash"
        )));
    }
    Ok(out)
}

/// Links file `attachment_id` as the next page of `field_path` in `draft_id`.
/// Already linked there → its existing page (nothing changes).
pub fn link(
    tx: &Transaction<'_>,
    draft_id: &str,
    field_path: &str,
    attachment_id: &str,
    now: i64,
) -> Result<u32> {
    let existing: Option<u32> = tx
        .prepare_cached(
            "SELECT page FROM draft_attachments WHERE draft_id = ?1 AND field_path = ?2 AND attachment_id = ?3",
        )?
        .query_row(params![draft_id, field_path, attachment_id], |r| r.get(0))
        .optional()?;
    if let Some(page) = existing {
        return Ok(page);
    }
    let page: u32 = tx
        .prepare_cached(
            "SELECT count(*) FROM draft_attachments WHERE draft_id = ?1 AND field_path = ?2",
        )?
        .query_row(params![draft_id, field_path], |r| r.get(0))?;
    tx.prepare_cached(
        "INSERT INTO draft_attachments (draft_id, field_path, attachment_id, page, added_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![draft_id, field_path, attachment_id, page, now])?;
    Ok(page)
}

/// Removes one link and renumbers the field's later pages. False if there was none.
pub fn unlink(
    tx: &Transaction<'_>,
    draft_id: &str,
    field_path: &str,
    attachment_id: &str,
) -> Result<bool> {
    let page: Option<u32> = tx
        .prepare_cached(
            "SELECT page FROM draft_attachments WHERE draft_id = ?1 AND field_path = ?2 AND attachment_id = ?3",
        )?
        .query_row(params![draft_id, field_path, attachment_id], |r| r.get(0))
        .optional()?;
    let Some(page) = page else { return Ok(false) };
    tx.execute(
        "DELETE FROM draft_attachments WHERE draft_id = ?1 AND field_path = ?2 AND attachment_id = ?3",
        params![draft_id, field_path, attachment_id],
    )?;
    tx.execute(
        "UPDATE draft_attachments SET page = page - 1 WHERE draft_id = ?1 AND field_path = ?2 AND page > ?3",
        params![draft_id, field_path, page],
    )?;
    Ok(true)
}

/// Every link of `draft_id` with its file, by field then page.
pub fn links(conn: &Connection, draft_id: &str) -> Result<Vec<(LinkRow, AttachmentRow)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.draft_id, l.field_path, l.attachment_id, l.page, l.added_at,
                a.id, a.mime, a.size, a.chunk_count, a.created_at, a.uploaded_at
         FROM draft_attachments l JOIN attachments a ON a.id = l.attachment_id
         WHERE l.draft_id = ?1 ORDER BY l.field_path, l.page",
    )?;
    let rows = stmt.query_map([draft_id], |r| {
        Ok((
            LinkRow {
                draft_id: r.get(0)?,
                field_path: r.get(1)?,
                attachment_id: r.get(2)?,
                page: r.get(3)?,
                added_at: r.get(4)?,
            },
            AttachmentRow {
                id: r.get(5)?,
                mime: r.get(6)?,
                size: u64::try_from(r.get::<_, i64>(7)?).unwrap_or(0),
                chunk_count: r.get(8)?,
                created_at: r.get(9)?,
                uploaded_at: r.get(10)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Bytes of the distinct files linked to `draft_id` (a file used twice counts once).
pub fn linked_bytes(conn: &Connection, draft_id: &str) -> Result<u64> {
    let total: i64 = conn
        .prepare_cached(
            "SELECT coalesce(sum(size), 0) FROM attachments
             WHERE id IN (SELECT attachment_id FROM draft_attachments WHERE draft_id = ?1)",
        )?
        .query_row([draft_id], |r| r.get(0))?;
    Ok(u64::try_from(total).unwrap_or(0))
}

/// Removes every link of `draft_id`; returns how many.
pub fn unlink_all(tx: &Transaction<'_>, draft_id: &str) -> Result<usize> {
    Ok(tx.execute(
        "DELETE FROM draft_attachments WHERE draft_id = ?1",
        [draft_id],
    )?)
}

/// Keeps only the links of `draft_id` whose file is in `keep` (e.g. the hashes in
/// a frozen payload: a hidden field's files are not sent).
pub fn retain_links(tx: &Transaction<'_>, draft_id: &str, keep: &[String]) -> Result<usize> {
    let mut removed = 0;
    for (link, _) in links(tx, draft_id)? {
        if !keep.contains(&link.attachment_id) {
            removed += usize::from(unlink(tx, draft_id, &link.field_path, &link.attachment_id)?);
        }
    }
    Ok(removed)
}

/// Copies every link of `from` to `to` (a rejected submission reopened as a draft).
pub fn copy_links(tx: &Transaction<'_>, from: &str, to: &str, now: i64) -> Result<usize> {
    Ok(tx.execute(
        "INSERT OR IGNORE INTO draft_attachments (draft_id, field_path, attachment_id, page, added_at)
         SELECT ?2, field_path, attachment_id, page, ?3 FROM draft_attachments WHERE draft_id = ?1",
        params![from, to, now],
    )?)
}

/// Deletes files no draft or submission links to; returns how many.
pub fn drop_orphans(tx: &Transaction<'_>) -> Result<usize> {
    tx.execute(
        "DELETE FROM attachment_chunks WHERE attachment_id NOT IN (SELECT attachment_id FROM draft_attachments)",
        [],
    )?;
    Ok(tx.execute(
        "DELETE FROM attachments WHERE id NOT IN (SELECT attachment_id FROM draft_attachments)",
        [],
    )?)
}

/// Records that the server holds the whole file `id`.
pub fn mark_uploaded(tx: &Transaction<'_>, id: &str, now: i64) -> Result<()> {
    tx.prepare_cached(
        "UPDATE attachments SET uploaded_at = ?2 WHERE id = ?1 AND uploaded_at IS NULL",
    )?
    .execute(params![id, now])?;
    Ok(())
}

/// A file's bytes are about to be sent: every submission that names it may reach
/// the server from now on, so none of them can be taken back (`left_at` is set).
pub fn mark_submissions_left(tx: &Transaction<'_>, attachment_id: &str, now: i64) -> Result<()> {
    tx.prepare_cached(
        "UPDATE submissions SET left_at = ?2
         WHERE left_at IS NULL
           AND id IN (SELECT draft_id FROM draft_attachments WHERE attachment_id = ?1)",
    )?
    .execute(params![attachment_id, now])?;
    Ok(())
}

/// Files still to upload: `(submission id, file)` for every link of a submission that
/// is queued, sending, waiting or accepted and whose file the server does not hold yet.
/// Oldest submission first.
pub fn pending_uploads(conn: &Connection) -> Result<Vec<(String, AttachmentRow)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT s.id, a.id, a.mime, a.size, a.chunk_count, a.created_at, a.uploaded_at, s.created_at
         FROM submissions s
         JOIN draft_attachments l ON l.draft_id = s.id
         JOIN attachments a ON a.id = l.attachment_id
         WHERE s.state IN ('queued', 'sending', 'waiting', 'accepted') AND a.uploaded_at IS NULL
         ORDER BY s.created_at, s.id, a.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            AttachmentRow {
                id: r.get(1)?,
                mime: r.get(2)?,
                size: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                chunk_count: r.get(4)?,
                created_at: r.get(5)?,
                uploaded_at: r.get(6)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// What waits to be uploaded: the submissions that name a file the server does not
/// hold yet ([`pending_uploads`]), and those files' bytes, each file counted once.
pub fn uploads_left(conn: &Connection) -> Result<(HashSet<String>, u64)> {
    let mut submissions = HashSet::new();
    let mut files = HashSet::new();
    let mut bytes = 0u64;
    for (submission, file) in pending_uploads(conn)? {
        submissions.insert(submission);
        if files.insert(file.id) {
            bytes = bytes.saturating_add(file.size);
        }
    }
    Ok((submissions, bytes))
}

/// Lets go of files the server holds: the links of accepted submissions whose files
/// are all uploaded are removed, then unlinked files are dropped. Returns files dropped.
pub fn release_uploaded(tx: &Transaction<'_>) -> Result<usize> {
    tx.execute(
        "DELETE FROM draft_attachments WHERE draft_id IN (
             SELECT s.id FROM submissions s WHERE s.state = 'accepted' AND NOT EXISTS (
                 SELECT 1 FROM draft_attachments l JOIN attachments a ON a.id = l.attachment_id
                 WHERE l.draft_id = s.id AND a.uploaded_at IS NULL))",
        [],
    )?;
    drop_orphans(tx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::document::{check_file, sniff, MAX_FILE_BYTES};
    use crate::store::test_support::{submission, temp_store};
    use crate::store::{outbox, OutboxState};
    use proptest::prelude::*;

    /// A fake JPEG of `len` bytes (signature, then a pattern that depends on `seed`).
    pub(crate) fn jpeg(len: usize, seed: u8) -> Vec<u8> {
        let mut v: Vec<u8> = (0..len)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect();
        v[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
        v
    }

    #[test]
    fn sniffing_accepts_jpeg_png_pdf_and_nothing_else() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(
            sniff(b"\x89PNG"),
            None,
            "a truncated PNG signature is not a PNG"
        );
        assert_eq!(sniff(b""), None);
        assert_eq!(
            check_file(b"<html>").unwrap_err().code(),
            "attachment.unsupported_type"
        );
    }

    #[test]
    fn a_file_over_the_cap_is_refused_with_its_size() {
        let big = jpeg(MAX_FILE_BYTES as usize + 1, 1);
        match check_file(&big) {
            Err(Error::AttachmentTooLarge { size, max }) => {
                assert_eq!(size, MAX_FILE_BYTES + 1);
                assert_eq!(max, MAX_FILE_BYTES);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            check_file(&jpeg(MAX_FILE_BYTES as usize, 1)).unwrap(),
            "image/jpeg"
        );
    }

    #[test]
    fn files_are_chunked_and_read_back_exactly() {
        let (_dir, store) = temp_store();
        for len in [
            3,
            CHUNK_SIZE - 1,
            CHUNK_SIZE,
            CHUNK_SIZE + 1,
            3 * CHUNK_SIZE + 17,
        ] {
            let bytes = jpeg(len, len as u8);
            let (row, new) = store
                .write(|tx| put_attachment(tx, &bytes, "image/jpeg", 1))
                .unwrap();
            assert!(new);
            assert_eq!(row.id, content_id(&bytes));
            assert_eq!(row.chunk_count as usize, len.div_ceil(CHUNK_SIZE));
            let chunks: i64 = store
                .read(|c| {
                    Ok(c.query_row(
                        "SELECT count(*) FROM attachment_chunks WHERE attachment_id = ?1",
                        [&row.id],
                        |r| r.get(0),
                    )?)
                })
                .unwrap();
            assert_eq!(chunks as u32, row.chunk_count);
            let last = store
                .read(|c| read_chunk(c, &row.id, row.chunk_count - 1))
                .unwrap()
                .unwrap();
            assert_eq!(
                last.len(),
                len - (row.chunk_count as usize - 1) * CHUNK_SIZE
            );
            assert_eq!(store.read(|c| read_all(c, &row.id)).unwrap(), bytes);
        }
    }

    #[test]
    fn the_same_file_twice_is_stored_once() {
        let (_dir, store) = temp_store();
        let bytes = jpeg(40_000, 7);
        let (a, new_a) = store
            .write(|tx| put_attachment(tx, &bytes, "image/jpeg", 1))
            .unwrap();
        let (b, new_b) = store
            .write(|tx| put_attachment(tx, &bytes, "image/jpeg", 2))
            .unwrap();
        assert!(new_a && !new_b);
        assert_eq!(a, b, "second put returns the first row");
        let n: i64 = store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM attachment_chunks", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(n as u32, a.chunk_count);
    }

    #[test]
    fn links_renumber_pages_and_orphans_are_dropped() {
        let (_dir, store) = temp_store();
        let files: Vec<Vec<u8>> = (0..3).map(|i| jpeg(1000 + i, i as u8)).collect();
        let ids: Vec<String> = files.iter().map(|f| content_id(f)).collect();
        store
            .write(|tx| {
                for f in &files {
                    put_attachment(tx, f, "image/jpeg", 1)?;
                }
                assert_eq!(link(tx, "d1", "kk", &ids[0], 1)?, 0);
                assert_eq!(link(tx, "d1", "kk", &ids[1], 1)?, 1);
                assert_eq!(link(tx, "d1", "kk", &ids[2], 1)?, 2);
                assert_eq!(
                    link(tx, "d1", "kk", &ids[1], 1)?,
                    1,
                    "linking again changes nothing"
                );
                link(tx, "d2", "ktp", &ids[2], 1)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(store.read(|c| linked_bytes(c, "d1")).unwrap(), 3000 + 3);
        assert!(store.write(|tx| unlink(tx, "d1", "kk", &ids[0])).unwrap());
        let pages: Vec<(String, u32)> = store
            .read(|c| links(c, "d1"))
            .unwrap()
            .into_iter()
            .map(|(l, _)| (l.attachment_id, l.page))
            .collect();
        assert_eq!(pages, vec![(ids[1].clone(), 0), (ids[2].clone(), 1)]);
        assert_eq!(
            store.write(drop_orphans).unwrap(),
            1,
            "file 0 is linked nowhere"
        );
        store.write(|tx| unlink_all(tx, "d1")).unwrap();
        assert_eq!(
            store.write(drop_orphans).unwrap(),
            1,
            "file 1 gone, file 2 still used by d2"
        );
        assert!(store
            .read(|c| get_attachment(c, &ids[2]))
            .unwrap()
            .is_some());
        assert!(matches!(
            store.read(|c| read_all(c, &ids[1])),
            Err(Error::AttachmentNotFound(_))
        ));
    }

    #[test]
    fn files_of_accepted_submissions_are_released_once_uploaded() {
        let (_dir, store) = temp_store();
        let bytes = jpeg(5000, 3);
        let id = content_id(&bytes);
        store
            .write(|tx| {
                outbox::insert_submission(tx, &submission("s1", 10))?;
                put_attachment(tx, &bytes, "image/jpeg", 1)?;
                link(tx, "s1", "ktp", &id, 1)?;
                Ok(())
            })
            .unwrap();
        let pending = store.read(pending_uploads).unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].0, "s1");
        store.write(|tx| mark_uploaded(tx, &id, 5)).unwrap();
        assert!(store.read(pending_uploads).unwrap().is_empty());
        assert_eq!(
            store.write(release_uploaded).unwrap(),
            0,
            "queued: kept until accepted"
        );
        store
            .write(|tx| outbox::mark_accepted(tx, "s1", "REF", 6))
            .unwrap();
        assert_eq!(
            store
                .read(|c| outbox::get_submission(c, "s1"))
                .unwrap()
                .unwrap()
                .state,
            OutboxState::Accepted
        );
        assert_eq!(store.write(release_uploaded).unwrap(), 1);
        assert!(store.read(|c| get_attachment(c, &id)).unwrap().is_none());
    }

    #[test]
    fn a_damaged_chunk_is_reported_not_returned() {
        let (_dir, store) = temp_store();
        let bytes = jpeg(CHUNK_SIZE + 10, 9);
        let (row, _) = store
            .write(|tx| put_attachment(tx, &bytes, "image/jpeg", 1))
            .unwrap();
        store
            .write(|tx| {
                Ok(tx.execute(
                    "UPDATE attachment_chunks SET data = x'00' WHERE attachment_id = ?1 AND idx = 1",
                    [&row.id],
                )?)
            })
            .unwrap();
        assert!(matches!(
            store.read(|c| read_all(c, &row.id)),
            Err(Error::MalformedStoredData(_))
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn any_accepted_file_round_trips(body in proptest::collection::vec(any::<u8>(), 0..(3 * CHUNK_SIZE))) {
            let mut bytes = b"%PDF-".to_vec();
            bytes.extend(body);
            prop_assert_eq!(check_file(&bytes).unwrap(), "application/pdf");
            let (_dir, store) = temp_store();
            let (row, _) = store.write(|tx| put_attachment(tx, &bytes, "application/pdf", 1)).unwrap();
            prop_assert_eq!(row.size, bytes.len() as u64);
            prop_assert_eq!(store.read(|c| read_all(c, &row.id)).unwrap(), bytes);
        }

        #[test]
        fn sniff_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..16)) {
            let _ = sniff(&bytes);
        }
    }
}
