//! Starts the real application on 127.0.0.1:0 with a fresh database: a SQLite
//! file by default, or, when `LOOKOUT_TEST_POSTGRES` names a PostgreSQL server
//! (`scripts/test.sh` starts one), a new database on it for every test.
#![allow(dead_code)]

pub mod burst;
pub mod console;
pub mod links;
pub mod own_postgres;
pub mod process;
pub mod settings;
pub mod shopify;
pub mod smtp;

pub use process::{lookout_command, lookout_ok, ServerProcess};

use app::store::{NewShop, Store};
use serde_json::Value;
use server::{app, cli, AppState};
use std::net::SocketAddr;

pub const EXAMPLE: &str = include_str!("../../../fixtures/order-1001.json");

/// A fresh, empty database for one test; a SQLite file goes with `_dir`.
pub struct TestDb {
    pub url: String,
    _dir: tempfile::TempDir,
}

/// The PostgreSQL server the tests run against, if any.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("LOOKOUT_TEST_POSTGRES").ok().filter(|u| !u.is_empty())
}

impl TestDb {
    /// Creates the database (callable from sync and async tests alike).
    pub fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match postgres_admin_url() {
            Some(admin) => std::thread::spawn(move || {
                tokio::runtime::Runtime::new()
                    .expect("runtime")
                    .block_on(create_postgres_database(&admin))
            })
            .join()
            .expect("create a test database"),
            None => format!("sqlite://{}", dir.path().join("lookout.db").display()),
        };
        TestDb { url, _dir: dir }
    }

    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }
}

