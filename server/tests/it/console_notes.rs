//! The note a console page shows after a change, named by the redirect's
//! query: each page shows its own note for its own query, and any other
//! query (an unknown word, the field twice, bytes that are not UTF-8) gets
//! the page as usual with no note, never an error.

use crate::common;

use app::store::Role;
use common::console::{account, sign_in};
use common::smtp::SmtpServer;
use common::TestApp;

/// Each page, its note's query and the note's words.
const NOTED: [(&str, &str, &str); 6] = [
    ("/console/account", "done=password", "Your password was changed."),
    ("/console/account", "done=signed_out", "That browser was signed out."),
    (
        "/console/shops/alpha/team",
        "done=removed",
        "no longer has a role in this shop",
    ),
    (
        "/console/shops/alpha/keys",
        "revoked=00000000000000ab",
        "Key 00000000000000ab is revoked.",
    ),
    ("/console/shops/alpha/settings", "saved=1", "Saved. The preview shows"),
    ("/console/shops/alpha/orders", "done=erased", "The order was erased."),
];

#[tokio::test]
async fn pages_show_their_own_notes_and_junk_queries_say_nothing() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    for (path, query, words) in NOTED {
        let res = owner.get(&format!("{path}?{query}")).await;
        assert_eq!(res.status(), 200, "{path}?{query}");
        assert!(res.text().await.unwrap().contains(words), "{path}?{query}");
        let (field, _) = query.split_once('=').unwrap();
        for junk in [format!("{field}=x"), format!("{query}&{query}"), format!("{field}=%FF")] {
            let res = owner.get(&format!("{path}?{junk}")).await;
            assert_eq!(res.status(), 200, "{path}?{junk}");
            assert!(!res.text().await.unwrap().contains(words), "{path}?{junk}");
        }
    }
    // Signed out: the forgot-password page after a request.
    let sent = "If a Lookout account on a shop's team has this address";
    let forgot = |query: &'static str| {
        let (client, url) = (app.client.clone(), app.url(&format!("/console/forgot?{query}")));
        async move {
            let res = client.get(url).send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let (status, page) = forgot("sent=1").await;
    assert_eq!(status, 200);
    assert!(page.contains(sent), "{page}");
    for junk in ["sent=x", "sent=1&sent=1", "sent=%FF"] {
        let (status, page) = forgot(junk).await;
        assert_eq!(status, 200, "{junk}");
        assert!(!page.contains(sent), "{junk}: {page}");
    }
}
