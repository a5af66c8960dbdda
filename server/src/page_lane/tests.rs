use super::*;

#[test]
fn the_lanes_together_leave_the_pool_a_connection() {
    assert_eq!((places(1), link_places(1)), (1, 1));
    assert_eq!((places(4), link_places(4)), (2, 1), "SQLite's pool");
    assert_eq!((places(8), link_places(8)), (4, 2), "PostgreSQL's pool");
    for pool in 3..=64 {
        assert!(places(pool) + link_places(pool) < pool, "{pool}");
    }
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

#[test]
fn one_owner_holds_at_most_half_the_lane() {
    assert_eq!(per_owner(1), 1);
    assert_eq!(per_owner(2), 1, "never a lane of two alone");
    assert_eq!(per_owner(4), 2);
}

#[tokio::test]
async fn a_burst_of_one_owner_never_holds_more_than_its_places_and_the_lane_more_than_its() {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    let lane = Arc::new(PageLane::new(4, Duration::from_secs(5)));
    // In the lane, and of the bursting owner.
    let counts = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let most = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let mut tasks = Vec::new();
    for i in 0..300 {
        let (lane, counts, most) = (lane.clone(), counts.clone(), most.clone());
        // 200 requests of one owner, 100 of a hundred others.
        let owner = if i < 200 { 0 } else { i };
        tasks.push(tokio::spawn(async move {
            let pass = lane.enter(owner).await?;
            let mine = usize::from(owner == 0);
            for k in 0..=mine {
                let now = counts[k].fetch_add(1, SeqCst) + 1;
                most[k].fetch_max(now, SeqCst);
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
            for k in 0..=mine {
                counts[k].fetch_sub(1, SeqCst);
            }
            drop(pass);
            Some(())
        }));
    }
    let mut served = 0;
    for task in tasks {
        served += usize::from(task.await.expect("no panic").is_some());
    }
    assert_eq!(served, 300, "every request had its turn within the patience");
    assert_eq!(most[0].load(SeqCst), 4, "the lane full, never more");
    assert_eq!(most[1].load(SeqCst), 2, "the bursting owner at half of it, never more");
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