async fn create_postgres_database(admin: &str) -> String {
    use sqlx::Connection;
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("lookout_test_{}_{n}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .expect("connect to the test PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    let (base, _) = admin.rsplit_once('/').expect("an admin URL ending in /DATABASE");
    format!("{base}/{name}")
}

/// The stand-in site's "brotli" copy of its stylesheet.
pub const STAND_IN_BROTLI: &[u8] = b"stand-in brotli bytes";

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Store,
    /// The server's limits (read directly: `/metrics` reports the gauges of
    /// whichever app of this test process answered it last).
    pub limits: std::sync::Arc<app::limits::LookupLimits>,
    /// An API key for the shop `alpha`.
    pub alpha_key: String,
    /// An API key for the shop `beta`.
    pub beta_key: String,
    pub db: TestDb,
    /// The known-browser cookie (`name=value`) each account's password link
    /// left in the browser that used it ([`console::account`]), which
    /// [`console::sign_in`] sends again: the same person signing in again.
    pub known: std::sync::Mutex<std::collections::HashMap<String, String>>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// Spawns the app with two shops, `alpha` and `beta`, each with a key.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(app::limits::LimitSettings::default()).await
    }

    /// Spawns the app with these lookup limits.
    pub async fn spawn_with(limits: app::limits::LimitSettings) -> TestApp {
        Self::spawn_configured(|state| state.with_limits(limits)).await
    }

    /// Spawns the app with its state changed by `configure`.
    pub async fn spawn_configured(configure: impl FnOnce(AppState) -> AppState) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = TestDb::new();
        let store = Store::connect(&db.url).await.expect("open store");
        store.migrate().await.expect("migrate");
        for slug in ["alpha", "beta"] {
            store
                .create_shop(&NewShop {
                    slug: slug.into(),
                    name: format!("{slug} store"),
                    locale: "en".into(),
                    accent: None,
                    allowed_origins: vec![],
                    webhook_secret: "secret".into(),
                })
                .await
                .expect("create shop");
        }
        let alpha_key = cli::create_key(&store, "alpha", "tests").await.expect("key");
        let beta_key = cli::create_key(&store, "beta", "tests").await.expect("key");

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        // A stand-in for the built site: one stylesheet under pkg/.
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("pkg")).expect("site dir");
        std::fs::write(site.join("pkg/lookout.css"), "body{color:#111}").expect("site file");
        // Its brotli copy, as `cargo leptos build --precompress` leaves one (any bytes do:
        // the server sends them as they are).
        std::fs::write(site.join("pkg/lookout.css.br"), STAND_IN_BROTLI).expect("site file");
        let state = configure(AppState::new(cli::leptos_options(addr, &site), store.clone()));
        // No cap on connections per client: one loopback address plays every
        // client of these tests, whose bursts open up to 300 connections at once
        // (as in the benchmarks). The cap is tested against `lookout serve`
        // (timeouts.rs) and in `peers`.
        let peer_rules = server::peers::PeerRules {
            per_client: 0,
            per_site: 0,
            proxies: state.limits.settings().proxies.clone(),
        };
        let limits = state.limits.clone();
        tokio::spawn(server::serve::run(
            listener,
            app(state),
            server::serve::Times::default(),
            peer_rules,
            std::future::pending(),
        ));
        TestApp {
            base: format!("http://{addr}"),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            store,
            limits,
            alpha_key,
            beta_key,
            db,
            known: Default::default(),
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The served OpenAPI document.
    pub async fn openapi(&self) -> serde_json::Value {
        let res = self
            .client
            .get(self.url("/api/v1/openapi.json"))
            .send()
            .await
            .expect("answered");
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/json");
        res.json().await.expect("the document is JSON")
    }

    /// PUTs an order body for a shop with a key.
    pub async fn put(&self, shop: &str, number: &str, key: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.client
            .put(self.url(&format!("/api/v1/shops/{shop}/orders/{}", encode(number))))
            .bearer_auth(key)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("put")
    }

    /// Turns the shop's links by email on or off through the REST API (`PATCH`
    /// of its settings) with a key.
    pub async fn email_links(&self, shop: &str, key: &str, on: bool) -> reqwest::Response {
        self.client
            .patch(self.url(&format!("/api/v1/shops/{shop}/settings")))
            .bearer_auth(key)
            .json(&serde_json::json!({ "email_links": on }))
            .send()
            .await
            .expect("patch settings")
    }

    /// A pool on the test's database, to see (or age) what is stored directly.
    pub async fn sql(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.db.url).await.unwrap()
    }

    /// The number a query on the test's database answers (a count).
    pub async fn count(&self, query: &str) -> i64 {
        sqlx::query_scalar(query).fetch_one(&self.sql().await).await.unwrap()
    }

    /// Runs a statement on the test's database.
    pub async fn exec(&self, statement: &str) {
        sqlx::query(statement).execute(&self.sql().await).await.unwrap();
    }

    /// Looks an order up through the REST API.
    pub async fn lookup(&self, shop: &str, email: &str, number: &str) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/v1/shops/{shop}/lookup")))
            .json(&serde_json::json!({"email": email, "order_number": number}))
            .send()
            .await
            .expect("lookup")
    }
}

/// A sender through the SMTP server at `smtp_url` (retries after 1 s), links
/// made from `http://lookout.test`; not running until spawned.
pub fn mailer(smtp_url: &str) -> std::sync::Arc<server::mail::Mailer> {
    std::sync::Arc::new(
        server::mail::Mailer::new(&server::mail::MailSettings {
            smtp_url: smtp_url.to_string(),
            from: "orders@lookout.test".into(),
            public_url: "http://lookout.test".into(),
            retry_after: std::time::Duration::from_secs(1),
        })
        .expect("mail settings"),
    )
}

impl TestApp {
    /// Spawns the app sending order links through the SMTP server at `smtp_url`
    /// (retries after 1 s), with its sender running.
    pub async fn spawn_with_mail(smtp_url: &str) -> TestApp {
        Self::spawn_configured_with_mail(smtp_url, |_| {}).await
    }

    /// The same, with the limits changed by `adjust`.
    pub async fn spawn_configured_with_mail(
        smtp_url: &str,
        adjust: impl FnOnce(&mut app::limits::LimitSettings),
    ) -> TestApp {
        let mut limits = app::limits::LimitSettings::default();
        adjust(&mut limits);
        let mailer = mailer(smtp_url);
        Self::spawn_configured(move |state| {
            mailer.clone().spawn(state.store.clone());
            state.with_limits(limits).with_mail(mailer)
        })
        .await
    }

