//! Invitations: an account added with its mail queued in one transaction, only
//! by an owner, never past the team's size or the day's bounds (per shop, per
//! account from a shop), also when many are asked at once; a set-password link
//! only for an account that is on the team, has no password and is in no other
//! shop; an account's mails from every shop bounded when they are sent.

use super::*;
use crate::store::team_fixtures::add;
use crate::store::tests::{open_every_connection, shop, store};
use crate::store::{MailKind, Outcome, TeamChange};

/// Invitations queued by the shop, finished or not.
async fn queued(store: &Store, shop_id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM invitations WHERE shop_id = $1")
        .bind(shop_id)
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

async fn role(store: &Store, shop_id: i64, email: &str) -> Option<Role> {
    let members = store.members(shop_id).await.unwrap();
    members.into_iter().find(|m| m.email == email).map(|m| m.role)
}

async fn invite(store: &Store, by: i64, shop_id: i64, email: &str, role: Role) -> Result<Invited, InviteRefusal> {
    let done = store.invite_member(by, shop_id, email, role, "en").await.unwrap();
    done.map(|(invited, _)| invited)
}

async fn set_password(store: &Store, user_id: i64) {
    let hash = format!("{user_id:064}");
    let expires = crate::store::time_in(chrono::Duration::hours(1));
    store.insert_password_link(user_id, &hash, &expires).await.unwrap();
    assert!(store.set_password(&hash, "hash").await.unwrap().is_some());
}

/// An invitation to `email` from the shop as a sender claims it (`id` 0: one
/// that is not queued, which no bound counts).
fn claimed(shop_id: i64, email: &str) -> Queued {
    Queued {
        id: 0,
        shop: Some(crate::store::QueuedShop {
            id: shop_id,
            slug: String::new(),
            name: String::new(),
            email_links: false,
            contact_email: None,
        }),
        email: email.to_string(),
        locale: "en".to_string(),
        attempts: 1,
        kind: MailKind::Invite,
    }
}

/// Asks for the link an invitation to `email` would carry now: the shop's
/// last one still to send, if any, else one not queued.
async fn link(store: &Store, shop_id: i64, email: &str, hash: &str) -> InviteLink {
    let expires = crate::store::time_in(chrono::Duration::hours(1));
    let waiting: Option<(i64, i64)> = sqlx::query_as(
        "SELECT id, attempts FROM invitations WHERE shop_id = $1 AND email = $2 AND done_at IS NULL
         ORDER BY id DESC LIMIT 1",
    )
    .bind(shop_id)
    .bind(email)
    .fetch_optional(&store.pool)
    .await
    .unwrap();
    let (id, attempts) = waiting.unwrap_or((0, 1));
    let queued = Queued {
        id,
        attempts,
        ..claimed(shop_id, email)
    };
    store.invitation_link(&queued, hash, &expires).await.unwrap()
}

#[tokio::test]
async fn an_invitation_adds_the_account_and_queues_its_mail() {
    let (_dir, store) = store().await;
    let other = store.create_shop(&shop("b")).await.unwrap();
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add(&store, "owner@a.example", shop.id, Role::Owner).await;
    let staff = add(&store, "help@a.example", shop.id, Role::Staff).await;
    let stranger = add(&store, "owner@b.example", other.id, Role::Owner).await;

    let invited = store
        .invite_member(owner, shop.id, "new@a.example", Role::Staff, "de")
        .await
        .unwrap();
    let new = store.account("new@a.example").await.unwrap().expect("made").id;
    assert_eq!(invited, Ok((Invited::Added, new)));
    assert_eq!(role(&store, shop.id, "new@a.example").await, Some(Role::Staff));
    let mail = store
        .claim_mail(std::time::Duration::from_secs(60))
        .await
        .unwrap()
        .expect("queued");
    assert_eq!(
        (
            mail.kind,
            mail.shop().unwrap().id,
            mail.email.as_str(),
            mail.locale.as_str()
        ),
        (MailKind::Invite, shop.id, "new@a.example", "de")
    );

    // Without a password yet, it goes again, with the role now asked for.
    let again = invite(&store, owner, shop.id, "new@a.example", Role::Owner).await;
    assert_eq!(again, Ok(Invited::Again));
    assert_eq!(role(&store, shop.id, "new@a.example").await, Some(Role::Owner));
    assert_eq!(queued(&store, shop.id).await, 2);

    // A password set is not enough (it may be another shop's doing), nor a
    // session (signing in tells no shop anything): once the account has opened
    // the shop, it is a member like any other, nothing is sent.
    set_password(&store, new).await;
    let session = crate::store::NewSession {
        id_hash: &"s".repeat(64),
        csrf: "csrf",
        expires_at: &time_in(chrono::Duration::hours(1)),
        browser: "",
    };
    assert!(store
        .create_session(&session, new, "hash", crate::store::SignInWord::UNTOLD)
        .await
        .unwrap());
    let again = invite(&store, owner, shop.id, "new@a.example", Role::Owner).await;
    assert_eq!(again, Ok(Invited::Again), "a password, signed in, the shop not opened");
    store.mark_opened(new, shop.id).await.unwrap();
    let refused = invite(&store, owner, shop.id, "new@a.example", Role::Staff).await;
    assert_eq!(refused, Err(InviteRefusal::AlreadyMember));
    assert_eq!(
        role(&store, shop.id, "new@a.example").await,
        Some(Role::Owner),
        "unchanged"
    );
    // Nor the owner who asks, signed in here or not.
    let own = invite(&store, owner, shop.id, "owner@a.example", Role::Staff).await;
    assert_eq!(own, Err(InviteRefusal::AlreadyMember));
    assert_eq!(role(&store, shop.id, "owner@a.example").await, Some(Role::Owner));

    // Only an owner of this shop invites.
    for by in [staff, stranger] {
        let refused = invite(&store, by, shop.id, "x@a.example", Role::Owner).await;
        assert_eq!(refused, Err(InviteRefusal::NotOwner));
    }
    assert!(store.account("x@a.example").await.unwrap().is_none(), "no account made");
    assert_eq!(queued(&store, shop.id).await, 3, "nothing more queued");
    assert_eq!(queued(&store, other.id).await, 0);
}

#[tokio::test]
async fn a_link_goes_only_to_a_pending_account_of_this_shop_alone() {
    let (_dir, store) = store().await;
    let other = store.create_shop(&shop("b")).await.unwrap();
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add(&store, "owner@a.example", shop.id, Role::Owner).await;
    let (token_a, token_b) = ("a".repeat(64), "b".repeat(64));

    // Pending, in this shop only: a link, which replaces the account's earlier one.
    let pending = add(&store, "pending@a.example", shop.id, Role::Staff).await;
    let expires = crate::store::time_in(chrono::Duration::hours(1));
    store.insert_password_link(pending, &token_a, &expires).await.unwrap();
    assert_eq!(
        link(&store, shop.id, "pending@a.example", &token_b).await,
        InviteLink::Made
    );
    assert_eq!(
        store.password_link(&token_a).await.unwrap(),
        None,
        "the earlier link ended"
    );
    assert!(store.password_link(&token_b).await.unwrap().is_some());

    // Pending in another shop too (its operator gave it a link): no link, and
    // the other shop's link keeps working.
    let shared = add(&store, "shared@b.example", other.id, Role::Staff).await;
    let theirs = "c".repeat(64);
    store.insert_password_link(shared, &theirs, &expires).await.unwrap();
    assert_eq!(
        invite(&store, owner, shop.id, "shared@b.example", Role::Staff).await,
        Ok(Invited::Added)
    );
    assert_eq!(
        link(&store, shop.id, "shared@b.example", &"d".repeat(64)).await,
        InviteLink::Elsewhere
    );
    assert!(store.password_link(&theirs).await.unwrap().is_some(), "still works");
    assert_eq!(store.password_link(&"d".repeat(64)).await.unwrap(), None, "none made");

    // With a password: no link.
    set_password(&store, pending).await;
    assert_eq!(
        link(&store, shop.id, "pending@a.example", &"e".repeat(64)).await,
        InviteLink::SignIn
    );
    assert_eq!(store.password_link(&"e".repeat(64)).await.unwrap(), None, "none made");

    // Removed before its turn: nothing.
    store
        .change_member(Some(owner), shop.id, "shared@b.example", TeamChange::Remove)
        .await
        .unwrap()
        .expect("removed");
    assert_eq!(
        link(&store, shop.id, "shared@b.example", &"f".repeat(64)).await,
        InviteLink::Gone
    );
    assert_eq!(
        link(&store, shop.id, "nobody@a.example", &"f".repeat(64)).await,
        InviteLink::Gone
    );
}

#[tokio::test]
async fn invitations_stop_at_the_team_size_and_the_day_bounds() {
    let (_dir, store) = store().await;
    let full = store.create_shop(&shop("f")).await.unwrap();
    let other = store.create_shop(&shop("b")).await.unwrap();
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add(&store, "owner@a.example", shop.id, Role::Owner).await;
    let boss = add(&store, "owner@b.example", other.id, Role::Owner).await;

    // One account: three a day from one shop; the refused one changes
    // nothing. Another shop is not refused for them (nor told of them).
    for _ in 0..INVITES_PER_ACCOUNT_PER_DAY {
        assert!(invite(&store, owner, shop.id, "often@a.example", Role::Staff)
            .await
            .is_ok());
    }
    let refused = invite(&store, owner, shop.id, "often@a.example", Role::Owner).await;
    assert_eq!(refused, Err(InviteRefusal::TooManyForAccount));
    assert_eq!(role(&store, shop.id, "often@a.example").await, Some(Role::Staff));
    let elsewhere = invite(&store, boss, other.id, "often@a.example", Role::Staff).await;
    assert_eq!(elsewhere, Ok(Invited::Added));
    assert_eq!(role(&store, other.id, "often@a.example").await, Some(Role::Staff));

    // One shop: twenty a day.
    for i in INVITES_PER_ACCOUNT_PER_DAY..INVITES_PER_DAY {
        let invited = invite(&store, owner, shop.id, &format!("n{i}@a.example"), Role::Staff).await;
        assert_eq!(invited, Ok(Invited::Added), "invitation {i}");
    }
    let refused = invite(&store, owner, shop.id, "late@a.example", Role::Staff).await;
    assert_eq!(refused, Err(InviteRefusal::TooMany));
    assert!(
        store.account("late@a.example").await.unwrap().is_none(),
        "no account made"
    );
    assert_eq!(queued(&store, shop.id).await, INVITES_PER_DAY);
    assert!(
        invite(&store, boss, other.id, "late@a.example", Role::Staff)
            .await
            .is_ok(),
        "another shop may"
    );

    // A full team.
    let head = add(&store, "boss@f.example", full.id, Role::Owner).await;
    for i in 1..MEMBERS {
        add(&store, &format!("m{i}@f.example"), full.id, Role::Staff).await;
    }
    let refused = invite(&store, head, full.id, "one-more@f.example", Role::Staff).await;
    assert_eq!(refused, Err(InviteRefusal::Full));
    assert_eq!(queued(&store, full.id).await, 0);
}

#[tokio::test]
async fn invitations_asked_at_once_keep_the_day_bounds() {
    let (_dir, store) = store().await;
    let other = store.create_shop(&shop("b")).await.unwrap();
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add(&store, "owner@a.example", shop.id, Role::Owner).await;
    let boss = add(&store, "owner@b.example", other.id, Role::Owner).await;
    open_every_connection(&store).await;
    // 60 at once from one shop, every third to the same address; and 20 from
    // another shop to that address (each shop's three a day for it).
    let asks = (0..80).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            let (by, shop_id, email) = match i {
                60.. => (boss, other.id, "same@a.example".to_string()),
                _ if i % 3 == 0 => (owner, shop.id, "same@a.example".to_string()),
                _ => (owner, shop.id, format!("n{i}@a.example")),
            };
            let done = store.invite_member(by, shop_id, &email, Role::Staff, "en").await;
            (shop_id, email, done.unwrap().map(|(invited, _)| invited))
        })
    });
    let mut outcomes = Vec::new();
    for ask in asks.collect::<Vec<_>>() {
        outcomes.push(ask.await.unwrap());
    }
    let made = |shop_id: Option<i64>, email: Option<&str>| {
        outcomes
            .iter()
            .filter(|(s, e, o)| o.is_ok() && shop_id.is_none_or(|id| *s == id) && email.is_none_or(|email| e == email))
            .count()
    };
    let same = Some("same@a.example");
    assert_eq!(made(Some(other.id), same), 3, "{outcomes:?}");
    assert!(made(Some(shop.id), same) <= 3, "{outcomes:?}");
    assert!(outcomes.iter().all(|(_, _, o)| matches!(
        o,
        Ok(_) | Err(InviteRefusal::TooMany | InviteRefusal::TooManyForAccount)
    )));
    assert_eq!(
        queued(&store, shop.id).await + queued(&store, other.id).await,
        made(None, None) as i64
    );
    assert_eq!(
        queued(&store, shop.id).await,
        INVITES_PER_DAY,
        "40 other addresses fill the shop's day"
    );
    let added = outcomes.iter().filter(|(_, _, o)| *o == Ok(Invited::Added)).count();
    let members = store.members(shop.id).await.unwrap().len() + store.members(other.id).await.unwrap().len();
    assert_eq!(members, 2 + added, "each added account once");
}

