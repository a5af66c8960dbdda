//! Console forms that make a secret, sent again or many at once: the same
//! form sent twice (a reload, a double click) makes one key or one signing
//! secret, and a burst of key forms stops at the shop's cap of live keys, on
//! both stores.

use crate::common;

use app::store::{Role, LIVE_KEYS};
use common::burst::{burst, status};
use common::console::{account, hidden, post_from_other_sites, sign_in, Browser};
use common::TestApp;
use std::sync::Arc;

async fn owner(app: &TestApp) -> Browser<'_> {
    account(app, "owner@alpha.example", "alpha", Role::Owner).await;
    sign_in(app, "owner@alpha.example").await
}

/// The app with a hashing gate that lets every request in (two hashes at once),
/// so that a burst reaches the store; and the gate, to count its hashes.
/// Its accounts may post more forms than by default, for the bursts.
async fn with_wide_gate() -> (Arc<server::keys::HashGate>, TestApp) {
    let gate = Arc::new(server::keys::HashGate::new(2, 1000, std::time::Duration::from_secs(60)));
    let app = TestApp::spawn_configured({
        let gate = gate.clone();
        let limits = app::limits::LimitSettings {
            console_writes_per_account: 1_000,
            ..app::limits::LimitSettings::default()
        };
        move |s| s.with_limits(limits).with_hash_gate(gate)
    })
    .await;
    (gate, app)
}

async fn live_keys(app: &TestApp) -> usize {
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    let keys = app.store.keys(shop.id).await.unwrap();
    keys.iter().filter(|k| k.revoked_at.is_none()).count()
}

#[tokio::test]
async fn a_form_sent_again_makes_no_second_key_or_secret() {
    let app = TestApp::spawn().await;
    let browser = owner(&app).await;
    let before = live_keys(&app).await;
    let once = browser.once("/console/shops/alpha/keys").await;
    let first = browser.post("/console/shops/alpha/keys", &[("once", &once)]).await;
    assert_eq!(first.status(), 200);
    assert!(first.text().await.unwrap().contains("id=\"new-key\""));
    let again = browser.post("/console/shops/alpha/keys", &[("once", &once)]).await;
    assert_eq!(again.status(), 409);
    let page = again.text().await.unwrap();
    assert!(page.contains("This form already made key lk_"), "{page}");
    assert!(!page.contains("id=\"new-key\""), "no key is shown");
    assert_ne!(
        hidden(&page, "once").as_deref(),
        Some(once.as_str()),
        "the page's form has a new token"
    );
    assert_eq!(live_keys(&app).await, before + 1);

    // A form without its token, or with a malformed one, makes nothing.
    for junk in ["", "x", &"g".repeat(64)] {
        let res = browser.post("/console/shops/alpha/keys", &[("once", junk)]).await;
        assert_eq!(res.status(), 403, "{junk:?}");
    }
    assert_eq!(live_keys(&app).await, before + 1);

    // The signing secret: the one shown first stays in force.
    let once = browser.once("/console/shops/alpha/shopify").await;
    let first = browser
        .post("/console/shops/alpha/shopify/rotate", &[("once", &once)])
        .await;
    assert_eq!(first.status(), 200);
    let (_, shown) = app.store.webhook_secret("alpha").await.unwrap().unwrap();
    assert!(first.text().await.unwrap().contains(&shown));
    let again = browser
        .post("/console/shops/alpha/shopify/rotate", &[("once", &once)])
        .await;
    assert_eq!(again.status(), 409);
    let page = again.text().await.unwrap();
    assert!(page.contains("This form already made a new signing secret"), "{page}");
    let (_, now) = app.store.webhook_secret("alpha").await.unwrap().unwrap();
    assert_eq!(now, shown, "the secret shown is the one in force");
    assert!(!page.contains(&now));
    let res = browser
        .post("/console/shops/alpha/shopify/rotate", &[("once", "")])
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(app.store.webhook_secret("alpha").await.unwrap().unwrap().1, shown);
}

