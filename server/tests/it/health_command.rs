//! `lookout health` against a real server on loopback and against listeners
//! that answer badly, slowly, endlessly or not at all: 0 only for a 200, else
//! 1 with one line that says why, within its timeout.

use crate::cli::{stderr, stdout};
use crate::common::TestApp;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long a check may take before the test calls it hung and kills it.
const HUNG: Duration = Duration::from_secs(90);

/// `lookout health` with `args` (on a thread of its own: the server it asks
/// may run on this test's runtime), and how long it took.
async fn health(args: &[&str]) -> (Output, Duration) {
    let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let begun = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_lookout"))
            .arg("health")
            .args(args)
            .env_remove("LOOKOUT_ADDR")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run lookout health");
        while child.try_wait().expect("its status").is_none() {
            if begun.elapsed() > HUNG {
                let _ = child.kill();
                panic!("lookout health still running after {HUNG:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        (child.wait_with_output().expect("its output"), begun.elapsed())
    })
    .await
    .unwrap()
}

fn said(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

/// What a listener sends after an answer's head.
#[derive(Clone, Copy)]
enum Then {
    /// The head says it all (a body with it, or none).
    Nothing,
    /// Silence, the connection kept open.
    Silence,
    /// Chunks of `x`, as fast as they are taken, for ever.
    Endless,
    /// One byte every 300 ms.
    Drip,
}

/// A listener on loopback that reads each request and answers `head`, then
/// does what `then` says; its address.
async fn answering(head: &'static [u8], then: Then) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 1024];
                let _ = socket.read(&mut request).await;
                if socket.write_all(head).await.is_err() {
                    return;
                }
                match then {
                    Then::Nothing => {}
                    Then::Silence => tokio::time::sleep(HUNG).await,
                    Then::Endless => {
                        let chunk = [&b"400\r\n"[..], &[b'x'; 1024], b"\r\n"].concat();
                        while socket.write_all(&chunk).await.is_ok() {}
                    }
                    Then::Drip => {
                        while socket.write_all(b"y").await.is_ok() {
                            tokio::time::sleep(Duration::from_millis(300)).await;
                        }
                    }
                }
            });
        }
    });
    addr
}

const UNAVAILABLE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 20\r\n\r\ndatabase unavailable";
const OK_LONG: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\nrea";

#[tokio::test]
async fn a_ready_server_is_healthy_on_its_address_or_every_interface() {
    let app = TestApp::spawn().await;
    let port: u16 = app.base.rsplit(':').next().unwrap().parse().unwrap();
    let here = format!("127.0.0.1:{port}");
    let everywhere = format!("0.0.0.0:{port}");
    // On [::] a server listens on both kinds; asked on ::1, where nothing
    // listens here (this server is on 127.0.0.1), it is reached on IPv4's loopback.
    let both = format!("[::]:{port}");
    for args in [
        vec!["--addr", &here, "--live"],
        vec!["--addr", &everywhere],
        vec!["--addr", &both],
    ] {
        let (out, _) = health(&args).await;
        assert!(out.status.success(), "{args:?}: {}", said(&out));
    }
    let (out, _) = health(&["--addr", &here]).await;
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(stdout(&out).trim(), format!("http://{here}/readyz answered 200"));
    // The server's own variable names the address, as for `serve`.
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_lookout"))
            .arg("health")
            .env("LOOKOUT_ADDR", everywhere)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(stdout(&out).trim(), format!("http://{here}/readyz answered 200"));
}

#[tokio::test]
async fn a_200_is_enough_whatever_its_body_does() {
    for then in [Then::Endless, Then::Silence, Then::Drip] {
        let head: &'static [u8] = match then {
            Then::Endless => b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n",
            _ => OK_LONG,
        };
        let addr = answering(head, then).await;
        let (out, took) = health(&["--addr", &addr, "--timeout-secs", "60"]).await;
        assert!(out.status.success(), "{}", said(&out));
        assert!(took < Duration::from_secs(20), "{took:?}");
    }
}

#[tokio::test]
async fn no_server_a_refusal_and_junk_are_unhealthy_and_said_in_one_line() {
    // A port bound and not listened on: a connection to it is refused, for as long as the test holds it.
    let held = tokio::net::TcpSocket::new_v4().unwrap();
    held.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let refused = held.local_addr().unwrap().to_string();
    let unavailable = answering(UNAVAILABLE, Then::Nothing).await;
    let stopping = answering(
        b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 30\r\n\r\nstop\x1b[2J\r\nping\xe2\x80\xa8now\xe2\x80\xaeX\xc2\x85Y\t\x00Z",
        Then::Nothing,
    )
    .await;
    let junk = answering(b"SSH-2.0-OpenSSH_9.2\r\n", Then::Nothing).await;
    let cases = [
        (refused, "cannot connect"),
        (unavailable, "answered 503 (database unavailable)"),
        (stopping, "answered 503 (stop [2J ping now X Y Z)"),
        (junk, "no HTTP answer"),
    ];
    for (addr, reason) in cases {
        let (out, _) = health(&["--addr", &addr]).await;
        assert_eq!(out.status.code(), Some(1), "{}", said(&out));
        let text = said(&out);
        assert!(text.contains(reason), "{reason}: {text:?}");
        assert_eq!(text.lines().count(), 1, "one line: {text:?}");
        assert!(
            text.trim_end().chars().all(|c| c.is_ascii_graphic() || c == ' '),
            "{text:?}"
        );
    }
    drop(held);
}

#[tokio::test]
async fn a_silent_slow_or_endless_answer_ends_within_the_timeout() {
    let endless = format!("answered 503 ({})", "x".repeat(200));
    let cases: [(&'static [u8], Then, &str, &str, u64); 3] = [
        (b"", Then::Silence, "1", "no answer within 1 s", 10),
        // A body that drips: its status, and what came of it in time.
        (
            b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 1000\r\n\r\n",
            Then::Drip,
            "2",
            "/readyz answered 503 (y",
            10,
        ),
        // An endless body is read no further than what is said of it, long before the timeout.
        (
            b"HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\n\r\n",
            Then::Endless,
            "60",
            &endless,
            20,
        ),
    ];
    for (head, then, timeout, reason, within) in cases {
        let addr = answering(head, then).await;
        let (out, took) = health(&["--addr", &addr, "--timeout-secs", timeout]).await;
        assert_eq!(out.status.code(), Some(1), "{reason}: {}", said(&out));
        assert!(said(&out).contains(reason), "{reason}: {}", said(&out));
        assert!(took < Duration::from_secs(within), "{reason}: {took:?}");
    }
    // Bad settings are refused before anything is asked: clap's (2), and a port of 0.
    for bad in [
        vec!["--timeout-secs", "0"],
        vec!["--timeout-secs", "61"],
        vec!["--addr", "localhost"],
    ] {
        let (out, _) = health(&bad).await;
        assert_eq!(out.status.code(), Some(2), "{}", said(&out));
    }
    let (out, _) = health(&["--addr", "0.0.0.0:0"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(said(&out).contains("port 0 names no server"), "{}", said(&out));
}
