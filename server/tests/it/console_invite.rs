//! Invitations from the team page: the set-password link goes by mail to the
//! invited address only (never to the page), an account that has a password
//! is told it may open the shop, and junk, strangers, other sites, many at
//! once and a server without mail change nothing.

use crate::common;

use app::store::{NewShop, Role, INVITES_PER_ACCOUNT_PER_DAY, INVITES_PER_DAY, MAILS_PER_ACCOUNT_PER_DAY};
use common::burst::{burst, status};
use common::console::{account, invite, post_from_other_sites, set_cookie, set_password, sign_in, Browser, PASSWORD};
use common::links::{drained, nothing_due, WAIT};
use common::smtp::SmtpServer;
use common::TestApp;
use server::console::session::SESSION_COOKIE;

const TEAM: &str = "/console/shops/alpha/team";
const INVITE: &str = "/console/shops/alpha/team/invite";

async fn role_in(app: &TestApp, email: &str) -> Option<Role> {
    let shop = app.store.shop("alpha").await.unwrap().expect("shop");
    let members = app.store.members(shop.id).await.unwrap();
    members.into_iter().find(|m| m.email == email).map(|m| m.role)
}

#[tokio::test]
async fn owners_invite_by_mail() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    account(&app, "help@alpha.example", "alpha", Role::Staff).await;
    account(&app, "known@beta.example", "beta", Role::Staff).await;
    let owner = sign_in(&app, "owner@alpha.example").await;

    let page = owner.page(TEAM).await;
    assert!(page.contains(&format!("action=\"{INVITE}\"")), "{page}");
    assert!(page.contains("Send invitation"));
    assert!(!page.contains("lookout user create"), "no command when mail is sent");

    // A new address: added as staff, mailed a link to set its password.
    let res = owner
        .post(INVITE, &[("email", " New@Alpha.Example "), ("role", "staff")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/console/shops/alpha/team?done=invited");
    assert!(owner
        .page(&format!("{TEAM}?done=invited"))
        .await
        .contains("The invitation is on its way."));
    assert_eq!(role_in(&app, "new@alpha.example").await, Some(Role::Staff));
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails[0].to, ["<new@alpha.example>"]);
    let subject = mails[0].header("subject").unwrap_or_default();
    assert!(subject.contains("alpha store"), "{subject}");
    let text = mails[0].text();
    // Who sent it, and what the role lets the account do.
    assert!(
        text.contains("owner@alpha.example sent this invitation; you are invited as staff.")
            && text.contains("Staff see the overview and the support view."),
        "{text}"
    );
    let link = mails[0].password_link().expect("a set-password link");
    assert!(text.contains(&format!("http://lookout.test{link}")), "{text}");
    assert!(
        !owner.page(TEAM).await.contains("/console/password/"),
        "no link is ever on the page"
    );
    // Setting the password signs the invited browser in.
    let set = set_password(&app, &link, PASSWORD, PASSWORD).await;
    assert_eq!(set.status(), 200);
    let (session, _) = set_cookie(&set, SESSION_COOKIE.plain).expect("signed in");
    let new = Browser {
        app: &app,
        cookie: format!("{}={session}", SESSION_COOKIE.plain),
    };
    assert_eq!(new.get("/console/shops/alpha").await.status(), 200);
    assert_eq!(new.get("/console/shops/alpha/keys").await.status(), 403, "as staff");

    // An account with a password (from another shop): told, without a link.
    let res = owner
        .post(INVITE, &[("email", "known@beta.example"), ("role", "owner")])
        .await;
    assert_eq!(res.status(), 303);
    let mails = smtp.wait_for(2, WAIT).await;
    assert_eq!(mails[1].to, ["<known@beta.example>"]);
    let text = mails[1].text();
    assert!(text.contains("http://lookout.test/console"), "{text}");
    assert!(
        text.contains("you are invited as owner. Owners may do everything"),
        "{text}"
    );
    assert_eq!(mails[1].password_link(), None, "no link for an account with a password");
    // Signed in, but this shop not opened yet: inviting again tells nothing of
    // its password or its other shop; once it has opened the shop, it is on
    // the team like anyone.
    let known = sign_in(&app, "known@beta.example").await;
    let again = [("email", "known@beta.example"), ("role", "owner")];
    assert_eq!(owner.post(INVITE, &again).await.status(), 303, "invited again");
    assert_eq!(smtp.wait_for(3, WAIT).await.len(), 3);
    assert_eq!(known.get("/console/shops/alpha/keys").await.status(), 200, "as owner");
    let res = owner.post(INVITE, &again).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("on the team already"));

    // An account still waiting for its password in another shop: no link from
    // this one, and the other shop's link keeps working.
    let theirs = invite(&app, "pending@beta.example", "beta", Role::Staff).await;
    let res = owner
        .post(INVITE, &[("email", "pending@beta.example"), ("role", "staff")])
        .await;
    assert_eq!(res.status(), 303);
    let mails = smtp.wait_for(4, WAIT).await;
    assert_eq!(mails[3].to, ["<pending@beta.example>"]);
    let text = mails[3].text();
    assert_eq!(mails[3].password_link(), None, "{text}");
    assert!(
        text.contains("no password yet") && text.contains("http://lookout.test/console"),
        "{text}"
    );
    assert_eq!(set_password(&app, &theirs, PASSWORD, PASSWORD).await.status(), 200);

    // What is refused, says why, and sends nothing.
    let long = "x".repeat(2_000);
    let refusals: [(&str, &str, u16, &str); 10] = [
        ("new@alpha.example", "staff", 409, "on the team already"),
        ("Owner@alpha.example", "staff", 409, "on the team already"),
        ("not an email", "staff", 422, "Enter the email address to invite"),
        (&long, "staff", 422, "Enter the email address to invite"),
        // Shapes a mail cannot be sent to as typed, nor hidden characters.
        ("<ok@alpha.example>", "staff", 422, "Enter the email address to invite"),
        ("ok@[127.0.0.1]", "staff", 422, "Enter the email address to invite"),
        ("ok@alpha..example", "staff", 422, "Enter the email address to invite"),
        ("ok@-alpha.example", "staff", 422, "Enter the email address to invite"),
        (
            "ok@alpha.example\u{202E}",
            "staff",
            422,
            "Enter the email address to invite",
        ),
        ("ok@alpha.example", "admin", 422, "Choose owner or staff"),
    ];
    for (email, role, status, says) in refusals {
        let res = owner.post(INVITE, &[("email", email), ("role", role)]).await;
        assert_eq!(res.status(), status, "{role} {:?}", &email[..email.len().min(30)]);
        let page = res.text().await.unwrap();
        assert!(page.contains(says) && page.contains("Nothing was sent."), "{page}");
        assert!(!page.contains(&long[..100]), "a long address is not echoed back");
    }
    assert!(app.store.account("ok@alpha.example").await.unwrap().is_none());
    for shape in [
        "<ok@alpha.example>",
        "ok@[127.0.0.1]",
        "ok@alpha..example",
        "ok@alpha.example\u{202E}",
    ] {
        assert!(app.store.account(shape).await.unwrap().is_none(), "{shape:?}");
    }
    assert_eq!(role_in(&app, "new@alpha.example").await, Some(Role::Staff), "unchanged");
    // Typed on an East Asian keyboard: the address meant, in ASCII.
    let res = owner
        .post(INVITE, &[("email", "ｗｉｄｅ＠alpha.example"), ("role", "staff")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(role_in(&app, "wide@alpha.example").await, Some(Role::Staff));
    assert!(app.store.account("ｗｉｄｅ@alpha.example").await.unwrap().is_none());

    // Staff, another shop's owner, another site: refused before anything is read.
    let help = sign_in(&app, "help@alpha.example").await;
    let form = [("email", "sneaky@alpha.example"), ("role", "owner")];
    assert_eq!(help.post(INVITE, &form).await.status(), 403);
    account(&app, "boss@beta.example", "beta", Role::Owner).await;
    let stranger = sign_in(&app, "boss@beta.example").await;
    assert_eq!(stranger.post(INVITE, &form).await.status(), 404);
    let csrf = owner.csrf().await;
    let sent = [("csrf", csrf.as_str()), form[0], form[1]];
    assert_eq!(
        post_from_other_sites(&app, INVITE, &owner.cookie, &sent).await,
        [403, 403]
    );
    let res = owner.post_with(INVITE, &"0".repeat(64), &form).await;
    assert_eq!(res.status(), 403, "without the session's token");
    assert!(app.store.account("sneaky@alpha.example").await.unwrap().is_none());
    drained(&app).await;
    assert_eq!(smtp.received().len(), 5, "nothing else was sent");
}

/// An owner's page posting invitations in a loop, many at once: the shop sends
/// at most its invitations a day, each once, and the team holds exactly those.
#[tokio::test]
async fn invitations_at_once_stop_at_the_day_bound() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_configured_with_mail(&smtp.url(), |limits| {
        limits.console_writes_per_account = 1_000;
    })
    .await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let csrf = owner.csrf().await;
    let send = |i: usize| {
        let (owner, csrf) = (&owner, &csrf);
        async move {
            let email = format!("n{i}@alpha.example");
            let res = owner
                .post_with(INVITE, csrf, &[("email", &email), ("role", "staff")])
                .await;
            res.status().as_u16()
        }
    };
    let answers = burst(100, send, status).await;
    let bound = usize::try_from(INVITES_PER_DAY).unwrap();
    assert_eq!(answers.iter().filter(|s| **s == 303).count(), bound, "{answers:?}");
    assert_eq!(
        answers.iter().filter(|s| **s == 429).count(),
        100 - bound,
        "{answers:?}"
    );
    let res = owner
        .post_with(INVITE, &csrf, &[("email", "late@alpha.example"), ("role", "staff")])
        .await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("Try again tomorrow."));
    let mails = smtp.wait_for(bound, WAIT).await;
    drained(&app).await;
    assert_eq!(smtp.received().len(), bound, "each invitation sent once");
    let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), bound, "to as many addresses");
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    assert_eq!(app.store.members(shop.id).await.unwrap().len(), bound + 1);
}

