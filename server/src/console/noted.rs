//! The note a console page shows after a change, named by the query of the
//! redirect that brought the browser back (`?done=`, `?revoked=`, `?saved=`,
//! `?sent=`). Only the page's own words say anything: any other query, junk
//! or repeated, says nothing and is never an error page (the change was made
//! or not before the redirect; only its note is lost).

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use std::convert::Infallible;

/// The query's fields, or `None` when the query is not one the page reads.
pub struct Noted<T>(pub Option<T>);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for Noted<T> {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let query = Query::<T>::from_request_parts(parts, state).await;
        Ok(Noted(query.ok().map(|Query(fields)| fields)))
    }
}

/// `?done=WORD`: what a change just did.
#[derive(serde::Deserialize)]
pub struct Done {
    done: Option<String>,
}

impl Noted<Done> {
    /// The word, when the query was `?done=WORD` (once).
    pub fn word(&self) -> Option<&str> {
        self.0.as_ref()?.done.as_deref()
    }
}
