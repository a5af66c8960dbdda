//! The command line: `lookout serve | migrate | shop create | key create | demo`.

use crate::telemetry::LogFormat;
use crate::{demo, keys, settings, AppState};
use anyhow::{Context, Result};
use app::limits::{LimitSettings, LookupLimits};
use app::store::{NewShop, ShopUpdate, Store};
use clap::{Args, Parser, Subcommand};
use leptos::config::{Env, LeptosOptions};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "lookout",
    version,
    about = "Lookout: the order-status widget for online stores"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// A TOML file of settings, keyed by long flag name (see README); flags and
    /// LOOKOUT_* variables override it.
    #[arg(long, global = true, env = "LOOKOUT_CONFIG")]
    config: Option<PathBuf>,
    /// Log lines as text or as JSON objects (one per line).
    #[arg(long, global = true, env = "LOOKOUT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

/// Limits on failed lookups.
#[derive(Args, Clone)]
struct LimitArgs {
    /// Failed lookups one client address may make per window.
    #[arg(long, env = "LOOKOUT_FAILED_LOOKUPS_PER_CLIENT", default_value_t = 20)]
    failed_lookups_per_client: u32,
    /// Failed lookups against one order number of a shop per window.
    #[arg(long, env = "LOOKOUT_FAILED_LOOKUPS_PER_ORDER", default_value_t = 8)]
    failed_lookups_per_order: u32,
    /// Failed lookups against one email address of a shop per window.
    #[arg(long, env = "LOOKOUT_FAILED_LOOKUPS_PER_EMAIL", default_value_t = 8)]
    failed_lookups_per_email: u32,
    /// The window, in seconds, over which the allowances refill.
    #[arg(long, env = "LOOKOUT_FAILED_LOOKUP_WINDOW_SECS", default_value_t = 900)]
    failed_lookup_window_secs: u64,
    /// A proxy (address or CIDR, repeatable) whose X-Forwarded-For is believed:
    /// the client is the rightmost address that is not a trusted proxy.
    #[arg(long = "trusted-proxy", env = "LOOKOUT_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<String>,
    /// Believe X-Forwarded-For from the connecting peer whatever its address (one
    /// proxy in front whose address is not known); prefer --trusted-proxy.
    #[arg(long, env = "LOOKOUT_TRUST_PROXY")]
    trust_proxy: bool,
    /// Failed API-key checks one client may make per window.
    #[arg(long, env = "LOOKOUT_FAILED_AUTH_PER_CLIENT", default_value_t = 20)]
    failed_auth_per_client: u32,
    /// Keys each in-memory limiter table holds at most (about 40 bytes each).
    #[arg(long, env = "LOOKOUT_LIMITER_CAPACITY", default_value_t = app::limits::DEFAULT_CAPACITY,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000_000))]
    limiter_capacity: usize,
    /// Keep lookup allowances in the database, so that every server using it (and
    /// a restarted one) counts the same misses.
    #[arg(long, env = "LOOKOUT_SHARED_LIMITS")]
    shared_limits: bool,
}

impl LimitArgs {
    fn settings(&self) -> Result<LimitSettings> {
        for (name, value) in [
            ("--failed-lookups-per-client", self.failed_lookups_per_client),
            ("--failed-lookups-per-order", self.failed_lookups_per_order),
            ("--failed-lookups-per-email", self.failed_lookups_per_email),
            ("--failed-auth-per-client", self.failed_auth_per_client),
        ] {
            if value == 0 {
                anyhow::bail!("{name} must be at least 1");
            }
        }
        if self.failed_lookup_window_secs == 0 {
            anyhow::bail!("--failed-lookup-window-secs must be at least 1");
        }
        Ok(LimitSettings {
            per_client: self.failed_lookups_per_client,
            per_order: self.failed_lookups_per_order,
            per_email: self.failed_lookups_per_email,
            window: std::time::Duration::from_secs(self.failed_lookup_window_secs),
            failed_auth_per_client: self.failed_auth_per_client,
            capacity: self.limiter_capacity,
            proxies: app::limits::Proxies::parse(&self.trusted_proxies)
                .map_err(anyhow::Error::msg)?
                .with_any_peer(self.trust_proxy),
        })
    }
}

