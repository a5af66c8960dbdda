//! A password checked as a sign-in checks it: for signing in, and for a
//! signed-in account's change of password. One attempt is taken from the
//! client's allowance and the account's from this client, before anything is
//! read or hashed; then, for a browser the account does not know (its
//! known-browser cookie, `account::KNOWN_COOKIE`), from the account's from all
//! clients. The password is hashed on the bounded gate (a known browser in its
//! known lane, `hash_gate`), against a dummy hash when there is no such account, so that answers and timing do not tell which
//! accounts exist. A right password gives every attempt back; a wrong one
//! keeps them.

use super::account::{today, KNOWN_COOKIE};
use super::session;
use crate::hash_gate::Lane;
use crate::keys;
use crate::AppState;
use app::limits::Client;
use app::store::Account;
use axum::http::HeaderMap;
use std::time::Duration;

/// Why a password was not taken.
pub enum Refused {
    /// An allowance is spent: wait this long; nothing was hashed.
    Limited(Duration),
    /// Wrong, or no such account (or one without a password).
    Wrong,
    /// The hashing gate turned it away.
    Busy,
    /// The database could not answer.
    Unavailable,
}

/// A right password: its account, the hash it was checked against, and
/// whether the browser is one the account knows (its known-browser cookie).
pub struct Right {
    pub account: Account,
    pub hash: String,
    pub known: bool,
}

/// Checks `password` for the account of `email` (normalised).
pub async fn check_password(
    state: &AppState,
    client: &Client,
    headers: &HeaderMap,
    email: &str,
    password: String,
) -> Result<Right, Refused> {
    state.limits.reserve_sign_in(client, email).map_err(Refused::Limited)?;
    let account = match state.store.account(email).await {
        Ok(account) => account,
        Err(e) => {
            state.limits.release_sign_in(client, email, false);
            tracing::error!(error = %e, "account query failed");
            return Err(Refused::Unavailable);
        }
    };
    // A browser this account has signed in with, since its password was set,
    // does not spend the account's allowance from all clients.
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let anywhere = !known_browser(state, headers, email, stored.as_deref());
    if anywhere {
        if let Err(wait) = state.limits.reserve_sign_in_anywhere(client, email) {
            state.limits.release_sign_in(client, email, false);
            return Err(Refused::Limited(wait));
        }
    }
    let hash = stored.clone();
    // A browser the account knows hashes in a lane strangers cannot fill.
    let lane = match anywhere {
        true => Lane::Open,
        false => Lane::Known(crate::hash_gate::owner("account", email)),
    };
    let Ok(valid) = state
        .hashing
        .run_in(lane, move || keys::verify(&password, hash.as_deref()))
        .await
    else {
        state.limits.release_sign_in(client, email, anywhere);
        return Err(Refused::Busy);
    };
    let (account, hash) = account.zip(stored).filter(|_| valid).ok_or(Refused::Wrong)?;
    state.limits.release_sign_in(client, email, anywhere);
    Ok(Right {
        account,
        hash,
        known: !anywhere,
    })
}

/// Whether the browser's known-browser cookie was made for the account of
/// `email` with its password hash `hash` (none: no account, or no password).
fn known_browser(state: &AppState, headers: &HeaderMap, email: &str, hash: Option<&str>) -> bool {
    match (session::cookie(state, headers, KNOWN_COOKIE), hash) {
        (Some(tag), Some(hash)) => state.limits.is_known_browser(tag, email, hash, today()),
        _ => false,
    }
}
