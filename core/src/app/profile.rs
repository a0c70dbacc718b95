//! A profile: one worker's encrypted database and the operations the app performs
//! on it — drafts with autosave, finalize into the outbox, and reading the outbox.
//! Every method is one user action and one transaction.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::base::error::{Error, Result};
use crate::base::issue::Issue;
use crate::base::lang::Lang;
use crate::domain::tariff::FeeQuote;
use crate::forms::{self, Answers, Context, FormDefinition, Input, SetOutcome};
use crate::store::drafts::{self, DraftRow, LastWritten};
use crate::store::outbox::{self, OutboxState, SubmissionRow};

use super::form::{self, FormInfo};
use super::lock::lock;
use super::next::{self, WhatNext};
use super::outbox::{bucketed, Bucket, OutboxItem, OutboxSummary};
use super::sync::Hub;
use crate::store::{attachments, profiles, Key, OpenMode, Store};

pub mod backup;
mod documents;
mod inquiries;
pub mod link;
pub mod pin;
mod syncing;

pub use documents::AttachmentInfo;
pub use pin::PinStatus;
pub use syncing::SyncRun;

/// A source of "now", replaceable in tests.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// An open profile. Cheap calls (microseconds, database only) are synchronous and
/// safe to call from any thread; the type is `Send + Sync`.
pub struct Profile {
    name: String,
    path: PathBuf,
    store: Store,
    lang: RwLock<Lang>,
    clock: Clock,
    /// The sync state this profile shares with every other handle on it.
    hub: Arc<Hub>,
    /// The draft the last autosave wrote, so the next one need not decode it again
    /// (shared with the keystrokes' autosaves queued for the store's writer thread).
    last_written: Arc<Mutex<LastWritten>>,
    /// False while the profile has a PIN this handle was not unlocked with: the
    /// calls that read or change the worker's forms and records refuse
    /// ([`Error::PinRequired`]); syncing does not (see [`pin`]).
    unlocked: AtomicBool,
}

/// A draft as the user sees it: its answers and every current issue.
#[derive(Debug, Clone, Serialize)]
pub struct DraftView {
    /// Draft id (becomes the submission id at finalize).
    pub id: String,
    /// Form id.
    pub form_id: String,
    /// Form version the draft started on (kept for its whole life).
    pub form_version: u32,
    /// Answers so far.
    pub answers: Answers,
    /// All issues of the whole form (required fields included).
    pub issues: Vec<Issue>,
    /// Contribution due, for a registration whose placement answers are complete.
    pub contribution: Option<FeeQuote>,
    /// Last change (unix ms).
    pub updated_at: i64,
    /// The rejected submission this draft corrects, if any.
    pub reopened_from: Option<String>,
    /// Paths of the fields hidden now (see [`forms::hidden_paths`]).
    pub hidden: Vec<String>,
}

/// One line of the draft list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DraftSummary {
    /// Draft id.
    pub id: String,
    /// Form id.
    pub form_id: String,
    /// Form title in the profile's language.
    pub title: String,
    /// Number of answered fields.
    pub answered: u32,
    /// Last change (unix ms).
    pub updated_at: i64,
}

impl Profile {
    /// Creates a new profile `name` in `dir`, encrypted with `key`.
    pub fn create(dir: &Path, name: &str, key: &Key) -> Result<Profile> {
        let path = profiles::profile_path(dir, name)?;
        // An empty file is what a create killed before its first write leaves; the
        // store takes it over (it holds nothing), so the user is not locked out.
        if std::fs::metadata(&path).is_ok_and(|m| m.len() > 0) {
            return Err(Error::ProfileExists(name.to_string()));
        }
        std::fs::create_dir_all(dir)?;
        Self::open_at(name, path, key, OpenMode::Create)
    }

    /// Opens the existing profile `name` in `dir` with `key`.
    pub fn open(dir: &Path, name: &str, key: &Key) -> Result<Profile> {
        let path = profiles::profile_path(dir, name)?;
        Self::open_at(name, path, key, OpenMode::Existing)
    }

    /// Sets the damaged profile `name` aside so that a new one can be created under
    /// the same name: only when `key` finds its file unreadable
    /// ([`Error::NotADatabase`]). A profile that opens is refused
    /// ([`Error::ProfileNotDamaged`]), and so are a wrong key or a newer schema
    /// (their errors), since nothing is wrong with those files. The file is kept
    /// (renamed, never deleted) for recovery; returns its new path.
    pub fn set_aside_damaged(dir: &Path, name: &str, key: &Key) -> Result<PathBuf> {
        let path = profiles::profile_path(dir, name)?;
        if !path.exists() {
            return Err(Error::ProfileNotFound(name.to_string()));
        }
        match Store::open(&path, key, OpenMode::Existing) {
            Err(Error::NotADatabase(_)) => {}
            Ok(_) => return Err(Error::ProfileNotDamaged(name.to_string())),
            Err(e) => return Err(e),
        }
        tracing::warn!("setting a damaged profile aside");
        profiles::set_aside(dir, name, Utc::now().timestamp_millis())
    }

