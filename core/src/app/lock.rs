//! One way to take the app layer's locks.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `m`, also after a panic elsewhere poisoned it: every value the app layer
/// keeps behind a lock stays consistent at any point a panic could leave it (at
/// worst a stale status line, or a cache that is checked before use).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
