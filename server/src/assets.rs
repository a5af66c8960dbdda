//! The built site assets (`pkg/`: CSS, JavaScript, WebAssembly), read once at start
//! and served from memory with strong ETags.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Arc;

/// One file of the site.
struct Asset {
    body: Bytes,
    etag: String,
    content_type: &'static str,
}

/// The files under `<site root>/pkg`, by name.
#[derive(Clone, Default)]
pub struct Assets(Arc<HashMap<String, Asset>>);

impl Assets {
    /// Reads every file in `<site_root>/pkg`; without that folder, the site bundled
    /// into the executable (`lookout bundle-site`), if any. With neither there are no
    /// assets (pages still render and work as plain HTML; start-up warns about it).
    pub fn load(site_root: &std::path::Path) -> Assets {
        let mut found = vec![];
        if let Ok(entries) = std::fs::read_dir(site_root.join("pkg")) {
            for entry in entries.flatten() {
                if let Ok(body) = std::fs::read(entry.path()) {
                    found.push((entry.file_name().to_string_lossy().into_owned(), body));
                }
            }
        }
        if found.is_empty() {
            found = crate::bundle::of_this_executable();
        }
        let files = found
            .into_iter()
            .map(|(name, body)| {
                let asset = Asset {
                    content_type: content_type(&name),
                    etag: crate::embed::etag(&body),
                    body: Bytes::from(body),
                };
                (name, asset)
            })
            .collect();
        Assets(Arc::new(files))
    }

    /// How many files were loaded.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when no file was loaded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("wasm") => "application/wasm",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// `GET /pkg/{file}`: 200 with the file, 304 when the ETag matches, 404 otherwise.
pub async fn pkg(State(assets): State<Assets>, Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = assets.0.get(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == asset.etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        asset.body.clone().into_response()
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    // File names are not content-hashed: always revalidate (a 304 is cheap), so a page
    // never pairs new JavaScript with old WebAssembly after a deploy.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&asset.etag) {
        h.insert(header::ETAG, v);
    }
    response
}
