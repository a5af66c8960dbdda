//! `lookout import`, run as a real process: good lines written, bad ones
//! reported by number, and a file that writes nothing said so.

use super::cli::{lookout, stderr, stdout, temp_db};
use crate::common;

#[tokio::test]
async fn import_writes_good_lines_reports_bad_ones_by_number_and_fails() {
    let (db, url) = temp_db();
    assert!(lookout(&url, &["shop", "create", "nordlys", "--name", "Nordlys"])
        .status
        .success());
    let example = common::example();
    let line = |number: &str, email: &str| {
        let mut o = example.clone();
        o["order_number"] = number.into();
        o["email"] = email.into();
        o.to_string()
    };
    let jsonl = [
        line("#1", "a@example.com"),
        line("#2", "not-an-email"),
        line("#3", "c@example.com"),
        "{\"order_number\": \"#4\",".to_string(),
        line("#5", "e@example.com"),
    ]
    .join("\n");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("orders.jsonl");
    std::fs::write(&file, jsonl).unwrap();
    let out = lookout(&url, &["import", "nordlys", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stdout(&out).contains("3 accepted, 2 rejected"), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("line 2: email:"), "{err}");
    assert!(err.contains("line 4: body:"), "{err}");
    assert!(
        err.contains("2 line(s) rejected; the other 3 order(s) were written"),
        "{err}"
    );

    let csv = "order_number,email,placed_at,currency,total,line_item_title,quantity,price,carrier,tracking_number\n\
               #10,f@example.com,2026-11-02T10:15:00Z,NOK,99.00,Cap,1,99.00,PostNord,00370\n\
               #11,g@example.com,yesterday,NOK,99.00,Cap,1,99.00,,\n";
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, csv).unwrap();
    let out = lookout(&url, &["import", "nordlys", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stdout(&out).contains("1 accepted, 1 rejected"), "{}", stdout(&out));
    assert!(stderr(&out).contains("line 3: placed_at"), "{}", stderr(&out));

    let store = app::store::Store::connect(&db.url).await.unwrap();
    let shop = store.shop("nordlys").await.unwrap().unwrap();
    assert_eq!(store.order_count(shop.id).await.unwrap(), 4);
    for (number, present) in [
        ("1", true),
        ("2", false),
        ("3", true),
        ("4", false),
        ("5", true),
        ("10", true),
        ("11", false),
    ] {
        assert_eq!(
            store.order(shop.id, number).await.unwrap().is_some(),
            present,
            "#{number}"
        );
    }
    let parcel = store.order(shop.id, "10").await.unwrap().unwrap();
    assert_eq!(parcel.shipments[0].carrier.as_deref(), Some("PostNord"));

    // Everything valid: exit 0. Importing the same file again replaces, never duplicates.
    let file = dir.path().join("good.jsonl");
    std::fs::write(
        &file,
        format!("{}\n{}\n", line("#1", "a@example.com"), line("#20", "z@example.com")),
    )
    .unwrap();
    for _ in 0..2 {
        let out = lookout(&url, &["import", "nordlys", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("2 accepted, 0 rejected"), "{}", stdout(&out));
    }
    assert_eq!(store.order_count(shop.id).await.unwrap(), 5);
    let out = lookout(&url, &["import", "nope", file.to_str().unwrap()]);
    assert!(stderr(&out).contains("no shop with the slug"), "{}", stderr(&out));
}

#[tokio::test]
async fn an_import_that_writes_nothing_says_so() {
    let (db, url) = temp_db();
    assert!(lookout(&url, &["shop", "create", "nordlys", "--name", "Nordlys"])
        .status
        .success());
    let dir = tempfile::tempdir().unwrap();
    // A header with an unknown column refuses the whole file before any row is read.
    let csv = dir.path().join("orders.csv");
    std::fs::write(&csv, "order_number,email,bogus\n#1,a@b.c,x\n").unwrap();
    let out = lookout(&url, &["import", "nordlys", csv.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("line 1: unknown column \"bogus\""), "{err}");
    assert!(err.contains("the file was refused; nothing was written"), "{err}");
    assert!(!err.contains("were written"), "{err}");
    // Every line rejected: nothing written either; a line of JSON that is not an
    // object is told so in plain words, without Rust's type names.
    let jsonl = dir.path().join("orders.jsonl");
    std::fs::write(&jsonl, "\"#1\"\n{\"order_number\": \"#2\"}\n").unwrap();
    let out = lookout(&url, &["import", "nordlys", jsonl.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stdout(&out).contains("0 accepted, 2 rejected"), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("line 1: body: The body must be a JSON object"), "{err}");
    assert!(!err.contains("OrderInput"), "{err}");
    assert!(err.contains("2 line(s) rejected; nothing was written"), "{err}");
    assert!(!err.contains("were written"), "{err}");

    let store = app::store::Store::connect(&db.url).await.unwrap();
    let shop = store.shop("nordlys").await.unwrap().unwrap();
    assert_eq!(store.order_count(shop.id).await.unwrap(), 0);
}

#[tokio::test]
async fn a_pipe_is_refused_and_a_file_name_that_is_not_utf8_is_read() {
    use std::os::unix::ffi::OsStrExt;
    let (_db, url) = temp_db();
    assert!(lookout(&url, &["shop", "create", "nordlys", "--name", "Nordlys"])
        .status
        .success());
    let dir = tempfile::tempdir().unwrap();
    // A pipe would be read once and its start lost to the format's detection:
    // refused before it is opened (nothing writes to this one, so a read would hang).
    let fifo = dir.path().join("orders");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let out = lookout(&url, &["import", "nordlys", fifo.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("is not a file"), "{err}");
    assert!(
        err.contains("save what a pipe or another command gives to a file first"),
        "{err}"
    );
    let out = lookout(&url, &["import", "nordlys", "/dev/null"]);
    assert!(stderr(&out).contains("/dev/null is not a file"), "{}", stderr(&out));

    // A file name in Latin-1 ("ordres-é.jsonl"): read, not a panic over the arguments.
    let mut order = common::example();
    order["order_number"] = "#7".into();
    let name = std::ffi::OsStr::from_bytes(b"ordres-\xe9.jsonl");
    let file = dir.path().join(name);
    std::fs::write(&file, order.to_string()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lookout"))
        .args(["import".as_ref(), "nordlys".as_ref(), file.as_os_str()])
        .env("LOOKOUT_DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("1 accepted, 0 rejected"), "{}", stdout(&out));
}

#[tokio::test]
async fn a_file_with_no_orders_or_in_utf16_is_refused_and_a_directory_is_named() {
    let (_db, url) = temp_db();
    assert!(lookout(&url, &["shop", "create", "nordlys", "--name", "Nordlys"])
        .status
        .success());
    let dir = tempfile::tempdir().unwrap();
    // An export that came out empty is not a success.
    for (name, text) in [
        ("empty.jsonl", ""),
        ("header.csv", "order_number,email\r\n"),
        ("blank.jsonl", "\n\n"),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let out = lookout(&url, &["import", "nordlys", file.to_str().unwrap()]);
        assert!(!out.status.success(), "{name}");
        assert!(
            stderr(&out).contains("the file has no orders; nothing was written"),
            "{name}: {}",
            stderr(&out)
        );
    }
    // Excel's "Unicode text", whatever the file's name says.
    for name in ["orders.csv", "orders.jsonl", "orders"] {
        let file = dir.path().join(name);
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("order_number\n".bytes().flat_map(|b| [b, 0]))
            .collect();
        std::fs::write(&file, utf16).unwrap();
        let out = lookout(&url, &["import", "nordlys", file.to_str().unwrap()]);
        assert!(!out.status.success(), "{name}");
        assert!(
            stderr(&out).contains("is UTF-16 text; save it as UTF-8"),
            "{name}: {}",
            stderr(&out)
        );
    }
    // A JSON array, saved without the name saying so: read as JSON, and named as
    // not JSON Lines (it was read as CSV, its first cells "unknown columns").
    let array = dir.path().join("export");
    std::fs::write(&array, "[{\"order_number\": \"#1\"},\n {\"order_number\": \"#2\"}]\n").unwrap();
    let out = lookout(&url, &["import", "nordlys", array.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("line 1: the file is one JSON array"),
        "{}",
        stderr(&out)
    );
    let out = lookout(&url, &["import", "nordlys", dir.path().to_str().unwrap()]);
    assert!(stderr(&out).contains("is a directory"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("pipe"), "{}", stderr(&out));
}

/// Ctrl-C during an import, and SIGTERM (`docker stop`, systemd, `timeout`)
/// and SIGHUP alike: it stops between two orders, says how many orders are
/// written (as many as the database holds) and what to do, and fails (exit
/// code 1, not the signal's end).
#[tokio::test]
async fn an_interrupted_import_says_what_it_wrote() {
    let example = common::example();
    let lines: Vec<String> = (0..20_000)
        .map(|n| {
            let mut o = example.clone();
            o["order_number"] = format!("#{n}").into();
            o.to_string()
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("orders.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    for signal in ["INT", "TERM", "HUP"] {
        let (db, url) = temp_db();
        assert!(lookout(&url, &["shop", "create", "nordlys", "--name", "Nordlys"])
            .status
            .success());
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_lookout"))
            .args(["import", "nordlys", file.to_str().unwrap()])
            .env("LOOKOUT_DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let store = app::store::Store::connect(&db.url).await.unwrap();
        let shop = store.shop("nordlys").await.unwrap().unwrap();
        // Once it is writing.
        let mut waited = 0;
        while store.order_count(shop.id).await.unwrap() < 50 {
            assert!(waited < 600, "no order written in 60 s");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            waited += 1;
        }
        let pid = child.id().to_string();
        assert!(std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap()
            .success());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{signal}");
        let err = stderr(&out);
        assert!(err.contains("import stopped: interrupted;"), "{signal}: {err}");
        assert!(err.contains("Import the file again to write the rest"), "{err}");
        let said = stdout(&out);
        let accepted: i64 = said
            .split(" accepted")
            .next()
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{said}"));
        assert!(accepted > 0 && accepted < 20_000, "{signal}: {said}");
        assert_eq!(store.order_count(shop.id).await.unwrap(), accepted, "{signal}");
        assert!(
            err.contains(&format!("the {accepted} order(s) accepted are written")),
            "{err}"
        );
        store.close().await;
    }
}
