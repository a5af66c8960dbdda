//! Outbound mail: the links shoppers ask for, owners' invitations to the
//! console, merchants' links to set a forgotten password and word that a
//! password was changed, sent from the
//! store's outbox through SMTP. Requests are queued by the page and sent
//! here, never inside a request; a send that fails for a reason that may pass
//! (the server is down, a 4xx answer) is tried again later, with backoff.

mod address;
pub use address::is_mailbox;
mod invite;
mod message;
mod password;
mod public_url;
mod sign_in;

pub use public_url::checked_public_url;

use app::normalize::email_key;
use app::store::{MailKind, Outcome, Queued, Store};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How long a link in a mail works once sent.
pub const LINK_MINUTES: i64 = 30;
/// How long one sender holds a request; a try is cut off this margin before.
const LEASE: Duration = Duration::from_secs(120);
const LEASE_MARGIN: Duration = Duration::from_secs(15);
/// How long connecting to the SMTP server may take (the whole try is bounded by the claim).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the outbox is read when nothing wakes the sender (requests queued
/// by another server, retries coming due).
const POLL: Duration = Duration::from_secs(2);
/// Requests sent at once, at most.
const SENDING_AT_ONCE: usize = 8;
/// Tries before a request is given up.
const MAX_ATTEMPTS: i64 = 12;
/// The longest wait between two tries.
const MAX_BACKOFF: Duration = Duration::from_secs(60 * 60);

/// Why mail cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("--smtp-url is not a usable SMTP URL (smtp://HOST:PORT, smtp://HOST?tls=required, smtps://USER:PASSWORD@HOST): {0}")]
    Url(String),
    #[error("--mail-from is not an email address: {0}")]
    From(String),
    #[error("--public-url must be an http(s) URL without a path, query or fragment, like https://track.example.com")]
    PublicUrl,
}

/// How to send mail.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://HOST:PORT` (plain; `?tls=required` for STARTTLS) or `smtps://HOST` (TLS).
    pub smtp_url: String,
    /// The sender's address; the shop's name is its display name.
    pub from: String,
    /// Where shoppers reach this Lookout (links in mail are made from it, never from a request).
    pub public_url: String,
    /// The wait before the second try; it doubles with each try after.
    pub retry_after: Duration,
}

/// The sender: one SMTP transport and the outbox's wake-up call.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::Address,
    public_url: String,
    retry_after: Duration,
    wake: Notify,
    /// Set when the server stops: nothing more is claimed.
    stopped: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("public_url", &self.public_url).finish()
    }
}

