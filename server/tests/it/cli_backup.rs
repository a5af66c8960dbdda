//! `lookout backup` and `lookout restore` on SQLite files, run as real
//! processes: a backup made while another process writes orders as fast as
//! it can, what it holds (never an order erased before it), what is refused
//! (and left as it was), a restore beside a server that has the database
//! open, over the log a killed server left, and several restores at once.
//! SQLite only: they make their own files, so the PostgreSQL run skips them.

use super::cli::{lookout, stderr, stdout};
use crate::common;

use common::{lookout_command, ServerProcess};
use std::path::Path;

/// The database URL of a file, its path percent-encoded (a URL's `?` starts its options).
fn url_of(path: &Path) -> String {
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
fn demo_db() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = url_of(&dir.path().join("lookout.db"));
    let out = lookout(&url, &["demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    (dir, url)
}

/// One number from a SQLite file, read without writing to it.
async fn scalar(path: &Path, query: &str) -> i64 {
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
async fn exec(path: &Path, sql: &str) {
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

fn order(number: &str, email: &str) -> app::order::ValidOrder {
    let body = common::order_of(number, email, 1).to_string();
    app::order::parse_order(body.as_bytes()).expect("a valid order")
}

/// Orders with their lookup row (which a shopper's lookup reads).
const LOOKED_UP: &str = "SELECT COUNT(*) FROM orders o JOIN order_lookups l \
                         ON l.id = o.lookup_id AND l.shop_id = o.shop_id AND l.number_key = o.number_key";

fn skipped() -> bool {
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
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
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
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.contains("replaced") || n.contains("partial")),
        "{names:?}"
    );
}

#[tokio::test]
async fn a_restore_is_refused_while_a_server_runs_and_a_server_while_a_restore_does() {
    if skipped() {
        return;
    }
    let (dir, url) = demo_db();
    let backup = dir.path().join("backup.db");
    assert!(lookout(&url, &["backup", backup.to_str().unwrap()]).status.success());
    let server = ServerProcess::start(lookout_command(&url), &[]);
    let started = std::time::Instant::now();
    let out = lookout(&url, &["restore", backup.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is in use"), "{}", stderr(&out));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "refused, not waited"
    );
    let ready = reqwest::get(format!("{}/readyz", server.base)).await.unwrap();
    assert_eq!(ready.status(), 200, "the server goes on");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("replaced")), "{names:?}");
    drop(server);
    // A server holds the file's lock as long as it runs, its connections idle and closed or not.
    let held = std::fs::File::open(dir.path().join("lookout.db")).unwrap();
    held.lock_shared().unwrap();
    let out = lookout(&url, &["restore", backup.to_str().unwrap()]);
    assert!(stderr(&out).contains("is in use"), "{}", stderr(&out));
    drop(held);
    let server = ServerProcess::start(lookout_command(&url), &[]);
    // The server holds the file's lock while it runs, whatever its connections
    // do (a restore takes it whole first).
    let db = std::fs::File::open(dir.path().join("lookout.db")).unwrap();
    assert!(matches!(db.try_lock(), Err(std::fs::TryLockError::WouldBlock)));
    drop(server);
    // And a server started while a restore holds it stops at once, saying so.
    db.try_lock().expect("the lock, once no server runs");
    let mut starting = lookout_command(&url)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let end = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        match starting.try_wait().unwrap() {
            Some(status) => break status,
            None if std::time::Instant::now() > end => {
                let _ = starting.kill();
                panic!("the server started beside a restore");
            }
            None => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    };
    let mut said = String::new();
    std::io::Read::read_to_string(&mut starting.stderr.take().unwrap(), &mut said).unwrap();
    assert!(!status.success());
    assert!(said.contains("is being restored (lookout restore)"), "{said}");
}

#[tokio::test]
async fn a_restore_puts_the_backup_back_over_a_killed_servers_log_and_keeps_what_was_there() {
    if skipped() {
        return;
    }
    // In a folder whose name a URL must encode: the restore's copy is opened by its URL.
    let top = tempfile::tempdir().unwrap();
    let dir = top.path().join("odd ?name %41#");
    std::fs::create_dir(&dir).unwrap();
    let url = url_of(&dir.join("lookout.db"));
    assert!(lookout(&url, &["demo"]).status.success());
    let db = dir.as_path().join("lookout.db");
    // A session and a password link in the backup, which must not work after it.
    let made = lookout(&url, &["user", "create", "owner@example.com", "--shop", "demo"]);
    assert!(made.status.success(), "{}", stderr(&made));
    let sql = "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) \
               SELECT 'h', id, 'c', '2026-01-01T00:00:00Z', '2999-01-01T00:00:00Z' FROM users LIMIT 1; \
               INSERT INTO password_links (token_hash, user_id, expires_at) \
               SELECT 't', id, '2999-01-01T00:00:00Z' FROM users LIMIT 1;";
    exec(&db, sql).await;
    let backup = dir.as_path().join("backup.db");
    assert!(lookout(&url, &["backup", backup.to_str().unwrap()]).status.success());
    assert_eq!(scalar(&backup, "SELECT COUNT(*) FROM sessions").await, 1);
    // An order written after the backup by a server then killed: its log stays beside the file.
    let key = stdout(&lookout(&url, &["key", "create", "demo"]))
        .lines()
        .last()
        .unwrap()
        .to_string();
    let mut server = ServerProcess::start(lookout_command(&url), &[]);
    let client = reqwest::Client::new();
    let late = common::order_of("LATE1", "late@example.com", 1);
    let put = client
        .put(format!("{}/api/v1/shops/demo/orders/LATE1", server.base))
        .bearer_auth(&key)
        .json(&late)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 201);
    // And an order erased after the backup, which the backup brings back.
    let erased = client
        .delete(format!("{}/api/v1/shops/demo/orders/%231002", server.base))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 204);
    let _ = server.child.kill();
    let _ = server.child.wait();
    let wal = dir.as_path().join("lookout.db-wal");
    assert!(wal.exists() && std::fs::metadata(&wal).unwrap().len() > 0, "a log left");

    let out = lookout(&url, &["restore", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("Restored") && said.contains("14 orders") && said.contains("checked"),
        "{said}"
    );
    assert_eq!(
        std::fs::metadata(&wal).map_or(0, |m| m.len()),
        0,
        "the log moved into the file"
    );
    assert!(
        said.contains("signs in again") && said.contains("revoke again"),
        "{said}"
    );
    let kept: Vec<_> = std::fs::read_dir(dir.as_path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("lookout.db.replaced-")
        })
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(said.contains(&kept[0].display().to_string()), "{said}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&kept[0]).unwrap().permissions().mode() & 0o777, 0o600);
    let late_rows = "SELECT COUNT(*) FROM orders WHERE number_key = 'late1'";
    assert_eq!(
        scalar(&kept[0], late_rows).await,
        1,
        "the database as it was, with the late order"
    );
    assert_eq!(scalar(&kept[0], "SELECT COUNT(*) FROM sessions").await, 1);
    assert_eq!(scalar(&db, late_rows).await, 0, "the backup's orders, not the log's");
    assert!(
        said.contains("Erased again, as they were erased after the backup was made: demo 1002"),
        "{said}"
    );
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM orders").await,
        14,
        "the backup's 15 but #1002"
    );
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM orders WHERE number_key = '1002'").await,
        0
    );
    let recorded =
        "SELECT COUNT(*) FROM shop_changes WHERE what = 'erased' AND subject = '1002' AND by_kind = 'operator'";
    assert_eq!(scalar(&db, recorded).await, 1, "the erasure again, on the Changes page");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM sessions").await, 0, "signed out");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM password_links").await, 0);
    // A server on the restored database answers from it.
    let server = ServerProcess::start(lookout_command(&url), &[]);
    let lookup = |number: &'static str, email: &'static str| {
        client
            .post(format!("{}/api/v1/shops/demo/lookup", server.base))
            .json(&serde_json::json!({"email": email, "order_number": number}))
            .send()
    };
    assert_eq!(lookup("#1001", "ada@example.com").await.unwrap().status(), 200);
    assert_eq!(lookup("#1002", "bjorn@example.com").await.unwrap().status(), 404);
    assert_eq!(lookup("LATE1", "late@example.com").await.unwrap().status(), 404);
}

