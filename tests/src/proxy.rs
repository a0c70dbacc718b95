//! A tiny HTTP/1.1 proxy on loopback that can lose answers, answer 503, stall,
//! add latency, cut the link mid-body every N bytes and corrupt a body, one
//! request at a time; it counts the bytes that cross it and logs each request.
//! It understands just enough HTTP (Content-Length and chunked bodies) to tell
//! requests apart on a kept-alive connection.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward it and return the answer.
    Pass,
    /// Forward it, let the server answer, then close the client's connection
    /// without the answer (the server committed; the client never knows).
    DropResponse,
    /// Answer 503 with `Retry-After: 0` without forwarding.
    Unavailable,
    /// Forward nothing and answer nothing until the client gives up.
    Stall,
    /// Answer 429 with `Retry-After` of this many seconds, without forwarding.
    RateLimited(u32),
    /// Answer 200 with a body that is not JSON, without forwarding.
    Garbage,
}

/// What the proxy counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
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
    /// Times the link was cut mid-request.
    pub cuts: usize,
    /// Request bodies corrupted on purpose.
    pub corrupted: usize,
}

/// One request as the proxy saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// The request line without the version, e.g. `PUT /v1/attachments/…/chunks/3`.
    pub line: String,
    /// The status the client received; `None` when it received no answer.
    pub status: Option<u16>,
}

#[derive(Debug)]
struct State {
    upstream: SocketAddr,
    plan: VecDeque<Fault>,
    latency: Duration,
    counts: Counts,
    /// Link budgets: after `cuts[i]` request bytes the link is cut mid-request, then
    /// the next budget applies (cycling). Empty: never cut.
    cuts: Vec<u64>,
    cut_index: usize,
    since_cut: u64,
    /// Corrupt the body of the next request whose line starts with this.
    corrupt: Option<String>,
    log: Vec<Logged>,
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
            latency: Duration::ZERO,
            counts: Counts::default(),
            cuts: Vec::new(),
            cut_index: 0,
            since_cut: 0,
            corrupt: None,
            log: Vec::new(),
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

    /// Faults for the next requests, in order; afterwards requests pass.
    pub fn plan(&self, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.state).plan = faults.into_iter().collect();
    }

    /// Latency added in each direction of every request.
    pub fn set_latency(&self, latency: Duration) {
        lock(&self.state).latency = latency;
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
        lock(&self.state).counts
    }

    /// Sets the counters back to zero.
    pub fn reset_counts(&self) {
        lock(&self.state).counts = Counts::default();
    }
}

