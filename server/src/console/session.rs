//! Console sessions: an opaque random id in an HttpOnly, SameSite=Strict cookie
//! (Secure when the site is served over TLS), of which the database keeps only
//! the SHA-256; every session has its own CSRF token, carried by each form.
//! Before sign-in, a random token in a second cookie must match the form's.

use super::Locale;
use crate::AppState;
use app::store::Session;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};

/// A console cookie's name over plain HTTP, and over TLS, where the
/// `__Host-` prefix has browsers take it only from this very host, sent with
/// `Secure` and `Path=/` and without `Domain`: a sibling subdomain cannot set
/// one that would come first (cookie tossing), so a browser cannot be put in
/// another account's session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookieName {
    pub plain: &'static str,
    pub secure: &'static str,
}

impl CookieName {
    /// The name on a site that is (`true`) or is not served over TLS.
    pub const fn on(self, secure: bool) -> &'static str {
        if secure {
            self.secure
        } else {
            self.plain
        }
    }
}

/// The session cookie.
pub const SESSION_COOKIE: CookieName = CookieName {
    plain: "lookout_console",
    secure: "__Host-lookout_console",
};
/// The cookie the sign-in form's token is checked against.
pub const FORM_COOKIE: CookieName = CookieName {
    plain: "lookout_console_form",
    secure: "__Host-lookout_console_form",
};
/// How long a session lasts from sign-in.
pub const SESSION_HOURS: i64 = 12;

pub use crate::token::{digest, is_token, same_token, token};

/// A `Set-Cookie` value for a console cookie kept as long as a session; `None` clears it.
pub fn set_cookie(state: &AppState, name: CookieName, value: Option<&str>) -> HeaderValue {
    set_cookie_for(state, name, value, SESSION_HOURS * 3600)
}

/// A `Set-Cookie` value for a console cookie kept `max_age_secs`: SameSite=Strict,
/// on `/console` over plain HTTP, `__Host-` prefixed on `/` over TLS.
pub fn set_cookie_for(state: &AppState, name: CookieName, value: Option<&str>, max_age_secs: i64) -> HeaderValue {
    let secure = state.secure_cookies;
    let path = if secure { "/" } else { "/console" };
    crate::token::set_cookie(name.on(secure), value, path, "Strict", max_age_secs, secure)
}

/// The value of a console cookie the request carries under this site's name for it.
pub fn cookie<'a>(state: &AppState, headers: &'a HeaderMap, name: CookieName) -> Option<&'a str> {
    crate::token::cookie(headers, name.on(state.secure_cookies))
}

/// The form token for a page before sign-in: the browser's, if it has one
/// (so that two tabs both work), else a new one. Pair the page with
/// [`form_cookie`] of it.
pub fn form_token(state: &AppState, headers: &HeaderMap) -> String {
    cookie(state, headers, FORM_COOKIE).map_or_else(token, str::to_string)
}

/// The `Set-Cookie` value that keeps `form_token` in the browser.
pub fn form_cookie(state: &AppState, form_token: &str) -> HeaderValue {
    set_cookie(state, FORM_COOKIE, Some(form_token))
}

/// True when a form posted before sign-in carries the browser's form token.
pub fn form_token_ok(state: &AppState, headers: &HeaderMap, posted: &str) -> bool {
    cookie(state, headers, FORM_COOKIE).is_some_and(|c| same_token(c, posted))
}

/// A signed-in request: the session, the hash it is stored under, and the
/// console's language: the account's choice, else the browser's.
pub struct Signed {
    pub session: Session,
    pub id_hash: String,
    pub locale: Locale,
    /// The language the browser asks for (`Accept-Language`, else English).
    pub browser_locale: Locale,
}

impl Signed {
    /// True when a form's token is this session's.
    pub fn csrf_ok(&self, presented: &str) -> bool {
        same_token(&self.session.csrf, presented)
    }
}

/// No session: the browser is sent to sign in.
pub struct SignInFirst;

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        Redirect::to("/console").into_response()
    }
}

/// Where a browser that comes with the cookie of a session that has ended
/// (signed out on another device, its password changed) is sent: to sign in,
/// told why. (An expired session's cookie expires with it.)
pub const ENDED: &str = "/console?ended=1";

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        signed(state, &parts.headers).await
    }
}

