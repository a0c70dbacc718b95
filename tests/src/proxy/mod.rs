//! A tiny HTTP/1.1 proxy on loopback that injects network faults, one per request
//! ([`Fault`]: from a fixed plan, or drawn from a seeded [`RandomFaults`] schedule),
//! emulates a slow lossy link ([`Link`]), cuts the link every N bytes and corrupts
//! bodies; it counts requests, bytes and faults per kind, and logs each request.

mod fault;
mod link;
mod wire;

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

pub use fault::{Fault, RandomFaults, Rng};
pub use link::{Direction, Link, SEGMENT};

use link::Shaper;

/// What the proxy counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Client connections accepted.
    pub connections: usize,
    /// Requests seen.
    pub requests: usize,
    /// Request bytes (head and body) received from clients.
    pub bytes_up: u64,
    /// Response bytes (head and body) sent back to clients.
    pub bytes_down: u64,
    /// Requests forwarded to the server.
    pub forwarded: usize,
    /// `POST /v1/submissions/batch` requests seen.
    pub batch_requests: usize,
    /// Bytes of those requests (head and body).
    pub batch_bytes_up: u64,
    /// Bytes of their answers (head and body).
    pub batch_bytes_down: u64,
    /// Times the link was cut mid-request by the byte budget ([`Proxy::cut_every`]).
    pub cuts: usize,
    /// Request bodies corrupted on purpose.
    pub corrupted: usize,
    /// Faults injected, by [`Fault::name`].
    pub faults: BTreeMap<&'static str, usize>,
    /// TCP segments the emulated link delayed as lost.
    pub lost_segments: usize,
}

impl Counts {
    /// All faults injected (every kind, plus byte-budget cuts and corruptions).
    pub fn faults_total(&self) -> usize {
        self.faults.values().sum::<usize>() + self.cuts + self.corrupted
    }
}

/// One request as the proxy saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// The request line without the version, e.g. `PUT /v1/attachments/…/chunks/3`.
    pub line: String,
    /// The status the client received; `None` when it received no (whole) answer.
    pub status: Option<u16>,
    /// Which client connection carried it (1 for the proxy's first).
    pub connection: usize,
    /// Request bytes (head and body) that crossed the link.
    pub bytes_up: u64,
    /// Response bytes (head and body) that crossed the link.
    pub bytes_down: u64,
}

#[derive(Debug)]
struct State {
    upstream: SocketAddr,
    plan: VecDeque<Fault>,
    random: Option<RandomFaults>,
    shaper: Shaper,
    counts: Counts,
    /// Link budgets: after `cuts[i]` request bytes the link is cut mid-request, then
    /// the next budget applies (cycling). Empty: never cut.
    cuts: Vec<u64>,
    cut_index: usize,
    since_cut: u64,
    /// Corrupt the body of the next request whose line starts with this.
    corrupt: Option<String>,
    log: Vec<Logged>,
    /// Connections accepted since the start (never reset).
    next_connection: usize,
}

impl State {
    /// The fault for the next request: the plan first, then the random schedule.
    fn next_fault(&mut self) -> Fault {
        let fault = match self.plan.pop_front() {
            Some(f) => f,
            None => self
                .random
                .as_mut()
                .map_or(Fault::Pass, RandomFaults::next_fault),
        };
        if let Some(name) = fault.name() {
            *self.counts.faults.entry(name).or_insert(0) += 1;
        }
        fault
    }

    /// Delay of a message of `bytes`, counting segments the link lost.
    fn delay(&mut self, direction: Direction, bytes: usize) -> Duration {
        let d = self.shaper.delay(direction, bytes);
        self.counts.lost_segments = self.shaper.lost_segments;
        d
    }
}

/// A running proxy; it stops when dropped.
#[derive(Debug)]
pub struct Proxy {
    /// Where clients connect.
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    // A panicking connection task must not take the test down with a poisoned lock.
    state.lock().unwrap_or_else(|p| p.into_inner())
}

