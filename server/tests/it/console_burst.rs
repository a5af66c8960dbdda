//! A burst of console pages from one signed-in browser waits its turn for a
//! share of the pool (`page_lane`): another merchant's pages, the API's
//! orders and `/readyz` go on meanwhile, and what the burst is refused is a
//! "busy" page to ask again, never a page saying the database is away.

use crate::common;

use app::store::Role;
use common::console::{account, sign_in};
use common::{TestApp, EXAMPLE};

#[tokio::test]
async fn one_browsers_burst_of_console_pages_leaves_the_pool_to_everyone_else() {
    let app = TestApp::spawn().await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    account(&app, "help@alpha.example", "alpha", Role::Staff).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let staff = sign_in(&app, "help@alpha.example").await;
    assert_eq!(app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await.status(), 201);

    // With everyone else at work beside it.
    let burst = futures::future::join_all((0..200).map(|_| async {
        let res = owner.get("/console/shops/alpha").await;
        let status = res.status().as_u16();
        let retry = res.headers().contains_key("retry-after");
        (status, retry, res.text().await.unwrap())
    }));
    let others = async {
        let mut seen = Vec::new();
        for _ in 0..5 {
            seen.push(("staff page", staff.get("/console/shops/alpha").await.status().as_u16()));
            let put = app.put("alpha", "#1001", &app.alpha_key, EXAMPLE).await;
            seen.push(("put", put.status().as_u16()));
            let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
            seen.push(("readyz", ready.status().as_u16()));
        }
        seen
    };
    let (burst, others) = tokio::join!(burst, others);
    for (what, status) in &others {
        assert!(*status < 300, "{what} answered {status} during the burst: {others:?}");
    }
    let mut served = 0;
    for (status, retry, html) in &burst {
        match status {
            200 => served += 1,
            503 => {
                assert!(retry, "a busy page says when to ask again");
                assert!(html.contains("The server is busy."), "{html}");
            }
            other => panic!("the burst was answered {other}: {html}"),
        }
    }
    assert!(served > 0, "the burst's browser had its turns too");
}

/// The lane stands before every console page and form, and before a
/// shopper's page of orders: with one place and little patience, a burst of
/// one browser is mostly told "busy" (in its language, with `Retry-After`),
/// the console's stylesheet never.
#[tokio::test]
async fn the_lane_stands_before_the_console_and_the_order_links_pages() {
    let lanes = common::alike_lanes(1, std::time::Duration::from_millis(30));
    let app = TestApp::spawn_configured(|state| state.with_page_lanes(lanes)).await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let statuses = |answers: Vec<reqwest::Response>| answers.iter().map(|r| r.status().as_u16()).collect::<Vec<_>>();
    let pages = futures::future::join_all((0..100).map(|_| owner.get("/console/shops/alpha"))).await;
    let pages = statuses(pages);
    assert!(
        pages.contains(&200) && pages.iter().filter(|s| **s == 503).count() > 50,
        "{pages:?}"
    );
    let css = futures::future::join_all((0..100).map(|_| owner.get("/console/console.css"))).await;
    assert!(statuses(css).iter().all(|s| *s == 200));
    // A shopper's link page, asked in German: the busy page in German.
    let link = format!("/track/alpha/o/{}?locale=de", "0".repeat(64));
    let links = futures::future::join_all((0..100).map(|_| app.client.get(app.url(&link)).send())).await;
    let mut busy = 0;
    for res in links {
        let res = res.unwrap();
        if res.status() == 503 {
            busy += 1;
            assert!(res.headers().contains_key("retry-after"));
            let html = res.text().await.unwrap();
            assert!(html.contains(r#"lang="de""#), "{html}");
            // The link page's own words, not the lookup's.
            assert!(
                html.contains("Ihre Bestellungen können gerade nicht angezeigt werden."),
                "{html}"
            );
            assert!(!html.contains("Sendungsverfolgung"), "{html}");
        } else {
            assert_eq!(res.status(), 410, "an unknown link, once its turn came");
        }
    }
    assert!(busy > 0, "{busy} of 100 turned away");
}

/// A form whose body comes slowly holds no place while it comes: with a lane
/// of one place, a page asked meanwhile is answered, not "busy".
#[tokio::test]
async fn a_form_sent_slowly_holds_no_place_in_the_lane_while_it_comes() {
    use tokio::io::AsyncWriteExt;
    let lanes = common::alike_lanes(1, std::time::Duration::from_millis(500));
    let app = TestApp::spawn_configured(|state| state.with_page_lanes(lanes)).await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    // Two forms whose heads say 100 bytes, of which only a few come.
    let address = app.base.trim_start_matches("http://");
    let mut slow = Vec::new();
    for _ in 0..2 {
        let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
        let head = format!(
            "POST /console/sign-in HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/x-www-form-urlencoded\r\n\
             content-length: 100\r\n\r\nemail=a"
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        slow.push(socket);
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    for _ in 0..3 {
        let res = owner.get("/console/shops/alpha").await;
        assert_eq!(res.status(), 200, "a page while the forms come");
    }
    drop(slow);
}

/// The link pages have a lane of their own: a flood of them never makes the
/// console wait (nor the reverse), even from the same client.
#[tokio::test]
async fn a_flood_of_link_pages_never_makes_the_console_wait() {
    use server::page_lane::{Lanes, PageLane};
    let lanes = Lanes {
        console: PageLane::new(1, std::time::Duration::from_millis(100)),
        links: PageLane::new(1, std::time::Duration::from_secs(30)),
    };
    let app = TestApp::spawn_configured(|state| state.with_page_lanes(lanes)).await;
    account(&app, "owner@alpha.example", "alpha", Role::Owner).await;
    let owner = sign_in(&app, "owner@alpha.example").await;
    let link = format!("/track/alpha/o/{}", "0".repeat(64));
    let flood = futures::future::join_all((0..300).map(|_| app.client.get(app.url(&link)).send()));
    let console = async {
        let mut statuses = Vec::new();
        for _ in 0..5 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            statuses.push(owner.get("/console/shops/alpha").await.status().as_u16());
        }
        statuses
    };
    let (flood, console) = tokio::join!(flood, console);
    assert_eq!(console, [200; 5], "the console's pages during the flood");
    assert!(flood.iter().all(|r| r.as_ref().is_ok_and(|r| r.status() == 410)));
}
