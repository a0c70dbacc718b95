//! The top floor: the one API every front-end uses (the FFI, the CLI, the
//! end-to-end tests). [`profile`] opens a worker's encrypted profile and runs
//! drafts, finalize, the outbox and sync; [`inquiry`] reads the cached answers.

pub mod inquiry;
pub mod profile;
