use super::*;

fn key(n: u64) -> LimitKey {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&n.to_le_bytes());
    k[8..].copy_from_slice(&n.wrapping_mul(0x9e37_79b9_7f4a_7c15).to_le_bytes());
    k
}

/// Key `n` of keys that crowd into 8 of the cells in each row of what a table
/// forgets, each with a fingerprint of its own.
fn crowded(n: u64) -> LimitKey {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&((n % 8) | n << 32).to_le_bytes());
    k[8..].copy_from_slice(&((n * 3) % 8).to_le_bytes());
    k
}

/// One attempt for key `k`, as `take_all` takes it for one table.
fn take(t: &mut Table, k: u64, rule: Rule, now: u64) -> Result<(), Spent> {
    take_key(t, key(k), rule, now)
}

fn take_key(t: &mut Table, key: LimitKey, rule: Rule, now: u64) -> Result<(), Spent> {
    let next = t.check(&key, rule, now)?;
    t.room_for(&key, rule, now);
    t.commit(key, next);
    Ok(())
}

#[test]
fn a_key_gets_exactly_its_allowance_in_a_burst_then_one_per_interval() {
    let rule = Rule::new(8, Duration::from_secs(800));
    let mut t = Table::new(100);
    for _ in 0..8 {
        take(&mut t, 1, rule, 0).unwrap();
    }
    assert_eq!(take(&mut t, 1, rule, 0), Err(Spent(100_000)));
    assert_eq!(take(&mut t, 1, rule, 99_999), Err(Spent(1)));
    take(&mut t, 1, rule, 100_000).unwrap();
    assert!(take(&mut t, 1, rule, 100_000).is_err());
    // Another key is untouched.
    take(&mut t, 2, rule, 0).unwrap();
}

#[test]
fn a_given_back_attempt_can_be_taken_again_and_a_whole_allowance_is_forgotten() {
    let rule = Rule::new(2, Duration::from_secs(20));
    let mut t = Table::new(100);
    take(&mut t, 1, rule, 0).unwrap();
    take(&mut t, 1, rule, 0).unwrap();
    assert!(take(&mut t, 1, rule, 0).is_err());
    t.give_back(&key(1), rule, 0);
    take(&mut t, 1, rule, 0).unwrap();
    t.give_back(&key(1), rule, 0);
    t.give_back(&key(1), rule, 0);
    assert!(t.is_empty(), "a key with its whole allowance is dropped");
    t.give_back(&key(7), rule, 0); // unknown keys: nothing happens
    assert!(t.is_empty());
}

#[test]
fn a_flood_of_single_misses_never_frees_a_spent_key() {
    let rule = Rule::new(4, Duration::from_secs(40));
    let mut t = Table::new(10);
    for _ in 0..4 {
        take(&mut t, 0, rule, 0).unwrap();
    }
    for k in 1..1000 {
        take(&mut t, k, rule, 0).unwrap();
        assert!(t.len() <= 10);
    }
    assert!(take(&mut t, 0, rule, 0).is_err(), "the flood did not free key 0");
    assert_eq!(t.forced(), 0, "only single misses were forgotten");
}

#[test]
fn a_table_full_of_spent_keys_forgets_the_least_spent_and_never_refuses_a_new_key() {
    let rule = Rule::new(4, Duration::from_secs(40));
    let mut t = Table::new(16);
    // Key 0 is spent; the others have two attempts out, so nothing is free to forget.
    for _ in 0..4 {
        take(&mut t, 0, rule, 0).unwrap();
    }
    for k in 1..16 {
        take(&mut t, k, rule, 0).unwrap();
        take(&mut t, k, rule, 0).unwrap();
    }
    for k in 100..400 {
        take(&mut t, k, rule, 0).unwrap();
        take(&mut t, k, rule, 0).unwrap();
        assert!(t.len() <= 16);
    }
    assert!(t.forced() > 0);
    // The most spent key outlived a flood of less spent ones.
    assert!(take(&mut t, 0, rule, 0).is_err());
}

#[test]
fn a_scan_that_frees_little_is_not_repeated_at_every_new_key() {
    let rule = Rule::new(2, Duration::from_secs(20));
    let mut t = Table::new(32);
    for k in 0..31 {
        take(&mut t, k, rule, 0).unwrap();
        take(&mut t, k, rule, 0).unwrap();
    }
    take(&mut t, 31, rule, 0).unwrap(); // one key with a single attempt: the only one to forget
    take(&mut t, 32, rule, 0).unwrap(); // the scan frees it, and little else
    assert_eq!((t.len(), t.forced()), (32, 0));
    // Within the second, the next new key goes straight to forgetting the least spent.
    take(&mut t, 33, rule, 1).unwrap();
    assert!(t.forced() > 0);
    assert!(t.len() <= 32);
}

