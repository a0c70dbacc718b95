//! Form definitions, conditions, answers and validation.
//!
//! A form is data (a versioned JSON document, see `docs/forms.md`); this module
//! parses it, applies user input field by field and validates whole answer sets.
//! Fields that mean something to the system declare a [`Role`]; code reads them
//! through it ([`RegistrationTerms`], [`refers_to`]), never by field id.

mod answers;
mod builtin;
mod check;
mod choice_match;
mod condition;
mod context;
mod contribution;
mod definition;
mod documents;
mod dom;
mod finding;
mod input;
mod kind;
mod kinds;
mod path;
mod refers_to;
mod role;
mod rules;
#[doc(hidden)]
pub mod samples;
mod terms;
mod validate;

pub use answers::{hidden_paths, item_count, required_now, value_at, Answers};
pub use builtin::{builtin, builtin_form};
pub use choice_match::find_choice;
pub use condition::Condition;
pub use context::Context;
pub use contribution::contribution;
pub use definition::{
    Choice, Choices, DateOrder, DocumentType, Field, FormDefinition, Kind, NikCheck, Page,
    PhoneCountry, Rule, RuleCheck, TextKeyboard, FORMAT_VERSION,
};
pub use documents::{document_files, is_document_field};
pub use input::{remove_repeat_item, set_field, Input, SetOutcome, VisibilityChange};
pub use path::{is_top_level, item_path};
pub use refers_to::refers_to;
pub use role::Role;
pub use terms::{RegistrationTerms, TermsError};
pub use validate::{frozen_payload, validate, validate_submission};
