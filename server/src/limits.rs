//! Abuse limits: token buckets per device (keyed by the SHA-256 of its token), per
//! client address (unauthenticated routes and failed authentication; behind a
//! trusted proxy the address it forwards), for the officers and for enrollments
//! server-wide; the documents quotas; the connection cap and timeouts. Memory is
//! bounded: idle buckets go first.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A token bucket's shape: `burst` requests at once, refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Requests allowed in one burst (the bucket's size).
    pub burst: u32,
    /// Requests added back per second.
    pub per_second: f64,
}

/// Every abuse limit of a server. `Limits::default()` is sized so a real phone never
/// meets it (see the numbers on each field); tests set tight ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Per device token, for the device API (`/v1/submissions/batch`, `/v1/changes`,
    /// `/v1/attachments/…`). Default 2,000 at once, 40/s after that. The heaviest
    /// normal sync run is a registration with its four document pages at the 5 MiB cap
    /// plus a data update with one: 5 × (1 GET + 320 chunk PUTs + 1 complete) = 1,610
    /// requests, and pushing a 10,000-item outbox (the most one run sends) in 50-item
    /// batches is 200 more: 1,810 < 2,000, so it passes at any link speed (a client
    /// that sends runs of chunks needs far fewer: one status request, then a run of
    /// up to 64 chunks per request). 40/s
    /// sustained is 640 KiB/s of 16 KiB chunks (5 Mbit/s), above a phone's uplink.
    pub device: Rate,
    /// Per client address (IPv6 by /64), for enrollment, forms, reference data and
    /// the OpenAPI document, and for every request whose token is missing or wrong.
    /// Default 300 at once, 5/s: a dormitory of 100 phones behind one NAT can each
    /// enroll and fetch forms and reference data at the same moment.
    pub address: Rate,
    /// For the officer endpoints (one bucket: there is one admin token). Default
    /// 1,000 at once, 50/s: a script recording a month of payments.
    pub officer: Rate,
    /// Enrollments (`POST /v1/devices`) of the whole server, every address together,
    /// on top of the per-address bucket: a botnet's many addresses cannot fill the
    /// database with devices. Default 600 at once, 600 per minute (10/s): a
    /// departure hall of phones enrolling at once still passes. Over it: 503
    /// `enroll.busy` with Retry-After.
    pub enrollments: Rate,
    /// Most bytes of documents (complete or still uploading) one participant may
    /// hold. Default 200 MiB: a dozen full submissions with their pages.
    pub participant_documents: u64,
    /// Most bytes of documents the whole server holds (every participant together).
    /// Default 50 GiB; size it to the disk. Over it: 507 `storage.full`.
    pub documents_total: u64,
    /// Most connections served at once; past it new connections wait in the
    /// listen backlog until one ends (idle ones end after `header_timeout`).
    /// Default 512, under the usual limit of 1,024 open files.
    pub max_connections: usize,
    /// Proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`); empty (the
    /// default) means the TCP peer is the client.
    pub trusted_proxies: Vec<crate::http::proxy::Cidr>,
    /// Most buckets kept per kind (devices, addresses); past it idle (full) buckets
    /// are dropped, then arbitrary ones. Default 100,000 (a few MiB).
    pub max_buckets: usize,
    /// Time a client has to send a request's headers, and most idle time between
    /// requests on a kept-alive connection. Default 20 s.
    pub header_timeout: Duration,
    /// Time from the end of the headers to the end of the answer (body upload and
    /// handling): past it, 408 `request.timeout`. Default 60 s, twice the app's own
    /// 30 s request timeout, so a real phone always gives up first.
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            device: Rate {
                burst: 2_000,
                per_second: 40.0,
            },
            address: Rate {
                burst: 300,
                per_second: 5.0,
            },
            officer: Rate {
                burst: 1_000,
                per_second: 50.0,
            },
            enrollments: Rate {
                burst: 600,
                per_second: 10.0,
            },
            participant_documents: crate::http::attachments::MAX_PARTICIPANT_BYTES,
            documents_total: 50 * 1024 * 1024 * 1024,
            max_connections: 512,
            trusted_proxies: Vec::new(),
            max_buckets: 100_000,
            header_timeout: Duration::from_secs(20),
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// Over a limit: try again after `retry_after` seconds (at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    /// Whole seconds until one request is allowed again.
    pub retry_after: u64,
}

