//! An emulated slow link between the phone and the server: one-way delay, a
//! bandwidth cap per direction (token bucket) and packet loss as TCP shows it —
//! not as lost bytes but as a lost segment's retransmission delay.
//!
//! The model, per HTTP message of `n` bytes (head and body) in one direction:
//! 1. it waits for the direction's token bucket (rate `bits_per_sec / 8` bytes/s,
//!    `burst` bytes deep; a debt queues later messages behind it, as a bottleneck
//!    link does);
//! 2. each of its `ceil(n / 1460)` TCP segments is lost with probability `loss`; a
//!    lost segment is delivered one retransmission timeout (`rto`, ≈ max(200 ms,
//!    RTT + 4·rttvar) ≈ 1 s on a 300 ms mobile path) late, and the link stays idle
//!    for that time (one phone, one flow: TCP stalls until the retransmission);
//! 3. it then travels `one_way`.
//!
//! A new connection first costs `handshake_round_trips` round trips (TCP, plus TLS
//! 1.3 for https). Not modelled: slow start, TLS record bytes, reordering.

use std::time::{Duration, Instant};

use super::fault::Rng;

/// A TCP segment's payload on a 1,500-byte MTU path.
pub const SEGMENT: usize = 1460;

/// The properties of the emulated link.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// Delay in each direction.
    pub one_way: Duration,
    /// Bandwidth from phone to server; `None`: unlimited.
    pub up_bits_per_sec: Option<u64>,
    /// Bandwidth from server to phone; `None`: unlimited.
    pub down_bits_per_sec: Option<u64>,
    /// Bytes a direction may send at once after being idle.
    pub burst: usize,
    /// Probability that one TCP segment is lost.
    pub loss: f64,
    /// Delay of a lost segment (the retransmission timeout).
    pub rto: Duration,
    /// Round trips before a new connection carries its first request.
    pub handshake_round_trips: u32,
}

impl Default for Link {
    /// Loopback: no delay, no cap, no loss.
    fn default() -> Self {
        Link {
            one_way: Duration::ZERO,
            up_bits_per_sec: None,
            down_bits_per_sec: None,
            burst: SEGMENT,
            loss: 0.0,
            rto: Duration::from_secs(1),
            handshake_round_trips: 0,
        }
    }
}

impl Link {
    /// A migrant worker's link: 300 ms round trip, 256 kbit/s each way, 1 % of
    /// segments lost (each costing a 1 s retransmission timeout), TCP + TLS 1.3
    /// handshakes (two round trips) for every new connection.
    pub fn migrant_worker() -> Link {
        Link {
            one_way: Duration::from_millis(150),
            up_bits_per_sec: Some(256_000),
            down_bits_per_sec: Some(256_000),
            burst: SEGMENT,
            loss: 0.01,
            rto: Duration::from_secs(1),
            handshake_round_trips: 2,
        }
    }
}

/// Which way a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Phone to server.
    Up,
    /// Server to phone.
    Down,
}

/// A token bucket that may go into debt: a message larger than the tokens waits
/// for the debt to be paid, and so does everything queued after it.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    /// Takes `bytes` at `rate` bytes/s (refilled up to `burst`); returns the wait.
    fn take(&mut self, bytes: f64, rate: f64, burst: f64, now: Instant) -> Duration {
        let idle = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + idle * rate).min(burst);
        self.last = now;
        self.tokens -= bytes;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / rate)
        }
    }
}

/// The link's state: both buckets and the loss generator.
#[derive(Debug)]
pub(crate) struct Shaper {
    pub(crate) link: Link,
    up: Bucket,
    down: Bucket,
    rng: Rng,
    /// Segments delayed as lost so far.
    pub(crate) lost_segments: usize,
}

impl Shaper {
    pub(crate) fn new(link: Link, seed: u64) -> Shaper {
        let now = Instant::now();
        Shaper {
            link,
            up: Bucket {
                tokens: link.burst as f64,
                last: now,
            },
            down: Bucket {
                tokens: link.burst as f64,
                last: now,
            },
            rng: Rng::new(seed),
            lost_segments: 0,
        }
    }

    /// How long a message of `bytes` takes to arrive, from now.
    pub(crate) fn delay(&mut self, direction: Direction, bytes: usize) -> Duration {
        let link = self.link;
        let mut lost = 0u32;
        if link.loss > 0.0 {
            for _ in 0..bytes.div_ceil(SEGMENT).max(1) {
                if self.rng.next_f64() < link.loss {
                    lost += 1;
                }
            }
        }
        self.lost_segments += lost as usize;
        let retransmission = link.rto * lost;
        let (bucket, bits) = match direction {
            Direction::Up => (&mut self.up, link.up_bits_per_sec),
            Direction::Down => (&mut self.down, link.down_bits_per_sec),
        };
        let queued = match bits {
            Some(bits) if bits > 0 => {
                let rate = bits as f64 / 8.0;
                let wait = bucket.take(bytes as f64, rate, link.burst as f64, Instant::now());
                // The link idles while TCP waits to retransmit: later messages wait too.
                bucket.tokens -= retransmission.as_secs_f64() * rate;
                wait
            }
            _ => Duration::ZERO,
        };
        queued + retransmission + link.one_way
    }

    /// The wait before a new connection carries its first request.
    pub(crate) fn handshake(&self) -> Duration {
        self.link.one_way * 2 * self.link.handshake_round_trips
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capped_link_serializes_messages_and_adds_the_one_way_delay() {
        let link = Link {
            one_way: Duration::from_millis(150),
            up_bits_per_sec: Some(256_000),
            burst: 0,
            ..Link::default()
        };
        let mut s = Shaper::new(link, 1);
        // 32,000 bytes at 32,000 B/s: one second, then 150 ms of travel.
        let first = s.delay(Direction::Up, 32_000);
        assert!((first.as_secs_f64() - 1.15).abs() < 0.01, "{first:?}");
        // Queued behind the first.
        let second = s.delay(Direction::Up, 32_000);
        assert!((second.as_secs_f64() - 2.15).abs() < 0.01, "{second:?}");
        // The other direction is free.
        assert_eq!(s.delay(Direction::Down, 32_000), Duration::from_millis(150));
    }

    #[test]
    fn lost_segments_cost_a_retransmission_timeout_each() {
        let link = Link {
            loss: 1.0,
            rto: Duration::from_millis(700),
            ..Link::default()
        };
        let mut s = Shaper::new(link, 1);
        assert_eq!(
            s.delay(Direction::Down, 2 * SEGMENT + 1),
            Duration::from_millis(2100)
        );
        assert_eq!(s.lost_segments, 3);
    }
}