impl Proxy {
    /// Starts a proxy on 127.0.0.1 in front of `upstream`.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State {
            upstream,
            plan: VecDeque::new(),
            random: None,
            shaper: Shaper::new(Link::default(), 0),
            counts: Counts::default(),
            cuts: Vec::new(),
            cut_index: 0,
            since_cut: 0,
            corrupt: None,
            log: Vec::new(),
            next_connection: 0,
        }));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    let _ = serve(client, state).await;
                });
            }
        });
        Ok(Proxy { addr, state, task })
    }

    /// `http://` URL of the proxy.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Faults for the next requests, in order; afterwards requests pass (or follow
    /// the random schedule).
    pub fn plan(&self, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.state).plan = faults.into_iter().collect();
    }

    /// Draws each request's fault from `schedule` (after any plan); `None` stops.
    pub fn random_faults(&self, schedule: Option<RandomFaults>) {
        lock(&self.state).random = schedule;
    }

    /// Latency added in each direction of every request (the link's one-way delay).
    pub fn set_latency(&self, latency: Duration) {
        lock(&self.state).shaper.link.one_way = latency;
    }

    /// Emulates `link` from now on; `seed` drives its segment losses.
    pub fn set_link(&self, link: Link, seed: u64) {
        lock(&self.state).shaper = Shaper::new(link, seed);
    }

    /// Points the proxy at another server (e.g. after a restart on a new port).
    pub fn set_upstream(&self, upstream: SocketAddr) {
        lock(&self.state).upstream = upstream;
    }

    /// Cuts the link after every `bytes` request bytes (heads and bodies, all
    /// connections): the request in flight is forwarded only up to the cut, and both
    /// connections are closed. `None` stops cutting.
    pub fn cut_every(&self, bytes: Option<u64>) {
        self.cut_schedule(bytes.into_iter().collect());
    }

    /// Like [`Proxy::cut_every`] with a different budget before each cut (cycling).
    pub fn cut_schedule(&self, budgets: Vec<u64>) {
        let mut s = lock(&self.state);
        s.cuts = budgets.into_iter().filter(|b| *b > 0).collect();
        s.cut_index = 0;
        s.since_cut = 0;
    }

    /// Flips one byte of the body of the next request whose line starts with
    /// `prefix` (e.g. `PUT /v1/attachments/`), once.
    pub fn corrupt_next(&self, prefix: &str) {
        lock(&self.state).corrupt = Some(prefix.to_string());
    }

    /// Every request seen so far, in order.
    pub fn log(&self) -> Vec<Logged> {
        lock(&self.state).log.clone()
    }

    /// What was counted so far.
    pub fn counts(&self) -> Counts {
        lock(&self.state).counts.clone()
    }

    /// Sets the counters back to zero.
    pub fn reset_counts(&self) {
        let mut s = lock(&self.state);
        s.counts = Counts::default();
        s.shaper.lost_segments = 0;
    }
}

async fn pause(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}

/// Closes a client connection with a TCP reset instead of a clean close.
fn reset(read: OwnedReadHalf, write: OwnedWriteHalf) {
    if let Ok(stream) = read.reunite(write) {
        let _ = stream.set_zero_linger();
    }
}

/// The answer of a fault that answers in the server's place.
fn canned(fault: Fault) -> Vec<u8> {
    let (status, retry_after, content_type, body): (String, Option<u32>, &str, &str) = match fault {
        Fault::Unavailable => (
            "503 Service Unavailable".into(),
            Some(0),
            "application/json",
            r#"{"code":"server.unavailable","message":"try later"}"#,
        ),
        Fault::ServerError {
            status: 502,
            retry_after,
        } => (
            // A gateway in front of the server answers in HTML.
            "502 Bad Gateway".into(),
            retry_after,
            "text/html",
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        ),
        Fault::ServerError {
            status,
            retry_after,
        } => (
            format!("{status} Server Error"),
            retry_after,
            "application/json",
            r#"{"code":"server.error","message":"something broke"}"#,
        ),
        Fault::RateLimited(secs) => (
            "429 Too Many Requests".into(),
            Some(secs),
            "application/json",
            r#"{"code":"rate_limited","message":"slow down"}"#,
        ),
        _ => (
            "200 OK".into(),
            None,
            "application/json",
            "<html>captive portal</html>",
        ),
    };
    let retry = retry_after.map_or(String::new(), |s| format!("retry-after: {s}\r\n"));
    let mut answer = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\n{retry}content-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(body.as_bytes());
    answer
}

