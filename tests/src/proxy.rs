//! A tiny HTTP/1.1 proxy on loopback that can lose answers, answer 503, stall or
//! add latency, one request at a time, and counts the bytes that cross it.
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
}

#[derive(Debug)]
struct State {
    upstream: SocketAddr,
    plan: VecDeque<Fault>,
    latency: Duration,
    counts: Counts,
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
        let Some(request) = read_message(&mut client_read).await? else {
            return Ok(());
        };
        let is_batch = request.starts_with(b"POST /v1/submissions/batch");
        let (fault, latency, target) = {
            let mut s = lock(&state);
            s.counts.requests += 1;
            s.counts.bytes_up += request.len() as u64;
            if is_batch {
                s.counts.batch_requests += 1;
                s.counts.batch_bytes_up += request.len() as u64;
            }
            let fault = s.plan.pop_front().unwrap_or(Fault::Pass);
            if matches!(fault, Fault::Pass | Fault::DropResponse) {
                s.counts.forwarded += 1;
            }
            (fault, s.latency, s.upstream)
        };
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
                lock(&state).counts.bytes_down += answer.len() as u64;
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
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        {
            let mut s = lock(&state);
            s.counts.bytes_down += response.len() as u64;
            if is_batch {
                s.counts.batch_bytes_down += response.len() as u64;
            }
        }
        client_write.write_all(&response).await?;
    }
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
