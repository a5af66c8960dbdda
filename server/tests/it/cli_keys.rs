//! `lookout key`: keys made, listed by their prefix and revoked from the command
//! line, under the shop's cap of live keys.

use super::cli::{lookout, stderr, stdout, temp_db};

#[test]
fn keys_can_be_listed_by_prefix_and_revoked() {
    let (_dir, db) = temp_db();
    assert!(lookout(&db, &["shop", "create", "nordlys", "--name", "Nordlys"])
        .status
        .success());
    let key = stdout(&lookout(&db, &["key", "create", "nordlys", "--label", "ERP sync"]))
        .lines()
        .last()
        .unwrap()
        .to_string();
    let prefix = &key[3..19];
    let list = stdout(&lookout(&db, &["key", "list", "nordlys"]));
    assert!(
        list.contains(prefix) && list.contains("live") && list.contains("ERP sync"),
        "{list}"
    );
    let bad = lookout(&db, &["key", "create", "nordlys", "--label", "bell\u{7}"]);
    assert!(!bad.status.success() && stderr(&bad).contains("at most 60 characters"));
    assert!(!list.contains(&key[20..]), "the secret part is never shown");

    let out = lookout(&db, &["key", "revoke", "nordlys", prefix]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&lookout(&db, &["key", "list", "nordlys"])).contains("revoked"));
    let again = lookout(&db, &["key", "revoke", "nordlys", prefix]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("no live key"));
    // A key named as the console shows it, or by the whole key (a leaked one).
    for named in [|key: &str| format!("lk_{}_…", &key[3..19]), |key: &str| key.to_string()] {
        let key = stdout(&lookout(&db, &["key", "create", "nordlys"]))
            .lines()
            .last()
            .unwrap()
            .to_string();
        let out = lookout(&db, &["key", "revoke", "nordlys", &named(&key)]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains(&key[3..19]), "the prefix is named back");
    }
    // The command line is held to the shop's cap of live keys too.
    for _ in 0..app::store::LIVE_KEYS {
        assert!(lookout(&db, &["key", "create", "nordlys"]).status.success());
    }
    let full = lookout(&db, &["key", "create", "nordlys"]);
    assert!(!full.status.success());
    assert!(stderr(&full).contains("20 live keys"), "{}", stderr(&full));
}