#[test]
fn spreading_misses_over_more_keys_than_the_table_holds_does_not_reset_a_key() {
    // 8 attempts per 15 minutes; a table of 1,000 keys. Each round, 1.5 s apart
    // for a whole window (600 rounds), one miss at the key aimed at, then one at
    // each of 1,100 others, so the table fills and forgets every key with one
    // attempt out, the aimed one too.
    let rule = Rule::new(8, Duration::from_secs(900));
    let mut t = Table::new(1_000);
    let (mut granted, mut refused_at) = (0, None);
    for round in 0..600u64 {
        let now = round * 1_500;
        match take(&mut t, 0, rule, now) {
            Ok(()) => granted += 1,
            Err(_) => {
                refused_at.get_or_insert(round);
            }
        }
        for k in 1..=1_100 {
            take(&mut t, round * 10_000 + k, rule, now).unwrap();
        }
    }
    assert_eq!(
        refused_at,
        Some(8),
        "the aimed key had 8 attempts, however often it was forgotten"
    );
    // Then one each time one refills: 8 in the 15 minutes, at most one more.
    assert!(granted <= 8 + 8 + 1, "{granted} attempts in 15 minutes");
    // Fixed memory: two rows of twice as many 8-byte cells as the table has keys.
    assert_eq!(t.forgotten_bytes(), 2 * 2_048 * 8);
}

#[test]
fn a_key_forgotten_while_fully_spent_comes_back_spent() {
    let rule = Rule::new(4, Duration::from_secs(40));
    let mut t = Table::new(16);
    for k in 0..16 {
        for _ in 0..4 {
            take(&mut t, k, rule, 0).unwrap();
        }
    }
    // A new key forces out the least spent eighth: here, fully spent keys.
    take(&mut t, 99, rule, 0).unwrap();
    let gone = (0..16).find(|&k| !t.holds(&key(k))).expect("one key was forgotten");
    assert!(take(&mut t, gone, rule, 0).is_err());
    // Its attempt comes back when one refills, as if it had stayed.
    take(&mut t, gone, rule, 10_000).unwrap();
}

#[test]
fn a_key_back_in_the_table_leaves_no_record_behind_and_gets_its_attempts_back() {
    let rule = Rule::new(3, Duration::from_secs(30));
    let mut t = Table::new(4);
    for k in 0..5 {
        take(&mut t, k, rule, 0).unwrap(); // the fifth forgets the four with one out
    }
    assert!(!t.holds(&key(0)));
    take(&mut t, 0, rule, 1_000).unwrap(); // back with its miss: two out
    t.give_back(&key(0), rule, 1_000);
    t.give_back(&key(0), rule, 1_000); // whole again, and dropped
    for _ in 0..3 {
        take(&mut t, 0, rule, 1_000).unwrap();
    }
    // An attempt given back while the key was forgotten comes off its record.
    for k in 10..15 {
        take(&mut t, k, rule, 2_000).unwrap();
    }
    let gone = (10..14).find(|&k| !t.holds(&key(k))).expect("a key was forgotten");
    t.give_back(&key(gone), rule, 2_000);
    for _ in 0..3 {
        take(&mut t, gone, rule, 2_000).unwrap();
    }
}

/// A key whose hash falls anywhere in the table, as a keyed hash's does
/// (SplitMix64's mixing: neighbours land apart, and runs of full slots form
/// as they do with random keys).
fn spread(n: u64) -> LimitKey {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    key(z ^ (z >> 31))
}

#[test]
fn a_full_table_at_the_default_capacity_never_grows_past_it() {
    use crate::limits::DEFAULT_CAPACITY;
    // The keys a flood brings: fresh ones, second misses at keys held, and
    // found orders giving their attempt back, a key at a time.
    let rule = Rule::new(8, Duration::from_secs(900));
    let mut t = Table::new(DEFAULT_CAPACITY);
    let most = (DEFAULT_CAPACITY * 3) as u64;
    for k in 0..most {
        let now = 1_000 + k / 100;
        take_key(&mut t, spread(k), rule, now).unwrap();
        // Every third key is missed again a little later.
        if k % 3 == 0 && k >= 50 {
            let again = spread(k - 50);
            if t.holds(&again) {
                take_key(&mut t, again, rule, now).unwrap();
            }
        }
        // Every fifth gives its attempt back (a hit), which removes a key
        // whose allowance is whole again.
        if k % 5 == 0 && k >= 20 {
            t.give_back(&spread(k - 20), rule, now);
        }
        assert!(t.len() <= DEFAULT_CAPACITY);
        // The hash table holds at most seven eighths of its slots: at the
        // default it has room for the capacity and never doubles past it.
        assert!(
            t.slots() <= DEFAULT_CAPACITY,
            "the table grew past its keys: room for {} with {} held, after {k} keys",
            t.slots(),
            t.len()
        );
    }
    assert!(
        t.forgotten_bytes() > 0,
        "the table was full and forgot keys with attempts out"
    );
}

