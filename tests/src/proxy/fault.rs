//! What the proxy does to one request: a fault from a fixed plan, or one drawn
//! from a seeded random schedule, and the stable names faults are counted under.

/// What the proxy does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward it and return the answer.
    Pass,
    /// Read the request's head, then reset the connection (TCP RST) before reading
    /// its body: the server never sees the request.
    ResetBeforeBody,
    /// Forward it, let the server answer, then close the client's connection
    /// without the answer (the server committed; the client never knows).
    DropResponse,
    /// Forward it, then send the client only the first half of the answer (the
    /// head and part of the body, or part of the head when there is no body) and
    /// close: the server committed, the client reads a truncated message.
    CutResponse,
    /// Answer 503 with `Retry-After: 0` without forwarding.
    Unavailable,
    /// Answer this 5xx status without forwarding, with `Retry-After` of so many
    /// seconds or without the header.
    ServerError {
        /// 500, 502, 503 …
        status: u16,
        /// Seconds for `Retry-After`; `None` sends no such header.
        retry_after: Option<u32>,
    },
    /// Forward nothing and answer nothing until the client gives up.
    Stall,
    /// Answer 429 with `Retry-After` of this many seconds, without forwarding.
    RateLimited(u32),
    /// Answer 200 with a body that is not JSON, without forwarding.
    Garbage,
}

impl Fault {
    /// A stable name for counting and printing (`None` for [`Fault::Pass`]).
    pub fn name(&self) -> Option<&'static str> {
        Some(match *self {
            Fault::Pass => return None,
            Fault::ResetBeforeBody => "reset_before_body",
            Fault::DropResponse => "drop_response",
            Fault::CutResponse => "cut_response",
            Fault::Unavailable => "http_503_retry_after_0",
            Fault::ServerError {
                status,
                retry_after,
            } => match (status, retry_after.is_some()) {
                (500, false) => "http_500",
                (500, true) => "http_500_retry_after",
                (502, false) => "http_502",
                (502, true) => "http_502_retry_after",
                (503, false) => "http_503",
                (503, true) => "http_503_retry_after",
                (_, false) => "http_5xx",
                (_, true) => "http_5xx_retry_after",
            },
            Fault::Stall => "stall",
            Fault::RateLimited(_) => "http_429",
            Fault::Garbage => "garbage_body",
        })
    }

    /// True when the request reaches the server.
    pub(crate) fn forwards(&self) -> bool {
        matches!(self, Fault::Pass | Fault::DropResponse | Fault::CutResponse)
    }
}

pub use crate::rng::Rng;

/// A random schedule: each request draws one fault; fault `i` with probability
/// `table[i].0`, and [`Fault::Pass`] with what is left of 1.
#[derive(Debug, Clone)]
pub struct RandomFaults {
    rng: Rng,
    table: Vec<(f64, Fault)>,
}

impl RandomFaults {
    /// A schedule from `seed`; the probabilities must sum to at most 1.
    pub fn new(seed: u64, table: Vec<(f64, Fault)>) -> RandomFaults {
        let total: f64 = table.iter().map(|(p, _)| p).sum();
        assert!(
            (0.0..=1.0 + 1e-9).contains(&total),
            "fault probabilities sum to {total}"
        );
        RandomFaults {
            rng: Rng::new(seed),
            table,
        }
    }

    /// The fault for the next request.
    pub fn next_fault(&mut self) -> Fault {
        let mut x = self.rng.next_f64();
        for (p, fault) in &self.table {
            if x < *p {
                return *fault;
            }
            x -= p;
        }
        Fault::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_repeatable_and_follows_the_weights() {
        let table = vec![(0.25, Fault::Garbage), (0.25, Fault::DropResponse)];
        let draw = |seed| {
            let mut r = RandomFaults::new(seed, table.clone());
            (0..4000).map(|_| r.next_fault()).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
        let passes = draw(7).iter().filter(|f| **f == Fault::Pass).count();
        assert!((1800..2200).contains(&passes), "{passes}");
    }
}
