//! Just enough HTTP/1.1 for the proxy: read a message's head, then its body
//! (Content-Length or chunked), as raw bytes, to tell requests apart on a
//! kept-alive connection; and read a request's line and a response's status.

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

/// A message's head as read, with how its body is framed.
#[derive(Debug)]
pub(crate) struct Head {
    /// The raw bytes read so far (the head, then the body once read).
    pub raw: Vec<u8>,
    content_length: usize,
    chunked: bool,
}

/// Reads one message's head; `None` at a clean EOF.
pub(crate) async fn read_head<R: AsyncBufRead + Unpin>(r: &mut R) -> std::io::Result<Option<Head>> {
    let mut head = Head {
        raw: Vec::new(),
        content_length: 0,
        chunked: false,
    };
    let mut first = true;
    loop {
        let mut line = Vec::new();
        let n = r.read_until(b'\n', &mut line).await?;
        if n == 0 {
            return if head.raw.is_empty() {
                Ok(None)
            } else {
                Err(std::io::ErrorKind::UnexpectedEof.into())
            };
        }
        head.raw.extend_from_slice(&line);
        let text = String::from_utf8_lossy(&line).to_ascii_lowercase();
        if first {
            first = false;
            continue;
        }
        if text == "\r\n" || text == "\n" {
            return Ok(Some(head));
        }
        if let Some(v) = text.strip_prefix("content-length:") {
            head.content_length = v.trim().parse().unwrap_or(0);
        }
        if text.starts_with("transfer-encoding:") && text.contains("chunked") {
            head.chunked = true;
        }
    }
}

/// Reads the body that `head` announces; returns the whole raw message.
pub(crate) async fn read_body<R: AsyncBufRead + Unpin>(
    r: &mut R,
    head: Head,
) -> std::io::Result<Vec<u8>> {
    let mut raw = head.raw;
    if head.chunked {
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
    } else if head.content_length > 0 {
        let mut body = vec![0u8; head.content_length];
        r.read_exact(&mut body).await?;
        raw.extend_from_slice(&body);
    }
    Ok(raw)
}

/// Reads one whole message; `None` at a clean EOF.
pub(crate) async fn read_message<R: AsyncBufRead + Unpin>(
    r: &mut R,
) -> std::io::Result<Option<Vec<u8>>> {
    match read_head(r).await? {
        Some(head) => read_body(r, head).await.map(Some),
        None => Ok(None),
    }
}

/// `METHOD PATH` of a raw request.
pub(crate) fn request_line(request: &[u8]) -> String {
    let end = request
        .iter()
        .position(|b| *b == b'\r' || *b == b'\n')
        .unwrap_or(request.len());
    let line = String::from_utf8_lossy(&request[..end]);
    line.rsplit_once(' ')
        .map(|(head, _)| head.to_string())
        .unwrap_or_else(|| line.to_string())
}

/// Bytes of the head of a raw message (through the empty line).
pub(crate) fn head_len(message: &[u8]) -> usize {
    message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(message.len(), |p| p + 4)
}

/// Bytes after the head of a raw message.
pub(crate) fn body_len(message: &[u8]) -> usize {
    message.len() - head_len(message)
}

/// The status code of a raw response.
pub(crate) fn status_of(response: &[u8]) -> Option<u16> {
    let text = String::from_utf8_lossy(&response[..response.len().min(32)]).to_string();
    text.split(' ').nth(1).and_then(|s| s.parse().ok())
}