/// Keys are hashed before they are stored, and the check of the cap happens
/// again with the insert: a burst of forms, each with its own token, all let
/// in by a wide hashing gate, still makes no more than the cap, and hashes no
/// more keys than it makes (the shop's room is held across the hashing).
#[tokio::test]
async fn a_burst_of_key_forms_stops_at_the_cap() {
    let (gate, app) = with_wide_gate().await;
    let browser = owner(&app).await;
    // Room for three (keys stored as the command line would, without hashing).
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    for i in live_keys(&app).await..LIVE_KEYS as usize - 3 {
        let made = app
            .store
            .insert_key(shop.id, &format!("{i:016x}"), "h", "", None, &app::store::By::Operator)
            .await;
        assert_eq!(made.unwrap(), Ok(()));
    }
    let before = live_keys(&app).await;
    let csrf = browser.csrf().await;
    let hashed_before = gate.hashes();
    let forms: Vec<String> = (0..200).map(|i| format!("{i:064x}")).collect();
    let send = |i: usize| {
        let (browser, csrf, once) = (&browser, &csrf, &forms[i]);
        async move {
            browser
                .post_with("/console/shops/alpha/keys", csrf, &[("once", once)])
                .await
                .status()
                .as_u16()
        }
    };
    let answers = burst(forms.len(), send, status).await;
    let made = answers.iter().filter(|s| **s == 200).count();
    let refused = answers.iter().filter(|s| **s == 409).count();
    assert_eq!(made + refused, answers.len(), "{answers:?}");
    assert_eq!((before, made), (LIVE_KEYS as usize - 3, 3));
    assert_eq!(live_keys(&app).await, LIVE_KEYS as usize);
    assert_eq!(gate.hashes() - hashed_before, made as u64, "one hash for each key made");
    // Full: the page says what to do, and nothing is hashed for it.
    let hashes = gate.hashes();
    let once = browser.once("/console/shops/alpha/keys").await;
    let res = browser.post("/console/shops/alpha/keys", &[("once", &once)]).await;
    assert_eq!(res.status(), 409);
    let page = res.text().await.unwrap();
    assert!(page.contains(&format!("already has {LIVE_KEYS} live keys")), "{page}");
    assert_eq!(gate.hashes(), hashes, "a full shop's form buys no hashing");

    // The same form sent 100 times at once makes one key, with room for five.
    for key in app.store.keys(shop.id).await.unwrap().into_iter().take(5) {
        assert!(app
            .store
            .revoke_key(shop.id, &key.prefix, &app::store::By::Operator)
            .await
            .unwrap());
    }
    let once = browser.once("/console/shops/alpha/keys").await;
    let send = |_| {
        let (browser, csrf, once) = (&browser, &csrf, &once);
        async move {
            let res = browser
                .post_with("/console/shops/alpha/keys", csrf, &[("once", once)])
                .await;
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let answers = burst(100, send, |(s, _)| *s).await;
    let made: Vec<&String> = answers
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, page)| page)
        .collect();
    assert_eq!(made.len(), 1, "one key made");
    let start = made[0].find("lk_").expect("the new key");
    let prefix = &made[0][start + 3..start + 19];
    for (status, page) in answers.iter().filter(|(s, _)| *s != 200) {
        assert_eq!(*status, 409);
        assert!(
            page.contains(&format!("This form already made key lk_{prefix}_…")),
            "{page}"
        );
    }
    assert_eq!(live_keys(&app).await, LIVE_KEYS as usize - 4);
}

