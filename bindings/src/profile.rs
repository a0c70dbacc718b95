//! [`RantauProfile`]: one open, encrypted profile. One call per user action;
//! every call is short (database only) except [`RantauProfile::sync`], which is
//! async: dropping its future (a cancelled coroutine) stops it between two atomic
//! steps, so nothing is lost. [`RantauProfile::close_profile`] releases the database.

use std::path::Path;
use std::sync::{Arc, RwLock};

use rantau_core::app::backup::{self, BackupSummary};
use rantau_core::app::form::{ChoiceItem, DraftSession, FormInfo};
use rantau_core::app::help::Help;
use rantau_core::app::inquiry::{Card, Contribution, PaymentInstructions, StatusCard, Thread};
use rantau_core::app::next::WhatNext;
use rantau_core::app::outbox::{OutboxItem, OutboxSummary};
use rantau_core::app::profile::link::{LinkPending, LinkRequest, Linked};
use rantau_core::app::profile::{AttachmentInfo, DraftSummary, PinStatus, Profile};
use rantau_core::app::reminders::Reminder;
use rantau_core::app::sync::{
    Network, NoObserver, ServerLink, SyncListener, SyncSettings, SyncStatus,
};
use rantau_core::app::{directory, Key};
use rantau_core::Lang;

use crate::draft::RantauDraft;
use crate::error::{guard, guard_async, RantauError, Res};

/// An open profile. Thread-safe; calls after [`RantauProfile::close_profile`] fail with
/// [`RantauError::Closed`].
#[derive(uniffi::Object)]
pub struct RantauProfile {
    inner: RwLock<Option<Arc<Profile>>>,
    link: ServerLink,
}

impl std::fmt::Debug for RantauProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RantauProfile")
            .field("open", &self.get().is_ok())
            .finish()
    }
}

/// Sets the damaged profile `name` in `dir` aside so that the worker can create it
/// again: only when `key` (32 raw bytes) finds its file unreadable (`Storage` with
/// code `store.not_a_database`). A profile that opens is refused (`InvalidInput`,
/// `profile.not_damaged`); a wrong key stays `WrongKey`. The file is renamed, never
/// deleted; returns its new path, for support to recover from.
#[uniffi::export]
pub fn set_aside_damaged_profile(dir: String, name: String, key: Vec<u8>) -> Res<String> {
    guard(|| {
        let kept = Profile::set_aside_damaged(Path::new(&dir), &name, &Key::from_slice(&key)?)?;
        Ok(kept.to_string_lossy().into_owned())
    })
}

/// Opens the backup file `from` with `passphrase` and tells what it holds, restoring
/// nothing: shown before a restore. Errors: `WrongKey` (`backup.wrong_passphrase`:
/// the passphrase, or a changed file), `InvalidInput` (`backup.damaged`,
/// `backup.too_new`).
#[uniffi::export]
pub fn inspect_backup(from: String, passphrase: String) -> Res<BackupSummary> {
    guard(|| Ok(backup::inspect(Path::new(&from), &passphrase)?))
}

/// Saves the damaged profile file at `path` (one set aside, see
/// [`set_aside_damaged_profile`]) to the backup file `to`, as far as `key` (32 raw
/// bytes) reads it; the damaged file is only read.
#[uniffi::export]
pub fn export_damaged_profile(
    path: String,
    key: Vec<u8>,
    to: String,
    passphrase: String,
) -> Res<BackupSummary> {
    guard(|| {
        Ok(backup::export_damaged(
            Path::new(&path),
            &Key::from_slice(&key)?,
            Path::new(&to),
            &passphrase,
        )?)
    })
}

impl RantauProfile {
    fn wrap(p: Profile) -> Arc<Self> {
        Arc::new(RantauProfile {
            inner: RwLock::new(Some(Arc::new(p))),
            link: ServerLink::new("rantau-android"),
        })
    }

    fn open_or_create(dir: &str, name: &str, key: &Key, create: bool) -> Res<Arc<Self>> {
        let p = if create {
            Profile::create(Path::new(dir), name, key)?
        } else {
            Profile::open(Path::new(dir), name, key)?
        };
        Ok(Self::wrap(p))
    }

    pub(crate) fn get(&self) -> Res<Arc<Profile>> {
        self.inner
            .read()
            .ok()
            .and_then(|g| g.clone())
            .ok_or_else(RantauError::closed)
    }

    /// Runs `f`, which cannot fail, on the open profile.
    fn run(&self, f: impl FnOnce(&Profile)) -> Res<()> {
        self.with(|p| {
            f(p);
            Ok(())
        })
    }

