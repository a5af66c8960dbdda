//! A proxy in front that the limits cannot see through is told to the
//! operator: `X-Forwarded-For` from a peer that is not trusted, and a trusted
//! proxy's requests without it, are each counted by reason and logged as one
//! warning however many requests show them, naming the proxy's address and
//! never what the header said.

use crate::common;

use common::{lookout_command, lookout_ok, ServerProcess, TestDb};

/// A burst of `n` hits of the demo's order #1001 at once, each with
/// `forwarded` as its `X-Forwarded-For` if given; every one must be found.
async fn burst(server: &ServerProcess, n: usize, forwarded: Option<&str>) {
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/shops/demo/lookup", server.base);
    let requests = (0..n).map(|_| {
        let mut request = client
            .post(&url)
            .json(&serde_json::json!({"email": "ada@example.com", "order_number": "#1001"}));
        if let Some(forwarded) = forwarded {
            request = request.header("x-forwarded-for", forwarded);
        }
        request.send()
    });
    for answer in futures::future::join_all(requests).await {
        assert_eq!(
            answer.expect("an answer").status(),
            200,
            "the lookup is answered as ever"
        );
    }
}

/// `lookout_proxy_warnings_total` for `reason`, as `server` tells it.
async fn warnings(server: &ServerProcess, reason: &str) -> f64 {
    server
        .metric(&format!("lookout_proxy_warnings_total{{reason=\"{reason}\"}}"))
        .await
}

/// The burst's lookups hold their attempts until answered (reserve first),
/// so the allowances are raised past it: here only the warnings count.
const ROOMY: [&str; 6] = [
    "--failed-lookups-per-client",
    "1000",
    "--failed-lookups-per-order",
    "1000",
    "--failed-lookups-per-email",
    "1000",
];

fn lines_with<'a>(log: &'a str, words: &str) -> Vec<&'a str> {
    log.lines().filter(|line| line.contains(words)).collect()
}

#[tokio::test]
async fn forwarded_for_from_a_peer_not_trusted_is_counted_and_warned_of_once() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["demo"]);
    let mut server = ServerProcess::start(lookout_command(&db.url), &ROOMY);
    assert_eq!(warnings(&server, "forwarded_untrusted").await, 0.0, "listed at 0");

    burst(&server, 200, Some("198.51.100.7")).await;
    burst(&server, 20, None).await;
    assert_eq!(warnings(&server, "forwarded_untrusted").await, 200.0);
    assert_eq!(warnings(&server, "proxy_without_forwarded").await, 0.0);

    let log = server.stop_and_read_log();
    let warned = lines_with(&log, "is not a trusted proxy");
    assert_eq!(warned.len(), 1, "one warning for the whole burst:\n{log}");
    assert!(
        warned[0].contains("--trusted-proxy 127.0.0.1"),
        "names the way out: {}",
        warned[0]
    );
    assert!(!log.contains("198.51.100"), "never what the header said:\n{log}");
}

#[tokio::test]
async fn a_trusted_proxy_that_forwards_no_client_is_counted_and_warned_of_once() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["demo"]);
    let mut server = ServerProcess::start(
        lookout_command(&db.url),
        &[&ROOMY[..], &["--trusted-proxy", "127.0.0.1"]].concat(),
    );

    burst(&server, 200, None).await;
    burst(&server, 20, Some("198.51.100.7")).await;
    assert_eq!(warnings(&server, "proxy_without_forwarded").await, 200.0);
    // A header that names no address leaves the proxy as the client too.
    burst(&server, 10, Some("unknown")).await;
    burst(&server, 10, Some("")).await;
    assert_eq!(warnings(&server, "proxy_without_forwarded").await, 220.0);
    assert_eq!(warnings(&server, "forwarded_untrusted").await, 0.0);

    let log = server.stop_and_read_log();
    let warned = lines_with(&log, "carried no X-Forwarded-For");
    assert_eq!(warned.len(), 1, "one warning for the whole burst:\n{log}");
    assert!(warned[0].contains("127.0.0.1"), "names the proxy: {}", warned[0]);
    assert!(lines_with(&log, "is not a trusted proxy").is_empty(), "{log}");
}

/// A console page asks for its client twice (its lane, then the sign-in's own
/// allowances): each request is counted once.
#[tokio::test]
async fn a_console_request_is_counted_once() {
    let db = TestDb::new();
    lookout_ok(&db.url, &["demo"]);
    let server = ServerProcess::start(lookout_command(&db.url), &[]);
    let client = reqwest::Client::new();
    let pages = (0..20).map(|_| {
        client
            .get(format!("{}/console", server.base))
            .header("x-forwarded-for", "198.51.100.7")
            .send()
    });
    let sign_ins = (0..20).map(|_| {
        client
            .post(format!("{}/console/sign-in", server.base))
            .header("x-forwarded-for", "198.51.100.7")
            .form(&[("email", "owner@demo.example"), ("password", "wrong"), ("csrf", "none")])
            .send()
    });
    let (pages, sign_ins) = futures::join!(futures::future::join_all(pages), futures::future::join_all(sign_ins));
    for answer in pages {
        assert_eq!(answer.expect("an answer").status(), 200);
    }
    for answer in sign_ins {
        // No form token: refused before any password is checked.
        assert_eq!(answer.expect("an answer").status(), 403);
    }
    assert_eq!(warnings(&server, "forwarded_untrusted").await, 40.0);
}