async fn serve(client: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let (client_read, mut client_write) = client.into_split();
    let mut client_read = BufReader::new(client_read);
    let mut upstream: Option<(
        BufReader<tokio::net::tcp::OwnedReadHalf>,
        tokio::net::tcp::OwnedWriteHalf,
    )> = None;
    loop {
        let Some(mut request) = read_message(&mut client_read).await? else {
            return Ok(());
        };
        let is_batch = request.starts_with(b"POST /v1/submissions/batch");
        let line = request_line(&request);
        let (fault, latency, target, cut_at, log_index) = {
            let mut s = lock(&state);
            s.counts.requests += 1;
            let log_index = s.log.len();
            s.log.push(Logged {
                line: line.clone(),
                status: None,
            });
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
            s.counts.bytes_up += cut_at.unwrap_or(request.len()) as u64;
            if s.corrupt.as_deref().is_some_and(|p| line.starts_with(p))
                && cut_at.is_none()
                && body_len(&request) > 0
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
            let fault = s.plan.pop_front().unwrap_or(Fault::Pass);
            if matches!(fault, Fault::Pass | Fault::DropResponse) {
                s.counts.forwarded += 1;
            }
            (fault, s.latency, s.upstream, cut_at, log_index)
        };
        if let Some(at) = cut_at {
            // Forward what crossed before the cut, then drop both sides.
            if let Ok(mut up) = TcpStream::connect(target).await {
                let _ = up.write_all(&request[..at.min(request.len())]).await;
            }
            return Ok(());
        }
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        match fault {
            Fault::Stall => {
                tokio::time::sleep(Duration::from_secs(120)).await;
                return Ok(());
            }
            Fault::Unavailable | Fault::RateLimited(_) | Fault::Garbage => {
                let (status, retry, body): (&str, u32, &[u8]) = match fault {
                    Fault::Unavailable => (
                        "503 Service Unavailable",
                        0,
                        br#"{"code":"server.unavailable","message":"try later"}"#,
                    ),
                    Fault::RateLimited(secs) => (
                        "429 Too Many Requests",
                        secs,
                        br#"{"code":"rate_limited","message":"slow down"}"#,
                    ),
                    _ => ("200 OK", 0, b"<html>captive portal</html>"),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\nretry-after: {retry}\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                );
                let mut answer = head.into_bytes();
                answer.extend_from_slice(body);
                {
                    let mut s = lock(&state);
                    s.counts.bytes_down += answer.len() as u64;
                    if let Some(entry) = s.log.get_mut(log_index) {
                        entry.status = status_of(&answer);
                    }
                }
                client_write.write_all(&answer).await?;
                continue;
            }
            Fault::Pass | Fault::DropResponse => {}
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
        let Some(response) = read_message(up_read).await? else {
            return Ok(());
        };
        if fault == Fault::DropResponse {
            // The server has answered (and committed); the client sees a closed connection.
            return Ok(());
        }
        let status = status_of(&response);
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        {
            let mut s = lock(&state);
            s.counts.bytes_down += response.len() as u64;
            if is_batch {
                s.counts.batch_bytes_down += response.len() as u64;
            }
            if let Some(entry) = s.log.get_mut(log_index) {
                entry.status = status;
            }
        }
        client_write.write_all(&response).await?;
    }
}

/// `METHOD PATH` of a raw request.
fn request_line(request: &[u8]) -> String {
    let end = request
        .iter()
        .position(|b| *b == b'\r' || *b == b'\n')
        .unwrap_or(request.len());
    let line = String::from_utf8_lossy(&request[..end]);
    line.rsplit_once(' ')
        .map(|(head, _)| head.to_string())
        .unwrap_or_else(|| line.to_string())
}

/// Bytes after the head of a raw message.
fn body_len(message: &[u8]) -> usize {
    message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(0, |p| message.len() - p - 4)
}

/// The status code of a raw response.
fn status_of(response: &[u8]) -> Option<u16> {
    let text = String::from_utf8_lossy(&response[..response.len().min(32)]).to_string();
    text.split(' ').nth(1).and_then(|s| s.parse().ok())
}

/// Reads one HTTP/1.1 message (head and body) as raw bytes; `None` at a clean EOF.
async fn read_message<R: tokio::io::AsyncBufRead + Unpin>(
    r: &mut R,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut raw = Vec::new();
    let mut content_length = 0usize;
    let mut chunked = false;
    let mut first = true;
    loop {
        let mut line = Vec::new();
        let n = r.read_until(b'\n', &mut line).await?;
        if n == 0 {
            return if raw.is_empty() {
                Ok(None)
            } else {
                Err(std::io::ErrorKind::UnexpectedEof.into())
            };
        }
        raw.extend_from_slice(&line);
        let text = String::from_utf8_lossy(&line).to_ascii_lowercase();
        if first {
            first = false;
            continue;
        }
        if text == "\r\n" || text == "\n" {
            break;
        }
        if let Some(v) = text.strip_prefix("content-length:") {
            content_length = v.trim().parse().unwrap_or(0);
        }
        if text.starts_with("transfer-encoding:") && text.contains("chunked") {
            chunked = true;
        }
    }
    if chunked {
        loop {
            let mut size_line = Vec::new();
            r.read_until(b'\n', &mut size_line).await?;
            raw.extend_from_slice(&size_line);
            let size_text = String::from_utf8_lossy(&size_line);
            let size = usize::from_str_radix(size_text.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            if size == 0 {
                // Trailers, then an empty line.
                loop {
                    let mut t = Vec::new();
                    let n = r.read_until(b'\n', &mut t).await?;
                    raw.extend_from_slice(&t);
                    if n == 0 || t == b"\r\n" || t == b"\n" {
                        break;
                    }
                }
                break;
            }
            let mut chunk = vec![0u8; size + 2];
            r.read_exact(&mut chunk).await?;
            raw.extend_from_slice(&chunk);
        }
    } else if content_length > 0 {
        let mut body = vec![0u8; content_length];
        r.read_exact(&mut body).await?;
        raw.extend_from_slice(&body);
    }
    Ok(Some(raw))
}
