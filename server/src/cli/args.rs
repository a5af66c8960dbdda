//! The clap arguments several commands share: lookup limits, client timeouts, the database.

use anyhow::Result;
use app::limits::LimitSettings;
use clap::Args;

/// Limits on failed lookups.
#[derive(Args, Clone)]
pub(super) struct LimitArgs {
    /// Failed lookups one client address may make per window.
    #[arg(long, env = "LOOKOUT_FAILED_LOOKUPS_PER_CLIENT", default_value_t = 20, value_parser = at_least_one())]
    failed_lookups_per_client: u32,
    /// Failed lookups against one order number of a shop per window.
    #[arg(long, env = "LOOKOUT_FAILED_LOOKUPS_PER_ORDER", default_value_t = 8, value_parser = at_least_one())]
    failed_lookups_per_order: u32,
    /// Failed lookups against one email address of a shop per window.
    #[arg(long, env = "LOOKOUT_FAILED_LOOKUPS_PER_EMAIL", default_value_t = 8, value_parser = at_least_one())]
    failed_lookups_per_email: u32,
    /// The window, in seconds, over which the allowances refill.
    #[arg(long, env = "LOOKOUT_FAILED_LOOKUP_WINDOW_SECS", default_value_t = 900,
          value_parser = clap::value_parser!(u64).range(1..=WEEK_SECS))]
    failed_lookup_window_secs: u64,
    /// A proxy (address or CIDR, repeatable) whose X-Forwarded-For is believed:
    /// the client is the rightmost address that is not a trusted proxy.
    #[arg(long = "trusted-proxy", env = "LOOKOUT_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<String>,
    /// Believe X-Forwarded-For from the connecting peer whatever its address (one
    /// proxy in front whose address is not known); prefer --trusted-proxy.
    #[arg(long, env = "LOOKOUT_TRUST_PROXY", value_parser = clap::builder::BoolishValueParser::new())]
    trust_proxy: bool,
    /// Failed API-key checks one client may make per window.
    #[arg(long, env = "LOOKOUT_FAILED_AUTH_PER_CLIENT", default_value_t = 20, value_parser = at_least_one())]
    failed_auth_per_client: u32,
    /// Failed console sign-ins against one account per window (the client's
    /// failed sign-ins are limited by --failed-auth-per-client).
    #[arg(long, env = "LOOKOUT_FAILED_SIGN_INS_PER_ACCOUNT", default_value_t = 5, value_parser = at_least_one())]
    failed_sign_ins_per_account: u32,
    /// Webhook deliveries with a wrong signature (or to an unknown shop) one
    /// client may make to one shop per window, before its body is read.
    #[arg(long, env = "LOOKOUT_FAILED_WEBHOOKS_PER_SHOP", default_value_t = 60, value_parser = at_least_one())]
    failed_webhooks_per_shop: u32,
    /// Console forms (settings, keys, secrets, the team, support-view searches) one
    /// account may post per window.
    #[arg(long, env = "LOOKOUT_CONSOLE_WRITES_PER_ACCOUNT", default_value_t = 100, value_parser = at_least_one())]
    console_writes_per_account: u32,
    /// Writes through the API (orders stored or erased, settings changed) one
    /// API key may make per window.
    #[arg(long, env = "LOOKOUT_API_WRITES_PER_KEY", default_value_t = app::limits::DEFAULT_API_WRITES_PER_KEY, value_parser = at_least_one())]
    api_writes_per_key: u32,
    /// Requests for a link to one's orders by email, per address at a shop, per hour.
    #[arg(long, env = "LOOKOUT_ORDER_LINKS_PER_EMAIL", default_value_t = 3, value_parser = at_least_one())]
    order_links_per_email: u32,
    /// Requests for order links from one client address per hour (all shops).
    #[arg(long, env = "LOOKOUT_ORDER_LINKS_PER_CLIENT", default_value_t = 10, value_parser = at_least_one())]
    order_links_per_client: u32,
    /// Requests for order links at one shop per hour (all addresses).
    #[arg(long, env = "LOOKOUT_ORDER_LINKS_PER_SHOP", default_value_t = 300, value_parser = at_least_one())]
    order_links_per_shop: u32,
    /// Keys each in-memory limiter table holds at most (about 30 bytes each).
    #[arg(long, env = "LOOKOUT_LIMITER_CAPACITY", default_value_t = app::limits::DEFAULT_CAPACITY,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000_000))]
    limiter_capacity: usize,
    /// Keep lookup and order-link allowances in the database, so that every
    /// server using it (and a restarted one) counts the same misses and requests.
    #[arg(long, env = "LOOKOUT_SHARED_LIMITS", value_parser = clap::builder::BoolishValueParser::new())]
    pub(super) shared_limits: bool,
}