#[tokio::test]
async fn restores_at_once_take_turns_and_leave_the_backup_whole() {
    if skipped() {
        return;
    }
    let (dir, url) = demo_db();
    let backup = dir.path().join("backup.db");
    assert!(lookout(&url, &["backup", backup.to_str().unwrap()]).status.success());
    // 20 more orders, written by another process (which then ends).
    let more = lookout(&url, &["demo", "--orders", "20"]);
    assert!(more.status.success(), "{}", stderr(&more));
    let runs: Vec<_> = (0..8)
        .map(|_| {
            let (url, backup) = (url.clone(), backup.clone());
            std::thread::spawn(move || lookout(&url, &["restore", backup.to_str().unwrap()]))
        })
        .collect();
    let outs: Vec<_> = runs.into_iter().map(|run| run.join().unwrap()).collect();
    let done = outs.iter().filter(|o| o.status.success()).count();
    for out in outs.iter().filter(|o| !o.status.success()) {
        assert!(stderr(out).contains("is in use"), "{}", stderr(out));
    }
    assert!(done >= 1, "one at least");
    let kept = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains(".replaced-"))
        .count();
    assert_eq!(kept, done, "each restore done kept what it replaced, and no other did");
    let db = dir.path().join("lookout.db");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM orders").await, 15);
    assert_eq!(scalar(&db, LOOKED_UP).await, 15);
}

