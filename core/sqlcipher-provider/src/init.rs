//! SQLite's and SQLCipher's one-time set-up, finished before any connection opens.
//!
//! `sqlite3_initialize` marks SQLite initialised *before* it runs SQLCipher's own
//! set-up (`SQLITE_EXTRA_INIT` = `sqlcipher_extra_init`: this provider's table,
//! SQLCipher's private heap, its random seeds). A second thread that opens a
//! connection in that window is told SQLite is ready, and its `PRAGMA key` fails
//! with "An error occurred with PRAGMA key or rekey" (SQLCipher 4.19, seen in CI
//! when two servers of one test process opened their first databases at once).
//! Calling [`initialize`] before opening waits for the set-up instead:
//! `sqlcipher_extra_init` runs under SQLite's main mutex and returns at once when
//! another thread has finished it, so whichever thread gets there first does it.
#![allow(unsafe_code)] // Two C calls with no arguments to check; see the SAFETY notes.

use std::ffi::{c_char, c_int};
use std::sync::OnceLock;

extern "C" {
    /// SQLCipher's set-up routine (external linkage in the amalgamation, not bound
    /// by `libsqlite3-sys`).
    fn sqlcipher_extra_init(arg: *const c_char) -> c_int;
}

/// A failed set-up: SQLite's result code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("SQLite/SQLCipher could not be initialised (SQLite code {0})")]
pub struct InitError(pub c_int);

/// Finishes SQLite's and SQLCipher's set-up (with this provider) once per process;
/// call it before opening a connection. Later calls return the first call's result.
pub fn initialize() -> Result<(), InitError> {
    static DONE: OnceLock<c_int> = OnceLock::new();
    crate::ensure_linked();
    let rc = *DONE.get_or_init(|| {
        // SAFETY: both functions take no pointers we own (null is SQLCipher's own
        // argument at `sqlite3_initialize`), are thread-safe (they serialise on
        // SQLite's main mutex) and are idempotent once they have succeeded.
        let rc = unsafe { libsqlite3_sys::sqlite3_initialize() };
        if rc != libsqlite3_sys::SQLITE_OK {
            return rc;
        }
        // SAFETY: as above.
        unsafe { sqlcipher_extra_init(std::ptr::null()) }
    });
    match rc {
        libsqlite3_sys::SQLITE_OK => Ok(()),
        rc => Err(InitError(rc)),
    }
}
