//! The real `lookout` binary as a test runs it: a subcommand to completion, or
//! `lookout serve` as a process of its own.

/// A `lookout` command with the database URL set.
pub fn lookout_command(db: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_lookout"));
    cmd.env("LOOKOUT_DATABASE_URL", db).env("RUST_LOG", "warn");
    cmd
}

/// Runs a `lookout` subcommand to completion and returns its standard output.
pub fn lookout_ok(db: &str, args: &[&str]) -> String {
    let out = lookout_command(db).args(args).output().expect("run lookout");
    assert!(
        out.status.success(),
        "lookout {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A `lookout serve` process on a free port; killed when dropped.
pub struct ServerProcess {
    pub child: std::process::Child,
    pub base: String,
    /// Where it serves `/metrics` (`base` unless `--metrics-addr` was given).
    pub metrics: String,
}

impl ServerProcess {
    /// Starts `cmd` (a `lookout` command) as `serve --addr 127.0.0.1:0` plus `args`,
    /// and waits for the lines that name its addresses.
    pub fn start(mut cmd: std::process::Command, args: &[&str]) -> ServerProcess {
        use std::io::BufRead;
        let mut child = cmd
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start lookout serve");
        let mut out = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        out.read_line(&mut line).expect("read the address line");
        // With JSON logs, one JSON object names the addresses.
        if let Ok(said) = serde_json::from_str::<serde_json::Value>(&line) {
            let url = |name: &str| said[name].as_str().unwrap_or_default().to_string();
            let (base, metrics) = (
                url("listening"),
                url("metrics").trim_end_matches("/metrics").to_string(),
            );
            assert!(base.starts_with("http://127.0.0.1:"), "unexpected first line {line:?}");
            std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
            return ServerProcess { child, base, metrics };
        }
        let base = line.trim().rsplit(' ').next().unwrap_or_default().to_string();
        assert!(base.starts_with("http://127.0.0.1:"), "unexpected first line {line:?}");
        // Then a line for each address (the console, the demo page if there is
        // one, the health check), the metrics' last.
        let mut metrics = String::new();
        for _ in 0..5 {
            line.clear();
            out.read_line(&mut line).expect("read the server's lines");
            if let Some(url) = line.trim().strip_prefix("Metrics: ") {
                metrics = url.trim_end_matches("/metrics").to_string();
                break;
            }
        }
        assert!(metrics.starts_with("http://127.0.0.1:"), "no metrics line");
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        ServerProcess { child, base, metrics }
    }
}

impl ServerProcess {
    /// Sends the server the signal `name` (`TERM`, `HUP`, …).
    pub fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// Reads what the server writes to standard error until a line holds
    /// `needle`, for at most `within`, and returns what it read (panics,
    /// with it, when the line never came). What follows is not read.
    pub fn log_until(&mut self, needle: &str, within: std::time::Duration) -> String {
        use std::io::BufRead;
        let stderr = self.child.stderr.take().expect("the server's log, not read before");
        let (lines, read) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let end = std::time::Instant::now() + within;
        let mut log = String::new();
        while !log.contains(needle) {
            let left = end.saturating_duration_since(std::time::Instant::now());
            match read.recv_timeout(left) {
                Ok(line) => {
                    log.push_str(&line);
                    log.push('\n');
                }
                Err(_) => panic!("the server did not log {needle:?} within {within:?}: {log}"),
            }
        }
        log
    }

    /// The value of one series of the server's `/metrics`, named as the text
    /// names it (`lookout_x_total`, `lookout_x_total{reason="y"}`); failing
    /// the test when it is not listed.
    pub async fn metric(&self, series: &str) -> f64 {
        let text = reqwest::get(format!("{}/metrics", self.metrics))
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text");
        let prefix = format!("{series} ");
        text.lines()
            .find_map(|line| line.strip_prefix(prefix.as_str()))
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("{series} is listed:\n{text}"))
    }

    /// The status of a shopper's lookup through the REST API of this server.
    pub async fn lookup(&self, shop: &str, email: &str, number: &str) -> u16 {
        reqwest::Client::new()
            .post(format!("{}/api/v1/shops/{shop}/lookup", self.base))
            .json(&serde_json::json!({"email": email, "order_number": number}))
            .send()
            .await
            .expect("lookup")
            .status()
            .as_u16()
    }

    /// Kills the server and returns everything it wrote to standard error.
    pub fn stop_and_read_log(&mut self) -> String {
        use std::io::Read;
        let _ = self.child.kill();
        let mut log = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            stderr.read_to_string(&mut log).expect("read the server's log");
        }
        let _ = self.child.wait();
        log
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
