//! `lookout health`: asks a running server whether it can serve, for a
//! container's `HEALTHCHECK` or a probe that runs a command (the image has no
//! curl). One `GET /readyz` (`/healthz` with `--live`) on the address the
//! server listens on, loopback when that is every interface: 200 exits 0;
//! any other answer, none, or none in time exits 1 and says why.

use anyhow::{anyhow, Context, Result};
use axum::body::Bytes;
use http_body_util::{BodyExt, Empty};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// The most of an answer's body read, and said, when it is not 200.
const MOST_SAID: usize = 200;

/// Where a server listening on `addr` is asked: on loopback when it listens
/// on every interface (`0.0.0.0`, `[::]`), else there.
pub(super) fn target(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

/// Asks the server at `addr` and says what it answered.
pub(super) async fn run(addr: SocketAddr, live: bool, timeout: Duration) -> Result<()> {
    let target = target(addr);
    let url = format!("http://{target}{}", if live { "/healthz" } else { "/readyz" });
    let (status, said) = tokio::time::timeout(timeout, ask(target, live))
        .await
        .map_err(|_| anyhow!("{url}: no answer within {} s", timeout.as_secs()))?
        .with_context(|| url.clone())?;
    if status != 200 {
        let said = if said.is_empty() {
            String::new()
        } else {
            format!(" ({said})")
        };
        return Err(anyhow!("{url} answered {status}{said}"));
    }
    say!("{url} answered 200 ({said})")
}

/// The status of one `GET` of the health path at `target`, and the start of
/// the answer's body (printable characters only: whatever listens there may
/// not be Lookout).
async fn ask(target: SocketAddr, live: bool) -> Result<(u16, String)> {
    let stream = tokio::net::TcpStream::connect(target).await.context("cannot connect")?;
    let io = hyper_util::rt::TokioIo::new(stream);
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .context("cannot speak HTTP there")?;
    // The connection is driven beside the request and dropped with it.
    let driven = tokio::spawn(connection);
    let path = if live { "/healthz" } else { "/readyz" };
    let request = hyper::Request::get(path)
        .header(hyper::header::HOST, target.to_string())
        .body(Empty::<Bytes>::new())
        .context("cannot make the request")?;
    let answered = sender.send_request(request).await.context("no HTTP answer");
    let answer = match answered {
        Ok(answer) => answer,
        Err(e) => {
            driven.abort();
            return Err(e);
        }
    };
    let status = answer.status().as_u16();
    let mut body = answer.into_body();
    let mut start = Vec::new();
    while start.len() < MOST_SAID {
        match body.frame().await {
            Some(Ok(frame)) => start.extend_from_slice(frame.data_ref().map_or(&[][..], |data| &data[..])),
            _ => break,
        }
    }
    driven.abort();
    let said = String::from_utf8_lossy(&start)
        .chars()
        .filter(|c| !c.is_control())
        .take(MOST_SAID)
        .collect::<String>();
    Ok((status, said.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_interface_is_asked_on_loopback_and_an_address_as_it_is() {
        let asked = |addr: &str| target(addr.parse().unwrap()).to_string();
        assert_eq!(asked("0.0.0.0:3000"), "127.0.0.1:3000");
        assert_eq!(asked("[::]:8080"), "[::1]:8080");
        assert_eq!(asked("10.0.0.5:3000"), "10.0.0.5:3000");
        assert_eq!(asked("127.0.0.1:0"), "127.0.0.1:0");
    }
}
