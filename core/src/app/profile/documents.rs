//! Documents on a profile: attach a photo or scan to a document field of a draft
//! (checked, hashed, deduplicated, stored encrypted in the same transaction as the
//! answer that names it), list the files of a draft or submission, remove one.

use serde::Serialize;
use serde_json::Value;

use super::Profile;
use crate::base::error::{Error, Result};
use crate::base::issue::{Issue, Problem};
use crate::base::lang::Lang;
use crate::domain::document::{self, MAX_SUBMISSION_BYTES};
use crate::forms::{self, FormDefinition, Input, Kind};
use crate::store::attachments::{self, AttachmentRow, LinkRow};
use crate::store::drafts;

/// One file attached to a document field (a page of that document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AttachmentInfo {
    /// Content id: hex SHA-256 of the file.
    pub id: String,
    /// The document field it belongs to.
    pub field_path: String,
    /// Page in that field (0-based).
    pub page: u32,
    /// MIME type found in the file's first bytes.
    pub mime: String,
    /// Size in bytes.
    pub size: u64,
    /// True once the server confirmed it holds the whole file.
    pub uploaded: bool,
}

fn info(link: LinkRow, file: AttachmentRow) -> AttachmentInfo {
    AttachmentInfo {
        id: file.id,
        field_path: link.field_path,
        page: link.page,
        mime: file.mime,
        size: file.size,
        uploaded: file.uploaded_at.is_some(),
    }
}