/// Seven shops invite one address at once: every owner's invitation is taken
/// (none is refused, so none learns of the others'), five mails go and two
/// wait, as their shops' team pages say. A shop's own fourth in a day is
/// refused, in words about that shop alone.
#[tokio::test]
async fn one_address_invited_by_many_shops_is_mailed_within_its_day() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    let slugs = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"];
    for slug in &slugs[2..] {
        let shop = NewShop {
            slug: slug.to_string(),
            name: format!("{slug} store"),
            locale: "en".into(),
            accent: None,
            allowed_origins: vec![],
            webhook_secret: "secret".into(),
        };
        app.store.create_shop(&shop).await.unwrap();
    }
    let mut owners = Vec::new();
    for slug in slugs {
        let email = format!("owner@{slug}.example");
        account(&app, &email, slug, Role::Owner).await;
        let owner = sign_in(&app, &email).await;
        let csrf = owner.csrf().await;
        owners.push((slug, owner, csrf));
    }
    let setup = smtp.received().len();
    let answers = futures::future::join_all(owners.iter().map(|(slug, owner, csrf)| async move {
        let path = format!("/console/shops/{slug}/team/invite");
        let res = owner
            .post_with(&path, csrf, &[("email", "wanted@elsewhere.example"), ("role", "staff")])
            .await;
        res.status().as_u16()
    }))
    .await;
    assert_eq!(answers, [303; 7], "no shop refused for the others'");
    let bound = usize::try_from(MAILS_PER_ACCOUNT_PER_DAY).unwrap();
    smtp.wait_for(setup + bound, WAIT).await;
    // Everything due is handled: the two others were put back for a day.
    nothing_due(&app).await;
    let to_it =
        |mails: &[common::smtp::Received]| mails.iter().filter(|m| m.to == ["<wanted@elsewhere.example>"]).count();
    assert_eq!(to_it(&smtp.received()), bound);
    let mut waiting = 0;
    for (slug, owner, _) in &owners {
        let page = owner.page(&format!("/console/shops/{slug}/team")).await;
        let row = page
            .split("<li")
            .find(|row| row.contains("wanted@elsewhere.example"))
            .expect("its row");
        match (
            row.contains("Invitation sent."),
            row.contains("Invitation waiting to be sent."),
        ) {
            (true, false) => {}
            (false, true) => waiting += 1,
            _ => panic!("{slug}: {row}"),
        }
    }
    assert_eq!(waiting, owners.len() - bound);

    // The first shop's own bound: its fourth invitation today is refused.
    let (slug, owner, csrf) = &owners[0];
    let path = format!("/console/shops/{slug}/team/invite");
    for _ in 1..INVITES_PER_ACCOUNT_PER_DAY {
        let res = owner
            .post_with(&path, csrf, &[("email", "wanted@elsewhere.example"), ("role", "staff")])
            .await;
        assert_eq!(res.status(), 303);
    }
    let res = owner
        .post_with(&path, csrf, &[("email", "wanted@elsewhere.example"), ("role", "staff")])
        .await;
    assert_eq!(res.status(), 429);
    let page = res.text().await.unwrap();
    assert!(page.contains("This shop has sent this address 3 invitations"), "{page}");
    nothing_due(&app).await;
    assert_eq!(to_it(&smtp.received()), bound, "the day is full: its new ones wait too");
}

