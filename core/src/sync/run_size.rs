//! How many chunks one upload request carries. Each request waits a round trip
//! for its answer, so a request should last several round trips on the wire; but
//! not so long that the request timeout (30 s) comes near on a link that slows
//! down. The size follows the throughput the answers show: about
//! [`TARGET_REQUEST_TIME`] of bytes, between one chunk and the server's largest
//! run (1 MiB), at most doubling or halving per answer so one odd measurement
//! cannot swing it. A cut costs no more with a larger run: the server keeps every
//! chunk that arrived whole.

use std::time::Duration;

use crate::protocol::wire::{ATTACHMENT_CHUNK_SIZE, MAX_CHUNKS_PER_PUT};

/// Chunks in the first request: 64 KiB, a 60 KB KTP photo in one request.
pub(crate) const START_CHUNKS: u32 = 4;

/// How long one request should take at the measured throughput: a dozen round
/// trips of a 300 ms mobile path, and a sixth of the request timeout.
pub(crate) const TARGET_REQUEST_TIME: Duration = Duration::from_secs(5);

/// The number of chunks the next upload request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RunSize {
    chunks: u32,
}

impl Default for RunSize {
    fn default() -> Self {
        RunSize {
            chunks: START_CHUNKS,
        }
    }
}

impl RunSize {
    /// Chunks of a run (1 to [`MAX_CHUNKS_PER_PUT`]); requests take [`RunSize::chunks_for`].
    #[cfg(test)]
    fn chunks(&self) -> u32 {
        self.chunks
    }

    /// Chunks for a request when `left` chunks of the file remain: the whole rest
    /// when it is at most half a run more (a 4-chunk photo never costs two requests
    /// because the measured run came out at 3), else the run.
    pub(crate) fn chunks_for(&self, left: u32) -> u32 {
        let run = self.chunks;
        if left <= run + run / 2 {
            left.clamp(1, MAX_CHUNKS_PER_PUT)
        } else {
            run
        }
    }

    /// A request of `bytes` was answered `elapsed` after it left, while `sharing`
    /// requests (itself included) were on the link when it left: each got about
    /// that share of the link, whose throughput is what the size follows.
    pub(crate) fn answered(&mut self, bytes: u64, elapsed: Duration, sharing: u32) {
        let secs = elapsed.as_secs_f64().max(0.001);
        let rate = bytes as f64 * f64::from(sharing.max(1)) / secs;
        let fit = rate * TARGET_REQUEST_TIME.as_secs_f64() / ATTACHMENT_CHUNK_SIZE as f64;
        // Saturating float-to-int: a huge rate is just "large".
        let fit = fit.floor() as u32;
        let lower = (self.chunks / 2).max(1);
        let upper = self.chunks.saturating_mul(2).min(MAX_CHUNKS_PER_PUT);
        self.chunks = fit.clamp(lower, upper);
    }

    /// A request failed (timeout, reset, cut): the next one is half as long.
    pub(crate) fn failed(&mut self) {
        self.chunks = (self.chunks / 2).max(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHUNK: u64 = ATTACHMENT_CHUNK_SIZE as u64;

    #[test]
    fn a_fast_link_grows_the_run_to_the_servers_limit_by_doubling() {
        let mut r = RunSize::default();
        assert_eq!(r.chunks(), 4);
        let mut seen = vec![];
        for _ in 0..6 {
            r.answered(u64::from(r.chunks()) * CHUNK, Duration::from_millis(5), 1);
            seen.push(r.chunks());
        }
        assert_eq!(seen, [8, 16, 32, 64, 64, 64]);
    }

    #[test]
    fn a_slow_link_settles_where_a_request_takes_the_target_time() {
        // 32 kB/s (256 kbit/s): 5 s is 160 kB, 9 chunks of 16 KiB.
        let mut r = RunSize::default();
        for _ in 0..10 {
            let bytes = u64::from(r.chunks()) * CHUNK;
            r.answered(bytes, Duration::from_secs_f64(bytes as f64 / 32_000.0), 1);
        }
        assert_eq!(r.chunks(), 9);
        // 2 kB/s: a single chunk per request (8 s), never nothing.
        for _ in 0..10 {
            let bytes = u64::from(r.chunks()) * CHUNK;
            r.answered(bytes, Duration::from_secs_f64(bytes as f64 / 2_000.0), 1);
        }
        assert_eq!(r.chunks(), 1);
    }

    #[test]
    fn two_requests_sharing_the_link_measure_the_whole_link() {
        // 32 kB/s shared by two runs: each 64 KiB run takes 4.1 s, the link 9 chunks.
        let mut r = RunSize::default();
        for _ in 0..10 {
            let bytes = u64::from(r.chunks()) * CHUNK;
            r.answered(bytes, Duration::from_secs_f64(bytes as f64 / 16_000.0), 2);
        }
        assert_eq!(r.chunks(), 9);
    }

    #[test]
    fn a_short_rest_of_a_file_goes_whole() {
        let mut r = RunSize::default();
        r.failed();
        // A run of 2: a rest of 3 goes in one request, a rest of 4 does not.
        assert_eq!(
            (r.chunks_for(1), r.chunks_for(3), r.chunks_for(4)),
            (1, 3, 2)
        );
        let r = RunSize::default();
        assert_eq!(
            (r.chunks_for(4), r.chunks_for(6), r.chunks_for(7)),
            (4, 6, 4)
        );
    }

    #[test]
    fn a_failure_halves_the_run_down_to_one_chunk() {
        let mut r = RunSize::default();
        r.failed();
        assert_eq!(r.chunks(), 2);
        r.failed();
        r.failed();
        assert_eq!(r.chunks(), 1);
        // A zero elapsed time (a clock that did not move) is not a division by zero.
        r.answered(CHUNK, Duration::ZERO, 1);
        assert_eq!(r.chunks(), 2);
    }
}