/// How long clients may take.
#[derive(Args, Clone)]
struct TimeoutArgs {
    /// Seconds a client may take to send a request's headers before the connection is closed.
    #[arg(long, env = "LOOKOUT_HEADER_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout_secs: u64,
    /// Seconds one request may take in all (body included) before it is answered 408.
    #[arg(long, env = "LOOKOUT_REQUEST_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    request_timeout_secs: u64,
}

/// Where the order database is.
#[derive(Args, Clone)]
struct Db {
    /// Database URL: sqlite://PATH (created if missing).
    #[arg(long, env = "LOOKOUT_DATABASE_URL", default_value = "sqlite://lookout.db")]
    database_url: String,
    /// Database connections this process keeps open at most
    /// (default: 4 for SQLite, 8 for PostgreSQL).
    #[arg(long, env = "LOOKOUT_DATABASE_POOL_SIZE", value_parser = clap::value_parser!(u32).range(1..=1000))]
    database_pool_size: Option<u32>,
    /// Where shoppers' lookups read, e.g. a PostgreSQL read replica of the
    /// database (default: the database URL itself).
    #[arg(long, env = "LOOKOUT_DATABASE_LOOKUP_URL")]
    database_lookup_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrates the database first).
    Serve {
        #[command(flatten)]
        db: Db,
        /// Address to listen on.
        #[arg(long, env = "LOOKOUT_ADDR", default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        /// Folder with the built site assets (the `pkg` folder's parent).
        #[arg(long, env = "LOOKOUT_SITE_ROOT", default_value = "target/site")]
        site_root: PathBuf,
        #[command(flatten)]
        limits: LimitArgs,
        /// The site is reached over HTTPS (directly or through a TLS proxy): send
        /// Strict-Transport-Security with this max-age in seconds. 0 (the default) sends none.
        #[arg(long, env = "LOOKOUT_HSTS_MAX_AGE", default_value_t = 0)]
        hsts_max_age: u64,
        #[command(flatten)]
        timeouts: TimeoutArgs,
    },
    /// Apply database migrations.
    Migrate {
        #[command(flatten)]
        db: Db,
    },
    /// Manage shops.
    Shop {
        #[command(subcommand)]
        command: ShopCommand,
    },
    /// Manage merchant API keys.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// The embeddable widget.
    Embed {
        #[command(subcommand)]
        command: EmbedCommand,
    },
    /// Import orders from a file: JSONL (one API order body a line) or CSV (one row
    /// per line item). Bad lines are reported and skipped; the rest are written.
    Import {
        /// The shop's slug.
        slug: String,
        /// The file: .jsonl/.ndjson or .csv (else detected from its first character).
        file: PathBuf,
        #[command(flatten)]
        db: Db,
    },
    /// Put the built site (WebAssembly, JavaScript, CSS) inside this executable,
    /// so that it is the whole deployment.
    BundleSite {
        /// The built site (the `pkg` folder's parent).
        #[arg(long, env = "LOOKOUT_SITE_ROOT", default_value = "target/site")]
        site_root: PathBuf,
        /// Where to write the bundled executable (default: replace this one).
        #[arg(long, env = "LOOKOUT_BUNDLE_OUT")]
        out: Option<PathBuf>,
    },
    /// Create the shop `demo` with sample orders covering every status.
    Demo {
        #[command(flatten)]
        db: Db,
        /// Also generate this many orders (`#G0000001` with `shopper1@example.com`, …),
        /// for load tests.
        #[arg(long, env = "LOOKOUT_DEMO_ORDERS", default_value_t = 0)]
        orders: u64,
    },
}

