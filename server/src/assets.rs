//! The built site assets (`pkg/`: CSS, JavaScript, WebAssembly), read once at start
//! and served from memory.
//!
//! Pages name them by content: `lookout.<hash>.js`, `.wasm` and `.css`, where the
//! hash covers all three, so a browser may keep them for a year without asking
//! again (`Cache-Control: immutable`) and a deploy can never pair new JavaScript
//! with old WebAssembly. The plain names (`lookout.css`) still answer, revalidated
//! on every use. Where the build left a brotli (`.br`) or gzip (`.gz`) copy beside
//! a file, a client that accepts it gets that copy as it is: nothing is compressed
//! per request. Each copy is a representation with an ETag of its own
//! ([`Representations`]), which the widget's scripts (`embed.rs`) use too.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

/// The site's file names before hashing: the stylesheet, the module script and
/// the WebAssembly it loads.
const STEM: &str = "lookout";
const HASHED: [&str; 3] = ["js", "wasm", "css"];

/// One file of the site, with the compressed copies the build made of it. Cheap
/// to clone: a file answering to several names shares its bytes.
#[derive(Clone)]
struct Asset {
    representations: Representations,
    content_type: &'static str,
    /// Named by its content: never changes.
    immutable: bool,
}

/// A file as it is and the brotli and gzip copies there are of it, each a
/// representation of its own with its own strong ETag (the file's, suffixed
/// `-br` or `-gzip`): a cache that holds one encoding never revalidates it with
/// another's tag. Served by [`Representations::respond`].
#[derive(Clone)]
pub struct Representations {
    plain: Encoded,
    br: Option<Encoded>,
    gzip: Option<Encoded>,
}

/// One representation of a file, with its own strong ETag.
#[derive(Clone)]
struct Encoded {
    body: Bytes,
    etag: String,
}

impl Representations {
    /// `plain` and the copies of it there are.
    pub fn new(plain: Bytes, br: Option<Bytes>, gzip: Option<Bytes>) -> Representations {
        let etag = crate::embed::etag(&plain);
        let copy = |body: Option<Bytes>, coding: &str| {
            body.map(|body| Encoded {
                body,
                etag: format!("{}-{coding}\"", etag.trim_end_matches('"')),
            })
        };
        Representations {
            br: copy(br, "br"),
            gzip: copy(gzip, "gzip"),
            plain: Encoded { body: plain, etag },
        }
    }

    /// `body` with brotli and gzip copies made of it here, once, at the best level
    /// (for files that no build step compresses, such as the widget's loader).
    pub async fn compressed(body: &'static [u8]) -> Representations {
        Representations::new(
            Bytes::from_static(body),
            compress(body, "br").await,
            compress(body, "gzip").await,
        )
    }

    /// The representation a request gets (brotli, else gzip, when accepted and
    /// there is such a copy) and its content coding.
    fn chosen(&self, headers: &HeaderMap) -> (&Encoded, Option<&'static str>) {
        match (&self.br, &self.gzip) {
            (Some(br), _) if accepts(headers, "br") => (br, Some("br")),
            (_, Some(gz)) if accepts(headers, "gzip") => (gz, Some("gzip")),
            _ => (&self.plain, None),
        }
    }

