//! Where the command line's settings come from, and what its help shows of them.

use crate::cli::stderr;
use crate::cli::stdout;
use std::process::Command;

#[test]
fn settings_come_from_flags_then_variables_then_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = |name: &str| format!("sqlite://{}", dir.path().join(name).display());
    let config = dir.path().join("lookout.toml");
    std::fs::write(
        &config,
        format!("database-url = \"{}\"\nlog-format = \"json\"\n", url("file.db")),
    )
    .unwrap();
    let migrate = |env: Option<&str>, flag: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lookout"));
        cmd.env_remove("LOOKOUT_DATABASE_URL").env("RUST_LOG", "warn");
        cmd.args(["--config", config.to_str().unwrap(), "migrate"]);
        if let Some(env) = env {
            cmd.env("LOOKOUT_DATABASE_URL", env);
        }
        if let Some(flag) = flag {
            cmd.args(["--database-url", flag]);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    assert!(migrate(None, None).contains("file.db"));
    assert!(migrate(Some(&url("env.db")), None).contains("env.db"));
    assert!(migrate(Some(&url("env.db")), Some(&url("flag.db"))).contains("flag.db"));

    // A bad value stops start-up with a message naming the setting; so does an unknown one.
    for (line, needle) in [
        ("failed-lookups-per-client = \"many\"", "--failed-lookups-per-client"),
        ("addr = \"nowhere\"", "--addr"),
        ("colour = \"red\"", "unknown setting \"colour\""),
        // Another command's flag is no setting: a file holding a webhook secret
        // or a shop's name would give it to every run of that command.
        ("secret = \"shpss_x\"", "unknown setting \"secret\""),
        ("name = \"Shop\"", "unknown setting \"name\""),
        ("base-url = \"https://x.example\"", "unknown setting \"base-url\""),
    ] {
        std::fs::write(&config, format!("database-url = \"{}\"\n{line}\n", url("file.db"))).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_lookout"))
            .env_remove("LOOKOUT_DATABASE_URL")
            .args(["serve", "--config", config.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{line}");
        assert!(stderr(&out).contains(needle), "{line}: {}", stderr(&out));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_lookout"))
        .args(["migrate", "--config", "/no/such/lookout.toml"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("cannot read the config file"), "{}", stderr(&out));
}

/// `--help` names each flag's variable, never its value: a database or SMTP URL
/// holds a password, and so does a config file's, handed over as variables.
#[test]
fn help_never_shows_a_variables_value() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("lookout.toml");
    std::fs::write(&config, "smtp-url = \"smtps://mailer:s3cretSMTP@smtp.example\"\n").unwrap();
    for args in [
        &["serve", "--help"][..],
        &["serve", "-h"],
        &["migrate", "--help"],
        &["shop", "rotate-secret", "--help"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_lookout"))
            .args(args)
            .args(["--config", config.to_str().unwrap()])
            .env(
                "LOOKOUT_DATABASE_URL",
                "postgres://lookout:s3cretDB@db.internal/lookout",
            )
            .env("LOOKOUT_WEBHOOK_SECRET", "shpss_s3cretHOOK")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let help = stdout(&out);
        assert!(
            help.contains("LOOKOUT_DATABASE_URL"),
            "{args:?}: the variable is named: {help}"
        );
        assert!(!help.contains("s3cret"), "{args:?}: {help}");
    }
}

/// A shop's settings come from its command's flags only: a variable left in
/// the environment (of a service, a shell profile) does not name or style
/// every shop made there.
#[test]
fn a_shops_settings_are_never_read_from_the_environment() {
    let (_dir, db) = super::cli::temp_db();
    let out = Command::new(env!("CARGO_BIN_EXE_lookout"))
        .args(["shop", "create", "--name", "Real", "real"])
        .env("LOOKOUT_DATABASE_URL", &db)
        .env("LOOKOUT_SHOP_NAME", "Evil")
        .env("LOOKOUT_LOCALE", "zh")
        .env("LOOKOUT_ACCENT", "#ff0000")
        .env("LOOKOUT_ALLOWED_ORIGINS", "https://evil.example")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("Real") && !said.contains("Evil"), "{said}");
    let shop = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = app::store::Store::connect(&db).await.unwrap();
        store.shop("real").await.unwrap().unwrap()
    });
    assert_eq!(
        (
            shop.name.as_str(),
            shop.locale.as_str(),
            shop.accent,
            shop.allowed_origins.len()
        ),
        ("Real", "en", None, 0)
    );
}

/// Mail settings that cannot work stop the start before the database is
/// opened (migrations may take minutes): here a database that cannot be
/// opened at all is never reached.
#[test]
fn unusable_mail_settings_stop_the_start_before_the_database() {
    for (args, needle) in [
        (
            &["--smtp-url", "smtp://127.0.0.1:1"][..],
            "--smtp-url needs --mail-from",
        ),
        (
            &["--smtp-url", "smtp://127.0.0.1:1", "--mail-from", "not an address"],
            "--mail-from is not an email address",
        ),
        (
            &["--smtp-url", "gopher://x", "--mail-from", "a@b.example"],
            "--smtp-url is not a usable SMTP URL",
        ),
        (&["--public-url", "https://x.example/path"], "--public-url must be"),
        (
            &[
                "--addr",
                "0.0.0.0:0",
                "--smtp-url",
                "smtp://127.0.0.1:1",
                "--mail-from",
                "a@b.example",
            ],
            "--public-url is needed with --smtp-url",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_lookout"))
            .args(["serve", "--database-url", "sqlite:///nonexistent-dir/x/lookout.db"])
            .args(args)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let said = stderr(&out);
        assert!(said.contains(needle), "{args:?}: {said}");
        assert!(!said.contains("cannot open the database"), "{args:?}: {said}");
    }
}

/// `user create` prints its link at `--public-url`: an address a link could
/// not be followed at is refused before the account is made.
#[tokio::test]
async fn user_create_refuses_a_public_url_no_link_could_be_followed_at() {
    use crate::cli::{lookout, temp_db};
    let (_dir, db) = temp_db();
    assert!(lookout(&db, &["shop", "create", "nordlys", "--name", "Nordlys"])
        .status
        .success());
    let create = |url: &str| {
        lookout(
            &db,
            &[
                "user",
                "create",
                "a@nordlys.example",
                "--shop",
                "nordlys",
                "--public-url",
                url,
            ],
        )
    };
    for bad in [
        "ftp://x",
        "javascript:alert(1)//",
        "notaurl",
        "https://x.example/a b?q=\"",
        "https://x.example/console",
    ] {
        let out = create(bad);
        assert_eq!(out.status.code(), Some(1), "{bad}");
        assert!(stderr(&out).contains("--public-url"), "{bad}: {}", stderr(&out));
    }
    let store = app::store::Store::connect(&db).await.unwrap();
    assert!(
        store.account("a@nordlys.example").await.unwrap().is_none(),
        "nothing made"
    );
    let out = create("https://track.example/");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("\nhttps://track.example/console/password/"),
        "{}",
        stdout(&out)
    );
    store.close().await;
}

/// A SQLite file in a folder that is not there: said of the folder, not
/// only in SQLite's words of the file.
#[test]
fn a_database_in_a_missing_folder_is_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("gone").join("lookout.db").display());
    let out = crate::cli::lookout(&url, &["migrate"]);
    assert_eq!(out.status.code(), Some(1));
    let said = stderr(&out);
    assert!(said.contains("gone does not exist: make it first"), "{said}");
}

