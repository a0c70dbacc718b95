//! What a form screen draws, ready-made: the page, its visible field instances
//! (repeat items expanded) with labels, input hints, the value as shown and the
//! issues to show now, the page tabs and the contribution quote. A renderer maps
//! these to widgets and computes nothing.

use serde::Serialize;

use super::quote::QuoteView;
use crate::app::help::Help;
use crate::app::profile::AttachmentInfo;
use crate::base::issue::Issue;
use crate::domain::photo::PhotoPlan;
use crate::forms::{DocumentType, Kind};

/// Which keyboard a text input opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Keyboard {
    /// Free text: capitalise sentences at most, never every word.
    Text,
    /// A person's name: every word capitalised.
    Name,
    /// Digits only (NIK, KPJ, whole numbers, a bank account).
    Digits,
    /// A number with a decimal point.
    Decimal,
    /// A phone number.
    Phone,
    /// An e-mail address.
    Email,
    /// Capital letters and digits (passport numbers).
    Capitals,
}

/// One option of a choice field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ChoiceItem {
    /// Stored value (never translated).
    pub value: String,
    /// What the worker reads, in the profile's language.
    pub label: String,
    /// Chosen now.
    pub selected: bool,
}

/// One field instance on the page: a top-level field or a field of one repeat item.
#[derive(Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FieldSlot {
    /// The path to send input for: `nik`, `heirs[0].name`.
    pub path: String,
    /// What it holds, so which widget to draw.
    pub kind: Kind,
    /// Label, in the profile's language.
    pub label: String,
    /// Help under the field.
    pub help: Option<String>,
    /// Must be filled now (always, or because of other answers).
    pub required: bool,
    /// The keyboard of a text input.
    pub keyboard: Keyboard,
    /// Several lines of text.
    pub multiline: bool,
    /// Longest value accepted, in characters (the core checks it too).
    pub max_length: Option<u32>,
    /// The value as an input box holds it ("" when empty): what was typed, or the
    /// stored `YYYY-MM-DD` of a date (for the picker).
    pub text: String,
    /// The value as read-only text shows it: a date as the worker writes it, the
    /// label of a choice, a country's name, "Ya"; `None` when empty.
    pub display: Option<String>,
    /// A consent's tick.
    pub checked: bool,
    /// Options of a choice field (a country field: see `countries`).
    pub choices: Vec<ChoiceItem>,
    /// A country field: the list to offer comes from `RantauProfile::countries`
    /// (all countries, or only placement destinations); loaded once, not per keystroke.
    pub destinations_only: bool,
    /// The issues to show now, errors first (see the issue-display policy).
    pub issues: Vec<Issue>,
    /// An error is among `issues`.
    pub has_error: bool,
    /// A repeat group: its items, each with its fields.
    pub items: Vec<RepeatItem>,
    /// A repeat group can take one more item.
    pub can_add_item: bool,
    /// Name of one item of a repeat group ("Ahli waris").
    pub item_label: Option<String>,
    /// A document field: which document.
    pub document: Option<DocumentType>,
    /// A document field: how the phone shrinks a camera photo of it before attaching.
    pub photo: Option<PhotoPlan>,
    /// A document field: its pages so far, in order.
    pub attachments: Vec<AttachmentInfo>,
    /// A document field can take one more page.
    pub can_attach: bool,
}

impl std::fmt::Debug for FieldSlot {
    // Hand-written: values and messages are personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldSlot")
            .field("path", &self.path)
            .field("kind", &self.kind)
            .field("issues", &self.issues)
            .field("items", &self.items.len())
            .finish_non_exhaustive()
    }
}

/// One item of a repeat group.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RepeatItem {
    /// 0-based index (for removing it).
    pub index: u32,
    /// Its heading: "Ahli waris 1".
    pub title: String,
    /// Its visible fields.
    pub fields: Vec<FieldSlot>,
    /// The group has more than its fewest items, so this one may go.
    pub can_remove: bool,
}

/// One page in the page strip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PageTab {
    /// Title.
    pub title: String,
    /// Errors shown on that page now (0 for a page not yet tried to leave).
    pub errors: u32,
    /// The page shown now.
    pub current: bool,
}

/// Everything a form screen draws for one draft.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FormScreen {
    /// The draft.
    pub draft_id: String,
    /// Form id.
    pub form_id: String,
    /// Form title.
    pub title: String,
    /// The page shown (0-based).
    pub page: u32,
    /// Its title.
    pub page_title: String,
    /// "Halaman 2 dari 5".
    pub progress: String,
    /// Every page, for a page strip.
    pub pages: Vec<PageTab>,
    /// The page's visible field instances, in order.
    pub fields: Vec<FieldSlot>,
    /// Messages about the whole form (after a finalize attempt).
    pub form_issues: Vec<Issue>,
    /// Contribution due, once the placement answers allow a quote, ready to draw.
    pub contribution: Option<QuoteView>,
    /// The numbers to call now, while an answer marked urgent is picked (a
    /// consultation about a work accident): shown before the form is queued,
    /// for the worker's destination.
    pub urgent_help: Option<Help>,
    /// A page before this one exists.
    pub can_go_back: bool,
    /// The last page: offer "review and send" instead of "next".
    pub is_last_page: bool,
}