/// Removed before the sender's turn: no mail. Without mail set up, the form is
/// not offered, and a posted one adds nobody.
#[tokio::test]
async fn a_withdrawn_invitation_and_a_server_without_mail_send_nothing() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let page = owner.page(TEAM).await;
    assert!(!page.contains(INVITE) && page.contains("does not send mail"), "{page}");
    let res = owner
        .post(INVITE, &[("email", "new@alpha.example"), ("role", "staff")])
        .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("cannot send invitations"));
    assert!(app.store.account("new@alpha.example").await.unwrap().is_none());

    // The store queues it; the owner takes it back before a sender runs.
    let shop = app.store.shop("alpha").await.unwrap().unwrap();
    let by = app.store.account("owner@alpha.example").await.unwrap().unwrap().id;
    let invited = app
        .store
        .invite_member(by, shop.id, "gone@alpha.example", Role::Staff, "en")
        .await
        .unwrap();
    assert!(invited.is_ok());
    assert!(owner.page(TEAM).await.contains("Invitation waiting to be sent."));
    let removed = app
        .store
        .change_member(Some(by), shop.id, "gone@alpha.example", app::store::TeamChange::Remove)
        .await
        .unwrap();
    assert!(removed.is_ok());
    common::mailer(&smtp.url()).send_due(&app.store).await;
    assert_eq!(app.store.outbox_waiting().await.unwrap().0, 0, "handled");
    assert!(smtp.received().is_empty(), "nothing sent");
    let pool = app.sql().await;
    let (outcome, email): (String, String) = sqlx::query_as("SELECT outcome, email FROM invitations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        (outcome.as_str(), email.as_str()),
        ("withdrawn", ""),
        "finished, address forgotten"
    );
}