    /// Runs `f` on the open profile, guarded against panics.
    fn with<T>(&self, f: impl FnOnce(&Profile) -> rantau_core::Result<T>) -> Res<T> {
        guard(|| {
            let p = self.get()?;
            f(&p).map_err(RantauError::from)
        })
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl RantauProfile {
    /// Creates profile `name` in directory `dir` (`create`), or opens it, with its
    /// 32-byte key in hex.
    #[uniffi::constructor]
    pub fn with_key_hex(
        dir: String,
        name: String,
        key_hex: String,
        create: bool,
    ) -> Res<Arc<Self>> {
        guard(|| Self::open_or_create(&dir, &name, &Key::from_hex(&key_hex)?, create))
    }

    /// Like [`RantauProfile::with_key_hex`] with the key as 32 raw bytes (as the
    /// Android Keystore unwraps it).
    #[uniffi::constructor]
    pub fn with_key_bytes(dir: String, name: String, key: Vec<u8>, create: bool) -> Res<Arc<Self>> {
        guard(|| Self::open_or_create(&dir, &name, &Key::from_slice(&key)?, create))
    }

    /// Restores the backup file `from` as the new profile `name` in `dir`, encrypted
    /// with `key` (32 raw bytes), and opens it. Nothing is made unless the whole
    /// file opens with `passphrase`; run again after it was cut short, it finishes
    /// (or opens what it restored). Errors as [`inspect_backup`], and `InvalidInput`
    /// `profile.exists` for another profile of that name.
    #[uniffi::constructor]
    pub fn import_backup(
        dir: String,
        name: String,
        key: Vec<u8>,
        from: String,
        passphrase: String,
    ) -> Res<Arc<Self>> {
        guard(|| {
            let (p, _) = Profile::import_backup(
                Path::new(&dir),
                &name,
                &Key::from_slice(&key)?,
                Path::new(&from),
                &passphrase,
            )?;
            Ok(Self::wrap(p))
        })
    }

    /// Writes this profile (drafts, outbox, documents, the device's credentials) to
    /// the backup file `to`, protected by `passphrase` (at least 10 characters:
    /// `InvalidInput` `backup.weak_passphrase`).
    pub fn export_backup(&self, to: String, passphrase: String) -> Res<BackupSummary> {
        self.with(|p| p.export_backup(Path::new(&to), &passphrase))
    }

    /// Writes every keystroke's autosave that waits (the core writes them within
    /// moments on its own thread; every other call, and closing, writes them first).
    /// For the app going to the background.
    pub fn flush(&self) -> Res<()> {
        self.with(|p| p.flush())
    }

    /// Closes the profile: stops a running sync at its next step and releases the
    /// database once no call uses it. Closing twice is fine.
    /// (Named `close_profile`: uniffi's Kotlin classes already have `close()`, which frees the handle.)
    pub fn close_profile(&self) {
        let taken = self.inner.write().ok().and_then(|mut g| g.take());
        if let Some(p) = taken {
            p.interrupt();
        }
        self.link.forget();
    }

    /// Trusts only the root certificates in `pem` (PEM text) for the next syncs,
    /// instead of the phone's trust store: for a test or staging server with its own
    /// authority. The app never calls it. Host names and expiry are still checked.
    /// Errors: `InvalidInput` (`sync.invalid_roots`) when `pem` holds no certificate.
    pub fn trust_only_roots(&self, pem: String) -> Res<()> {
        guard(|| Ok(self.link.trust_only_roots(&pem)?))
    }

    /// The language of messages and titles.
    pub fn language(&self) -> Res<Lang> {
        self.with(|p| Ok(p.lang()))
    }

    /// Changes the language of messages and titles.
    pub fn set_language(&self, lang: Lang) -> Res<()> {
        self.run(|p| p.set_lang(lang))
    }

    /// The forms a user can start (newest version of each), titles localized.
    pub fn forms(&self) -> Res<Vec<FormInfo>> {
        self.with(|p| Ok(p.forms()))
    }

    /// Starts a draft of the newest version of `form_id` and opens it on its form screen.
    pub fn start_draft(self: Arc<Self>, form_id: String) -> Res<Arc<RantauDraft>> {
        let session = self.with(|p| DraftSession::start(p, &form_id))?;
        Ok(RantauDraft::new(self, session))
    }

    /// "Register": opens the worker's unfinished registration on the page last
    /// changed, or starts one; any other form starts a new draft (the core decides).
    pub fn start_or_resume_draft(self: Arc<Self>, form_id: String) -> Res<Arc<RantauDraft>> {
        let session = self.with(|p| DraftSession::start_or_resume(p, &form_id))?;
        Ok(RantauDraft::new(self, session))
    }

    /// Opens draft `draft_id` on its form screen, on the page last changed (after a
    /// restart, or a reopened rejected submission).
    pub fn open_draft(self: Arc<Self>, draft_id: String) -> Res<Arc<RantauDraft>> {
        let session = self.with(|p| DraftSession::resume(p, &draft_id))?;
        Ok(RantauDraft::new(self, session))
    }

    /// The countries a country field offers, names in the profile's language:
    /// every country, or only placement destinations. Load once per screen.
    pub fn countries(&self, destinations_only: bool) -> Res<Vec<ChoiceItem>> {
        self.with(|p| Ok(directory::country_choices(destinations_only, p.lang())))
    }

    /// All drafts, most recently changed first.
    pub fn drafts(&self) -> Res<Vec<DraftSummary>> {
        self.with(Profile::drafts)
    }

    /// Deletes a draft (not a finalized submission).
    pub fn delete_draft(&self, draft_id: String) -> Res<()> {
        self.with(|p| p.delete_draft(&draft_id))
    }

    /// Finalize: errors come back as [`RantauError::Validation`] with every issue;
    /// otherwise the frozen submission is queued (durably) and the draft removed.
    pub fn finalize(&self, draft_id: String) -> Res<OutboxItem> {
        self.with(|p| p.finalize(&draft_id))
    }

    /// What happens after submission `submission_id` was finalized, in the
    /// worker's words (for a registration: where to pay in its destination).
    pub fn what_next(&self, submission_id: String) -> Res<WhatNext> {
        self.with(|p| p.what_next(&submission_id))
    }

    /// The outbox, oldest first, each submission in the bucket a screen shows.
    pub fn outbox(&self) -> Res<Vec<OutboxItem>> {
        self.with(|p| p.outbox())
    }

    /// How many submissions are in each bucket, and the home screen's line.
    pub fn outbox_summary(&self) -> Res<OutboxSummary> {
        self.with(|p| p.outbox_summary())
    }

    /// One submission.
    pub fn submission(&self, submission_id: String) -> Res<OutboxItem> {
        self.with(|p| p.submission(&submission_id))
    }

    /// The document pages of a draft (or of the submission it became).
    pub fn attachments(&self, id: String) -> Res<Vec<AttachmentInfo>> {
        self.with(|p| p.attachments(&id, None))
    }

    /// The bytes of one stored page (to preview it), checked against its id;
    /// `attachment.not_found` once it was released after upload.
    pub fn attachment_bytes(&self, attachment_id: String) -> Res<Vec<u8>> {
        self.with(|p| p.attachment_bytes(&attachment_id))
    }

    /// Fix and resubmit: a rejected submission becomes a new draft with its answers.
    /// Returns the draft's id, to open with [`RantauProfile::open_draft`].
    pub fn reopen_rejected(&self, submission_id: String) -> Res<String> {
        self.with(|p| Ok(p.reopen_rejected(&submission_id)?.id))
    }

    /// Takes a finalized form that never left the phone back to a draft with the
    /// same id (to open with [`RantauProfile::open_draft`]); refused once any of it
    /// may have reached the server (`submission.already_left`).
    pub fn withdraw(&self, submission_id: String) -> Res<String> {
        self.with(|p| Ok(p.withdraw(&submission_id)?.id))
    }

    /// The worker's "send again" on a submission that needs help after many failed
    /// attempts; any other submission is left as it is. Returns it in its bucket.
    pub fn send_again(&self, submission_id: String) -> Res<OutboxItem> {
        self.with(|p| p.send_again(&submission_id))
    }

    /// The home screen's status card, from the local cache.
    pub fn status_card(&self) -> Res<StatusCard> {
        self.with(Profile::status_card)
    }

    /// The membership card, once a registration was decided.
    pub fn card(&self) -> Res<Option<Card>> {
        self.with(Profile::card)
    }

    /// The numbers to call now in the worker's destination (from their registration).
    pub fn help(&self) -> Res<Help> {
        self.with(Profile::help)
    }

    /// The reminders to schedule from today: the payment deadline while unpaid,
    /// JHT monthly.
    pub fn reminders(&self) -> Res<Vec<Reminder>> {
        self.with(Profile::reminders)
    }

    /// How to pay, once a registration was decided.
    pub fn payment_instructions(&self) -> Res<Option<PaymentInstructions>> {
        self.with(Profile::payment_instructions)
    }

    /// Consultations with their replies.
    pub fn threads(&self) -> Res<Vec<Thread>> {
        self.with(Profile::threads)
    }

    /// Contributions recorded by the agency, newest period first.
    pub fn contributions(&self) -> Res<Vec<Contribution>> {
        self.with(Profile::contributions)
    }

    /// How old data fetched at `fetched_at` (unix ms) is now, in the profile's language.
    pub fn age(&self, fetched_at: Option<i64>) -> Res<String> {
        self.with(|p| Ok(p.age(fetched_at)))
    }

    /// Stops a running sync at its next step without disturbing a statement running
    /// now (the facade calls this when the sync's coroutine is cancelled).
    pub fn stop_sync(&self) -> Res<()> {
        self.run(Profile::stop_at_next_step)
    }

    /// One sync with the server at `server_url` (https, or http to loopback), if
    /// `network` and the worker's settings allow: enroll if needed, send the outbox,
    /// receive news. Otherwise nothing is sent and the state says why. Progress and
    /// the end go to every watcher of this profile. Returns the state afterwards.
    /// Cancel by dropping the future (Kotlin: cancel the coroutine).
    pub async fn sync(&self, server_url: String, network: Network) -> Res<SyncStatus> {
        let profile = self.get()?;
        let config = guard(|| Ok(self.link.config(&server_url, profile.lang())?))?;
        guard_async(async move { Ok(profile.sync(&config, network, &NoObserver).await?.status) })
            .await
    }

    /// "Saya sudah terdaftar": asks the server at `server_url` for a one-time code
    /// to link this phone to the worker `request` names (NIK or KPJ and birth
    /// date; by e-mail to the address on file, or from an officer). The answer is
    /// the same whether or not the details match anyone.
    pub async fn link_start(&self, server_url: String, request: LinkRequest) -> Res<LinkPending> {
        let profile = self.get()?;
        let config = guard(|| Ok(self.link.config(&server_url, profile.lang())?))?;
        guard_async(async move { Ok(profile.link_start(&config, &request).await?) }).await
    }

    /// Types the one-time code: links this phone, then syncs (if `network` and
    /// the settings allow) so the card and status appear. A wrong, expired, used
    /// or locked code is `InvalidInput` with its `link.*` code; nothing changes.
    pub async fn link_confirm(
        &self,
        server_url: String,
        code: String,
        network: Network,
    ) -> Res<Linked> {
        let profile = self.get()?;
        let config = guard(|| Ok(self.link.config(&server_url, profile.lang())?))?;
        guard_async(async move { Ok(profile.link_confirm(&config, &code, network).await?) }).await
    }

    /// True while a link attempt waits for its code on this phone.
    pub fn link_pending(&self) -> Res<bool> {
        self.with(Profile::link_pending)
    }

    /// The profile's sync state now.
    pub fn sync_status(&self) -> Res<SyncStatus> {
        self.with(|p| Ok(p.sync_status()))
    }

    /// Tells `listener` of every change of this profile's sync state, whichever
    /// handle in the process runs the sync. Returns the id for `unwatch_sync`.
    pub fn watch_sync(&self, listener: Box<dyn SyncListener>) -> Res<u64> {
        self.with(|p| Ok(p.watch_sync(Arc::from(listener))))
    }

    /// Stops the listener `id`.
    pub fn unwatch_sync(&self, id: u64) -> Res<()> {
        self.run(|p| p.unwatch_sync(id))
    }

    /// The worker's data-use settings.
    pub fn sync_settings(&self) -> Res<SyncSettings> {
        self.with(Profile::sync_settings)
    }

    /// Keeps the worker's data-use settings.
    pub fn set_sync_settings(&self, settings: SyncSettings) -> Res<()> {
        self.with(|p| p.set_sync_settings(settings))
    }

    /// The profile's PIN state (readable while locked): whether to ask for a PIN,
    /// the tries left, the wait, and the line to show under the PIN field.
    pub fn pin_status(&self) -> Res<PinStatus> {
        self.with(Profile::pin_status)
    }

    /// Opens this handle for the user with `pin`. Errors: `WrongKey` with code
    /// `pin.wrong` (tries left in `pin_status`) or `pin.locked` (a wait runs);
    /// `InvalidInput` `pin.none`. Until then the calls on the worker's data fail
    /// with `WrongKey` `pin.required`; syncing works without it.
    pub fn unlock(&self, pin: String) -> Res<()> {
        self.with(|p| p.unlock(&pin))
    }

    /// Locks this handle again (the app went to the background).
    pub fn lock_again(&self) -> Res<()> {
        self.with(Profile::lock_again)
    }

    /// Sets a PIN (4 to 8 digits) on a profile without one. Errors: `InvalidInput`
    /// `pin.format`, `pin.trivial`, `pin.exists`.
    pub fn set_pin(&self, pin: String) -> Res<()> {
        self.with(|p| p.set_pin(&pin))
    }

    /// Replaces the PIN, given the current one (errors as `unlock`, and as `set_pin`
    /// for the new one).
    pub fn change_pin(&self, current: String, new_pin: String) -> Res<()> {
        self.with(|p| p.change_pin(&current, &new_pin))
    }

    /// Removes the PIN, given the current one (errors as `unlock`).
    pub fn remove_pin(&self, current: String) -> Res<()> {
        self.with(|p| p.remove_pin(&current))
    }
}