async fn serve(client: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let (connection, handshake) = {
        let mut s = lock(&state);
        s.counts.connections += 1;
        s.next_connection += 1;
        (s.next_connection, s.shaper.handshake())
    };
    pause(handshake).await;
    let (client_read, mut client_write) = client.into_split();
    let mut client_read = BufReader::new(client_read);
    let mut upstream: Option<(BufReader<OwnedReadHalf>, OwnedWriteHalf)> = None;
    loop {
        let Some(head) = wire::read_head(&mut client_read).await? else {
            return Ok(());
        };
        let line = wire::request_line(&head.raw);
        // The fault is chosen before the body crosses, so a reset can come first.
        let (fault, log_index) = {
            let mut s = lock(&state);
            s.counts.requests += 1;
            let log_index = s.log.len();
            s.log.push(Logged {
                line: line.clone(),
                status: None,
                connection,
                bytes_up: 0,
                bytes_down: 0,
            });
            (s.next_fault(), log_index)
        };
        if fault == Fault::ResetBeforeBody {
            let mut s = lock(&state);
            s.counts.bytes_up += head.raw.len() as u64;
            if let Some(entry) = s.log.get_mut(log_index) {
                entry.bytes_up = head.raw.len() as u64;
            }
            drop(s);
            reset(client_read.into_inner(), client_write);
            return Ok(());
        }
        let mut request = wire::read_body(&mut client_read, head).await?;
        let is_batch = request.starts_with(b"POST /v1/submissions/batch");
        let (target, cut_at, up_delay) = {
            let mut s = lock(&state);
            // A cut: only the bytes before it cross the link.
            let mut cut_at = None;
            if !s.cuts.is_empty() {
                let budget = s.cuts[s.cut_index % s.cuts.len()];
                if s.since_cut + request.len() as u64 > budget {
                    cut_at = Some((budget - s.since_cut) as usize);
                    s.since_cut = 0;
                    s.cut_index += 1;
                    s.counts.cuts += 1;
                } else {
                    s.since_cut += request.len() as u64;
                }
            }
            let crossed = cut_at.unwrap_or(request.len()) as u64;
            s.counts.bytes_up += crossed;
            if let Some(entry) = s.log.get_mut(log_index) {
                entry.bytes_up = crossed;
            }
            if s.corrupt.as_deref().is_some_and(|p| line.starts_with(p))
                && cut_at.is_none()
                && wire::body_len(&request) > 0
            {
                s.corrupt = None;
                s.counts.corrupted += 1;
                if let Some(last) = request.last_mut() {
                    *last ^= 0x5A;
                }
            }
            if is_batch {
                s.counts.batch_requests += 1;
                s.counts.batch_bytes_up += request.len() as u64;
            }
            if fault.forwards() && cut_at.is_none() {
                s.counts.forwarded += 1;
            }
            let up_delay = s.delay(Direction::Up, request.len());
            (s.upstream, cut_at, up_delay)
        };
        if let Some(at) = cut_at {
            // Forward what crossed before the cut, then drop both sides.
            if let Ok(mut up) = TcpStream::connect(target).await {
                let _ = up.write_all(&request[..at.min(request.len())]).await;
            }
            return Ok(());
        }
        pause(up_delay).await;
        match fault {
            Fault::Stall => {
                tokio::time::sleep(Duration::from_secs(120)).await;
                return Ok(());
            }
            Fault::Unavailable
            | Fault::ServerError { .. }
            | Fault::RateLimited(_)
            | Fault::Garbage => {
                let answer = canned(fault);
                let down_delay = {
                    let mut s = lock(&state);
                    s.counts.bytes_down += answer.len() as u64;
                    if let Some(entry) = s.log.get_mut(log_index) {
                        entry.status = wire::status_of(&answer);
                        entry.bytes_down = answer.len() as u64;
                    }
                    s.delay(Direction::Down, answer.len())
                };
                pause(down_delay).await;
                client_write.write_all(&answer).await?;
                continue;
            }
            Fault::Pass | Fault::DropResponse | Fault::CutResponse | Fault::ResetBeforeBody => {}
        }
        if upstream.is_none() {
            let s = TcpStream::connect(target).await?;
            let (r, w) = s.into_split();
            upstream = Some((BufReader::new(r), w));
        }
        let Some((up_read, up_write)) = upstream.as_mut() else {
            return Ok(());
        };
        up_write.write_all(&request).await?;
        let Some(response) = wire::read_message(up_read).await? else {
            return Ok(());
        };
        if fault == Fault::DropResponse {
            // The server has answered (and committed); the client sees a closed connection.
            return Ok(());
        }
        // A cut answer: half of the body, or half of the head when there is none.
        let sent = if fault == Fault::CutResponse {
            let head = wire::head_len(&response);
            if response.len() > head + 1 {
                head + (response.len() - head) / 2
            } else {
                head / 2
            }
        } else {
            response.len()
        };
        let down_delay = {
            let mut s = lock(&state);
            s.counts.bytes_down += sent as u64;
            if is_batch {
                s.counts.batch_bytes_down += sent as u64;
            }
            if let Some(entry) = s.log.get_mut(log_index) {
                entry.bytes_down = sent as u64;
                if fault == Fault::Pass {
                    entry.status = wire::status_of(&response);
                }
            }
            s.delay(Direction::Down, sent)
        };
        pause(down_delay).await;
        client_write.write_all(&response[..sent]).await?;
        if fault == Fault::CutResponse {
            client_write.flush().await?;
            return Ok(());
        }
    }
}