    fn open_at(name: &str, path: PathBuf, key: &Key, mode: OpenMode) -> Result<Profile> {
        let store = Store::open(&path, key, mode)?;
        let unlocked = AtomicBool::new(!pin::has_pin(&store)?);
        Ok(Profile {
            unlocked,
            name: name.to_string(),
            hub: Hub::of(&path),
            path,
            store,
            lang: RwLock::new(Lang::default()),
            clock: Arc::new(Utc::now),
            last_written: Arc::default(),
        })
    }

    /// Replaces the clock (tests, demos that play with dates).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The profile's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying store, for the engine's test suite (feature `internals`).
    #[cfg(feature = "internals")]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Asks a running sync or long write to stop now; it fails with
    /// [`Error::Interrupted`] and leaves nothing half done.
    pub fn interrupt(&self) {
        self.store.interrupt_handle().interrupt();
    }

    /// Asks a running sync to stop at its next step, without disturbing a statement
    /// running now (a cancelled coroutine).
    pub fn stop_at_next_step(&self) {
        self.store.interrupt_handle().stop_at_next_step();
    }

    /// The language messages are rendered in.
    pub fn lang(&self) -> Lang {
        self.lang.read().map(|l| *l).unwrap_or_default()
    }

    /// Changes the language messages are rendered in.
    pub fn set_lang(&self, lang: Lang) {
        if let Ok(mut l) = self.lang.write() {
            *l = lang;
        }
        // The sync state's watchers, whichever handle they came through, follow it.
        self.hub.set_lang(lang);
    }

