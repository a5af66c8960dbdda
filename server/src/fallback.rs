//! What answers when no route does. A path nothing serves is 404: a problem
//! document under `/api/`, else the "Page not found" page (or a file of the site
//! root, as Leptos serves them). An endpoint asked with a method it does not
//! answer is 405, a problem document under `/api/` (axum adds `Allow`). A
//! shopper page asked with a trailing slash is sent (308) to its address without.
//!
//! The fallback never renders the app's routes: Leptos's router matches
//! `/track/demo/` as `/track/demo` where axum's does not, and a page rendered
//! outside its route has none of the server's context (the store), so such a
//! request once rendered the page's "unavailable" branch and answered 503.

use crate::problem::ApiError;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use leptos::prelude::LeptosOptions;
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// The answer to a request no route matched.
pub async fn not_found(State(state): State<AppState>, req: Request) -> Response {
    if is_api(req.uri().path()) {
        return ApiError::NoEndpoint.into_response();
    }
    if req.method() == Method::GET || req.method() == Method::HEAD {
        if let Some(location) = without_trailing_slash(req.uri()) {
            return (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, location)]).into_response();
        }
        let accepted = req.headers().get(header::ACCEPT_ENCODING).cloned();
        if is_public_file(req.uri().path()) {
            if let Some(file) = site_file(&state, req.uri().clone(), accepted).await {
                return file;
            }
        }
    }
    not_found_page(&state, req).await
}

/// The answer to a method a route does not answer.
pub async fn method_not_allowed(uri: Uri) -> Response {
    if is_api(uri.path()) {
        ApiError::MethodNotAllowed.into_response()
    } else {
        StatusCode::METHOD_NOT_ALLOWED.into_response()
    }
}

/// Whether a path is the API's (`/api/v1/…` and the page's server functions).
fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Where a shopper page asked with a trailing slash (`/track/{shop}/`,
/// `/embed/{shop}/`) is: the same path without it, the query kept.
fn without_trailing_slash(uri: &Uri) -> Option<HeaderValue> {
    let path = uri.path();
    let shop = path
        .strip_prefix("/track/")
        .or_else(|| path.strip_prefix("/embed/"))?
        .strip_suffix('/')?;
    if shop.is_empty() || shop.contains('/') {
        return None;
    }
    let bare = &path[..path.len() - 1];
    let location = match uri.query() {
        Some(query) => format!("{bare}?{query}"),
        None => bare.to_string(),
    };
    HeaderValue::from_str(&location).ok()
}

/// A shopper page asked with capitals in its shop's slug (`/track/Nordlys`,
/// as a merchant may type it in a link or in `data-shop`): sent (308) to the
/// slug in lower case, the query kept, when that is one. Slugs are lower case,
/// so the page would otherwise be "Page not found" for every shopper.
pub async fn lower_case_shop(req: Request, next: axum::middleware::Next) -> Response {
    if req.method() == Method::GET || req.method() == Method::HEAD {
        if let Some(location) = lower_case_address(req.uri()) {
            return (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, location)]).into_response();
        }
    }
    next.run(req).await
}

fn lower_case_address(uri: &Uri) -> Option<HeaderValue> {
    let path = uri.path();
    let (page, shop) = match (path.strip_prefix("/track/"), path.strip_prefix("/embed/")) {
        (Some(shop), _) => ("/track/", shop),
        (_, Some(shop)) => ("/embed/", shop),
        _ => return None,
    };
    let lower = shop.to_ascii_lowercase();
    if lower == shop || !app::normalize::is_slug(&lower) {
        return None;
    }
    let location = match uri.query() {
        Some(query) => format!("{page}{lower}?{query}"),
        None => format!("{page}{lower}"),
    };
    HeaderValue::from_str(&location).ok()
}

/// Kinds of file the site root may hold for browsers beside the built
/// assets (which `/pkg/` serves from memory): icons, images, fonts, text.
const PUBLIC_KINDS: [&str; 10] = [
    "ico",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "avif",
    "woff2",
    "txt",
    "webmanifest",
];

