//! The merchant console at the HTTP level: set-password links, sign-in and its
//! limits, session cookies, sign-out, CSRF, cross-site forms and roles.

use crate::common;

use app::limits::LimitSettings;
use app::store::Role;
use common::console::{
    account, hidden, invite, set_cookie, set_password, sign_in, try_sign_in, try_sign_in_at, try_sign_in_with, PASSWORD,
};
use common::TestApp;
use server::console::session;
use server::console::KNOWN_COOKIE;

#[tokio::test]
async fn a_link_sets_a_password_once_and_refuses_weak_ones() {
    let app = TestApp::spawn().await;
    let link = invite(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let page = app.get_text(&link).await;
    assert!(
        page.contains("owner@alpha.example"),
        "the form says whose password it sets"
    );
    for (password, again, says) in [
        ("short", "short", "at least 12 characters"),
        ("password1234", "password1234", "most common"),
        ("owner@alpha.example", "owner@alpha.example", "email address"),
        ("a fine passphrase", "a fine passphrase!", "not the same"),
    ] {
        let res = set_password(&app, &link, password, again).await;
        assert_eq!(res.status(), 422, "{password}");
        assert!(res.text().await.unwrap().contains(says), "{password}: {says}");
    }
    // Refused passwords changed nothing: no sign-in yet.
    assert_eq!(try_sign_in(&app, "owner@alpha.example", "short").await.status(), 401);
    assert_eq!(set_password(&app, &link, PASSWORD, PASSWORD).await.status(), 200);
    // Used once: the link is dead, for reading and for posting.
    assert_eq!(app.client.get(app.url(&link)).send().await.unwrap().status(), 404);
    let again = app
        .client
        .post(app.url(&link))
        .form(&[
            ("password", "another fine passphrase"),
            ("again", "another fine passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
    assert_eq!(try_sign_in(&app, "owner@alpha.example", PASSWORD).await.status(), 303);
    // Junk in place of a token is no link, without a query.
    for junk in [
        "/console/password/x",
        "/console/password/..%2F..",
        &format!("/console/password/{}", "g".repeat(64)),
    ] {
        assert_eq!(
            app.client.get(app.url(junk)).send().await.unwrap().status(),
            404,
            "{junk}"
        );
    }
}

#[tokio::test]
async fn sessions_are_opaque_http_only_strict_cookies_that_end() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let res = try_sign_in(&app, "owner@alpha.example", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let (id, header) = set_cookie(&res, session::SESSION_COOKIE.plain).unwrap();
    assert_eq!(id.len(), 64);
    for part in ["HttpOnly", "SameSite=Strict", "Path=/console", "Max-Age=43200"] {
        assert!(header.contains(part), "{header} lacks {part}");
    }
    assert!(!header.contains("Secure"), "plain HTTP in tests: {header}");
    // Only the id's hash is stored.
    let stored: i64 = app
        .count(&format!("SELECT COUNT(*) FROM sessions WHERE id_hash = '{id}'"))
        .await;
    assert_eq!(stored, 0);
    let browser = sign_in(&app, "owner@alpha.example").await;
    let res = browser.get("/console").await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        "/console/shops/alpha",
        "one shop: straight to it"
    );
    let page = browser.page("/console/shops/alpha").await;
    assert!(page.contains("owner@alpha.example"));

    // Sign out everywhere ends both sessions; a signed-out browser is sent to sign in.
    let other = sign_in(&app, "owner@alpha.example").await;
    let csrf = browser.csrf().await;
    let res = browser.post_with("/console/sign-out-everywhere", &csrf, &[]).await;
    assert_eq!(res.status(), 303);
    // To the sign-in page, which says so.
    assert_eq!(res.headers()["location"], "/console?out=everywhere");
    let said = app.client.get(app.url("/console?out=everywhere")).send().await.unwrap();
    let said = said.text().await.unwrap();
    assert!(
        said.contains(r#"role="status""#) && said.contains("You are signed out on every device"),
        "{said}"
    );
    assert!(set_cookie(&res, session::SESSION_COOKIE.plain)
        .unwrap()
        .1
        .contains("Max-Age=0"));
    for b in [&browser, &other] {
        // A cookie of an ended session: to sign in, told why (a form sent then was not saved).
        let res = b.get("/console/shops/alpha").await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/console?ended=1");
        // Its cookie goes with it, so that a browser is told once.
        let cleared = set_cookie(&res, session::SESSION_COOKIE.plain).expect("the cookie cleared");
        assert!(cleared.1.contains("Max-Age=0"), "{cleared:?}");
        for page in ["/console?ended=1", "/console"] {
            let html = b.page(page).await;
            assert!(html.contains("Your session has ended"), "{page}: {html}");
            assert!(html.contains(r#"action="/console/sign-in""#));
        }
        // The sign-in page that says so clears the cookie too: said once.
        let home = b.get("/console").await;
        let cleared = set_cookie(&home, session::SESSION_COOKIE.plain).expect("/console clears the cookie");
        assert!(cleared.1.contains("Max-Age=0"), "{cleared:?}");
    }
    // A browser follows the redirect without the cookie it cleared: the
    // address says it (a forged one only says what is harmless), and the
    // console's plain address says nothing of it.
    let followed = app.client.get(app.url("/console?ended=1")).send().await.unwrap();
    assert!(followed.text().await.unwrap().contains("Your session has ended"));
    let fresh = app.client.get(app.url("/console")).send().await.unwrap();
    assert!(!fresh.text().await.unwrap().contains("Your session has ended"));

    // A session past its time is no session.
    let late = sign_in(&app, "owner@alpha.example").await;
    app.exec("UPDATE sessions SET expires_at = '2000-01-01T00:00:00Z'")
        .await;
    assert_eq!(late.get("/console/shops/alpha").await.status(), 303);
}

#[tokio::test]
async fn wrong_passwords_and_unknown_accounts_get_the_same_answer() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let wrong = try_sign_in(&app, "owner@alpha.example", "not the password").await;
    let unknown = try_sign_in(&app, "nobody@alpha.example", "not the password").await;
    assert_eq!((wrong.status().as_u16(), unknown.status().as_u16()), (401, 401));
    assert!(set_cookie(&wrong, session::SESSION_COOKIE.plain).is_none());
    let (a, b) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    // The address typed is kept in the form, never the password.
    assert!(a.contains(r#"value="owner@alpha.example""#), "{a}");
    assert!(!a.contains("not the password") && !b.contains("not the password"));
    // The pages differ only in their one-time form token and the address typed.
    let strip = |html: &str| {
        html.replace(&hidden(html, "csrf").unwrap(), "")
            .replace("owner@alpha.example", "")
            .replace("nobody@alpha.example", "")
    };
    assert_eq!(strip(&a), strip(&b));
}

/// Concurrent guesses at `email`'s password from `from`; the statuses answered.
async fn burst(app: &TestApp, from: &'static str, email: &'static str, count: usize) -> Vec<u16> {
    let mut guesses = tokio::task::JoinSet::new();
    for n in 0..count {
        let (client, base) = (app.client.clone(), app.base.clone());
        guesses.spawn(async move {
            let guess = format!("guess number {n}");
            let res = try_sign_in_at(&client, &base, from, email, &guess).await;
            res.status().as_u16()
        });
    }
    guesses.join_all().await
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test]
async fn a_burst_of_guesses_gets_the_allowance_and_no_more_hashing_and_locks_out_only_itself() {
    let gate = std::sync::Arc::new(server::keys::HashGate::new(2, 1000, std::time::Duration::from_secs(30)));
    let settings = LimitSettings {
        failed_sign_ins_per_account: 5,
        failed_auth_per_client: 1000,
        // A day's window, so that allowances refill far apart: the account's 50
        // from all clients one every 29 minutes, not every 18 s. A run slowed by
        // many tests at once lasted long enough to see one come back.
        window: std::time::Duration::from_secs(24 * 60 * 60),
        // Clients are told apart by X-Forwarded-For from the loopback proxy.
        proxies: app::limits::Proxies::parse(&["127.0.0.1"]).unwrap(),
        ..LimitSettings::default()
    };
    let app = TestApp::spawn_configured({
        let gate = gate.clone();
        move |s| s.with_limits(settings).with_hash_gate(gate)
    })
    .await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let hashes_before = gate.hashes();
    let statuses = burst(&app, "203.0.113.7", "OWNER@alpha.example ", 200).await;
    assert_eq!((count(&statuses, 401), count(&statuses, 429)), (5, 195), "{statuses:?}");
    assert_eq!(gate.hashes() - hashes_before, 5, "only the allowed guesses were hashed");
    // The right password from the guessing client is refused too until it refills.
    let owner = &app.client;
    let res = try_sign_in_at(owner, &app.base, "203.0.113.7", "owner@alpha.example", PASSWORD).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    // The owner, elsewhere, is not locked out by it.
    let res = try_sign_in_at(owner, &app.base, "198.51.100.1", "owner@alpha.example", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let (known, _) = set_cookie(&res, KNOWN_COOKIE.plain).expect("a known browser's cookie");
    // Guessing from many clients is bounded by the account's allowance from all
    // clients (ten times one client's): then everyone waits, the owner too.
    let mut wrong = 0;
    for from in ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"] {
        wrong += count(&burst(&app, from, "owner@alpha.example", 20).await, 401);
    }
    for from in ["192.0.2.6", "192.0.2.7", "192.0.2.8", "192.0.2.9", "192.0.2.10"] {
        wrong += count(&burst(&app, from, "owner@alpha.example", 20).await, 401);
    }
    assert_eq!(
        wrong,
        50 - 5,
        "fifty failures in all, five of them from the first client"
    );
    let res = try_sign_in_at(owner, &app.base, "198.51.100.1", "owner@alpha.example", PASSWORD).await;
    assert_eq!(res.status(), 429);
    // Everyone but a browser the owner has signed in with: its sign-ins are
    // counted per client and per account from that client only.
    let with_tag = |tag: String, from: &'static str, password: &'static str| {
        let (client, base) = (app.client.clone(), app.base.clone());
        async move {
            let known = format!("{}={tag}", KNOWN_COOKIE.plain);
            try_sign_in_with(&client, &base, from, &known, "owner@alpha.example", password)
                .await
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        with_tag(known.clone(), "198.51.100.2", PASSWORD).await,
        303,
        "the owner's browser"
    );
    // A made-up tag is no known browser's.
    assert_eq!(with_tag("00".repeat(32), "198.51.100.4", PASSWORD).await, 429);
    // The cookie opens nothing by itself: wrong passwords through it are still
    // counted, five from a client.
    let mut statuses = vec![];
    for _ in 0..7 {
        statuses.push(with_tag(known.clone(), "198.51.100.3", "wrong password").await);
    }
    assert_eq!((count(&statuses, 401), count(&statuses, 429)), (5, 2), "{statuses:?}");
}

#[tokio::test]
async fn forms_need_this_sessions_token_and_this_site() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let browser = sign_in(&app, "owner@alpha.example").await;
    let change = [
        ("name", "Renamed"),
        ("locale", "de"),
        ("accent", "#123456"),
        ("allowed_origins", ""),
    ];
    for token in ["", "0".repeat(64).as_str()] {
        let res = browser.post_with("/console/shops/alpha/settings", token, &change).await;
        assert_eq!(res.status(), 403, "token {token:?}");
    }
    // Another session's token does not do either.
    account(&app, "owner2@alpha.example", "alpha", Role::Owner).await;
    let other = sign_in(&app, "owner2@alpha.example").await;
    let res = browser
        .post_with("/console/shops/alpha/settings", &other.csrf().await, &change)
        .await;
    assert_eq!(res.status(), 403);
    // Another site's page posting with the shopper's cookie and the right token.
    let csrf = browser.csrf().await;
    let res = app
        .client
        .post(app.url("/console/shops/alpha/settings"))
        .header("cookie", &browser.cookie)
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf", csrf.as_str()), ("name", "Renamed"), ("locale", "de")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // The sign-in form needs its own cookie's token (no logging in a victim as the attacker).
    let res = app
        .client
        .post(app.url("/console/sign-in"))
        .form(&[
            ("csrf", "0".repeat(64).as_str()),
            ("email", "owner@alpha.example"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    assert_eq!(
        (shop.name.as_str(), shop.locale.as_str()),
        ("alpha store", "en"),
        "nothing changed"
    );
    // With the token, it changes.
    let res = browser.post_with("/console/shops/alpha/settings", &csrf, &change).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.store.shop("alpha").await.unwrap().unwrap().name, "Renamed");
}

#[tokio::test]
async fn staff_see_support_and_numbers_but_not_the_owners_pages_or_other_shops() {
    let app = TestApp::spawn().await;
    account(&app, "staff@alpha.example", "alpha", Role::Staff).await;
    let staff = sign_in(&app, "staff@alpha.example").await;
    for path in ["/console/shops/alpha", "/console/shops/alpha/orders"] {
        assert_eq!(staff.get(path).await.status(), 200, "{path}");
    }
    for path in [
        "/console/shops/alpha/settings",
        "/console/shops/alpha/keys",
        "/console/shops/alpha/shopify",
        "/console/shops/alpha/audit",
    ] {
        assert_eq!(staff.get(path).await.status(), 403, "{path}");
    }
    for path in ["/console/shops/alpha/keys", "/console/shops/alpha/shopify/rotate"] {
        assert_eq!(staff.post(path, &[]).await.status(), 403, "POST {path}");
    }
    let nav = staff.page("/console/shops/alpha").await;
    assert!(
        !nav.contains("/console/shops/alpha/keys"),
        "staff are not offered owners' pages"
    );
    // Another shop, existing or not, is the same 404.
    for path in [
        "/console/shops/beta",
        "/console/shops/nope",
        "/console/shops/beta/orders",
        "/console/shops/NOT_A_SLUG",
    ] {
        assert_eq!(staff.get(path).await.status(), 404, "{path}");
    }
    // One account in two shops, with a role in each; the console lists both.
    let beta = app.store.shop("beta").await.unwrap().unwrap();
    app.store
        .add_member("staff@alpha.example", beta.id, Role::Owner)
        .await
        .unwrap()
        .expect("room in the team");
    assert_eq!(staff.get("/console/shops/beta/keys").await.status(), 200);
    let home = staff.page("/console").await;
    assert!(home.contains("alpha store") && home.contains("beta store"), "{home}");
    // Taking a role away works at the next request; deleting the account ends its sessions.
    common::lookout_ok(
        &app.db.url,
        &["user", "remove", "staff@alpha.example", "--shop", "alpha"],
    );
    assert_eq!(staff.get("/console/shops/alpha").await.status(), 404);
    assert_eq!(staff.get("/console/shops/beta/keys").await.status(), 200);
    // The only owner of beta is not deleted until beta has another.
    let out = common::lookout_command(&app.db.url)
        .args(["user", "remove", "staff@alpha.example"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("the only owner of \"beta\""), "{said}");
    assert_eq!(staff.get("/console/shops/beta/keys").await.status(), 200);
    app.store
        .add_member("second@beta.example", beta.id, Role::Owner)
        .await
        .unwrap()
        .expect("room in the team");
    common::lookout_ok(&app.db.url, &["user", "remove", "staff@alpha.example"]);
    assert_eq!(staff.get("/console/shops/beta").await.status(), 303);
}

#[tokio::test]
async fn console_pages_are_never_framed_or_cached() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let browser = sign_in(&app, "owner@alpha.example").await;
    for path in ["/console/shops/alpha", "/console/shops/alpha/settings"] {
        let res = browser.get(path).await;
        let h = res.headers();
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.ends_with("frame-ancestors 'none'"), "{csp}");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(h["x-content-type-options"], "nosniff");
    }
}

#[tokio::test]
async fn every_page_opens_with_a_link_past_its_header_to_its_main_part() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let browser = sign_in(&app, "owner@alpha.example").await;
    let signed_out = app.get_text("/console").await;
    let mut pages = vec![signed_out];
    for path in ["/console/shops/alpha", "/console/shops/alpha/keys", "/console/account"] {
        pages.push(browser.page(path).await);
    }
    for page in pages {
        let skip = page.find(r##"<a href="#main" class="skip">Skip to content</a>"##);
        let first_link = page.find("<a ");
        assert!(skip.is_some() && skip == first_link, "{page}");
        assert!(page.contains(r#"<main id="main""#), "{page}");
        if let (Some(skip), Some(header)) = (skip, page.find("<header")) {
            assert!(skip < header, "{page}");
        }
    }
}
