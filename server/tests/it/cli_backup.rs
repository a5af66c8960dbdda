//! `lookout backup` (and what `lookout restore` refuses) on SQLite files, run
//! as real processes: a backup made while another process writes orders as
//! fast as it can, what it holds (never an order erased before it), what is
//! refused (and left as it was). The helpers here serve `cli_restore` too.
//! SQLite only: they make their own files, so the PostgreSQL run skips them.

use super::cli::{lookout, stderr, stdout};
use crate::common;

use std::path::Path;

/// The database URL of a file, its path percent-encoded (a URL's `?` starts its options).
pub(crate) fn url_of(path: &Path) -> String {
    let mut url = String::from("sqlite://");
    for byte in path.to_str().unwrap().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'.' | b'_' | b'-' => url.push(char::from(byte)),
            _ => url.push_str(&format!("%{byte:02X}")),
        }
    }
    url
}

/// A folder with `lookout.db` holding the demo shop (its 15 orders, its accounts).
pub(crate) fn demo_db() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = url_of(&dir.path().join("lookout.db"));
    let out = lookout(&url, &["demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    (dir, url)
}

/// The names of the files in a folder.
pub(crate) fn names_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// One number from a SQLite file, read without writing to it.
pub(crate) async fn scalar(path: &Path, query: &str) -> i64 {
    use sqlx::{ConnectOptions, Connection};
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .expect("open");
    let n = sqlx::query_scalar(query).fetch_one(&mut conn).await.expect(query);
    conn.close().await.unwrap();
    n
}

/// Runs SQL statements on a SQLite file (made if missing), as another program would.
pub(crate) async fn exec(path: &Path, sql: &str) {
    use sqlx::{ConnectOptions, Connection};
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .connect()
        .await
        .expect("open");
    sqlx::raw_sql(sql).execute(&mut conn).await.expect(sql);
    conn.close().await.unwrap();
}

pub(crate) fn order(number: &str, email: &str) -> app::order::ValidOrder {
    let body = common::order_of(number, email, 1).to_string();
    app::order::parse_order(body.as_bytes()).expect("a valid order")
}

/// Orders with their lookup row (which a shopper's lookup reads).
pub(crate) const LOOKED_UP: &str = "SELECT COUNT(*) FROM orders o JOIN order_lookups l \
                         ON l.id = o.lookup_id AND l.shop_id = o.shop_id AND l.number_key = o.number_key";

pub(crate) fn skipped() -> bool {
    common::postgres_admin_url().is_some()
}

#[tokio::test]
async fn a_backup_made_while_orders_pour_in_is_whole_checked_and_its_owners_alone() {
    if skipped() {
        return;
    }
    let (dir, url) = demo_db();
    let store = app::store::Store::connect(&url).await.unwrap();
    let shop = store.shop("demo").await.unwrap().unwrap();
    let out = dir.path().join("backup.db");
    // 300 orders written at once by this process while the backup runs in another.
    let writes = (0..300).map(|i| {
        let store = store.clone();
        async move {
            store
                .put_order(shop.id, order(&format!("B{i}"), "burst@example.com"))
                .await
        }
    });
    let backup = {
        let (url, out) = (url.clone(), out.clone());
        tokio::task::spawn_blocking(move || lookout(&url, &["backup", out.to_str().unwrap()]))
    };
    let (written, backup) = tokio::join!(futures::future::join_all(writes), backup);
    let backup = backup.unwrap();
    assert!(backup.status.success(), "{}", stderr(&backup));
    assert!(written.iter().all(Result::is_ok), "every write went through");
    let said = stdout(&backup);
    assert!(
        said.contains("Backed up") && said.contains("1 shop, ") && said.contains("checked"),
        "{said}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "only its owner may read it");
    let names = names_in(dir.path());
    assert!(
        !names.iter().any(|n| n.contains("partial")),
        "nothing left behind: {names:?}"
    );
    // A snapshot: some of the burst or all of it, each order with its lookup row.
    let orders = scalar(&out, "SELECT COUNT(*) FROM orders").await;
    assert!((15..=315).contains(&orders), "{orders}");
    assert!(said.contains(&format!(", {orders} orders")), "{said}");
    let looked = scalar(&out, LOOKED_UP).await;
    assert_eq!(looked, orders, "every order in the backup can be looked up from it");
    assert_eq!(store.order_count(shop.id).await.unwrap(), 315);
    store.close().await;
    // A second backup to the same name is refused and the first kept.
    let before = std::fs::read(&out).unwrap();
    let again = lookout(&url, &["backup", out.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists: nothing was written over it"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read(&out).unwrap(), before);
}

#[tokio::test]
async fn a_backup_holds_nothing_of_an_order_erased_before_it() {
    if skipped() {
        return;
    }
    let (dir, url) = demo_db();
    let store = app::store::Store::connect(&url).await.unwrap();
    let shop = store.shop("demo").await.unwrap().unwrap();
    let email = "erase-me-4f7c@example.com";
    store.put_order(shop.id, order("E1", email)).await.unwrap();
    let backup = |name: &str| {
        let out = dir.path().join(name);
        let done = lookout(&url, &["backup", out.to_str().unwrap()]);
        assert!(done.status.success(), "{}", stderr(&done));
        std::fs::read(out).unwrap()
    };
    let holds = |bytes: &[u8]| bytes.windows(email.len()).any(|w| w == email.as_bytes());
    assert!(holds(&backup("before.db")), "a backup holds the order's address");
    let by = app::store::By::Operator;
    let erased = store
        .erase_order(shop.id, "e1", app::store::Guard::Nothing, &by)
        .await
        .unwrap();
    assert_eq!(erased, app::store::Erasure::Erased);
    assert!(!holds(&backup("after.db")), "nothing of the erased order");
    store.close().await;
}

#[tokio::test]
async fn what_cannot_be_backed_up_or_restored_is_refused_and_left_as_it_was() {
    if skipped() {
        return;
    }
    let (dir, url) = demo_db();
    let path = |name: &str| dir.path().join(name);
    let fails = |url: &str, args: &[&str], says: &str| {
        let out = lookout(url, args);
        assert!(!out.status.success(), "{args:?} refused");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        stderr(&out)
    };
    std::fs::write(path("taken.db"), "keep me").unwrap();
    fails(&url, &["backup", path("taken.db").to_str().unwrap()], "already exists");
    assert_eq!(std::fs::read_to_string(path("taken.db")).unwrap(), "keep me");
    fails(&url, &["backup", path("nope/b.db").to_str().unwrap()], "does not exist");
    let db = path("lookout.db");
    fails(&url, &["backup", db.to_str().unwrap()], "already exists");
    let missing = url_of(&path("missing.db"));
    fails(
        &missing,
        &["backup", path("b.db").to_str().unwrap()],
        "there is no database at",
    );
    assert!(!path("missing.db").exists(), "no database made");
    let pg = "postgres://lookout:hunter2@127.0.0.1:1/lookout";
    for command in ["backup", "restore"] {
        let said = fails(pg, &[command, path("b.db").to_str().unwrap()], "pg_dump");
        assert!(!said.contains("hunter2"), "{said}");
    }
    // Another program's file is neither backed up nor restored over.
    let other = path("other.db");
    exec(&other, "CREATE TABLE customers (x)").await;
    fails(
        &url_of(&other),
        &["backup", path("b.db").to_str().unwrap()],
        "not a Lookout database",
    );
    let good = path("good.db");
    assert!(lookout(&url, &["backup", good.to_str().unwrap()]).status.success());
    let other_before = std::fs::read(&other).unwrap();
    fails(
        &url_of(&other),
        &["restore", good.to_str().unwrap()],
        "not restored over",
    );
    assert_eq!(std::fs::read(&other).unwrap(), other_before);
    // Backups that are not: none, text, half of one, one of a newer version, the database itself.
    let orders = || scalar(&db, "SELECT COUNT(*) FROM orders");
    let before = orders().await;
    fails(
        &url,
        &["restore", path("none.db").to_str().unwrap()],
        "there is no file at",
    );
    fails(
        &url,
        &["restore", dir.path().to_str().unwrap()],
        "is not a file (a folder",
    );
    std::fs::write(path("text.db"), "SQLite? no.").unwrap();
    fails(
        &url,
        &["restore", path("text.db").to_str().unwrap()],
        "not a SQLite database",
    );
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(path("half.db"), &bytes[..bytes.len() / 2]).unwrap();
    fails(&url, &["restore", path("half.db").to_str().unwrap()], "is damaged");
    let newer = path("newer.db");
    std::fs::copy(&good, &newer).unwrap();
    let row = "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
               VALUES (99990101000000, 'from a newer version', 1, X'00', 1)";
    exec(&newer, row).await;
    fails(
        &url,
        &["restore", newer.to_str().unwrap()],
        "migrated by a newer Lookout (its migration 99990101000000",
    );
    fails(&url, &["restore", db.to_str().unwrap()], "is the database itself");
    fails(
        &missing,
        &["restore", good.to_str().unwrap()],
        "there is no database at",
    );
    assert!(!path("missing.db").exists(), "no database made");
    assert_eq!(orders().await, before);
    let names = names_in(dir.path());
    assert!(
        !names.iter().any(|n| n.contains("replaced") || n.starts_with('.')),
        "{names:?}"
    );
}