/// The ids stored in document field `path` of `answers`.
fn field_ids(answers: &forms::Answers, path: &str) -> Vec<String> {
    answers
        .get(path)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Issues for document ids in `payload` whose file is not stored here (e.g. typed
/// by hand instead of attached): such a submission could never be completed.
pub(super) fn missing_files(
    conn: &rusqlite::Connection,
    def: &FormDefinition,
    payload: &Value,
    lang: Lang,
) -> Result<Vec<Issue>> {
    let mut issues = Vec::new();
    for field in def
        .pages
        .iter()
        .flat_map(|p| &p.fields)
        .filter(|f| f.kind == Kind::Document)
    {
        let ids = payload
            .get(&field.id)
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for id in ids.filter_map(Value::as_str) {
            if attachments::get_attachment(conn, id)?.is_none() {
                issues.push(Problem::error("document.invalid_file").localize(&field.id, lang));
                break;
            }
        }
    }
    Ok(issues)
}

impl Profile {
    /// Attaches `bytes` (a JPEG, PNG or PDF, by its first bytes; `mime_hint` from the
    /// picker is not trusted and only logged when it disagrees) as the next page of the
    /// document field `field_path` of draft `draft_id`. The file is stored encrypted,
    /// once per content (the same file again costs nothing), and its id is appended to
    /// the field's answer — one transaction.
    ///
    /// Errors: [`Error::AttachmentTooLarge`] (the file, or the draft's files together),
    /// [`Error::TooManyPages`] (the field has its last page already; the same file
    /// again is no new page and succeeds), [`Error::UnsupportedAttachmentType`], [`Error::DraftNotFound`],
    /// [`Error::AlreadyFinalized`], [`Error::UnknownField`], [`Error::WrongValueType`]
    /// (not a document field).
    pub fn attach(
        &self,
        draft_id: &str,
        field_path: &str,
        bytes: &[u8],
        mime_hint: Option<&str>,
    ) -> Result<AttachmentInfo> {
        self.for_the_user()?;
        let mime = document::check_file(bytes)?;
        if mime_hint.is_some_and(|h| !h.trim().eq_ignore_ascii_case(mime)) {
            tracing::debug!(
                sniffed = mime,
                "attachment type hint differs from the content"
            );
        }
        let id = document::content_id(bytes);
        let ctx = self.context();
        let now = self.now_ms();
        self.store.write(|tx| {
            let mut row = self.load_draft(tx, draft_id)?;
            let def = Self::definition(&row.form_id, row.form_version)?;
            let field = def
                .field(field_path)
                .ok_or_else(|| Error::UnknownField(field_path.to_string()))?;
            if field.kind != Kind::Document {
                return Err(Error::WrongValueType {
                    path: field_path.to_string(),
                    expected: "text",
                });
            }
            let linked = attachments::links(tx, draft_id)?;
            let pages = linked
                .iter()
                .filter(|(l, _)| l.field_path == field_path)
                .count();
            let again = linked
                .iter()
                .any(|(l, _)| l.field_path == field_path && l.attachment_id == id);
            if let Some(max) = field.max_pages.filter(|m| !again && pages >= *m as usize) {
                // A page past the maximum would leave a draft that cannot be finalized.
                return Err(Error::TooManyPages { max });
            }
            if !linked.iter().any(|(l, _)| l.attachment_id == id) {
                let total = attachments::linked_bytes(tx, draft_id)? + bytes.len() as u64;
                if total > MAX_SUBMISSION_BYTES {
                    return Err(Error::AttachmentTooLarge {
                        size: total,
                        max: MAX_SUBMISSION_BYTES,
                    });
                }
            }
            let (file, _new) = attachments::put_attachment(tx, bytes, mime, now)?;
            let page = attachments::link(tx, draft_id, field_path, &id, now)?;
            let mut ids = field_ids(&row.answers, field_path);
            if !ids.contains(&id) {
                ids.push(id.clone());
            }
            forms::set_field(def, &mut row.answers, field_path, Input::List(ids), &ctx)?;
            drafts::save_answers(tx, draft_id, &row.answers, now)?;
            Ok(AttachmentInfo {
                id: file.id,
                field_path: field_path.to_string(),
                page,
                mime: file.mime,
                size: file.size,
                uploaded: file.uploaded_at.is_some(),
            })
        })
    }

    /// The files of a draft or a submission (same id), by field and page; only the
    /// files of `field_path` when given.
    pub fn attachments(&self, id: &str, field_path: Option<&str>) -> Result<Vec<AttachmentInfo>> {
        self.for_the_user()?;
        let rows = self.store.read(|conn| attachments::links(conn, id))?;
        Ok(rows
            .into_iter()
            .filter(|(l, _)| field_path.is_none_or(|f| l.field_path == f))
            .map(|(l, a)| info(l, a))
            .collect())
    }

    /// Removes file `attachment_id` from field `field_path` of draft `draft_id` (the
    /// later pages move up); the file is deleted unless something else uses it.
    /// Errors: [`Error::AttachmentNotFound`], [`Error::DraftNotFound`], [`Error::AlreadyFinalized`].
    pub fn remove_attachment(
        &self,
        draft_id: &str,
        field_path: &str,
        attachment_id: &str,
    ) -> Result<()> {
        self.for_the_user()?;
        let ctx = self.context();
        let now = self.now_ms();
        self.store.write(|tx| {
            let mut row = self.load_draft(tx, draft_id)?;
            let def = Self::definition(&row.form_id, row.form_version)?;
            if !attachments::unlink(tx, draft_id, field_path, attachment_id)? {
                return Err(Error::AttachmentNotFound(attachment_id.to_string()));
            }
            let ids: Vec<String> = field_ids(&row.answers, field_path)
                .into_iter()
                .filter(|i| i != attachment_id)
                .collect();
            let input = if ids.is_empty() {
                Input::Clear
            } else {
                Input::List(ids)
            };
            forms::set_field(def, &mut row.answers, field_path, input, &ctx)?;
            drafts::save_answers(tx, draft_id, &row.answers, now)?;
            attachments::drop_orphans(tx)?;
            Ok(())
        })
    }

    /// The bytes of a stored file, checked against its hash.
    /// Errors: [`Error::AttachmentNotFound`] (never attached, or released after upload).
    pub fn attachment_bytes(&self, attachment_id: &str) -> Result<Vec<u8>> {
        self.for_the_user()?;
        self.store
            .read(|conn| attachments::read_all(conn, attachment_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::samples;
    use crate::store::outbox;
    use crate::store::Key;
    use chrono::{TimeZone, Utc};
    use std::sync::Arc;

    fn profile(dir: &std::path::Path) -> Profile {
        Profile::create(dir, "p", &Key::generate())
            .unwrap()
            .with_clock(Arc::new(|| {
                Utc.from_utc_datetime(
                    &samples::sample_today()
                        .and_hms_opt(9, 0, 0)
                        .unwrap_or_default(),
                )
            }))
    }

    fn jpeg(len: usize, seed: u8) -> Vec<u8> {
        let mut v: Vec<u8> = (0..len)
            .map(|i| (i as u8).wrapping_mul(13).wrapping_add(seed))
            .collect();
        v[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
        v
    }

    fn filled(p: &Profile) -> String {
        let d = p.new_draft("pmi-registration").unwrap();
        // Typed answers only: each test attaches the documents it is about.
        for (path, input) in samples::as_inputs(&samples::sample_registration()) {
            p.set_field(&d.id, &path, input).unwrap();
        }
        d.id
    }

    /// [`filled`], with the documents a registration before placement needs.
    fn complete(p: &Profile) -> String {
        let d = filled(p);
        for (field, bytes) in samples::sample_documents() {
            p.attach(&d, &field, &bytes, None).unwrap();
        }
        d
    }

    fn file_count(p: &Profile) -> i64 {
        p.store()
            .read(|c| Ok(c.query_row("SELECT count(*) FROM attachments", [], |r| r.get(0))?))
            .unwrap()
    }

    #[test]
    fn attach_stores_links_and_answers_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let d = filled(&p);
        let front = jpeg(40_000, 1);
        let a = p
            .attach(&d, "kk_photo", &front, Some("image/jpeg"))
            .unwrap();
        assert_eq!(
            (a.page, a.mime.as_str(), a.size, a.uploaded),
            (0, "image/jpeg", 40_000, false)
        );
        let b = p.attach(&d, "kk_photo", &jpeg(1000, 2), None).unwrap();
        assert_eq!(b.page, 1);
        assert_eq!(
            p.draft(&d).unwrap().answers["kk_photo"],
            serde_json::json!([a.id, b.id])
        );
        assert_eq!(p.attachment_bytes(&a.id).unwrap(), front);
        assert_eq!(p.attachments(&d, Some("kk_photo")).unwrap().len(), 2);
        assert!(p.attachments(&d, Some("ktp_photo")).unwrap().is_empty());

        // The same photo again, and in another field: no new file.
        assert_eq!(p.attach(&d, "kk_photo", &front, None).unwrap().page, 0);
        p.attach(&d, "ktp_photo", &front, None).unwrap();
        assert_eq!(file_count(&p), 2);

        p.remove_attachment(&d, "kk_photo", &a.id).unwrap();
        let left = p.attachments(&d, Some("kk_photo")).unwrap();
        assert_eq!(
            (left.len(), left[0].id.as_str(), left[0].page),
            (1, b.id.as_str(), 0)
        );
        assert_eq!(file_count(&p), 2, "still used by ktp_photo");
        p.remove_attachment(&d, "ktp_photo", &a.id).unwrap();
        assert_eq!(file_count(&p), 1);
        assert!(p.draft(&d).unwrap().answers.get("ktp_photo").is_none());
        assert!(matches!(
            p.remove_attachment(&d, "ktp_photo", &a.id),
            Err(Error::AttachmentNotFound(_))
        ));
    }

    /// Regression (gate, crash seed 1796177060043897207): a draft resumed after a kill
    /// got a third KTP page and could never be finalized. A page past the field's
    /// maximum is refused at attach, the same file again is no new page, and after a
    /// removal the next page fits.
    #[test]
    fn attach_never_makes_a_draft_that_cannot_be_finalized() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let d = p.new_draft("pmi-registration").unwrap().id;
        let first = p.attach(&d, "ktp_photo", &jpeg(1_000, 1), None).unwrap();
        p.attach(&d, "ktp_photo", &jpeg(1_000, 2), None).unwrap();
        let again = p.attach(&d, "ktp_photo", &jpeg(1_000, 1), None).unwrap();
        assert_eq!(again.id, first.id);
        match p.attach(&d, "ktp_photo", &jpeg(1_000, 3), None) {
            Err(Error::TooManyPages { max }) => assert_eq!(max, 2),
            other => panic!("{other:?}"),
        }
        assert_eq!(p.attachments(&d, Some("ktp_photo")).unwrap().len(), 2);
        let ids = p.draft(&d).unwrap().answers["ktp_photo"].clone();
        assert_eq!(ids.as_array().map(Vec::len), Some(2));
        // Another field has its own count.
        p.attach(&d, "kk_photo", &jpeg(1_000, 3), None).unwrap();
        p.remove_attachment(&d, "ktp_photo", &first.id).unwrap();
        p.attach(&d, "ktp_photo", &jpeg(1_000, 3), None).unwrap();
        assert_eq!(p.attachments(&d, Some("ktp_photo")).unwrap().len(), 2);
        let msg = crate::base::messages::render("attachment.too_many_pages", Lang::Id, &[]);
        assert!(
            msg.starts_with("Halaman dokumen ini sudah lengkap"),
            "{msg}"
        );
    }

    #[test]
    fn attach_refuses_wrong_types_fields_and_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let d = p.new_draft("pmi-registration").unwrap().id;
        let code = |r: Result<AttachmentInfo>| r.unwrap_err().code();
        assert_eq!(
            code(p.attach(&d, "ktp_photo", b"GIF89a....", Some("image/jpeg"))),
            "attachment.unsupported_type"
        );
        let big = jpeg(document::MAX_FILE_BYTES as usize + 1, 0);
        assert_eq!(
            code(p.attach(&d, "ktp_photo", &big, None)),
            "attachment.too_large"
        );
        assert_eq!(
            code(p.attach(&d, "nik", &jpeg(100, 0), None)),
            "field.wrong_type"
        );
        assert_eq!(
            code(p.attach(&d, "nope", &jpeg(100, 0), None)),
            "field.unknown"
        );
        assert_eq!(
            code(p.attach("nope", "ktp_photo", &jpeg(100, 0), None)),
            "draft.not_found"
        );
        // Three files of 5 MiB fill the 15 MiB of one submission; a fourth does not fit.
        let max = document::MAX_FILE_BYTES as usize;
        for seed in 0..3 {
            p.attach(&d, "contract_file", &jpeg(max, seed), None)
                .unwrap();
        }
        match p.attach(&d, "contract_file", &jpeg(10, 9), None) {
            Err(Error::AttachmentTooLarge { size, max }) => {
                assert_eq!(max, MAX_SUBMISSION_BYTES);
                assert_eq!(size, MAX_SUBMISSION_BYTES + 10);
            }
            other => panic!("{other:?}"),
        }
        // Attaching a file already in the draft adds no bytes.
        p.attach(&d, "ktp_photo", &jpeg(max, 0), None).unwrap();
    }

    #[test]
    fn deleting_a_draft_deletes_its_files_but_not_shared_ones() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let d1 = p.new_draft("pmi-registration").unwrap().id;
        let d2 = p.new_draft("pmi-registration").unwrap().id;
        let shared = jpeg(3000, 5);
        p.attach(&d1, "ktp_photo", &shared, None).unwrap();
        p.attach(&d1, "kk_photo", &jpeg(2000, 6), None).unwrap();
        p.attach(&d2, "ktp_photo", &shared, None).unwrap();
        assert_eq!(file_count(&p), 2);
        p.delete_draft(&d1).unwrap();
        assert_eq!(file_count(&p), 1);
        p.delete_draft(&d2).unwrap();
        assert_eq!(file_count(&p), 0);
        let chunks: i64 = p
            .store()
            .read(|c| Ok(c.query_row("SELECT count(*) FROM attachment_chunks", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(chunks, 0);
    }

    #[test]
    fn finalize_keeps_the_files_with_the_submission_and_refuses_unknown_ids() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let d = filled(&p);
        // Before placement both the KTP and the family card are required.
        let ktp = p.attach(&d, "ktp_photo", &jpeg(20_000, 3), None).unwrap();
        match p.finalize(&d) {
            Err(Error::Invalid(issues)) => assert_eq!(
                (issues[0].path.as_str(), issues[0].code.as_str()),
                ("kk_photo", "field.required")
            ),
            other => panic!("{other:?}"),
        }
        p.attach(&d, "kk_photo", &jpeg(5_000, 4), None).unwrap();
        p.finalize(&d).unwrap();
        assert_eq!(
            p.submission_payload(&d).unwrap()["ktp_photo"],
            serde_json::json!([ktp.id])
        );
        let files = p.attachments(&d, None).unwrap();
        assert_eq!(
            files.len(),
            2,
            "the submission keeps its files until uploaded"
        );
        assert!(matches!(
            p.attach(&d, "kk_photo", &jpeg(10, 1), None),
            Err(Error::AlreadyFinalized(_))
        ));

        // An id typed by hand names no stored file: finalize refuses it.
        let d2 = filled(&p);
        p.attach(&d2, "ktp_photo", &jpeg(20_000, 3), None).unwrap();
        p.set_field(&d2, "kk_photo", Input::List(vec!["f".repeat(64)]))
            .unwrap();
        match p.finalize(&d2) {
            Err(Error::Invalid(issues)) => assert_eq!(issues[0].path, "kk_photo"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_reopened_rejected_submission_keeps_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let d = complete(&p);
        let photo = jpeg(5000, 8);
        p.attach(&d, "passport_photo", &photo, None).unwrap();
        p.finalize(&d).unwrap();
        p.store()
            .write(|tx| outbox::mark_rejected(tx, &d, &[], 1))
            .unwrap();
        assert_eq!(
            p.submission(&d).unwrap().bucket,
            crate::app::outbox::Bucket::NeedsFixing
        );
        let again = p.reopen_rejected(&d).unwrap();
        let files = p.attachments(&again.id, Some("passport_photo")).unwrap();
        assert_eq!(files.len(), 1);
        p.finalize(&again.id).unwrap();
        assert_eq!(p.attachment_bytes(&files[0].id).unwrap(), photo);
    }

    #[test]
    fn photos_are_not_on_disk_in_clear() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let d = p.new_draft("pmi-registration").unwrap().id;
        let mut photo = jpeg(50_000, 4);
        let marker = b"KTP-PLAINTEXT-MARKER-3515145708950001";
        photo[1000..1000 + marker.len()].copy_from_slice(marker);
        p.attach(&d, "ktp_photo", &photo, None).unwrap();
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(!bytes.windows(marker.len()).any(|w| w == marker));
        }
    }
}
