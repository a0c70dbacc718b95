//! The runs of chunks being stored right now, per file, so that a status asked
//! meanwhile waits for them. A phone whose connection was cut mid-run asks at
//! once what the server holds; the chunks that arrived whole before the cut must
//! be in that answer, or the phone sends them again. Runs of one file are stored
//! one after the other for the same reason. Per process: a phone's requests of
//! one sync reach the same replica behind a proxy that keeps its connection, and
//! a status that misses a run on another replica costs bytes, never correctness.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// The longest a status waits for a run. A run whose body goes silent ends after
/// [`RUN_IDLE_LIMIT`]; the wait is shorter so a phone's status request (30 s
/// timeout) is answered in any case.
pub const MAX_SETTLE_WAIT: Duration = Duration::from_secs(5);

/// A run whose body brings nothing for this long is over: the link is dead (a
/// phone that lost its network sends no FIN). The chunks stored so far stay.
pub const RUN_IDLE_LIMIT: Duration = Duration::from_secs(10);

/// A file of one participant: `(participant, sha256)`.
type Key = (String, String);

/// Files with a run being stored, each with the lock its runs hold.
#[derive(Debug, Default)]
pub struct RunsInFlight {
    files: Mutex<HashMap<Key, Arc<AsyncMutex<()>>>>,
}

/// Held while a run's chunks are stored; dropping it lets the file's next run
/// and the statuses waiting for it go on.
#[derive(Debug)]
pub struct RunGuard {
    held: Option<OwnedMutexGuard<()>>,
    runs: Arc<RunsInFlight>,
    key: Key,
}

impl RunsInFlight {
    fn files(&self) -> MutexGuard<'_, HashMap<Key, Arc<AsyncMutex<()>>>> {
        // A panicked holder leaves a map that is still whole.
        self.files.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for the file's runs before this one, then holds the file until the
    /// guard is dropped.
    pub async fn start(self: &Arc<Self>, participant: &str, sha: &str) -> RunGuard {
        let key = (participant.to_string(), sha.to_string());
        let lock = Arc::clone(self.files().entry(key.clone()).or_default());
        RunGuard {
            held: Some(lock.lock_owned().await),
            runs: Arc::clone(self),
            key,
        }
    }

    /// Returns once no run of the file is being stored (at once when none is), or
    /// after [`MAX_SETTLE_WAIT`]: a status is late at worst, never stuck.
    pub async fn settled(&self, participant: &str, sha: &str) {
        let key = (participant.to_string(), sha.to_string());
        let lock = self.files().get(&key).cloned();
        if let Some(lock) = lock {
            let _ = tokio::time::timeout(MAX_SETTLE_WAIT, lock.lock()).await;
            let mut files = self.files();
            // Only the map and this wait hold it: the entry goes.
            if files
                .get(&key)
                .is_some_and(|l| Arc::ptr_eq(l, &lock) && Arc::strong_count(l) == 2)
            {
                files.remove(&key);
            }
        }
    }

    /// Files with a run held or awaited (for tests: the map does not grow).
    pub fn len(&self) -> usize {
        self.files().len()
    }

    /// True when no run is held or awaited.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        self.held = None;
        let mut files = self.runs.files();
        // Only the map holds it: nobody waits, the entry goes.
        if files
            .get(&self.key)
            .is_some_and(|l| Arc::strong_count(l) == 1)
        {
            files.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_status_waits_for_the_run_being_stored_and_the_map_empties() {
        let runs = Arc::new(RunsInFlight::default());
        // Nothing held: at once.
        runs.settled("p", "a").await;
        let guard = runs.start("p", "a").await;
        assert_eq!(runs.len(), 1);
        // Another file, another participant: not held up.
        tokio::time::timeout(Duration::from_millis(100), runs.settled("p", "b"))
            .await
            .unwrap();
        tokio::time::timeout(Duration::from_millis(100), runs.settled("q", "a"))
            .await
            .unwrap();
        let waiting = {
            let runs = Arc::clone(&runs);
            tokio::spawn(async move { runs.settled("p", "a").await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "the status waits for the run");
        drop(guard);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .unwrap()
            .unwrap();
        assert!(runs.is_empty());
    }

    #[tokio::test]
    async fn runs_of_one_file_are_stored_one_after_the_other() {
        let runs = Arc::new(RunsInFlight::default());
        let first = runs.start("p", "a").await;
        let second = {
            let runs = Arc::clone(&runs);
            tokio::spawn(async move { drop(runs.start("p", "a").await) })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!second.is_finished());
        drop(first);
        tokio::time::timeout(Duration::from_secs(5), second)
            .await
            .unwrap()
            .unwrap();
        assert!(runs.is_empty());
    }
}
