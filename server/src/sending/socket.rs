//! A connection's socket, telling its [`Sending`] since when it has taken
//! none of what the server wrote (the kernel's buffer full, its client
//! reading nothing): a write that must wait starts the time, one that goes
//! through stops it. Writes that go through at once, nearly all of them, touch
//! nothing shared.

use super::Sending;
use std::io::{self, IoSlice};
use std::os::fd::RawFd;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

pub struct Socket<S> {
    inner: S,
    sending: Arc<Sending>,
    /// Whether the last write had to wait.
    blocked: bool,
}

impl<S> Socket<S> {
    pub fn new(inner: S, sending: Arc<Sending>) -> Self {
        Socket {
            inner,
            sending,
            blocked: false,
        }
    }

    fn note<T>(&mut self, written: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match (&written, self.blocked) {
            (Poll::Pending, false) => {
                self.blocked = true;
                self.sending.blocked(Instant::now());
            }
            (Poll::Ready(_), true) => {
                self.blocked = false;
                self.sending.unblocked(Instant::now());
            }
            _ => {}
        }
        written
    }
}

/// Bytes the socket `fd` holds that its client has not acknowledged yet
/// (Linux's `SIOCOUTQ`), if it can tell.
#[cfg(target_os = "linux")]
pub(super) fn unsent(fd: RawFd) -> Option<usize> {
    let mut unsent: libc::c_int = 0;
    // SAFETY: TIOCOUTQ writes one int through the pointer, which points at
    // one; on a descriptor that is not a socket it fails and writes nothing.
    let asked = unsafe { libc::ioctl(fd, libc::TIOCOUTQ, &mut unsent) };
    if asked == 0 {
        usize::try_from(unsent).ok()
    } else {
        None
    }
}

#[cfg(not(target_os = "linux"))]
pub(super) fn unsent(_: RawFd) -> Option<usize> {
    None
}

/// Makes the socket `fd` end with a reset when it is closed, what it holds
/// unsent thrown away (`SO_LINGER` of zero): closed the usual way, the
/// kernel would go on offering it to a client that reads nothing, megabytes a
/// connection, for as long as the client keeps its end open.
pub(super) fn reset_on_close(fd: RawFd) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    let size = std::mem::size_of::<libc::linger>() as libc::socklen_t;
    // SAFETY: the option's value is read from the pointer for `size` bytes,
    // which is the `linger` it points at; on a descriptor that is not a socket
    // the call fails and changes nothing. A linger of zero never blocks close.
    let _ = unsafe { libc::setsockopt(fd, libc::SOL_SOCKET, libc::SO_LINGER, (&raw const linger).cast(), size) };
}

impl<S: AsyncRead + Unpin> AsyncRead for Socket<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Socket<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.note(written)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.note(written)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    /// Not noted: a socket's flush sends nothing (a TCP stream's is done at
    /// once), so it says nothing of whether a waiting write went through.
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::time::Duration;

    #[tokio::test]
    async fn a_write_that_waits_counts_until_one_goes_through() {
        let timeout = Duration::from_secs(30);
        let sending = Arc::new(Sending::default());
        let (near, mut far) = tokio::io::duplex(64);
        let mut socket = Socket::new(near, sending.clone());
        socket.write_all(&[b'x'; 64]).await.expect("room for it");
        assert!(
            !sending.stalled(Instant::now() + timeout * 2, timeout),
            "nothing waited"
        );
        // Full: the next write waits, and so the socket counts as waiting.
        let mut cx = Context::from_waker(futures::task::noop_waker_ref());
        assert!(Pin::new(&mut socket).poll_write(&mut cx, b"more").is_pending());
        assert!(!sending.stalled(Instant::now() + timeout / 2, timeout));
        assert!(sending.stalled(Instant::now() + timeout * 2, timeout));
        // The far end reads: the write goes through and nothing waits.
        let mut taken = [0u8; 64];
        far.read_exact(&mut taken).await.expect("read");
        socket.write_all(b"more").await.expect("room again");
        assert!(!sending.stalled(Instant::now() + timeout * 2, timeout));
    }

    #[tokio::test]
    async fn a_socket_that_sends_a_piece_while_a_write_waits_is_not_stalled() {
        let timeout = Duration::from_secs(30);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let client = tokio::net::TcpSocket::new_v4().expect("socket");
        client.set_recv_buffer_size(4096).expect("a small buffer");
        let mut far = client
            .connect(listener.local_addr().expect("addr"))
            .await
            .expect("connect");
        let (near, _) = listener.accept().await.expect("accept");
        let sending = Arc::new(Sending::on_socket(std::os::fd::AsRawFd::as_raw_fd(&near)));
        let mut socket = Socket::new(near, sending.clone());
        // Written until a write must wait: the kernel's buffer is full.
        let mut cx = Context::from_waker(futures::task::noop_waker_ref());
        let chunk = vec![b'x'; 64 << 10];
        while let Poll::Ready(written) = Pin::new(&mut socket).poll_write(&mut cx, &chunk) {
            written.expect("written");
        }
        let start = Instant::now();
        assert!(sending.stalled(start + timeout * 2, timeout), "nothing sent since");
        // The client reads 64 KiB: the socket sends them on, though its write
        // still waits (the kernel lets it through only once far more is free).
        let mut taken = vec![0u8; 64 << 10];
        far.read_exact(&mut taken).await.expect("read");
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!sending.stalled(start + timeout * 2, timeout), "a piece went out");
        assert!(sending.stalled(start + timeout * 4, timeout), "and nothing since");
    }
}