/// The longest window of the lookup allowances: a week.
const WEEK_SECS: u64 = 7 * 24 * 3600;

/// An allowance: at least one (none would refuse everything), read as
/// every number setting is, so that zero is refused as other values out of
/// range are (exit code 2, naming the setting).
fn at_least_one() -> clap::builder::RangedI64ValueParser<u32> {
    clap::value_parser!(u32).range(1..)
}

impl LimitArgs {
    pub(super) fn settings(&self) -> Result<LimitSettings> {
        Ok(LimitSettings {
            per_client: self.failed_lookups_per_client,
            per_order: self.failed_lookups_per_order,
            per_email: self.failed_lookups_per_email,
            window: std::time::Duration::from_secs(self.failed_lookup_window_secs),
            failed_auth_per_client: self.failed_auth_per_client,
            failed_sign_ins_per_account: self.failed_sign_ins_per_account,
            failed_webhooks_per_shop: self.failed_webhooks_per_shop,
            console_writes_per_account: self.console_writes_per_account,
            api_writes_per_key: self.api_writes_per_key,
            links: app::limits::LinkRules {
                per_email: self.order_links_per_email,
                per_client: self.order_links_per_client,
                per_shop: self.order_links_per_shop,
                ..app::limits::LinkRules::default()
            },
            capacity: self.limiter_capacity,
            proxies: app::limits::Proxies::parse(&self.trusted_proxies)
                .map_err(anyhow::Error::msg)?
                .with_any_peer(self.trust_proxy),
        })
    }
}

/// How long clients may take, and how many connections one may hold.
#[derive(Args, Clone)]
pub(super) struct TimeoutArgs {
    /// Seconds a client may take to send a request's headers before the connection is closed.
    #[arg(long, env = "LOOKOUT_HEADER_TIMEOUT_SECS", default_value_t = crate::serve::HEADER_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(super) header_timeout_secs: u64,
    /// Seconds one request may take in all (body included) before it is answered 408.
    #[arg(long, env = "LOOKOUT_REQUEST_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(super) request_timeout_secs: u64,
    /// Seconds an answer may wait for its client to take its next piece
    /// (16 KiB), or a waiting write for its socket to send 16 KiB on, before the
    /// connection is closed (a client that reads nothing, or never opens its
    /// HTTP/2 window, holds the answer and its request's place until then).
    #[arg(long, env = "LOOKOUT_SEND_TIMEOUT_SECS", default_value_t = crate::sending::SEND_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(super) send_timeout_secs: u64,
    /// Seconds the server goes on serving after a stop signal, with `/readyz`
    /// answering 503 `stopping`, so that a load balancer takes it out of
    /// rotation before it stops accepting connections (a second signal stops at once).
    #[arg(long, env = "LOOKOUT_STOP_DELAY_SECS", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(0..=300))]
    pub(super) stop_delay_secs: u64,
    /// Connections one client (IPv4 address or IPv6 /64) may have open at once;
    /// more are closed at once. As many requests in flight (HTTP/2 puts many on
    /// one connection); more are answered 429. Trusted proxies are not counted.
    /// 0: no cap.
    #[arg(long, env = "LOOKOUT_MAX_CONNECTIONS_PER_CLIENT", default_value_t = crate::peers::PER_CLIENT,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=crate::serve::MAX_CONNECTIONS as u64))]
    pub(super) max_connections_per_client: usize,
    /// Connections one IPv6 /48 (a site: a home's /56 lies in one) may have open
    /// at once, whatever its /64s; more are closed at once. As many requests in
    /// flight; more are answered 429. Trusted proxies are not counted. 0: no cap.
    #[arg(long, env = "LOOKOUT_MAX_CONNECTIONS_PER_SITE", default_value_t = crate::peers::PER_SITE,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=crate::serve::MAX_CONNECTIONS as u64))]
    pub(super) max_connections_per_site: usize,
    /// MiB of webhook bodies held at once before their signatures are checked
    /// (from all clients together); a delivery that finds no room within two
    /// seconds is answered 503 having read nothing.
    #[arg(long, env = "LOOKOUT_UNSIGNED_BODY_MIB", default_value_t = (crate::unsigned::DEFAULT_BYTES >> 20) as u64,
          value_parser = clap::value_parser!(u64).range(1..=65_536))]
    pub(super) unsigned_body_mib: u64,
}

