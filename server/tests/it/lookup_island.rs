//! The lookup island's background post over real HTTP: the form posted to its
//! own address with `lookout-fragment: lookup` answers the lookup's part of the
//! page only, rendered as the page renders it, with the lookup's status.

use crate::common;

use common::{assert_no_internal_data, TestApp, EXAMPLE};

async fn ingested() -> TestApp {
    let app = TestApp::spawn().await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    app
}

/// Posts the lookup form to `path`, as the island (`fragment`) or as a plain form.
pub(crate) async fn post(app: &TestApp, path: &str, fragment: bool, email: &str, number: &str) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url(path))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", email), ("order_number", number)]);
    if fragment {
        req = req.header("lookout-fragment", "lookup");
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn a_found_order_comes_back_as_the_pages_own_rendering_of_it() {
    let app = ingested().await;
    let res = post(&app, "/track/alpha?locale=sv", true, "Ada@Example.com", " #1001 ").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["lookout-fragment"], "lookup");
    assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let part = res.text().await.unwrap();
    assert!(part.starts_with(r#"<div class="result">"#), "{part}");
    assert!(part.contains(r#"id="order-heading""#));
    assert!(part.contains("Beställning #1001"), "in the page's language: {part}");
    assert!(part.contains("Wool socks"));
    // "Look up another order" keeps the page's language, and is not the whole page.
    assert!(
        part.contains(r#"action="/track/alpha?locale=sv" data-lookup="again""#),
        "{part}"
    );
    assert!(
        part.contains(r#"<input type="hidden" name="locale" value="sv">"#),
        "{part}"
    );
    assert!(!part.contains("<html") && !part.contains("<script") && !part.contains("alpha store"));
    assert_no_internal_data(&part);

    // The same lookup as a plain form post: the page holds exactly that part.
    let page = post(&app, "/track/alpha?locale=sv", false, "Ada@Example.com", " #1001 ").await;
    assert_eq!(page.status(), 200);
    assert!(page.headers().get("lookout-fragment").is_none());
    let page = page.text().await.unwrap();
    assert!(page.contains("<html"));
    assert!(page.contains(&part), "the island's answer is the page's own rendering");
}

#[tokio::test]
async fn the_widget_keeps_its_accent_and_the_browsers_language_decides_without_a_query() {
    let app = ingested().await;
    let res = app
        .client
        .post(app.url("/embed/alpha?accent=%23aa3300"))
        .header("sec-fetch-site", "same-origin")
        .header("lookout-fragment", "lookup")
        .header("accept-language", "de-DE,de;q=0.9")
        .form(&[("email", "ada@example.com"), ("order_number", "1001")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let part = res.text().await.unwrap();
    assert!(part.contains("Bestellung #1001"), "in German: {part}");
    assert!(part.contains(r#"action="/embed/alpha?accent=%23aa3300""#), "{part}");
    assert!(part.contains(r##"name="accent" value="#aa3300""##), "{part}");
}

#[tokio::test]
async fn misses_look_alike_and_keep_what_was_typed() {
    let app = ingested().await;
    let wrong = post(&app, "/track/alpha", true, "eve@example.com", "1001").await;
    let unknown = post(&app, "/track/alpha", true, "ada@example.com", "4040").await;
    assert_eq!(wrong.status(), 404);
    assert_eq!(unknown.status(), 404);
    assert_eq!(wrong.headers()["lookout-fragment"], "lookup");
    let wrong = wrong.text().await.unwrap();
    let unknown = unknown.text().await.unwrap();
    assert!(
        wrong.starts_with("<form ") && wrong.contains(r#"class="lookup""#),
        "{wrong}"
    );
    assert!(wrong.contains("We could not find an order"));
    assert!(
        wrong.contains(r#"value="eve@example.com""#),
        "the typed email is kept: {wrong}"
    );
    assert!(!wrong.contains("Wool socks"));
    // Apart from what was typed, the two answers are the same bytes.
    let typed_out = |part: &str, email: &str, number: &str| {
        part.replace(&format!(r#"value="{email}""#), "value=EMAIL")
            .replace(&format!(r#"value="{number}""#), "value=NUMBER")
    };
    assert_eq!(
        typed_out(&wrong, "eve@example.com", "1001"),
        typed_out(&unknown, "ada@example.com", "4040")
    );
    assert_no_internal_data(&wrong);
}

#[tokio::test]
async fn bad_input_names_the_fields_and_an_unknown_shop_answers_the_whole_page() {
    let app = ingested().await;
    let res = post(&app, "/track/alpha", true, "not-an-email", "").await;
    assert_eq!(res.status(), 422);
    let part = res.text().await.unwrap();
    assert!(part.contains("Enter an email address like name@example.com."), "{part}");
    assert!(part.contains("Enter the order number."));
    assert_eq!(part.matches(r#"aria-invalid="true""#).count(), 2, "{part}");
    assert!(part.contains(r#"value="not-an-email""#));

    // No such shop: no part to put in place; the island then posts the plain way.
    let res = post(&app, "/track/no-such-shop", true, "ada@example.com", "1001").await;
    assert_eq!(res.status(), 404);
    assert!(res.headers().get("lookout-fragment").is_none());
    assert!(res.text().await.unwrap().contains("<html"));
}

#[tokio::test]
async fn a_burst_of_background_lookups_is_limited_like_plain_posts() {
    let app = ingested().await;
    // Failed lookups from one client spend its allowance; the island's posts are no way around it.
    let posts = (0..200).map(|i| {
        let number = format!("{}", 5000 + i);
        let app = &app;
        async move { post(app, "/track/alpha", true, "ada@example.com", &number).await }
    });
    let answers = futures::future::join_all(posts).await;
    let limited = answers.iter().filter(|r| r.status() == 429).count();
    let missed = answers.iter().filter(|r| r.status() == 404).count();
    assert_eq!(limited + missed, 200);
    assert!(limited > 0 && missed > 0, "{limited} limited, {missed} missed");
    let res = post(&app, "/track/alpha", true, "ada@example.com", "1001").await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("retry-after").is_some());
    assert_eq!(res.headers()["lookout-fragment"], "lookup");
    let part = res.text().await.unwrap();
    assert!(part.contains("Too many attempts"), "{part}");
    assert!(!part.contains("Wool socks"));
}

#[tokio::test]
async fn another_sites_background_post_is_refused_before_any_lookup() {
    let app = ingested().await;
    for email in ["ada@example.com", "eve@example.com"] {
        let res = app
            .client
            .post(app.url("/track/alpha"))
            .header("sec-fetch-site", "cross-site")
            .header("origin", "https://evil.example")
            .header("lookout-fragment", "lookup")
            .form(&[("email", email), ("order_number", "1001")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        assert!(res.headers().get("lookout-fragment").is_none());
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("Wool socks") && !body.contains("We could not find"),
            "{body}"
        );
    }
}
