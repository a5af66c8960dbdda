//! The HTTP surface: one `Router` for pages, server functions, the REST API and health.

use crate::assets::{self, Assets};
use crate::{api, embed, fallback, posted};
use app::limits::{Client, LimitSettings, LookupLimits};
use app::store::Store;
use app::{shell, App};
use axum::extract::FromRef;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// What every handler can reach, behind one reference count: axum clones the
/// state for every request, and every extractor and middleware that takes a part
/// of it clones that part, so each clone is one count, not one per field (on
/// several cores each count is a cache line that moves between them).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The fields of [`AppState`] (reached through it by `Deref`).
#[derive(Clone)]
pub struct Shared {
    pub leptos_options: Arc<LeptosOptions>,
    pub store: Store,
    pub assets: Assets,
    pub limits: Arc<LookupLimits>,
    /// API keys verified recently (see `verified::CACHE_SECS`).
    pub verified: Arc<crate::verified::VerifiedKeys>,
    /// Bounds how many API-key hashes run at once, and how many wait.
    pub hashing: Arc<crate::keys::HashGate>,
    /// Bounds the bytes of webhook bodies held before their signature is checked.
    pub unsigned: Arc<crate::unsigned::UnsignedBodies>,
    /// The Strict-Transport-Security value, when the site is served over HTTPS.
    pub hsts: Option<HeaderValue>,
    /// How long one request may take in all before it is answered 408.
    pub request_timeout: std::time::Duration,
    /// Console cookies are marked `Secure` (the site is reached over HTTPS).
    pub secure_cookies: bool,
    /// Where shoppers reach this server (`--public-url`), checked: the console's
    /// embed snippet and webhook address are made from it when it is set.
    pub public_url: Option<String>,
    /// The sender of shoppers' order links, when the server sends mail.
    pub mail: Option<Arc<crate::mail::Mailer>>,
    /// `/metrics` is served on a listener of its own (`metrics::router`), not here.
    pub metrics_apart: bool,
    /// Set on the first stop signal: `/readyz` then answers 503.
    pub stopping: crate::stopping::Stopping,
    /// What the console's and the order-links pages may hold of the pool.
    pub pages: Arc<crate::page_lane::Lanes>,
    /// What pages of large orders may hold while they are made and sent.
    pub renders: Arc<app::renders::Renders>,
}

/// How long one request may take unless configured.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

impl AppState {
    /// State for a server using `store`, with assets read from the options' site root.
    pub fn new(leptos_options: LeptosOptions, store: Store) -> Self {
        let assets = Assets::load(std::path::Path::new(leptos_options.site_root.as_ref()));
        Self::with_assets(leptos_options, store, assets)
    }

    /// State for a server using `store`, with assets already read.
    pub fn with_assets(leptos_options: LeptosOptions, store: Store, assets: Assets) -> Self {
        let mut leptos_options = leptos_options;
        // The page's scripts and stylesheet by their content hash (see `assets`).
        if let Some(name) = assets.output_name() {
            leptos_options.output_name = name.into();
        }
        let limits = Arc::new(LookupLimits::new(LimitSettings::default()));
        let pages = Arc::new(crate::page_lane::Lanes::for_pool(store.pool_size()));
        AppState(Arc::new(Shared {
            leptos_options: Arc::new(leptos_options),
            store,
            assets,
            limits,
            verified: Arc::new(crate::verified::VerifiedKeys::default()),
            hashing: Arc::new(crate::keys::HashGate::for_this_machine()),
            unsigned: Arc::new(crate::unsigned::UnsignedBodies::standard()),
            hsts: None,
            request_timeout: REQUEST_TIMEOUT,
            secure_cookies: false,
            public_url: None,
            mail: None,
            metrics_apart: false,
            stopping: crate::stopping::Stopping::default(),
            pages,
            renders: Arc::default(),
        }))
    }

    /// The fields to change while the state is built (copied first if shared).
    fn fields(&mut self) -> &mut Shared {
        Arc::make_mut(&mut self.0)
    }

