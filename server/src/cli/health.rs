//! `lookout health`: asks a running server whether it can serve, for a
//! container's `HEALTHCHECK` or a probe that runs a command (the image has no
//! curl). One `GET /readyz` (`/healthz` with `--live`) on the address the
//! server listens on, loopback when that is every interface: 200 exits 0;
//! any other answer, none, or none in time exits 1 and says why.

use anyhow::{anyhow, bail, Context, Result};
use http_body_util::{BodyExt, Empty};
use hyper::body::{Bytes, Incoming};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tokio::net::TcpStream;
use tokio::time::{timeout_at, Duration, Instant};

/// The most bytes of an answer's body read, and said, when it is not 200.
const MOST_SAID: usize = 200;
/// The most an answer's head may take (hyper's least).
const MOST_BUFFERED: usize = 8192;

/// Asks the server listening on `addr` and says what it answered, all within `timeout`.
pub(super) async fn run(addr: SocketAddr, live: bool, timeout: Duration) -> Result<()> {
    if addr.port() == 0 {
        bail!("--addr {addr}: port 0 names no server (give the port `serve` listens on)");
    }
    let target = super::args::from_this_machine(addr);
    let path = if live { "/healthz" } else { "/readyz" };
    let url = format!("http://{target}{path}");
    let deadline = Instant::now() + timeout;
    let (status, body, _driven) = timeout_at(deadline, ask(addr, target, path))
        .await
        .map_err(|_| anyhow!("{url}: no answer within {} s", timeout.as_secs()))?
        .with_context(|| url.clone())?;
    if status == 200 {
        // Said if it can be: an output already closed does not make the server unhealthy.
        let _ = say!("{url} answered 200");
        return Ok(());
    }
    // Why, in its own words, as far as they come in time.
    let mut start = Vec::new();
    let _ = timeout_at(deadline, read_start(body, &mut start)).await;
    match printable(&start) {
        said if said.is_empty() => bail!("{url} answered {status}"),
        said => bail!("{url} answered {status} ({said})"),
    }
}

/// The task that drives a connection, ended when this is dropped: on every
/// way out of a check, the deadline's included.
struct Driven(tokio::task::JoinHandle<()>);

impl Drop for Driven {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One `GET path` at `target`: the answer's status and body, and its connection.
async fn ask(addr: SocketAddr, target: SocketAddr, path: &str) -> Result<(u16, Incoming, Driven)> {
    let stream = connect(addr, target).await?;
    let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
        .max_buf_size(MOST_BUFFERED)
        .handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .context("cannot start HTTP")?;
    let driven = Driven(tokio::spawn(async move {
        let _ = connection.await;
    }));
    let host = match target.ip() {
        IpAddr::V4(ip) => format!("{ip}:{}", target.port()),
        IpAddr::V6(ip) => format!("[{ip}]:{}", target.port()),
    };
    let request = hyper::Request::get(path)
        .header(hyper::header::HOST, host)
        .body(Empty::<Bytes>::new())
        .context("cannot make the request")?;
    let answer = sender.send_request(request).await.context("no HTTP answer")?;
    Ok((answer.status().as_u16(), answer.into_body(), driven))
}

/// A connection to `target`; for a server on every interface of both kinds
/// (`[::]`), IPv4's loopback where this machine has no IPv6 one.
async fn connect(addr: SocketAddr, target: SocketAddr) -> Result<TcpStream> {
    match TcpStream::connect(target).await {
        Ok(stream) => Ok(stream),
        Err(_) if addr.ip().is_unspecified() && target.is_ipv6() => {
            TcpStream::connect((Ipv4Addr::LOCALHOST, addr.port()))
                .await
                .context("cannot connect")
        }
        Err(e) => Err(e).context("cannot connect"),
    }
}

/// Up to [`MOST_SAID`] bytes of `body` into `start`.
async fn read_start(mut body: Incoming, start: &mut Vec<u8>) {
    while start.len() < MOST_SAID {
        match body.frame().await {
            Some(Ok(frame)) => {
                let data = frame.data_ref().map_or(&[][..], |data| &data[..]);
                let room = MOST_SAID - start.len();
                start.extend_from_slice(&data[..data.len().min(room)]);
            }
            _ => break,
        }
    }
}

/// `bytes` as printable ASCII (whatever listens there may not be Lookout): any
/// other character, line breaks and escapes included, is a space, and spaces
/// run together.
fn printable(bytes: &[u8]) -> String {
    let text: String = String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| if c.is_ascii_graphic() { c } else { ' ' })
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn only_printable_ascii_of_an_answer_is_said() {
        assert_eq!(printable(b"database unavailable"), "database unavailable");
        assert_eq!(printable(b"stopping\x1b[2J\r\n"), "stopping [2J");
        let odd = "a\u{2028}b\u{2029}c\u{202e}d\u{2066}e\u{200b}f\u{feff}g\u{85}h\té";
        assert_eq!(printable(odd.as_bytes()), "a b c d e f g h");
        assert_eq!(printable(&[0xff, b'o', b'k', 0xc3]), "ok");
        assert_eq!(printable(b""), "");
    }
}
