//! The embeddable widget: the `embed.js` loader, the frame's resize script, the
//! frame-ancestors policy that lets only a shop's own sites frame its widget, and
//! the script tag merchants paste.

use crate::assets::Representations;
use app::i18n::{t, Locale};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256, Sha384};

/// The loader merchants include with one script tag.
pub const LOADER: &str = include_str!("../assets/embed.js");
/// The script inside the frame that reports its height and language to the parent page.
pub const FRAME_SCRIPT: &str = include_str!("../assets/embed-frame.js");

/// The Subresource Integrity value of the loader this binary serves (`sha384-...`).
pub fn integrity() -> String {
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(LOADER.as_bytes()))
    )
}

/// The tags a merchant pastes, for a Lookout served at `base_url`: a link to
/// the tracking page, in `locale` (the shop's language; the page itself
/// follows the shopper's), which the loader after it puts the widget in place
/// of; where the loader never runs (no JavaScript, a page policy that blocks
/// it, an `integrity` value older than the loader after an upgrade) the link
/// stays.
pub fn snippet(base_url: &str, slug: &str, locale: Locale) -> String {
    let base = base_url.trim_end_matches('/');
    format!(
        "<a href=\"{base}/track/{slug}\" lang=\"{}\" data-lookout-link>{}</a>\n\
         <script src=\"{base}/embed.js\" data-shop=\"{slug}\" integrity=\"{}\" crossorigin=\"anonymous\" async></script>",
        locale.lang_tag(),
        t(locale, "page.title"),
        integrity(),
    )
}

/// A strong ETag for a body: a quoted SHA-256 prefix.
pub fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!(
        "\"{}\"",
        digest.iter().take(16).map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// The loader's or the frame script's representations: the file as it is and
/// brotli and gzip copies of it, made on first use (see [`Representations`]).
type Served = tokio::sync::OnceCell<Representations>;

/// Answers a static script with an ETag of the representation sent (its brotli,
/// gzip or plain body, each with its own), cache and CORS headers, or 304 when
/// `If-None-Match` names that representation's ETag.
async fn asset(body: &'static str, served: &'static Served, headers: &HeaderMap) -> Response {
    let representations = served
        .get_or_init(|| Representations::compressed(body.as_bytes()))
        .await;
    let mut response = representations.respond(headers);
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    // Short: merchants reference a fixed URL, and a new release should reach them within minutes.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300, must-revalidate"),
    );
    // Needed for `integrity` with `crossorigin="anonymous"` on another site.
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

/// `GET /embed.js`
pub async fn loader(headers: HeaderMap) -> Response {
    static SERVED: Served = Served::const_new();
    asset(LOADER, &SERVED, &headers).await
}

/// `GET /embed-frame.js`
pub async fn frame_script(headers: HeaderMap) -> Response {
    static SERVED: Served = Served::const_new();
    asset(FRAME_SCRIPT, &SERVED, &headers).await
}

/// How long the frame rule waits for its shop.
const SHOP_READ: std::time::Duration = std::time::Duration::from_secs(5);

/// Who may frame each page: `/embed/{shop}` the shop's allowed origins and
/// Lookout's own pages (the console's preview), every other page nobody.
pub async fn frame_policy(State(store): State<app::store::Store>, req: Request<Body>, next: Next) -> Response {
    // In lower case, as the redirect of `/embed/ALPHA` to `/embed/alpha`
    // (`mended::addresses`, inside this layer) is framed as its page.
    let slug = req
        .uri()
        .path()
        .strip_prefix("/embed/")
        .map(|rest| rest.split('/').next().unwrap_or_default().to_ascii_lowercase());
    let ancestors = match slug {
        // What cannot be a slug is no shop: no query for it.
        Some(slug) if !app::normalize::is_slug(&slug) => "'none'".to_string(),
        // Lookout's own pages (the console's preview) and the shop's sites.
        // Bounded: this layer is outside the request's timeout (a database that
        // stopped answering frames the answer for nobody, not never).
        Some(slug) => match tokio::time::timeout(SHOP_READ, store.shop(&slug)).await {
            Ok(Ok(Some(shop))) => std::iter::once("'self'")
                .chain(shop.allowed_origins.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" "),
            _ => "'none'".to_string(),
        },
        None => "'none'".to_string(),
    };
    let mut response = next.run(req).await;
    let frame = format!("frame-ancestors {ancestors}");
    // Pages carry their own policy (with a nonce); add the frame rule to it.
    let policy = match response
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
    {
        Some(existing) => format!("{existing}; {frame}"),
        None => frame,
    };
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    // For browsers without frame-ancestors; a list of origins has no equivalent.
    let legacy = match ancestors.as_str() {
        "'none'" => Some("DENY"),
        "'self'" => Some("SAMEORIGIN"),
        _ => None,
    };
    if let Some(legacy) = legacy {
        response
            .headers_mut()
            .insert(header::X_FRAME_OPTIONS, HeaderValue::from_static(legacy));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gzip size of `bytes`, by the system's gzip (as a web server would send it).
    fn gzip_len(bytes: &[u8]) -> usize {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let mut child = Command::new("gzip")
            .arg("-9c")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(bytes).unwrap();
        child.wait_with_output().unwrap().stdout.len()
    }

    #[test]
    fn the_loader_is_under_5_5_kib_raw_and_2_5_kib_gzipped() {
        assert!(LOADER.len() < 5632, "raw {} bytes", LOADER.len());
        let gz = gzip_len(LOADER.as_bytes());
        assert!(gz < 2560, "gzipped {gz} bytes");
    }

    #[test]
    fn the_snippet_carries_the_integrity_of_the_served_loader() {
        let tag = snippet("https://lookout.example/", "demo", Locale::De);
        let (link, script) = tag.split_once('\n').expect("two tags");
        assert_eq!(
            link,
            r#"<a href="https://lookout.example/track/demo" lang="de" data-lookout-link>Bestellung verfolgen</a>"#
        );
        assert!(
            script.starts_with(r#"<script src="https://lookout.example/embed.js" data-shop="demo" integrity="sha384-"#)
        );
        assert!(script.ends_with(r#"crossorigin="anonymous" async></script>"#));
        assert!(script.contains(&format!(r#"integrity="{}""#, integrity())));
        assert_eq!(integrity().len(), "sha384-".len() + 64);
        // The loader knows the link by its attribute.
        assert!(LOADER.contains(r#"hasAttribute("data-lookout-link")"#));
    }

    #[test]
    fn the_loaders_link_says_what_the_pages_title_says_in_each_language() {
        for locale in Locale::ALL {
            // A code that is no JavaScript name (`zh-Hant`) is quoted.
            let title = t(locale, "page.title");
            let said = [
                format!("{}: \"{title}\"", locale.code()),
                format!("\"{}\": \"{title}\"", locale.code()),
            ];
            assert!(said.iter().any(|said| LOADER.contains(said)), "embed.js lacks {said:?}");
            // Its link's lang is the pages' lang.
            let tagged = format!("{}: \"{}\"", locale.code(), locale.lang_tag());
            assert_eq!(
                LOADER.contains(&tagged),
                locale.lang_tag() != locale.code(),
                "embed.js's page tags (its function `tag`) and {tagged}"
            );
        }
    }
}
