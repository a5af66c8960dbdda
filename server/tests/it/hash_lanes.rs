//! A flood of strangers fills the hashing gate's open lane: a merchant at a
//! browser that has signed in before, and a shop's integration with its key,
//! still get in through the known lane; a stranger, a made-up key and another
//! shop's prefix are turned away (503) without hashing.

use crate::common;

use app::store::Role;
use common::console::{account, set_cookie, try_sign_in, try_sign_in_with, PASSWORD};
use common::TestApp;
use server::console::KNOWN_COOKIE;
use server::hash_gate::HashGate;
use std::sync::Arc;
use std::time::Duration;

const OWNER: &str = "owner@alpha.example";

/// Holds the open lane's one place (running and admitted) until the sender is used.
async fn fill_open_lane(gate: &Arc<HashGate>) -> (std::sync::mpsc::Sender<()>, tokio::task::JoinHandle<()>) {
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let gate = gate.clone();
    let task = tokio::spawn(async move {
        let held = gate
            .run(move || {
                let _ = started_tx.send(());
                let _ = release_rx.recv();
            })
            .await;
        assert!(held.is_ok());
    });
    tokio::task::spawn_blocking(move || started_rx.recv().expect("the hold started"))
        .await
        .expect("waited");
    (release_tx, task)
}

#[tokio::test]
async fn a_known_browser_and_a_stored_key_get_in_while_strangers_fill_the_gate() {
    let gate = Arc::new(HashGate::new(1, 1, Duration::from_millis(300)).with_known_lane(1, 2));
    let app = TestApp::spawn_configured({
        let gate = gate.clone();
        move |s| s.with_hash_gate(gate)
    })
    .await;
    account(&app, OWNER, "alpha", Role::Owner).await;
    let res = try_sign_in(&app, OWNER, PASSWORD).await;
    assert_eq!(res.status(), 303);
    let (tag, _) = set_cookie(&res, KNOWN_COOKIE.plain).expect("a known browser's cookie");
    let known = format!("{}={tag}", KNOWN_COOKIE.plain);

    let (release, held) = fill_open_lane(&gate).await;
    let before = gate.hashes();
    // A browser the account does not know waits on the full open lane, and is turned away.
    let res = try_sign_in(&app, OWNER, PASSWORD).await;
    assert_eq!(res.status(), 503, "a stranger's browser");
    // Made-up keys of the right shape too.
    let made_up = format!("lk_{}_{}", "0".repeat(16), "0".repeat(64));
    assert_eq!(app.email_links("alpha", &made_up, false).await.status(), 503);
    // And a key of another shop's prefix on this shop's path: its prefix is
    // known, but not to this shop, so it cannot fill this lane.
    let beta_prefix = app.beta_key.split('_').nth(1).unwrap();
    let borrowed = format!("lk_{beta_prefix}_{}", "0".repeat(64));
    assert_eq!(app.email_links("alpha", &borrowed, false).await.status(), 503);
    assert_eq!(gate.hashes(), before, "nothing was hashed for them");

    // The owner's own browser signs in; the shop's key is verified.
    let res = try_sign_in_with(&app.client, &app.base, "127.0.0.1", &known, OWNER, PASSWORD).await;
    assert_eq!(res.status(), 303, "the owner's browser");
    assert_eq!(app.email_links("alpha", &app.alpha_key, false).await.status(), 200);
    assert_eq!(gate.hashes(), before + 2);
    // The known lane does not open anything by itself: a wrong password through it is wrong.
    let res = try_sign_in_with(&app.client, &app.base, "127.0.0.1", &known, OWNER, "not the password").await;
    assert_eq!(res.status(), 401);

    release.send(()).expect("release");
    held.await.expect("the hold ended");
    assert_eq!(
        try_sign_in(&app, OWNER, PASSWORD).await.status(),
        303,
        "once the flood is gone"
    );
}
