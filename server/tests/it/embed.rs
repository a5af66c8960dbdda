//! The embeddable widget over real HTTP: loader, frame policy, compact page, caching.

use crate::common;

use common::{allow_origins, TestApp, EXAMPLE, INTERNAL};
use sha2::{Digest, Sha384};

#[tokio::test]
async fn the_loader_is_small_cacheable_and_matches_the_published_integrity() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/embed.js")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert!(h["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert_eq!(h["access-control-allow-origin"], "*");
    assert!(h["cache-control"].to_str().unwrap().contains("max-age="));
    let etag = h["etag"].to_str().unwrap().to_string();
    let body = res.bytes().await.unwrap();
    // The budget of `embed::tests` (5.5 KiB as written; gzipped it is under 2.5 KiB).
    assert!(body.len() < 5632, "{} bytes", body.len());
    assert!(!String::from_utf8_lossy(&body).contains("document.cookie"));

    use base64::Engine;
    let served = format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(&body))
    );
    assert_eq!(
        served,
        server::embed::integrity(),
        "the snippet's integrity is the served file's"
    );

    let again = app
        .client
        .get(app.url("/embed.js"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn only_the_shops_allowed_origins_and_lookout_itself_may_frame_its_widget() {
    let app = TestApp::spawn().await;
    allow_origins(&app.store, "alpha", &["https://alpha.example", "http://127.0.0.1:8080"]).await;
    let res = app.client.get(app.url("/embed/alpha")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.ends_with("; frame-ancestors 'self' https://alpha.example http://127.0.0.1:8080"),
        "{csp}"
    );
    assert_eq!(csp.matches("frame-ancestors").count(), 1);
    assert!(res.headers().get("x-frame-options").is_none());
    // Its address in capitals is sent to it, with the same frame rule.
    let moved = app.client.get(app.url("/embed/ALPHA")).send().await.unwrap();
    assert_eq!(moved.status(), 308);
    assert_eq!(moved.headers()["location"], "/embed/alpha");
    let moved_csp = moved.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        moved_csp.ends_with("frame-ancestors 'self' https://alpha.example http://127.0.0.1:8080"),
        "{moved_csp}"
    );
    assert!(moved.headers().get("x-frame-options").is_none());
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"<script src="/embed-frame.js" defer"#),
        "the frame reports its height"
    );
    assert!(
        html.contains(r#"action="/embed/alpha""#),
        "the form posts back into the frame"
    );

    // A shop with no allowed origin is framed only by Lookout's own pages (the
    // console's preview); the full page and other pages by nobody.
    let res = app.client.get(app.url("/embed/beta")).send().await.unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.ends_with("; frame-ancestors 'self'"), "{csp}");
    assert_eq!(res.headers()["x-frame-options"], "SAMEORIGIN");
    for path in ["/embed/no-such-shop", "/track/alpha", "/", "/console"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.ends_with("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(csp.matches("frame-ancestors").count(), 1, "{path}");
        assert_eq!(res.headers()["x-frame-options"], "DENY", "{path}");
    }
}

#[tokio::test]
async fn an_unknown_shop_gets_a_clear_404_in_the_frame() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/embed/no-such-shop")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn the_accent_colour_is_applied_only_when_it_is_a_colour() {
    let app = TestApp::spawn().await;
    let html = app.get_text("/embed/alpha?accent=%23C0FFEE").await;
    assert!(html.contains("--accent:#c0ffee"), "{html}");
    // A light colour: black text on its buttons, its links darkened to read on white.
    assert!(
        html.contains(".track{--accent:#c0ffee;--on-accent:#000;--accent-ink:#"),
        "{html}"
    );
    assert!(!html.contains("--accent-ink:#c0ffee"), "{html}");
    // The language links keep it: another language is the same widget.
    assert!(
        html.contains(r#"href="/embed/alpha?locale=de&amp;accent=%23c0ffee""#),
        "{html}"
    );
    // The tracking page keeps no accent of the query.
    let page = app.get_text("/track/alpha?accent=%23C0FFEE").await;
    assert!(page.contains(r#"href="/track/alpha?locale=de""#), "{page}");
    // As a style element with the page's nonce: the policy allows no inline style attributes.
    assert!(html.contains("<style nonce=\""), "{html}");
    assert!(!html.contains(" style=\""), "{html}");
    let html = app
        .client
        .get(app.url("/embed/alpha?accent=red%3Bbackground%3Aurl(x)"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("--accent:") && !html.contains("url(x)"));
}

#[tokio::test]
async fn a_plain_form_post_inside_the_frame_shows_the_compact_result() {
    let app = TestApp::spawn().await;
    app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
    let res = app
        .client
        .post(app.url("/embed/alpha?locale=sv"))
        .form(&[("email", "ada@example.com"), ("order_number", "#1001")])
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("Beställning #1001"));
    assert!(html.contains(r#"<section class="track compact""#), "{html}");
    for secret in INTERNAL {
        assert!(!html.contains(secret), "{secret}");
    }
}

#[tokio::test]
async fn site_assets_carry_etags_and_revalidate() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/pkg/lookout.css")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    let etag = res.headers()["etag"].clone();
    let again = app
        .client
        .get(app.url("/pkg/lookout.css"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(
        app.client.get(app.url("/pkg/nope.js")).send().await.unwrap().status(),
        404
    );
    // The site root on disk is not served around the assets' route (an empty
    // segment, an encoded slash), nor any file but a plain public one.
    for path in ["/pkg//lookout.css", "/pkg%2Flookout.css"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn pages_name_assets_by_content_which_are_cached_for_good_and_sent_precompressed() {
    let app = TestApp::spawn().await;
    let page = app.client.get(app.url("/track/alpha")).send().await.unwrap();
    let (status, headers) = (page.status(), page.headers().clone());
    let html = page.text().await.unwrap();
    let start = html
        .find("/pkg/lookout.")
        .unwrap_or_else(|| panic!("an asset link in the page: {status} {headers:?} {html:?}"));
    let css = &html[start..start + html[start..].find(".css").expect("the stylesheet") + 4];
    let hash = css.trim_start_matches("/pkg/lookout.").trim_end_matches(".css");
    assert!(hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()), "{css}");
    // The island's scripts go by the same name.
    assert!(
        html.contains(&format!(r#"rel="modulepreload" href="/pkg/lookout.{hash}.js""#)),
        "{html}"
    );
    assert!(html.contains("<leptos-island"), "the lookup is an island");
    // It carries nothing into the browser but its element: no props to hydrate from.
    assert!(!html.contains("data-props"), "{html}");

    let res = app
        .client
        .get(app.url(css))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(res.headers()["content-encoding"], "br");
    assert_eq!(res.headers()["vary"], "accept-encoding");
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    let br_etag = res.headers()["etag"].clone();
    assert_eq!(
        &res.bytes().await.unwrap()[..],
        common::STAND_IN_BROTLI,
        "the build's copy, as it is"
    );

    // No brotli accepted: the file itself, with an ETag of its own.
    let plain = app
        .client
        .get(app.url(css))
        .header("accept-encoding", "br;q=0")
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_ne!(plain.headers()["etag"], br_etag);
    assert_eq!(plain.text().await.unwrap(), "body{color:#111}");

    // Another hash is no file.
    let stale = app
        .client
        .get(app.url("/pkg/lookout.0123456789abcdef.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 404);
}

#[tokio::test]
async fn each_encoding_of_the_widget_scripts_has_its_own_etag_and_revalidates_by_it() {
    let app = TestApp::spawn().await;
    for path in ["/embed.js", "/embed-frame.js"] {
        let get = |accept: Option<&'static str>, tag: Option<&str>| {
            let mut req = app.client.get(app.url(path));
            if let Some(accept) = accept {
                req = req.header("accept-encoding", accept);
            }
            if let Some(tag) = tag {
                req = req.header("if-none-match", tag);
            }
            req.send()
        };
        let plain = get(None, None).await.unwrap();
        assert_eq!(plain.status(), 200);
        assert!(plain.headers().get("content-encoding").is_none(), "{path}");
        let plain_tag = plain.headers()["etag"].to_str().unwrap().to_string();
        let plain_body = plain.bytes().await.unwrap();

        let mut tags = vec![plain_tag.clone()];
        for (accept, coding) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
            let res = get(Some(accept), None).await.unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(res.headers()["content-encoding"], coding, "{path} {accept}");
            assert!(res.headers()["vary"]
                .to_str()
                .unwrap()
                .to_ascii_lowercase()
                .contains("accept-encoding"));
            assert_eq!(res.headers()["access-control-allow-origin"], "*");
            let tag = res.headers()["etag"].to_str().unwrap().to_string();
            assert!(tag.ends_with(&format!("-{coding}\"")), "{path} {accept}: {tag}");
            let body = res.bytes().await.unwrap();
            assert_ne!(body, plain_body, "{path} {accept}: sent compressed");
            if coding == "gzip" {
                assert_eq!(&body[..2], &[0x1f_u8, 0x8b][..], "{path}: a gzip stream");
            }
            // The representation's own tag is current; another encoding's is not.
            let again = get(Some(accept), Some(tag.as_str())).await.unwrap();
            assert_eq!(again.status(), 304, "{path} {accept}");
            assert_eq!(again.headers()["etag"], tag.as_str());
            assert_eq!(get(Some(accept), Some(plain_tag.as_str())).await.unwrap().status(), 200);
            assert_eq!(get(None, Some(tag.as_str())).await.unwrap().status(), 200);
            tags.push(tag);
        }
        assert_eq!(get(None, Some(plain_tag.as_str())).await.unwrap().status(), 304);
        tags.sort();
        tags.dedup();
        assert_eq!(tags.len(), 3, "{path}: one tag per encoding (br asked twice): {tags:?}");
    }
}
