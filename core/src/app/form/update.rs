//! [`FormUpdate`]: the answer to a keystroke. Most keystrokes change only their
//! own field, so only that field crosses the FFI (a whole screen is kilobytes of
//! labels and choices, which the JVM would decode on every key); when anything
//! else on the screen changed (a field shown or hidden, another field's issues,
//! the quote, the page strip) the whole screen comes instead. The core decides
//! which: from what the autosave reports when it can (the common keystroke), else
//! by comparing the screen before and after.

use super::screen::{FieldSlot, FormScreen};

/// What changed on the form screen after one input.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
// Crosses the FFI by value (a uniffi enum cannot hold a Box) and is moved once per
// reply; the size difference costs nothing measurable.
#[allow(clippy::large_enum_variant)]
pub enum FormUpdate {
    /// Only the field at `slot.path` changed: draw it in place of the one shown
    /// ([`FormScreen::apply`]).
    Field {
        /// The field as shown now.
        slot: FieldSlot,
    },
    /// More changed: draw this screen.
    Screen {
        /// The whole screen.
        screen: FormScreen,
    },
}

impl FormUpdate {
    /// The reply for a screen that was `before` and is `now` after an input at `path`.
    pub(crate) fn between(before: Option<&FormScreen>, now: FormScreen, path: &str) -> FormUpdate {
        match before.and_then(|b| only_change(b, &now, path)) {
            Some(slot) => FormUpdate::Field { slot },
            None => FormUpdate::Screen { screen: now },
        }
    }
}

impl FormScreen {
    /// This screen after `update`: the field it carries replaces the one with the
    /// same path (at any depth), or the whole screen is replaced. What a Rust
    /// front-end does with a reply; the Kotlin facade does the same.
    pub fn apply(&mut self, update: FormUpdate) {
        match update {
            FormUpdate::Screen { screen } => *self = screen,
            FormUpdate::Field { slot } => {
                if let Some(f) = self.field_mut(&slot.path) {
                    *f = slot;
                }
            }
        }
    }
}

impl FormScreen {
    /// The field at `path` (at any depth), to draw again in place.
    pub(crate) fn field_mut(&mut self, path: &str) -> Option<&mut FieldSlot> {
        find_mut(&mut self.fields, path)
    }
}

fn find_mut<'a>(fields: &'a mut [FieldSlot], path: &str) -> Option<&'a mut FieldSlot> {
    fields.iter_mut().find_map(|f| {
        if f.path == path {
            Some(f)
        } else {
            f.items
                .iter_mut()
                .find_map(|i| find_mut(&mut i.fields, path))
        }
    })
}

/// The field at `path` in `now`, when `now` differs from `before` in it alone.
fn only_change(before: &FormScreen, now: &FormScreen, path: &str) -> Option<FieldSlot> {
    // Destructured, so a new part of the screen cannot be forgotten here.
    let FormScreen {
        draft_id,
        form_id,
        title,
        page,
        page_title,
        progress,
        pages,
        fields,
        form_issues,
        contribution,
        urgent_help,
        can_go_back,
        is_last_page,
    } = now;
    let frame_same = *draft_id == before.draft_id
        && *form_id == before.form_id
        && *title == before.title
        && *page == before.page
        && *page_title == before.page_title
        && *progress == before.progress
        && *pages == before.pages
        && *form_issues == before.form_issues
        && *contribution == before.contribution
        && *urgent_help == before.urgent_help
        && *can_go_back == before.can_go_back
        && *is_last_page == before.is_last_page;
    if !frame_same || !same_except(&before.fields, fields, path) {
        return None;
    }
    find(fields, path).cloned()
}

/// The two lists of fields are the same but for the field at `path`.
fn same_except(before: &[FieldSlot], now: &[FieldSlot], path: &str) -> bool {
    before.len() == now.len()
        && before.iter().zip(now).all(|(b, n)| {
            if b.path != n.path {
                return false;
            }
            if n.path == path {
                return true;
            }
            if b.items.is_empty() && n.items.is_empty() {
                return b == n;
            }
            let head = |s: &FieldSlot| FieldSlot {
                items: Vec::new(),
                ..s.clone()
            };
            head(b) == head(n)
                && b.items.len() == n.items.len()
                && b.items.iter().zip(&n.items).all(|(bi, ni)| {
                    bi.index == ni.index
                        && bi.title == ni.title
                        && bi.can_remove == ni.can_remove
                        && same_except(&bi.fields, &ni.fields, path)
                })
        })
}

fn find<'a>(fields: &'a [FieldSlot], path: &str) -> Option<&'a FieldSlot> {
    fields.iter().find_map(|f| {
        if f.path == path {
            Some(f)
        } else {
            f.items.iter().find_map(|i| find(&i.fields, path))
        }
    })
}
