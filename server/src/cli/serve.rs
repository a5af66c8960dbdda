//! `lookout serve`: the web server, its Leptos settings, and stopping on Ctrl-C or SIGTERM.

use super::args::{from_this_machine, Db};
use super::open;
use crate::AppState;
use anyhow::{Context, Result};
use app::limits::{LimitSettings, LookupLimits};
use leptos::config::{Env, LeptosOptions};
use std::net::SocketAddr;
use std::path::PathBuf;

/// What `serve` needs beyond the database and address.
pub(super) struct ServeSettings {
    pub(super) limits: LimitSettings,
    pub(super) shared_limits: bool,
    pub(super) hsts_max_age: u64,
    pub(super) secure_cookies: bool,
    /// How long a client may take to send headers, and to take an answer's next piece.
    pub(super) times: crate::serve::Times,
    pub(super) max_connections_per_client: usize,
    pub(super) max_connections_per_site: usize,
    pub(super) request_timeout: std::time::Duration,
    /// How long the server goes on serving after a stop signal, not ready.
    pub(super) stop_delay: std::time::Duration,
    /// Bytes of webhook bodies held at once before their signatures are checked.
    pub(super) unsigned_body_bytes: usize,
    pub(super) mail: super::args::MailArgs,
    /// Where `/metrics` is served instead of the main address.
    pub(super) metrics_addr: Option<SocketAddr>,
}

/// How often what is kept only for a while is looked through.
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// How often the lookup counts kept in memory are written to the database.
const TALLY_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

