//! When to retry after a transient failure: full-jitter exponential backoff
//! (base 2 s, cap 1 h) so that many phones coming back online do not retry in step,
//! and the server's `Retry-After` when it asks for longer. One draw per failed batch,
//! never per item: its items wait until the same time, so they go out together again
//! instead of trickling back in batches of one or two.

use std::time::Duration;

use rand::Rng;

/// Delay of the first retry's window.
pub const BASE: Duration = Duration::from_secs(2);
/// Largest window.
pub const CAP: Duration = Duration::from_secs(3600);

/// How long a submission waits after a transient failure: full jitter in
/// `[0, min(cap, base * 2^attempts)]`. The defaults ([`BASE`], [`CAP`]) suit phones;
/// a lab (an end-to-end test, a benchmark on an emulated link) may shorten them
/// through [`crate::sync::SyncConfig::backoff`] instead of rewriting stored times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Upper bound of the first retry's window.
    pub base: Duration,
    /// Largest window.
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: BASE,
            cap: CAP,
        }
    }
}

impl Backoff {
    /// The upper bound of the retry window after `attempts` earlier failures:
    /// `min(cap, base * 2^attempts)`.
    pub fn window(&self, attempts: u32) -> Duration {
        // 2^12 covers 2 s -> 1 h already; clamp the shift so it never overflows.
        let factor = 1u32 << attempts.min(12);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// A random delay in `[0, window(attempts)]` (full jitter), raised to `retry_after`
    /// when the server asked for more.
    pub fn delay(
        &self,
        attempts: u32,
        retry_after: Option<Duration>,
        rng: &mut impl Rng,
    ) -> Duration {
        let max_ms = self.window(attempts).as_millis() as u64;
        let jitter = Duration::from_millis(rng.random_range(0..=max_ms));
        match retry_after {
            Some(asked) if asked > jitter => asked,
            _ => jitter,
        }
    }

    /// The unix-millisecond time of the next attempt.
    pub fn next_attempt_at(
        &self,
        now_ms: i64,
        attempts: u32,
        retry_after: Option<Duration>,
        rng: &mut impl Rng,
    ) -> i64 {
        let d = self.delay(attempts, retry_after, rng);
        now_ms.saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }

    /// The one next-attempt time for every item of a batch that failed as a whole:
    /// a single draw whose window is that of the most-tried item (a fresh item
    /// riding along does not shorten the wait of the others), or `None` for an
    /// empty batch.
    pub fn batch_next_attempt_at(
        &self,
        now_ms: i64,
        attempts: impl IntoIterator<Item = u32>,
        retry_after: Option<Duration>,
        rng: &mut impl Rng,
    ) -> Option<i64> {
        let most = attempts.into_iter().max()?;
        Some(self.next_attempt_at(now_ms, most, retry_after, rng))
    }
}

/// [`Backoff::window`] with the default base and cap.
pub fn window(attempts: u32) -> Duration {
    Backoff::default().window(attempts)
}

/// [`Backoff::delay`] with the default base and cap.
pub fn delay(attempts: u32, retry_after: Option<Duration>, rng: &mut impl Rng) -> Duration {
    Backoff::default().delay(attempts, retry_after, rng)
}

/// [`Backoff::next_attempt_at`] with the default base and cap.
pub fn next_attempt_at(
    now_ms: i64,
    attempts: u32,
    retry_after: Option<Duration>,
    rng: &mut impl Rng,
) -> i64 {
    Backoff::default().next_attempt_at(now_ms, attempts, retry_after, rng)
}

/// Parses a `Retry-After` header: delay-seconds or an HTTP date (RFC 7231).
/// A date in the past means "now"; anything unreadable is `None`.
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let ms = (when.with_timezone(&chrono::Utc) - now)
        .num_milliseconds()
        .max(0);
    Some(Duration::from_millis(ms as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn window_doubles_from_two_seconds_and_caps_at_one_hour() {
        assert_eq!(window(0), Duration::from_secs(2));
        assert_eq!(window(1), Duration::from_secs(4));
        assert_eq!(window(5), Duration::from_secs(64));
        assert_eq!(window(11), CAP);
        assert_eq!(window(u32::MAX), CAP);
    }

    #[test]
    fn retry_after_wins_when_larger() {
        let mut rng = rand::rng();
        let d = delay(0, Some(Duration::from_secs(120)), &mut rng);
        assert_eq!(d, Duration::from_secs(120));
        let d = delay(20, Some(Duration::from_millis(1)), &mut rng);
        assert!(d <= CAP);
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-22T04:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            parse_retry_after(" 30 ", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 22 Nov 2026 04:01:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Sun, 22 Nov 2026 03:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn a_shortened_backoff_doubles_from_its_own_base_and_caps() {
        let b = Backoff {
            base: Duration::from_millis(10),
            cap: Duration::from_millis(100),
        };
        assert_eq!(b.window(0), Duration::from_millis(10));
        assert_eq!(b.window(2), Duration::from_millis(40));
        assert_eq!(b.window(30), Duration::from_millis(100));
        let mut rng = rand::rng();
        assert!(b.delay(5, None, &mut rng) <= Duration::from_millis(100));
        // The server's Retry-After still wins.
        assert_eq!(
            b.delay(0, Some(Duration::from_secs(1)), &mut rng),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn a_batch_draws_once_from_its_most_tried_item() {
        use rand::SeedableRng;
        let b = Backoff {
            base: Duration::from_millis(10),
            cap: Duration::from_secs(10),
        };
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        assert_eq!(b.batch_next_attempt_at(0, [], None, &mut rng), None);
        // The same draw as a single item with the batch's highest attempt count.
        let mut a = rand::rngs::StdRng::seed_from_u64(7);
        let mut c = rand::rngs::StdRng::seed_from_u64(7);
        assert_eq!(
            b.batch_next_attempt_at(1_000, [0, 6, 2], None, &mut a),
            Some(b.next_attempt_at(1_000, 6, None, &mut c))
        );
        // Retry-After still wins.
        assert_eq!(
            b.batch_next_attempt_at(0, [0, 1], Some(Duration::from_secs(60)), &mut rng),
            Some(60_000)
        );
    }

    proptest! {
        #[test]
        fn delay_stays_inside_the_window(attempts in 0u32..100, seed in any::<u64>()) {
            use rand::SeedableRng;
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let d = delay(attempts, None, &mut rng);
            prop_assert!(d <= window(attempts));
            let at = next_attempt_at(1_000, attempts, None, &mut rng);
            prop_assert!(at >= 1_000 && at <= 1_000 + CAP.as_millis() as i64);
        }

        #[test]
        fn retry_after_parse_never_panics(s in ".*") {
            let _ = parse_retry_after(&s, chrono::Utc::now());
        }
    }
}