#[derive(Subcommand)]
enum ShopCommand {
    /// Create a shop and print its webhook secret once.
    Create {
        /// The shop's slug: 1 to 64 of a-z, 0-9 and -.
        slug: String,
        #[command(flatten)]
        db: Db,
        /// The shop's display name.
        #[arg(long, env = "LOOKOUT_SHOP_NAME")]
        name: String,
        /// An origin allowed to embed the widget (repeatable), e.g. https://shop.example.
        #[arg(long = "allowed-origin", env = "LOOKOUT_ALLOWED_ORIGINS", value_delimiter = ',')]
        allowed_origins: Vec<String>,
        /// Default language: en, nb, sv, de or zh.
        #[arg(long, env = "LOOKOUT_LOCALE", default_value = "en")]
        locale: String,
        /// Accent colour, e.g. #0a7c59.
        #[arg(long, env = "LOOKOUT_ACCENT")]
        accent: Option<String>,
    },
    /// Change a shop's settings; what is not given stays as it is.
    Update {
        /// The shop's slug.
        slug: String,
        #[command(flatten)]
        db: Db,
        /// New display name.
        #[arg(long)]
        name: Option<String>,
        /// Replace the allowed origins with these (repeatable).
        #[arg(long = "allowed-origin", value_delimiter = ',')]
        allowed_origins: Vec<String>,
        /// Remove every allowed origin (nobody may frame the widget).
        #[arg(long, conflicts_with = "allowed_origins")]
        clear_allowed_origins: bool,
        /// New default language: en, nb, sv, de or zh.
        #[arg(long)]
        locale: Option<String>,
        /// New accent colour, e.g. #0a7c59.
        #[arg(long)]
        accent: Option<String>,
        /// Remove the accent colour.
        #[arg(long, conflicts_with = "accent")]
        clear_accent: bool,
    },
    /// Replace the shop's Shopify webhook secret and print the new one once.
    RotateSecret {
        /// The shop's slug.
        slug: String,
        #[command(flatten)]
        db: Db,
        /// Use this secret instead of a new random one: the signing key Shopify
        /// shows for webhooks made in its admin, or a custom app's client secret.
        #[arg(long, env = "LOOKOUT_WEBHOOK_SECRET")]
        secret: Option<String>,
    },
}