    /// 200 with the representation the request gets, or 304 when `If-None-Match`
    /// names its ETag (or is `*`), with `ETag`, `Content-Encoding` and, when there
    /// are copies, `Vary: accept-encoding`. The caller adds the rest.
    pub fn respond(&self, headers: &HeaderMap) -> Response {
        let (chosen, encoding) = self.chosen(headers);
        let mut response = if none_match(headers, &chosen.etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            chosen.body.clone().into_response()
        };
        let h = response.headers_mut();
        if let Some(coding) = encoding {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        if self.br.is_some() || self.gzip.is_some() {
            h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        if let Ok(v) = HeaderValue::from_str(&chosen.etag) {
            h.insert(header::ETAG, v);
        }
        response
    }
}

/// Whether `If-None-Match` names `etag` (compared weakly, as RFC 9110 says for
/// it) or is `*`: the client's copy is current.
fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// `body` compressed with `coding` (`br` or `gzip`) by the compressor that
/// compresses other answers (tower-http's), at its best level; `None` if it
/// declined.
async fn compress(body: &'static [u8], coding: &'static str) -> Option<Bytes> {
    use tower_http::compression::{CompressionLayer, CompressionLevel};
    let compressor = CompressionLayer::new().quality(CompressionLevel::Best);
    let plain = Response::new(axum::body::Body::from(body));
    let response = crate::compress::compressed_by(compressor, plain, HeaderValue::from_static(coding))
        .await
        .ok()?;
    let encoded = response
        .headers()
        .get(header::CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes() == coding.as_bytes());
    if !encoded {
        return None;
    }
    axum::body::to_bytes(response.into_body(), usize::MAX).await.ok()
}

/// The files under `<site root>/pkg`, by the names they are served at.
#[derive(Clone, Default)]
pub struct Assets {
    files: Arc<HashMap<String, Asset>>,
    /// `lookout.<hash>`: what the page's scripts and stylesheet are named after.
    output_name: Option<String>,
}

impl Assets {
    /// Reads every file in `<site_root>/pkg` when they make a site (see
    /// [`Assets::is_site`]); else the site bundled into the executable
    /// (`lookout bundle-site`), if any; else what the folder held. With none
    /// there are no assets (pages still render and work as plain HTML;
    /// start-up warns about it, or stops when the folder was named).
    pub fn load(site_root: &std::path::Path) -> Assets {
        let mut found = vec![];
        if let Ok(entries) = std::fs::read_dir(site_root.join("pkg")) {
            for entry in entries.flatten() {
                if let Ok(body) = std::fs::read(entry.path()) {
                    found.push((entry.file_name().to_string_lossy().into_owned(), body));
                }
            }
        }
        let on_disk = Assets::of(found);
        if on_disk.is_site() {
            return on_disk;
        }
        match Assets::of(crate::bundle::of_this_executable()) {
            bundled if !bundled.is_empty() => bundled,
            _ => on_disk,
        }
    }

    /// The files a site is made of, as `<site_root>/pkg` holds them.
    pub fn site_files() -> impl Iterator<Item = String> {
        HASHED.iter().map(|ext| format!("pkg/{STEM}.{ext}"))
    }

    /// Whether the site's stylesheet, script and WebAssembly are all here.
    pub fn is_site(&self) -> bool {
        HASHED
            .iter()
            .all(|ext| self.files.contains_key(&format!("{STEM}.{ext}")))
    }

    /// The assets made of these (name, contents) pairs.
    fn of(found: Vec<(String, Vec<u8>)>) -> Assets {
        let mut plain: HashMap<String, Vec<u8>> = HashMap::new();
        let mut compressed: HashMap<String, Vec<u8>> = HashMap::new();
        for (name, body) in found {
            if name.contains(".d.ts") {
                continue; // TypeScript declarations are for developers, not browsers.
            }
            if name.ends_with(".br") || name.ends_with(".gz") {
                compressed.insert(name, body);
            } else {
                plain.insert(name, body);
            }
        }
        // One hash over the three files, in a fixed order.
        let mut hash = Sha256::new();
        let mut any = false;
        for ext in HASHED {
            if let Some(body) = plain.get(&format!("{STEM}.{ext}")) {
                hash.update(ext.as_bytes());
                hash.update((body.len() as u64).to_le_bytes());
                hash.update(body);
                any = true;
            }
        }
        let output_name = any.then(|| {
            let digest = hash.finalize();
            let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
            format!("{STEM}.{hex}")
        });
        let mut files = HashMap::new();
        for (name, body) in plain {
            // Each encoding is a different representation, with an ETag of its own.
            let mut copy = |suffix: &str| compressed.remove(&format!("{name}.{suffix}")).map(Bytes::from);
            let (br, gzip) = (copy("br"), copy("gz"));
            let asset = Asset {
                representations: Representations::new(Bytes::from(body), br, gzip),
                content_type: content_type(&name),
                immutable: false,
            };
            let ext = name
                .strip_prefix(&format!("{STEM}."))
                .filter(|ext| HASHED.contains(ext));
            if let (Some(ext), Some(output)) = (ext, &output_name) {
                let hashed = Asset {
                    immutable: true,
                    ..asset.clone()
                };
                if ext == "wasm" {
                    // The name Leptos asks for when the server was compiled without
                    // LEPTOS_OUTPUT_NAME (wasm-bindgen's default suffix).
                    files.insert(format!("{output}_bg.wasm"), hashed.clone());
                }
                files.insert(format!("{output}.{ext}"), hashed);
            }
            files.insert(name, asset);
        }
        Assets {
            files: Arc::new(files),
            output_name,
        }
    }

    /// `lookout.<hash>`, the name the page's assets go by, when there are any.
    pub fn output_name(&self) -> Option<&str> {
        self.output_name.as_deref()
    }

    /// How many files were loaded (each counted under every name it answers to).
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when no file was loaded.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
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

/// Whether `Accept-Encoding` accepts `coding` (named, or `*`, with a q-value above 0).
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    // The coding's own entry decides; `*` only speaks for codings not named.
    let (mut named, mut any) = (None, None);
    for item in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let refused = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        if name.eq_ignore_ascii_case(coding) {
            named = Some(!refused);
        } else if name == "*" {
            any = Some(!refused);
        }
    }
    named.or(any).unwrap_or(false)
}

/// `GET /pkg/{file}`: 200 with the file (its brotli or gzip copy when the client
/// accepts one), 304 when the ETag matches, 404 otherwise.
pub async fn pkg(State(assets): State<Assets>, Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = assets.files.get(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = asset.representations.respond(&headers);
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if asset.immutable {
            "public, max-age=31536000, immutable"
        } else {
            // A plain name may change with a deploy: always revalidate (a 304 is cheap).
            "no-cache"
        }),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Assets {
        Assets::of(vec![
            ("lookout.js".into(), b"js".to_vec()),
            ("lookout.wasm".into(), b"wasm".to_vec()),
            ("lookout.wasm.br".into(), b"wasm-br".to_vec()),
            ("lookout.css".into(), b"css".to_vec()),
            ("lookout.d.ts".into(), b"types".to_vec()),
        ])
    }

    #[test]
    fn one_hash_names_all_three_and_changes_with_any() {
        let name = site().output_name().unwrap().to_string();
        assert!(
            name.starts_with("lookout.") && name.len() == "lookout.".len() + 16,
            "{name}"
        );
        let changed = Assets::of(vec![
            ("lookout.js".into(), b"js".to_vec()),
            ("lookout.wasm".into(), b"wasm".to_vec()),
            ("lookout.css".into(), b"css2".to_vec()),
        ]);
        assert_ne!(changed.output_name().unwrap(), name);
        let assets = site();
        assert!(assets.files[&format!("{name}_bg.wasm")].immutable);
        for ext in ["js", "wasm", "css"] {
            assert!(assets.files[&format!("{name}.{ext}")].immutable);
            assert!(!assets.files[&format!("lookout.{ext}")].immutable);
        }
        assert!(!assets.files.contains_key("lookout.d.ts"));
        assert!(
            !assets.files.contains_key("lookout.wasm.br"),
            "copies are served under the file's name"
        );
        assert_eq!(
            assets.files["lookout.wasm"]
                .representations
                .br
                .as_ref()
                .map(|e| &e.body[..]),
            Some(&b"wasm-br"[..])
        );
    }

    #[test]
    fn accept_encoding_is_read_with_its_q_values() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            h
        };
        assert!(accepts(&with("gzip, deflate, br, zstd"), "br"));
        assert!(accepts(&with("BR;q=0.5"), "br"));
        assert!(!accepts(&with("br;q=0, gzip"), "br"));
        assert!(accepts(&with("*"), "gzip"));
        assert!(!accepts(&with("gzip"), "br"));
        assert!(!accepts(&HeaderMap::new(), "gzip"));
        // A coding refused by name stays refused whatever `*` says, and the other way round.
        assert!(!accepts(&with("br;q=0, *"), "br"));
        assert!(accepts(&with("br;q=0, *"), "gzip"));
        assert!(accepts(&with("*;q=0, gzip"), "gzip"));
        assert!(!accepts(&with("*;q=0, gzip"), "br"));
    }
}
