//! The team page: owners see who may open their shop, change another account's
//! role or take it away; a shop keeps an owner whoever clicks first; staff,
//! other shops' accounts, junk and other sites change nothing.

use crate::common;

use app::limits::LimitSettings;
use app::store::{Role, Store};
use common::console::{account, hidden, invite, post_from_other_sites, sign_in, Browser};
use common::TestApp;

const TEAM: &str = "/console/shops/alpha/team";

async fn role_in(store: &Store, slug: &str, email: &str) -> Option<Role> {
    let shop = store.shop(slug).await.unwrap().expect("shop");
    let members = store.members(shop.id).await.unwrap();
    members.into_iter().find(|m| m.email == email).map(|m| m.role)
}

async fn change(browser: &Browser<'_>, email: &str, action: &str, role: &str) -> reqwest::Response {
    browser
        .post(
            TEAM,
            &[("email", email), ("action", action), ("role", role), ("confirm", "yes")],
        )
        .await
}

const OPENED: &str = "has opened the shop in Lookout";
const NOT_YET: &str = "has not opened the shop in Lookout yet";

/// The team list's row of `email` (from the address to the row's end).
fn row<'a>(page: &'a str, email: &str) -> &'a str {
    let start = page.find(&format!("\">{email}</strong>")).expect("the account's row");
    let rest = &page[start..];
    &rest[..rest.find("</li>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn owners_see_and_change_their_team() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    account(&app, "help@alpha.example", "alpha", Role::Staff).await;
    invite(&app, "new@alpha.example", "alpha", Role::Staff).await;
    account(&app, "other@beta.example", "beta", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let help = sign_in(&app, "help@alpha.example").await;

    let page = owner.page(TEAM).await;
    let (o, h, n) = (
        page.find("owner@alpha.example").expect("the owner"),
        page.find("help@alpha.example").expect("staff"),
        page.find("new@alpha.example").expect("an account without a password"),
    );
    assert!(o < h && h < n, "owners first, then by email");
    assert!(!page.contains("other@beta.example"), "no other shop's account");
    // Opened by the owner (this page); staff signed in, but not to this shop yet.
    assert!(row(&page, "owner@alpha.example").contains(OPENED));
    assert!(row(&page, "help@alpha.example").contains(NOT_YET));
    assert!(row(&page, "new@alpha.example").contains(NOT_YET));
    assert!(page.contains("lookout user create EMAIL --shop alpha --role staff"));
    // One form per other account; none for the owner's own row.
    assert_eq!(page.matches("name=\"action\" value=\"remove\"").count(), 2, "{page}");
    assert!(!page.contains("value=\"owner@alpha.example\""), "no form for oneself");
    assert_eq!(help.get(TEAM).await.status(), 403, "staff may not open it");
    assert!(row(&owner.page(TEAM).await, "help@alpha.example").contains(NOT_YET));
    assert_eq!(help.get("/console/shops/alpha").await.status(), 200);
    assert!(row(&owner.page(TEAM).await, "help@alpha.example").contains(OPENED));
    let stranger = sign_in(&app, "other@beta.example").await;
    assert_eq!(stranger.get(TEAM).await.status(), 404, "another shop's owner");
    let res = change(&stranger, "help@alpha.example", "remove", "").await;
    assert_eq!(res.status(), 404);
    let res = change(&help, "owner@alpha.example", "remove", "").await;
    assert_eq!(res.status(), 403, "nor post to it");

    // Another shop's account, with a password and signed in there, added here:
    // this shop's list tells nothing of that, nor of a new sign-in, until it
    // opens the shop.
    let alpha = app.store.shop("alpha").await.unwrap().expect("shop");
    app.store
        .add_member("other@beta.example", alpha.id, Role::Staff)
        .await
        .unwrap()
        .expect("room");
    let page = owner.page(TEAM).await;
    assert!(row(&page, "other@beta.example").contains(NOT_YET), "{page}");
    drop(sign_in(&app, "other@beta.example").await);
    let page = owner.page(TEAM).await;
    assert!(row(&page, "other@beta.example").contains(NOT_YET), "{page}");
    // Its session from before opens the shop: that counts.
    assert_eq!(stranger.get("/console/shops/alpha").await.status(), 200);
    let page = owner.page(TEAM).await;
    assert!(row(&page, "other@beta.example").contains(OPENED), "{page}");
    app.store
        .change_member(None, alpha.id, "other@beta.example", app::store::TeamChange::Remove)
        .await
        .unwrap()
        .expect("removed");

    // Staff made owner (the email as typed, in another case), and back.
    let res = change(&owner, " Help@Alpha.Example ", "role", "owner").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/console/shops/alpha/team?done=owner");
    assert!(owner
        .page(&format!("{TEAM}?done=owner"))
        .await
        .contains("is now an owner"));
    assert_eq!(
        role_in(&app.store, "alpha", "help@alpha.example").await,
        Some(Role::Owner)
    );
    assert_eq!(
        help.get("/console/shops/alpha/keys").await.status(),
        200,
        "at the next click"
    );
    let res = change(&owner, "help@alpha.example", "role", "staff").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/console/shops/alpha/team?done=staff");
    assert_eq!(help.get("/console/shops/alpha/keys").await.status(), 403);
    // The role it has already: said so, not "now".
    let res = change(&owner, "help@alpha.example", "role", "staff").await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        "/console/shops/alpha/team?done=staff_already"
    );
    let page = owner.page(&format!("{TEAM}?done=staff_already")).await;
    assert!(page.contains("was staff of this shop already"), "{page}");
    assert!(!page.contains("is now"));

    // What changes nothing, and says why.
    let refusals: [(&str, &str, &str, u16, &str); 7] = [
        ("other@beta.example", "remove", "", 404, "no such account"),
        ("nobody@alpha.example", "remove", "", 404, "no such account"),
        ("not an email", "remove", "", 404, "no such account"),
        (&"x".repeat(2_000), "remove", "", 404, "no such account"),
        ("help@alpha.example", "role", "admin", 422, "Choose a role"),
        ("help@alpha.example", "promote", "owner", 422, "Choose a role"),
        ("owner@alpha.example", "role", "staff", 409, "your own role"),
    ];
    for (email, action, role, status, says) in refusals {
        let res = change(&owner, email, action, role).await;
        assert_eq!(
            res.status(),
            status,
            "{action} {role} {:?}",
            &email[..email.len().min(30)]
        );
        let page = res.text().await.unwrap();
        assert!(page.contains(says), "{page}");
        assert!(page.contains("Nothing was changed."));
    }
    assert_eq!(
        role_in(&app.store, "beta", "other@beta.example").await,
        Some(Role::Owner)
    );
    assert_eq!(
        role_in(&app.store, "alpha", "owner@alpha.example").await,
        Some(Role::Owner)
    );
    assert_eq!(
        role_in(&app.store, "alpha", "help@alpha.example").await,
        Some(Role::Staff)
    );

    // Removing asks first; asked, nothing has changed yet.
    let res = owner
        .post(TEAM, &[("email", "help@alpha.example"), ("action", "remove")])
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("Remove help@alpha.example?"), "{page}");
    assert_eq!(hidden(&page, "confirm").as_deref(), Some("yes"));
    assert_eq!(
        role_in(&app.store, "alpha", "help@alpha.example").await,
        Some(Role::Staff)
    );
    for (email, status) in [("other@beta.example", 404), ("owner@alpha.example", 409)] {
        let res = owner.post(TEAM, &[("email", email), ("action", "remove")]).await;
        assert_eq!(res.status(), status, "asking about {email}");
    }
    // Taken away: at the account's next click it no longer opens the shop.
    let res = change(&owner, "help@alpha.example", "remove", "").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/console/shops/alpha/team?done=removed");
    assert_eq!(help.get("/console/shops/alpha").await.status(), 404);
    assert_eq!(role_in(&app.store, "alpha", "help@alpha.example").await, None);
    let res = change(&owner, "help@alpha.example", "remove", "").await;
    assert_eq!(res.status(), 404, "removed once");
}