#[derive(Subcommand)]
enum EmbedCommand {
    /// Print the script tag to paste into a storefront, with its integrity hash.
    Snippet {
        /// The shop's slug.
        slug: String,
        /// The address shoppers reach this Lookout at, e.g. https://track.example.
        #[arg(long, env = "LOOKOUT_PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
        base_url: String,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Create an API key for a shop and print it once.
    Create {
        /// The shop's slug.
        slug: String,
        #[command(flatten)]
        db: Db,
    },
    /// List a shop's keys by prefix (keys themselves are never stored).
    List {
        /// The shop's slug.
        slug: String,
        #[command(flatten)]
        db: Db,
    },
    /// Revoke a key by its prefix (the 16 characters after `lk_`).
    Revoke {
        /// The shop's slug.
        slug: String,
        /// The key's prefix, as `key list` shows it.
        prefix: String,
        #[command(flatten)]
        db: Db,
    },
}

/// Runs the command line; errors are printed as one clear line and exit 1.
pub fn main() -> ExitCode {
    if let Err(e) = apply_config_file() {
        eprintln!("error: {e:#}");
        return ExitCode::FAILURE;
    }
    let cli = Cli::parse();
    crate::telemetry::init(cli.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Every setting that has a `LOOKOUT_*` variable, by long flag name.
fn settings() -> std::collections::BTreeMap<String, String> {
    fn walk(cmd: &clap::Command, out: &mut std::collections::BTreeMap<String, String>) {
        for arg in cmd.get_arguments() {
            if let (Some(long), Some(env)) = (arg.get_long(), arg.get_env()) {
                out.entry(long.to_string())
                    .or_insert_with(|| env.to_string_lossy().into_owned());
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, out);
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(&<Cli as clap::CommandFactory>::command(), &mut out);
    out.remove("config");
    out
}

/// Hands the config file's settings to the parser as variables, where unset.
fn apply_config_file() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = crate::config::path_from(&args) else {
        return Ok(());
    };
    for (var, value) in crate::config::read(&path, &settings())? {
        if std::env::var_os(&var).is_none() {
            std::env::set_var(var, value);
        }
    }
    Ok(())
}

async fn run(command: Command) -> Result<()> {
    match command {
        Command::Serve {
            db,
            addr,
            site_root,
            limits,
            hsts_max_age,
            timeouts,
        } => {
            let settings = ServeSettings {
                limits: limits.settings()?,
                shared_limits: limits.shared_limits,
                hsts_max_age,
                header_timeout: std::time::Duration::from_secs(timeouts.header_timeout_secs),
                request_timeout: std::time::Duration::from_secs(timeouts.request_timeout_secs),
            };
            serve(&db, addr, site_root, settings).await
        }
        Command::Migrate { db } => {
            open(&db).await?;
            println!("Migrations applied to {}", db.database_url);
            Ok(())
        }
        Command::Shop {
            command:
                ShopCommand::Create {
                    slug,
                    db,
                    name,
                    allowed_origins,
                    locale,
                    accent,
                },
        } => {
            settings::check_slug(&slug).map_err(anyhow::Error::msg)?;
            settings::check_locale(&locale).map_err(anyhow::Error::msg)?;
            let accent = accent
                .as_deref()
                .map(settings::check_accent)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let allowed_origins = settings::check_origins(&allowed_origins).map_err(anyhow::Error::msg)?;
            if name.trim().is_empty() {
                anyhow::bail!("--name must not be empty");
            }
            let store = open(&db).await?;
            let secret = keys::webhook_secret();
            let shop = store
                .create_shop(&NewShop {
                    slug,
                    name: name.trim().to_string(),
                    locale,
                    accent,
                    allowed_origins,
                    webhook_secret: secret.clone(),
                })
                .await?;
            println!("Created shop {:?} ({}).", shop.slug, shop.name);
            println!("Webhook secret (shown once, keep it safe): {secret}");
            Ok(())
        }
        Command::Shop {
            command: ShopCommand::RotateSecret { slug, db, secret },
        } => {
            let given = secret.map(|s| s.trim().to_string());
            if given.as_deref().is_some_and(|s| s.len() < 16 || s.len() > 200) {
                anyhow::bail!("--secret must be 16 to 200 characters long");
            }
            let store = open(&db).await?;
            let secret = given.clone().unwrap_or_else(keys::webhook_secret);
            if !store.set_webhook_secret(&slug, &secret).await? {
                anyhow::bail!("no shop with the slug {slug:?}");
            }
            if given.is_some() {
                println!("Stored the given webhook secret for {slug:?}; the old one stops working now.");
            } else {
                println!("New webhook secret for {slug:?} (shown once; the old one stops working now):");
                println!("{secret}");
            }
            Ok(())
        }
        Command::Shop {
            command:
                ShopCommand::Update {
                    slug,
                    db,
                    name,
                    allowed_origins,
                    clear_allowed_origins,
                    locale,
                    accent,
                    clear_accent,
                },
        } => {
            if let Some(locale) = &locale {
                settings::check_locale(locale).map_err(anyhow::Error::msg)?;
            }
            let accent = accent
                .as_deref()
                .map(settings::check_accent)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let origins = settings::check_origins(&allowed_origins).map_err(anyhow::Error::msg)?;
            if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
                anyhow::bail!("--name must not be empty");
            }
            let update = ShopUpdate {
                name: name.map(|n| n.trim().to_string()),
                locale,
                accent: if clear_accent { Some(None) } else { accent.map(Some) },
                allowed_origins: if clear_allowed_origins {
                    Some(Vec::new())
                } else {
                    (!origins.is_empty()).then_some(origins)
                },
            };
            let store = open(&db).await?;
            if !store.update_shop(&slug, &update).await? {
                anyhow::bail!("no shop with the slug {slug:?}");
            }
            let shop = store
                .shop(&slug)
                .await?
                .with_context(|| format!("no shop with the slug {slug:?}"))?;
            println!("Updated shop {:?} ({}).", shop.slug, shop.name);
            println!("  locale: {}", shop.locale);
            println!("  accent: {}", shop.accent.as_deref().unwrap_or("(default)"));
            let origins = if shop.allowed_origins.is_empty() {
                "(none: the widget cannot be framed)".to_string()
            } else {
                shop.allowed_origins.join(" ")
            };
            println!("  allowed origins: {origins}");
            Ok(())
        }
        Command::Embed {
            command: EmbedCommand::Snippet { slug, base_url },
        } => {
            settings::check_slug(&slug).map_err(anyhow::Error::msg)?;
            println!("{}", crate::embed::snippet(&base_url, &slug));
            Ok(())
        }
        Command::Key {
            command: KeyCommand::List { slug, db },
        } => {
            let store = open(&db).await?;
            let shop = store
                .shop(&slug)
                .await?
                .with_context(|| format!("no shop with the slug {slug:?}"))?;
            let keys = store.keys(shop.id).await?;
            if keys.is_empty() {
                println!("No keys for {slug:?}. Create one with `lookout key create {slug}`.");
            }
            for key in keys {
                let state = match &key.revoked_at {
                    Some(at) => format!("revoked {at}"),
                    None => "live".to_string(),
                };
                println!("{}  created {}  {state}", key.prefix, key.created_at);
            }
            Ok(())
        }
        Command::Key {
            command: KeyCommand::Revoke { slug, prefix, db },
        } => {
            let store = open(&db).await?;
            let shop = store
                .shop(&slug)
                .await?
                .with_context(|| format!("no shop with the slug {slug:?}"))?;
            if !store.revoke_key(shop.id, &prefix).await? {
                anyhow::bail!("no live key with the prefix {prefix:?} for {slug:?} (see `lookout key list {slug}`)");
            }
            println!(
                "Revoked key {prefix} of {slug:?}. Servers stop accepting it within {} seconds.",
                crate::keys::CACHE_SECS
            );
            Ok(())
        }
        Command::Key {
            command: KeyCommand::Create { slug, db },
        } => {
            let store = open(&db).await?;
            let key = create_key(&store, &slug).await?;
            println!("API key for {slug:?} (shown once; only its hash is stored):");
            println!("{key}");
            Ok(())
        }
        Command::Import { slug, file, db } => import(&db, &slug, &file).await,
        Command::BundleSite { site_root, out } => {
            let exe = std::env::current_exe().context("cannot find this executable")?;
            let out = out.unwrap_or_else(|| exe.clone());
            let count = crate::bundle::write(&exe, &site_root, &out)?;
            let size = std::fs::metadata(&out)?.len();
            println!(
                "Bundled {count} site files into {} ({:.1} MB).",
                out.display(),
                size as f64 / 1e6
            );
            Ok(())
        }
        Command::Demo { db, orders } => {
            let store = open(&db).await?;
            let loaded = demo::load(&store).await?;
            println!("Demo shop \"demo\" ready with {loaded} orders. Look them up at /track/demo with:");
            for order in demo::ORDERS {
                println!("  {:<20} {:<6} {}", order.email, order.order_number, order.shows);
            }
            if orders > 0 {
                let bar = progress_bar(orders, "generating orders");
                let started = std::time::Instant::now();
                let shown = bar.clone();
                demo::generate(&store, orders, move |n| shown.set_position(n)).await?;
                bar.finish_and_clear();
                let secs = started.elapsed().as_secs_f64();
                let (email, number) = demo::generated_credentials(orders);
                println!(
                    "Generated {orders} orders in {secs:.1} s ({:.0} orders/s): #G0000001 with shopper1@example.com … {number} with {email}.",
                    orders as f64 / secs.max(1e-9)
                );
            }
            Ok(())
        }
    }
}

/// Creates a key for an existing shop and returns its text.
pub async fn create_key(store: &Store, slug: &str) -> Result<String> {
    let shop = store
        .shop(slug)
        .await?
        .with_context(|| format!("no shop with the slug {slug:?}"))?;
    let new = keys::generate();
    let key = new.key.clone();
    let hash = tokio::task::spawn_blocking(move || keys::hash(&key))
        .await
        .context("hashing the key")?
        .map_err(|e| anyhow::anyhow!("hashing the key failed: {e}"))?;
    store.insert_key(shop.id, &new.prefix, &hash).await?;
    Ok(new.key)
}

/// Opens the database and applies migrations; a failure here is fatal and says why.
async fn open(db: &Db) -> Result<Store> {
    let options = app::store::StoreOptions {
        pool_size: db.database_pool_size,
        lookup_url: db.database_lookup_url.clone(),
    };
    let store = Store::connect_with(&db.database_url, &options)
        .await
        .with_context(|| format!("cannot open the database {}", db.database_url))?;
    store
        .migrate()
        .await
        .with_context(|| format!("cannot migrate the database {}", db.database_url))?;
    Ok(store)
}

/// The Leptos settings for a server on `addr` serving assets from `site_root`.
pub fn leptos_options(addr: SocketAddr, site_root: &std::path::Path) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("lookout")
        .site_root(site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(Env::PROD)
        .build()
}

async fn import(db: &Db, slug: &str, file: &std::path::Path) -> Result<()> {
    use crate::import::{count_lines, jsonl_orders, read_csv, write, Format, Parsed};
    let format = Format::detect(file)?;
    let reader = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let store = open(db).await?;
    let shop = store
        .shop(slug)
        .await?
        .with_context(|| format!("no shop with the slug {slug:?}"))?;
    let started = std::time::Instant::now();
    // JSON Lines are parsed on their own thread while earlier orders are written, a
    // bounded number ahead; a CSV is read whole first (an order's rows may be anywhere).
    let (tx, rx) = tokio::sync::mpsc::channel::<Parsed>(1024);
    let send_all = move |parsed: &mut dyn Iterator<Item = Parsed>| {
        for item in parsed {
            if tx.blocking_send(item).is_err() {
                break; // the writer stopped
            }
        }
    };
    let total = match format {
        Format::Jsonl => {
            // Counting the lines is a second pass over the file: only for a bar that shows.
            let lines = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                count_lines(file)?
            } else {
                0
            };
            std::thread::spawn(move || send_all(&mut jsonl_orders(std::io::BufReader::new(reader))));
            lines
        }
        Format::Csv => {
            let parsed = read_csv(std::io::BufReader::new(reader));
            let orders = parsed.len();
            std::thread::spawn(move || send_all(&mut parsed.into_iter()));
            orders
        }
    };
    let bar = progress_bar(total as u64, "importing");
    let shown = bar.clone();
    let summary = write(&store, shop.id, rx, move |n| shown.set_position(n as u64)).await?;
    bar.finish_and_clear();
    for rejected in &summary.rejected {
        eprintln!("line {}: {}", rejected.line, rejected.reason);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} accepted, {} rejected ({:.1} s, {:.0} orders/s)",
        summary.accepted,
        summary.rejected.len(),
        secs,
        summary.accepted as f64 / secs.max(1e-9)
    );
    if !summary.rejected.is_empty() {
        anyhow::bail!(
            "{} line(s) rejected; the other orders were written",
            summary.rejected.len()
        );
    }
    Ok(())
}

/// A progress bar on a terminal; hidden when output goes elsewhere.
fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_string());
    bar
}

