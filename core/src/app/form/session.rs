//! One open draft on a form screen: the core keeps the page, what the worker has
//! touched and every issue, and answers each user action with the whole
//! [`FormScreen`] to draw. A keystroke is one autosave (one transaction) plus its
//! field drawn again (the page rebuilt from memory when more changed); turning a
//! page, attaching a file or sending re-checks the whole draft.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::display;
use super::policy::IssuePolicy;
use super::quote::QuoteView;
use super::screen::{ChoiceItem, FieldSlot, FormScreen, Keyboard, PageTab, RepeatItem};
use super::update::FormUpdate;
use crate::app::data_size;
use crate::app::help;
use crate::app::next::WhatNext;
use crate::app::outbox::OutboxItem;
use crate::app::profile::{AttachmentInfo, DraftView, Profile};
use crate::base::error::{Error, Result};
use crate::base::issue::{Issue, Severity};
use crate::base::lang::Lang;
use crate::base::messages;
use crate::domain::tariff::FeeQuote;
use crate::forms::{self, Answers, DocumentType, Field, FormDefinition, Input, Kind, TextKeyboard};

/// What sending a form led to.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Finalized {
    /// Frozen and queued: it leaves with the next sync; the draft is gone.
    Queued {
        /// The new outbox entry.
        item: OutboxItem,
        /// What happens next, to show at once.
        next: WhatNext,
    },
    /// Not yet: every issue is shown, on the first page that has one.
    NeedsFixes {
        /// The screen to draw now.
        screen: FormScreen,
    },
}

/// An open draft and what the worker has done on its screen.
pub struct DraftSession {
    def: &'static FormDefinition,
    draft_id: String,
    answers: Answers,
    /// Every current issue, by path (`""`: the whole form).
    issues: BTreeMap<String, Vec<Issue>>,
    hidden: HashSet<String>,
    /// Why the last file offered to a document field was refused (too large, not
    /// a photo or PDF, one page too many), shown on it at once until the next
    /// file is offered or removed there.
    refused: HashMap<String, Issue>,
    /// Items shown before their first answer is stored, by group.
    pending_items: HashMap<String, usize>,
    /// Document pages by field path, in page order.
    attachments: BTreeMap<String, Vec<AttachmentInfo>>,
    contribution: Option<FeeQuote>,
    /// The worker's destination (its help lines show with an urgent answer).
    destination: Option<String>,
    /// An answer marked urgent is picked.
    urgent: bool,
    /// The page each top-level field is on.
    page_of: HashMap<String, usize>,
    page: usize,
    /// The page the store remembers as last changed (the draft opens there).
    remembered: usize,
    policy: IssuePolicy,
    /// The screen last built: a keystroke's reply carries only what differs from it.
    shown: Option<FormScreen>,
}

impl std::fmt::Debug for DraftSession {
    // Hand-written: the answers and issues hold personal data; a log shows counts.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DraftSession")
            .field("form", &self.def.id)
            .field("draft_id", &self.draft_id)
            .field("page", &self.page)
            .field("answers", &format_args!("<{} answers>", self.answers.len()))
            .field("issues", &format_args!("<{} paths>", self.issues.len()))
            .finish_non_exhaustive()
    }
}

impl DraftSession {
    /// Starts a new draft of the newest version of `form_id`.
    pub fn start(profile: &Profile, form_id: &str) -> Result<DraftSession> {
        let draft = profile.new_draft(form_id)?;
        Self::resume(profile, &draft.id)
    }

    /// "Register": opens the worker's unfinished registration, or starts one when
    /// there is none; any other form starts a new draft
    /// ([`Profile::start_or_resume`] decides).
    pub fn start_or_resume(profile: &Profile, form_id: &str) -> Result<DraftSession> {
        let (draft, _) = profile.start_or_resume(form_id)?;
        Self::resume(profile, &draft.id)
    }

