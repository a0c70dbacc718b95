//! The form definition document: pages, fields, choice lists and form-level rules.
//! Deserializing always runs the structural checks in `check.rs`, so a
//! `FormDefinition` value is known to be well formed.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::condition::Condition;
use super::role::Role;
use crate::base::lang::Localized;
use crate::Severity;

/// The version of the definition format described in `docs/forms.md`.
pub const FORMAT_VERSION: u32 = 1;

/// A versioned, declarative form: what the UI shows and what validation checks.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "DefinitionDoc")]
pub struct FormDefinition {
    /// Version of the definition format ([`FORMAT_VERSION`]).
    pub format: u32,
    /// Stable form id, e.g. `pmi-registration`.
    pub id: String,
    /// Version of this form (from 1); a draft stays on the version it started with.
    pub version: u32,
    /// Title shown above the form.
    pub title: Localized,
    /// Optional introduction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Localized>,
    /// Named, reusable choice lists (`"choices": "yes_no"`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub choice_lists: BTreeMap<String, Vec<Choice>>,
    /// The pages, in order.
    pub pages: Vec<Page>,
    /// Form-level cross-field rules.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// Lookup tables built by the checks.
    #[serde(skip)]
    pub(crate) index: Index,
}

/// Where a field sits, and compiled data for it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    /// `id` or `group.id` → (page, field, sub-field).
    pub(crate) fields: HashMap<String, (usize, usize, Option<usize>)>,
    /// Compiled patterns, by the same key.
    pub(crate) patterns: HashMap<String, regex_lite::Regex>,
    /// Role → the id of the (top-level) field that declares it.
    pub(crate) roles: BTreeMap<Role, String>,
    /// Every id some field's `show_if` or `required_if` reads: a change to any other
    /// field cannot show, hide or require another field, so an autosave skips the
    /// visibility comparison and a screen redraws that field alone.
    pub(crate) in_conditions: HashSet<String>,
}

/// The document as written; [`FormDefinition`] is this plus the checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DefinitionDoc {
    pub(crate) format: u32,
    pub(crate) id: String,
    pub(crate) version: u32,
    pub(crate) title: Localized,
    #[serde(default)]
    pub(crate) description: Option<Localized>,
    #[serde(default)]
    pub(crate) choice_lists: BTreeMap<String, Vec<Choice>>,
    pub(crate) pages: Vec<Page>,
    #[serde(default)]
    pub(crate) rules: Vec<Rule>,
}

/// One screen of the form.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Page id, unique in the form.
    pub id: String,
    /// Page title.
    pub title: Localized,
    /// The page's fields, in order.
    pub fields: Vec<Field>,
}

pub use super::kind::Kind;

/// Which official document a `document` field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum DocumentType {
    /// Kartu Tanda Penduduk, the national identity card.
    Ktp,
    /// Kartu Keluarga, the family card.
    Kk,
    /// The passport (identity pages).
    Passport,
    /// The employment contract (perjanjian kerja).
    Contract,
}

impl DocumentType {
    /// How a photo of this document is shrunk on the phone: the KTP and the
    /// passport's data page are cards, the family card and the contract are pages.
    pub fn photo_plan(self) -> crate::domain::photo::PhotoPlan {
        use crate::domain::photo::{PhotoPlan, PhotoShape};
        PhotoPlan::for_shape(match self {
            DocumentType::Ktp | DocumentType::Passport => PhotoShape::Card,
            DocumentType::Kk | DocumentType::Contract => PhotoShape::Page,
        })
    }
}

/// How a text field's value is typed, when it is not free text: the app picks
/// the keyboard from it (free text capitalises sentences, never every word).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextKeyboard {
    /// Digits only, kept as text because leading zeros matter (a bank account).
    Digits,
    /// A person's name: every word capitalised.
    Name,
}

/// One option of a choice list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Stored value (stable; never translated).
    pub value: String,
    /// What the user sees.
    pub label: Localized,
    /// Other spellings that select this choice when typed (`P` for Perempuan,
    /// `mandiri`); the value and both labels always do. Compared ignoring case,
    /// spaces and punctuation; no two choices of a list may share one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Picking it means the worker may need help now (a work accident, unpaid
    /// wages): the form screen shows the numbers to call before anything is queued.
    #[serde(default, skip_serializing_if = "is_false")]
    pub urgent: bool,
}

