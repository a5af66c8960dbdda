//! Console sessions: an opaque random id in an HttpOnly, SameSite=Strict cookie
//! (Secure when the site is served over TLS), of which the database keeps only
//! the SHA-256; every session has its own CSRF token, carried by each form.
//! Before sign-in, a random token in a second cookie must match the form's.

use super::Locale;
use crate::AppState;
use app::store::Session;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Redirect, Response};

/// The session cookie.
pub const SESSION_COOKIE: &str = "lookout_console";
/// The cookie the sign-in form's token is checked against.
pub const FORM_COOKIE: &str = "lookout_console_form";
/// How long a session lasts from sign-in.
pub const SESSION_HOURS: i64 = 12;

pub use crate::token::{cookie, digest, is_token, same_token, token};

/// A `Set-Cookie` value for a console cookie; `None` clears it.
pub fn set_cookie(state: &AppState, name: &'static str, value: Option<&str>) -> HeaderValue {
    crate::token::set_cookie(
        name,
        value,
        "/console",
        "Strict",
        SESSION_HOURS * 3600,
        state.secure_cookies,
    )
}

/// A signed-in request: the session, the hash it is stored under, and the
/// console's language for this browser.
pub struct Signed {
    pub session: Session,
    pub id_hash: String,
    pub locale: Locale,
}

impl Signed {
    /// True when a form's token is this session's.
    pub fn csrf_ok(&self, presented: &str) -> bool {
        same_token(&self.session.csrf, presented)
    }
}

/// No session (or an expired one): the browser is sent to sign in.
pub struct SignInFirst;

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        Redirect::to("/console").into_response()
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let locale = super::locale_of(&parts.headers);
        let Some(id) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(SignInFirst.into_response());
        };
        let id_hash = digest(id);
        match state.store.session(&id_hash).await {
            Ok(Some(session)) => Ok(Signed {
                session,
                id_hash,
                locale,
            }),
            Ok(None) => Err(SignInFirst.into_response()),
            Err(e) => {
                tracing::error!(error = %e, "session query failed");
                Err(super::pages::unavailable(locale))
            }
        }
    }
}

/// Starts a session for an account and returns its cookie.
pub async fn start(state: &AppState, user_id: i64) -> Result<HeaderValue, app::store::StoreError> {
    let id = token();
    let expires = app::store::time_in(chrono::Duration::hours(SESSION_HOURS));
    state
        .store
        .create_session(&digest(&id), user_id, &token(), &expires)
        .await?;
    Ok(set_cookie(state, SESSION_COOKIE, Some(&id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{header, HeaderMap};

    #[test]
    fn cookies_are_read_by_name_and_shape() {
        let id = "a".repeat(64);
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=1; {SESSION_COOKIE}={id}; y=2")).unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some(id.as_str()));
        assert_eq!(cookie(&h, FORM_COOKIE), None);
        let mut bad = HeaderMap::new();
        bad.insert(header::COOKIE, HeaderValue::from_static("lookout_console=../../etc"));
        assert_eq!(cookie(&bad, SESSION_COOKIE), None);
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
