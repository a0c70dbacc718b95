//! A form definition as the generic renderer needs it: pages of fields with their
//! kind, localized labels and help, choices (country lists included) and input
//! hints. Conditions and rules stay in the core: the renderer learns visibility
//! from `DraftView::hidden` and each autosave's flips, and issues from the core.

use rantau_core::domain::country;
use rantau_core::forms::{DocumentType, Field, FormDefinition, Kind, PhoneCountry};
use rantau_core::Lang;

use crate::types::text;

/// What a field holds and so which input the renderer shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FieldKind {
    /// Free text (see `multiline`).
    Text,
    /// A number (see `integer`, `min`, `max`).
    Number,
    /// A date picker; the value is `YYYY-MM-DD`.
    Date,
    /// One of `choices` (radio buttons or a drop-down).
    SingleChoice,
    /// Several of `choices` (check boxes).
    MultiChoice,
    /// A phone number (digits keyboard).
    Phone,
    /// An e-mail address.
    Email,
    /// A 16-digit NIK (digits keyboard).
    Nik,
    /// A passport number (upper-case keyboard).
    Passport,
    /// A BPJS membership number (digits keyboard).
    Kpj,
    /// A country: one of `choices` (ISO codes with localized names).
    Country,
    /// A tick box.
    Consent,
    /// A group entered zero or more times: `fields` are its item's fields.
    Repeat,
    /// Read-only text: `label` and `help` only.
    Note,
    /// Photos or a PDF of the document in `document` (camera or file picker).
    Document,
}

impl From<Kind> for FieldKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Text => FieldKind::Text,
            Kind::Number => FieldKind::Number,
            Kind::Date => FieldKind::Date,
            Kind::SingleChoice => FieldKind::SingleChoice,
            Kind::MultiChoice => FieldKind::MultiChoice,
            Kind::Phone => FieldKind::Phone,
            Kind::Email => FieldKind::Email,
            Kind::Nik => FieldKind::Nik,
            Kind::Passport => FieldKind::Passport,
            Kind::Kpj => FieldKind::Kpj,
            Kind::Country => FieldKind::Country,
            Kind::Consent => FieldKind::Consent,
            Kind::Repeat => FieldKind::Repeat,
            Kind::Note => FieldKind::Note,
            Kind::Document => FieldKind::Document,
        }
    }
}

/// Which document a document field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DocumentKind {
    /// KTP, the identity card.
    Ktp,
    /// Kartu Keluarga.
    Kk,
    /// Passport identity pages.
    Passport,
    /// Employment contract.
    Contract,
}

impl From<DocumentType> for DocumentKind {
    fn from(d: DocumentType) -> Self {
        match d {
            DocumentType::Ktp => DocumentKind::Ktp,
            DocumentType::Kk => DocumentKind::Kk,
            DocumentType::Passport => DocumentKind::Passport,
            DocumentType::Contract => DocumentKind::Contract,
        }
    }
}

/// One option: the stored value and what the user reads.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChoiceView {
    /// Stored value (never translated).
    pub value: String,
    /// Label in the profile's language.
    pub label: String,
}

/// One field, localized.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FieldView {
    /// Field id; the path of a top-level field, `group[i].id` inside repeat item `i`.
    pub id: String,
    /// Which input to show.
    pub kind: FieldKind,
    /// Label.
    pub label: String,
    /// Help under the field.
    pub help: Option<String>,
    /// Always required (a field may also become required through a condition:
    /// the core then reports `required` issues for it).
    pub required: bool,
    /// Shown only when a condition holds (start hidden unless `DraftView::hidden` says otherwise).
    pub conditional: bool,
    /// Several lines of text.
    pub multiline: bool,
    /// Longest value accepted, in characters (input hint; the core checks).
    pub max_length: Option<u32>,
    /// Smallest number accepted.
    pub min: Option<f64>,
    /// Largest number accepted.
    pub max: Option<f64>,
    /// Whole numbers only.
    pub integer: bool,
    /// Options of a choice or country field, in display order.
    pub choices: Vec<ChoiceView>,
    /// Fields of one repeat item.
    pub fields: Vec<FieldView>,
    /// How to name one repeat item ("Ahli waris").
    pub item_label: Option<String>,
    /// Fewest repeat items.
    pub min_items: Option<u32>,
    /// Most repeat items.
    pub max_items: Option<u32>,
    /// Which document a document field holds.
    pub document: Option<DocumentKind>,
    /// Fewest pages of a document.
    pub min_pages: Option<u32>,
    /// Most pages of a document.
    pub max_pages: Option<u32>,
    /// The country a phone number typed without `+` belongs to, when fixed.
    pub phone_country: Option<String>,
    /// The country field that decides a phone number's country, when not fixed.
    pub phone_country_field: Option<String>,
}

/// One page (one screen) of a form.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PageView {
    /// Page id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Fields in display order.
    pub fields: Vec<FieldView>,
}