/// Erasures are matched by shop and number, never by a row's id: a backup
/// of another database whose shop has the id of a shop here that erased an
/// order of that number gets nothing erased.
#[tokio::test]
async fn only_the_orders_erased_since_are_erased_again_matched_by_shop_and_number() {
    if skipped() {
        return;
    }
    let (other_dir, other_url) = demo_db();
    let backup = other_dir.path().join("backup.db");
    assert!(lookout(&other_url, &["backup", backup.to_str().unwrap()])
        .status
        .success());
    let dir = tempfile::tempdir().unwrap();
    let url = url_of(&dir.path().join("lookout.db"));
    // Here the first shop is acme, and it erased its #1002.
    let made = lookout(&url, &["shop", "create", "acme", "--name", "Acme"]);
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(lookout(&url, &["demo"]).status.success());
    let key = stdout(&lookout(&url, &["key", "create", "acme"]))
        .lines()
        .last()
        .unwrap()
        .to_string();
    let server = ServerProcess::start(lookout_command(&url), &[]);
    let client = reqwest::Client::new();
    let at = format!("{}/api/v1/shops/acme/orders/1002", server.base);
    let put = client
        .put(&at)
        .bearer_auth(&key)
        .json(&common::order_of("1002", "a@example.com", 1));
    assert_eq!(put.send().await.unwrap().status(), 201);
    assert_eq!(client.delete(&at).bearer_auth(&key).send().await.unwrap().status(), 204);
    drop(server);
    let out = lookout(&url, &["restore", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("Erased again"), "{}", stdout(&out));
    let db = dir.path().join("lookout.db");
    let kept = "SELECT COUNT(*) FROM orders WHERE number_key = '1002'";
    assert_eq!(scalar(&db, kept).await, 1, "demo's #1002 stays");
}

/// A backup whose pages are of another size than the database's is restored
/// all the same (outside write-ahead logging, taken up again after).
#[tokio::test]
async fn a_backup_of_another_page_size_is_restored() {
    if skipped() {
        return;
    }
    let (dir, url) = demo_db();
    let backup = dir.path().join("backup.db");
    assert!(lookout(&url, &["backup", backup.to_str().unwrap()]).status.success());
    exec(&backup, "PRAGMA page_size = 8192; VACUUM;").await;
    assert_eq!(scalar(&backup, "PRAGMA page_size").await, 8192);
    let more = lookout(&url, &["demo", "--orders", "5"]);
    assert!(more.status.success(), "{}", stderr(&more));
    let out = lookout(&url, &["restore", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let db = dir.path().join("lookout.db");
    assert_eq!(scalar(&db, "PRAGMA page_size").await, 8192);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM orders").await, 15);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.ends_with("-journal") || n.starts_with('.')),
        "nothing left beside it: {names:?}"
    );
    let server = ServerProcess::start(lookout_command(&url), &[]);
    let found = reqwest::Client::new()
        .post(format!("{}/api/v1/shops/demo/lookup", server.base))
        .json(&serde_json::json!({"email": "ada@example.com", "order_number": "#1001"}))
        .send()
        .await
        .unwrap();
    assert_eq!(found.status(), 200);
    drop(server);
    let mode: String = {
        use sqlx::{ConnectOptions, Connection};
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&db)
            .connect()
            .await
            .unwrap();
        let mode = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        mode
    };
    assert_eq!(mode, "wal", "write-ahead logging taken up again");
}