    /// Now, by this profile's clock.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    fn now_ms(&self) -> i64 {
        self.now().timestamp_millis()
    }

    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    pub(crate) fn context(&self) -> Context {
        Context {
            today: self.today(),
            lang: self.lang(),
        }
    }

    /// The forms a worker can start (newest version of each), in the profile's language.
    pub fn forms(&self) -> Vec<FormInfo> {
        form::info::available(self.lang())
    }

    /// Every issue of `answers`, in the profile's language and by its clock.
    pub(crate) fn validate(&self, def: &FormDefinition, answers: &Answers) -> Vec<Issue> {
        forms::validate(def, answers, &self.context())
    }

    /// The contribution due for `answers`, when they allow a quote.
    pub(crate) fn quote(&self, def: &FormDefinition, answers: &Answers) -> Option<FeeQuote> {
        forms::contribution(def, answers, &self.context())
    }

    /// The built-in definition a draft or submission names.
    pub(crate) fn definition(form_id: &str, version: u32) -> Result<&'static FormDefinition> {
        forms::builtin_form(form_id, Some(version))
            .ok_or_else(|| Error::UnknownForm(format!("{form_id} v{version}")))
    }

    /// Starts a new draft of the newest version of `form_id`.
    pub fn new_draft(&self, form_id: &str) -> Result<DraftView> {
        self.for_the_user()?;
        let def = forms::builtin_form(form_id, None)
            .ok_or_else(|| Error::UnknownForm(form_id.to_string()))?;
        let now = self.now_ms();
        let row = DraftRow {
            id: uuid::Uuid::new_v4().to_string(),
            form_id: def.id.clone(),
            form_version: def.version,
            created_at: now,
            updated_at: now,
            answers: Answers::new(),
            reopened_from: None,
        };
        self.store.write(|tx| drafts::insert_draft(tx, &row))?;
        Ok(self.view(def, row))
    }

    fn view(&self, def: &FormDefinition, row: DraftRow) -> DraftView {
        let ctx = self.context();
        DraftView {
            issues: forms::validate(def, &row.answers, &ctx),
            contribution: forms::contribution(def, &row.answers, &ctx),
            hidden: forms::hidden_paths(def, &row.answers),
            id: row.id,
            form_id: row.form_id,
            form_version: row.form_version,
            answers: row.answers,
            updated_at: row.updated_at,
            reopened_from: row.reopened_from,
        }
    }

    /// "Register" and the like: the worker's unfinished draft of `form_id` (the
    /// most recently changed) when the form is one a worker fills once, a
    /// registration; otherwise, or when there is none, a new draft. The second
    /// value is true when an unfinished draft was resumed.
    pub fn start_or_resume(&self, form_id: &str) -> Result<(DraftView, bool)> {
        self.for_the_user()?;
        let def = forms::builtin_form(form_id, None)
            .ok_or_else(|| Error::UnknownForm(form_id.to_string()))?;
        if forms::RegistrationTerms::declared_by(def) {
            // The store lists them most recently changed first.
            let rows = self.store.read(drafts::list_drafts)?;
            if let Some(row) = rows.into_iter().find(|r| r.form_id == def.id) {
                let def = Self::definition(&row.form_id, row.form_version)?;
                return Ok((self.view(def, row), true));
            }
        }
        Ok((self.new_draft(form_id)?, false))
    }

    /// The page of draft `draft_id` the worker last changed something on.
    pub(crate) fn last_page(&self, draft_id: &str) -> Result<u32> {
        self.store
            .read(|conn| drafts::last_page(conn, draft_id))?
            .ok_or_else(|| Error::DraftNotFound(draft_id.to_string()))
    }

    /// Remembers `page` as the page of draft `draft_id` the worker last changed
    /// something on: the draft opens there again. Written a moment later, as a
    /// keystroke's autosave is ([`Store::write_later`]).
    pub(crate) fn set_last_page(&self, draft_id: &str, page: u32) {
        let id = draft_id.to_string();
        self.store.write_later(Box::new(move |tx| {
            match drafts::set_last_page(tx, &id, page) {
                // Deleted or sent meanwhile: there is no draft to open any more.
                Err(Error::DraftNotFound(_)) => Ok(()),
                other => other,
            }
        }));
    }

    /// Writes every autosave that waits (keystrokes are written a moment after
    /// they return, by a background thread). Every other call of the profile does
    /// this first, and closing it does too; a front-end calls it when the app goes
    /// to the background, so nothing typed waits while the system may end the app.
    pub fn flush(&self) -> Result<()> {
        self.store.flush()
    }

    /// Loads a draft, or says why it cannot be edited.
    fn load_draft(&self, conn: &rusqlite::Connection, id: &str) -> Result<DraftRow> {
        match drafts::get_draft(conn, id)? {
            Some(row) => Ok(row),
            None if outbox::get_submission(conn, id)?.is_some() => {
                Err(Error::AlreadyFinalized(id.to_string()))
            }
            None => Err(Error::DraftNotFound(id.to_string())),
        }
    }

    /// Autosave: sets one field, persists the draft and returns that field's issues
    /// and the fields whose visibility changed. One call, one transaction.
    pub fn set_field(&self, draft_id: &str, path: &str, input: Input) -> Result<SetOutcome> {
        self.for_the_user()?;
        let ctx = self.context();
        let now = self.now_ms();
        self.store.write(|tx| {
            // Taken inside the store's lock (the only order it is ever taken in).
            let mut last = lock(&self.last_written);
            let mut row = match drafts::get_draft_to_update(tx, draft_id, &mut last)? {
                Some(row) => row,
                None => self.load_draft(tx, draft_id)?,
            };
            let def = Self::definition(&row.form_id, row.form_version)?;
            let outcome = forms::set_field(def, &mut row.answers, path, input, &ctx)?;
            drafts::save_answers_keeping(tx, draft_id, row.answers, now, &mut last)?;
            Ok(outcome)
        })
    }

    /// A keystroke's autosave, for the open draft whose `answers` its session
    /// holds: sets the field in `answers` and returns what
    /// [`set_field`](Self::set_field) returns, without waiting for the disk; the
    /// same change is queued for the store ([`Store::write_later`]) and applied
    /// there to the draft as stored, exactly as `set_field` would.
    pub(crate) fn set_field_later(
        &self,
        def: &'static FormDefinition,
        draft_id: &str,
        path: &str,
        input: Input,
        answers: &mut Answers,
    ) -> Result<SetOutcome> {
        let ctx = self.context();
        let now = self.now_ms();
        let outcome = forms::set_field(def, answers, path, input.clone(), &ctx)?;
        let last = Arc::clone(&self.last_written);
        let (id, path) = (draft_id.to_string(), path.to_string());
        self.store.write_later(Box::new(move |tx| {
            // Taken inside the store's lock (the only order it is ever taken in).
            let mut last = lock(&last);
            let Some(mut row) = drafts::get_draft_to_update(tx, &id, &mut last)? else {
                // Deleted or sent by another handle meanwhile: nowhere to write it.
                tracing::warn!("a queued autosave found its draft gone");
                return Ok(());
            };
            // The same change that just succeeded on the session's copy; if the
            // stored draft was changed elsewhere so that it no longer applies, the
            // session shows the refusal at its next reload, and retrying it here
            // would block every later write.
            if let Err(e) = forms::set_field(def, &mut row.answers, &path, input.clone(), &ctx) {
                tracing::warn!(code = e.code(), "a queued autosave no longer applies");
                return Ok(());
            }
            drafts::save_answers_keeping(tx, &id, row.answers, now, &mut last)
        }));
        Ok(outcome)
    }

    /// Removes item `index` of the repeat group `group` (e.g. an heir).
    pub fn remove_repeat_item(&self, draft_id: &str, group: &str, index: usize) -> Result<()> {
        self.for_the_user()?;
        let now = self.now_ms();
        self.store.write(|tx| {
            let mut row = self.load_draft(tx, draft_id)?;
            let def = Self::definition(&row.form_id, row.form_version)?;
            forms::remove_repeat_item(def, &mut row.answers, group, index)?;
            drafts::save_answers(tx, draft_id, &row.answers, now)
        })
    }

    /// Resumes a draft: its answers, every issue and the contribution due.
    pub fn draft(&self, draft_id: &str) -> Result<DraftView> {
        self.for_the_user()?;
        let row = self.store.read(|conn| self.load_draft(conn, draft_id))?;
        let def = Self::definition(&row.form_id, row.form_version)?;
        Ok(self.view(def, row))
    }

    /// All drafts, most recently changed first.
    pub fn drafts(&self) -> Result<Vec<DraftSummary>> {
        self.for_the_user()?;
        let lang = self.lang();
        // The store lists them most recently changed first.
        let rows = self.store.read(drafts::list_drafts)?;
        Ok(rows
            .into_iter()
            .map(|r| DraftSummary {
                title: Self::title(&r.form_id, r.form_version, lang),
                answered: u32::try_from(r.answers.len()).unwrap_or(u32::MAX),
                id: r.id,
                form_id: r.form_id,
                updated_at: r.updated_at,
            })
            .collect())
    }

    fn title(form_id: &str, version: u32, lang: Lang) -> String {
        Self::definition(form_id, version)
            .map(|d| d.title.get(lang).to_string())
            .unwrap_or_else(|_| form_id.to_string())
    }

    /// Deletes a draft, with its files unless another draft or submission uses them.
    /// Finalized submissions cannot be deleted this way.
    pub fn delete_draft(&self, draft_id: &str) -> Result<()> {
        self.for_the_user()?;
        self.store.write(|tx| {
            if drafts::delete_draft(tx, draft_id)? {
                attachments::unlink_all(tx, draft_id)?;
                attachments::drop_orphans(tx)?;
                Ok(())
            } else if outbox::get_submission(tx, draft_id)?.is_some() {
                Err(Error::AlreadyFinalized(draft_id.to_string()))
            } else {
                Err(Error::DraftNotFound(draft_id.to_string()))
            }
        })
    }

    /// Finalize: validates everything; if clean, freezes the visible answers into a
    /// submission (same id as the draft) queued in the outbox and removes the draft —
    /// one transaction, synced to disk (survives power loss) before it returns.
    /// Errors in the answers come back as [`Error::Invalid`] with every issue.
    pub fn finalize(&self, draft_id: &str) -> Result<OutboxItem> {
        self.for_the_user()?;
        let ctx = self.context();
        let now = self.now_ms();
        let row = self.store.write_durable(|tx| {
            let draft = self.load_draft(tx, draft_id)?;
            let def = Self::definition(&draft.form_id, draft.form_version)?;
            let issues = forms::validate(def, &draft.answers, &ctx);
            if issues.iter().any(Issue::is_error) {
                return Err(Error::Invalid(issues));
            }
            let payload = forms::frozen_payload(def, &draft.answers);
            // Every file the payload names must be here to be uploaded later.
            let missing = documents::missing_files(tx, def, &payload, ctx.lang)?;
            if !missing.is_empty() {
                return Err(Error::Invalid(missing));
            }
            // Files of hidden fields are not sent; they go with the draft.
            attachments::retain_links(tx, &draft.id, &forms::document_files(def, &payload))?;
            attachments::drop_orphans(tx)?;
            let depends_on = payload
                .as_object()
                .and_then(|answers| forms::refers_to(def, answers))
                .map(str::to_string);
            let row = SubmissionRow {
                id: draft.id.clone(),
                form_id: draft.form_id.clone(),
                form_version: draft.form_version,
                created_at: now,
                payload,
                state: OutboxState::Queued,
                attempts: 0,
                next_attempt_at: None,
                reference: None,
                issues: Vec::new(),
                last_error: None,
                depends_on,
                updated_at: now,
                left_at: None,
            };
            outbox::insert_submission(tx, &row)?;
            drafts::delete_draft(tx, &draft.id)?;
            Ok(row)
        })?;
        // Read back in its bucket: a consultation may wait for its registration.
        self.submission(&row.id)
    }

    fn outbox_item(&self, row: SubmissionRow, bucket: Bucket) -> OutboxItem {
        let title = Self::title(&row.form_id, row.form_version, self.lang());
        OutboxItem::new(row, bucket, title, self.lang())
    }

    /// The outbox, oldest first, every submission in its bucket (accepted ones included).
    pub fn outbox(&self) -> Result<Vec<OutboxItem>> {
        self.for_the_user()?;
        let (rows, (documents_left, _)) = self
            .store
            .read(|c| Ok((outbox::list_submissions(c)?, attachments::uploads_left(c)?)))?;
        Ok(bucketed(rows, &documents_left)
            .into_iter()
            .map(|(r, b)| self.outbox_item(r, b))
            .collect())
    }

    /// How many submissions are in each bucket, with the home screen's line and
    /// the bytes still to send (forms not yet accepted, documents not yet on the server).
    // Counts only, and a sync reads it to know whether work is left: not behind the PIN.
    pub fn outbox_summary(&self) -> Result<OutboxSummary> {
        let (rows, (documents_left, documents_bytes)) = self
            .store
            .read(|c| Ok((outbox::list_submissions(c)?, attachments::uploads_left(c)?)))?;
        let forms_bytes: u64 = rows
            .iter()
            .filter(|r| {
                matches!(
                    r.state,
                    OutboxState::Queued | OutboxState::Sending | OutboxState::Waiting
                )
            })
            .map(|r| r.payload.to_string().len() as u64)
            .sum();
        let lang = self.lang();
        Ok(OutboxSummary::of(
            bucketed(rows, &documents_left).into_iter().map(|(_, b)| b),
            lang,
        )
        .with_bytes(forms_bytes, documents_bytes, lang))
    }

    /// One submission, in its bucket.
    pub fn submission(&self, id: &str) -> Result<OutboxItem> {
        self.for_the_user()?;
        let (row, dep, documents_left) = self.store.read(|conn| {
            let row = outbox::get_submission(conn, id)?;
            let dep = match row.as_ref().and_then(|r| r.depends_on.as_deref()) {
                Some(d) => outbox::get_submission(conn, d)?.map(|d| d.state),
                None => None,
            };
            let (left, _) = attachments::uploads_left(conn)?;
            Ok((row, dep, left.contains(id)))
        })?;
        let row = row.ok_or_else(|| Error::SubmissionNotFound(id.to_string()))?;
        let bucket = Bucket::of(&row, |_| dep, documents_left);
        Ok(self.outbox_item(row, bucket))
    }

    /// What happens after submission `id` was finalized, in the worker's words:
    /// built from its form and frozen answers (for a registration, the payment
    /// channels of its destination country).
    pub fn what_next(&self, id: &str) -> Result<WhatNext> {
        self.for_the_user()?;
        let row = self
            .store
            .read(|conn| outbox::get_submission(conn, id))?
            .ok_or_else(|| Error::SubmissionNotFound(id.to_string()))?;
        let def = Self::definition(&row.form_id, row.form_version)?;
        let answers = payload_answers(row.payload)?;
        Ok(next::what_next(def, &row.id, &answers, &self.context()))
    }

    /// The worker's "send again" on a submission that needs help after
    /// [`outbox::MAX_ATTEMPTS`] failed attempts: it goes back to waiting to send with
    /// its attempts counted from zero and the same id, so a server that already holds
    /// it from an attempt whose answer was lost answers it once. Any other submission
    /// is left as it is (a second tap changes nothing). Returns it in its bucket.
    pub fn send_again(&self, id: &str) -> Result<OutboxItem> {
        self.for_the_user()?;
        let now = self.now_ms();
        self.store.write(|tx| {
            if outbox::get_submission(tx, id)?.is_none() {
                return Err(Error::SubmissionNotFound(id.to_string()));
            }
            outbox::retry_submission(tx, id, now)
        })?;
        self.submission(id)
    }

    /// The submission's frozen answers (what was, or will be, sent).
    pub fn submission_payload(&self, id: &str) -> Result<serde_json::Value> {
        self.for_the_user()?;
        self.store
            .read(|conn| outbox::get_submission(conn, id))?
            .map(|r| r.payload)
            .ok_or_else(|| Error::SubmissionNotFound(id.to_string()))
    }

    /// Fix and resubmit: a rejected submission becomes a new draft with the same
    /// answers (and a new id). The rejected submission stays in the outbox as a record.
    pub fn reopen_rejected(&self, submission_id: &str) -> Result<DraftView> {
        self.for_the_user()?;
        let now = self.now_ms();
        let row = self.store.write(|tx| {
            let sub = outbox::get_submission(tx, submission_id)?
                .ok_or_else(|| Error::SubmissionNotFound(submission_id.to_string()))?;
            if sub.state != OutboxState::Rejected {
                return Err(Error::AlreadyFinalized(submission_id.to_string()));
            }
            let answers = payload_answers(sub.payload)?;
            let row = DraftRow {
                id: uuid::Uuid::new_v4().to_string(),
                form_id: sub.form_id,
                form_version: sub.form_version,
                created_at: now,
                updated_at: now,
                answers,
                reopened_from: Some(sub.id),
            };
            drafts::insert_draft(tx, &row)?;
            attachments::copy_links(tx, submission_id, &row.id, now)?;
            Ok(row)
        })?;
        let def = Self::definition(&row.form_id, row.form_version)?;
        Ok(self.view(def, row))
    }

    /// Takes a finalized form back to a draft with the same id and its answers and
    /// files, while it has never left the phone: queued, no request carrying it or
    /// one of its files ever started, no other form on its way waiting for it. One
    /// transaction: after a crash it is either still in the outbox or a draft again,
    /// never both, never lost. Errors: [`Error::SubmissionNotFound`],
    /// [`Error::AlreadyLeft`], [`Error::NeededByAnother`].
    pub fn withdraw(&self, submission_id: &str) -> Result<DraftView> {
        self.for_the_user()?;
        let now = self.now_ms();
        let row = self.store.write_durable(|tx| {
            let sub = outbox::take_back(tx, submission_id)?;
            let answers = payload_answers(sub.payload)?;
            let row = DraftRow {
                // The same id: the server never saw it, and the file links stay.
                id: sub.id,
                form_id: sub.form_id,
                form_version: sub.form_version,
                created_at: sub.created_at,
                updated_at: now,
                answers,
                reopened_from: None,
            };
            drafts::insert_draft(tx, &row)?;
            Ok(row)
        })?;
        let def = Self::definition(&row.form_id, row.form_version)?;
        Ok(self.view(def, row))
    }
}