/// An invitation's mail made while its account uses its earlier link: both
/// finish, in either order, on PostgreSQL too (each takes the account's row
/// before its links).
#[tokio::test]
async fn an_invitation_sent_while_its_link_is_used_waits_its_turn() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let pending = add(&store, "pending@a.example", shop.id, Role::Staff).await;
    open_every_connection(&store).await;
    let expires = crate::store::time_in(chrono::Duration::hours(1));
    for round in 0..30 {
        let (used, made) = (format!("{round:064}"), format!("{:064}", round + 1000));
        store.insert_password_link(pending, &used, &expires).await.unwrap();
        let invitation = claimed(shop.id, "pending@a.example");
        let (set, link) = tokio::join!(
            store.set_password(&used, "hash"),
            store.invitation_link(&invitation, &made, &expires)
        );
        let (set, link) = (set.expect("set_password").is_some(), link.expect("invitation_link"));
        // Either the link was used first (then no new one), or the new one replaced it.
        assert!(
            matches!((set, link), (true, InviteLink::SignIn) | (false, InviteLink::Made)),
            "round {round}: {set} {link:?}"
        );
        sqlx::query("UPDATE users SET password_hash = NULL WHERE id = $1")
            .bind(pending)
            .execute(&store.pool)
            .await
            .unwrap();
    }
}