/// A field's choices: a named list of the form, or a list written inline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Choices {
    /// The name of an entry of `choice_lists`.
    Named(String),
    /// The choices themselves.
    Inline(Vec<Choice>),
}

/// Which country a phone number belongs to when typed without `+`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PhoneCountry {
    /// Always this ISO alpha-2 country (`{"fixed": "ID"}`).
    Fixed(String),
    /// The country chosen in this (country) field (`{"field": "destination_country"}`).
    Field(String),
}

/// Fields a NIK is checked against (the birth date and sex encoded in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NikCheck {
    /// The date field holding the declared birth date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// The field holding the declared sex (`M`/`F`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One field. Options that do not apply to its kind are rejected by the checks.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Field id: unique in the form (in a repeat group: unique in the group).
    pub id: String,
    /// What the field holds.
    pub kind: Kind,
    /// What the field means for the system (the fee quote, the server's decision,
    /// the sync order); code finds a field by its role, never by its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Label shown with the input.
    pub label: Localized,
    /// Help text shown under the input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Localized>,
    /// The field must be filled (when visible).
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Shown (and validated, and submitted) only when this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    /// Required only when this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_if: Option<Condition>,
    /// Text: a multi-line box (default `max_length` 2000 instead of 200).
    #[serde(default, skip_serializing_if = "is_false")]
    pub multiline: bool,
    /// Text: fewest characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Text: most characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Text: a regular expression the whole value must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Text: the message when `pattern` does not match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern_message: Option<Localized>,
    /// Text: typed as digits or as a name, not free text (the keyboard to open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyboard: Option<TextKeyboard>,
    /// Number: smallest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Number: largest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Number: whole numbers only.
    #[serde(default, skip_serializing_if = "is_false")]
    pub integer: bool,
    /// Date: the person born on it is at least this old (on the day of entry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_age: Option<u32>,
    /// Date: the person born on it is at most this old.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u32>,
    /// Date: not after today.
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_in_future: bool,
    /// Choice kinds: the options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Choices>,
    /// Multi choice and repeat: fewest items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u32>,
    /// Multi choice and repeat: most items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
    /// Repeat: the fields of one item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    /// Repeat: what one item is called ("Ahli waris").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_label: Option<Localized>,
    /// Phone: the country of numbers typed without `+`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_country: Option<PhoneCountry>,
    /// Phone with a fixed country: a number of another country is refused, and
    /// the message sends it to this (top-level phone) field, e.g. the number abroad.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreign_numbers: Option<String>,
    /// Country: only placement destinations.
    #[serde(default, skip_serializing_if = "is_false")]
    pub destinations_only: bool,
    /// NIK: check the birth date and sex it encodes against these fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nik_check: Option<NikCheck>,
    /// Document: which document (required for that kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentType>,
    /// Document: fewest pages (files) when filled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_pages: Option<u32>,
    /// Document: most pages (files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pages: Option<u32>,
}

impl Field {
    /// The most characters accepted without a `text.too_long` issue.
    pub fn effective_max_length(&self) -> usize {
        let default = if self.multiline { 2000 } else { 200 };
        self.max_length.map_or(default, |m| m as usize)
    }

    /// Fields this field's own check reads (phone country, NIK cross-check); see
    /// [`FormDefinition::reads`] for what it reads through another field.
    fn own_reads(&self) -> Vec<&str> {
        let mut out = Vec::new();
        if let Some(PhoneCountry::Field(f)) = &self.phone_country {
            out.push(f.as_str());
        }
        if let Some(n) = &self.nik_check {
            out.extend(n.birth_date.as_deref());
            out.extend(n.sex.as_deref());
        }
        out
    }
}

/// A form-level rule across fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable issue code, e.g. `passport.expires_before_contract_end`.
    pub code: String,
    /// What is checked.
    pub check: RuleCheck,
    /// The field the issue is shown on (default: the rule's last field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Error (default) or warning.
    #[serde(default = "error_severity")]
    pub severity: Severity,
    /// The message; may use the rule's placeholders (`{earlier}`, `{later}`).
    pub message: Localized,
}

fn error_severity() -> Severity {
    Severity::Error
}

/// The kinds of form-level rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleCheck {
    /// Two date fields in order.
    DateOrder(DateOrder),
}

/// `earlier` must not be after `later` (with `strict`: must be before it).
/// Checked only when both are visible and hold valid dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateOrder {
    /// The date that comes first.
    pub earlier: String,
    /// The date that comes second.
    pub later: String,
    /// Equal dates fail too.
    #[serde(default, skip_serializing_if = "is_false")]
    pub strict: bool,
}