/// A submission's frozen payload as a draft's answers (it is always an object).
fn payload_answers(payload: serde_json::Value) -> Result<Answers> {
    match payload {
        serde_json::Value::Object(map) => Ok(map),
        _ => Err(Error::MalformedStoredData("submission payload".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::samples;
    use chrono::TimeZone;

    fn at_sample_day() -> Clock {
        Arc::new(|| {
            let d = samples::sample_today();
            Utc.from_utc_datetime(&d.and_hms_opt(9, 0, 0).unwrap_or_default())
        })
    }

    fn profile(dir: &Path, key: &Key) -> Profile {
        Profile::create(dir, "p", key)
            .unwrap()
            .with_clock(at_sample_day())
    }

    fn fill(p: &Profile) -> String {
        let d = p.new_draft("pmi-registration").unwrap();
        for (path, input) in samples::as_inputs(&samples::sample_registration()) {
            p.set_field(&d.id, &path, input).unwrap();
        }
        for (field, bytes) in samples::sample_documents() {
            p.attach(&d.id, &field, &bytes, None).unwrap();
        }
        d.id
    }

    #[test]
    fn a_passport_expiring_before_the_contract_ends_warns_but_does_not_block() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path(), &Key::generate());
        let id = fill(&p);
        let o = p
            .set_field(&id, "passport_expiry", Input::Text("01-01-2027".into()))
            .unwrap();
        assert_eq!(
            o.issues
                .iter()
                .map(|i| (i.code.as_str(), i.severity))
                .collect::<Vec<_>>(),
            [(
                "passport.expires_before_contract_end",
                crate::Severity::Warning
            )]
        );
        p.finalize(&id).unwrap();
    }

    #[test]
    fn a_registration_without_the_documents_of_its_phase_cannot_be_finalized() {
        // Permenaker 4/2023: the KTP and the family card before placement, the passport
        // and the work contract during placement; the same under every scheme.
        let jpeg = |text: &str| [&[0xFF, 0xD8, 0xFF][..], text.as_bytes()].concat();
        for scheme in ["p3mi", "government", "individual"] {
            for (phase, needed) in [
                ("pre_placement", ["kk_photo", "ktp_photo"]),
                ("placement", ["contract_file", "passport_photo"]),
            ] {
                let dir = tempfile::tempdir().unwrap();
                let p = profile(dir.path(), &Key::generate());
                let d = p.new_draft("pmi-registration").unwrap();
                for (path, input) in samples::as_inputs(&samples::sample_registration()) {
                    p.set_field(&d.id, &path, input).unwrap();
                }
                p.set_field(&d.id, "scheme", Input::Text(scheme.into()))
                    .unwrap();
                p.set_field(&d.id, "placement_phase", Input::Text(phase.into()))
                    .unwrap();
                match p.finalize(&d.id) {
                    Err(Error::Invalid(issues)) => {
                        let mut errors: Vec<&str> = issues
                            .iter()
                            .filter(|i| i.is_error())
                            .map(|i| i.path.as_str())
                            .collect();
                        errors.sort_unstable();
                        assert_eq!(errors, needed, "{scheme} {phase}: {issues:?}");
                        assert!(issues
                            .iter()
                            .filter(|i| i.is_error())
                            .all(|i| i.code == "field.required"));
                    }
                    other => panic!("{scheme} {phase}: expected Invalid, got {other:?}"),
                }
                assert!(p.outbox().unwrap().is_empty(), "nothing queued");
                for field in needed {
                    p.attach(&d.id, field, &jpeg(field), None).unwrap();
                }
                let queued = p.finalize(&d.id).unwrap();
                assert_eq!(queued.bucket, Bucket::WaitingToSend, "{scheme} {phase}");
            }
        }
    }

    #[test]
    fn complete_registration_finalizes_into_the_outbox_and_freezes() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path(), &Key::generate());
        let id = fill(&p);
        let view = p.draft(&id).unwrap();
        assert!(
            view.issues.iter().all(|i| !i.is_error()),
            "{:?}",
            view.issues
        );
        assert_eq!(
            view.contribution.as_ref().map(|q| q.pre_placement),
            Some(37_500)
        );

        let item = p.finalize(&id).unwrap();
        assert_eq!(item.id, id);
        assert_eq!(item.bucket, Bucket::WaitingToSend);
        assert!(p.drafts().unwrap().is_empty());
        assert_eq!(p.outbox().unwrap().len(), 1);
        assert_eq!(
            p.submission_payload(&id).unwrap()["nik"],
            "3515145708950001"
        );

        let edit = p.set_field(&id, "full_name", Input::Text("X".into()));
        assert!(matches!(edit, Err(Error::AlreadyFinalized(_))));
        assert!(matches!(
            p.delete_draft(&id),
            Err(Error::AlreadyFinalized(_))
        ));
        assert!(matches!(p.finalize(&id), Err(Error::AlreadyFinalized(_))));
    }

    #[test]
    fn a_form_that_never_left_the_phone_can_be_taken_back_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path(), &Key::generate());
        let draft_id = fill(&p);
        let before = p.draft(&draft_id).unwrap().answers;
        let item = p.finalize(&draft_id).unwrap();

        let back = p.withdraw(&item.id).unwrap();
        assert_eq!(back.id, draft_id, "the same id: its files stay linked");
        assert_eq!(p.attachments(&draft_id, None).unwrap().len(), 2);
        assert!(
            back.issues.iter().all(|i| !i.is_error()),
            "{:?}",
            back.issues
        );
        assert_eq!(back.answers.len(), before.len());
        assert!(p.outbox().unwrap().is_empty());
        assert!(matches!(
            p.withdraw(&item.id),
            Err(Error::SubmissionNotFound(_))
        ));

        // Sent again: once any request carrying it started, it stays in the outbox.
        let item = p.finalize(&draft_id).unwrap();
        p.store
            .write(|tx| outbox::mark_sending(tx, std::slice::from_ref(&item.id), 5))
            .unwrap();
        p.store.write(outbox::requeue_sending).unwrap();
        assert!(matches!(p.withdraw(&item.id), Err(Error::AlreadyLeft(_))));
        assert_eq!(p.outbox().unwrap().len(), 1);
        assert!(p.drafts().unwrap().is_empty());
    }

    #[test]
    fn payment_channels_follow_the_registrations_destination() {
        use crate::protocol::wire::{Event, EventKind};
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path(), &Key::generate());
        let malaysia = |p: &Profile| {
            p.payment_instructions()
                .unwrap()
                .unwrap()
                .channels
                .iter()
                .any(|c| c.name.contains("Malaysia"))
        };
        for (destination, phone, shown) in [
            ("HK", "+852 9123 4567", false),
            ("MY", "+60 12-345 6789", true),
        ] {
            let d = fill(&p);
            p.set_field(&d, "destination_country", Input::Text(destination.into()))
                .unwrap();
            p.set_field(&d, "phone_abroad", Input::Text(phone.into()))
                .unwrap();
            let item = p.finalize(&d).unwrap();
            let decided = Event {
                seq: 1,
                at: "2026-11-20T09:00:00Z".into(),
                kind: EventKind::RegistrationDecided {
                    submission_id: item.id,
                    reference: "REG-1".into(),
                    kpj: "12345678901".into(),
                    payment_code: "98765432109".into(),
                    amount_due: 370_000,
                    pay_before: "2026-12-01".into(),
                },
            };
            p.store
                .write(|tx| crate::sync::apply_event(tx, &decided, Lang::En, 1))
                .unwrap();
            assert_eq!(malaysia(&p), shown, "a worker in {destination}");
        }
    }

    #[test]
    fn send_again_brings_a_submission_that_needs_help_back_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path(), &Key::generate());
        let id = fill(&p);
        p.finalize(&id).unwrap();
        // Still on its way: "send again" changes nothing.
        assert_eq!(p.send_again(&id).unwrap().bucket, Bucket::WaitingToSend);
        for attempt in 1..=outbox::MAX_ATTEMPTS {
            let state = p
                .store
                .write(|tx| outbox::mark_waiting(tx, &id, 0, "sync.network", i64::from(attempt)))
                .unwrap();
            assert_eq!(
                state == OutboxState::NeedsAttention,
                attempt == outbox::MAX_ATTEMPTS
            );
        }
        assert_eq!(p.submission(&id).unwrap().bucket, Bucket::NeedsHelp);

        let item = p.send_again(&id).unwrap();
        assert_eq!(item.bucket, Bucket::WaitingToSend);
        let row = p
            .store
            .read(|c| outbox::get_submission(c, &id))
            .unwrap()
            .unwrap();
        assert_eq!((row.attempts, row.state), (0, OutboxState::Queued));
        // A second tap is harmless; an unknown id is an error.
        assert_eq!(p.send_again(&id).unwrap().bucket, Bucket::WaitingToSend);
        assert!(matches!(
            p.send_again("nope"),
            Err(Error::SubmissionNotFound(_))
        ));
    }

    #[test]
    fn finalize_with_errors_keeps_the_draft_and_queues_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path(), &Key::generate());
        let d = p.new_draft("pmi-registration").unwrap();
        p.set_field(&d.id, "nik", Input::Text("3515144508680002".into()))
            .unwrap();
        match p.finalize(&d.id) {
            Err(Error::Invalid(issues)) => {
                assert!(issues
                    .iter()
                    .any(|i| i.code == "field.required" && i.path == "full_name"));
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
        assert_eq!(p.drafts().unwrap().len(), 1);
        assert!(p.outbox().unwrap().is_empty());
    }

    #[test]
    fn every_autosave_survives_closing_and_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let key = Key::generate();
        let id = {
            let p = profile(dir.path(), &key);
            let d = p.new_draft("pmi-registration").unwrap();
            p.set_field(&d.id, "full_name", Input::Text("Sri Wahyuni".into()))
                .unwrap();
            p.set_field(&d.id, "phone_id", Input::Text("0812-3456-7890".into()))
                .unwrap();
            d.id
        };
        let p = Profile::open(dir.path(), "p", &key).unwrap();
        let d = p.draft(&id).unwrap();
        assert_eq!(d.answers["full_name"], "Sri Wahyuni");
        assert_eq!(d.answers["phone_id"], "+6281234567890", "stored normalized");
        assert_eq!(d.form_version, 1);
    }

    #[test]
    fn invalid_input_is_kept_as_typed_with_a_localized_issue() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path(), &Key::generate());
        let d = p.new_draft("pmi-registration").unwrap();
        let out = p
            .set_field(&d.id, "nik", Input::Text("12345".into()))
            .unwrap();
        assert_eq!(out.stored, "12345");
        assert_eq!(out.issues[0].code, "nik.length");
        let id_msg = out.issues[0].message.clone();
        p.set_lang(Lang::En);
        let out = p
            .set_field(&d.id, "nik", Input::Text("12345".into()))
            .unwrap();
        assert_ne!(
            out.issues[0].message, id_msg,
            "English differs from Indonesian"
        );
    }

    #[test]
    fn rejected_submission_reopens_as_a_new_draft_with_its_answers() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path(), &Key::generate());
        let id = fill(&p);
        p.finalize(&id).unwrap();
        assert!(
            matches!(p.reopen_rejected(&id), Err(Error::AlreadyFinalized(_))),
            "queued is not reopenable"
        );
        let issue = crate::Problem::error("nik.province_unknown").localize("nik", Lang::Id);
        p.store()
            .write(|tx| outbox::mark_rejected(tx, &id, &[issue], 1))
            .unwrap();
        let draft = p.reopen_rejected(&id).unwrap();
        assert_ne!(draft.id, id);
        assert_eq!(draft.reopened_from.as_deref(), Some(id.as_str()));
        assert_eq!(draft.answers["full_name"], "Sri Wahyuni");
        assert_eq!(p.submission(&id).unwrap().bucket, Bucket::NeedsFixing);
    }

    #[test]
    fn consultation_about_a_registration_depends_on_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path(), &Key::generate());
        let reg = fill(&p);
        p.finalize(&reg).unwrap();
        let c = p.new_draft("consultation").unwrap();
        let mut answers = samples::sample_consultation();
        answers.insert(
            "registration_ref".into(),
            serde_json::Value::String(reg.clone()),
        );
        for (path, input) in samples::as_inputs(&answers) {
            p.set_field(&c.id, &path, input).unwrap();
        }
        p.finalize(&c.id).unwrap();
        let row = p
            .store()
            .read(|conn| outbox::get_submission(conn, &c.id))
            .unwrap()
            .unwrap();
        assert_eq!(row.depends_on.as_deref(), Some(reg.as_str()));
    }

    #[test]
    fn no_personal_data_in_any_file_after_filling_and_finalizing() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path(), &Key::generate());
        let id = fill(&p);
        p.finalize(&id).unwrap();
        fill(&p); // a second, unfinalized draft stays in the WAL
        let secrets = [
            "3515145708950001",
            "Sri Wahyuni",
            "C1234567",
            "6281234567890",
            "Suminah",
            "Chan Tai Man",
        ];
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            for s in secrets {
                let found = bytes.windows(s.len()).any(|w| w == s.as_bytes());
                assert!(!found, "{s} in plaintext in {}", path.display());
            }
        }
    }

    #[test]
    fn create_takes_over_the_empty_file_of_a_create_killed_early_but_not_a_real_profile() {
        let dir = tempfile::tempdir().unwrap();
        let key = Key::generate();
        std::fs::write(profiles::profile_path(dir.path(), "p").unwrap(), b"").unwrap();
        let p = Profile::create(dir.path(), "p", &key).unwrap();
        p.new_draft("consultation").unwrap();
        drop(p);
        assert!(matches!(
            Profile::create(dir.path(), "p", &key),
            Err(Error::ProfileExists(_))
        ));
        assert_eq!(
            Profile::open(dir.path(), "p", &key)
                .unwrap()
                .drafts()
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn only_a_damaged_profile_is_set_aside_and_it_is_kept_not_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let key = Key::generate();
        let p = Profile::create(dir.path(), "ani", &key).unwrap();
        p.new_draft("consultation").unwrap();
        drop(p);
        let db = profiles::profile_path(dir.path(), "ani").unwrap();

        // A healthy profile, a wrong key, a missing profile: nothing moves.
        assert!(matches!(
            Profile::set_aside_damaged(dir.path(), "ani", &key),
            Err(Error::ProfileNotDamaged(_))
        ));
        assert!(matches!(
            Profile::set_aside_damaged(dir.path(), "ani", &Key::generate()),
            Err(Error::WrongKey)
        ));
        assert!(matches!(
            Profile::set_aside_damaged(dir.path(), "budi", &key),
            Err(Error::ProfileNotFound(_))
        ));
        assert_eq!(profiles::list_profiles(dir.path()).unwrap(), ["ani"]);

        // The card fails: the first pages are overwritten.
        let mut bytes = std::fs::read(&db).unwrap();
        bytes[..8192].fill(0xA5);
        std::fs::write(&db, &bytes).unwrap();
        assert!(matches!(
            Profile::open(dir.path(), "ani", &key),
            Err(Error::NotADatabase(_))
        ));
        let kept = Profile::set_aside_damaged(dir.path(), "ani", &key).unwrap();
        assert_eq!(std::fs::read(&kept).unwrap(), bytes, "kept byte for byte");
        assert!(!db.exists());
        assert!(profiles::list_profiles(dir.path()).unwrap().is_empty());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("ani.db") && !n.starts_with("ani.db.damaged-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");

        // The worker starts again under the same name, with the same key.
        let fresh = Profile::create(dir.path(), "ani", &key).unwrap();
        assert!(fresh.drafts().unwrap().is_empty());
        assert_eq!(profiles::list_profiles(dir.path()).unwrap(), ["ani"]);
    }

    #[test]
    fn unknown_form_and_unknown_draft_are_typed_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path(), &Key::generate());
        assert!(matches!(p.new_draft("nope"), Err(Error::UnknownForm(_))));
        assert!(matches!(p.draft("nope"), Err(Error::DraftNotFound(_))));
        let d = p.new_draft("consultation").unwrap();
        assert!(matches!(
            p.set_field(&d.id, "no_such_field", Input::Text("x".into())),
            Err(Error::UnknownField(_))
        ));
    }
}
