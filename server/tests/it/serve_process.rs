//! A real `lookout serve` process: a hang-up stops it as SIGTERM does, and
//! with JSON logs it writes nothing but JSON.

use crate::common;

use common::{lookout_command, ServerProcess, TestDb};
use std::io::{BufRead, Read};
use std::time::{Duration, Instant};

#[test]
fn a_hang_up_stops_the_server_as_sigterm_does() {
    let db = TestDb::new();
    let mut cmd = lookout_command(&db.url);
    cmd.env("RUST_LOG", "info");
    let mut server = ServerProcess::start(cmd, &[]);
    let pid = server.child.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .expect("run kill");
    assert!(sent.success());
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

#[test]
fn with_json_logs_the_server_writes_only_json_and_a_closed_output_does_not_stop_it() {
    let db = TestDb::new();
    let mut child = lookout_command(&db.url)
        .env("RUST_LOG", "info")
        .args(["--log-format", "json", "serve", "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start lookout serve");
    // Its output closed at once, as `lookout serve | true` closes it.
    drop(child.stdout.take());
    let stderr = child.stderr.take().expect("the log");
    let mut lines = std::io::BufReader::new(stderr).lines();
    let listening = loop {
        let line = lines.next().expect("a log line before the address").expect("a line");
        let value: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line:?}: {e}"));
        let message = value["fields"]["message"].as_str().unwrap_or_default().to_string();
        if message.starts_with("Lookout is listening on http://127.0.0.1:") {
            break value;
        }
    };
    assert!(
        listening["fields"]["console"]
            .as_str()
            .is_some_and(|c| c.ends_with("/console")),
        "{listening}"
    );
    let base = listening["fields"]["message"]
        .as_str()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    // Still serving.
    let mut health = String::new();
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    std::io::Write::write_all(
        &mut stream,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    stream.read_to_string(&mut health).expect("an answer");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(child.try_wait().expect("status").is_none(), "the server stopped");
    let _ = child.kill();
    let _ = child.wait();
}