/// Longest `Retry-After` given (a bucket refilling at 0/s would say "never").
const MAX_RETRY_AFTER: u64 = 3_600;
/// New keys between two sweeps of idle buckets.
const SWEEP_EVERY: usize = 4_096;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(rate: Rate, now: Instant) -> Bucket {
        Bucket {
            tokens: f64::from(rate.burst),
            at: now,
        }
    }

    fn refill(&mut self, rate: Rate, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate.per_second.max(0.0)).min(f64::from(rate.burst));
        self.at = now;
    }

    fn take(&mut self, rate: Rate, now: Instant) -> Result<(), Limited> {
        self.refill(rate, now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let wait = if rate.per_second > 0.0 {
            ((1.0 - self.tokens) / rate.per_second).ceil() as u64
        } else {
            MAX_RETRY_AFTER
        };
        Err(Limited {
            retry_after: wait.clamp(1, MAX_RETRY_AFTER),
        })
    }

    /// Full again: forgetting it changes nothing.
    fn is_idle(&self, rate: Rate, now: Instant) -> bool {
        let mut b = *self;
        b.refill(rate, now);
        b.tokens >= f64::from(rate.burst)
    }
}

/// Buckets by key, at most `max` of them.
#[derive(Debug)]
struct Buckets<K> {
    rate: Rate,
    max: usize,
    map: Mutex<(HashMap<K, Bucket>, usize)>,
}

impl<K: Hash + Eq + Copy> Buckets<K> {
    fn new(rate: Rate, max: usize) -> Self {
        Buckets {
            rate,
            max: max.max(1),
            map: Mutex::new((HashMap::new(), 0)),
        }
    }

    fn take(&self, key: K, now: Instant) -> Result<(), Limited> {
        // A poisoned lock only means another request panicked mid-update of a
        // counter; the map is still usable.
        let mut guard = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let (map, inserted) = &mut *guard;
        if let Some(bucket) = map.get_mut(&key) {
            return bucket.take(self.rate, now);
        }
        *inserted += 1;
        if map.len() >= self.max || *inserted >= SWEEP_EVERY {
            *inserted = 0;
            map.retain(|_, b| !b.is_idle(self.rate, now));
            if map.len() >= self.max {
                // Every bucket is busy: drop a quarter. Those keys get a fresh
                // allowance, a bounded leak that only a huge botnet can use.
                let drop: Vec<K> = map
                    .keys()
                    .take(map.len() - self.max * 3 / 4)
                    .copied()
                    .collect();
                for k in drop {
                    map.remove(&k);
                }
            }
        }
        let mut bucket = Bucket::full(self.rate, now);
        let result = bucket.take(self.rate, now);
        map.insert(key, bucket);
        result
    }

    fn len(&self) -> usize {
        self.map.lock().map(|g| g.0.len()).unwrap_or(0)
    }
}

/// The documents quotas, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentQuota {
    /// Per participant.
    pub participant: u64,
    /// The whole server.
    pub total: u64,
}

/// The live buckets of a server, and the limits that are not buckets.
#[derive(Debug)]
pub struct Limiter {
    devices: Buckets<[u8; 32]>,
    addresses: Buckets<IpAddr>,
    officer: Buckets<()>,
    enrollments: Buckets<()>,
    quota: DocumentQuota,
    trusted_proxies: Vec<crate::http::proxy::Cidr>,
}

impl Limiter {
    /// Empty buckets for `limits`.
    pub fn new(limits: &Limits) -> Limiter {
        Limiter {
            devices: Buckets::new(limits.device, limits.max_buckets),
            addresses: Buckets::new(limits.address, limits.max_buckets),
            officer: Buckets::new(limits.officer, 1),
            enrollments: Buckets::new(limits.enrollments, 1),
            quota: DocumentQuota {
                participant: limits.participant_documents,
                total: limits.documents_total,
            },
            trusted_proxies: limits.trusted_proxies.clone(),
        }
    }

