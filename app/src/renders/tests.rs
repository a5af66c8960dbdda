use super::*;

const KIB: usize = 1024;

/// The client at 192.0.2.`n`.
fn client(n: u8) -> Client {
    Client::new(Some(std::net::IpAddr::from([192, 0, 2, n])))
}

fn renders(running_kib: usize, admitted_kib: usize, patience: Duration) -> Renders {
    Renders::new(64 * KIB, running_kib * KIB, admitted_kib * KIB, patience)
}

#[test]
fn views_weigh_their_kib_from_the_threshold_up_to_all_the_places() {
    let r = renders(1024, 2048, PATIENCE);
    assert_eq!(r.weight(0), 0);
    assert_eq!(r.weight(64 * KIB - 1), 0, "under the threshold: no place");
    assert_eq!(r.weight(64 * KIB), 64);
    assert_eq!(r.weight(64 * KIB + 1), 65, "rounded up");
    assert_eq!(r.weight(600 * KIB), 600);
    assert_eq!(
        r.weight(5 * 1024 * KIB),
        1024,
        "a view larger than the places takes them all"
    );
    assert_eq!(r.weight(usize::MAX), 1024);
    let standard = Renders::default();
    assert_eq!(standard.weight(LARGE - 1), 0);
    assert_eq!(standard.weight(RUNNING * 4), (RUNNING / KIB) as u32);
}

#[tokio::test]
async fn no_more_than_the_running_bytes_are_made_at_once_and_every_page_is_served() {
    let r = Arc::new(renders(1024, 64 * 1024, Duration::from_secs(3600)));
    let most = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let pages: Vec<_> = (0..60)
        .map(|i| {
            let (r, most) = (r.clone(), most.clone());
            tokio::spawn(async move {
                // Views of 300 KiB to 500 KiB: two or three fit at once.
                let place = r.enter((300 + i % 3 * 100) * KIB, client(i as u8)).await?;
                most.fetch_max(r.running_kib(), std::sync::atomic::Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                drop(place);
                Ok::<_, Busy>(())
            })
        })
        .collect();
    for page in pages {
        assert_eq!(page.await.expect("the task ends"), Ok(()));
    }
    let most = most.load(std::sync::atomic::Ordering::SeqCst);
    assert!(most <= 1024, "at most the running KiB at once: {most}");
    assert!(most >= 600, "two at once at least: {most}");
    assert_eq!(r.running_kib(), 0, "every place given back");
}

#[tokio::test]
async fn small_views_never_wait() {
    let r = renders(256, 1024, Duration::from_millis(50));
    let _all = r
        .enter(10 * 1024 * KIB, client(1))
        .await
        .expect("the first takes every place");
    // Each would wait its patience for a place it needed, and be turned away.
    let small = async {
        for _ in 0..1000 {
            r.enter(64 * KIB - 1, client(1))
                .await
                .expect("a small view takes no place");
        }
    };
    tokio::time::timeout(Duration::from_secs(60), small)
        .await
        .expect("no small view waited");
    assert_eq!(
        r.enter(64 * KIB, client(2)).await.err(),
        Some(Busy),
        "a large one is turned away"
    );
}

#[tokio::test]
async fn beyond_the_admitted_bytes_a_page_is_turned_away_at_once() {
    let r = Arc::new(renders(512, 1024, Duration::from_secs(3600)));
    let first = r.enter(512 * KIB, client(1)).await.expect("room");
    let second = tokio::spawn({
        let r = r.clone();
        async move { r.enter(512 * KIB, client(2)).await.map(drop) }
    });
    // The second is admitted and waits for the first.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!second.is_finished(), "the second waits its turn");
    // It would wait an hour for a place if it were let in to wait.
    let third = tokio::time::timeout(Duration::from_secs(60), r.enter(100 * KIB, client(3))).await;
    assert_eq!(
        third.expect("turned away without waiting").err(),
        Some(Busy),
        "no room to wait in"
    );
    drop(first);
    assert_eq!(second.await.expect("the task ends"), Ok(()), "its turn came");
}

#[tokio::test]
async fn a_page_that_waited_its_patience_is_turned_away_and_holds_nothing() {
    let r = renders(512, 4096, Duration::from_millis(50));
    let first = r.enter(512 * KIB, client(1)).await.expect("room");
    assert_eq!(
        r.enter(100 * KIB, client(2)).await.err(),
        Some(Busy),
        "no place came within its patience"
    );
    assert_eq!(r.running_kib(), 512, "the page turned away holds nothing");
    drop(first);
    assert_eq!(r.running_kib(), 0);
    let again = r.enter(512 * KIB, client(2)).await.expect("room again");
    assert_eq!(r.running_kib(), 512);
    drop(again);
}

#[tokio::test]
async fn one_client_holds_at_most_half_and_is_turned_away_at_once_beyond_it() {
    let r = renders(1024, 4096, Duration::from_secs(3600));
    let a = client(1);
    let first = r.enter(300 * KIB, a).await.expect("room");
    let second = r.enter(200 * KIB, a).await.expect("within its half");
    // It would wait an hour if it were let in to wait.
    let third = tokio::time::timeout(Duration::from_secs(60), r.enter(100 * KIB, a)).await;
    assert_eq!(third.expect("turned away at once").err(), Some(Busy), "past its half");
    // Another client has the other half.
    let other = r.enter(500 * KIB, client(2)).await.expect("another client's page");
    assert_eq!(r.running_kib(), 1000);
    assert_eq!(r.clients(), 2);
    drop((first, second, other));
    assert_eq!(r.clients(), 0, "no client kept once it holds nothing");
    // One view larger than half, for a client holding none, still enters.
    let whole = r.enter(900 * KIB, a).await.expect("any one view");
    assert_eq!(r.running_kib(), 900);
    drop(whole);
}
