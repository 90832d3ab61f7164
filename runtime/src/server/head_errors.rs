//! hyper answers a request head it cannot read by itself, before any of our code runs, and with an
//! empty body: 431 when the head outgrows its read buffer (about 400 KB), 414 when the URI is
//! longer than it reads (65,534 bytes). The application never answers either status, so this
//! writer recognises those answers on their way out and sends the same status as problem+json,
//! as every other error is; the rest of the connection's output passes through untouched.

use super::problem::Problem;
use axum::http::StatusCode;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection's stream, with hyper's own 414 and 431 answers replaced.
#[derive(Debug)]
pub struct HeadErrors<S> {
    inner: S,
    /// The problem+json answer sent instead of hyper's, and how much of it is out; once it is all
    /// out, whatever hyper writes after (nothing: it closes the connection) is dropped.
    replacing: Option<(Vec<u8>, usize)>,
}

impl<S> HeadErrors<S> {
    pub fn new(inner: S) -> Self {
        Self { inner, replacing: None }
    }
}

/// The answer to send instead of `written`, when `written` starts hyper's 414 or 431.
fn replacement(written: &[u8]) -> Option<Vec<u8>> {
    let (status, detail) = [
        (
            StatusCode::URI_TOO_LONG,
            "The URL is longer than the server reads (65,534 bytes): send fewer or shorter conditions.",
        ),
        (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "The request's headers are larger than the server reads (about 400 KB).",
        ),
    ]
    .into_iter()
    .find(|(status, _)| {
        let line = format!(" {} ", status.as_str());
        [&b"HTTP/1.1"[..], &b"HTTP/1.0"[..]]
            .iter()
            .any(|version| written.starts_with(version) && written[version.len()..].starts_with(line.as_bytes()))
    })?;
    let body = Problem::new(status, detail).body();
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        status.as_str(),
        status.canonical_reason().unwrap_or_default(),
        body.len()
    );
    Some([head.into_bytes(), body].concat())
}

impl<S: AsyncWrite + Unpin> HeadErrors<S> {
    /// Whether output is being replaced, starting now when `start` begins hyper's 414 or 431.
    fn replaces(&mut self, start: &[u8]) -> bool {
        if self.replacing.is_none() {
            self.replacing = replacement(start).map(|bytes| (bytes, 0));
        }
        self.replacing.is_some()
    }

    /// Writes what is left of the replacement, if any.
    fn poll_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Some((bytes, sent)) = &mut self.replacing else { return Poll::Ready(Ok(())) };
        while *sent < bytes.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *sent += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HeadErrors<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeadErrors<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if !this.replaces(buf) {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        }
        ready!(this.poll_replacement(cx))?;
        Poll::Ready(Ok(buf.len()))
    }

    // Vectored writes pass through too (hyper then sends bodies without copying them): the head is
    // the first slice of a response.
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let first = bufs.iter().find(|b| !b.is_empty()).map_or(&[][..], |b| &b[..]);
        if !this.replaces(first) {
            return Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        }
        ready!(this.poll_replacement(cx))?;
        Poll::Ready(Ok(bufs.iter().map(|b| b.len()).sum()))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_replacement(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_replacement(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::replacement;

    #[test]
    fn only_hypers_414_and_431_are_replaced() {
        let answer = replacement(b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n").unwrap();
        let text = String::from_utf8(answer).unwrap();
        assert!(text.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"), "{text}");
        assert!(text.contains("content-type: application/problem+json\r\n"), "{text}");
        let body = text.split("\r\n\r\n").nth(1).unwrap();
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["status"], 431);
        assert!(replacement(b"HTTP/1.0 414 URI Too Long\r\n\r\n").is_some());
        assert!(replacement(b"HTTP/1.1 200 OK\r\n\r\n").is_none());
        assert!(replacement(b"HTTP/1.1 4310 x").is_none());
        assert!(replacement(b"{\"HTTP/1.1 431 \"}").is_none());
    }
}
