//! The form screen, decided in the core: [`DraftSession`] keeps one open draft
//! and answers each user action with a [`FormScreen`] ready to draw; [`policy`]
//! says when an issue is shown; [`display`] writes values the way people read them;
//! [`review`] lists every answer before the form is sent.

pub mod display;
pub mod info;
pub mod input;
pub mod policy;
pub mod quote;
pub mod review;
pub mod screen;
pub mod session;
pub mod update;

pub use info::FormInfo;
pub use input::FieldInput;
pub use policy::IssuePolicy;
pub use quote::{AmountLine, QuoteView};
pub use review::{Review, ReviewLine, ReviewPage};
pub use screen::{ChoiceItem, FieldSlot, FormScreen, Keyboard, PageTab, RepeatItem};
pub use session::{DraftSession, Finalized};
pub use update::FormUpdate;
