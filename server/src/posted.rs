//! The lookup form as a plain HTML form post, for browsers without WebAssembly
//! (or before it loads). The answer is the same page, rendered with the result.

use crate::AppState;
use app::errors::LookupError;
use app::lookup::lookup;
use app::shell;
use app::ui::PostedLookup;
use axum::body::Body;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Form;
use leptos::prelude::provide_context;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct LookupForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    order_number: String,
}

/// Renders the page `parts` asks for, with what `extra` provides beside the
/// server's own context (see `AppState::provide_page_context`).
pub async fn render(
    state: &AppState,
    parts: axum::http::request::Parts,
    extra: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    let page_state = state.clone();
    let options = leptos::prelude::LeptosOptions::clone(&state.leptos_options);
    let render = leptos_axum::render_app_async_with_context(
        move || {
            page_state.provide_page_context();
            extra();
        },
        move || shell(options.clone()),
    );
    render(Request::from_parts(parts, Body::empty())).await.into_response()
}

/// `POST /track/{shop}`: looks up and renders the page with the result, without hydration.
pub async fn track_post(State(state): State<AppState>, Path(shop): Path<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    // Malformed or oversized form bodies count as empty fields: the shopper sees what to fill in.
    let form = match Form::<LookupForm>::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(Form(form)) => form,
        Err(_) => LookupForm::default(),
    };
    let client = state.client(&parts);
    let result = lookup(
        &state.store,
        &state.limits,
        &client,
        &shop,
        &form.email,
        &form.order_number,
    )
    .await
    .and_then(|stored| app::lookup::parsed(&stored));
    let failed = result.as_ref().err().map(LookupError::http_status);
    let posted = PostedLookup {
        email: form.email,
        order_number: form.order_number,
        result,
    };
    let mut response = render(&state, parts, move || provide_context(posted.clone())).await;
    if let Some((status, retry_after)) = failed {
        *response.status_mut() = status;
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }
    response
}
