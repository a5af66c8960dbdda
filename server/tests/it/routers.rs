//! Routers built in a process that is already serving pages.
//!
//! Building a router makes Leptos's route list, which runs the app once with
//! resource loading switched off for the whole process (a process-wide flag of
//! `leptos_server`). A page whose data started loading in that moment, on any
//! thread, used to wait forever, and the request timeout answered it with an
//! empty 408 (leptos-rs/leptos#4773). The tests of this binary build a router
//! for every server they start, two at a time, so their pages met that now and then.

use crate::common;

use common::TestApp;
use server::{app, cli, AppState};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_while_other_routers_are_built() {
    let shop = TestApp::spawn().await;
    let site = tempfile::tempdir().expect("site dir");
    let (done, built) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
    let builder = {
        let (store, done, built) = (shop.store.clone(), done.clone(), built.clone());
        let site = site.path().to_path_buf();
        tokio::task::spawn_blocking(move || {
            let addr = "127.0.0.1:0".parse().expect("an address");
            while !done.load(Ordering::Relaxed) {
                drop(app(AppState::new(cli::leptos_options(addr, &site), store.clone())));
                built.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let stop = Stop(done.clone());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let mut pages = 0;
    // Until the other thread has built routers all along: at least 100 of them.
    while pages < 100 || built.load(Ordering::Relaxed) < 100 {
        let res = client.get(shop.url("/track/alpha")).send().await.unwrap_or_else(|e| {
            panic!(
                "page {pages} within 10 s, {} routers built: {e}",
                built.load(Ordering::Relaxed)
            )
        });
        assert_eq!(res.status(), 200, "page {pages}");
        assert!(
            res.text().await.expect("body").contains("<leptos-island"),
            "page {pages}"
        );
        pages += 1;
        assert!(
            pages < 5_000,
            "the other thread built only {} routers",
            built.load(Ordering::Relaxed)
        );
    }
    drop(stop);
    builder.await.expect("the builder thread");
}

/// Stops the building thread when the test ends, by a panic too (the runtime
/// waits for that thread before the test can end).
struct Stop(Arc<AtomicBool>);

impl Drop for Stop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}