    /// The same state sending shoppers' order links with `mailer` (its sender
    /// task is started apart, see `Mailer::spawn`).
    pub fn with_mail(mut self, mailer: Arc<crate::mail::Mailer>) -> Self {
        self.fields().mail = Some(mailer);
        self
    }

    /// What every rendered page gets from the server: the store, the limits,
    /// whether mail is sent and the places for pages of large orders.
    pub fn provide_page_context(&self) {
        provide_context(self.store.clone());
        provide_context(self.limits.clone());
        provide_context(app::lookup::MailOn(self.mail.is_some()));
        provide_context(self.renders.clone());
    }

    /// The same state telling browsers to use HTTPS only, for `max_age_secs` seconds
    /// (`Strict-Transport-Security`). Only for sites served over TLS; 0 turns it off.
    pub fn with_hsts(mut self, max_age_secs: u64) -> Self {
        let fields = self.fields();
        fields.hsts = (max_age_secs > 0).then(|| {
            HeaderValue::from_str(&format!("max-age={max_age_secs}; includeSubDomains"))
                .expect("digits and ASCII make a valid header value")
        });
        fields.secure_cookies |= fields.hsts.is_some();
        self
    }

    /// The same state leaving `/metrics` off the application's router, for a
    /// listener of its own to serve (`serve --metrics-addr`).
    pub fn with_metrics_apart(mut self, apart: bool) -> Self {
        self.fields().metrics_apart = apart;
        self
    }

