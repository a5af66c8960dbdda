//! An SMTP server that refuses a mail for good (550, no such mailbox): the
//! request is not tried again, it ends `failed` with its address forgotten,
//! and the link it would have carried is deleted, since nobody saw it. An
//! order link and an invitation alike; a later invitation to the same address
//! still goes. On SQLite, and on PostgreSQL when `LOOKOUT_TEST_POSTGRES` is set.

use crate::common;

use app::store::Role;
use common::console::{account, set_password, sign_in, PASSWORD};
use common::links::{ask, drained, order, WAIT};
use common::smtp::SmtpServer;
use common::TestApp;

const TEAM: &str = "/console/shops/alpha/team";
const INVITE: &str = "/console/shops/alpha/team/invite";

async fn finished(pool: &sqlx::AnyPool, table: &str) -> Vec<(String, String, i64)> {
    sqlx::query_as(&format!("SELECT outcome, email, attempts FROM {table} ORDER BY id"))
        .fetch_all(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_mail_refused_for_good_fails_once_and_leaves_no_link() {
    let smtp = SmtpServer::start().await;
    smtp.reject(true);
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    order(&app, "#2001", "ada@example.com", 3).await;

    assert_eq!(ask(&app, "ada@example.com").await.status(), 303);
    let res = owner
        .post(INVITE, &[("email", "new@alpha.example"), ("role", "staff")])
        .await;
    assert_eq!(res.status(), 303);
    // A refusal taken for a passing one would be put back for another try,
    // and the outbox would not empty.
    drained(&app).await;
    assert!(smtp.received().is_empty());
    assert_eq!(smtp.rejected(), 2, "each mail tried once");

    let pool = app.sql().await;
    let failed = vec![("failed".to_string(), String::new(), 1)];
    assert_eq!(finished(&pool, "outbox").await, failed, "the order link's request");
    assert_eq!(finished(&pool, "invitations").await, failed, "the invitation");
    assert_eq!(app.count("SELECT COUNT(*) FROM order_links").await, 0);
    let invited = app.store.account("new@alpha.example").await.unwrap().expect("added");
    let links = format!("SELECT COUNT(*) FROM password_links WHERE user_id = {}", invited.id);
    assert_eq!(app.count(&links).await, 0, "the unsent link is deleted");

    // The owner sees it on the team page, said as an error.
    const FAILED: &str = "The invitation could not be delivered.";
    let page = owner.page(TEAM).await;
    assert!(
        page.contains(FAILED) && page.contains(r#"class="hint error""#),
        "{page}"
    );

    // The mail server takes mail again: the owner invites the address again,
    // and its link sets the password.
    smtp.reject(false);
    let res = owner
        .post(INVITE, &[("email", "new@alpha.example"), ("role", "staff")])
        .await;
    assert_eq!(res.status(), 303);
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["<new@alpha.example>"]);
    drained(&app).await; // finished after the mail server took it
    let page = owner.page(TEAM).await;
    assert!(page.contains("Invitation sent.") && !page.contains(FAILED), "{page}");
    let link = mails[0].password_link().expect("a set-password link");
    assert_eq!(set_password(&app, &link, PASSWORD, PASSWORD).await.status(), 200);
    assert_eq!(app.count(&links).await, 1, "one link, used");
    let page = owner.page(TEAM).await;
    assert!(page.contains("Invitation sent."), "until the account opens the shop");
    let new = common::console::sign_in(&app, "new@alpha.example").await;
    assert_eq!(new.get("/console/shops/alpha").await.status(), 200);
    let page = owner.page(TEAM).await;
    assert!(
        !page.contains("Invitation sent."),
        "said no more once it opened the shop"
    );
}