    /// One enrollment, server-wide.
    pub fn enrollment(&self) -> Result<(), Limited> {
        self.enrollments.take((), Instant::now())
    }

    /// The documents quotas.
    pub fn document_quota(&self) -> DocumentQuota {
        self.quota
    }

    /// The proxies whose `X-Forwarded-For` is believed.
    pub fn trusted_proxies(&self) -> &[crate::http::proxy::Cidr] {
        &self.trusted_proxies
    }

    /// One request of the device whose token hashes to `token_hash`.
    pub fn device(&self, token_hash: [u8; 32]) -> Result<(), Limited> {
        self.devices.take(token_hash, Instant::now())
    }

    /// One unauthenticated (or failed) request from `addr`.
    pub fn address(&self, addr: IpAddr) -> Result<(), Limited> {
        self.addresses.take(address_key(addr), Instant::now())
    }

    /// One officer request.
    pub fn officer(&self) -> Result<(), Limited> {
        self.officer.take((), Instant::now())
    }

    /// `(device buckets, address buckets)` held now.
    pub fn tracked(&self) -> (usize, usize) {
        (self.devices.len(), self.addresses.len())
    }
}

/// The key of a client address: IPv4 as is (also when mapped into IPv6), IPv6 by its
/// /64, since one phone or home gets a whole /64 and could rotate inside it.
fn address_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: Rate = Rate {
        burst: 3,
        per_second: 2.0,
    };

    #[test]
    fn a_bucket_allows_its_burst_then_refills_at_its_rate() {
        let t0 = Instant::now();
        let mut b = Bucket::full(RATE, t0);
        for _ in 0..3 {
            assert_eq!(b.take(RATE, t0), Ok(()));
        }
        assert_eq!(b.take(RATE, t0), Err(Limited { retry_after: 1 }));
        assert_eq!(b.take(RATE, t0 + Duration::from_millis(500)), Ok(()));
        assert!(b.take(RATE, t0 + Duration::from_millis(500)).is_err());
        assert!(!b.is_idle(RATE, t0 + Duration::from_millis(1000)));
        assert!(b.is_idle(RATE, t0 + Duration::from_secs(2)));
        let slow = Rate {
            burst: 1,
            per_second: 0.1,
        };
        let mut s = Bucket::full(slow, t0);
        assert_eq!(s.take(slow, t0), Ok(()));
        assert_eq!(s.take(slow, t0), Err(Limited { retry_after: 10 }));
        let never = Rate {
            burst: 0,
            per_second: 0.0,
        };
        assert_eq!(
            Bucket::full(never, t0).take(never, t0),
            Err(Limited {
                retry_after: MAX_RETRY_AFTER
            })
        );
    }

    #[test]
    fn buckets_stay_bounded_and_idle_ones_go_first() {
        let buckets: Buckets<u32> = Buckets::new(RATE, 100);
        let t0 = Instant::now();
        // A busy key: its bucket is empty and must survive the sweeps.
        for _ in 0..3 {
            buckets.take(7, t0).unwrap();
        }
        for k in 1000..1099 {
            buckets.take(k, t0).unwrap();
        }
        assert_eq!(buckets.len(), 100);
        // Much later, the one-request keys are full again (idle); a new key sweeps them.
        let later = t0 + Duration::from_millis(1_400);
        buckets.take(5000, later).unwrap();
        assert!(buckets.len() <= 3, "{}", buckets.len());
        assert!(buckets.take(7, later).is_ok(), "2.8 tokens back");
        // A flood of new keys never grows the map past its bound.
        for k in 0..10_000 {
            let _ = buckets.take(k + 10_000, later);
            assert!(buckets.len() <= 100);
        }
    }

    #[test]
    fn ipv6_addresses_share_their_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(address_key(mapped), "10.0.0.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn defaults_let_a_full_registration_with_documents_through_in_one_burst() {
        let limits = Limits::default();
        let chunks_per_file = 5 * 1024 * 1024 / (16 * 1024);
        let per_file = 1 + chunks_per_file + 1;
        let run = 5 * per_file + 10_000 / 50 + 20;
        assert!(run <= limits.device.burst as usize, "{run}");
    }
}
