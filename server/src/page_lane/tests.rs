use super::*;

#[test]
fn half_the_pool_and_at_least_one_place() {
    assert_eq!(places(1), 1);
    assert_eq!(places(4), 2);
    assert_eq!(places(8), 4);
}

#[tokio::test]
async fn an_owner_holds_at_most_its_places_and_waits_behind_its_own_requests() {
    let lane = PageLane::new(4, Duration::from_millis(200));
    let first = lane.enter("a").await.expect("a place");
    let second = lane.enter("a").await.expect("a second place");
    // Its third waits behind its own two and, as long as they last, is turned away...
    assert!(lane.enter("a").await.is_none());
    // ...while another owner goes ahead at once.
    let other = lane.enter("b").await.expect("a place for another owner");
    drop(first);
    assert!(lane.enter("a").await.is_some(), "its turn once one of its own ended");
    drop((second, other));
}

#[tokio::test]
async fn a_burst_of_one_owner_never_holds_more_than_its_places_and_the_lane_more_than_its() {
    let lane = Arc::new(PageLane::new(2, Duration::from_secs(5)));
    let running = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let most = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for i in 0..300 {
        let (lane, running, most) = (lane.clone(), running.clone(), most.clone());
        // 200 requests of one owner, 100 of a hundred others.
        let owner = if i < 200 { 0 } else { i };
        tasks.push(tokio::spawn(async move {
            let pass = lane.enter(owner).await?;
            let now = running.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            most.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
            tokio::task::yield_now().await;
            running.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            drop(pass);
            Some(())
        }));
    }
    let mut served = 0;
    for task in tasks {
        served += usize::from(task.await.expect("no panic").is_some());
    }
    assert_eq!(served, 300, "every request had its turn within the patience");
    assert!(
        most.load(std::sync::atomic::Ordering::SeqCst) <= 2,
        "never more than the lane's places"
    );
}

#[tokio::test]
async fn the_table_of_owners_is_capped_and_owners_beyond_it_share_one_place() {
    let lane = PageLane::new(MAX_OWNERS + 10, Duration::from_millis(100));
    let mut held = Vec::new();
    for owner in 0..MAX_OWNERS {
        held.push(lane.enter(owner).await.expect("a place"));
    }
    assert_eq!(lane.owners(), MAX_OWNERS);
    // Every owner holds a place: the next ones share the strangers' one.
    let stranger = lane.enter("x").await.expect("the strangers' place");
    assert!(lane.enter("y").await.is_none(), "one place for all strangers");
    assert_eq!(lane.owners(), MAX_OWNERS, "the table did not grow");
    drop(stranger);
    // Once their requests are answered, owners are let go to make room.
    held.clear();
    assert!(lane.enter("z").await.is_some());
    assert!(lane.owners() <= MAX_OWNERS);
}
