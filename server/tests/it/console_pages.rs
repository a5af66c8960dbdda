//! What the console's pages do: settings and the preview, API keys, Shopify's
//! deliveries, the support view and its audit log.

use crate::common;

use app::store::Role;
use common::console::{account, sign_in};
use common::shopify::deliver;
use common::{TestApp, EXAMPLE};

pub(crate) async fn owner(app: &TestApp) -> common::console::Browser<'_> {
    account(app, "owner@alpha.example", "alpha", Role::Owner).await;
    sign_in(app, "owner@alpha.example").await
}

#[tokio::test]
async fn settings_change_the_widget_and_bad_ones_change_nothing() {
    let app = TestApp::spawn().await;
    let browser = owner(&app).await;
    let page = browser.page("/console/shops/alpha/settings").await;
    // No icon for the browser to ask for (a 404 on every page).
    assert!(page.contains(r#"<link rel="icon" href="data:,">"#), "{page}");
    let frame = &page[page.find("<iframe").expect("a preview frame")..];
    assert!(
        frame[..frame.find('>').unwrap()].contains(r#"src="/embed/alpha""#),
        "the preview frames the real widget"
    );
    let snippet = server::embed::snippet(&app.base, "alpha", app::i18n::Locale::En);
    let text = page
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    assert!(
        text.contains(&snippet),
        "the script tag with its integrity hash: {snippet}"
    );
    assert!(!page.contains("<script src=\"http"), "shown as text, not run");
    assert!(
        text.contains(&format!(
            "<a href=\"{}/track/alpha\" lang=\"en\" data-lookout-link>Track your order</a>",
            app.base
        )),
        "with the link the widget takes the place of, in the shop's language"
    );
    for (field, id, value, says) in [
        ("accent", "accent", "red; background:url(x)", "hex colour"),
        (
            "allowed_origins",
            "origins",
            "javascript:alert(1)",
            "scheme://host[:port]",
        ),
        ("locale", "locale", "fi", "languages offered"),
        ("name", "name", "", "1 to 100 characters"),
    ] {
        let mut form = vec![
            ("name", "Alpha"),
            ("locale", "en"),
            ("accent", ""),
            ("allowed_origins", ""),
        ];
        form.retain(|(k, _)| *k != field);
        form.push((field, value));
        let res = browser.post("/console/shops/alpha/settings", &form).await;
        assert_eq!(res.status(), 422, "{field}");
        let html = res.text().await.unwrap();
        assert!(html.contains(says), "{field}: {says}");
        // Said first: in the title, and by the notice, which takes the focus.
        assert!(
            html.contains("<title>Error: Settings · Lookout</title>"),
            "{field}: {html}"
        );
        assert!(
            html.contains(r#"<div role="alert" tabindex="-1" autofocus class="notice error">"#),
            "{field}: {html}"
        );
        // The problem links to its field, which is marked and names it.
        assert!(
            html.contains(&format!(r##"<li id="problem-{id}"><a href="#{id}">"##)),
            "{field}: {html}"
        );
        let marked = html
            .split("<input")
            .chain(html.split("<select"))
            .chain(html.split("<textarea"))
            .filter(|tag| tag.contains(&format!(r#"id="{id}""#)))
            .any(|tag| tag.contains(r#"aria-invalid="true""#) && tag.contains(&format!("problem-{id}")));
        assert!(marked, "{field}: {html}");
        assert_eq!(
            html.matches(r#"aria-invalid="true""#).count(),
            1,
            "{field}: only the bad field"
        );
    }
    assert_eq!(app.store.shop("alpha").await.unwrap().unwrap().name, "alpha store");
    let form = [
        ("name", "Alpha Outfitters"),
        ("locale", "nb"),
        ("accent", "#AA3300"),
        ("allowed_origins", "https://alpha.example\nhttp://127.0.0.1:8080/"),
    ];
    let res = browser.post("/console/shops/alpha/settings", &form).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/console/shops/alpha/settings?saved=1");
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    assert_eq!(shop.accent.as_deref(), Some("#aa3300"));
    assert_eq!(shop.allowed_origins, ["https://alpha.example", "http://127.0.0.1:8080"]);
    // The links-by-email box was left unticked: off; the page says it shows when ticked.
    assert!(!shop.email_links);
    let page = browser.page("/console/shops/alpha/settings").await;
    assert!(page.contains(r#"name="email_links""#) && !page.contains("checked"));
    assert!(
        page.contains("This server sends no mail"),
        "no SMTP server here: said so"
    );
    let ticked = [
        ("name", "Alpha Outfitters"),
        ("locale", "nb"),
        ("accent", "#AA3300"),
        ("allowed_origins", "https://alpha.example\nhttp://127.0.0.1:8080/"),
        ("email_links", "on"),
    ];
    assert_eq!(
        browser.post("/console/shops/alpha/settings", &ticked).await.status(),
        303
    );
    assert!(app.store.shop("alpha").await.unwrap().unwrap().email_links);
    // What the preview loads: the widget in the new accent, framable by the console.
    let res = app.client.get(app.url("/embed/alpha")).send().await.unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("frame-ancestors 'self' https://alpha.example"), "{csp}");
    assert!(res.text().await.unwrap().contains("#aa3300"));
}

#[tokio::test]
async fn keys_are_shown_once_listed_by_prefix_and_revoked() {
    let app = TestApp::spawn().await;
    let browser = owner(&app).await;
    let once = browser.once("/console/shops/alpha/keys").await;
    let res = browser.post("/console/shops/alpha/keys", &[("once", &once)]).await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    let start = page.find("lk_").expect("the new key");
    let key: String = page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert_eq!(key.len(), 3 + 16 + 1 + 64, "{key}");
    // The sentence is the status, the key's box beside it: the copy button's
    // own status, put after the box, is not a status inside a status.
    let notice = &page[page.find("<h1>").expect("the heading")..start];
    assert!(
        notice.contains(r#"<p role="status">"#) && notice.matches(r#"role="status""#).count() == 1,
        "{notice}"
    );
    let prefix = &key[3..19];
    // It works, and then its use shows.
    assert_eq!(app.put("alpha", "#1001", &key, EXAMPLE).await.status(), 201);
    let list = browser.page("/console/shops/alpha/keys").await;
    assert!(!list.contains(&key), "the key is never shown again");
    assert!(list.contains(&format!("lk_{prefix}_…")));
    let row = &list[list.find(prefix).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(!row.contains("never"), "last use is shown");
    // Revoking asks first, in a fold that works without JavaScript, and its
    // button names the key.
    assert!(
        row.contains(&format!(
            r#"<details class="confirm"><summary>Revoke<span class="visually-hidden"> lk_{prefix}_…</span></summary>"#
        )),
        "{row}"
    );
    assert!(row.contains(&format!("Revoke lk_{prefix}_…</button>")), "{row}");
    // Revoke: the API refuses it (after the minute a verified key is trusted; a new
    // server has not verified it), and the list says so.
    let res = browser
        .post("/console/shops/alpha/keys/revoke", &[("prefix", prefix)])
        .await;
    assert_eq!(res.status(), 303);
    let list = browser.page(res.headers()["location"].to_str().unwrap()).await;
    let row = &list[list.find(&format!("<code>lk_{prefix}")).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    // When, as every console time: in words, in a <time> the browser may show locally.
    assert!(row.contains("revoked <time datetime=\""), "{row}");
    assert!(row.contains(" UTC</time>"), "{row}");
    assert_eq!(app.store.key_by_prefix(prefix).await.unwrap().map(|k| k.shop_id), None);
    // The same form again (a second tap, the back button): the key is revoked,
    // as asked, and the page says so; the change is recorded once.
    let again = browser
        .post("/console/shops/alpha/keys/revoke", &[("prefix", prefix)])
        .await;
    assert_eq!(again.headers()["location"], res.headers()["location"]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM shop_changes WHERE what = 'key_revoked'")
            .await,
        1
    );
    // Junk and another shop's prefix change nothing, and are said on the keys
    // page, its list and forms still there.
    let beta_prefix = &app.beta_key[3..19];
    for (junk, status) in [("", 422), ("zz", 422), (beta_prefix, 404)] {
        let res = browser
            .post("/console/shops/alpha/keys/revoke", &[("prefix", junk)])
            .await;
        assert_eq!(res.status(), status, "{junk}");
        let page = res.text().await.unwrap();
        assert!(page.contains("This shop has no live key with that prefix."), "{page}");
        assert!(page.contains(&format!("<code>lk_{prefix}")), "the list: {page}");
    }
    assert!(app.store.key_by_prefix(beta_prefix).await.unwrap().is_some());
}

/// Behind a proxy that ends TLS, the request says neither the scheme nor
/// perhaps the host shoppers use: with `--public-url`, the snippet and the
/// webhook address are made from it, whatever the request's `Host`.
#[tokio::test]
async fn the_snippet_and_webhook_address_use_the_public_url_when_set() {
    let public = "https://track.example";
    let app = TestApp::spawn_configured(|state| state.with_public_url(Some(public.into()))).await;
    let browser = owner(&app).await;
    let shopify = browser.page("/console/shops/alpha/shopify").await;
    assert!(shopify.contains(&format!("{public}/api/v1/shops/alpha/webhooks/shopify")));
    let settings = browser.page("/console/shops/alpha/settings").await;
    assert!(settings.contains(&format!("{public}/embed.js")), "{settings}");
    for page in [&shopify, &settings] {
        assert!(!page.contains(&app.base), "the request's address is not used");
    }
}

#[tokio::test]
async fn signed_deliveries_are_listed_and_unsigned_ones_are_not() {
    let app = TestApp::spawn().await;
    let browser = owner(&app).await;
    let page = browser.page("/console/shops/alpha/shopify").await;
    assert!(page.contains(&format!("{}/api/v1/shops/alpha/webhooks/shopify", app.base)));
    assert!(page.contains("No signed delivery"));
    let order: serde_json::Value = serde_json::from_str(common::shopify::ORDER).unwrap();
    let (status, _) = deliver(&app, "alpha", "orders/create", "d-1", &order).await;
    assert_eq!(status, 200);
    deliver(&app, "alpha", "orders/create", "d-1", &order).await;
    let (status, _) = common::shopify::deliver_raw(&app, "alpha", "orders/create", "d-2", b"{}", "bad").await;
    assert_eq!(status, 401);
    let page = browser.page("/console/shops/alpha/shopify").await;
    let applied = page.find(">applied<").expect("the first delivery");
    let duplicate = page.find(">duplicate<").expect("the redelivery");
    assert!(duplicate < applied, "newest first");
    // Said in words, the code beside them.
    assert!(page.contains("Applied to the order <code>applied</code>"), "{page}");
    assert!(
        page.contains("Received before; nothing changed <code>duplicate</code>"),
        "{page}"
    );
    assert_eq!(
        page.matches("<td><code>orders/create</code></td>").count(),
        2,
        "the unsigned one is not listed"
    );
    // Each names the order it was about: the one to look for when a
    // delivery was not kept (an order without an email, here).
    assert_eq!(page.matches("<td><code>9999</code></td>").count(), 2, "{page}");
    let mut phone_only = order.clone();
    phone_only["name"] = serde_json::json!("#4711");
    for field in ["email", "contact_email"] {
        phone_only[field] = serde_json::Value::Null;
    }
    phone_only["customer"]["email"] = serde_json::Value::Null;
    let (_, answer) = deliver(&app, "alpha", "orders/create", "d-4", &phone_only).await;
    assert_eq!(answer["outcome"], "no_email");
    let page = browser.page("/console/shops/alpha/shopify").await;
    let row = &page[..page.find(">no_email<").expect("the delivery not kept")];
    assert!(
        row[row.rfind("<tr>").unwrap()..].contains("<td><code>4711</code></td>"),
        "{page}"
    );
    // Erasing the order blanks its number in the list, and keeps the deliveries.
    let res = app
        .client
        .delete(app.url("/api/v1/shops/alpha/orders/%239999"))
        .bearer_auth(&app.alpha_key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let page = browser.page("/console/shops/alpha/shopify").await;
    assert!(!page.contains("<code>9999</code>"), "{page}");
    assert_eq!(page.matches("<td><code>orders/create</code></td>").count(), 3);
    // Nor does a later delivery of the erased order write it back.
    let (_, answer) = deliver(&app, "alpha", "orders/create", "d-5", &order).await;
    assert_eq!(answer["outcome"], "erased");
    let page = browser.page("/console/shops/alpha/shopify").await;
    assert!(
        page.contains(">erased<") && !page.contains("<code>9999</code>"),
        "{page}"
    );
    // A new signing secret is shown once and replaces the old one.
    let once = browser.once("/console/shops/alpha/shopify").await;
    let res = browser
        .post("/console/shops/alpha/shopify/rotate", &[("once", &once)])
        .await;
    let page = res.text().await.unwrap();
    let (status, _) = deliver(&app, "alpha", "orders/create", "d-3", &order).await;
    assert_eq!(status, 401, "the old secret stopped working");
    let (_, secret) = app.store.webhook_secret("alpha").await.unwrap().unwrap();
    assert!(page.contains(&secret));
    assert!(!browser.page("/console/shops/alpha/shopify").await.contains(&secret));
}

#[tokio::test]
async fn the_support_view_shows_both_sides_and_records_who_looked() {
    let app = TestApp::spawn().await;
    let browser = owner(&app).await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);
    account(&app, "staff@alpha.example", "alpha", Role::Staff).await;
    let staff = sign_in(&app, "staff@alpha.example").await;
    let res = staff
        .post("/console/shops/alpha/orders", &[("number", " #1001 ")])
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    let (merchant, shopper) = page.split_at(page.find("shopper-title").unwrap());
    // The merchant's side has the internal fields; the shopper's has none of them.
    for internal in [
        "Staff only: check fraud score",
        "Customer called about gift wrap",
        "vip",
        "Storgata 1",
    ] {
        assert!(merchant.contains(internal), "{internal}");
        assert!(!shopper.contains(internal), "{internal} leaked to the shopper side");
    }
    assert!(shopper.contains("Wool socks") && shopper.contains("00370712345678901234"));
    // Misses and junk record nothing.
    for (number, status) in [("#404", 404), ("", 422), (&*"9".repeat(65), 422)] {
        let res = staff.post("/console/shops/alpha/orders", &[("number", number)]).await;
        assert_eq!(res.status(), status, "{number}");
    }
    let audit = browser.page("/console/shops/alpha/audit").await;
    assert_eq!(audit.matches("staff@alpha.example").count(), 1, "{audit}");
    assert!(audit.contains("<code>1001</code>"));
    // The order number never appears in a URL of the console.
    assert!(!page.contains("number=1001") && !page.contains("/orders/1001"));
}

/// The log is read a page at a time, newest first: every entry once, in order,
/// and no link carries an entry's id (which would tell other shops' activity).
#[tokio::test]
async fn the_audit_log_is_read_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let browser = owner(&app).await;
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    let beta = app.store.shop("beta").await.unwrap().unwrap();
    let total = 2 * app::store::AUDIT_SHOWN as usize + 50;
    for i in 0..total {
        let number = format!("n{i:04}");
        app.store
            .record_support_view(shop.id, "staff@alpha.example", &number)
            .await
            .unwrap();
        if i == 10 {
            app.store
                .record_support_view(beta.id, "staff@beta.example", "beta-1")
                .await
                .unwrap();
        }
    }
    let mut seen = Vec::new();
    let mut path = "/console/shops/alpha/audit".to_string();
    for (here, expected) in [(1, 200), (2, 200), (3, 50)] {
        let page = browser.page(&path).await;
        let numbers: Vec<String> = page
            .match_indices("<code>n")
            .map(|(at, _)| page[at + 6..at + 11].to_string())
            .collect();
        assert_eq!(numbers.len(), expected, "{path}");
        assert!(!page.contains("beta-1"), "another shop's entries are not listed");
        assert!(!page.contains("before="), "pages are counted, not cursors");
        assert_eq!(page.contains("Newest entries"), !seen.is_empty(), "{path}");
        // The page before this one, when it is not the newest.
        let newer = format!(
            r#"href="/console/shops/alpha/audit?page={}" rel="prev">Newer entries"#,
            here - 1
        );
        assert_eq!(page.contains(&newer), here > 2, "{path}");
        seen.extend(numbers);
        let linked: Vec<u32> = page
            .match_indices("?page=")
            .filter_map(|(at, _)| {
                page[at + 6..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
                    .parse()
                    .ok()
            })
            .collect();
        match linked.into_iter().find(|n| *n > here) {
            Some(n) => {
                assert_eq!(n, here + 1);
                path = format!("/console/shops/alpha/audit?page={n}");
            }
            None => {
                assert_eq!(expected, 50, "only the last page has no older entries");
                break;
            }
        }
    }
    let all: Vec<String> = (0..total).rev().map(|i| format!("n{i:04}")).collect();
    assert_eq!(seen, all, "newest first, each once");
    for junk in ["abc", "0", "-5", "100001", "99999999999999999999999", "", "1&page=2"] {
        let res = browser.get(&format!("/console/shops/alpha/audit?page={junk}")).await;
        assert_eq!(res.status(), 404, "{junk:?}");
        assert!(res.text().await.unwrap().contains("no such page of the audit log"));
    }
    // Past the oldest entry: said so, not that nothing was ever opened.
    let past = browser.page("/console/shops/alpha/audit?page=4").await;
    assert!(past.contains("There are no older entries."), "{past}");
}
