//! The `lookout` command line, run as a real process against a fresh database.

use crate::common;

use common::TestDb;
use std::process::{Command, Output};

pub(crate) fn lookout(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lookout"))
        .args(args)
        .env("LOOKOUT_DATABASE_URL", db)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run lookout")
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub(crate) fn temp_db() -> (TestDb, String) {
    let db = TestDb::new();
    let url = db.url.clone();
    (db, url)
}

#[test]
fn shop_create_prints_the_webhook_secret_once_and_key_create_prints_a_key() {
    let (_dir, db) = temp_db();
    let out = lookout(
        &db,
        &[
            "shop",
            "create",
            "nordlys",
            "--name",
            "Nordlys",
            "--allowed-origin",
            "https://nordlys.example",
            "--locale",
            "nb",
            "--accent",
            "#0A7C59",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Webhook secret"));

    let out = lookout(&db, &["key", "create", "nordlys"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let key = stdout(&out).lines().last().unwrap().to_string();
    assert!(key.starts_with("lk_") && key.len() == 3 + 16 + 1 + 64, "{key}");
}

#[test]
fn bad_settings_are_refused_with_a_clear_message_and_change_nothing() {
    let (_dir, db) = temp_db();
    for (args, needle) in [
        (vec!["shop", "create", "Bad Slug", "--name", "x"], "invalid shop slug"),
        (
            vec!["shop", "create", "ok", "--name", "x", "--locale", "fi"],
            "unsupported locale",
        ),
        (
            vec!["shop", "create", "ok", "--name", "x", "--accent", "red"],
            "invalid accent",
        ),
        (
            vec![
                "shop",
                "create",
                "ok",
                "--name",
                "x",
                "--allowed-origin",
                "shop.example",
            ],
            "invalid allowed origin",
        ),
        (vec!["key", "create", "missing"], "no shop with the slug"),
    ] {
        let out = lookout(&db, &args);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"));
    }
    // The refused `ok` shop was never created: creating it now works.
    assert!(lookout(&db, &["shop", "create", "ok", "--name", "x"]).status.success());
    let again = lookout(&db, &["shop", "create", "ok", "--name", "x"]);
    assert!(stderr(&again).contains("already exists"));
}

/// A command's writes are in the SQLite file itself when it ends, not left in
/// its write-ahead log: a plain copy of the file holds them.
#[tokio::test]
async fn a_command_leaves_what_it_wrote_in_the_sqlite_file_itself() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cli.db");
    let url = format!("sqlite://{}", file.display());
    for args in [&["demo"][..], &["shop", "create", "--name", "Copied", "copied"]] {
        let out = lookout(&url, args);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let wal = std::fs::metadata(dir.path().join("cli.db-wal")).map_or(0, |m| m.len());
    assert_eq!(wal, 0, "the log is moved into the file");
    let copy = dir.path().join("copy.db");
    std::fs::copy(&file, &copy).unwrap();
    let store = app::store::Store::connect(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    for slug in ["demo", "copied"] {
        assert!(store.shop(slug).await.unwrap().is_some(), "{slug} in the copy");
    }
}

/// A reader of the output gone away (`lookout demo | head -1`) ends the
/// command quietly, as it does other tools, not with a panic; what the
/// command wrote before is kept, in the file itself.
#[tokio::test]
async fn a_closed_output_ends_a_command_quietly_and_keeps_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("piped.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_lookout"))
        .args(["demo"])
        .env("LOOKOUT_DATABASE_URL", format!("sqlite://{}", file.display()))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes before the first line is written (the database is made first).
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "nothing said, no panic: {}", stderr(&out));
    let copy = dir.path().join("copy.db");
    std::fs::copy(&file, &copy).unwrap();
    let store = app::store::Store::connect(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    assert!(store.shop("demo").await.unwrap().is_some(), "the shop is in the file");
}

#[test]
fn an_unusable_database_url_is_a_clear_fatal_error() {
    let out = lookout("postgres://nowhere", &["migrate"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("cannot open the database"), "{}", stderr(&out));
    // A password in the URL is never printed, in the user part or the query.
    for url in [
        "postgres://lookout:hunter2@127.0.0.1:1/lookout",
        "postgres://lookout@127.0.0.1:1/lookout?password=hunter2",
        "mysql://lookout:hunter2@127.0.0.1:1/lookout",
    ] {
        let out = lookout(url, &["migrate"]);
        assert!(!out.status.success());
        let said = format!("{}{}", stdout(&out), stderr(&out));
        assert!(said.contains("***") && !said.contains("hunter2"), "{said}");
    }
    // Why the server could not be reached, not only that the pool waited.
    let out = lookout("postgres://lookout@127.0.0.1:1/lookout", &["migrate"]);
    assert!(stderr(&out).contains("refused"), "{}", stderr(&out));
    let out = lookout("sqlite:///nonexistent-dir/x/y.db", &["migrate"]);
    assert!(!out.status.success());
    let said = stderr(&out);
    assert!(said.starts_with("error:"), "{said}");
    assert_eq!(
        said.matches("unable to open database file").count(),
        1,
        "the reason once: {said}"
    );
}

#[test]
fn shop_update_changes_settings_and_refuses_bad_ones() {
    let (_dir, db) = temp_db();
    assert!(lookout(&db, &["shop", "create", "nordlys", "--name", "Nordlys"])
        .status
        .success());
    let out = lookout(
        &db,
        &[
            "shop",
            "update",
            "nordlys",
            "--allowed-origin",
            "https://a.example",
            "--allowed-origin",
            "https://b.example",
            "--locale",
            "sv",
            "--accent",
            "#abc",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("allowed origins: https://a.example https://b.example"),
        "{text}"
    );
    assert!(text.contains("locale: sv") && text.contains("accent: #abc"));

    let out = lookout(
        &db,
        &["shop", "update", "nordlys", "--clear-allowed-origins", "--clear-accent"],
    );
    assert!(stdout(&out).contains("(none: the widget cannot be framed)"));
    assert!(stdout(&out).contains("accent: (default)"));

    let long_name = "N".repeat(101);
    let origins: Vec<String> = (0..21).map(|i| format!("https://s{i}.example")).collect();
    let mut too_many = vec!["shop", "update", "nordlys"];
    for origin in &origins {
        too_many.extend(["--allowed-origin", origin.as_str()]);
    }
    for (args, needle) in [
        (vec!["shop", "update", "nordlys", "--accent", "blue"], "invalid accent"),
        (
            vec!["shop", "update", "nordlys", "--allowed-origin", "nordlys.example"],
            "invalid allowed origin",
        ),
        (
            vec!["shop", "update", "ghost", "--locale", "de"],
            "no shop with the slug",
        ),
        // Held to what the console's settings form accepts.
        (
            vec!["shop", "update", "nordlys", "--name", &long_name],
            "--name: a shop's name has at most 100 characters",
        ),
        (
            vec!["shop", "update", "nordlys", "--name", "Nord\nlys"],
            "--name: a shop's name has no control characters",
        ),
        (
            vec!["shop", "create", "other", "--name", " "],
            "--name: a shop's name must not be empty",
        ),
        (too_many.clone(), "at most 20 allowed origins"),
    ] {
        let out = lookout(&db, &args);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
    }
    // None of them changed anything.
    let out = lookout(&db, &["shop", "update", "nordlys", "--locale", "sv"]);
    let text = stdout(&out);
    assert!(
        text.contains("Nordlys") && text.contains("(none: the widget cannot be framed)"),
        "{text}"
    );
}

#[test]
fn embed_snippet_prints_a_tag_with_integrity() {
    let (_dir, db) = temp_db();
    // No database there: said, and none made.
    if db.starts_with("sqlite:") {
        let missing = format!("{db}-missing.db");
        let out = lookout(&missing, &["embed", "snippet", "demo"]);
        assert!(
            !out.status.success() && stderr(&out).contains("no database at"),
            "{}",
            stderr(&out)
        );
        let file = missing.trim_start_matches("sqlite://");
        assert!(!std::path::Path::new(file).exists(), "no file made at {file}");
    }
    // No such shop: no tag (it would link shoppers to "Page not found").
    assert!(lookout(&db, &["migrate"]).status.success());
    let out = lookout(&db, &["embed", "snippet", "demo"]);
    assert!(!out.status.success() && stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("no shop with the slug \"demo\""),
        "{}",
        stderr(&out)
    );
    assert!(lookout(&db, &["shop", "create", "demo", "--name", "Demo"])
        .status
        .success());
    let out = lookout(
        &db,
        &["embed", "snippet", "demo", "--base-url", "https://track.example"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let tag = stdout(&out);
    assert!(
        tag.starts_with(
            r#"<a href="https://track.example/track/demo" lang="en" data-lookout-link>Track your order</a>"#
        ),
        "{tag}"
    );
    assert!(tag.contains(r#"<script src="https://track.example/embed.js" data-shop="demo" integrity="sha384-"#));
    assert!(tag.contains(r#"crossorigin="anonymous" async></script>"#));
    let out = lookout(&db, &["embed", "snippet", "demo", "--locale", "sv"]);
    assert!(
        stdout(&out).contains(r#"lang="sv" data-lookout-link>Spåra din beställning</a>"#),
        "{}",
        stdout(&out)
    );
    // Without --locale, the shop's language; an address that is not one is refused.
    assert!(lookout(
        &db,
        &["shop", "create", "nordlys", "--name", "Nordlys", "--locale", "nb"]
    )
    .status
    .success());
    let out = lookout(&db, &["embed", "snippet", "nordlys"]);
    assert!(stdout(&out).contains(">Spor bestillingen din</a>"), "{}", stdout(&out));
    let out = lookout(&db, &["embed", "snippet", "demo", "--base-url", "track.example/x"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("is not an address shoppers can reach"),
        "{}",
        stderr(&out)
    );
    let out = lookout(&db, &["embed", "snippet", "demo", "--locale", "fi"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(
            "unsupported locale \"fi\": use one of en, da, de, es, fr, it, nl, nb, pl, pt, sv, ja, zh, zh-Hant"
        ),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn what_the_command_line_changes_is_listed_as_the_operators() {
    use app::store::{What, Who};
    let (_dir, db) = temp_db();
    let run = |args: &[&str]| {
        let out = lookout(&db, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    run(&["shop", "create", "nordlys", "--name", "Nordlys"]);
    let key = run(&["key", "create", "nordlys", "--label", "ERP sync"]);
    let prefix = &key.lines().last().unwrap()[3..19];
    run(&["key", "revoke", "nordlys", prefix]);
    run(&["shop", "update", "nordlys", "--name", "Nordlys AS", "--locale", "nb"]);
    run(&["shop", "rotate-secret", "nordlys"]);
    run(&["user", "create", "owner@nordlys.example", "--shop", "nordlys"]);
    run(&[
        "user",
        "create",
        "help@nordlys.example",
        "--shop",
        "nordlys",
        "--role",
        "staff",
    ]);
    run(&["user", "remove", "help@nordlys.example", "--shop", "nordlys"]);
    run(&[
        "user",
        "create",
        "gone@nordlys.example",
        "--shop",
        "nordlys",
        "--role",
        "staff",
    ]);
    run(&["user", "remove", "gone@nordlys.example"]);

    let store = app::store::Store::connect(&db).await.unwrap();
    let shop = store.shop("nordlys").await.unwrap().unwrap();
    let (changes, _) = store.changes(shop.id, 1).await.unwrap();
    assert!(changes.iter().all(|c| c.by == Who::Operator), "{changes:?}");
    let listed: Vec<(What, Option<&str>, Option<&str>)> = changes
        .iter()
        .map(|c| (c.what, c.subject.as_deref(), c.detail.as_deref()))
        .collect();
    assert_eq!(
        listed,
        [
            (What::Deleted, Some("gone@nordlys.example"), None),
            (What::Added, Some("gone@nordlys.example"), Some("staff")),
            (What::Removed, Some("help@nordlys.example"), None),
            (What::Added, Some("help@nordlys.example"), Some("staff")),
            (What::Added, Some("owner@nordlys.example"), Some("owner")),
            (What::SecretMade, None, None),
            (What::Settings, None, Some("name,locale")),
            (What::KeyRevoked, Some(prefix), None),
            (What::KeyMade, Some(prefix), Some("ERP sync")),
        ]
    );
    store.close().await;
}