pub(super) async fn serve(
    db: &Db,
    addr: SocketAddr,
    site_root: Option<PathBuf>,
    settings: ServeSettings,
) -> Result<()> {
    let named = site_root.is_some();
    let site_root = site_root.unwrap_or_else(|| PathBuf::from(DEFAULT_SITE_ROOT));
    // Checked before the database is opened (an upgrade's migrations may take minutes).
    let found = crate::assets::Assets::load(&site_root);
    if named && found.is_site() && crate::assets::Assets::site_files().any(|file| !site_root.join(file).is_file()) {
        tracing::warn!(site_root = %site_root.display(), "no site folder there: serving the site inside this executable");
    }
    if named && !found.is_site() {
        let files: Vec<String> = crate::assets::Assets::site_files().collect();
        anyhow::bail!(
            "--site-root {}: no built site there ({}) and none inside this executable. Point it at the folder `scripts/build.sh` makes (target/site), or put the site inside the executable with `lookout bundle-site`",
            site_root.display(),
            files.join(", ")
        );
    }
    // Settings that cannot work stop the start before the database is opened
    // (migrations and the views' rebuilding may take minutes on an upgrade).
    // Checked with or without mail: the console's snippets are made from it.
    let public_url = match &settings.mail.public_url {
        Some(url) => Some(crate::mail::checked_public_url(url).ok_or(crate::mail::MailError::PublicUrl)?),
        None => None,
    };
    // Checked as it will be made (a port of 0, any free one, is not known yet).
    let known = SocketAddr::new(addr.ip(), addr.port().max(1));
    mailer(&settings.mail, public_url.as_deref(), known)?;
    // An address another process holds stops the start before the database
    // is opened and migrated: a server started by mistake beside a running
    // one changes nothing. The addresses are taken for good once the database
    // is ready, so that meanwhile a load balancer is refused, not kept waiting.
    let listen = |addr, what: &'static str| async move {
        tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}{what}"))
    };
    const METRICS: &str = " for metrics (--metrics-addr)";
    drop(listen(addr, "").await?);
    if let Some(addr) = settings.metrics_addr {
        drop(listen(addr, METRICS).await?);
    }
    // Held while it runs, so that `lookout restore` is refused meanwhile (all
    // of a server's connections may be idle and closed); taken before the
    // database is opened where it is there, so that a restore under way is said.
    let serving = || {
        app::store::backup::serving(&db.database_url)
            .with_context(|| format!("cannot serve {}", app::store::shown_url(&db.database_url)))
    };
    serving()?;
    let store = open(db).await?;
    serving()?;
    let listener = listen(addr, "").await?;
    let local = listener.local_addr()?;
    let metrics_listener = match settings.metrics_addr {
        Some(addr) => Some(listen(addr, METRICS).await?),
        None => None,
    };
    let metrics_local = match &metrics_listener {
        Some(listener) => listener.local_addr()?,
        None => local,
    };
    let peer_rules = crate::peers::PeerRules {
        per_client: settings.max_connections_per_client,
        per_site: settings.max_connections_per_site,
        proxies: settings.limits.proxies.clone(),
    };
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
    tokio::task::spawn_blocking(crate::keys::prepare_dummy);
    let mailer = mailer(&settings.mail, public_url.as_deref(), local)?;
    let mut state = AppState::with_assets(leptos_options(local, &site_root), store.clone(), found)
        .with_secure_cookies(settings.secure_cookies)
        .with_public_url(public_url)
        .with_hsts(settings.hsts_max_age)
        .with_request_timeout(settings.request_timeout)
        .with_metrics_apart(metrics_listener.is_some())
        .with_unsigned_bodies(std::sync::Arc::new(crate::unsigned::UnsignedBodies::new(
            settings.unsigned_body_bytes,
            crate::unsigned::PATIENCE,
        )))
        .with_shared_limits(limits);
    let mailer = mailer.map(std::sync::Arc::new);
    if let Some(mailer) = &mailer {
        tracing::info!(public_url = %mailer.public_url(), "order links by email are on");
        mailer.clone().spawn(store.clone());
        state = state.with_mail(mailer.clone());
    }
    if !state.assets.is_site() {
        tracing::warn!(site_root = %site_root.display(), "no built assets found, on disk or in this executable: pages will load without styles and WebAssembly (build with `scripts/build.sh`)");
    }
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
    {
        // The console's daily counts: lookups count in memory, written here.
        let store = store.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(TALLY_EVERY).await;
                if let Err(e) = store.flush_tally().await {
                    tracing::warn!(error = %e, "could not write the lookup counts; kept for the next try");
                }
            }
        });
    }
    {
        // What is kept for a time: the ids of Shopify deliveries (to know a
        // retry) for a week, the support audit log and shops' changes for a
        // year, used console
        // forms' tokens for a day, accounts never given a password and on no
        // team once their link has ended and their last invitation is a day
        // old, finished mail for a week and order links a day past their end
        // (also on a server that no longer sends mail).
        let store = store.clone();
        tokio::spawn(async move {
            // Each is said as soon as it is done.
            let said = |what: &str, pruned: Result<u64, app::store::StoreError>| match pruned {
                Ok(0) => {}
                Ok(forgotten) => tracing::info!(forgotten, "forgot {what}"),
                Err(e) => tracing::warn!(error = %e, "could not forget {what}; next hour again"),
            };
            loop {
                said("week-old delivery ids", store.prune_delivery_ids().await);
                said("year-old support audit entries", store.prune_support_views().await);
                said("year-old shop changes", store.prune_shop_changes().await);
                said("Shopify orders erased a year ago", store.prune_erased_orders().await);
                said("day-old console form tokens", store.prune_used_forms().await);
                said("week-old finished mail", store.prune_outbox().await);
                said("ended order links", store.prune_order_links().await);
                said("idle accounts without a password", store.prune_idle_accounts().await);
                said("abuse panel rows idle for a day", store.prune_refusals().await);
                said(
                    "distinct-order sketches of days no longer shown",
                    store.prune_sketches().await,
                );
                // Pages an erasure changed, as they were, out of SQLite's log.
                store.purge_log();
                tokio::time::sleep(PRUNE_EVERY).await;
            }
        });
    }
    let signals = crate::stopping::StopSignals::listen();
    let (here, metrics_here) = (from_this_machine(local), from_this_machine(metrics_local));
    let demo = matches!(state.store.shop("demo").await, Ok(Some(_)));
    banner(local, here, metrics_here, demo);
    // The metrics listener stops after the main one, so that its draining can be watched.
    let (stop_metrics, metrics_stopped) = tokio::sync::oneshot::channel::<()>();
    let metrics_server = metrics_listener.map(|metrics_listener| {
        let router = crate::metrics::router(state.clone());
        let stopped = async move {
            let _ = metrics_stopped.await;
        };
        tokio::spawn(crate::serve::run(
            metrics_listener,
            router,
            settings.times,
            peer_rules.clone(),
            stopped,
        ))
    });
    let (stop_flag, stop_delay) = (state.stopping.clone(), settings.stop_delay);
    let router = crate::app(state);
    let stopping = async move {
        stop_flag.after_signal(signals, stop_delay).await;
        if let Some(mailer) = &mailer {
            mailer.stop();
        }
    };
    crate::serve::run(listener, router, settings.times, peer_rules, stopping).await;
    drop(stop_metrics);
    if let Some(metrics_server) = metrics_server {
        let _ = metrics_server.await;
    }
    // Bounded together: a database that stopped answering does not keep the
    // server from stopping. Writes whose requests ended run on meanwhile.
    let deadline = tokio::time::Instant::now() + app::store::CLOSE_WITHIN;
    match tokio::time::timeout_at(deadline, store.flush_tally()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(
            error = %e,
            "the last lookup counts could not be written: the console's daily counts miss them"
        ),
        Err(_) => {
            tracing::warn!("the last lookup counts were not written in time: the console's daily counts miss them")
        }
    }
    store
        .close_within(deadline.saturating_duration_since(tokio::time::Instant::now()))
        .await;
    tracing::info!("stopped");
    Ok(())
}

