//! `lookout health` against a real server on loopback and against listeners
//! that answer badly, slowly, endlessly or not at all: 0 only for a 200, else
//! 1 with one line that says why.

use crate::common::TestApp;
use std::process::{Command, Output};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `lookout health` with `args` (on a thread of its own: the server it asks
/// may run on this test's runtime).
async fn health(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_lookout"))
            .arg("health")
            .args(args)
            .env_remove("LOOKOUT_ADDR")
            .env("RUST_LOG", "warn")
            .output()
            .expect("run lookout health")
    })
    .await
    .unwrap()
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The port of a test app's base address.
fn port(app: &TestApp) -> u16 {
    app.base.rsplit(':').next().unwrap().parse().unwrap()
}

/// A listener on loopback that answers each connection with `answer` (after
/// reading the request), or says nothing if it is empty; its address.
async fn answering(answer: &'static [u8]) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 1024];
                let _ = socket.read(&mut request).await;
                if answer.is_empty() {
                    tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                    return;
                }
                let _ = socket.write_all(answer).await;
                if answer.ends_with(b"chunked\r\n\r\n") {
                    // A body that never ends.
                    while socket.write_all(b"400\r\n").await.is_ok() {
                        if socket.write_all(&[b'x'; 1024]).await.is_err() || socket.write_all(b"\r\n").await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_ready_server_is_healthy_on_its_address_or_every_interface() {
    let app = TestApp::spawn().await;
    let port = port(&app);
    let here = format!("127.0.0.1:{port}");
    let everywhere = format!("0.0.0.0:{port}");
    for args in [vec!["--addr", &here, "--live"], vec!["--addr", &everywhere]] {
        let out = health(&args).await;
        assert!(out.status.success(), "{args:?}: {}", said(&out));
    }
    let out = health(&["--addr", &here]).await;
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("http://127.0.0.1:{port}/readyz answered 200 (ready)")
    );
    // The server's own variable names the address, as for `serve`.
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_lookout"))
            .arg("health")
            .env("LOOKOUT_ADDR", format!("0.0.0.0:{port}"))
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", said(&out));
}

#[tokio::test]
async fn no_server_a_refusal_and_junk_are_unhealthy_and_said_so() {
    // A port nothing listens on any more.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().to_string()
    };
    let unavailable =
        answering(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 20\r\n\r\ndatabase unavailable").await;
    let stopping = answering(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 13\r\n\r\nstopping\x1b[2J\n").await;
    let junk = answering(b"SSH-2.0-OpenSSH_9.2\r\n").await;
    let cases = [
        (closed.clone(), "cannot connect"),
        (unavailable.clone(), "answered 503 (database unavailable)"),
        (stopping, "answered 503 (stopping[2J)"),
        (junk, "no HTTP answer"),
    ];
    for (addr, reason) in cases {
        let out = health(&["--addr", &addr]).await;
        assert_eq!(out.status.code(), Some(1), "{}", said(&out));
        let text = said(&out);
        assert!(text.contains(reason), "{reason}: {text}");
        assert_eq!(text.lines().count(), 1, "one line: {text}");
        assert!(!text.contains('\x1b'), "no control character from the wire is printed");
    }
}

#[tokio::test]
async fn a_silent_or_endless_answer_ends_within_the_timeout() {
    let silent = answering(b"").await;
    let endless = answering(b"HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\n\r\n").await;
    let begun = std::time::Instant::now();
    let out = health(&["--addr", &silent, "--timeout-secs", "1"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(said(&out).contains("no answer within 1 s"), "{}", said(&out));
    assert!(
        begun.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        begun.elapsed()
    );
    // An endless body is read no further than what is said of it.
    let out = health(&["--addr", &endless, "--timeout-secs", "5"]).await;
    assert_eq!(out.status.code(), Some(1));
    let text = said(&out);
    assert!(text.contains("answered 503 (xxxx"), "{text}");
    assert!(text.len() < 400, "{} bytes said", text.len());
    // Bad settings are refused before anything is asked.
    for bad in [
        vec!["--timeout-secs", "0"],
        vec!["--timeout-secs", "61"],
        vec!["--addr", "localhost"],
    ] {
        let out = health(&bad).await;
        assert_eq!(out.status.code(), Some(2), "{}", said(&out));
    }
}
