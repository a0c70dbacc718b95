//! [`RantauDraft`]: one open draft on a form screen. Each user action is one call
//! that returns the [`FormScreen`] to draw (a keystroke: only its field, when
//! nothing else changed); the core decides the page, the
//! issues to show, the values as shown and the quote. The draft id and the form
//! lookups stay here, so a keystroke sends only its path and text.

use std::sync::{Arc, Mutex};

use rantau_core::app::form::{DraftSession, FieldInput, Finalized, FormScreen, FormUpdate, Review};
use rantau_core::app::profile::Profile;

use crate::error::{guard, RantauError, Res};
use crate::profile::RantauProfile;

/// An open draft. Calls are serialized; after the profile is closed they fail
/// with [`RantauError::Closed`].
#[derive(uniffi::Object)]
pub struct RantauDraft {
    profile: Arc<RantauProfile>,
    session: Mutex<DraftSession>,
}

impl std::fmt::Debug for RantauDraft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RantauDraft").finish_non_exhaustive()
    }
}

impl RantauDraft {
    pub(crate) fn new(profile: Arc<RantauProfile>, session: DraftSession) -> Arc<Self> {
        Arc::new(RantauDraft {
            profile,
            session: Mutex::new(session),
        })
    }

    /// Runs `f` on the session and the open profile, guarded against panics.
    fn with<T>(
        &self,
        f: impl FnOnce(&mut DraftSession, &Profile) -> rantau_core::Result<T>,
    ) -> Res<T> {
        guard(|| {
            let profile = self.profile.get()?;
            let mut session = self.session.lock().map_err(|_| RantauError::closed())?;
            f(&mut session, &profile).map_err(RantauError::from)
        })
    }
}

#[uniffi::export]
impl RantauDraft {
    /// The screen as it is now.
    pub fn screen(&self) -> Res<FormScreen> {
        self.with(|s, p| Ok(s.screen(p)))
    }

    /// Autosaves one field (a keystroke, a pick, a date, a tick). The reply is that
    /// field alone when nothing else on the screen changed, else the whole screen.
    pub fn input(&self, path: String, input: FieldInput) -> Res<FormUpdate> {
        self.with(|s, p| s.input(p, &path, input.into()))
    }

    /// The worker left the field at `path` (focus moved away).
    pub fn leave(&self, path: String) -> Res<FormScreen> {
        self.with(|s, p| s.leave(p, &path))
    }

    /// Shows page `page` (0-based, clamped).
    pub fn go_to(&self, page: u32) -> Res<FormScreen> {
        self.with(|s, p| s.go_to(p, page))
    }

    /// The next page.
    pub fn next(&self) -> Res<FormScreen> {
        self.with(|s, p| s.next(p))
    }

    /// The page before.
    pub fn previous(&self) -> Res<FormScreen> {
        self.with(|s, p| s.previous(p))
    }

    /// One more, empty item of repeat group `group`.
    pub fn add_item(&self, group: String) -> Res<FormScreen> {
        self.with(|s, p| s.add_item(p, &group))
    }

    /// Removes item `index` of repeat group `group`.
    pub fn remove_item(&self, group: String, index: u32) -> Res<FormScreen> {
        self.with(|s, p| s.remove_item(p, &group, index))
    }

    /// Adds one page (JPEG, PNG or PDF) to the document field at `path`.
    pub fn attach(
        &self,
        path: String,
        bytes: Vec<u8>,
        mime_hint: Option<String>,
    ) -> Res<FormScreen> {
        self.with(|s, p| s.attach(p, &path, &bytes, mime_hint.as_deref()))
    }

    /// Removes file `attachment_id` from the document field at `path`.
    pub fn remove_attachment(&self, path: String, attachment_id: String) -> Res<FormScreen> {
        self.with(|s, p| s.remove_attachment(p, &path, &attachment_id))
    }

    /// Every answer by page, labelled and readable, to check before
    /// [`finalize`](Self::finalize) (the confirm).
    pub fn review(&self) -> Res<Review> {
        self.with(|s, p| Ok(s.review(p)))
    }

    /// Sends the form to the outbox, or shows every issue on the first page with one.
    pub fn finalize(&self) -> Res<Finalized> {
        self.with(|s, p| s.finalize(p))
    }
}