/// The mail sender, when `--smtp-url` is given (checked now, so a typo stops the
/// start); `public_url` is `--public-url`, already checked.
fn mailer(
    args: &super::args::MailArgs,
    public_url: Option<&str>,
    local: SocketAddr,
) -> Result<Option<crate::mail::Mailer>> {
    let Some(smtp_url) = args.smtp_url.clone() else {
        return Ok(None);
    };
    let from = args
        .mail_from
        .clone()
        .context("--smtp-url needs --mail-from, the address mail is sent from")?;
    let settings = crate::mail::MailSettings {
        smtp_url,
        from,
        public_url: match public_url {
            Some(url) => url.to_owned(),
            // Links in mail must reach this server from a shopper's phone.
            None if local.ip().is_unspecified() => anyhow::bail!(
                "--public-url is needed with --smtp-url when listening on {local}: links in mail are made from it \
                 (e.g. --public-url https://track.example.com)"
            ),
            None => format!("http://{local}"),
        },
        retry_after: std::time::Duration::from_secs(args.mail_retry_secs),
    };
    Ok(Some(crate::mail::Mailer::new(&settings)?))
}

/// The Leptos settings for a server on `addr` serving assets from `site_root`.
/// Where the site is looked for when no folder is named: a clone's build.
const DEFAULT_SITE_ROOT: &str = "target/site";

pub fn leptos_options(addr: SocketAddr, site_root: &std::path::Path) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("lookout")
        .site_root(site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(Env::PROD)
        .build()
}

/// Where the server answers, on standard output: lines for a person, or with
/// JSON logs one JSON object (so that a collector reading both outputs reads
/// JSON only). A closed output is no reason to stop.
fn banner(local: SocketAddr, here: SocketAddr, metrics_here: SocketAddr, demo: bool) {
    let demo = demo.then(|| format!("http://{here}/track/demo"));
    let text = if crate::telemetry::is_json() {
        let line = serde_json::json!({
            "message": format!("Lookout is listening on http://{local}"),
            "listening": format!("http://{local}"),
            "console": format!("http://{here}/console"),
            "demo": demo,
            "health": format!("http://{here}/healthz"),
            "metrics": format!("http://{metrics_here}/metrics"),
        });
        format!("{line}\n")
    } else {
        let mut text = format!("Lookout is listening on http://{local}\n  Console: http://{here}/console\n");
        if let Some(demo) = demo {
            text.push_str(&format!("  Demo tracking page: {demo}\n"));
        }
        text.push_str(&format!(
            "  Health: http://{here}/healthz\n  Metrics: http://{metrics_here}/metrics\n"
        ));
        text
    };
    let mut out = std::io::stdout().lock();
    let _ = std::io::Write::write_all(&mut out, text.as_bytes()).and_then(|()| std::io::Write::flush(&mut out));
}