/// Whether `path` may name a file of the site root: one name at the top (no
/// directory, so nothing under `/pkg/` but through its route), of a kind in
/// [`PUBLIC_KINDS`], no dotfile, nothing percent-encoded. Anything else of
/// the site root on disk (source maps, type declarations, a page or an SVG
/// that could run script on this origin) is never served.
fn is_public_file(path: &str) -> bool {
    let Some(name) = path.strip_prefix('/') else {
        return false;
    };
    let plain = name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    let kind = name.rsplit_once('.').map(|(_, kind)| kind.to_ascii_lowercase());
    plain && !name.starts_with('.') && kind.is_some_and(|k| PUBLIC_KINDS.contains(&k.as_str()))
}

/// A file of the site root at the request's path (its brotli or gzip copy when
/// accepted), as Leptos's own fallback serves them; `None` when there is none.
async fn site_file(state: &AppState, uri: Uri, accepted: Option<HeaderValue>) -> Option<Response> {
    let mut probe = axum::http::Request::builder().uri(uri);
    if let Some(accepted) = accepted {
        probe = probe.header(header::ACCEPT_ENCODING, accepted);
    }
    let probe = probe.body(Body::empty()).ok()?;
    let files = ServeDir::new(&*state.leptos_options.site_root)
        .precompressed_br()
        .precompressed_gzip();
    let mut response = files.oneshot(probe).await.ok()?.into_response();
    if response.status() != StatusCode::OK {
        return None;
    }
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("public, max-age=86400"));
    Some(response)
}

/// The "Page not found" page, 404.
async fn not_found_page(state: &AppState, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let options = LeptosOptions::clone(&state.leptos_options);
    let render = leptos_axum::render_app_async_with_context(|| {}, move || app::not_found_shell(options.clone()));
    let mut response = render(Request::from_parts(parts, Body::empty())).await.into_response();
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_public_files_at_the_top_are_served_from_disk() {
        for path in ["/favicon.ico", "/robots.txt", "/site.webmanifest", "/Logo-2.PNG"] {
            assert!(is_public_file(path), "{path}");
        }
        for path in [
            "/.gitkeep",
            "/.gitkeep.br",
            "/pkg/lookout.css",
            "/pkg//lookout.d.ts",
            "/pkg%2Flookout.css",
            "/lookout.d.ts",
            "/page.html",
            "/image.svg",
            "/robots",
            "/",
            "/../etc/passwd.txt",
        ] {
            assert!(!is_public_file(path), "{path}");
        }
    }

    #[test]
    fn only_a_shopper_page_with_one_trailing_slash_is_sent_without_it() {
        let location =
            |uri: &str| without_trailing_slash(&uri.parse().unwrap()).map(|v| v.to_str().unwrap().to_string());
        assert_eq!(location("/track/demo/").as_deref(), Some("/track/demo"));
        assert_eq!(
            location("/embed/demo/?locale=de&accent=%23c0ffee").as_deref(),
            Some("/embed/demo?locale=de&accent=%23c0ffee")
        );
        for other in [
            "/track/demo",
            "/track/",
            "/track//",
            "/track/demo/x/",
            "/console/",
            "/trackdemo/",
        ] {
            assert_eq!(location(other), None, "{other}");
        }
    }

    #[test]
    fn the_api_is_its_prefix() {
        assert!(is_api("/api/v1/nothing") && is_api("/api/track") && is_api("/api"));
        assert!(!is_api("/apis") && !is_api("/track/api"));
    }

    #[test]
    fn a_shop_asked_in_capitals_is_sent_to_its_slug() {
        let moved = |uri: &str| lower_case_address(&uri.parse().unwrap()).map(|v| v.to_str().unwrap().to_string());
        assert_eq!(moved("/track/Fjord-Knits").as_deref(), Some("/track/fjord-knits"));
        assert_eq!(moved("/embed/DEMO?locale=nb").as_deref(), Some("/embed/demo?locale=nb"));
        // Already a slug, not a slug in any case, not a shopper page: as asked.
        for uri in [
            "/track/demo",
            "/track/Bad_Slug",
            "/track/A/b",
            "/console/Demo",
            "/track/",
        ] {
            assert_eq!(moved(uri), None, "{uri}");
        }
    }
}