/// An invitee taken off the team before they set their password: the link
/// their invitation mailed (perhaps to an address typed wrong) no longer
/// works, unless another shop's team still waits for them.
#[tokio::test]
async fn an_invitee_taken_off_the_team_can_no_longer_use_the_mailed_link() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let typed_wrong = invite(&app, "typo@alpha.example", "alpha", Role::Staff).await;
    let also_beta = invite(&app, "both@alpha.example", "alpha", Role::Staff).await;
    let beta = app.store.shop("beta").await.unwrap().expect("shop");
    app.store
        .add_member("both@alpha.example", beta.id, Role::Staff)
        .await
        .unwrap()
        .expect("room in the team");
    for email in ["typo@alpha.example", "both@alpha.example"] {
        let res = owner
            .post(TEAM, &[("email", email), ("action", "remove"), ("confirm", "yes")])
            .await;
        assert_eq!(res.status(), 303, "{email}");
    }
    let page = app.client.get(app.url(&typed_wrong)).send().await.unwrap();
    assert_eq!(page.status(), 404);
    let set = set_password(&app, &typed_wrong, PASSWORD, PASSWORD).await;
    assert_eq!(set.status(), 404);
    assert!(set_cookie(&set, SESSION_COOKIE.plain).is_none(), "not signed in");
    // Still on beta's team: the link is beta's too.
    assert_eq!(set_password(&app, &also_beta, PASSWORD, PASSWORD).await.status(), 200);
}