/// A key's name is shown beside its prefix as text; a name too long or with
/// control characters makes no key, says why, and is offered again to correct.
#[tokio::test]
async fn keys_are_named_and_bad_names_make_nothing() {
    let app = TestApp::spawn().await;
    let browser = owner(&app).await;
    let make = |label: String| {
        let browser = &browser;
        async move {
            let once = browser.once("/console/shops/alpha/keys").await;
            let res = browser
                .post("/console/shops/alpha/keys", &[("once", &once), ("label", &label)])
                .await;
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let (status, _) = make("  ERP sync <b>  ".into()).await;
    assert_eq!(status, 200);
    let (status, _) = make("ø".repeat(60)).await;
    assert_eq!(status, 200, "60 characters of two bytes each fit");
    let list = browser.page("/console/shops/alpha/keys").await;
    assert!(list.contains("<td>ERP sync &lt;b&gt;</td>"), "trimmed, as text: {list}");
    assert!(list.contains(&"ø".repeat(60)));
    let before = live_keys(&app).await;
    for bad in [
        "x".repeat(61),
        "bell\u{7}".into(),
        "new\nline".into(),
        "key\u{202E}cipher".into(),
        "zero\u{200B}width".into(),
        "line\u{2028}break".into(),
        "tag\u{E0041}".into(),
        "\u{2800}".into(),
        "\u{1D173}\u{1D174}".into(),
        "\u{1BCA0}".into(),
        "\u{301}".into(),
        "y".repeat(1_000),
    ] {
        let (status, page) = make(bad.clone()).await;
        assert_eq!(status, 422, "{:?}", &bad[..bad.len().min(20)]);
        assert!(page.contains("at most 60 characters"), "{page}");
        assert!(!page.contains("id=\"new-key\""));
        if bad.len() < 100 && bad.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
            assert!(page.contains(&format!("value=\"{bad}\"")), "offered again");
        }
    }
    // A form bigger than the console takes is refused before it is read.
    let (status, page) = make("z".repeat(100_000)).await;
    assert_eq!(status, 413);
    assert!(
        page.contains("<h1>This form is too large</h1>"),
        "a console page: {page}"
    );
    assert!(
        page.contains("Nothing was changed") || page.contains("nothing was changed"),
        "{page}"
    );
    assert_eq!(live_keys(&app).await, before, "no key was made");
}

/// Another site's page posting the forms with the owner's cookie, even with
/// the right tokens (as if it had read them), makes no key and no secret.
#[tokio::test]
async fn other_sites_cannot_make_keys_or_secrets() {
    let app = TestApp::spawn().await;
    let browser = owner(&app).await;
    let before = live_keys(&app).await;
    let (_, secret) = app.store.webhook_secret("alpha").await.unwrap().unwrap();
    let csrf = browser.csrf().await;
    for (page, action) in [
        ("/console/shops/alpha/keys", "/console/shops/alpha/keys"),
        ("/console/shops/alpha/shopify", "/console/shops/alpha/shopify/rotate"),
    ] {
        let once = browser.once(page).await;
        let sent = [("csrf", csrf.as_str()), ("once", once.as_str()), ("label", "evil")];
        let answers = post_from_other_sites(&app, action, &browser.cookie, &sent).await;
        assert_eq!(answers, [403, 403], "{action}");
        // Without the session's token, from this site: refused as well.
        let res = browser.post_with(action, &"0".repeat(64), &[("once", &once)]).await;
        assert_eq!(res.status(), 403, "{action} without the session's token");
    }
    assert_eq!(live_keys(&app).await, before, "no key was made");
    assert_eq!(app.store.webhook_secret("alpha").await.unwrap().unwrap().1, secret);
}

/// Making and revoking keys in a loop would keep the hashing gate busy for
/// every shop: a shop's console makes at most so many keys an hour, and the
/// form then says so before anything is hashed.
#[tokio::test]
async fn a_shop_makes_so_many_keys_an_hour_from_the_console() {
    let (gate, app) = with_wide_gate().await;
    let browser = owner(&app).await;
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    for i in 0..app::store::KEYS_PER_HOUR {
        let (prefix, form) = (format!("{i:016x}"), format!("{i:064x}"));
        let made = app
            .store
            .insert_key(shop.id, &prefix, "h", "", Some(&form), &app::store::By::Operator)
            .await
            .unwrap();
        assert_eq!(made, Ok(()));
        assert!(app
            .store
            .revoke_key(shop.id, &prefix, &app::store::By::Operator)
            .await
            .unwrap());
    }
    let hashes = gate.hashes();
    let once = browser.once("/console/shops/alpha/keys").await;
    let res = browser.post("/console/shops/alpha/keys", &[("once", &once)]).await;
    assert_eq!(res.status(), 429);
    let page = res.text().await.unwrap();
    assert!(page.contains("keys in the last hour"), "{page}");
    assert_eq!(gate.hashes(), hashes, "nothing was hashed for it");
}

#[tokio::test]
async fn an_address_a_form_posts_to_sends_a_get_to_the_page_the_form_is_on() {
    let app = TestApp::spawn().await;
    let browser = owner(&app).await;
    let before = live_keys(&app).await;
    assert!(before > 0);
    for (address, page) in [
        ("/console/sign-in", "/console"),
        ("/console/sign-out", "/console"),
        ("/console/sign-out-everywhere", "/console"),
        ("/console/account/password", "/console/account"),
        ("/console/account/language", "/console/account"),
        ("/console/account/browsers/sign-out", "/console/account"),
        ("/console/shops/alpha/keys/revoke", "/console/shops/alpha/keys"),
        ("/console/shops/alpha/shopify/rotate", "/console/shops/alpha/shopify"),
        ("/console/shops/alpha/orders/erase", "/console/shops/alpha/orders"),
        ("/console/shops/alpha/team/invite", "/console/shops/alpha/team"),
        // A slug that cannot be one is never written into the answer.
        ("/console/shops/Evil.Example/keys/revoke", "/console"),
    ] {
        let res = browser.get(address).await;
        assert_eq!(res.status(), 303, "{address}");
        assert_eq!(res.headers()["location"], page, "{address}");
    }
    // None of them did what its form does: still signed in, every key live.
    assert!(browser.page("/console/shops/alpha/keys").await.contains("<form"));
    assert_eq!(live_keys(&app).await, before);
}

/// Support-view searches take from an allowance of their own: an account that
/// spent it helping shoppers can still change its settings and its account.
#[tokio::test]
async fn searches_spend_an_allowance_of_their_own_and_leave_the_changes_theirs() {
    let limits = app::limits::LimitSettings {
        console_writes_per_account: 5,
        ..app::limits::LimitSettings::default()
    };
    let app = TestApp::spawn_configured(move |s| s.with_limits(limits)).await;
    let browser = owner(&app).await;
    let csrf = browser.csrf().await;
    // Five searches: four by number, one by email.
    for i in 0..4 {
        let number = format!("#{}", 2000 + i);
        let res = browser
            .post_with("/console/shops/alpha/orders", &csrf, &[("number", &number)])
            .await;
        assert_ne!(res.status(), 429, "search {i}");
        let by_email = [("email", "nobody@example.com")];
        if i == 0 {
            let res = browser
                .post_with("/console/shops/alpha/orders/by-email", &csrf, &by_email)
                .await;
            assert_ne!(res.status(), 429, "a search by email");
        }
    }
    let res = browser
        .post_with("/console/shops/alpha/orders", &csrf, &[("number", "#1")])
        .await;
    assert_eq!(res.status(), 429, "the searches' allowance is spent");
    // The changes' is whole: the account's language and the shop's settings.
    let res = browser
        .post_with("/console/account/language", &csrf, &[("language", "de")])
        .await;
    assert_eq!(res.status(), 303);
    let form = [
        ("name", "Alpha"),
        ("locale", "en"),
        ("accent", ""),
        ("allowed_origins", ""),
    ];
    let res = browser.post_with("/console/shops/alpha/settings", &csrf, &form).await;
    assert_eq!(res.status(), 303);
}
