//! Interrupting long work. The handle lives outside the connection's mutex, so
//! another thread (the UI cancelling a sync) can stop a running SQL statement and
//! raise a flag that long Rust loops check between steps.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::{Error, Result};

/// Stops running SQL on one store and flags long loops to stop.
pub struct InterruptHandle {
    sqlite: rusqlite::InterruptHandle,
    interrupted: AtomicBool,
}

impl std::fmt::Debug for InterruptHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InterruptHandle")
            .field("interrupted", &self.is_interrupted())
            .finish()
    }
}

impl InterruptHandle {
    pub(crate) fn new(sqlite: rusqlite::InterruptHandle) -> Self {
        InterruptHandle {
            sqlite,
            interrupted: AtomicBool::new(false),
        }
    }

    /// Interrupts the statement now running (it fails with [`Error::Interrupted`] and
    /// its transaction rolls back) and raises the flag. Safe from any thread.
    pub fn interrupt(&self) {
        self.interrupted.store(true, Ordering::SeqCst);
        self.sqlite.interrupt();
    }

    /// Raises the flag only: long work stops at its next step, while a statement
    /// running now (perhaps the user's autosave on the same connection) completes.
    /// What cancelling a sync from the UI uses.
    pub fn stop_at_next_step(&self) {
        self.interrupted.store(true, Ordering::SeqCst);
    }

    /// True once [`interrupt`](Self::interrupt) was called and until [`reset`](Self::reset).
    pub fn is_interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }

    /// `Err(Error::Interrupted)` if the flag is raised: call between steps of a long loop.
    pub fn check(&self) -> Result<()> {
        if self.is_interrupted() {
            return Err(Error::Interrupted);
        }
        Ok(())
    }

    /// Lowers the flag; call when starting a new piece of long work.
    pub fn reset(&self) {
        self.interrupted.store(false, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_rises_on_interrupt_and_falls_on_reset() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let handle = InterruptHandle::new(conn.get_interrupt_handle());
        assert!(handle.check().is_ok());
        handle.interrupt();
        assert!(handle.is_interrupted());
        assert!(matches!(handle.check(), Err(Error::Interrupted)));
        handle.reset();
        assert!(handle.check().is_ok());
        handle.reset();
        handle.stop_at_next_step();
        assert!(matches!(handle.check(), Err(Error::Interrupted)));
        handle.reset();
        // Interrupting with nothing running leaves the connection usable.
        let one: i64 = conn.query_row("SELECT 1", [], |r| r.get(0)).unwrap();
        assert_eq!(one, 1);
    }
}
