//! `Connection: close` on the answer to a request whose body was not read to its
//! end (refused before reading: no token, wrong encoding, over a limit, past the
//! deadline).
//!
//! hyper closes such a connection after the answer (the unread rest cannot be
//! taken for the next request), but it decides that only after the answer's
//! head is written, so the head still promised keep-alive; a client that reused
//! the connection in that moment got no answer at all (reqwest's
//! `IncompleteMessage`, the abuse test saw it in the gate). Saying `close` in the
//! head makes the client open a new connection instead.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header::{CONNECTION, CONTENT_LENGTH, TRANSFER_ENCODING};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use hyper::body::{Body as HttpBody, Frame, SizeHint};

/// Runs the request with its body watched; answers with `Connection: close` when
/// the body had bytes and was not read to its end.
pub async fn close_when_unread(req: Request, next: Next) -> Response {
    if !has_body(req.headers()) {
        return next.run(req).await;
    }
    let ended = Arc::new(AtomicBool::new(false));
    let watched = Arc::clone(&ended);
    let req = req.map(|inner| {
        Body::new(Watched {
            inner,
            ended: watched,
        })
    });
    let mut response = next.run(req).await;
    if !ended.load(Ordering::Acquire) {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Whether the request announces body bytes (chunked, or a length above zero).
fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(TRANSFER_ENCODING)
        || headers
            .get(CONTENT_LENGTH)
            .is_some_and(|v| v.to_str().map_or(true, |v| v.trim() != "0"))
}

/// A request body that records when it has been read to its end.
struct Watched {
    inner: Body,
    ended: Arc<AtomicBool>,
}

impl HttpBody for Watched {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.ended.store(true, Ordering::Release);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    // Test code: a failed unwrap is a failed test.
    #![allow(clippy::unwrap_used)]

    use axum::routing::post;
    use axum::Router;
    use tower::ServiceExt;

    use super::*;

    async fn answer(router: Router, headers: &[(&str, &str)], body: &'static str) -> Response {
        let mut req = Request::post("/").body(Body::from(body)).unwrap();
        for (k, v) in headers {
            req.headers_mut().insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        router
            .layer(axum::middleware::from_fn(close_when_unread))
            .oneshot(req)
            .await
            .unwrap()
    }

    fn closes(r: &Response) -> bool {
        r.headers().get(CONNECTION).is_some_and(|v| v == "close")
    }

    #[tokio::test]
    async fn an_unread_body_closes_and_a_read_or_absent_one_does_not() {
        let refuses = Router::new().route("/", post(|| async { "refused unread" }));
        let reads = Router::new().route("/", post(|body: Bytes| async move { body }));
        let len = [("content-length", "5")];
        assert!(closes(&answer(refuses.clone(), &len, "hello").await));
        let chunked = [("transfer-encoding", "chunked")];
        assert!(closes(&answer(refuses.clone(), &chunked, "hello").await));
        assert!(!closes(&answer(reads.clone(), &len, "hello").await));
        assert!(!closes(&answer(reads, &chunked, "hello").await));
        // Nothing announced, nothing to leave unread.
        assert!(!closes(
            &answer(refuses.clone(), &[("content-length", "0")], "").await
        ));
        assert!(!closes(&answer(refuses, &[], "").await));
    }
}