    /// The same state marking console cookies `Secure` or not (`with_hsts` turns it on).
    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.fields().secure_cookies = secure;
        self
    }

    /// The same state with the address shoppers reach it at (`--public-url`,
    /// already checked by `mail::checked_public_url`).
    pub fn with_public_url(mut self, url: Option<String>) -> Self {
        self.fields().public_url = url;
        self
    }

    /// The same state answering 408 to requests that take longer than `timeout`.
    pub fn with_request_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.fields().request_timeout = timeout;
        self
    }

    /// The same state with other lanes for people's pages (`page_lane`).
    pub fn with_page_lanes(mut self, lanes: crate::page_lane::Lanes) -> Self {
        self.fields().pages = Arc::new(lanes);
        self
    }

    /// The same state with other places for pages of large orders.
    pub fn with_renders(mut self, renders: Arc<app::renders::Renders>) -> Self {
        self.fields().renders = renders;
        self
    }

    /// The same state with other limits, kept in this process's memory.
    pub fn with_limits(self, settings: LimitSettings) -> Self {
        self.with_lookup_limits(LookupLimits::new(settings))
    }

    /// The same state with these limits (in memory or shared through the database).
    pub fn with_lookup_limits(self, limits: LookupLimits) -> Self {
        self.with_shared_limits(Arc::new(limits))
    }

    /// The same state with these limits, shared with whoever else holds them.
    pub fn with_shared_limits(mut self, limits: Arc<LookupLimits>) -> Self {
        self.fields().limits = limits;
        self
    }

    /// The same state with another bound on concurrent key hashing.
    pub fn with_hash_gate(mut self, gate: Arc<crate::keys::HashGate>) -> Self {
        self.fields().hashing = gate;
        self
    }

    /// The same state with another bound on webhook bodies held unsigned.
    pub fn with_unsigned_bodies(mut self, unsigned: Arc<crate::unsigned::UnsignedBodies>) -> Self {
        self.fields().unsigned = unsigned;
        self
    }

    /// The client of a request, as the limits count it.
    pub fn client(&self, parts: &axum::http::request::Parts) -> Client {
        app::limits::client_of(parts, &self.limits.settings().proxies)
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts handlers and middleware take as `State<…>`.
impl FromRef<AppState> for Store {
    fn from_ref(state: &AppState) -> Store {
        state.store.clone()
    }
}

impl FromRef<AppState> for Arc<LookupLimits> {
    fn from_ref(state: &AppState) -> Arc<LookupLimits> {
        state.limits.clone()
    }
}

impl FromRef<AppState> for Assets {
    fn from_ref(state: &AppState) -> Assets {
        state.assets.clone()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        LeptosOptions::clone(&state.leptos_options)
    }
}

/// The app's page routes, made once per process. Making them runs the app with
/// resource loading switched off for the whole process (a process-wide flag of
/// `leptos_server`), and a page whose data starts loading in that moment, on any
/// thread, never finishes (leptos-rs/leptos#4773). Once made, later routers (a
/// process serving more than one, as the tests do) reuse them.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Builds the whole application router (tests call this too).
pub fn app(state: AppState) -> Router {
    // Install the metrics recorder before the first request records anything.
    let _ = crate::metrics::handle();
    crate::metrics::start_at_zero();
    state.store.list_replica_series();
    let routes = route_list();
    let page_state = state.clone();
    let options = LeptosOptions::clone(&state.leptos_options);
    let hsts = state.hsts.clone();
    let request_timeout = state.request_timeout;
    let served = if state.secure_cookies {
        crate::guard::Served::Https
    } else {
        crate::guard::Served::Unknown
    };
    let router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(crate::health::ready));
    // Unless a listener of its own serves it (`metrics::router`).
    let router = if state.metrics_apart {
        router
    } else {
        router.route("/metrics", get(crate::metrics::render_public))
    };
    let router = router
        .merge(api::routes())
        // People's pages that read as much as a shop has wait their turn for
        // a share of the pool (`page_lane`).
        .merge(
            crate::console::routes().route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                crate::page_lane::console,
            )),
        )
        .merge(crate::links::pages().route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::page_lane::links,
        )))
        .merge(crate::links::requests())
        .route("/track/{shop}", post(posted::track_post))
        .route("/embed/{shop}", post(posted::track_post))
        .route("/embed.js", get(embed::loader))
        .route("/embed-frame.js", get(embed::frame_script))
        .route("/pkg/{file}", get(assets::pkg))
        .leptos_routes_with_context(
            &state,
            routes,
            move || page_state.provide_page_context(),
            move || shell(options.clone()),
        )
        // After every route: what answers a method a route does not answer, and a
        // path no route matches (never a page of the app's own router: see `fallback`).
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .fallback(fallback::not_found)
        .layer(axum::middleware::from_fn(crate::mended::addresses))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            // Not `no-referrer`: under it, browsers without Sec-Fetch-Site send
            // `Origin: null` on the page's own form posts, which look cross-site.
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(
                "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()",
            ),
        ))
        // Shopper forms only from Lookout's own pages; nothing private cached.
        .layer(axum::middleware::from_fn_with_state(served, crate::guard::guard))
        // Pages, CSS, JavaScript and WebAssembly go out compressed (brotli or gzip)
        // when asked: pages whole, before they are sent (`compress`).
        .layer(axum::middleware::from_fn(crate::compress::whole))
        .layer(crate::compress::streaming())
        // Pages vary with Accept-Language and are kept by no shared cache (their nonce).
        .layer(axum::middleware::from_fn(crate::html::page_caching))
        // A slow client (or a stuck handler) is answered 408 and its task ends.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        // Who may frame an answer, also the guard's refusals, a form too
        // large and a 408 (a shop's sites for `/embed/{shop}`: its read is
        // bounded by the pool's wait for a connection).
        .layer(axum::middleware::from_fn_with_state(
            state.store.clone(),
            embed::frame_policy,
        ))
        // Outside the timeout, so that its 408 has them too: no sniffing, and
        // an answer that says nothing of caching is kept by no cache.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let router = match hsts {
        Some(value) => router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            value,
        )),
        None => router,
    };
    router
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(crate::telemetry::request_span)
                .on_failure(crate::telemetry::answer_failed),
        )
        .layer(axum::middleware::from_fn(crate::telemetry::request_id))
        .with_state(state)
}
