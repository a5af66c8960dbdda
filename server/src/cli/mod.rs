//! The command line (`lookout serve | migrate | shop | key | import | demo | …`): parser, config file, dispatch.

/// Writes a line of a command's output. A reader gone away (`lookout demo |
/// head -1`) is an error that ends the command as any other does (its
/// database closed, what it wrote kept), said by nothing: the reader is gone.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::write_line(format_args!($($arg)*))
    };
}

mod args;
mod backup;
mod demo;
mod embed;
mod health;
mod import;
mod key;
mod opened;
mod serve;
mod shop;
mod sqlite_folder;
mod user;

pub use key::create_key;
pub use serve::leptos_options;

use crate::telemetry::LogFormat;
use anyhow::{Context, Result};
use app::store::shown_url;
use args::{Db, LimitArgs, MailArgs, TimeoutArgs};
use clap::{Parser, Subcommand};
use embed::EmbedCommand;
use import::import;
use key::KeyCommand;
use opened::{close_opened, open, shop_named};
use serve::{serve, ServeSettings};
use shop::ShopCommand;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use user::UserCommand;

#[derive(Parser)]
#[command(
    name = "lookout",
    version,
    about = "Lookout: the order-status widget for online stores"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// A TOML file of settings, keyed by long flag name (see docs/operations.md, Settings); flags and
    /// LOOKOUT_* variables override it.
    #[arg(long, global = true, env = "LOOKOUT_CONFIG")]
    config: Option<PathBuf>,
    /// Log lines as text or as JSON objects (one per line).
    #[arg(long, global = true, env = "LOOKOUT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrates the database first).
    Serve {
        #[command(flatten)]
        db: Db,
        /// Address to listen on.
        #[arg(long, env = "LOOKOUT_ADDR", default_value = "127.0.0.1:3000", value_parser = args::socket_addr)]
        addr: SocketAddr,
        /// Serve `/metrics` on this address alone (e.g. 10.0.0.5:9090, reached by
        /// the monitoring network only), not on --addr. Default: on --addr.
        #[arg(long, env = "LOOKOUT_METRICS_ADDR", value_parser = args::socket_addr)]
        metrics_addr: Option<SocketAddr>,
        /// Folder with the built site assets (the `pkg` folder's parent).
        /// Default: target/site, or the site inside this executable. A folder
        /// named here that holds no site stops the start (unless the site is
        /// inside this executable: then that is served, with a warning).
        #[arg(long, env = "LOOKOUT_SITE_ROOT")]
        site_root: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
        /// The site is reached over HTTPS (directly or through a TLS proxy): send
        /// Strict-Transport-Security with this max-age in seconds. 0 (the default) sends none.
        #[arg(long, env = "LOOKOUT_HSTS_MAX_AGE", default_value_t = 0)]
        hsts_max_age: u64,
        /// Mark the console's cookies Secure (the site is reached over HTTPS);
        /// implied by a non-zero --hsts-max-age.
        #[arg(long, env = "LOOKOUT_SECURE_COOKIES", value_parser = clap::builder::BoolishValueParser::new())]
        secure_cookies: bool,
        #[command(flatten)]
        timeouts: TimeoutArgs,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Apply database migrations.
    Migrate {
        #[command(flatten)]
        db: Db,
        /// Also make every stored shopper view again from its order (after a
        /// rolling upgrade in which servers of older projection rules kept writing).
        #[arg(long)]
        reproject: bool,
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
    /// Manage console accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
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
    /// Ask a running server whether it can serve (GET /readyz; /healthz with
    /// --live): exit 0 when it answers 200, else 1, saying why (2: a flag it
    /// cannot read). For a
    /// container's HEALTHCHECK or a probe that runs a command.
    Health {
        /// The address the server listens on (as `serve --addr`); one on every
        /// interface (0.0.0.0, [::]) is asked on loopback.
        #[arg(long, env = "LOOKOUT_ADDR", default_value = "127.0.0.1:3000", value_parser = args::socket_addr)]
        addr: SocketAddr,
        /// Ask whether the process runs (/healthz) rather than whether it can
        /// serve (/readyz: not while it stops or its database does not answer).
        #[arg(long)]
        live: bool,
        /// Give up after this many seconds (1 to 60).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=60))]
        timeout_secs: u64,
    },
    /// Back a SQLite database up into a new file, checked, while servers run
    /// (PostgreSQL: pg_dump). Only this user may read the file.
    Backup {
        /// The file to write; it must not exist yet.
        file: PathBuf,
        #[command(flatten)]
        db: Db,
    },
    /// Put a backup (of `lookout backup`) in place of a SQLite database. No
    /// server may have the database open; it is kept beside it as it was.
    Restore {
        /// The backup file.
        backup: PathBuf,
        #[command(flatten)]
        db: Db,
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

/// Runs the command line; errors are printed as one clear line and exit 1.
pub fn main() -> ExitCode {
    if let Err(e) = apply_config_file() {
        eprintln!("error: {e:#}");
        return ExitCode::FAILURE;
    }
    let cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&parser().get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    crate::telemetry::init(cli.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ran = runtime.block_on(async {
        let ran = run(cli.command).await;
        close_opened().await;
        ran
    });
    match ran {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if output_closed(&e) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// [`say!`]'s line, written to standard output.
pub(crate) fn write_line(line: std::fmt::Arguments<'_>) -> Result<()> {
    use std::io::Write;
    writeln!(std::io::stdout().lock(), "{line}").context("cannot write the output")
}

/// Whether `e` is the output's reader having gone away.
fn output_closed(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// The settings a config file may hold, by long flag name, with their
/// `LOOKOUT_*` variables: the server's and the global ones. A flag of another
/// command (a shop's name, a webhook secret, a file to write) is no setting:
/// it would apply to every run of that command with the file.
fn settings() -> std::collections::BTreeMap<String, String> {
    let cli = <Cli as clap::CommandFactory>::command();
    let serve = cli.find_subcommand("serve").into_iter();
    let mut out = std::collections::BTreeMap::new();
    for arg in std::iter::once(&cli)
        .chain(serve)
        .flat_map(clap::Command::get_arguments)
    {
        if let (Some(long), Some(env)) = (arg.get_long(), arg.get_env()) {
            out.entry(long.to_string())
                .or_insert_with(|| env.to_string_lossy().into_owned());
        }
    }
    out.remove("config");
    out
}

/// The command line's parser. Its help names each flag's `LOOKOUT_*` variable
/// but never the variable's value: a database or SMTP URL holds a password,
/// and a config file's settings are handed over as variables.
fn parser() -> clap::Command {
    fn hide_values(cmd: clap::Command) -> clap::Command {
        cmd.mut_args(|arg| arg.hide_env_values(true))
            .mut_subcommands(hide_values)
    }
    hide_values(<Cli as clap::CommandFactory>::command())
}

/// Hands the config file's settings to the parser as variables, where unset.
fn apply_config_file() -> Result<()> {
    // Arguments as the system gives them: a file name need not be UTF-8.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
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
            metrics_addr,
            site_root,
            limits,
            hsts_max_age,
            secure_cookies,
            timeouts,
            mail,
        } => {
            let settings = ServeSettings {
                limits: limits.settings()?,
                shared_limits: limits.shared_limits,
                hsts_max_age,
                secure_cookies,
                times: crate::serve::Times {
                    header: std::time::Duration::from_secs(timeouts.header_timeout_secs),
                    send: std::time::Duration::from_secs(timeouts.send_timeout_secs),
                },
                max_connections_per_client: timeouts.max_connections_per_client,
                max_connections_per_site: timeouts.max_connections_per_site,
                request_timeout: std::time::Duration::from_secs(timeouts.request_timeout_secs),
                stop_delay: std::time::Duration::from_secs(timeouts.stop_delay_secs),
                unsigned_body_bytes: usize::try_from(timeouts.unsigned_body_mib << 20).unwrap_or(usize::MAX),
                mail,
                metrics_addr,
            };
            serve(&db, addr, site_root, settings).await
        }
        Command::Migrate { db, reproject } => {
            let store = open(&db).await?;
            say!("Migrations applied to {}", shown_url(&db.database_url))?;
            if reproject {
                let changed = store.reproject_all_views().await?;
                say!("Shopper views made again: {changed} changed")?;
            }
            Ok(())
        }
        Command::Shop { command } => shop::run(command).await,
        Command::Embed { command } => embed::run(command).await,
        Command::Key { command } => key::run(command).await,
        Command::User { command } => user::run(command).await,
        Command::Import { slug, file, db } => import(&db, &slug, &file).await,
        Command::BundleSite { site_root, out } => {
            let exe = std::env::current_exe().context("cannot find this executable")?;
            let out = out.unwrap_or_else(|| exe.clone());
            let missing: Vec<String> = crate::assets::Assets::site_files()
                .filter(|file| !site_root.join(file).is_file())
                .collect();
            if !missing.is_empty() {
                anyhow::bail!(
                    "--site-root {}: no built site there (missing {}). Build it with `scripts/build.sh`, or point --site-root at the folder that holds it",
                    site_root.display(),
                    missing.join(", ")
                );
            }
            let count = crate::bundle::write(&exe, &site_root, &out)?;
            let size = std::fs::metadata(&out)?.len();
            say!(
                "Bundled {count} site files into {} ({:.1} MB).",
                out.display(),
                size as f64 / 1e6
            )?;
            Ok(())
        }
        Command::Demo { db, orders } => demo::run(db, orders).await,
        Command::Backup { file, db } => backup::back_up(&db, file).await,
        Command::Restore { backup, db } => backup::restore(&db, backup).await,
        Command::Health {
            addr,
            live,
            timeout_secs,
        } => health::run(addr, live, std::time::Duration::from_secs(timeout_secs)).await,
    }
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
