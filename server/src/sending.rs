//! Answers waiting for their clients. Each answer's body goes out in pieces of
//! at most [`PIECE`] bytes, and its connection's [`Sending`] keeps, for each
//! answer not yet handed on whole, since when it has waited for its client to
//! take the next piece. [`Sending::stalled`] says when one has waited longer
//! than the send timeout (an HTTP/2 window the client never opens, an HTTP/1.1
//! socket it never reads): `serve` then closes the connection, and what the
//! answer holds (its bytes, its request's place in flight) goes with it.
//!
//! What the connection has taken may still wait in its own buffer and the
//! kernel's, for a client that reads nothing more (HTTP/1.1 requests sent
//! one after another, never read): the connection's [`Socket`] tells the same
//! table since when a write has waited for the socket, and that counts as an
//! answer waiting, until the kernel has sent a piece's worth more (it lets a
//! write through only once much of its buffer is free, megabytes on some
//! links, which an honest slow client may take longer than the timeout to
//! read). While a write waits, no answer can be taken, so the answers' own
//! waits are not counted: they go on from where they were once it is through.
//!
//! Time the server takes to make the next piece is not the client's: an
//! answer whose next piece is still being made waits for nobody. The pieces
//! are what make a client's taking visible: the connection asks for the next
//! one only once the one before has gone out to its client, or nearly (HTTP/2
//! hands a piece on once its window has one byte of room, and holds what does
//! not fit; HTTP/1.1 once its write buffer has room). So each frame's last
//! byte goes as a piece of its own: the piece before it, held by the
//! connection, must have gone out before it is asked for, and the answer is
//! watched until then. Without that, an answer of one frame would be handed
//! on whole the moment its client opened its window by a byte, and wait out
//! of sight in the connection's own buffer.

use axum::body::Body;
use hyper::body::{Body as HttpBody, Bytes, Frame, SizeHint};
use std::os::fd::RawFd;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use tokio::time::{Duration, Instant};

mod socket;
pub use socket::Socket;

/// The most of an answer handed on at once: HTTP/2's default frame size, so
/// that a connection holds little beyond what its client has room for.
pub const PIECE: usize = 16 << 10;

/// How long an answer may wait for its client to take its next piece, unless
/// configured: 16 KiB in 30 s is half a kilobyte a second.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// One connection's answers not yet handed on whole.
#[derive(Default)]
pub struct Sending {
    answers: Mutex<Answers>,
    /// The connection's socket, asked how much it holds unsent.
    socket: Option<RawFd>,
}

#[derive(Default)]
struct Answers {
    next: u64,
    /// Each answer's id, and since when it has waited for its client (none
    /// while its next piece is being made). As many as the connection's
    /// streams, so a few.
    waiting: Vec<(u64, Option<Instant>)>,
    /// Since when a write has waited for the socket, or it last sent a piece.
    blocked: Option<Blocked>,
}

struct Blocked {
    /// When the write began to wait.
    from: Instant,
    /// When it began, or the socket last sent a piece's worth on.
    since: Instant,
    /// What the socket held unsent then, if it can tell.
    unsent: Option<usize>,
}

impl Sending {
    /// The table of the connection on the socket `fd`, asked how much it holds
    /// unsent only while the connection is served (so while `fd` is open).
    pub fn on_socket(fd: RawFd) -> Self {
        Sending {
            answers: Mutex::default(),
            socket: Some(fd),
        }
    }

