//! Pages the server renders itself (the console, the list behind an order link):
//! one finished document, answered as private HTML under its own policy.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// `html` (a rendered `<html>` element) as a page: its doctype, UTF-8, the
/// Content-Security-Policy `policy`, never cached.
pub fn private_page(status: StatusCode, html: String, policy: &'static str) -> Response {
    let mut response = (status, format!("<!DOCTYPE html>{html}")).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
