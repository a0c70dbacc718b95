//! The top floor: the one API every front-end uses (the FFI, the CLI, the
//! end-to-end tests). [`profile`] opens a worker's encrypted profile and runs
//! drafts, finalize and the outbox; [`form`] is the form screen of one open draft;
//! [`next`] says what happens after a form is finalized; [`outbox`] puts each submission in the bucket a screen shows; [`inquiry`] reads
//! the cached answers; [`sync`] runs syncs and keeps each profile's sync state;
//! [`checks`] and [`directory`] need no profile; [`data_size`] words a number of bytes;
//! [`profile_list`] is the first screen's list (names hidden on a shared phone).

pub mod checks;
pub mod data_size;
pub mod directory;
pub mod form;
pub mod help;
pub mod inquiry;
mod kdf;
mod lock;
pub mod next;
pub mod outbox;
pub mod profile;
pub mod profile_list;
pub mod reminders;
pub mod sync;

// What a front-end needs of the store, and nothing more: the profile key, and
// the profiles in a folder. The store itself stays behind the app API.
pub use crate::store::profiles::list_profiles;
pub use crate::store::Key;
pub use profile::backup;
