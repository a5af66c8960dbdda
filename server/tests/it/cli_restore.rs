//! `lookout restore`, run as a real process: beside a server (refused, and a
//! server refused beside a restore), over the log a killed server left with
//! an order taken and another erased since the backup, several restores at
//! once, erasures matched by shop and number, a backup of another page size.
//! SQLite only: they make their own files, so the PostgreSQL run skips them.

use super::cli::{lookout, stderr, stdout};
use super::cli_backup::{demo_db, exec, names_in, scalar, skipped, url_of, LOOKED_UP};
use crate::common;

use common::{lookout_command, ServerProcess};

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
    let names = names_in(dir.path());
    assert!(
        !names.iter().any(|n| n.contains("replaced") || n.starts_with('.')),
        "{names:?}"
    );
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
        said.contains("must sign in again") && said.contains("revoke again"),
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
        said.contains("Erased again, as they were erased after the backup was made: demo #1002"),
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
    assert_eq!(server.lookup("demo", "ada@example.com", "#1001").await, 200);
    assert_eq!(server.lookup("demo", "bjorn@example.com", "#1002").await, 404);
    assert_eq!(server.lookup("demo", "late@example.com", "LATE1").await, 404);
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
    let header = std::fs::read(&db).unwrap();
    assert_eq!(
        header[18..20],
        [2, 2],
        "in write-ahead logging again, before any server opens it"
    );
    assert_eq!(scalar(&db, "PRAGMA page_size").await, 8192);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM orders").await, 15);
    let names = names_in(dir.path());
    assert!(
        !names.iter().any(|n| n.ends_with("-journal") || n.starts_with('.')),
        "nothing left beside it: {names:?}"
    );
    let server = ServerProcess::start(lookout_command(&url), &[]);
    assert_eq!(server.lookup("demo", "ada@example.com", "#1001").await, 200);
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
