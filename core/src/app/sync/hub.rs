//! One sync state per profile in the process. Every handle opened on the same
//! profile (the screens' and the background worker's) gets the same [`Hub`], so a
//! run started by either is seen by both, and only one run goes at a time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use super::status::{Raw, SyncStatus};
use crate::app::lock::lock;
use crate::base::lang::Lang;

/// Told of every change of a profile's sync state, already worded (Kotlin
/// implements it: a callback interface when the `uniffi` feature is on).
#[cfg_attr(feature = "uniffi", uniffi::export(callback_interface))]
pub trait SyncListener: Send + Sync {
    /// The state changed. Called on the syncing thread: keep it quick.
    fn on_status(&self, status: SyncStatus);
}

/// A listener and its id.
struct Watcher {
    id: u64,
    listener: Arc<dyn SyncListener>,
}

/// The shared sync state of one profile.
#[derive(Default)]
pub struct Hub {
    raw: Mutex<Raw>,
    /// The profile's language, the last any handle set: watchers are told in it.
    lang: Mutex<Lang>,
    watchers: Mutex<Vec<Watcher>>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub").finish_non_exhaustive()
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Hub {
    /// The hub of the profile stored at `path`, shared while any handle holds it.
    pub fn of(path: &Path) -> Arc<Hub> {
        static HUBS: OnceLock<Mutex<HashMap<PathBuf, Weak<Hub>>>> = OnceLock::new();
        let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let mut hubs = lock(HUBS.get_or_init(Mutex::default));
        hubs.retain(|_, hub| hub.strong_count() > 0);
        if let Some(hub) = hubs.get(&key).and_then(Weak::upgrade) {
            return hub;
        }
        let hub = Arc::new(Hub::default());
        hubs.insert(key, Arc::downgrade(&hub));
        hub
    }

    /// The state now.
    pub(crate) fn raw(&self) -> Raw {
        lock(&self.raw).clone()
    }

    /// Marks a run as started; false when one is going on already.
    pub(crate) fn begin(&self, now: i64) -> bool {
        let started = {
            let mut raw = lock(&self.raw);
            if raw.running {
                false
            } else {
                raw.running = true;
                raw.step = None;
                raw.error_code = None;
                true
            }
        };
        if started {
            self.notify(now);
        }
        started
    }

    /// Changes the state with `f` and tells every watcher.
    pub(crate) fn update(&self, now: i64, f: impl FnOnce(&mut Raw)) {
        f(&mut lock(&self.raw));
        self.notify(now);
    }

    fn notify(&self, now: i64) {
        let status = self.raw().render(now, *lock(&self.lang));
        let watchers: Vec<Arc<dyn SyncListener>> = lock(&self.watchers)
            .iter()
            .map(|w| w.listener.clone())
            .collect();
        // Outside the locks: a listener may read the state again.
        for listener in watchers {
            // A panicking listener (a screen's bug) must not stop the sync or the
            // other watchers.
            let status = status.clone();
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                listener.on_status(status)
            }));
        }
    }

    /// The language the watchers are told in (the worker changed it).
    pub(crate) fn set_lang(&self, lang: Lang) {
        *lock(&self.lang) = lang;
    }

    /// Tells `listener` of every change, in the profile's language; returns the id to stop it.
    pub fn watch(&self, listener: Arc<dyn SyncListener>) -> u64 {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        lock(&self.watchers).push(Watcher { id, listener });
        id
    }

    /// Stops the listener `id`.
    pub fn unwatch(&self, id: u64) {
        lock(&self.watchers).retain(|w| w.id != id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Seen(Mutex<Vec<SyncStatus>>);
    impl SyncListener for Seen {
        fn on_status(&self, status: SyncStatus) {
            lock(&self.0).push(status);
        }
    }

    struct Panics;
    impl SyncListener for Panics {
        fn on_status(&self, _: SyncStatus) {
            panic!("a screen's bug");
        }
    }

    #[test]
    fn a_panicking_listener_does_not_keep_the_others_from_being_told() {
        let hub = Hub::default();
        let seen = Arc::new(Seen::default());
        hub.watch(Arc::new(Panics));
        hub.watch(seen.clone());
        assert!(hub.begin(1));
        assert!(!lock(&seen.0).is_empty());
    }

    #[test]
    fn handles_on_one_profile_share_one_state_and_one_run() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let a = Hub::of(&dir.path().join("p.db"));
        let b = Hub::of(&dir.path().join("p.db"));
        let other = Hub::of(&dir.path().join("q.db"));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &other));

        let seen = Arc::new(Seen::default());
        b.set_lang(Lang::En);
        let id = b.watch(seen.clone());
        assert!(a.begin(0), "the first run starts");
        assert!(!b.begin(0), "a second run on the same profile does not");
        assert!(other.begin(0), "another profile runs on its own");
        a.update(0, |r| r.running = false);
        b.unwatch(id);
        a.update(0, |r| r.work_left = true);
        let seen = lock(&seen.0);
        assert_eq!(seen.len(), 2, "started and finished, nothing after unwatch");
        assert!(seen[0].running && !seen[1].running);
        assert_eq!(
            seen[1].headline, "Never synced",
            "in the language set on the profile"
        );
    }

    #[test]
    fn a_hub_nobody_holds_is_forgotten() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("p.db");
        let first = Hub::of(&path);
        first.update(0, |r| r.work_left = true);
        drop(first);
        assert!(!Hub::of(&path).raw().work_left);
    }
}
