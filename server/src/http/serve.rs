//! The accept loop: at most `max_connections` HTTP/1.1 connections at once (the
//! next waits in the listen backlog), a deadline on request headers (slow or idle
//! clients are cut), the peer's address handed to the router for the rate limits,
//! and a graceful shutdown that waits for the requests in flight.
//!
//! A request head hyper cannot parse never reaches the router: hyper answers it
//! itself (400, or 431/414 for an over-long head or URI) with an empty body and
//! closes the connection. That includes a negative or overflowing
//! `Content-Length`, refused while the head is parsed (hyper's
//! `proto::h1::role::Server::parse`, `Parse::Header(ContentLengthInvalid)`), before
//! any service or layer exists for the request; hyper 1 has no hook to replace that
//! answer, so it carries no error code. What this module can do is count and log
//! it like every other request (route `unparsed`), from the connection's error.
//!
//! A connection ends with a lingering close (as nginx's `lingering_close`): the
//! answer is sent, the write side is shut, and what the client still sends is read
//! and dropped for a while before the socket is closed. Closing a socket with
//! unread bytes makes the kernel reset the connection, and a client still sending
//! the body of a refused request (a 401 before the body is read, a 413 from the
//! declared length, a chunk refused for its encoding) lost the answer in the
//! reset: reqwest reported "error sending request", a client that writes the
//! whole body before reading (OkHttp) fails its write.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Method;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch, OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

use crate::http::middleware::Observers;

/// Serves `app` on `listener` until `stop` fires (or its sender is dropped), then
/// lets open connections finish their request and returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    max_connections: usize,
    observers: Observers,
    mut stop: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    // Connections hold a receiver: when all are gone, every connection has ended.
    let (closed_tx, closed_rx) = watch::channel(());
    let (stopping_tx, stopping_rx) = watch::channel(false);
    // One permit per open connection. Without one the loop does not accept, so
    // further clients queue in the kernel's backlog (and past it are refused)
    // instead of costing a task, buffers and a file descriptor each.
    let slots = Arc::new(Semaphore::new(max_connections.max(1)));
    loop {
        let permit = tokio::select! {
            _ = &mut stop => break,
            permit = Arc::clone(&slots).acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, remote)) => {
                    let conn = Connection {
                        app: app.clone(),
                        remote,
                        header_timeout,
                        observers: observers.clone(),
                        stopping: stopping_rx.clone(),
                        _closed: closed_rx.clone(),
                        _slot: permit,
                    };
                    tokio::spawn(conn.run(stream));
                }
                // Out of file descriptors and the like: wait instead of spinning.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
    drop(listener);
    let _ = stopping_tx.send(true);
    drop(closed_rx);
    closed_tx.closed().await;
    Ok(())
}

struct Connection {
    app: Router,
    remote: SocketAddr,
    header_timeout: Duration,
    observers: Observers,
    stopping: watch::Receiver<bool>,
    _closed: watch::Receiver<()>,
    // Given back when the connection ends.
    _slot: OwnedSemaphorePermit,
}

impl Connection {
    async fn run(mut self, stream: TcpStream) {
        let _ = stream.set_nodelay(true);
        let remote = self.remote;
        let app = self.app.clone();
        // Boxed: `poll_without_shutdown` needs an `Unpin` future.
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(remote));
            Box::pin(app.clone().oneshot(req.map(Body::new)))
        });
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            // Covers the wait for the next request on a kept-alive connection too.
            .header_read_timeout(self.header_timeout)
            .keep_alive(true);
        // Without shutdown: the socket comes back for the lingering close.
        let mut conn = builder.serve_connection(TokioIo::new(stream), service);
        let stopping = async {
            // The guard `wait_for` returns is not Send: drop it before awaiting again.
            let _ = self.stopping.wait_for(|s| *s).await.map(|_| ());
        };
        let finished = tokio::select! {
            result = std::future::poll_fn(|cx| conn.poll_without_shutdown(cx)) => Some(result),
            _ = stopping => None,
        };
        let result = match finished {
            Some(result) => result,
            None => {
                std::pin::Pin::new(&mut conn).graceful_shutdown();
                std::future::poll_fn(|cx| conn.poll_without_shutdown(cx)).await
            }
        };
        if let Err(e) = &result {
            match automatic_status(e) {
                Some(status) => unparsed(&self.observers, status, e),
                None => tracing::debug!(error = %e, "connection ended with an error"),
            }
        }
        linger(conn.into_parts().io.into_inner()).await;
    }
}

/// Most bytes read and dropped in a lingering close.
const LINGER_AT_MOST: usize = 16 << 20;
/// A client that sends nothing for this long after the answer is not waited for.
const LINGER_IDLE: Duration = Duration::from_secs(1);
/// Nor is one that is still sending after this long.
const LINGER_TOTAL: Duration = Duration::from_secs(10);

/// Shuts the write side (the answer is complete: the client reads it and then the
/// end) and reads and drops what still arrives until the client closes, stops
/// sending for [`LINGER_IDLE`], or passes [`LINGER_AT_MOST`] bytes or
/// [`LINGER_TOTAL`]; then the socket is closed with nothing unread, in the usual
/// case, so the kernel ends it with a FIN instead of a reset.
async fn linger(mut stream: TcpStream) {
    if stream.shutdown().await.is_err() {
        return;
    }
    let deadline = tokio::time::Instant::now() + LINGER_TOTAL;
    let mut buf = vec![0u8; 64 << 10];
    let mut read = 0usize;
    while read < LINGER_AT_MOST {
        let idle = tokio::time::Instant::now() + LINGER_IDLE;
        match tokio::time::timeout_at(idle.min(deadline), stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => read += n,
            _ => return,
        }
    }
}

/// The status hyper answered on its own for a request head it could not parse
/// (see the module's documentation), or `None` when it answered nothing.
pub fn automatic_status(e: &hyper::Error) -> Option<u16> {
    if !e.is_parse() {
        return None;
    }
    let text = e.to_string();
    if e.is_parse_too_large() {
        return Some(if text.contains("URI too long") {
            414
        } else {
            431
        });
    }
    // hyper sends nothing for these: an HTTP/2 preface or its own bug.
    if text.contains("HTTP2 preface") || text.contains("internal error") {
        return None;
    }
    Some(400)
}

/// Counts and logs a request hyper answered itself, as the request log does for
/// the router's answers (no route, no participant: the head was not readable).
fn unparsed(observers: &Observers, status: u16, e: &hyper::Error) {
    observers.stats.answered(status);
    let method = Method::from_bytes(b"UNPARSED").unwrap_or_default();
    observers
        .metrics
        .request(&method, UNPARSED, status, Duration::ZERO);
    // A bad Content-Length gets the code the router would give it (CODES); other
    // unreadable heads have no code of their own: the error text says what it was.
    let code = if e.to_string().contains("content-length") {
        "request.bad_content_length"
    } else {
        ""
    };
    tracing::info!(
        method = "?",
        route = UNPARSED,
        status,
        code,
        error = %e,
        participant = "",
        "request"
    );
}

/// The route label of requests whose head hyper could not parse.
pub const UNPARSED: &str = "unparsed";
