//! Counters of what the server answered: requests, 5xx, panics, 429s and 408s.
//! Tests read them to prove that abuse never produced a server error, and the
//! request log is built from the same place.

use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters, shared by every request.
#[derive(Debug, Default)]
pub struct Stats {
    requests: AtomicU64,
    server_errors: AtomicU64,
    panics: AtomicU64,
    rate_limited: AtomicU64,
    timed_out: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// Requests answered.
    pub requests: u64,
    /// Answers with a 5xx status (each one is a bug or a broken disk).
    pub server_errors: u64,
    /// Handlers that panicked (answered with a JSON 500).
    pub panics: u64,
    /// Answers 429 `request.rate_limited`.
    pub rate_limited: u64,
    /// Answers 408 `request.timeout`.
    pub timed_out: u64,
}

impl Stats {
    /// Counts one answer with `status`.
    pub fn answered(&self, status: u16) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let counter = match status {
            429 => &self.rate_limited,
            408 => &self.timed_out,
            500..=599 => &self.server_errors,
            _ => return,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a caught panic (its 500 is counted by [`Stats::answered`]).
    pub fn panicked(&self) {
        self.panics.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters now.
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            requests: self.requests.load(Ordering::Relaxed),
            server_errors: self.server_errors.load(Ordering::Relaxed),
            panics: self.panics.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            timed_out: self.timed_out.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_status_class() {
        let s = Stats::default();
        for status in [200, 204, 401, 408, 429, 429, 500, 503] {
            s.answered(status);
        }
        s.panicked();
        assert_eq!(
            s.snapshot(),
            StatsSnapshot {
                requests: 8,
                server_errors: 2,
                panics: 1,
                rate_limited: 2,
                timed_out: 1
            }
        );
    }
}
