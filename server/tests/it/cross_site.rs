//! Another site's page cannot use a shopper's browser to look orders up, and
//! nothing that carries order data may be cached.

use crate::common;

use common::{TestApp, EXAMPLE};

const FORM: [(&str, &str); 2] = [("email", "ada@example.com"), ("order_number", "#1001")];

#[tokio::test]
async fn cross_site_posts_are_refused_alike_for_a_hit_and_a_miss() {
    let app = TestApp::spawn().await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    let host = app.base.trim_start_matches("http://").to_string();
    let cases: [(&str, Vec<(&str, String)>); 4] = [
        ("/track/alpha", vec![("sec-fetch-site", "cross-site".into())]),
        ("/embed/alpha", vec![("sec-fetch-site", "same-site".into())]),
        (
            "/track/alpha",
            vec![("origin", "https://evil.example".into()), ("host", host.clone())],
        ),
        ("/track/alpha", vec![("origin", "null".into())]),
    ];
    for (path, headers) in cases {
        let mut answers = vec![];
        for email in ["ada@example.com", "eve@example.com"] {
            let mut req = app
                .client
                .post(app.url(path))
                .form(&[("email", email), ("order_number", "#1001")]);
            for (name, value) in &headers {
                req = req.header(*name, value);
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let location = res.headers().get("location").cloned();
            answers.push((status, location, res.text().await.unwrap()));
        }
        assert_eq!(answers[0].0, 403, "{path} {headers:?}");
        assert_eq!(answers[0], answers[1], "a hit and a miss must look the same");
        assert!(answers[0].2.contains("cross_site"));
    }
}

#[tokio::test]
async fn served_over_https_a_plain_http_page_at_the_same_host_is_refused_and_its_own_page_passes() {
    // A browser without Sec-Fetch-Site sends only `Origin`. Lookout behind a TLS
    // proxy (HSTS on) knows its own pages are https, so an http page at the same
    // host (one a network attacker could inject) is another origin.
    let app = TestApp::spawn_configured(|state| state.with_hsts(300)).await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    let host = app.base.trim_start_matches("http://").to_string();
    let post = |origin: String| {
        app.client
            .post(app.url("/track/alpha"))
            .header("origin", origin)
            .header("host", &host)
            .form(&FORM)
            .send()
    };
    let plain = post(format!("http://{host}")).await.unwrap();
    assert_eq!(plain.status(), 403);
    assert!(plain.text().await.unwrap().contains("cross_site"));
    let own = post(format!("https://{host}")).await.unwrap();
    assert_eq!(own.status(), 200);
    assert!(own.text().await.unwrap().contains("Wool socks"));
    // Without HSTS the server cannot know the scheme, and its own http page passes.
    let plain_server = TestApp::spawn().await;
    plain_server
        .put("alpha", "#1001", &plain_server.alpha_key, EXAMPLE)
        .await;
    let res = plain_server
        .client
        .post(plain_server.url("/track/alpha"))
        .header("origin", &plain_server.base)
        .form(&FORM)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn the_server_functions_refuse_another_sites_form_and_never_redirect() {
    let app = TestApp::spawn().await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    for path in ["/api/track", "/api/track-html"] {
        for email in ["ada@example.com", "eve@example.com"] {
            let res = app
                .client
                .post(app.url(path))
                .header("accept", "text/html")
                .header("sec-fetch-site", "cross-site")
                .header("referer", "https://evil.example/guess")
                .form(&[
                    ("shop", "alpha"),
                    ("email", email),
                    ("order_number", "1001"),
                    ("locale", "en"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 403, "{path}");
            assert!(res.headers().get("location").is_none());
        }
    }
}

#[tokio::test]
async fn the_widgets_own_posts_pass() {
    let app = TestApp::spawn().await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    // Inside the merchant's frame the widget is a page of Lookout's own origin.
    let res = app
        .client
        .post(app.url("/embed/alpha"))
        .header("sec-fetch-site", "same-origin")
        .header("origin", &app.base)
        .form(&FORM)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Wool socks"));
    let res = app
        .client
        .post(app.url("/api/track"))
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("shop", "alpha"),
            ("email", "ada@example.com"),
            ("order_number", "1001"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn the_rest_lookup_wants_json_and_refuses_a_preflight_free_body() {
    let app = TestApp::spawn().await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let res = app
            .client
            .post(app.url("/api/v1/shops/alpha/lookup"))
            .header("content-type", content_type)
            .body(r##"{"email":"ada@example.com","order_number":"#1001"}"##)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 415, "{content_type}");
        let problem: serde_json::Value = res.json().await.unwrap();
        assert_eq!(problem["code"], "unsupported_media_type");
    }
    let res = app
        .client
        .post(app.url("/api/v1/shops/alpha/lookup"))
        .header("content-type", "application/json; charset=utf-8")
        .body(r##"{"email":"ada@example.com","order_number":"#1001"}"##)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn answers_that_carry_order_data_are_never_stored_by_a_cache() {
    let app = TestApp::spawn().await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    let answers = [
        app.lookup("alpha", "ada@example.com", "#1001").await,
        app.lookup("alpha", "eve@example.com", "#1001").await,
        app.track_fn("alpha", "ada@example.com", "1001").await,
        app.client
            .post(app.url("/track/alpha"))
            .form(&FORM)
            .send()
            .await
            .unwrap(),
        app.client
            .get(app.url("/api/v1/shops/alpha/orders/1001"))
            .bearer_auth(&app.alpha_key)
            .send()
            .await
            .unwrap(),
        app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await,
    ];
    for res in answers {
        assert_eq!(res.headers()["cache-control"], "no-store", "{}", res.url());
    }
}

/// A shopper's browser that posted the form from another site's page (or a
/// sandboxed frame's, `Origin: null`) reads why nothing was looked up, in its
/// language, and where to go; the same for a hit and a miss. Other clients get
/// the problem document, as before.
#[tokio::test]
async fn a_browser_refused_as_another_sites_reads_a_page_in_its_language() {
    let app = TestApp::spawn().await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    let post = |path: &str, email: &str, accept: &str, language: &str| {
        app.client
            .post(app.url(path))
            .header("origin", "null")
            .header("accept", accept)
            .header("accept-language", language)
            .form(&[("email", email), ("order_number", "#1001")])
            .send()
    };
    let html = "text/html,application/xhtml+xml,*/*;q=0.8";
    let mut pages = vec![];
    for email in ["ada@example.com", "eve@example.com"] {
        let res = post("/track/alpha", email, html, "de-DE,de;q=0.9").await.unwrap();
        assert_eq!(res.status(), 403);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        assert_eq!(res.headers()["cache-control"], "no-store");
        pages.push(res.text().await.unwrap());
    }
    assert_eq!(pages[0], pages[1], "a hit and a miss must look the same");
    let page = &pages[0];
    assert!(page.contains(r#"<html lang="de">"#), "{page}");
    assert!(
        page.contains("<title>Fehler: Dieses Formular wurde nicht gesendet</title>"),
        "{page}"
    );
    assert!(page.contains("Dieses Formular wurde nicht gesendet"), "{page}");
    assert!(
        // The shop's page reads the browser's language itself (or the shop's own).
        page.contains(r#"<a href="/track/alpha">Sendungsverfolgung öffnen</a>"#),
        "{page}"
    );
    assert!(!page.contains("cross_site") && !page.contains("Ada"), "{page}");
    // From the widget's frame the tracking page opens in a tab of its own;
    // `?locale=` as the page had it wins; the shop as its address writes it.
    let res = post("/embed/ALPHA?locale=ja", "ada@example.com", html, "de")
        .await
        .unwrap();
    let page = res.text().await.unwrap();
    assert!(page.contains("このフォームは送信されませんでした"), "{page}");
    assert!(
        page.contains(r#"<a href="/track/alpha?locale=ja" target="_blank" rel="noopener">"#),
        "{page}"
    );
    // Any form of a shop's pages (here: asking for order links) is refused so.
    let res = post("/track/alpha/links", "ada@example.com", html, "en").await.unwrap();
    assert_eq!(res.status(), 403);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("nothing was done with it") && page.contains(r#"href="/track/alpha""#),
        "{page}"
    );
    // A path that is no shop's address gets no link.
    let res = post("/track/%3Cb%3E", "ada@example.com", html, "en").await.unwrap();
    assert_eq!(res.status(), 403);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("This form was not sent") && !page.contains("<a ") && !page.contains("<b>"),
        "{page}"
    );
    // A client that does not ask for HTML: the problem document.
    for (path, accept) in [("/track/alpha", "*/*"), ("/api/track", html)] {
        let res = post(path, "ada@example.com", accept, "de").await.unwrap();
        assert_eq!(res.status(), 403, "{path}");
        assert!(res.text().await.unwrap().contains("/problems/cross_site"), "{path}");
    }
}

/// What is refused before any page is made (another site's post, a console
/// form too large) is framed by nobody either, as every page is not.
#[tokio::test]
async fn refusals_made_before_a_page_are_never_framed() {
    let app = TestApp::spawn().await;
    let posts = [
        (
            "/console/account/language",
            "sec-fetch-site",
            "cross-site",
            "lang=de".to_string(),
            403,
        ),
        (
            "/console/sign-in",
            "origin",
            "https://evil.example",
            "email=a".to_string(),
            403,
        ),
        (
            "/track/alpha",
            "sec-fetch-site",
            "cross-site",
            "email=a".to_string(),
            403,
        ),
        (
            "/console/account/language",
            "sec-fetch-site",
            "same-origin",
            "x=".repeat(10_000),
            413,
        ),
    ];
    for (path, name, value, body, status) in posts {
        let res = app
            .client
            .post(app.url(path))
            .header(name, value)
            // A browser's form: a page, not the problem document, where there is one.
            .header("accept", "text/html,*/*;q=0.8")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), status, "{path} {value}");
        let h = res.headers();
        assert_eq!(h["x-frame-options"], "DENY", "{path} {value}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.ends_with("frame-ancestors 'none'"), "{path} {value}: {csp}");
        assert_eq!(csp.matches("frame-ancestors").count(), 1, "{csp}");
    }
}