    /// Opens draft `draft_id` (after a restart, or a reopened rejected submission)
    /// on the page the worker last changed something on, with no issue shown yet.
    pub fn resume(profile: &Profile, draft_id: &str) -> Result<DraftSession> {
        let view = profile.draft(draft_id)?;
        let last = profile.last_page(draft_id)? as usize;
        let def = Profile::definition(&view.form_id, view.form_version)?;
        let page_of = def
            .pages
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.fields.iter().map(move |f| (f.id.clone(), i)))
            .collect();
        let mut session = DraftSession {
            def,
            draft_id: view.id.clone(),
            answers: Answers::new(),
            issues: BTreeMap::new(),
            hidden: HashSet::new(),
            refused: HashMap::new(),
            pending_items: HashMap::new(),
            attachments: BTreeMap::new(),
            contribution: None,
            destination: profile.destination()?,
            urgent: false,
            page_of,
            page: last.min(def.pages.len().saturating_sub(1)),
            remembered: last,
            policy: IssuePolicy::default(),
            shown: None,
        };
        session.absorb(view, profile.attachments(draft_id, None)?);
        Ok(session)
    }

    /// The draft's id.
    pub fn draft_id(&self) -> &str {
        &self.draft_id
    }

    /// The screen as it is now.
    pub fn screen(&mut self, profile: &Profile) -> FormScreen {
        self.build(profile.lang())
    }

    /// Autosaves `input` for the field at `path`. Text-like inputs count as typing
    /// (their new issues wait for [`DraftSession::leave`]); a pick, a date or a tick
    /// is complete at once. The reply is that field alone when nothing else on the
    /// screen changed, else the whole screen ([`FormUpdate`]).
    pub fn input(&mut self, profile: &Profile, path: &str, input: Input) -> Result<FormUpdate> {
        let outcome =
            profile.set_field_later(self.def, &self.draft_id, path, input, &mut self.answers)?;
        self.edited(profile, path);
        let others_changed = !outcome.rechecked.is_empty() || !outcome.visibility.is_empty();
        for p in outcome.rechecked.iter().chain([&outcome.path]) {
            self.issues.remove(p);
        }
        for i in outcome.issues {
            self.issues.entry(i.path.clone()).or_default().push(i);
        }
        for v in outcome.visibility {
            if v.visible {
                self.hidden.remove(&v.path);
            } else {
                self.hidden.insert(v.path);
            }
        }
        let quote = profile.quote(self.def, &self.answers);
        let urgent = self.def.urgent_picked(&self.answers);
        // Nothing but this field can have changed on the screen when it is a
        // top-level field (an item's field also changes its group's slot), no other
        // field's issues were re-checked, nothing was shown or hidden, the quote is
        // the same, no condition reads this field and no other field was being typed in.
        let field = self.def.field(path);
        let alone = forms::is_top_level(path)
            && !others_changed
            && quote == self.contribution
            && urgent == self.urgent
            && self.policy.typing_in().is_none_or(|p| p == path)
            && field.is_some_and(|f| !self.def.in_a_condition(&f.id));
        self.contribution = quote;
        self.urgent = urgent;
        if field.is_some_and(|f| is_typed(f.kind)) {
            self.policy.typing(path);
        } else {
            self.policy.left(path);
        }
        let lang = profile.lang();
        if let Some(slot) = field
            .filter(|_| alone)
            .and_then(|f| self.redraw(f, path, lang))
        {
            return Ok(FormUpdate::Field { slot });
        }
        let before = self.shown.take();
        let now = self.build(lang);
        Ok(FormUpdate::between(before.as_ref(), now, path))
    }

    /// The field at `path` drawn again into the screen last built, when only it can
    /// have changed: a keystroke's common case, without building the whole screen.
    /// None when that field is not on the screen, or when its count of errors
    /// changed (the page strip counts them): then the whole screen is built.
    fn redraw(&mut self, field: &Field, path: &str, lang: Lang) -> Option<FieldSlot> {
        let slot = self.slot(field, path, lang);
        let old = self.shown.as_mut().and_then(|s| s.field_mut(path))?;
        let errors = |s: &FieldSlot| s.issues.iter().filter(|i| i.is_error()).count();
        if errors(old) != errors(&slot) {
            return None;
        }
        *old = slot.clone();
        self.policy.shown_at(path, !slot.issues.is_empty());
        Some(slot)
    }

    /// The worker left the field at `path` (focus moved away): its issues show
    /// from now on, and a field left empty is checked with the whole draft.
    pub fn leave(&mut self, profile: &Profile, path: &str) -> Result<FormScreen> {
        self.policy.left(path);
        self.recheck(profile);
        Ok(self.build(profile.lang()))
    }

    /// Shows page `page` (clamped to the form's pages). Leaving a page is an
    /// attempt to leave it: its issues show when the worker comes back.
    pub fn go_to(&mut self, profile: &Profile, page: u32) -> Result<FormScreen> {
        let last = self.def.pages.len().saturating_sub(1);
        let target = (page as usize).min(last);
        if target != self.page {
            self.policy.attempted_page(self.page);
        }
        self.page = target;
        self.recheck(profile);
        Ok(self.build(profile.lang()))
    }

    /// The next page.
    pub fn next(&mut self, profile: &Profile) -> Result<FormScreen> {
        let page = self.page as u32 + 1;
        self.go_to(profile, page)
    }

    /// The page before.
    pub fn previous(&mut self, profile: &Profile) -> Result<FormScreen> {
        let page = (self.page as u32).saturating_sub(1);
        self.go_to(profile, page)
    }

    /// Shows one more, empty item of repeat group `group`; it is stored with its
    /// first answer. A group at its most items stays as it is (`can_add_item` is
    /// false there). Errors: [`Error::UnknownField`] (not a repeat group).
    pub fn add_item(&mut self, profile: &Profile, group: &str) -> Result<FormScreen> {
        let field = self
            .def
            .field(group)
            .filter(|f| f.kind == Kind::Repeat)
            .ok_or_else(|| Error::UnknownField(group.to_string()))?;
        let n = self.items(group);
        if field.max_items.is_none_or(|m| n < m as usize) {
            self.pending_items.insert(group.to_string(), n + 1);
        }
        self.edited(profile, group);
        Ok(self.build(profile.lang()))
    }

    /// Removes item `index` of repeat group `group` (later items move up).
    pub fn remove_item(
        &mut self,
        profile: &Profile,
        group: &str,
        index: u32,
    ) -> Result<FormScreen> {
        let stored = forms::item_count(&self.answers, group);
        if (index as usize) < stored {
            profile.remove_repeat_item(&self.draft_id, group, index as usize)?;
        }
        if let Some(p) = self.pending_items.get_mut(group) {
            *p = p.saturating_sub(1);
        }
        self.edited(profile, group);
        self.reload(profile)?;
        Ok(self.build(profile.lang()))
    }

    /// Adds one page (a photo or a PDF) to the document field at `path`.
    pub fn attach(
        &mut self,
        profile: &Profile,
        path: &str,
        bytes: &[u8],
        mime_hint: Option<&str>,
    ) -> Result<FormScreen> {
        self.refused.remove(path);
        match profile.attach(&self.draft_id, path, bytes, mime_hint) {
            Ok(_) => {}
            Err(e) => {
                // A file this field cannot take is the worker's to fix, on the field.
                let Some(issue) = refusal(&e, path, profile.lang()) else {
                    return Err(e);
                };
                self.refused.insert(path.to_string(), issue);
                return Ok(self.build(profile.lang()));
            }
        }
        self.edited(profile, path);
        self.policy.left(path);
        self.reload(profile)?;
        Ok(self.build(profile.lang()))
    }

    /// Removes file `attachment_id` from the document field at `path`.
    pub fn remove_attachment(
        &mut self,
        profile: &Profile,
        path: &str,
        attachment_id: &str,
    ) -> Result<FormScreen> {
        profile.remove_attachment(&self.draft_id, path, attachment_id)?;
        self.refused.remove(path);
        self.edited(profile, path);
        self.policy.left(path);
        self.reload(profile)?;
        Ok(self.build(profile.lang()))
    }

    /// Every answer, by page, as the worker checks it before sending (then
    /// [`finalize`](Self::finalize) is the explicit confirm).
    pub fn review(&self, profile: &Profile) -> super::Review {
        let lang = profile.lang();
        super::review::review(
            self.def,
            &self.draft_id,
            &self.answers,
            &self.hidden,
            self.contribution.clone().map(|q| QuoteView::of(q, lang)),
            lang,
        )
    }

    /// Sends the form to the outbox, or shows every issue on the first page that
    /// has one.
    pub fn finalize(&mut self, profile: &Profile) -> Result<Finalized> {
        self.policy.attempted_finalize();
        match profile.finalize(&self.draft_id) {
            Ok(item) => {
                let next = profile.what_next(&item.id)?;
                Ok(Finalized::Queued { item, next })
            }
            Err(Error::Invalid(issues)) => {
                self.set_issues(issues);
                if let Some(first) = self.first_page_with_errors() {
                    self.page = first;
                }
                Ok(Finalized::NeedsFixes {
                    screen: self.build(profile.lang()),
                })
            }
            Err(e) => Err(e),
        }
    }

    /// The worker changed the field at `path`: its page is where the draft opens
    /// next time. Written only when that page changes, so a keystroke costs no
    /// second transaction.
    fn edited(&mut self, profile: &Profile, path: &str) {
        let page = self.page_of(path);
        if page != self.remembered {
            profile.set_last_page(&self.draft_id, page as u32);
            self.remembered = page;
        }
    }

    /// Re-reads the draft and its files (after a change made in one transaction
    /// elsewhere: a removed item, an attached page).
    fn reload(&mut self, profile: &Profile) -> Result<()> {
        let view = profile.draft(&self.draft_id)?;
        let files = profile.attachments(&self.draft_id, None)?;
        self.absorb(view, files);
        Ok(())
    }

    /// Takes the stored draft and its files as they are now.
    fn absorb(&mut self, view: DraftView, files: Vec<AttachmentInfo>) {
        self.answers = view.answers;
        self.hidden = view.hidden.into_iter().collect();
        self.contribution = view.contribution;
        self.urgent = self.def.urgent_picked(&self.answers);
        self.set_issues(view.issues);
        self.attachments.clear();
        for a in files {
            self.attachments
                .entry(a.field_path.clone())
                .or_default()
                .push(a);
        }
        for pages in self.attachments.values_mut() {
            pages.sort_by_key(|a| a.page);
        }
    }

    /// Every issue of the whole draft, from memory (no database read).
    fn recheck(&mut self, profile: &Profile) {
        let issues = profile.validate(self.def, &self.answers);
        self.set_issues(issues);
    }

    fn set_issues(&mut self, issues: Vec<Issue>) {
        self.issues.clear();
        for i in issues {
            self.issues.entry(i.path.clone()).or_default().push(i);
        }
    }

    fn items(&self, group: &str) -> usize {
        let stored = forms::item_count(&self.answers, group);
        self.pending_items
            .get(group)
            .copied()
            .unwrap_or(0)
            .max(stored)
    }

    /// The page of the field at `path` (`heirs[0].name` is on the page of `heirs`).
    fn page_of(&self, path: &str) -> usize {
        let top = path.split('[').next().unwrap_or(path);
        self.page_of.get(top).copied().unwrap_or(0)
    }

    fn is_empty_at(&self, path: &str) -> bool {
        match self.def.field(path) {
            Some(f) if f.kind == Kind::Repeat => self.items(path) == 0,
            _ => forms::value_at(&self.answers, path).is_none_or(display::is_empty),
        }
    }

    /// The issues of `path` shown now, errors first.
    fn shown_at(&self, path: &str) -> Vec<Issue> {
        let page = self.page_of(path);
        let empty = self.is_empty_at(path);
        let mut shown: Vec<Issue> = self
            .refused
            .get(path)
            .into_iter()
            .chain(
                self.issues
                    .get(path)
                    .into_iter()
                    .flatten()
                    .filter(|i| self.policy.shows(i, page, empty)),
            )
            .cloned()
            .collect();
        shown.sort_by_key(|i| i.severity != Severity::Error);
        shown
    }

    /// The issues of rules that span pages, while the worker is on a page with one of
    /// the rule's fields and the issue's own place (the rule's last field) is on
    /// another: a contract end changed here that the passport no longer covers says so
    /// here, not only on the passport's page. Shown when it would show at its own place,
    /// or once the worker left the rule's field on this page.
    fn rules_from_other_pages(&self) -> Vec<Issue> {
        let def = self.def;
        let mut out = Vec::new();
        for rule in &def.rules {
            let at = def.issue_path(rule);
            let at_page = self.page_of(at);
            if at_page == self.page || self.hidden.contains(at) {
                continue;
            }
            let here: Vec<&str> = rule
                .fields()
                .into_iter()
                .filter(|f| self.page_of(f) == self.page && !self.hidden.contains(*f))
                .collect();
            if here.is_empty() {
                continue;
            }
            let left_here = here.iter().any(|f| self.policy.has_left(f));
            let shows = |i: &&Issue| {
                i.code == rule.code
                    && (left_here || self.policy.shows(i, at_page, self.is_empty_at(at)))
            };
            out.extend(
                self.issues
                    .get(at)
                    .into_iter()
                    .flatten()
                    .filter(shows)
                    .cloned(),
            );
        }
        out
    }

    fn first_page_with_errors(&self) -> Option<usize> {
        self.issues
            .iter()
            .filter(|(path, list)| {
                !path.is_empty() && !self.hidden.contains(*path) && list.iter().any(Issue::is_error)
            })
            .map(|(path, _)| self.page_of(path))
            .min()
    }

    fn build(&mut self, lang: Lang) -> FormScreen {
        let def = self.def;
        let page = def.pages.get(self.page);
        let fields: Vec<FieldSlot> = page
            .map(|p| {
                p.fields
                    .iter()
                    .filter(|f| !self.hidden.contains(&f.id))
                    .map(|f| self.slot(f, &f.id, lang))
                    .collect()
            })
            .unwrap_or_default();
        let mut errors = vec![0u32; def.pages.len()];
        for (path, list) in &self.issues {
            if path.is_empty() || self.hidden.contains(path) {
                continue;
            }
            let page = self.page_of(path);
            let empty = self.is_empty_at(path);
            let n = list
                .iter()
                .filter(|i| i.is_error() && self.policy.shows(i, page, empty))
                .count() as u32;
            if let Some(e) = errors.get_mut(page) {
                *e += n;
            }
        }
        let mut form_issues = self.shown_at("");
        form_issues.extend(self.rules_from_other_pages());
        let mut showing: Vec<String> = Vec::new();
        collect_showing(&fields, &mut showing);
        self.policy.shown(showing);
        let count = def.pages.len();
        let screen = FormScreen {
            draft_id: self.draft_id.clone(),
            form_id: def.id.clone(),
            title: def.title.get(lang).to_string(),
            page: self.page as u32,
            page_title: page
                .map(|p| p.title.get(lang).to_string())
                .unwrap_or_default(),
            progress: messages::render(
                "form.page_of",
                lang,
                &[
                    ("page", (self.page + 1).to_string()),
                    ("pages", count.to_string()),
                ],
            ),
            pages: def
                .pages
                .iter()
                .enumerate()
                .map(|(i, p)| PageTab {
                    title: p.title.get(lang).to_string(),
                    errors: errors.get(i).copied().unwrap_or(0),
                    current: i == self.page,
                })
                .collect(),
            fields,
            form_issues,
            contribution: self.contribution.clone().map(|q| QuoteView::of(q, lang)),
            urgent_help: self
                .urgent
                .then(|| help::help_for(self.destination.as_deref(), lang)),
            can_go_back: self.page > 0,
            is_last_page: self.page + 1 >= count,
        };
        self.shown = Some(screen.clone());
        screen
    }

    fn slot(&self, f: &Field, path: &str, lang: Lang) -> FieldSlot {
        let value = forms::value_at(&self.answers, path);
        let issues = self.shown_at(path);
        let mut items = Vec::new();
        let mut can_add_item = false;
        if f.kind == Kind::Repeat {
            let n = self.items(path);
            let min = f.min_items.unwrap_or(0) as usize;
            let name = f.item_label.as_ref().map(|l| l.get(lang).to_string());
            items = (0..n)
                .map(|i| RepeatItem {
                    index: i as u32,
                    title: format!("{} {}", name.as_deref().unwrap_or(""), i + 1)
                        .trim()
                        .to_string(),
                    fields: f
                        .fields
                        .iter()
                        .map(|sub| (forms::item_path(path, i, &sub.id), sub))
                        .filter(|(p, _)| !self.hidden.contains(p))
                        .map(|(p, sub)| self.slot(sub, &p, lang))
                        .collect(),
                    can_remove: n > min,
                })
                .collect();
            can_add_item = f.max_items.is_none_or(|m| n < m as usize);
        }
        let attachments = self.attachments.get(path).cloned().unwrap_or_default();
        let choices = match f.kind {
            Kind::SingleChoice | Kind::MultiChoice => {
                let selected = |v: &str| match value {
                    Some(serde_json::Value::String(s)) => s == v,
                    Some(serde_json::Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(v)),
                    _ => false,
                };
                self.def
                    .choices_of(f)
                    .iter()
                    .map(|c| ChoiceItem {
                        value: c.value.clone(),
                        label: c.label.get(lang).to_string(),
                        selected: selected(&c.value),
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        FieldSlot {
            path: path.to_string(),
            kind: f.kind,
            label: f.label.get(lang).to_string(),
            help: f.help.as_ref().map(|h| h.get(lang).to_string()),
            required: forms::required_now(self.def, &self.answers, path),
            keyboard: keyboard(f),
            multiline: f.multiline,
            max_length: f.max_length,
            text: display::input_text(value),
            display: display::display(self.def, f, value, lang),
            checked: value.and_then(serde_json::Value::as_bool).unwrap_or(false),
            choices,
            destinations_only: f.destinations_only,
            has_error: issues.iter().any(Issue::is_error),
            issues,
            items,
            can_add_item,
            item_label: f.item_label.as_ref().map(|l| l.get(lang).to_string()),
            document: f.document,
            photo: f.document.map(DocumentType::photo_plan),
            can_attach: f.max_pages.is_none_or(|m| attachments.len() < m as usize),
            attachments,
        }
    }
}

/// Paths on this screen that show an issue (repeat items included).
fn collect_showing(slots: &[FieldSlot], out: &mut Vec<String>) {
    for s in slots {
        if !s.issues.is_empty() {
            out.push(s.path.clone());
        }
        for item in &s.items {
            collect_showing(&item.fields, out);
        }
    }
}

/// Kinds filled by typing, whose issues wait until the field is left.
fn is_typed(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Text
            | Kind::Number
            | Kind::Phone
            | Kind::Email
            | Kind::Nik
            | Kind::Passport
            | Kind::Kpj
    )
}

fn keyboard(f: &Field) -> Keyboard {
    match f.kind {
        Kind::Number if f.integer => Keyboard::Digits,
        Kind::Number => Keyboard::Decimal,
        Kind::Nik | Kind::Kpj => Keyboard::Digits,
        Kind::Phone => Keyboard::Phone,
        Kind::Email => Keyboard::Email,
        Kind::Passport => Keyboard::Capitals,
        // Digits kept as text (a bank account: leading zeros count), a person's name.
        Kind::Text => match f.keyboard {
            Some(TextKeyboard::Digits) => Keyboard::Digits,
            Some(TextKeyboard::Name) => Keyboard::Name,
            None => Keyboard::Text,
        },
        _ => Keyboard::Text,
    }
}

/// The issue to show on document field `path` when `e` refused the file offered
/// to it, in `lang` with sizes in MB; `None` for any other error.
fn refusal(e: &Error, path: &str, lang: Lang) -> Option<Issue> {
    let message = match e {
        Error::AttachmentTooLarge { size, max } => messages::render(
            e.code(),
            lang,
            &[
                ("size", data_size::megabytes(*size, lang)),
                ("max", data_size::megabytes(*max, lang)),
            ],
        ),
        Error::UnsupportedAttachmentType | Error::TooManyPages { .. } => {
            messages::render(e.code(), lang, &[])
        }
        _ => return None,
    };
    Some(Issue {
        code: e.code().to_string(),
        path: path.to_string(),
        severity: Severity::Error,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::samples;
    use crate::store::Key;
    use chrono::{TimeZone, Utc};
    use std::sync::Arc;
    use std::time::Duration;

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

    fn text(s: &str) -> Input {
        Input::Text(s.into())
    }

    fn slot<'a>(screen: &'a FormScreen, path: &str) -> &'a FieldSlot {
        fn find<'a>(slots: &'a [FieldSlot], path: &str) -> Option<&'a FieldSlot> {
            slots.iter().find_map(|s| {
                if s.path == path {
                    Some(s)
                } else {
                    s.items.iter().find_map(|i| find(&i.fields, path))
                }
            })
        }
        find(&screen.fields, path).unwrap_or_else(|| panic!("no slot {path}"))
    }

    /// One input through the keystroke reply: the screen a front-end holds after
    /// applying the reply must be the screen the core would build now.
    fn typed(s: &mut DraftSession, p: &Profile, path: &str, input: Input) -> FormScreen {
        let mut held = s.shown.clone().unwrap_or_else(|| s.screen(p));
        let update = s.input(p, path, input).unwrap();
        held.apply(update);
        assert_eq!(held, s.screen(p), "after an input at {path}");
        held
    }

    #[test]
    fn a_keystroke_sends_its_field_alone_unless_more_of_the_screen_changed() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let mut s = DraftSession::start(&p, "pmi-registration").unwrap();
        s.screen(&p);
        match s.input(&p, "full_name", text("Sri")).unwrap() {
            FormUpdate::Field { slot } => assert_eq!(slot.path, "full_name"),
            FormUpdate::Screen { .. } => panic!("a letter changed only its field"),
        }
        // Every answer of a whole registration, on whichever page: the screen held
        // by applying each reply is the one the core builds, and both kinds occur.
        let (mut fields, mut screens) = (0, 0);
        for (path, input) in samples::as_inputs(&samples::sample_registration()) {
            let page = s.page_of(&path) as u32;
            if s.page as u32 != page {
                s.go_to(&p, page).unwrap();
            }
            let before = s.shown.clone();
            typed(&mut s, &p, &path, input);
            let after = s.shown.clone().unwrap();
            match FormUpdate::between(before.as_ref(), after, &path) {
                FormUpdate::Field { .. } => fields += 1,
                FormUpdate::Screen { .. } => screens += 1,
            }
        }
        assert!(
            fields > 0 && screens > 0,
            "{fields} fields, {screens} screens"
        );
    }

    #[test]
    fn debug_output_shows_no_answer() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let mut s = DraftSession::start(&p, "pmi-registration").unwrap();
        s.screen(&p);
        s.input(&p, "full_name", text("Siti Rahayu")).unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("Siti"), "{shown}");
        assert!(shown.contains("1 answers"), "{shown}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]
        /// Any walk through a registration (typing, picking, clearing, leaving
        /// fields, turning pages, in any order): after every input the screen held
        /// by applying the replies is the one the core builds, whether the reply
        /// came from the one-field redraw or from the whole screen.
        #[test]
        fn any_walk_keeps_the_held_screen_true(
            steps in proptest::collection::vec((0usize..512, 0usize..8, "[0-9A-Za-z .+-]{0,14}"), 1..30),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let p = profile(dir.path());
            let mut s = DraftSession::start(&p, "pmi-registration").unwrap();
            s.screen(&p);
            let sample = samples::sample_registration();
            let inputs = samples::as_inputs(&sample);
            for (which, how, typed_text) in steps {
                let (path, sample_input) = &inputs[which % inputs.len()];
                let page = s.page_of(path) as u32;
                if s.page as u32 != page && how == 7 {
                    s.go_to(&p, page).unwrap();
                }
                let input = match how {
                    0 => Input::Clear,
                    1 => text(&typed_text),
                    2 => {
                        s.leave(&p, path).unwrap();
                        continue;
                    }
                    _ => sample_input.clone(),
                };
                let mut held = s.shown.clone().unwrap_or_else(|| s.screen(&p));
                let Ok(update) = s.input(&p, path, input) else { continue };
                held.apply(update);
                proptest::prop_assert_eq!(held, s.screen(&p), "after an input at {}", path);
            }
        }
    }

    fn codes(slot: &FieldSlot) -> Vec<&str> {
        slot.issues.iter().map(|i| i.code.as_str()).collect()
    }

    #[test]
    fn a_new_form_shows_its_first_page_without_a_single_issue() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let mut s = DraftSession::start(&p, "pmi-registration").unwrap();
        let screen = s.screen(&p);
        assert_eq!(screen.page, 0);
        assert!(!screen.fields.is_empty());
        assert!(screen.fields.iter().all(|f| f.issues.is_empty()));
        assert!(screen.pages.iter().all(|t| t.errors == 0));
        assert!(screen.pages[0].current && !screen.can_go_back && !screen.is_last_page);
        assert_eq!(
            screen.progress,
            format!("Halaman 1 dari {}", screen.pages.len())
        );
        assert!(slot(&screen, "nik").required);
        assert_eq!(slot(&screen, "nik").keyboard, Keyboard::Digits);
    }

    #[test]
    fn keyboards_follow_the_kind_and_the_text_hint() {
        let def = forms::builtin_form("pmi-registration", None).unwrap();
        let kb = |id: &str| keyboard(def.field(id).unwrap());
        assert_eq!(
            kb("account_number"),
            Keyboard::Digits,
            "digits kept as text"
        );
        assert_eq!(kb("full_name"), Keyboard::Name);
        assert_eq!(kb("heirs.name"), Keyboard::Name);
        assert_eq!(
            kb("address"),
            Keyboard::Text,
            "free text: no capital on every word"
        );
        assert_eq!(kb("birth_place"), Keyboard::Text);
        assert_eq!(kb("phone_id"), Keyboard::Phone);
        for def in forms::builtin() {
            for f in def
                .top_fields()
                .flat_map(|f| std::iter::once(f).chain(&f.fields))
            {
                if f.kind == Kind::Number {
                    assert!(matches!(keyboard(f), Keyboard::Digits | Keyboard::Decimal));
                }
            }
        }
    }

    #[test]
    fn a_format_error_appears_when_the_field_is_left_and_goes_while_fixing() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let mut s = DraftSession::start(&p, "pmi-registration").unwrap();
        let typing = typed(&mut s, &p, "nik", text("3171"));
        assert!(codes(slot(&typing, "nik")).is_empty(), "not while typing");
        let left = s.leave(&p, "nik").unwrap();
        assert!(slot(&left, "nik").has_error, "shown once left");
        // Typing again keeps the shown issue live; a valid NIK clears it at once.
        let nik = samples::sample_registration()["nik"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let fixed = typed(&mut s, &p, "nik", text(&nik));
        assert!(
            codes(slot(&fixed, "nik")).is_empty(),
            "{:?}",
            codes(slot(&fixed, "nik"))
        );
        assert_eq!(slot(&fixed, "nik").text, nik);
    }

    #[test]
    fn required_fields_show_only_after_the_page_was_left_and_count_in_its_tab() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let mut s = DraftSession::start(&p, "pmi-registration").unwrap();
        s.leave(&p, "full_name").unwrap();
        let still = s.screen(&p);
        assert!(
            codes(slot(&still, "full_name")).is_empty(),
            "leaving a field is not leaving the page"
        );
        let next = s.next(&p).unwrap();
        assert_eq!(next.page, 1);
        assert!(next.pages[0].errors > 0, "the page left shows its count");
        assert_eq!(next.pages[1].errors, 0, "the new page is not judged yet");
        assert!(next.fields.iter().all(|f| f.issues.is_empty()));
        let back = s.previous(&p).unwrap();
        assert_eq!(codes(slot(&back, "full_name")), ["field.required"]);
    }

    #[test]
    fn a_choice_is_complete_at_once_and_shows_its_label() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let mut s = DraftSession::start(&p, "pmi-registration").unwrap();
        let screen = typed(&mut s, &p, "sex", text("F"));
        let sex = slot(&screen, "sex");
        assert_eq!(sex.choices.iter().filter(|c| c.selected).count(), 1);
        assert!(sex.display.is_some());
        let date = typed(&mut s, &p, "birth_date", text("1999-02-03"));
        assert_eq!(
            slot(&date, "birth_date").display.as_deref(),
            Some("03-02-1999")
        );
        assert_eq!(slot(&date, "birth_date").text, "1999-02-03");
    }

    #[test]
    fn repeat_items_are_expanded_with_stable_paths() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let mut s = DraftSession::start(&p, "pmi-registration").unwrap();
        let page = s
            .def
            .pages
            .iter()
            .position(|pg| pg.fields.iter().any(|f| f.kind == Kind::Repeat))
            .unwrap();
        let group = s.def.pages[page].fields[0].id.clone();
        s.go_to(&p, page as u32).unwrap();
        let added = s.add_item(&p, &group).unwrap();
        let g = slot(&added, &group);
        assert_eq!(g.items.len(), 1);
        let first = g.items[0].fields[0].path.clone();
        assert!(first.starts_with(&format!("{group}[0].")), "{first}");
        let siti = typed(&mut s, &p, &first, text("Siti"));
        assert_eq!(slot(&siti, &first).text, "Siti");
        assert_eq!(slot(&siti, &group).items.len(), 1, "stored, still one item");
        let removed = s.remove_item(&p, &group, 0).unwrap();
        assert!(slot(&removed, &group).items.is_empty());
    }

    #[test]
    fn finalize_shows_every_issue_on_the_first_page_with_one_then_sends() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let mut s = DraftSession::start(&p, "pmi-registration").unwrap();
        let last = s.def.pages.len() as u32 - 1;
        s.go_to(&p, last).unwrap();
        let Finalized::NeedsFixes { screen } = s.finalize(&p).unwrap() else {
            panic!("an empty form cannot be sent");
        };
        assert_eq!(screen.page, 0);
        assert!(screen.fields.iter().any(|f| f.has_error));
        assert!(screen.pages[0].errors > 0);
        for (path, input) in samples::as_inputs(&samples::sample_registration()) {
            s.input(&p, &path, input).unwrap();
        }
        for (field, bytes) in samples::sample_documents() {
            s.attach(&p, &field, &bytes, None).unwrap();
        }
        match s.finalize(&p).unwrap() {
            Finalized::Queued { item, next } => {
                assert_eq!(item.bucket, crate::app::outbox::Bucket::WaitingToSend);
                assert_eq!(item.status, "Menunggu dikirim");
                assert_eq!(next.submission_id, item.id);
                assert!(
                    next.steps.iter().any(|s| !s.channels.is_empty()),
                    "a registration says where to pay"
                );
                assert_eq!(next, p.what_next(&item.id).unwrap());
            }
            Finalized::NeedsFixes { screen } => panic!("still {:?}", screen.fields),
        }
    }

    #[test]
    fn a_rule_across_pages_shows_on_the_page_the_worker_is_on() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let mut s = DraftSession::start(&p, "pmi-registration").unwrap();
        for (path, input) in samples::as_inputs(&samples::sample_registration()) {
            s.input(&p, &path, input).unwrap();
        }
        let rule = "passport.expires_before_contract_end";
        let here = s.page_of("contract_end");
        assert_ne!(here, s.page_of("passport_expiry"), "the rule spans pages");
        let on_page = |screen: &FormScreen| screen.form_issues.iter().any(|i| i.code == rule);
        let screen = s.go_to(&p, here as u32).unwrap();
        assert!(
            !on_page(&screen),
            "the sample's passport covers the contract"
        );
        // The contract now ends after the passport (2030-01-15) expires: said here,
        // once the worker leaves the field, not only on the passport's page.
        typed(&mut s, &p, "contract_end", text("30-06-2030"));
        let screen = s.leave(&p, "contract_end").unwrap();
        assert!(on_page(&screen), "{:?}", screen.form_issues);
        // On the passport's page it is the field's own issue, not repeated above.
        let screen = s.go_to(&p, s.page_of("passport_expiry") as u32).unwrap();
        assert!(!on_page(&screen));
        assert!(slot(&screen, "passport_expiry")
            .issues
            .iter()
            .any(|i| i.code == rule));
        // Fixed on the placement page: gone from it.
        s.go_to(&p, here as u32).unwrap();
        typed(&mut s, &p, "contract_end", text("30-06-2027"));
        let screen = s.leave(&p, "contract_end").unwrap();
        assert!(!on_page(&screen));
    }

    #[test]
    fn register_opens_the_unfinished_registration_on_the_page_last_changed() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let mut s = DraftSession::start_or_resume(&p, "pmi-registration").unwrap();
        assert_eq!(s.screen(&p).page, 0, "a new draft opens on its first page");
        // An answer on a later page, then a look at another page without a change.
        let (path, input) = samples::as_inputs(&samples::sample_registration())
            .into_iter()
            .find(|(path, _)| s.page_of(path) == 2)
            .expect("the sample answers page 3");
        s.go_to(&p, 2).unwrap();
        s.input(&p, &path, input).unwrap();
        s.go_to(&p, 3).unwrap();
        let id = s.draft_id().to_string();
        drop(s);

        let mut again = DraftSession::start_or_resume(&p, "pmi-registration").unwrap();
        assert_eq!(again.draft_id(), id, "the same registration, not another");
        assert_eq!(
            again.screen(&p).page,
            2,
            "where the worker last changed something"
        );
        assert_eq!(p.drafts().unwrap().len(), 1);
        assert!(p.start_or_resume("pmi-registration").unwrap().1);

        // A consultation is asked anew each time; a deleted registration starts afresh.
        let c1 = DraftSession::start_or_resume(&p, "consultation").unwrap();
        let c2 = DraftSession::start_or_resume(&p, "consultation").unwrap();
        assert_ne!(c1.draft_id(), c2.draft_id());
        p.delete_draft(&id).unwrap();
        let (fresh, resumed) = p.start_or_resume("pmi-registration").unwrap();
        assert!(!resumed);
        assert_ne!(fresh.id, id);
        assert!(matches!(p.last_page(&id), Err(Error::DraftNotFound(_))));
    }

    #[test]
    fn the_contribution_quote_follows_the_answers() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let mut s = DraftSession::start(&p, "pmi-registration").unwrap();
        assert!(s.screen(&p).contribution.is_none());
        for (path, input) in samples::as_inputs(&samples::sample_registration()) {
            s.input(&p, &path, input).unwrap();
        }
        assert!(s.screen(&p).contribution.is_some());
    }

    #[test]
    fn keystrokes_return_while_a_sync_holds_the_store_and_none_is_lost() {
        let dir = tempfile::tempdir().unwrap();
        let key = Key::generate();
        let p = Profile::create(dir.path(), "p", &key).unwrap();
        let mut s = DraftSession::start(&p, "pmi-registration").unwrap();
        let id = s.draft_id().to_string();
        s.screen(&p);
        let (held_tx, held_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        std::thread::scope(|scope| {
            // A long store call on another thread (a sync's step) holds the
            // connection; it lets go after 10 s if nobody releases it (a keystroke
            // that waited for it would hold this test up until then, and fail it).
            let store = p.store();
            let holder = scope.spawn(move || {
                store.read(|_| {
                    held_tx.send(()).unwrap();
                    Ok(release_rx.recv_timeout(Duration::from_secs(10)).is_ok())
                })
            });
            held_rx.recv().unwrap();
            let names = ["S", "Si", "Sit", "Siti", "Siti A", "Siti Aminah"];
            for name in names {
                s.input(&p, "full_name", text(name)).unwrap();
            }
            s.input(&p, "sex", text("P")).unwrap();
            release_tx.send(()).unwrap();
            let released = holder.join().unwrap().unwrap();
            assert!(released, "a keystroke waited for the store held by a sync");
        });
        // Any later call reads them (written first), in the order typed.
        let view = p.draft(&id).unwrap();
        assert_eq!(view.answers["full_name"], "Siti Aminah");
        assert_eq!(view.answers["sex"], "F");
        // Keystrokes after that and then closing: closing writes what waits.
        s.input(&p, "full_name", text("Siti Aminah Binti Ali"))
            .unwrap();
        drop(s);
        drop(p);
        let p = Profile::open(dir.path(), "p", &key).unwrap();
        let view = p.draft(&id).unwrap();
        assert_eq!(view.answers["full_name"], "Siti Aminah Binti Ali");
    }

    #[test]
    fn a_keystroke_for_a_draft_deleted_meanwhile_blocks_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let key = Key::generate();
        let p = Profile::create(dir.path(), "p", &key).unwrap();
        let other = Profile::open(dir.path(), "p", &key).unwrap();
        let mut s = DraftSession::start(&p, "pmi-registration").unwrap();
        let id = s.draft_id().to_string();
        // While this handle's connection is held (its queued write cannot run),
        // another handle deletes the draft.
        p.store()
            .read(|_| {
                s.input(&p, "full_name", text("Siti")).unwrap();
                other.delete_draft(&id).unwrap();
                Ok(())
            })
            .unwrap();
        // The queued write finds no draft and is dropped; it does not stay queued
        // in front of every later write.
        p.flush().unwrap();
        assert!(!p.store().has_queued_writes());
        let d = p.new_draft("pmi-registration").unwrap();
        p.set_field(&d.id, "full_name", text("Dewi")).unwrap();
        assert!(matches!(p.draft(&id), Err(Error::DraftNotFound(_))));
        assert_eq!(other.draft(&d.id).unwrap().answers["full_name"], "Dewi");
    }

    #[test]
    fn an_urgent_category_shows_the_numbers_to_call_in_the_workers_destination() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let reg = p.new_draft("pmi-registration").unwrap();
        let def = forms::builtin_form("pmi-registration", None).unwrap();
        let destination = def.field_with_role(forms::Role::Destination).unwrap();
        p.set_field(&reg.id, &destination.id, text("Hongkong"))
            .unwrap();
        let mut s = DraftSession::start(&p, "consultation").unwrap();
        assert!(s.screen(&p).urgent_help.is_none());
        // Picked: the whole screen comes back, with the lines of Hong Kong.
        let screen = typed(&mut s, &p, "category", text("work_accident"));
        let help = screen.urgent_help.expect("an urgent category shows help");
        assert_eq!(help.country.as_deref(), Some("HK"));
        assert_eq!(help.sections[0].lines[0].call.as_deref(), Some("tel:999"));
        // Typing elsewhere keeps it; a category that is not urgent takes it away.
        let screen = typed(&mut s, &p, "subject", text("Jari terluka di mesin"));
        assert!(screen.urgent_help.is_some());
        let screen = typed(&mut s, &p, "category", text("claim"));
        assert!(screen.urgent_help.is_none());
        // Reopened with an urgent answer stored: shown at once.
        typed(&mut s, &p, "category", text("unpaid_wages"));
        p.flush().unwrap();
        let mut again = DraftSession::resume(&p, s.draft_id()).unwrap();
        assert!(again.screen(&p).urgent_help.is_some());
    }

    #[test]
    fn a_refused_file_says_why_on_its_field_in_megabytes_and_nothing_is_thrown() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(dir.path());
        let mut s = DraftSession::start(&p, "pmi-registration").unwrap();
        let (field, photo) = samples::sample_documents().into_iter().next().unwrap();
        s.go_to(&p, s.page_of(&field) as u32).unwrap();
        // Too large: a JPEG's magic bytes, then 6 MB.
        let mut big = photo.clone();
        big.resize(6_000_000, 0);
        let screen = s.attach(&p, &field, &big, None).unwrap();
        let issue = &slot(&screen, &field).issues[0];
        assert_eq!(issue.code, "attachment.too_large");
        assert!(
            issue.message.contains("6,0 MB") && issue.message.contains("5,2 MB"),
            "{}",
            issue.message
        );
        assert!(
            p.attachments(s.draft_id(), None).unwrap().is_empty(),
            "nothing stored"
        );
        // Not a photo or a PDF: its own reason, in English too.
        p.set_lang(Lang::En);
        let screen = s.attach(&p, &field, b"PK\x03\x04 a zip", None).unwrap();
        let issue = &slot(&screen, &field).issues[0];
        assert_eq!(issue.code, "attachment.unsupported_type");
        assert!(issue.message.contains("JPEG"), "{}", issue.message);
        // A file it takes clears the reason.
        let screen = s.attach(&p, &field, &photo, None).unwrap();
        assert!(slot(&screen, &field)
            .issues
            .iter()
            .all(|i| !i.code.starts_with("attachment.")));
    }
}