#[test]
fn a_table_near_full_under_hits_and_misses_is_not_made_again_at_every_miss() {
    // One key short of full, a found order giving its attempt back (a key
    // removed, leaving a mark where its neighbours are full) between fresh
    // misses: the hash table's room runs out again and again. Made again with
    // room for one key, it would be copied every few misses.
    use crate::limits::DEFAULT_CAPACITY;
    let rule = Rule::new(8, Duration::from_secs(900));
    let mut t = Table::new(DEFAULT_CAPACITY);
    let full = DEFAULT_CAPACITY as u64 - 1;
    for k in 0..full {
        take_key(&mut t, spread(k), rule, 1_000 + k / 100).unwrap();
    }
    let before = t.remade;
    let rounds = 40_000;
    for k in full..full + rounds {
        let now = 1_000 + k / 100;
        t.give_back(&spread(k - full), rule, now);
        take_key(&mut t, spread(k), rule, now).unwrap();
        assert!(t.slots() <= DEFAULT_CAPACITY, "grew past its capacity");
    }
    let at_most = rounds as usize / (DEFAULT_CAPACITY / 16) + 1;
    let remade = t.remade - before;
    assert!(
        remade <= at_most,
        "made again {remade} times in {rounds} misses (at most {at_most})"
    );
}

#[test]
fn rules_never_divide_by_zero_or_overflow() {
    for (allowed, window) in [(0, 0), (1, 0), (u32::MAX, 1), (1, u64::MAX)] {
        let rule = Rule::new(allowed, Duration::from_millis(window));
        let mut t = Table::new(0);
        take(&mut t, 1, rule, u64::MAX / 2).unwrap();
        take(&mut t, 2, rule, u64::MAX / 2).unwrap();
    }
}

proptest::proptest! {
    /// Whatever the order of attempts and give-backs, a table of 4 keys grants
    /// exactly what a table without bounds grants, while no give-back is lost (a
    /// key given back to after it was forgotten is only ever stricter), with 40
    /// keys each with a cell of its own: forgetting costs a key nothing.
    #[test]
    fn a_bounded_table_grants_what_an_unbounded_one_does(
        ops in proptest::collection::vec((0u64..40, 0u64..4, proptest::bool::weighted(0.2)), 1..400)
    ) {
        // Whole seconds apart, as forgotten states are kept.
        let rule = Rule::new(3, Duration::from_secs(30));
        let (mut bounded, mut unbounded) = (Table::new(4), Table::new(usize::MAX));
        let mut lost_give_back = std::collections::HashSet::new();
        let mut now = 0;
        for (k, secs, give) in ops {
            now += secs * 1_000;
            if give {
                if !bounded.holds(&key(k)) && unbounded.holds(&key(k)) {
                    lost_give_back.insert(k);
                }
                bounded.give_back(&key(k), rule, now);
                unbounded.give_back(&key(k), rule, now);
                continue;
            }
            let (b, u) = (take(&mut bounded, k, rule, now).is_ok(), take(&mut unbounded, k, rule, now).is_ok());
            if lost_give_back.contains(&k) {
                proptest::prop_assert!(u || !b, "key {} granted past its allowance", k);
            } else {
                proptest::prop_assert_eq!(b, u, "key {}", k);
            }
            proptest::prop_assert!(bounded.len() <= 4);
        }
    }

    /// With 40 keys crowding into 8 cells a row, a key the table forgot may come
    /// back with less than it spent (its record pushed out), never with more: it
    /// is refused only when the attempts it was granted itself have spent its
    /// allowance (give or take the second its record is rounded up to).
    #[test]
    fn a_key_never_starts_with_attempts_another_key_spent(
        ops in proptest::collection::vec((0u64..40, 0u64..4_000), 1..400)
    ) {
        let rule = Rule::new(3, Duration::from_secs(30));
        let (interval, tolerance) = (10_000, 30_000);
        let mut bounded = Table::new(4);
        // Each key's own state, from the attempts the bounded table granted it.
        let mut own = std::collections::HashMap::new();
        let mut now = 0;
        for (k, dt) in ops {
            now += dt;
            let tat: &mut u64 = own.entry(k).or_default();
            let next = (*tat).max(now) + interval;
            if take_key(&mut bounded, crowded(k), rule, now).is_ok() {
                *tat = next;
            } else {
                proptest::prop_assert!(next - now + 1_000 > tolerance, "key {} refused with attempts of its own left", k);
            }
        }
    }
}