/// Two owners taking each other's role away at once, many times over: one of
/// them always stays owner, and the other's clicks then change nothing.
#[tokio::test]
async fn a_shop_keeps_an_owner_whoever_clicks_first() {
    let app = TestApp::spawn_with(LimitSettings {
        console_writes_per_account: 1_000,
        ..LimitSettings::default()
    })
    .await;
    account(&app, "a@alpha.example", "alpha", Role::Owner).await;
    account(&app, "b@alpha.example", "alpha", Role::Owner).await;
    let a = sign_in(&app, "a@alpha.example").await;
    let b = sign_in(&app, "b@alpha.example").await;
    let (csrf_a, csrf_b) = (a.csrf().await, b.csrf().await);
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    for (round, (action, role)) in [("role", "staff"), ("remove", "")]
        .into_iter()
        .cycle()
        .take(6)
        .enumerate()
    {
        let answers = futures::future::join_all((0..100).map(|i| {
            let (by, csrf, other) = if i % 2 == 0 {
                (&a, &csrf_a, "b@alpha.example")
            } else {
                (&b, &csrf_b, "a@alpha.example")
            };
            async move {
                by.post_with(
                    TEAM,
                    csrf,
                    &[("email", other), ("action", action), ("role", role), ("confirm", "yes")],
                )
                .await
                .status()
                .as_u16()
            }
        }))
        .await;
        let owners: Vec<String> = app
            .store
            .members(shop.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.role == Role::Owner)
            .map(|m| m.email)
            .collect();
        assert_eq!(owners.len(), 1, "round {round}: {answers:?}");
        assert!(answers.contains(&303), "round {round}");
        assert!(answers.iter().all(|s| [303, 403, 404].contains(s)), "{answers:?}");
        // The one left an owner sees the other's account changed; put it back.
        for email in ["a@alpha.example", "b@alpha.example"] {
            let made = app.store.add_member(email, shop.id, Role::Owner).await.unwrap();
            assert!(made.is_ok());
        }
    }
}

