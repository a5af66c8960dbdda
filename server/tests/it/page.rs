//! The tracking page over real HTTP: server-rendered form, plain form posts
//! (no WebAssembly), the page's server function, and what the HTML never holds.

use crate::common;

use common::{assert_no_internal_data, TestApp, EXAMPLE, INTERNAL};
use serde_json::Value;

async fn ingested() -> TestApp {
    let app = TestApp::spawn().await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    app
}

pub(crate) async fn post_form(app: &TestApp, shop: &str, email: &str, number: &str) -> (u16, String) {
    let res = app
        .client
        .post(app.url(&format!("/track/{shop}")))
        .header("accept", "text/html")
        .form(&[("email", email), ("order_number", number)])
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn the_page_renders_a_plain_html_form_that_posts_to_itself() {
    let app = ingested().await;
    let res = app.client.get(app.url("/track/alpha")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"method="post" action="/track/alpha""#), "{html}");
    assert!(html.contains(r#"autocomplete="email""#));
    assert!(html.contains(r#"<label for="email">Email address</label>"#));
    assert!(html.contains(r#"<label for="order_number">Order number</label>"#));
    assert!(html.contains("alpha store"));
    // The page before any lookup holds no order data at all, hydration payload included.
    assert!(!html.contains("ada@example.com") && !html.contains("1001\""));
    assert_no_internal_data(&html);
}

#[tokio::test]
async fn a_plain_form_post_shows_the_order_without_internal_data() {
    let app = ingested().await;
    let (status, html) = post_form(&app, "alpha", "Ada@Example.com", " #1001 ").await;
    assert_eq!(status, 200);
    assert!(html.contains("Order #1001"), "{html}");
    assert!(html.contains("Partly shipped"));
    assert!(html.contains("PostNord"));
    assert!(html.contains(r#"href="https://tracking.example/00370712345678901234""#));
    assert!(html.contains("Departed terminal"));
    assert!(html.contains("NOK\u{a0}548.00"), "money in the English style");
    assert!(html.contains("Look up another order"));
    assert_no_internal_data(&html);
    // Rendered as static HTML: no hydration scripts that would race the result.
    assert!(
        !html.contains("modulepreload") && !html.contains(".wasm") && !html.contains("<script type=\"module\""),
        "no hydration after a plain post"
    );
}

#[tokio::test]
async fn a_plain_form_post_with_a_wrong_email_says_not_found_and_shows_nothing_else() {
    let app = ingested().await;
    let (status, html) = post_form(&app, "alpha", "eve@example.com", "#1001").await;
    // The same status as the JSON API and the server function give a miss.
    assert_eq!(status, 404);
    assert!(html.contains("We could not find an order"));
    assert!(!html.contains("Wool socks") && !html.contains("PostNord"));
    assert_no_internal_data(&html);
}

#[tokio::test]
async fn a_plain_form_post_with_bad_input_names_the_fields() {
    let app = ingested().await;
    let (status, html) = post_form(&app, "alpha", "not-an-email", "").await;
    assert_eq!(status, 422);
    assert!(html.contains("Enter an email address like name@example.com."));
    assert!(html.contains("Enter the order number."));
    // Without JavaScript the page opens at the first field in error, its title
    // saying first that something went wrong.
    assert!(html.contains("<title>Error: Track your order</title>"), "{html}");
    let input = |id: &str| {
        let at = html.find(&format!(r#"<input id="{id}""#)).expect("the input");
        html[at..at + html[at..].find('>').expect("its end")].to_string()
    };
    assert!(input("email").contains("autofocus"), "{}", input("email"));
    assert!(
        !input("order_number").contains("autofocus"),
        "{}",
        input("order_number")
    );
    let (_, html) = post_form(&app, "alpha", "ada@example.com", "").await;
    let at = html.find(r#"<input id="order_number""#).expect("the input");
    assert!(html[at..at + html[at..].find('>').unwrap()].contains("autofocus"));
    assert_eq!(html.matches("autofocus").count(), 1, "one field only");
    // A page with nothing wrong opens as ever.
    let html = app
        .client
        .get(app.url("/track/alpha"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("autofocus") && html.contains("<title>Track your order</title>"));
}

#[tokio::test]
async fn the_page_server_function_answers_with_the_shopper_view_only() {
    let app = ingested().await;
    let res = app.track_fn("alpha", "ada@example.com", "1001").await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let view: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(view["order_number"], "#1001");
    for secret in INTERNAL {
        assert!(!text.contains(secret), "{secret:?} leaked");
    }

    let wrong_email = app.track_fn("alpha", "eve@example.com", "1001").await;
    let wrong_status = wrong_email.status();
    let wrong_body = wrong_email.bytes().await.unwrap();
    let unknown = app.track_fn("alpha", "ada@example.com", "4040").await;
    assert_eq!(wrong_status, 404);
    assert_eq!(wrong_status, unknown.status());
    assert_eq!(wrong_body, unknown.bytes().await.unwrap());
    assert!(String::from_utf8_lossy(&wrong_body).contains("NotFound"));
}

#[tokio::test]
async fn the_islands_server_function_answers_with_the_order_rendered_in_the_shoppers_language() {
    let app = ingested().await;
    let track_html = |email, number, locale| app.track_html("alpha", email, number, locale);
    let res = track_html("ada@example.com", "1001", "sv").await;
    assert_eq!(res.status(), 200);
    let html: String = res.json().await.unwrap();
    assert!(
        html.starts_with("<article") && html.contains(r#"id="order-heading""#),
        "{html}"
    );
    assert!(html.contains("Beställning #1001"), "in Swedish: {html}");
    assert!(html.contains("Wool socks"));
    for secret in INTERNAL {
        assert!(!html.contains(secret), "{secret:?} leaked");
    }
    // The same page rendered after a plain form post holds the same order HTML.
    let (_, page) = post_form(&app, "alpha", "ada@example.com", "1001").await;
    let english: String = track_html("ada@example.com", "1001", "en").await.json().await.unwrap();
    assert!(
        page.contains(&english),
        "the island's answer is the page's own rendering"
    );

    // Misses look alike, with the lookup's status; a language that is none is
    // English.
    let wrong = track_html("eve@example.com", "1001", "en").await;
    let unknown = track_html("ada@example.com", "4040", "en").await;
    assert_eq!(wrong.status(), 404);
    assert_eq!(unknown.status(), 404);
    assert_eq!(wrong.bytes().await.unwrap(), unknown.bytes().await.unwrap());
    let none = track_html("ada@example.com", "1001", "xx").await;
    assert_eq!(none.status(), 200);
    assert_eq!(none.json::<String>().await.unwrap(), english);
}

#[tokio::test]
async fn an_unknown_shop_gets_a_404_page() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/track/no-such-shop")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Page not found"));
    let res = app.client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    // In the language the page asks for, else the browser's, for a shop that
    // does not exist and for a path that is no page.
    for (path, accept, lang, heading) in [
        ("/track/no-such-shop?locale=sv", "de", "sv", "Sidan hittades inte"),
        ("/track/no-such-shop", "zh-CN,zh;q=0.9", "zh-Hans", "找不到页面"),
        ("/embed/no-such-shop", "fi, nb;q=0.5", "nb", "Fant ikke siden"),
        ("/no/such/page?locale=de", "en", "de", "Seite nicht gefunden"),
        ("/no/such/page", "fi", "en", "Page not found"),
        // As the shop's pages read the query: decoded, the last of repeated ones.
        (
            "/track/no-such-shop?locale=de&locale=sv",
            "en",
            "sv",
            "<title>Sidan hittades inte</title>",
        ),
        (
            "/no/such/page?locale=zh%2DCN",
            "en",
            "zh-Hans",
            "<title>找不到页面</title>",
        ),
    ] {
        let res = app
            .client
            .get(app.url(path))
            .header("accept-language", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!(r#"lang="{lang}""#)), "{path}: {html}");
        assert!(html.contains(heading), "{path}: {html}");
    }
}

#[tokio::test]
async fn a_shopper_page_with_a_trailing_slash_is_sent_to_the_page_and_other_unmatched_paths_are_404() {
    let app = TestApp::spawn().await;
    // GET and HEAD: 308 to the same path without the slash, the query kept
    // (the page then answers as ever: 404 for a shop that does not exist).
    for (path, location) in [
        ("/track/alpha/", "/track/alpha"),
        (
            "/embed/alpha/?locale=de&accent=%23c0ffee",
            "/embed/alpha?locale=de&accent=%23c0ffee",
        ),
        ("/track/nope/", "/track/nope"),
        // A slug typed with capitals: the shop's page, not "Page not found".
        ("/track/Alpha", "/track/alpha"),
        ("/embed/ALPHA?locale=de", "/embed/alpha?locale=de"),
    ] {
        for method in [reqwest::Method::GET, reqwest::Method::HEAD] {
            let res = app.client.request(method.clone(), app.url(path)).send().await.unwrap();
            assert_eq!(res.status(), 308, "{method} {path}");
            assert_eq!(res.headers()["location"], location, "{method} {path}");
        }
    }
    // Any other path no route serves is the "Page not found" page: never a page
    // rendered outside its route (which answered 503 for want of the store).
    for (method, path) in [
        (reqwest::Method::POST, "/track/alpha/"),
        (reqwest::Method::POST, "/embed/alpha/"),
        (reqwest::Method::DELETE, "/track/alpha/"),
        (reqwest::Method::GET, "/track/alpha//"),
        (reqwest::Method::GET, "/track/alpha/x"),
        (reqwest::Method::GET, "/track/"),
        (reqwest::Method::GET, "/no/such/page"),
    ] {
        let res = app.client.request(method.clone(), app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{method} {path}");
        assert!(
            res.headers()["content-type"].to_str().unwrap().starts_with("text/html"),
            "{method} {path}"
        );
        let html = res.text().await.unwrap();
        assert!(html.contains("Page not found"), "{method} {path}: {html}");
    }
}

#[tokio::test]
async fn pages_vary_with_accept_language_and_no_shared_cache_keeps_them() {
    let app = TestApp::spawn().await;
    for path in [
        "/track/alpha",
        "/embed/alpha",
        "/track/alpha?locale=sv",
        "/",
        "/no/such/page",
    ] {
        let res = app
            .client
            .get(app.url(path))
            .header("accept-language", "de")
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        let vary: Vec<String> = res
            .headers()
            .get_all("vary")
            .iter()
            .flat_map(|v| v.to_str().unwrap().split(','))
            .map(|name| name.trim().to_ascii_lowercase())
            .collect();
        for name in ["accept-language", "accept-encoding"] {
            assert!(vary.iter().any(|v| v == name), "{path}: Vary {vary:?}");
        }
        // Each page carries a nonce of its own: no shared cache may hand it to another visitor.
        assert_eq!(res.headers()["cache-control"], "private, no-cache", "{path}");
        assert!(res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("'nonce-"));
    }
    // A page that says `no-store` keeps saying it (a plain form post's answer).
    let res = app
        .client
        .post(app.url("/track/alpha"))
        .form(&[("email", "ada@example.com"), ("order_number", "#1001")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(res.headers()["vary"].to_str().unwrap().contains("accept-language"));
}

#[tokio::test]
async fn the_language_comes_from_the_query_then_accept_language_then_the_shop() {
    let app = TestApp::spawn().await;
    let page = |query: &'static str, accept: Option<&'static str>| {
        let app = &app;
        async move {
            let mut req = app.client.get(app.url(&format!("/track/alpha{query}")));
            if let Some(accept) = accept {
                req = req.header("accept-language", accept);
            }
            req.send().await.unwrap().text().await.unwrap()
        }
    };
    let html = page("?locale=nb", Some("de")).await;
    assert!(html.contains(r#"<html lang="nb""#), "{html}");
    assert!(html.contains("Spor bestillingen din"));
    let html = page("", Some("fi-FI,de;q=0.8")).await;
    assert!(html.contains(r#"<html lang="de""#));
    assert!(html.contains("Bestellung verfolgen"));
    // Chinese in the characters its reader writes: Taiwan's browser Traditional,
    // China's Simplified, a script said wins over a region.
    for (query, accept, tag, title) in [
        ("", "zh-TW,zh;q=0.9,en;q=0.8", "zh-Hant", "查詢訂單"),
        ("", "zh-HK", "zh-Hant", "查詢訂單"),
        ("", "zh-Hans-TW", "zh-Hans", "查询订单"),
        ("", "zh-CN,zh-TW;q=0.9", "zh-Hans", "查询订单"),
        ("?locale=zh-Hant", "en", "zh-Hant", "查詢訂單"),
    ] {
        let html = page(query, Some(accept)).await;
        assert!(html.contains(&format!(r#"<html lang="{tag}""#)), "{accept}: {html}");
        assert!(html.contains(&format!("<title>{title}")), "{accept}: {html}");
    }
    // No usable preference: the shop's default (alpha's is English).
    let html = page("", Some("fi")).await;
    assert!(html.contains(r#"<html lang="en""#));
    // An unsupported ?locale= is ignored rather than an error.
    let html = page("?locale=xx", Some("sv")).await;
    assert!(html.contains(r#"<html lang="sv""#));
    // Every language is offered by a plain link.
    for code in app::i18n::Locale::ALL.map(app::i18n::Locale::code) {
        assert!(
            html.contains(&format!(r#"href="/track/alpha?locale={code}""#)),
            "{code}"
        );
    }
}

#[tokio::test]
async fn a_plain_form_post_answers_in_the_chosen_language_with_local_money_and_dates() {
    let app = ingested().await;
    let res = app
        .client
        .post(app.url("/track/alpha?locale=de"))
        .form(&[("email", "ada@example.com"), ("order_number", "1001")])
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<html lang="de""#));
    assert!(html.contains("Bestellung #1001"));
    assert!(html.contains("Teilweise versandt"));
    assert!(html.contains("548,00\u{a0}NOK"));
    assert!(html.contains("2. Nov. 2026"));
    // The form on the answer page keeps the language for the next lookup.
    assert!(html.contains(r#"name="locale" value="de""#));
    assert_no_internal_data(&html);
}