/// Where the order database is.
#[derive(Args, Clone)]
pub(super) struct Db {
    /// Database URL: sqlite://PATH (created if missing), or
    /// postgres://USER:PASSWORD@HOST[:PORT]/DATABASE for PostgreSQL.
    #[arg(long, env = "LOOKOUT_DATABASE_URL", default_value = "sqlite://lookout.db", value_parser = database_url)]
    pub(super) database_url: String,
    /// Database connections for writes and merchants' reads
    /// (default: 4 for SQLite, 8 for PostgreSQL); also the lookups' unless
    /// --database-lookup-connections is given.
    #[arg(long, env = "LOOKOUT_DATABASE_POOL_SIZE", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub(super) database_pool_size: Option<u32>,
    /// Database connections for shoppers' lookups (default: one per core this
    /// process may use for SQLite, two per core for PostgreSQL, at least 2).
    #[arg(long, env = "LOOKOUT_DATABASE_LOOKUP_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub(super) database_lookup_connections: Option<u32>,
    /// Where shoppers' lookups read, e.g. a PostgreSQL read replica of the
    /// database (default: the database URL itself).
    #[arg(long, env = "LOOKOUT_DATABASE_LOOKUP_URL")]
    pub(super) database_lookup_url: Option<String>,
}

/// Outbound mail: the links shoppers ask for when they lack their order number.
#[derive(Args, Clone)]
pub(super) struct MailArgs {
    /// The SMTP server: smtp://HOST:PORT (no TLS, for a relay on this machine),
    /// smtp://USER:PASSWORD@HOST:587?tls=required (STARTTLS) or smtps://USER:PASSWORD@HOST
    /// (TLS). Without it no mail is sent and the pages do not offer links by email.
    #[arg(long, env = "LOOKOUT_SMTP_URL")]
    pub(super) smtp_url: Option<String>,
    /// The sender's address (the shop's name is shown as the sender's name).
    #[arg(long, env = "LOOKOUT_MAIL_FROM", requires = "smtp_url")]
    pub(super) mail_from: Option<String>,
    /// Where shoppers reach this server, e.g. https://track.example.com: links in
    /// mail are made from it (default: http:// and the listening address).
    #[arg(long, env = "LOOKOUT_PUBLIC_URL")]
    pub(super) public_url: Option<String>,
    /// Seconds before a failed send is tried again; the wait doubles each time, up to an hour.
    #[arg(long, env = "LOOKOUT_MAIL_RETRY_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(super) mail_retry_secs: u64,
}

/// A database URL, refused when it names no file to keep: an in-memory
/// SQLite database keeps nothing, and each of a pool's connections would
/// have one of its own (the server would find no tables).
fn database_url(url: &str) -> Result<String, String> {
    let rest = url.strip_prefix("sqlite:").map(|r| r.trim_start_matches("//"));
    match rest {
        Some(path) if path.is_empty() || path.starts_with(":memory:") || path.starts_with('?') => Err(format!(
            "{url:?} names no file: give one, such as sqlite://lookout.db (an in-memory database keeps nothing)"
        )),
        _ => Ok(url.to_string()),
    }
}

/// An address to listen on: an IP address and a port.
pub(super) fn socket_addr(text: &str) -> Result<std::net::SocketAddr, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "{text:?} is not an IP address and a port, such as 127.0.0.1:3000, 0.0.0.0:3000 or [::]:3000 \
             (a host name is not taken: give its address)"
        )
    })
}

/// Where a browser or a command on this machine reaches a listener on
/// `addr`: a wildcard address (`0.0.0.0`, `[::]`) is listened on but cannot be
/// opened or connected to, so its loopback stands in for it.
pub(super) fn from_this_machine(addr: std::net::SocketAddr) -> std::net::SocketAddr {
    let ip = match addr.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    std::net::SocketAddr::new(ip, addr.port())
}

#[cfg(test)]
mod tests {
    use super::from_this_machine;

    #[test]
    fn a_wildcard_address_is_reached_on_loopback() {
        let shown = |addr: &str| from_this_machine(addr.parse().expect("an address")).to_string();
        assert_eq!(shown("0.0.0.0:3000"), "127.0.0.1:3000");
        assert_eq!(shown("[::]:9090"), "[::1]:9090");
        assert_eq!(shown("127.0.0.1:3000"), "127.0.0.1:3000");
        assert_eq!(shown("192.0.2.7:8080"), "192.0.2.7:8080");
    }
}
