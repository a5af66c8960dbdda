//! A lookup's form with a field left out, or sent without a declared length,
//! gets the same answer on every path: 422 for what is missing, 413 for a body
//! over 16 KiB, and an ordinary answer for one within it. The page's server
//! functions answered 500 to both before.

use crate::common;

use common::{TestApp, EXAMPLE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Every path a shopper's browser posts a lookup's form to.
const FORM_PATHS: [&str; 4] = ["/api/track", "/api/track-html", "/track/alpha", "/embed/alpha"];

async fn post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> u16 {
    let res = app
        .client
        .post(app.url(path))
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    res.status().as_u16()
}

/// Posts `body` to `path` in chunks, without a declared length; the status.
async fn chunked(app: &TestApp, path: &str, body: &str) -> u16 {
    let answer = chunked_answer(app, path, body, "").await;
    let status = answer.split(' ').nth(1).unwrap_or_default();
    status
        .parse()
        .unwrap_or_else(|_| panic!("{path}: no status in {answer:?}"))
}

/// The whole answer to `body` posted in chunks, with `headers` (each line
/// ending `\r\n`) added to the request's.
async fn chunked_answer(app: &TestApp, path: &str, body: &str, headers: &str) -> String {
    let address = app.base.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/x-www-form-urlencoded\r\n\
         accept: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n{headers}\r\n"
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.as_bytes().chunks(4096) {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        // The server may answer and close before the whole body is sent.
        if socket.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = socket.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = socket.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_field_left_out_is_422_on_every_path() {
    let app = TestApp::spawn().await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    for path in FORM_PATHS {
        let shop = ("shop", "alpha");
        for form in [
            vec![shop, ("order_number", "1001")],
            vec![shop, ("email", "ada@example.com")],
            vec![shop],
        ] {
            assert_eq!(post(&app, path, &form).await, 422, "{path} {form:?}");
        }
        // A field given twice: which one was meant cannot be known (the
        // server functions answered 500 "Unavailable").
        let twice = [
            ("shop", "alpha"),
            ("email", "nobody@example.com"),
            ("email", "ada@example.com"),
            ("order_number", "1001"),
        ];
        assert_eq!(post(&app, path, &twice).await, 422, "{path} twice");
    }
    let res = app
        .client
        .post(app.url("/api/v1/shops/alpha/lookup"))
        .json(&serde_json::json!({"order_number": "1001"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "the JSON API");
    // What the page shows before a lookup: no slug is no shop.
    let res = app
        .client
        .post(app.url("/api/shop"))
        .form(&[("locale", "de")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "null");
    // The earlier island's language, left out or unknown, is the default one.
    let found = [
        ("shop", "alpha"),
        ("email", "ada@example.com"),
        ("order_number", "1001"),
    ];
    for locale in [None, Some("fi"), Some("<b>")] {
        let mut form = found.to_vec();
        form.extend(locale.map(|l| ("locale", l)));
        assert_eq!(post(&app, "/api/track-html", &form).await, 200, "{locale:?}");
    }
}

#[tokio::test]
async fn a_body_without_a_declared_length_is_413_over_16_kib_and_read_within_it() {
    let app = TestApp::spawn().await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    let over = format!(
        "shop=alpha&email=ada%40example.com&order_number=1001&pad={}",
        "x".repeat(17 * 1024)
    );
    let within = "shop=alpha&email=ada%40example.com&order_number=1001";
    for path in FORM_PATHS {
        assert_eq!(chunked(&app, path, &over).await, 413, "{path}");
        assert_eq!(chunked(&app, path, within).await, 200, "{path}");
    }
    // A console form too: answered by a console page in the browser's language.
    assert_eq!(chunked(&app, "/console/sign-in", &over).await, 413);
    let answer = chunked_answer(&app, "/console/sign-in", &over, "accept-language: de\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("Dieses Formular ist zu groß"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("content-type: text/html"),
        "{answer}"
    );
    // The order is still found.
    assert_eq!(app.lookup("alpha", "ada@example.com", "#1001").await.status(), 200);
}