/// Switches set by environment variables or the config file take the words
/// operators write for yes and no (`1`, `yes`, `on`; `0`, `no`, `off`), and
/// refuse others by name.
#[test]
fn switches_take_yes_and_no_in_the_usual_words() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let serve = |name: &str, value: &str| {
        Command::new(env!("CARGO_BIN_EXE_lookout"))
            .args(["serve", "--addr", &addr])
            .env("LOOKOUT_DATABASE_URL", "sqlite://unused.db")
            .env(name, value)
            .output()
            .unwrap()
    };
    for name in ["LOOKOUT_SHARED_LIMITS", "LOOKOUT_TRUST_PROXY", "LOOKOUT_SECURE_COOKIES"] {
        for value in ["1", "yes", "on", "0", "no", "off", "true", "FALSE"] {
            // Read, then stopped at the address another holds, before any database.
            let said = stderr(&serve(name, value));
            assert!(said.contains("cannot listen on"), "{name}={value}: {said}");
        }
        let out = serve(name, "maybe");
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(stderr(&out).contains("'maybe'"), "{}", stderr(&out));
    }
}

/// A database that keeps nothing, and a host name where an address is
/// wanted, are refused in words that say what to give.
#[test]
fn a_database_that_keeps_nothing_and_a_host_name_to_listen_on_are_refused() {
    for url in ["sqlite::memory:", "sqlite://", "sqlite:", "sqlite://?mode=memory"] {
        let out = crate::cli::lookout(url, &["migrate"]);
        assert_eq!(out.status.code(), Some(2), "{url}");
        assert!(
            stderr(&out).contains("names no file: give one, such as sqlite://lookout.db"),
            "{url}: {}",
            stderr(&out)
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_lookout"))
        .args(["serve", "--addr", "localhost:3000"])
        .env("LOOKOUT_DATABASE_URL", "sqlite://unused.db")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("such as 127.0.0.1:3000"), "{}", stderr(&out));
}

/// An allowance of zero and a window past a week are refused as every
/// number out of range is: exit code 2, naming the setting.
#[test]
fn allowances_and_their_window_out_of_range_are_refused_alike() {
    for (flag, value) in [
        ("--failed-lookups-per-client", "0"),
        ("--order-links-per-shop", "0"),
        ("--failed-lookup-window-secs", "0"),
        ("--failed-lookup-window-secs", "18446744073709551615"),
        ("--api-writes-per-key", "-1"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_lookout"))
            .args(["serve", &format!("{flag}={value}")])
            .env("LOOKOUT_DATABASE_URL", "sqlite://unused.db")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        assert!(stderr(&out).contains(flag), "{flag} {value}: {}", stderr(&out));
    }
}