/// What `serve` needs beyond the database and address.
struct ServeSettings {
    limits: LimitSettings,
    shared_limits: bool,
    hsts_max_age: u64,
    header_timeout: std::time::Duration,
    request_timeout: std::time::Duration,
}

async fn serve(db: &Db, addr: SocketAddr, site_root: PathBuf, settings: ServeSettings) -> Result<()> {
    let store = open(db).await?;
    if !site_root.join("pkg").is_dir() {
        tracing::warn!(site_root = %site_root.display(), "no built assets found: pages will load without styles and WebAssembly (build with `cargo leptos build --release`)");
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    let limits = if settings.shared_limits {
        let limits = LookupLimits::shared(settings.limits, store.clone())
            .await
            .context("cannot set up the shared limits")?;
        std::sync::Arc::new(limits)
    } else {
        std::sync::Arc::new(LookupLimits::new(settings.limits))
    };
    if limits.is_shared() {
        // Whole allowances carry nothing: forget them now and then.
        let limits = limits.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                limits.forget_refilled().await;
            }
        });
    }
    let mut state = AppState::new(leptos_options(local, &site_root), store.clone())
        .with_hsts(settings.hsts_max_age)
        .with_request_timeout(settings.request_timeout);
    state.limits = limits;
    tracing::info!(files = state.assets.len(), "site assets loaded");
    if let Some(handle) = crate::metrics::handle() {
        // Histograms are drained into their buckets here as well as on each scrape.
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                handle.run_upkeep();
            }
        });
    }
    println!("Lookout is listening on http://{local}");
    println!("  Demo tracking page: http://{local}/track/demo");
    println!("  Health: http://{local}/healthz");
    crate::serve::run(listener, crate::app(state), settings.header_timeout, shutdown_signal()).await;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
