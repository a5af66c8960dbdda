//! What answers when no route does. A path nothing serves is 404: a problem
//! document under `/api/`, else the "Page not found" page (or a file of the site
//! root, as Leptos serves them). An endpoint asked with a method it does not
//! answer is 405, a problem document under `/api/` (axum adds `Allow`). A path
//! under `/console/` that no route serves is the console's own page saying so,
//! in the reader's language, with the way back to the console. (Addresses
//! typed or pasted with a fault are mended before routing: `mended`.)
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
    if crate::console::is_console(req.uri().path()) {
        return crate::console::no_page(&state, &req.into_parts().0).await;
    }
    if req.method() == Method::GET || req.method() == Method::HEAD {
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
    fn the_api_is_its_prefix() {
        assert!(is_api("/api/v1/nothing") && is_api("/api/track") && is_api("/api"));
        assert!(!is_api("/apis") && !is_api("/track/api"));
    }
}
