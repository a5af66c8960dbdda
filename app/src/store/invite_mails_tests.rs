//! An address's invitation mails from every shop: at most
//! [`MAILS_PER_ACCOUNT_PER_DAY`] a day, kept when they are sent, first come
//! first sent, one mail for a shop's invitations still to send, and a try
//! again that keeps its place.

use super::*;

/// Shops `slugs`, each with an owner who has invited `email` once: (shop, owner) ids.
async fn invited_by(store: &Store, slugs: &[&str], email: &str) -> Vec<(i64, i64)> {
    let mut shops = Vec::new();
    for slug in slugs {
        let shop = store.create_shop(&shop(slug)).await.unwrap();
        let owner = add(store, &format!("owner@{slug}.example"), shop.id, Role::Owner).await;
        let invited = invite(store, owner, shop.id, email, Role::Staff).await;
        assert_eq!(invited, Ok(Invited::Added), "{slug}");
        shops.push((shop.id, owner));
    }
    shops
}

/// The shop's last invitation to `email`.
async fn last_id(store: &Store, shop_id: i64, email: &str) -> i64 {
    sqlx::query_scalar("SELECT MAX(id) FROM invitations WHERE shop_id = $1 AND email = $2")
        .bind(shop_id)
        .bind(email)
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

/// Claims the invitation `id` as a sender does (one try more, for a minute).
async fn claim(store: &Store, id: i64) -> Queued {
    let (shop_id, email, attempts): (i64, String, i64) = sqlx::query_as(
        "UPDATE invitations SET attempts = attempts + 1, claimed_until = $1 WHERE id = $2
         RETURNING shop_id, email, attempts",
    )
    .bind(crate::store::time_in(chrono::Duration::minutes(1)))
    .bind(id)
    .fetch_one(&store.pool)
    .await
    .unwrap();
    Queued {
        id,
        attempts,
        ..claimed(shop_id, &email)
    }
}

/// The shop's last invitation to `email`, claimed.
async fn last_of(store: &Store, shop_id: i64, email: &str) -> Queued {
    claim(store, last_id(store, shop_id, email).await).await
}

async fn attempts(store: &Store, id: i64) -> i64 {
    sqlx::query_scalar("SELECT attempts FROM invitations WHERE id = $1")
        .bind(id)
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

/// Marks each of the shops' last invitation to [`WANTED`] mailed `ago` ago, and sent.
async fn mailed(store: &Store, shops: &[(i64, i64)], ago: chrono::Duration) {
    for (shop_id, _) in shops {
        sqlx::query(
            "UPDATE invitations SET mailed_at = $1, done_at = $1, outcome = 'sent'
             WHERE id = (SELECT MAX(id) FROM invitations WHERE shop_id = $2 AND email = $3)",
        )
        .bind(crate::store::time_in(-ago))
        .bind(shop_id)
        .bind(WANTED)
        .execute(&store.pool)
        .await
        .unwrap();
    }
}

/// The shop's last invitation to [`WANTED`], claimed and decided: counted
/// for the day, its mail going.
async fn counted(store: &Store, shop_id: i64) -> Queued {
    let queued = last_of(store, shop_id, WANTED).await;
    assert_eq!(link_for(store, &queued).await, InviteLink::Elsewhere);
    queued
}

/// As [`counted`], then put back after a failed try (its mail server
/// answered "try later").
async fn tried_once(store: &Store, shop_id: i64) -> Queued {
    let queued = counted(store, shop_id).await;
    let wait = std::time::Duration::from_secs(60);
    assert!(store.retry_mail(&queued, wait, "451 try later").await.unwrap());
    queued
}

async fn link_for(store: &Store, queued: &Queued) -> InviteLink {
    let expires = crate::store::time_in(chrono::Duration::hours(1));
    store.invitation_link(queued, &"c".repeat(64), &expires).await.unwrap()
}

const WANTED: &str = "wanted@x.example";

/// Four mailed today; shop e's invitation was made before shop f's: e's goes
/// first. Shop e inviting again replaces its waiting one, which then no
/// longer keeps f waiting, and is withdrawn when its turn comes.
#[tokio::test]
async fn first_come_first_sent_and_one_mail_for_a_shop() {
    let (_dir, store) = store().await;
    let shops = invited_by(&store, &["a", "b", "c", "d", "e", "f"], WANTED).await;
    mailed(&store, &shops[..4], chrono::Duration::hours(1)).await;
    let (e, e_owner) = shops[4];
    let f = shops[5].0;
    let waiting_e = last_id(&store, e, WANTED).await;
    let first_f = last_of(&store, f, WANTED).await;
    assert_eq!(link_for(&store, &first_f).await, InviteLink::Later, "e comes first");
    assert_eq!(attempts(&store, first_f.id).await, 0, "put back untried");

    // Shop e invites again: its first invitation is replaced, and f may go.
    assert_eq!(
        invite(&store, e_owner, e, WANTED, Role::Staff).await,
        Ok(Invited::Again)
    );
    let f_again = last_of(&store, f, WANTED).await;
    assert_eq!(link_for(&store, &f_again).await, InviteLink::Elsewhere);
    let waiting_e = claim(&store, waiting_e).await;
    assert_eq!(
        link_for(&store, &waiting_e).await,
        InviteLink::Gone,
        "replaced: nothing sent"
    );
    // The day is full now: e's new invitation waits.
    assert_eq!(
        link_for(&store, &last_of(&store, e, WANTED).await).await,
        InviteLink::Later
    );
}

/// A try again of a mail counted today keeps its place, whatever was counted
/// since; one counted more than a day ago is counted again, and waits when
/// the day is full.
#[tokio::test]
async fn a_try_again_keeps_its_place_for_the_day() {
    let (_dir, store) = store().await;
    let shops = invited_by(&store, &["a", "b", "c", "d", "e", "f"], WANTED).await;
    let (r, _) = shops[0];
    let tried = counted(&store, r).await;
    // Five others counted since (as a server of the previous version could).
    mailed(&store, &shops[1..], chrono::Duration::minutes(1)).await;
    assert_eq!(link_for(&store, &tried).await, InviteLink::Elsewhere, "keeps its place");
    sqlx::query("UPDATE invitations SET mailed_at = $1 WHERE id = $2")
        .bind(crate::store::time_in(-chrono::Duration::hours(25)))
        .bind(tried.id)
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(link_for(&store, &tried).await, InviteLink::Later, "a sixth mail today");
    // Once one of the five is a day old, it goes, counted anew from now.
    mailed(&store, &shops[1..2], chrono::Duration::hours(25)).await;
    let tried = claim(&store, tried.id).await;
    assert_eq!(link_for(&store, &tried).await, InviteLink::Elsewhere);
    let mailed_at: String = sqlx::query_scalar("SELECT mailed_at FROM invitations WHERE id = $1")
        .bind(tried.id)
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert!(
        mailed_at > crate::store::time_in(-chrono::Duration::minutes(1)),
        "{mailed_at}"
    );
}

/// An invitation tried once (its mail server failed for a while) and the
/// shop's newer one to the same address: the newer replaces it, whichever
/// goes first, and takes its place in the day's count; one mail.
#[tokio::test]
async fn a_newer_invitation_replaces_one_being_tried_again() {
    let (_dir, store) = store().await;
    let shops = invited_by(&store, &["a", "b", "c", "d", "e"], WANTED).await;
    let (a, a_owner) = shops[0];
    let older = tried_once(&store, a).await;
    mailed(&store, &shops[1..], chrono::Duration::hours(1)).await;
    // The day is full with the older one counted; the newer takes its place.
    assert_eq!(
        invite(&store, a_owner, a, WANTED, Role::Staff).await,
        Ok(Invited::Again)
    );
    let newer = last_of(&store, a, WANTED).await;
    assert_eq!(link_for(&store, &newer).await, InviteLink::Elsewhere);
    assert!(store.finish_mail(&newer, Outcome::Sent).await.unwrap());
    // The older one's turn: replaced by one sent, so nothing goes.
    let older = claim(&store, older.id).await;
    assert_eq!(link_for(&store, &older).await, InviteLink::Gone);
}

/// Invitations to an account since removed from their shops keep nobody
/// waiting: one made earlier that waits, and one counted today that is then
/// withdrawn, send nothing and do not count.
#[tokio::test]
async fn withdrawn_invitations_keep_nobody_waiting() {
    let (_dir, store) = store().await;
    let shops = invited_by(&store, &["a", "b", "c", "d", "e", "f", "g"], WANTED).await;
    mailed(&store, &shops[..4], chrono::Duration::hours(1)).await;
    let (e, f, g) = (shops[4].0, shops[5].0, shops[6].0);
    // e's was counted an hour ago and waits to be tried again; f's waits.
    let e_tried = tried_once(&store, e).await;
    assert_eq!(
        link_for(&store, &last_of(&store, g, WANTED).await).await,
        InviteLink::Later,
        "the day is full"
    );
    for shop_id in [e, f] {
        let removed = store
            .change_member(None, shop_id, WANTED, crate::store::TeamChange::Remove)
            .await
            .unwrap();
        assert!(removed.is_ok());
    }
    let e_tried = claim(&store, e_tried.id).await;
    assert_eq!(link_for(&store, &e_tried).await, InviteLink::Gone);
    assert!(store.finish_mail(&e_tried, Outcome::Withdrawn).await.unwrap());
    let later = last_of(&store, g, WANTED).await;
    assert_eq!(link_for(&store, &later).await, InviteLink::Elsewhere);
}

/// The shop invites again while its earlier mail is on its way (decided and
/// counted, its sender still holding it): that mail counts, and the newer
/// one waits for the day's room.
#[tokio::test]
async fn a_mail_on_its_way_counts_for_the_newer_invitation() {
    let (_dir, store) = store().await;
    let shops = invited_by(&store, &["a", "b", "c", "d", "e"], WANTED).await;
    let (a, a_owner) = shops[0];
    let on_its_way = counted(&store, a).await;
    mailed(&store, &shops[1..], chrono::Duration::hours(1)).await;
    assert_eq!(
        invite(&store, a_owner, a, WANTED, Role::Staff).await,
        Ok(Invited::Again)
    );
    let newer = last_of(&store, a, WANTED).await;
    assert_eq!(link_for(&store, &newer).await, InviteLink::Later);
    assert!(store.finish_mail(&on_its_way, Outcome::Sent).await.unwrap());
}

/// One address invited by seven shops, their mails sent at once: the five
/// made first go; the two others are put back untried, waiting, until the
/// first of the five is a day old (or a minute, to look again, when none had
/// been mailed yet as they looked). No shop was refused for the others'.
#[tokio::test]
async fn an_accounts_mails_from_every_shop_keep_its_day_bound_when_sent() {
    let (_dir, store) = store().await;
    open_every_connection(&store).await;
    let mut shops = Vec::new();
    for slug in ["a", "b", "c", "d", "e", "f", "g"] {
        let shop = store.create_shop(&shop(slug)).await.unwrap();
        let owner = add(&store, &format!("owner@{slug}.example"), shop.id, Role::Owner).await;
        let invited = invite(&store, owner, shop.id, "wanted@x.example", Role::Staff).await;
        assert_eq!(invited, Ok(Invited::Added), "{slug}");
        shops.push(shop.id);
    }
    let lease = std::time::Duration::from_secs(60);
    let mut claims = Vec::new();
    while let Some(queued) = store.claim_mail(lease).await.unwrap() {
        claims.push(queued);
    }
    assert_eq!(claims.len(), shops.len());
    let expires = crate::store::time_in(chrono::Duration::hours(1));
    let links = claims.iter().enumerate().map(|(i, queued)| {
        let (store, expires, queued) = (store.clone(), expires.clone(), queued.clone());
        tokio::spawn(async move { store.invitation_link(&queued, &format!("{i:064}"), &expires).await })
    });
    let mut later = Vec::new();
    let mut sent = Vec::new();
    for (link, queued) in links.collect::<Vec<_>>().into_iter().zip(&claims) {
        match link.await.unwrap().unwrap() {
            InviteLink::Later => later.push(queued.clone()),
            _ => sent.push(queued.clone()),
        }
    }
    assert_eq!(sent.len() as i64, MAILS_PER_ACCOUNT_PER_DAY);
    assert_eq!(later.len(), 2);
    let first_made: Vec<i64> = claims.iter().map(|q| q.id).take(5).collect();
    assert!(
        sent.iter().all(|q| first_made.contains(&q.id)),
        "first come, first sent"
    );
    for queued in &sent {
        assert!(store.finish_mail(queued, Outcome::Sent).await.unwrap());
    }
    let first: String = sqlx::query_scalar("SELECT MIN(mailed_at) FROM invitations WHERE mailed_at IS NOT NULL")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    let day_after = chrono::DateTime::parse_from_rfc3339(&first).unwrap() + chrono::Duration::days(1);
    for queued in &later {
        let (attempts, next_at, claimed, mailed): (i64, String, Option<String>, Option<String>) = sqlx::query_as(
            "SELECT attempts, next_at, claimed_until, mailed_at FROM invitations WHERE id = $1 AND done_at IS NULL",
        )
        .bind(queued.id)
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!((attempts, claimed, mailed), (0, None, None), "put back untried");
        let next_at = chrono::DateTime::parse_from_rfc3339(&next_at).unwrap();
        let in_a_minute = chrono::Utc::now().fixed_offset() + chrono::Duration::minutes(1);
        assert!(
            (next_at - day_after).num_seconds().abs() <= 1 || (next_at - in_a_minute).num_seconds().abs() <= 2,
            "{next_at}"
        );
        let members = store.members(queued.shop().unwrap().id).await.unwrap();
        let row = members.iter().find(|m| m.email == "wanted@x.example").unwrap();
        assert_eq!(row.invitation, Some(Invitation::Waiting));
        // The claim that was taken back can neither finish it nor put it back.
        assert!(!store.finish_mail(queued, Outcome::Sent).await.unwrap());
    }
    assert_eq!(store.claim_mail(lease).await.unwrap(), None, "not due until then");

    // A day later (the first mail a day and a minute old), one more may go.
    sqlx::query(
        "UPDATE invitations SET mailed_at = $1 WHERE id = (SELECT MIN(id) FROM invitations WHERE mailed_at = $2)",
    )
    .bind(crate::store::time_in(-chrono::Duration::minutes(24 * 60 + 1)))
    .bind(&first)
    .execute(&store.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE invitations SET next_at = $1 WHERE done_at IS NULL")
        .bind(crate::store::time_in(-chrono::Duration::seconds(1)))
        .execute(&store.pool)
        .await
        .unwrap();
    let mut results = Vec::new();
    while let Some(queued) = store.claim_mail(lease).await.unwrap() {
        assert_eq!(queued.attempts, 1, "its first try");
        results.push(store.invitation_link(&queued, &"d".repeat(64), &expires).await.unwrap());
    }
    let went = results.iter().filter(|l| **l != InviteLink::Later).count();
    assert_eq!((results.len(), went), (2, 1), "{results:?}");
}