    /// `body`, watched from now until it is dropped, with `held` kept as long.
    pub fn watch<P: Send + Unpin + 'static>(self: &Arc<Self>, body: Body, held: P) -> Body {
        let id = {
            let mut answers = self.answers();
            let id = answers.next;
            answers.next += 1;
            answers.waiting.push((id, Some(Instant::now())));
            id
        };
        Body::new(Answer {
            inner: body,
            rest: Bytes::new(),
            sending: self.clone(),
            id,
            making: false,
            _held: held,
        })
    }

    /// Whether an answer had waited for its client longer than `timeout` at `now`.
    pub fn stalled(&self, now: Instant, timeout: Duration) -> bool {
        let late = |since: Instant| now.saturating_duration_since(since) > timeout;
        let mut answers = self.answers();
        let Some(blocked) = &mut answers.blocked else {
            return answers.waiting.iter().any(|(_, since)| since.is_some_and(late));
        };
        if !late(blocked.since) {
            return false;
        }
        // A piece's worth sent since counts as a piece taken.
        let unsent = self.unsent();
        match (blocked.unsent, unsent) {
            (Some(before), Some(left)) if left.saturating_add(PIECE) <= before => {
                (blocked.since, blocked.unsent) = (now, unsent);
                false
            }
            _ => true,
        }
    }

    /// A write began to wait for the socket at `now`.
    fn blocked(&self, now: Instant) {
        let unsent = self.unsent();
        self.answers().blocked = Some(Blocked {
            from: now,
            since: now,
            unsent,
        });
    }

    /// The waiting write went through at `now`: each answer's wait goes on
    /// from where it was when the write began to wait.
    fn unblocked(&self, now: Instant) {
        let mut answers = self.answers();
        if let Some(blocked) = answers.blocked.take() {
            let paused = now.saturating_duration_since(blocked.from);
            for (_, since) in &mut answers.waiting {
                *since = since.map(|since| (since + paused).min(now));
            }
        }
    }

    /// Makes the connection's socket end with a reset once it is closed,
    /// throwing away what it holds unsent: for a connection closed as stalled.
    pub fn reset_on_close(&self) {
        if let Some(fd) = self.socket {
            socket::reset_on_close(fd);
        }
    }

    fn unsent(&self) -> Option<usize> {
        self.socket.and_then(socket::unsent)
    }

    fn set(&self, id: u64, since: Option<Instant>) {
        if let Some(answer) = self.answers().waiting.iter_mut().find(|(each, _)| *each == id) {
            answer.1 = since;
        }
    }

    fn forget(&self, id: u64) {
        self.answers().waiting.retain(|(each, _)| *each != id);
    }

    fn answers(&self) -> std::sync::MutexGuard<'_, Answers> {
        // Nothing panics with the lock held; a poisoned list is still a list.
        self.answers.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An answer's body, handed on in pieces and watched by its connection.
struct Answer<P> {
    inner: Body,
    /// What is left of the frame being handed on.
    rest: Bytes,
    sending: Arc<Sending>,
    id: u64,
    /// Whether the next piece is being made (the inner body said "not yet").
    making: bool,
    _held: P,
}

impl<P: Send + Unpin + 'static> HttpBody for Answer<P> {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        if !this.rest.is_empty() {
            let piece = next_piece(&mut this.rest);
            this.sending.set(this.id, Some(Instant::now()));
            return Poll::Ready(Some(Ok(Frame::data(piece))));
        }
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match polled {
            Poll::Pending => {
                if !this.making {
                    this.making = true;
                    this.sending.set(this.id, None);
                }
                Poll::Pending
            }
            Poll::Ready(Some(Ok(frame))) => {
                this.making = false;
                this.sending.set(this.id, Some(Instant::now()));
                Poll::Ready(Some(Ok(match frame.into_data() {
                    Ok(data) => {
                        this.rest = data;
                        Frame::data(next_piece(&mut this.rest))
                    }
                    Err(frame) => frame,
                })))
            }
            done => done,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_empty() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let (inner, rest) = (self.inner.size_hint(), self.rest.len() as u64);
        if let Some(exact) = inner.exact() {
            return SizeHint::with_exact(exact + rest);
        }
        let mut hint = SizeHint::new();
        hint.set_lower(inner.lower() + rest);
        if let Some(upper) = inner.upper() {
            hint.set_upper(upper + rest);
        }
        hint
    }
}

/// The next piece of `rest`, taken from it: at most [`PIECE`] bytes, and the
/// last byte alone.
fn next_piece(rest: &mut Bytes) -> Bytes {
    let len = match rest.len() {
        0 | 1 => rest.len(),
        len if len <= PIECE => len - 1,
        _ => PIECE,
    };
    rest.split_to(len)
}

impl<P> Drop for Answer<P> {
    fn drop(&mut self) {
        self.sending.forget(self.id);
    }
}

#[cfg(test)]
mod tests;
