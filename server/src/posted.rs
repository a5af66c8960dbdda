//! The lookup form as a plain HTML form post, for browsers without WebAssembly
//! (or before it loads). The answer is the same page, rendered with the result.

use crate::AppState;
use app::errors::LookupError;
use app::lookup::{lookup, shop_page_of};
use app::shell;
use app::ui::lookup_form::{lookup_area_html, LookupPlace, LookupState, FRAGMENT_HEADER, FRAGMENT_LOOKUP};
use app::ui::PostedLookup;
use axum::body::Body;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{header, HeaderName, HeaderValue};
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
    // Where the island's part goes, asked before the lookup: no query waits
    // while a large order's view holds its place.
    let place = match wants_fragment(&parts) {
        true => fragment_place(&state, &parts, &shop).await,
        false => None,
    };
    let client = state.client(&parts);
    let found = lookup(
        &state.store,
        &state.limits,
        &client,
        &shop,
        &form.email,
        &form.order_number,
    )
    .await;
    // A large order's page is made in its place among the renders, held
    // until the connection has taken the page's bytes (`app::renders`).
    let (result, rendering) = match found {
        Ok(stored) => match app::lookup::placed(&state.renders, &stored, client).await {
            Ok((view, rendering)) => (Ok(view), Some(rendering)),
            Err(e) => (Err(e), None),
        },
        Err(e) => (Err(e), None),
    };
    let failed = result.as_ref().err().map(LookupError::http_status);
    let posted = PostedLookup {
        email: form.email,
        order_number: form.order_number,
        result,
    };
    let mut response = match place {
        Some(place) => fragment(place, posted),
        None => render(&state, parts, move || provide_context(posted.clone())).await,
    };
    if let Some((status, retry_after)) = failed {
        *response.status_mut() = status;
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }
    match rendering {
        Some(rendering) => crate::placed_body::until_taken(response, rendering),
        None => response,
    }
}

/// Whether the lookup island asks for the lookup's part of the page only.
fn wants_fragment(parts: &axum::http::request::Parts) -> bool {
    parts
        .headers
        .get(FRAGMENT_HEADER)
        .is_some_and(|value| value.as_bytes() == FRAGMENT_LOOKUP.as_bytes())
}

/// The page's language and accent, as its query gives them.
#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    locale: Option<String>,
    accent: Option<String>,
}

/// Where the lookup the island asks for is shown (the page's language and
/// address), from the request as the page would read it. `None` when there is no
/// such shop (or the store is unavailable): the whole page answers then.
async fn fragment_place(state: &AppState, parts: &axum::http::request::Parts, shop: &str) -> Option<LookupPlace> {
    let query = Query::<PageQuery>::try_from_uri(&parts.uri).map_or_else(|_| PageQuery::default(), |q| q.0);
    let accept_language = parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok());
    let mail_on = state.mail.is_some();
    let page = shop_page_of(
        &state.store,
        mail_on,
        accept_language,
        shop,
        query.locale.as_deref(),
        query.accent.as_deref(),
    )
    .await
    .ok()??;
    Some(LookupPlace::of(&page, parts.uri.path().starts_with("/embed/")))
}

/// The lookup's part of the page for `posted`, rendered as the page renders it:
/// what the island puts in place of its form.
fn fragment(place: LookupPlace, posted: PostedLookup) -> Response {
    let lookup = LookupState::posted(posted, &place);
    let headers = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
        (HeaderName::from_static(FRAGMENT_HEADER), FRAGMENT_LOOKUP),
    ];
    (headers, lookup_area_html(place, lookup)).into_response()
}