/// A whole form for the generic renderer.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FormView {
    /// Form id.
    pub id: String,
    /// Version (a draft keeps its version for its whole life).
    pub version: u32,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Pages in order.
    pub pages: Vec<PageView>,
}

/// Localizes `def` for the renderer.
pub(crate) fn form_view(def: &FormDefinition, lang: Lang) -> FormView {
    FormView {
        id: def.id.clone(),
        version: def.version,
        title: text(&def.title, lang),
        description: def.description.as_ref().map(|d| text(d, lang)),
        pages: def
            .pages
            .iter()
            .map(|p| PageView {
                id: p.id.clone(),
                title: text(&p.title, lang),
                fields: p.fields.iter().map(|f| field_view(def, f, lang)).collect(),
            })
            .collect(),
    }
}

fn field_view(def: &FormDefinition, f: &Field, lang: Lang) -> FieldView {
    let (phone_country, phone_country_field) = match &f.phone_country {
        Some(PhoneCountry::Fixed(c)) => (Some(c.clone()), None),
        Some(PhoneCountry::Field(id)) => (None, Some(id.clone())),
        None => (None, None),
    };
    FieldView {
        id: f.id.clone(),
        kind: f.kind.into(),
        label: text(&f.label, lang),
        help: f.help.as_ref().map(|h| text(h, lang)),
        required: f.required,
        conditional: f.show_if.is_some(),
        multiline: f.multiline,
        max_length: f.max_length,
        min: f.min,
        max: f.max,
        integer: f.integer,
        choices: choices(def, f, lang),
        fields: f.fields.iter().map(|s| field_view(def, s, lang)).collect(),
        item_label: f.item_label.as_ref().map(|l| text(l, lang)),
        min_items: f.min_items,
        max_items: f.max_items,
        document: f.document.map(DocumentKind::from),
        min_pages: f.min_pages,
        max_pages: f.max_pages,
        phone_country,
        phone_country_field,
    }
}

fn choices(def: &FormDefinition, f: &Field, lang: Lang) -> Vec<ChoiceView> {
    match f.kind {
        Kind::Country => country::countries()
            .iter()
            .filter(|c| c.destination || !f.destinations_only)
            .map(|c| ChoiceView {
                value: c.code.clone(),
                label: c.name.get(lang).to_string(),
            })
            .collect(),
        Kind::SingleChoice | Kind::MultiChoice if f.choices.is_some() => def
            .choices_of(f)
            .iter()
            .map(|c| ChoiceView {
                value: c.value.clone(),
                label: text(&c.label, lang),
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rantau_core::forms::builtin_form;

    fn registration(lang: Lang) -> FormView {
        let def = builtin_form("pmi-registration", None).unwrap();
        form_view(def, lang)
    }

    fn find<'a>(fields: &'a [FieldView], id: &str) -> &'a FieldView {
        fields.iter().find(|f| f.id == id).unwrap()
    }

    #[test]
    fn registration_view_has_every_page_localized_and_every_field() {
        let def = builtin_form("pmi-registration", None).unwrap();
        let id = form_view(def, Lang::Id);
        let en = form_view(def, Lang::En);
        assert_eq!(id.pages.len(), def.pages.len());
        let count = |v: &FormView| v.pages.iter().map(|p| p.fields.len()).sum::<usize>();
        assert_eq!(count(&id), def.top_fields().count());
        assert_ne!(id.title, en.title, "titles follow the language");
        assert_eq!(id.pages[0].fields[0].id, en.pages[0].fields[0].id);
    }

    #[test]
    fn choice_and_country_fields_carry_their_options() {
        let view = registration(Lang::En);
        let all: Vec<FieldView> = view.pages.iter().flat_map(|p| p.fields.clone()).collect();
        let scheme = find(&all, "scheme");
        assert_eq!(scheme.kind, FieldKind::SingleChoice);
        assert!(scheme.choices.iter().any(|c| c.value == "p3mi"));
        let dest = all.iter().find(|f| f.kind == FieldKind::Country).unwrap();
        assert!(dest
            .choices
            .iter()
            .any(|c| c.value == "MY" && c.label == "Malaysia"));
        let docs: Vec<_> = all
            .iter()
            .filter(|f| f.kind == FieldKind::Document)
            .collect();
        assert!(docs.iter().any(|f| f.document == Some(DocumentKind::Ktp)));
    }

    #[test]
    fn repeat_groups_nest_their_item_fields_and_conditions_are_flagged() {
        let view = registration(Lang::Id);
        let all: Vec<FieldView> = view.pages.iter().flat_map(|p| p.fields.clone()).collect();
        let group = all.iter().find(|f| f.kind == FieldKind::Repeat).unwrap();
        assert!(!group.fields.is_empty());
        assert!(find(&all, "placement_company").conditional);
        assert!(!find(&all, "nik").conditional);
    }
}
