//! A small SMTP server on loopback for tests. It speaks as much of RFC 5321 as
//! a client needs (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps every
//! message it accepts, and can be told to answer 451 to every message for a
//! while, as a server in trouble does, or 550 to every recipient, as a server
//! that will never take the mail does.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message's headers and body, as sent (dot-unstuffed).
    pub data: String,
    pub at: Instant,
}

impl Received {
    /// The message with quoted-printable soft line breaks joined.
    pub fn text(&self) -> String {
        self.data.replace("=\r\n", "").replace("=3D", "=")
    }

    /// The message with its quoted-printable text decoded (`=E8=A8=82` as the
    /// characters it stands for).
    pub fn decoded(&self) -> String {
        let bytes = quoted_printable::decode(&self.data, quoted_printable::ParseMode::Robust)
            .expect("a robust decoding takes any text");
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// The path of the order link in the message (`/track/SHOP/o/TOKEN`).
    pub fn link_path(&self) -> Option<String> {
        let text = self.text();
        let start = text.find("/track/")?;
        let rest = &text[start..];
        let marker = rest.find("/o/")?;
        let token: String = rest[marker + 3..].chars().take_while(char::is_ascii_hexdigit).collect();
        (token.len() == 64).then(|| format!("{}{token}", &rest[..marker + 3]))
    }

    /// The path of the console's set-password link in the message
    /// (`/console/password/TOKEN`), if it has one.
    pub fn password_link(&self) -> Option<String> {
        let text = self.text();
        let start = text.find("/console/password/")?;
        let token: String = text[start + 18..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        (!token.is_empty()).then(|| format!("/console/password/{token}"))
    }

    /// The value of a header (the first one of that name).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let prefix = format!("{}:", name.to_ascii_lowercase());
        head.split("\r\n")
            .find(|line| line.to_ascii_lowercase().starts_with(&prefix))
            .map(|line| line[prefix.len()..].trim().to_string())
    }
}

#[derive(Default)]
struct Shared {
    mails: Mutex<Vec<Received>>,
    refusing: AtomicBool,
    rejecting: AtomicBool,
    rejected: AtomicUsize,
}

/// A running SMTP server; it stops when dropped.
pub struct SmtpServer {
    pub port: u16,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpServer {
    /// Starts on a free port.
    pub async fn start() -> SmtpServer {
        Self::start_on(0).await
    }

    /// Starts on `port` (0: any free one).
    pub async fn start_on(port: u16) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the test SMTP server");
        let port = listener.local_addr().expect("addr").port();
        let shared = Arc::new(Shared::default());
        let serving = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let shared = serving.clone();
                tokio::spawn(async move {
                    let _ = session(socket, shared).await;
                });
            }
        });
        SmtpServer { port, shared, task }
    }

    /// The URL Lookout's `--smtp-url` takes for this server.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Answer every message 451 (try again later) while `on`.
    pub fn refuse(&self, on: bool) {
        self.shared.refusing.store(on, Ordering::SeqCst);
    }

    /// Answer every recipient 550 (no such mailbox: never try again) while `on`.
    pub fn reject(&self, on: bool) {
        self.shared.rejecting.store(on, Ordering::SeqCst);
    }

    /// How many recipients were answered 550 so far.
    pub fn rejected(&self) -> usize {
        self.shared.rejected.load(Ordering::SeqCst)
    }

    /// Every message received so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.mails.lock().unwrap().clone()
    }

    /// Waits until `n` messages have arrived (or `timeout` passes) and returns them all.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let end = Instant::now() + timeout;
        loop {
            let mails = self.received();
            if mails.len() >= n || Instant::now() > end {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A port nothing listens on now (bound and let go).
///
/// Taken below the range the system hands out for port 0 and for outgoing
/// connections (32768 and up on Linux): a test that listens on it only later
/// cannot lose it to a socket of a test running meanwhile.
pub fn free_port() -> u16 {
    (0..1_000)
        .map(|_| 20_000 + rand::random::<u16>() % 12_000)
        .find(|port| std::net::TcpListener::bind(("127.0.0.1", *port)).is_ok())
        .expect("a free port between 20000 and 31999")
}

async fn session(socket: tokio::net::TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 localhost test SMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        if std::env::var_os("SMTP_TRACE").is_some() {
            eprintln!("smtp {:?} {:?}", std::time::SystemTime::now(), command);
        }
        let verb = command.split([' ', ':']).next().unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-localhost\r\n250 8BITMIME\r\n",
            "HELO" | "NOOP" => b"250 OK\r\n",
            "RSET" => {
                (from, to) = (String::new(), Vec::new());
                b"250 OK\r\n"
            }
            "MAIL" if shared.refusing.load(Ordering::SeqCst) => b"451 4.3.0 Try again later\r\n",
            "MAIL" => {
                from = command.split_once(':').map_or("", |(_, v)| v).trim().to_string();
                b"250 OK\r\n"
            }
            "RCPT" if shared.rejecting.load(Ordering::SeqCst) => {
                shared.rejected.fetch_add(1, Ordering::SeqCst);
                b"550 5.1.1 No such mailbox\r\n"
            }
            "RCPT" => {
                to.push(command.split_once(':').map_or("", |(_, v)| v).trim().to_string());
                b"250 OK\r\n"
            }
            "DATA" => {
                write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(
                        line.strip_prefix('.')
                            .filter(|_| line.starts_with(".."))
                            .unwrap_or(&line),
                    );
                }
                shared.mails.lock().unwrap().push(Received {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                    at: Instant::now(),
                });
                b"250 OK queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 Command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}