/// An account deleted by the operator: its invitations still count for the
/// shop's day, and a new account (which SQLite may give the same id) has none.
#[tokio::test]
async fn a_deleted_account_leaves_its_invitations_to_the_shop_alone() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    let owner = add(&store, "owner@a.example", shop.id, Role::Owner).await;
    let invited = invite(&store, owner, shop.id, "new@a.example", Role::Staff).await;
    assert_eq!(invited, Ok(Invited::Added));
    let id = store.account("new@a.example").await.unwrap().expect("made").id;
    assert_eq!(store.delete_account(id).await.unwrap(), Ok(()));
    assert_eq!(queued(&store, shop.id).await, 1, "still counted for the shop");

    let again = add(&store, "other@a.example", shop.id, Role::Staff).await;
    let members = store.members(shop.id).await.unwrap();
    let other = members.iter().find(|m| m.email == "other@a.example").expect("listed");
    assert_eq!(other.invitation, None, "account {again} was never invited");
}

/// An invitation names its sender while the sender's account is: one whose
/// account was deleted (whose id SQLite may give the next new account) names
/// nobody, and says the role alone.
#[tokio::test]
async fn an_invitation_names_its_sender_while_the_senders_account_is() {
    let (_dir, store) = store().await;
    let shop = store.create_shop(&shop("a")).await.unwrap();
    // Another owner, so that the shop keeps one when the sender's account goes.
    let _owner = add(&store, "owner@a.example", shop.id, Role::Owner).await;
    let leaving = add(&store, "leaving@a.example", shop.id, Role::Owner).await;
    assert_eq!(
        invite(&store, leaving, shop.id, "new@a.example", Role::Staff).await,
        Ok(Invited::Added)
    );
    let id: i64 = sqlx::query_scalar("SELECT id FROM invitations WHERE invited_by = $1")
        .bind(leaving)
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let by = store.invited_by(id).await.unwrap();
    assert_eq!(by.owner.as_deref(), Some("leaving@a.example"));
    assert_eq!(by.role, Some(Role::Staff));
    assert_eq!(store.delete_account(leaving).await.unwrap(), Ok(()));
    let next = add(&store, "mallory@a.example", shop.id, Role::Staff).await;
    let by = store.invited_by(id).await.unwrap();
    assert_eq!(by.owner, None, "account {next} sent nothing");
    assert_eq!(by.role, Some(Role::Staff));
}

#[path = "invite_mails_tests.rs"]
mod mails;