/// The team form posted by another site's page with an owner's cookie, or
/// without the session's token, changes nothing.
#[tokio::test]
async fn other_sites_cannot_change_a_team() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    account(&app, "help@alpha.example", "alpha", Role::Staff).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let csrf = owner.csrf().await;
    let form = [
        ("csrf", csrf.as_str()),
        ("email", "help@alpha.example"),
        ("action", "remove"),
    ];
    assert_eq!(
        post_from_other_sites(&app, TEAM, &owner.cookie, &form).await,
        [403, 403]
    );
    let res = owner
        .post_with(
            TEAM,
            &"0".repeat(64),
            &[("email", "help@alpha.example"), ("action", "remove")],
        )
        .await;
    assert_eq!(res.status(), 403, "without the session's token");
    assert_eq!(
        role_in(&app.store, "alpha", "help@alpha.example").await,
        Some(Role::Staff)
    );
}

/// The operator's command line keeps a shop's owner too: the only owner is not
/// taken out of the shop, nor deleted, until the shop has another.
#[tokio::test]
async fn the_command_line_keeps_an_owner() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let refused = |args: &[&str]| {
        let out = common::lookout_command(&app.db.url).args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    for args in [
        &["user", "remove", "owner@alpha.example", "--shop", "alpha"][..],
        &["user", "remove", "owner@alpha.example"],
        &[
            "user",
            "create",
            "owner@alpha.example",
            "--shop",
            "alpha",
            "--role",
            "staff",
        ],
    ] {
        let said = refused(args);
        assert!(said.contains("the only owner of \"alpha\""), "{args:?}: {said}");
        assert_eq!(
            role_in(&app.store, "alpha", "owner@alpha.example").await,
            Some(Role::Owner)
        );
    }
    let said = refused(&["user", "remove", "nobody@alpha.example", "--shop", "alpha"]);
    assert!(said.contains("no account"), "{said}");
    common::lookout_ok(
        &app.db.url,
        &["user", "create", "second@alpha.example", "--shop", "alpha"],
    );
    common::lookout_ok(
        &app.db.url,
        &["user", "remove", "owner@alpha.example", "--shop", "alpha"],
    );
    assert_eq!(role_in(&app.store, "alpha", "owner@alpha.example").await, None);
    let said = refused(&["user", "remove", "owner@alpha.example", "--shop", "alpha"]);
    assert!(said.contains("has no role in \"alpha\""), "{said}");
    common::lookout_ok(&app.db.url, &["user", "remove", "owner@alpha.example"]);
    assert!(app.store.account("owner@alpha.example").await.unwrap().is_none());
}

/// An account posting console forms in a loop (here 100 at once) is held to
/// its allowance before anything is read or written; other accounts are not.
#[tokio::test]
async fn an_account_posting_in_a_loop_is_held_back() {
    let app = TestApp::spawn_with(LimitSettings {
        console_writes_per_account: 10,
        ..LimitSettings::default()
    })
    .await;
    account(&app, "a@alpha.example", "alpha", Role::Owner).await;
    account(&app, "b@alpha.example", "alpha", Role::Owner).await;
    account(&app, "help@alpha.example", "alpha", Role::Staff).await;
    let (a, b) = (
        sign_in(&app, "a@alpha.example").await,
        sign_in(&app, "b@alpha.example").await,
    );
    let csrf = a.csrf().await;
    let answers = futures::future::join_all((0..100).map(|_| {
        let (a, csrf) = (&a, &csrf);
        async move {
            let res = a
                .post_with(
                    TEAM,
                    csrf,
                    &[("email", "help@alpha.example"), ("action", "role"), ("role", "staff")],
                )
                .await;
            (res.status().as_u16(), res.headers().get("retry-after").is_some())
        }
    }))
    .await;
    assert_eq!(answers.iter().filter(|(s, _)| *s == 303).count(), 10, "{answers:?}");
    let held: Vec<_> = answers.iter().filter(|(s, _)| *s == 429).collect();
    assert_eq!(held.len(), 90, "{answers:?}");
    assert!(held.iter().all(|(_, retry)| *retry), "429 says when to come back");
    // Held back: the next form changes nothing and says why.
    let res = a
        .post_with(TEAM, &csrf, &[("email", "help@alpha.example"), ("action", "remove")])
        .await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("this one was not carried out"));
    assert_eq!(
        role_in(&app.store, "alpha", "help@alpha.example").await,
        Some(Role::Staff)
    );
    for path in ["/console/shops/alpha/keys", "/console/shops/alpha/settings"] {
        assert_eq!(a.post_with(path, &csrf, &[]).await.status(), 429, "{path}");
    }
    // Reading is not held back, and another account's forms still work.
    assert_eq!(a.get(TEAM).await.status(), 200);
    let res = change(&b, "help@alpha.example", "remove", "").await;
    assert_eq!(res.status(), 303);
    assert_eq!(role_in(&app.store, "alpha", "help@alpha.example").await, None);
}