impl Mailer {
    /// A sender for these settings (checked here; nothing is connected yet).
    pub fn new(settings: &MailSettings) -> Result<Mailer, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .map_err(|e| MailError::Url(e.to_string()))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from = settings
            .from
            .trim()
            .parse::<lettre::Address>()
            .map_err(|e| MailError::From(e.to_string()))?;
        let public_url = checked_public_url(&settings.public_url).ok_or(MailError::PublicUrl)?;
        Ok(Mailer {
            transport,
            from,
            public_url,
            retry_after: settings.retry_after.max(Duration::from_secs(1)),
            wake: Notify::new(),
            stopped: Default::default(),
        })
    }

    /// Where links in mail lead.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Claims no more requests: the server is stopping, and a request claimed
    /// now would wait out its claim (two minutes) once the process has ended.
    /// Sends under way go on while the process does.
    pub fn stop(&self) {
        self.stopped.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Tells the sender a request was queued.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Sends from the outbox until the process ends.
    pub fn spawn(self: Arc<Self>, store: Store) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                self.send_due(&store).await;
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                }
            }
        })
    }

    /// Sends every request due now, up to [`SENDING_AT_ONCE`] at a time (an SMTP
    /// conversation spends most of its time waiting on the network).
    pub async fn send_due(self: &Arc<Self>, store: &Store) {
        let mut sending = tokio::task::JoinSet::new();
        let mut more = true;
        while more || !sending.is_empty() {
            while more && sending.len() < SENDING_AT_ONCE {
                if self.stopped.load(std::sync::atomic::Ordering::Relaxed) {
                    more = false;
                    break;
                }
                match store.claim_mail(LEASE).await {
                    Ok(Some(queued)) => {
                        let (mailer, store) = (self.clone(), store.clone());
                        sending.spawn(async move { mailer.handle(&store, queued).await });
                    }
                    Ok(None) => more = false,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not read the outbox");
                        more = false;
                    }
                }
            }
            if sending.join_next().await.is_some() {
                // A slot is free: look again (more may have been queued meanwhile).
                more = true;
            }
        }
    }

    /// One claimed request: find the orders, make the link, send it, within the
    /// claim's time (a send still going when the claim ends is dropped, and its
    /// late answer would not be written: the request is another sender's then).
    async fn handle(&self, store: &Store, queued: Queued) {
        let id = queued.id;
        let tried = tokio::time::timeout(LEASE - LEASE_MARGIN, self.try_send(store, &queued)).await;
        let outcome = match tried.unwrap_or_else(|_| Err(Retry("timed out".into()))) {
            Ok(Some(outcome)) => outcome,
            Ok(None) => {
                tracing::info!(
                    outbox_id = id,
                    kind = queued.kind.as_str(),
                    "mail put back until the account's day has room"
                );
                metrics::counter!("lookout_mail_total", "outcome" => "later").increment(1);
                return;
            }
            Err(Retry(error)) if queued.attempts < MAX_ATTEMPTS => {
                let wait = backoff(self.retry_after, queued.attempts);
                tracing::warn!(outbox_id = id, kind = queued.kind.as_str(), attempts = queued.attempts, retry_in_secs = wait.as_secs(), %error, "mail not sent; will try again");
                match store.retry_mail(&queued, wait, &error).await {
                    Ok(true) => metrics::counter!("lookout_mail_total", "outcome" => "retry").increment(1),
                    Ok(false) => tracing::warn!(
                        outbox_id = id,
                        kind = queued.kind.as_str(),
                        "the claim ran out before the try ended"
                    ),
                    Err(e) => {
                        tracing::warn!(outbox_id = id, kind = queued.kind.as_str(), error = %e, "could not put the request back; its claim will end")
                    }
                }
                return;
            }
            Err(Retry(error)) => {
                tracing::error!(outbox_id = id, kind = queued.kind.as_str(), attempts = queued.attempts, %error, "mail not sent; giving up");
                Outcome::Failed
            }
        };
        // Logged for the operator; counted without telling a sent link from an
        // address without orders, so that /metrics answers nobody's question.
        tracing::info!(
            outbox_id = id,
            kind = queued.kind.as_str(),
            outcome = outcome.as_str(),
            "mail request handled"
        );
        let counted = if outcome == Outcome::Failed {
            "failed"
        } else {
            "handled"
        };
        match store.finish_mail(&queued, outcome).await {
            Ok(true) => metrics::counter!("lookout_mail_total", "outcome" => counted).increment(1),
            Ok(false) => tracing::warn!(
                outbox_id = id,
                kind = queued.kind.as_str(),
                "the claim ran out before the try ended"
            ),
            Err(e) => {
                tracing::warn!(outbox_id = id, kind = queued.kind.as_str(), error = %e, "could not finish the request; it may be tried again")
            }
        }
    }

    /// What became of the request; None when it was put back, untried, for later.
    async fn try_send(&self, store: &Store, queued: &Queued) -> Result<Option<Outcome>, Retry> {
        match queued.kind {
            MailKind::Link => self.try_link(store, queued).await.map(Some),
            MailKind::Invite => self.try_invite(store, queued).await,
            MailKind::Password => self.try_password(store, queued).await.map(Some),
            MailKind::Notice => {
                let url = format!("{}/console/forgot", self.public_url);
                let mail = message::notice_mail(queued, &self.from, &url);
                self.send_or_forget(queued, mail, async { Ok(()) }).await.map(Some)
            }
            MailKind::SignIn => self.try_sign_in(store, queued).await.map(Some),
        }
    }

    async fn try_link(&self, store: &Store, queued: &Queued) -> Result<Outcome, Retry> {
        let shop = queued.shop().map_err(Retry::of)?;
        if !shop.email_links {
            return Ok(Outcome::TurnedOff);
        }
        let key = email_key(&queued.email);
        let orders = store.orders_of(shop.id, &key).await.map_err(Retry::of)?;
        if orders.is_empty() {
            return Ok(Outcome::NoOrders);
        }
        // To the address the merchant has, and only when it is the one typed (up
        // to ASCII case) and the only one under the key: an address that merely
        // shares the key (a look-alike letter) is not the shopper's, and neither
        // is its owner's order under it.
        let stored = store.order_emails(shop.id, &key).await.map_err(Retry::of)?;
        let Some(to) = address::one_address(&stored, &queued.email) else {
            tracing::warn!(
                outbox_id = queued.id,
                "the orders' addresses are not the one typed: no link sent"
            );
            return Ok(Outcome::NoOrders);
        };
        let token = crate::token::token();
        let hash = crate::token::digest(&token);
        let made = store
            .create_order_link(&hash, shop.id, &key, chrono::Duration::minutes(LINK_MINUTES))
            .await
            .map_err(Retry::of)?;
        // Turned off since the request was claimed.
        if !made {
            return Ok(Outcome::TurnedOff);
        }
        let url = format!(
            "{}{}",
            self.public_url,
            crate::links::link_path(&shop.slug, &token, &queued.locale)
        );
        let mail = message::link_mail(queued, to, &self.from, &url);
        self.send_or_forget(queued, mail, store.delete_order_link(&hash)).await
    }

    /// Sends a message with a link: `Sent`, or, when no try will do better,
    /// `Failed` after `forget` deletes the link (it was never seen).
    async fn send_or_forget(
        &self,
        queued: &Queued,
        mail: Result<lettre::Message, lettre::error::Error>,
        forget: impl std::future::Future<Output = Result<(), app::store::StoreError>>,
    ) -> Result<Outcome, Retry> {
        if self.deliver(queued, mail).await? {
            return Ok(Outcome::Sent);
        }
        if let Err(e) = forget.await {
            tracing::warn!(outbox_id = queued.id, kind = queued.kind.as_str(), error = %e, "could not delete an unsent link; it expires on its own");
        }
        Ok(Outcome::Failed)
    }

    /// Hands a message to the SMTP server: true once it took it, false when no
    /// try will do better (the link in it was never seen), `Retry` otherwise.
    async fn deliver(
        &self,
        queued: &Queued,
        mail: Result<lettre::Message, lettre::error::Error>,
    ) -> Result<bool, Retry> {
        let (id, kind) = (queued.id, queued.kind.as_str());
        match mail {
            // An address lettre cannot write into a message: no try will do better.
            Err(e) => {
                tracing::warn!(outbox_id = id, kind, error = %e, "the address cannot be mailed");
                Ok(false)
            }
            Ok(mail) => match self.transport.send(mail).await {
                Ok(_) => Ok(true),
                Err(e) if e.is_permanent() => {
                    tracing::warn!(outbox_id = id, kind, error = %described(&e), "the SMTP server refused the mail for good");
                    Ok(false)
                }
                // The mail may have gone (a timeout after the message was handed
                // over): its link is kept, and expires on its own.
                Err(e) => Err(Retry(described(&e))),
            },
        }
    }
}

/// What went wrong with a send, without the SMTP server's own words (a reply
/// may quote the recipient's address): its reply code, or the kind of failure.
fn described(e: &lettre::transport::smtp::Error) -> String {
    if let Some(code) = e.status() {
        return format!("SMTP reply {code}");
    }
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_transient() || e.is_permanent() || e.is_response() {
        "unexpected reply"
    } else if e.is_client() {
        "client error"
    } else {
        "connection failed"
    };
    kind.to_string()
}

/// A failure worth another try, with what to log.
struct Retry(String);

impl Retry {
    fn of(e: app::store::StoreError) -> Retry {
        Retry(e.to_string())
    }
}

/// The wait after `attempts` tries: `first`, doubling, at most an hour.
fn backoff(first: Duration, attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    first.saturating_mul(2u32.saturating_pow(doublings)).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let first = Duration::from_secs(30);
        assert_eq!(backoff(first, 1), first);
        assert_eq!(backoff(first, 2), Duration::from_secs(60));
        assert_eq!(backoff(first, 4), Duration::from_secs(240));
        assert_eq!(backoff(first, 12), MAX_BACKOFF);
        assert_eq!(backoff(first, i64::MAX), MAX_BACKOFF);
    }
}
