//! One browser, one console session: signing in again, as the same account
//! or another, ends the session the browser still had.

use crate::common;

use app::store::Role;
use common::console::{account, set_cookie, sign_in, try_sign_in_with, Browser, PASSWORD};
use common::TestApp;
use server::console::session;

#[tokio::test]
async fn signing_in_again_ends_the_browsers_previous_session() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    account(&app, "staff@alpha.example", "alpha", Role::Staff).await;
    let first = sign_in(&app, "owner@alpha.example").await;
    let other = sign_in(&app, "owner@alpha.example").await;
    let page = "/console/shops/alpha/orders";
    assert_eq!(first.get(page).await.status(), 200);

    // The first browser signs in as another account, its session cookie sent along.
    let res = try_sign_in_with(
        &app.client,
        &app.base,
        "127.0.0.1",
        &first.cookie,
        "staff@alpha.example",
        PASSWORD,
    )
    .await;
    assert_eq!(res.status(), 303);
    let (id, _) = set_cookie(&res, session::SESSION_COOKIE).expect("a new session");
    let signed_again = Browser {
        app: &app,
        cookie: format!("{}={id}", session::SESSION_COOKIE),
    };
    assert_eq!(signed_again.get(page).await.status(), 200);
    assert_eq!(
        first.get(page).await.status(),
        303,
        "the browser's old session still works"
    );
    // Sessions of other browsers are their own.
    assert_eq!(other.get(page).await.status(), 200);
}
