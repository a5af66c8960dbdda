//! Reading request bodies with a limit that answers 413 as a problem, and saying
//! in plain words what a body must be when it is JSON of the wrong shape.

use crate::problem::ApiError;
use app::errors::FieldError;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Refuses a request whose body is compressed (a `Content-Encoding` other
/// than `identity`, or a `Transfer-Encoding` other than `chunked`, on a
/// `POST`, `PUT` or `PATCH`) with 415 and `Accept-Encoding: identity` before
/// anything reads it or checks its key: the API reads bodies as sent, and
/// would otherwise call a gzip body "not valid JSON". Each header's values
/// are read item by item (`identity, identity` is none; an empty item is no
/// coding). The header and its value are said when the value is a short
/// plain word.
pub async fn refuse_encoded(req: Request, next: Next) -> Response {
    use axum::http::{header, HeaderValue, Method};
    if !matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH) {
        return next.run(req).await;
    }
    let codings = [
        (header::CONTENT_ENCODING, "Content-Encoding", "identity"),
        (header::TRANSFER_ENCODING, "Transfer-Encoding", "chunked"),
    ];
    for (name, said, plain) in codings {
        let mut values = req.headers().get_all(&name).iter();
        let refused = values.find(|value| match value.to_str() {
            Ok(text) => text
                .split(',')
                .map(str::trim)
                .any(|item| !item.is_empty() && !item.eq_ignore_ascii_case(plain)),
            Err(_) => true,
        });
        if let Some(value) = refused {
            let shown = value.to_str().ok().map(str::trim).filter(|v| {
                v.len() <= 32
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b',' | b' '))
            });
            let mut answer = ApiError::UnsupportedEncoding(said, shown.map(str::to_string)).into_response();
            answer
                .headers_mut()
                .insert(header::ACCEPT_ENCODING, HeaderValue::from_static("identity"));
            return answer;
        }
    }
    next.run(req).await
}

/// Reads at most `limit` bytes; more is `TooLarge`, a broken stream is a validation error.
pub async fn read(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => Ok(bytes),
        Err(e) => {
            let too_large = std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            if too_large {
                Err(ApiError::TooLarge)
            } else {
                Err(ApiError::Validation(vec![FieldError::new(
                    "body",
                    "unreadable",
                    "The request body could not be read.",
                )]))
            }
        }
    }
}

/// When `bytes` is well-formed JSON whose top level is not an object (`[]`,
/// `"text"`, `1`, `null`), the one error to give instead of serde's, whose message
/// names the Rust type it expected (`struct OrderInput with 20 elements`).
/// `expected` says what the body must be: "The body must be {expected}."
/// Anything else (an object, or not JSON at all) is `None`: serde's own messages
/// for those are plain.
pub fn not_an_object(bytes: &[u8], expected: &str) -> Option<FieldError> {
    // After a byte order mark, as the order's reader skips one.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') || serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err() {
        return None;
    }
    Some(FieldError::new(
        "body",
        "malformed",
        format!("The body must be {expected}."),
    ))
}

/// serde's message about a value, without the Rust type names it may hold
/// (`expected struct Customer`, `untagged enum RawId`): those say nothing to a
/// sender and tell a stranger how the server is written.
pub fn plain_serde(message: &str) -> String {
    const STRUCT: &str = "expected struct ";
    if message.contains("untagged enum") {
        let at = message.find(" at line ").map_or("", |i| &message[i..]);
        return format!("a value of a type this field does not take{at}");
    }
    match message.find(STRUCT) {
        Some(i) => {
            let rest = &message[i + STRUCT.len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            format!("{}expected an object{}", &message[..i], &rest[end..])
        }
        None => message.to_string(),
    }
}

/// The error for a field `T` names that the JSON object `bytes` gives twice, if any.
pub fn given_twice<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<FieldError> {
    let e = serde_json::from_slice::<T>(bytes).err()?;
    let message = e.to_string();
    let name = message.strip_prefix("duplicate field `")?.split('`').next()?;
    Some(FieldError::new(
        name,
        "duplicate",
        format!("`{name}` is given twice; send it once."),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_lose_their_rust_type_names() {
        assert_eq!(
            plain_serde("invalid type: string \"x\", expected struct Customer at line 1 column 9"),
            "invalid type: string \"x\", expected an object at line 1 column 9"
        );
        assert_eq!(
            plain_serde("data did not match any variant of untagged enum RawId at line 1 column 12"),
            "a value of a type this field does not take at line 1 column 12"
        );
        assert_eq!(
            plain_serde("expected u32 at line 1 column 2"),
            "expected u32 at line 1 column 2"
        );
    }

    #[test]
    fn only_json_of_another_shape_than_an_object_is_named_so() {
        for body in ["[]", " [1, 2] ", "\"order\"", "42", "null", "true"] {
            let error = not_an_object(body.as_bytes(), "an order").expect(body);
            assert_eq!((error.field.as_str(), error.code.as_str()), ("body", "malformed"));
            assert_eq!(error.message, "The body must be an order.");
        }
        // After a byte order mark, the same.
        let marked = [b"\xEF\xBB\xBF".as_slice(), b"[\"#1\", \"a@b.co\"]"].concat();
        assert_eq!(
            not_an_object(&marked, "an order").map(|e| e.message),
            Some("The body must be an order.".into())
        );
        for body in ["{}", " {\"a\": 1}", "{nope", "[", "", "not json"] {
            assert!(not_an_object(body.as_bytes(), "an order").is_none(), "{body}");
        }
    }
}