/// The signed-in request of `headers`, or the answer instead: to sign in
/// (told that the session ended, when its cookie names one that has), or the
/// database's unavailability.
async fn signed(state: &AppState, headers: &HeaderMap) -> Result<Signed, Response> {
    let locale = super::locale_of(headers);
    let Some(id) = cookie(state, headers, SESSION_COOKIE) else {
        return Err(SignInFirst.into_response());
    };
    let id_hash = digest(id);
    match state.store.session(&id_hash).await {
        Ok(Some(session)) => Ok(Signed {
            locale: session.locale.unwrap_or(locale),
            browser_locale: locale,
            session,
            id_hash,
        }),
        // Its cookie goes with the redirect: the notice is said once.
        Ok(None) => {
            let mut ended = Redirect::to(ENDED).into_response();
            let clear = set_cookie(state, SESSION_COOKIE, None);
            ended.headers_mut().append(axum::http::header::SET_COOKIE, clear);
            Err(ended)
        }
        Err(e) => {
            tracing::error!(error = %e, "session query failed");
            Err(super::refused::unavailable(locale))
        }
    }
}

/// The console's language for a request that need not be signed in: the
/// account's choice when it comes with a live session, else the browser's.
pub async fn reader_locale(state: &AppState, headers: &HeaderMap) -> Locale {
    match signed(state, headers).await {
        Ok(signed) => signed.locale,
        Err(_) => super::locale_of(headers),
    }
}

/// A session about to start: its id (the cookie's value), the hash of it,
/// its forms' token and when it ends.
pub struct Fresh {
    id: String,
    id_hash: String,
    csrf: String,
    expires_at: String,
    browser: String,
}

impl Fresh {
    /// A new session for `browser` (as `browsers::of` keeps it).
    pub fn random(browser: String) -> Fresh {
        let id = token();
        Fresh {
            id_hash: digest(&id),
            id,
            csrf: token(),
            expires_at: app::store::time_in(chrono::Duration::hours(SESSION_HOURS)),
            browser,
        }
    }

    /// Its row, for the store.
    pub fn row(&self) -> app::store::NewSession<'_> {
        app::store::NewSession {
            id_hash: &self.id_hash,
            csrf: &self.csrf,
            expires_at: &self.expires_at,
            browser: &self.browser,
        }
    }

    /// The cookie that carries it.
    pub fn cookie(&self, state: &AppState) -> HeaderValue {
        set_cookie(state, SESSION_COOKIE, Some(&self.id))
    }
}

/// Starts a session on `browser` for an account whose password the sign-in
/// checked against `password_hash`, and returns its cookie; None when the
/// password was changed meanwhile. As `word` says (the page's language; a
/// new browser, with mail), word
/// of the sign-in is queued for the account's address with the session.
pub async fn start(
    state: &AppState,
    user_id: i64,
    password_hash: &str,
    browser: String,
    word: app::store::SignInWord<'_>,
) -> Result<Option<HeaderValue>, app::store::StoreError> {
    let fresh = Fresh::random(browser);
    let started = state
        .store
        .create_session(&fresh.row(), user_id, password_hash, word)
        .await?;
    Ok(started.then(|| fresh.cookie(state)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    #[test]
    fn cookies_are_read_by_name_and_shape() {
        let id = "a".repeat(64);
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=1; {}={id}; y=2", SESSION_COOKIE.plain)).unwrap(),
        );
        assert_eq!(crate::token::cookie(&h, SESSION_COOKIE.plain), Some(id.as_str()));
        assert_eq!(crate::token::cookie(&h, SESSION_COOKIE.secure), None);
        assert_eq!(crate::token::cookie(&h, FORM_COOKIE.plain), None);
        let mut bad = HeaderMap::new();
        bad.insert(header::COOKIE, HeaderValue::from_static("lookout_console=../../etc"));
        assert_eq!(crate::token::cookie(&bad, SESSION_COOKIE.plain), None);
    }

    #[test]
    fn secure_names_carry_the_host_prefix() {
        for name in [SESSION_COOKIE, FORM_COOKIE, crate::console::KNOWN_COOKIE] {
            assert_eq!(name.on(true), format!("__Host-{}", name.plain));
            assert_eq!(name.on(false), name.plain);
        }
    }

    #[test]
    fn tokens_compare_whole() {
        let t = token();
        assert_eq!(t.len(), 64);
        assert!(same_token(&t, &t.clone()));
        assert!(!same_token(&t, &token()));
        assert!(!same_token(&t, &t[..63]));
        assert_ne!(digest(&t), t);
    }
}
