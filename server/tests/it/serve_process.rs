//! A real `lookout serve` process: a hang-up stops it as SIGTERM does, a stop
//! delay keeps it serving while `/readyz` says it is stopping, and with JSON
//! logs it writes nothing but JSON.

use crate::common;

use common::{lookout_command, lookout_ok, ServerProcess, TestDb};
use std::io::Read;
use std::time::{Duration, Instant};

#[test]
fn a_hang_up_stops_the_server_as_sigterm_does() {
    let db = TestDb::new();
    let mut cmd = lookout_command(&db.url);
    cmd.env("RUST_LOG", "info");
    let mut server = ServerProcess::start(cmd, &[]);
    server.signal("HUP");
    let log = server.log_until("stopped", Duration::from_secs(20));
    assert!(log.contains("stopping"), "{log}");
    let began = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("the server's status") {
            break status;
        }
        assert!(began.elapsed() < Duration::from_secs(20), "still running after SIGHUP");
        std::thread::sleep(Duration::from_millis(50));
    };
    // Stopped, not killed by the signal (which would be no exit code, 129 in a shell).
    assert_eq!(status.code(), Some(0), "{status}");
}

/// With `--stop-delay-secs`, a stop signal makes `/readyz` answer 503
/// `stopping` at once while new connections, pages and health checks are
/// still served; then the server stops as without it.
#[tokio::test]
async fn through_the_stop_delay_readiness_says_stopping_and_requests_are_served() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["demo"]);
    let mut cmd = lookout_command(&db.url);
    // Every request is logged.
    cmd.env("RUST_LOG", "debug");
    let mut server = ServerProcess::start(cmd, &["--stop-delay-secs", "4"]);
    let base = server.base.clone();
    let get = |path: &str| {
        let url = format!("{base}{path}");
        async move {
            // A new connection each time: the listener is still accepting.
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .expect("a client");
            let answer = client.get(&url).send().await.unwrap_or_else(|e| panic!("{url}: {e:?}"));
            let status = answer.status().as_u16();
            (status, answer.text().await.unwrap_or_else(|e| panic!("{url}: {e:?}")))
        }
    };
    assert_eq!(get("/readyz").await, (200, "ready".to_string()));
    server.signal("TERM");
    let log = server.log_until("stop signal", Duration::from_secs(10));
    assert!(log.contains("delay_secs=4"), "{log}");
    // The log is no longer read (its pipe is closed): every request below is
    // logged, and a log line that cannot be written must not end the request
    // (it did: the subscriber reported the failure with `eprintln!`).
    assert_eq!(get("/readyz").await, (503, "stopping".to_string()));
    assert_eq!(get("/healthz").await.0, 200);
    let (status, page) = get("/track/demo").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(get("/readyz").await, (503, "stopping".to_string()));
    let began = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("the server's status") {
            break status;
        }
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "still running after the stop delay"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status.code(), Some(0), "{status}");
}

#[test]
fn with_json_logs_every_line_is_json_and_a_closed_output_does_not_stop_the_server() {
    let db = TestDb::new();
    // Its addresses, as one JSON object on standard output; its log, JSON too.
    let mut server = ServerProcess::start(lookout_command(&db.url), &["--log-format", "json"]);
    assert!(server.metrics.starts_with("http://127.0.0.1:"), "{}", server.metrics);
    let log = server.stop_and_read_log();
    for line in log.lines() {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "not JSON: {line:?}"
        );
    }

    // Standard output closed at once, as `lookout serve | true` closes it: the
    // server goes on serving at the address it was given.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let mut child = lookout_command(&db.url)
        .args(["serve", "--addr", &address])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start lookout serve");
    drop(child.stdout.take());
    let began = Instant::now();
    let health = loop {
        let answer = std::net::TcpStream::connect(&address).ok().and_then(|mut stream| {
            std::io::Write::write_all(
                &mut stream,
                b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            )
            .ok()?;
            let mut text = String::new();
            stream.read_to_string(&mut text).ok().map(|_| text)
        });
        if let Some(text) = answer {
            break text;
        }
        assert!(child.try_wait().expect("status").is_none(), "the server stopped");
        assert!(began.elapsed() < Duration::from_secs(20), "never answered");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(child.try_wait().expect("status").is_none(), "the server stopped");
    let _ = child.kill();
    let _ = child.wait();
}

/// A server whose address is taken (another server holds it) stops before
/// it opens its database: a new version started by mistake beside a running
/// one does not migrate that one's database, and makes no file.
#[test]
fn a_server_whose_address_is_taken_leaves_the_database_alone() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lookout"))
        .args(["serve", "--addr", &addr])
        .env("LOOKOUT_DATABASE_URL", format!("sqlite://{}", file.display()))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains(&format!("cannot listen on {addr}")), "{said}");
    assert!(!file.exists(), "no database made");
}