    /// Calls the page's lookup server function (`POST /api/track`), as the hydrated page does.
    pub async fn track_fn(&self, shop: &str, email: &str, number: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/track"))
            .header("accept", "application/json")
            .form(&[("shop", shop), ("email", email), ("order_number", number)])
            .send()
            .await
            .expect("server function")
    }

    /// Calls the older page's server function that answers a found order as
    /// HTML (`/api/track-html`) in `locale`.
    pub async fn track_html(&self, shop: &str, email: &str, number: &str, locale: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/track-html"))
            .header("accept", "application/json")
            .form(&[
                ("shop", shop),
                ("email", email),
                ("order_number", number),
                ("locale", locale),
            ])
            .send()
            .await
            .expect("server function")
    }

    /// GETs a path and returns the body as text.
    pub async fn get_text(&self, path: &str) -> String {
        let res = self.client.get(self.url(path)).send().await.expect("get");
        res.text().await.expect("body")
    }

    /// Looks an order up and returns the shopper view, failing the test on any other answer.
    pub async fn view(&self, shop: &str, email: &str, number: &str) -> Value {
        let res = self.lookup(shop, email, number).await;
        assert_eq!(res.status(), 200, "lookup of {number} in {shop}");
        res.json().await.expect("shopper view JSON")
    }

    /// The stored order as the merchant API gives it (`alpha` or `beta`, with its
    /// key), or null when there is none.
    pub async fn merchant_order(&self, shop: &str, number: &str) -> Value {
        let res = self
            .client
            .get(self.url(&format!("/api/v1/shops/{shop}/orders/{}", encode(number))))
            .bearer_auth(if shop == "alpha" {
                &self.alpha_key
            } else {
                &self.beta_key
            })
            .send()
            .await
            .expect("merchant read");
        if res.status() == 404 {
            return Value::Null;
        }
        res.json().await.expect("order JSON")
    }
}

/// The contract example as JSON.
pub fn example() -> Value {
    serde_json::from_str(EXAMPLE).expect("example parses")
}

/// The contract example as another order: `number`, placed by `email` `days_ago` days ago.
pub fn order_of(number: &str, email: &str, days_ago: i64) -> Value {
    let mut order = example();
    let placed = chrono::Utc::now() - chrono::Duration::days(days_ago);
    order["order_number"] = number.into();
    order["email"] = email.into();
    order["placed_at"] = placed.format("%Y-%m-%dT%H:%M:%SZ").to_string().into();
    order["updated_at"] = (placed + chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
        .into();
    order
}

/// Percent-encodes a path segment (enough for order numbers: `#`, spaces, `/`).
pub fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Sets a shop's allowed origins directly in the store.
pub async fn allow_origins(store: &Store, slug: &str, origins: &[&str]) {
    let update = app::store::ShopUpdate {
        allowed_origins: Some(origins.iter().map(|o| o.to_string()).collect()),
        ..Default::default()
    };
    assert!(store
        .update_shop(slug, &update, &app::store::By::Operator)
        .await
        .expect("update shop"));
}

/// Strings from the contract example that a shopper must never see.
pub const INTERNAL: &[&str] = &[
    "Staff only",
    "check fraud score",
    "vip",
    "Customer called about gift wrap",
    "Storgata 1",
    "0155",
    "Lovelace",
    "WS-GM",
    "Too small",
];

/// Fails when `text` (a page, a part of one, a JSON body) holds any of [`INTERNAL`].
pub fn assert_no_internal_data(text: &str) {
    for secret in INTERNAL {
        assert!(!text.contains(secret), "{secret:?} leaked: {text}");
    }
}

/// Lanes of people's pages (`page_lane`) for the console and the link pages
/// alike: `places` each, waiting at most `patience`.
pub fn alike_lanes(places: usize, patience: std::time::Duration) -> server::page_lane::Lanes {
    let lane = || server::page_lane::PageLane::new(places, patience);
    server::page_lane::Lanes {
        console: lane(),
        links: lane(),
    }
}
