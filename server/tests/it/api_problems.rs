//! What the API answers when a request is not one it can take: problem
//! documents for unknown paths and methods, and error messages in plain words.

use crate::common;

use common::TestApp;
use serde_json::Value;

/// A request to `path` with `method`, the shop `alpha`'s key and a JSON body.
async fn send(app: &TestApp, method: &str, path: &str, body: &str) -> reqwest::Response {
    app.client
        .request(method.parse().unwrap(), app.url(path))
        .bearer_auth(&app.alpha_key)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_settings_patch_without_a_setting_of_true_or_false_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let path = "/api/v1/shops/alpha/settings";
    assert!(app.store.shop("alpha").await.unwrap().unwrap().email_links);
    for (body, field) in [
        (r#"{"email_links": null}"#, "email_links"),
        (r#"{"email_links": "false"}"#, "email_links"),
        ("{}", "body"),
        ("[]", "body"),
        ("null", "body"),
        (r#"{"name": "x"}"#, "name"),
        (r#"{"email_links": false, "name": "x"}"#, "name"),
        // Which one was meant cannot be known.
        (r#"{"email_links": false, "email_links": true}"#, "email_links"),
    ] {
        let res = send(&app, "PATCH", path, body).await;
        assert_eq!(res.status(), 422, "{body}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["code"], "validation_failed", "{body}");
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        // In plain words, for a request that writes or not.
        let n = problem["errors"].as_array().map_or(0, Vec::len);
        let said = match n {
            1 => "1 field is invalid; see `errors`. Nothing was changed.".to_string(),
            n => format!("{n} fields are invalid; see `errors`. Nothing was changed."),
        };
        assert_eq!(problem["detail"], said.as_str(), "{body}");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("email_links"), "{body}: {message}");
        assert!(!message.contains("SettingsPatch"), "{body}: {message}");
    }
    // Nothing changed, and a setting of true or false still does.
    assert!(app.store.shop("alpha").await.unwrap().unwrap().email_links);
    let res = send(&app, "PATCH", path, r#"{"email_links": false}"#).await;
    assert_eq!(res.status(), 200);
    assert!(!app.store.shop("alpha").await.unwrap().unwrap().email_links);
}

#[tokio::test]
async fn unknown_api_paths_and_methods_are_answered_with_problems() {
    let app = TestApp::spawn().await;
    for (method, path, status, code) in [
        ("GET", "/api/v1/nothing", 404_u16, "not_found"),
        ("POST", "/api/v1/shops/alpha/nothing", 404, "not_found"),
        ("GET", "/api/nothing", 404, "not_found"),
        ("GET", "/api/v1/shops/alpha/lookup", 405, "method_not_allowed"),
        ("OPTIONS", "/api/v1/shops/alpha/lookup", 405, "method_not_allowed"),
        ("POST", "/api/v1/shops/alpha/orders/1001", 405, "method_not_allowed"),
        ("DELETE", "/api/v1/shops/alpha/settings", 405, "method_not_allowed"),
        ("GET", "/api/track", 405, "method_not_allowed"),
    ] {
        let res = app
            .client
            .request(method.parse().unwrap(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{method} {path}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{method} {path}"
        );
        assert_eq!(res.headers()["cache-control"], "no-store", "{method} {path}");
        let allow = res.headers().get("allow").map(|v| v.to_str().unwrap().to_string());
        assert_eq!(allow.is_some(), status == 405, "{method} {path}: Allow {allow:?}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["type"], format!("/problems/{code}"), "{method} {path}");
        assert_eq!(problem["code"], code);
        assert_eq!(problem["status"], status);
        assert!(!problem["detail"].as_str().unwrap().is_empty());
    }
    let res = app
        .client
        .get(app.url("/api/v1/shops/alpha/lookup"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "POST");
    let res = app.client.get(app.url("/api/v1/nothing")).send().await.unwrap();
    let problem: Value = res.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("/api/v1/openapi.json"),
        "{problem}"
    );
}

#[tokio::test]
async fn error_messages_name_no_rust_types_and_fit_the_endpoint() {
    let app = TestApp::spawn().await;
    // A lookup body of the wrong shape: one plain message (an array is not the
    // object's fields in order either).
    for body in ["[]", r#"["ada@example.com", "1001"]"#, r#""ada@example.com""#] {
        let res = app
            .client
            .post(app.url("/api/v1/shops/alpha/lookup"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{body}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "body");
        assert_eq!(
            problem["errors"][0]["message"], "The body must be a JSON object with `email` and `order_number`.",
            "{body}"
        );
    }
    // An order body of the wrong shape likewise; nothing is written.
    for body in ["[]", "[1, 2]", "42"] {
        let res = app.put("alpha", "1001", &app.alpha_key, body).await;
        assert_eq!(res.status(), 422, "{body}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"].as_array().unwrap().len(), 1, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "body");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.starts_with("The body must be a JSON object"),
            "{body}: {message}"
        );
        assert!(
            !message.contains("OrderInput") && !message.contains("struct"),
            "{message}"
        );
    }
    // A part of the order of the wrong type says what it must be, in plain words.
    let mut body: Value = serde_json::from_str(common::EXAMPLE).unwrap();
    body["totals"] = Value::from(5);
    let res = app.put("alpha", "1001", &app.alpha_key, body.to_string()).await;
    assert_eq!(res.status(), 422);
    let text = res.text().await.unwrap();
    assert!(text.contains("expected a JSON object"), "{text}");
    assert!(!text.contains("TotalsInput") && !text.contains("struct"), "{text}");
    assert_eq!(app.store.order(1, "1001").await.unwrap(), None);
    // The merchant API has no email: its miss says so; the shopper's lookup keeps its own.
    let res = send(&app, "GET", "/api/v1/shops/alpha/orders/nope", "").await;
    assert_eq!(res.status(), 404);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "not_found");
    assert_eq!(problem["detail"], "No order with this number at this shop.");
    let res = send(&app, "DELETE", "/api/v1/shops/alpha/orders/nope", "").await;
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["detail"], "No order with this number at this shop.");
    let problem: Value = app
        .lookup("alpha", "ada@example.com", "nope")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        problem["detail"],
        "No order matches this order number and email address."
    );
}

#[tokio::test]
async fn a_path_that_names_no_order_is_a_problem_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let res = app.put("alpha", "#1001", &app.alpha_key, common::EXAMPLE).await;
    assert_eq!(res.status(), 201);
    // Percent-escapes that are not UTF-8, in the order number or the shop: a
    // problem document naming the segment, not a plain-text 400.
    for (method, path, field) in [
        ("GET", "/api/v1/shops/alpha/orders/%C3%28", "order_number"),
        ("DELETE", "/api/v1/shops/alpha/orders/%FF", "order_number"),
        ("PUT", "/api/v1/shops/alpha/orders/%C3%28", "order_number"),
        ("POST", "/api/v1/shops/%C3%28/lookup", "shop"),
        ("GET", "/api/v1/shops/%C3%28/settings", "shop"),
    ] {
        let res = send(&app, method, path, common::EXAMPLE).await;
        assert_eq!(res.status(), 422, "{method} {path}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{method} {path}"
        );
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert_eq!(problem["errors"][0]["code"], "invalid_encoding", "{problem}");
    }
    // Only `#` and spaces, or a control character even at an end: 422, and
    // neither names (nor erases) the order #1001.
    for number in ["%23%20%23", "%23%23", "%0A1001", "1001%0D", "%091001", "%C2%851001"] {
        for method in ["GET", "DELETE", "PUT"] {
            let path = format!("/api/v1/shops/alpha/orders/{number}");
            let res = send(&app, method, &path, common::EXAMPLE).await;
            assert_eq!(res.status(), 422, "{method} {path}");
            let problem: Value = res.json().await.unwrap();
            assert_eq!(problem["errors"][0]["field"], "order_number", "{problem}");
        }
    }
    let res = send(&app, "GET", "/api/v1/shops/alpha/orders/%231001", "").await;
    assert_eq!(res.status(), 200, "#1001 is still there");
}

#[tokio::test]
async fn a_lookup_field_given_twice_is_refused_whichever_comes_last() {
    let app = TestApp::spawn().await;
    let res = app.put("alpha", "#1001", &app.alpha_key, common::EXAMPLE).await;
    assert_eq!(res.status(), 201);
    for body in [
        r##"{"email": "nobody@example.com", "order_number": "#1001", "email": "ada@example.com"}"##,
        r##"{"email": "ada@example.com", "order_number": "#1", "order_number": "#1001"}"##,
    ] {
        let res = app
            .client
            .post(app.url("/api/v1/shops/alpha/lookup"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{body}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["code"], "duplicate", "{problem}");
    }
}

/// A compressed body is refused (415, naming the encoding) before it is read,
/// whatever it would have held; `identity` is no encoding, and a request
/// without a body is not refused for the header.
#[tokio::test]
async fn a_compressed_body_is_refused_saying_so_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let order = common::EXAMPLE;
    let put = |encoding: String| {
        app.client
            .put(app.url("/api/v1/shops/alpha/orders/1001"))
            .bearer_auth(&app.alpha_key)
            .header("content-type", "application/json")
            .header("content-encoding", encoding)
            .body(order)
            .send()
    };
    for encoding in ["gzip", "br", "GZIP, identity", "deflate\t", "identity, x-gzip"] {
        let res = put(encoding.to_string()).await.unwrap();
        assert_eq!(res.status(), 415, "{encoding}");
        assert_eq!(res.headers()["accept-encoding"], "identity", "{encoding}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["code"], "unsupported_media_type", "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("send it uncompressed") && detail.contains("Nothing was changed"),
            "{detail}"
        );
    }
    let problem: Value = put("gzip".into()).await.unwrap().json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("`Content-Encoding: gzip`"),
        "{problem}"
    );
    // A name that is not a plain word is not repeated.
    let problem: Value = put("x".repeat(200)).await.unwrap().json().await.unwrap();
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("a `Content-Encoding`") && !detail.contains("xxx"),
        "{detail}"
    );
    let stored = || {
        app.client
            .get(app.url("/api/v1/shops/alpha/orders/1001"))
            .bearer_auth(&app.alpha_key)
    };
    assert_eq!(stored().send().await.unwrap().status(), 404, "nothing stored");

    // The lookup, the settings and Shopify's deliveries the same.
    let lookup = app
        .client
        .post(app.url("/api/v1/shops/alpha/lookup"))
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(r##"{"email":"ada@example.com","order_number":"#1001"}"##)
        .send()
        .await
        .unwrap();
    assert_eq!(lookup.status(), 415);
    let settings = app
        .client
        .patch(app.url("/api/v1/shops/alpha/settings"))
        .bearer_auth(&app.alpha_key)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(r#"{"email_links": false}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(settings.status(), 415);
    assert!(app.store.shop("alpha").await.unwrap().unwrap().email_links, "unchanged");
    let webhook = app
        .client
        .post(app.url("/api/v1/shops/alpha/webhooks/shopify"))
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(webhook.status(), 415);

    // A body compressed as it is carried (`Transfer-Encoding: gzip, chunked`) the same.
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "PUT /api/v1/shops/alpha/orders/1001 HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n\
         2\r\n{{}}\r\n0\r\n\r\n",
        app.alpha_key
    );
    tokio::io::AsyncWriteExt::write_all(&mut conn, head.as_bytes())
        .await
        .unwrap();
    let mut answer = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut conn, &mut answer)
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 415"), "{answer}");
    assert!(answer.contains("`Transfer-Encoding: gzip, chunked`"), "{answer}");

    // Sent as it is, it is taken (an empty item or `identity` twice is no
    // coding); a GET naming an encoding has no body to refuse.
    for plain in [",", "identity,identity"] {
        let res = put(plain.into()).await.unwrap();
        assert!(res.status().is_success(), "{plain}: {}", res.status());
    }
    app.client
        .delete(app.url("/api/v1/shops/alpha/orders/1001"))
        .bearer_auth(&app.alpha_key)
        .send()
        .await
        .unwrap();
    assert_eq!(put("identity".into()).await.unwrap().status(), 201);
    let get = stored().header("content-encoding", "gzip").send().await.unwrap();
    assert_eq!(get.status(), 200);
}