impl Rule {
    /// The top-level fields this rule reads.
    pub fn fields(&self) -> Vec<&str> {
        match &self.check {
            RuleCheck::DateOrder(d) => vec![d.earlier.as_str(), d.later.as_str()],
        }
    }
}

impl FormDefinition {
    /// Parses and checks a definition. Any structural problem (duplicate ids, a
    /// condition naming an unknown field, a missing choice list, version 0, a
    /// missing translation…) is an [`crate::Error::InvalidDefinition`].
    pub fn from_json(s: &str) -> crate::Result<FormDefinition> {
        serde_json::from_str(s).map_err(|e| crate::Error::InvalidDefinition(e.to_string()))
    }

    /// The field at `path` (`name`, `heirs[1].name` or `heirs.name`).
    pub fn field(&self, path: &str) -> Option<&Field> {
        let key = super::path::field_key(path)?;
        self.field_by_key(&key)
    }

    /// The field with key `id` or `group.id`.
    pub(crate) fn field_by_key(&self, key: &str) -> Option<&Field> {
        let (p, f, sub) = *self.index.fields.get(key)?;
        let field = self.pages.get(p)?.fields.get(f)?;
        match sub {
            None => Some(field),
            Some(s) => field.fields.get(s),
        }
    }

    /// The field that declares `role`, if this form has one (always top-level).
    pub fn field_with_role(&self, role: Role) -> Option<&Field> {
        self.field_by_key(self.index.roles.get(&role)?)
    }

    /// Where `rule`'s issue is shown: its `path`, else whichever of its fields
    /// comes last in the form. A worker filling the form in order is on that
    /// field's page when the rule can first fail, so the message appears where
    /// they are, not on a page already left.
    pub fn issue_path<'a>(&'a self, rule: &'a Rule) -> &'a str {
        if let Some(p) = &rule.path {
            return p;
        }
        let position = |id: &str| self.index.fields.get(id).copied();
        rule.fields()
            .into_iter()
            .max_by_key(|id| position(id))
            .unwrap_or_default()
    }

    /// Fields `field`'s own check reads: its phone country, its NIK cross-check,
    /// and for a phone with `foreign_numbers` the country of that other phone field
    /// (a number typed the way people there write it is sent there), so a change
    /// to any of them checks `field` again.
    pub(crate) fn reads<'a>(&'a self, field: &'a Field) -> Vec<&'a str> {
        let mut out = field.own_reads();
        let other = field
            .foreign_numbers
            .as_deref()
            .and_then(|o| self.field_by_key(o));
        if let Some(PhoneCountry::Field(c)) = other.and_then(|o| o.phone_country.as_ref()) {
            out.push(c.as_str());
        }
        out
    }

    /// Top-level fields in page order.
    pub fn top_fields(&self) -> impl Iterator<Item = &Field> {
        self.pages.iter().flat_map(|p| p.fields.iter())
    }

    /// Whether some field's `show_if` or `required_if` reads `id` (a top-level or
    /// sub-field id): only then can its value show, hide or require another field.
    pub(crate) fn in_a_condition(&self, id: &str) -> bool {
        self.index.in_conditions.contains(id)
    }

    /// Whether `answers` pick, in a top-level choice field, a choice marked urgent.
    pub fn urgent_picked(&self, answers: &super::Answers) -> bool {
        use serde_json::Value;
        self.top_fields().any(|f| {
            let urgent = |v: &Value| {
                v.as_str()
                    .is_some_and(|v| self.choices_of(f).iter().any(|c| c.urgent && c.value == v))
            };
            match answers.get(&f.id) {
                Some(Value::Array(picked)) => picked.iter().any(urgent),
                Some(v) => urgent(v),
                None => false,
            }
        })
    }

    /// The choices of a choice field (resolving a named list).
    pub fn choices_of<'a>(&'a self, field: &'a Field) -> &'a [Choice] {
        match &field.choices {
            Some(Choices::Inline(list)) => list,
            Some(Choices::Named(name)) => self.choice_lists.get(name).map_or(&[], |v| v.as_slice()),
            None => &[],
        }
    }

    /// The compiled pattern of the field with key `id` or `group.id`.
    pub(crate) fn pattern(&self, key: &str) -> Option<&regex_lite::Regex> {
        self.index.patterns.get(key)
    }
}
