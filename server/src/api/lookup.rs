//! `POST /api/v1/shops/{shop}/lookup`: the shopper's lookup as JSON.

use super::auth::ClientOf;
use super::body;
use super::path::ApiPath;
use crate::problem::ApiError;
use app::errors::FieldError;
use app::limits::LookupLimits;
use app::store::Store;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;

const MAX_LOOKUP_BODY: usize = 16 * 1024;

/// What a lookup body must be, as its errors say it.
const LOOKUP_BODY: &str = "a JSON object with `email` and `order_number`";

/// Looks an order up. Unknown order, wrong email and unknown shop all answer the same 404.
/// The body must say it is JSON: a form or `text/plain` post from another site's
/// page (which a browser sends without asking) is refused with 415.
#[utoipa::path(
    post,
    path = "/api/v1/shops/{shop}/lookup",
    tag = "shopper",
    operation_id = "lookup",
    summary = "Look an order up by email and order number",
    params(("shop" = String, Path, description = "The shop's slug, `[a-z0-9-]{1,64}`", example = "demo")),
    request_body(content = super::openapi::LookupRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The order as its shopper may see it", body = app::view::ShopperView),
        (status = 404, description = "No order with this number and email in this shop (every kind of miss alike)", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 16 KiB", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as application/json, or is sent compressed (a `Content-Encoding` other than `identity`)", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or malformed; `errors` lists them", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed lookups; `Retry-After` says when to try again", body = crate::problem::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable; `Retry-After`", body = crate::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn lookup(
    State(store): State<Store>,
    State(limits): State<Arc<LookupLimits>>,
    ClientOf(client): ClientOf,
    ApiPath(shop): ApiPath<String>,
    req: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = req.into_parts();
    if !is_json(&parts.headers) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let bytes = body::read(body, MAX_LOOKUP_BODY).await?;
    let (email, order_number) = fields(&bytes)?;
    let view = app::lookup::lookup(&store, &limits, &client, &shop, &email, &order_number).await?;
    // The stored view is the answer's JSON, byte for byte: nothing to parse or build.
    Ok(([(header::CONTENT_TYPE, "application/json")], view.into_string()).into_response())
}

/// A lookup body's two fields as most are sent: an object of plain strings,
/// borrowed from the body. Other fields go the long way, which checks them
/// (serde skips a field it does not know without checking all of it).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Plain<'a> {
    email: Option<&'a str>,
    order_number: Option<&'a str>,
}

/// The body's `email` and `order_number`. An object whose fields are strings
/// without escapes is read straight into them; anything else (escapes, other
/// types, another shape) is read as JSON first and then as an object, so that
/// no message of serde's (which names the Rust type it expected) reaches the
/// client, and an array is not taken for the object's fields in order. Absent
/// and `null` are empty (the validator then says they are required); other
/// fields are ignored; `email` or `order_number` given twice is refused, as
/// an order body's fields are (which one was meant cannot be known).
fn fields(bytes: &[u8]) -> Result<(Cow<'_, str>, Cow<'_, str>), ApiError> {
    let is_object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if let (true, Ok(plain)) = (is_object, serde_json::from_slice::<Plain>(bytes)) {
        let (email, order_number) = (plain.email.unwrap_or_default(), plain.order_number.unwrap_or_default());
        return Ok((Cow::Borrowed(email), Cow::Borrowed(order_number)));
    }
    let mut fields = match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(fields)) => fields,
        Ok(_) => return Err(malformed(format!("The body must be {LOOKUP_BODY}."))),
        Err(e) => {
            return Err(malformed(format!(
                "The body is not valid JSON ({e}); send {LOOKUP_BODY}."
            )))
        }
    };
    if let Some(field) = body::given_twice::<Named>(bytes) {
        return Err(ApiError::Validation(vec![field]));
    }
    let mut errors = Vec::new();
    let email = text_field(fields.remove("email"), "email", &mut errors);
    let order_number = text_field(fields.remove("order_number"), "order_number", &mut errors);
    match errors.is_empty() {
        true => Ok((Cow::Owned(email), Cow::Owned(order_number))),
        false => Err(ApiError::Validation(errors)),
    }
}

/// The lookup's fields by name, whatever their values, other fields ignored:
/// read only to find one given twice.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Named {
    email: Option<serde::de::IgnoredAny>,
    order_number: Option<serde::de::IgnoredAny>,
}

/// True when `Content-Type` is `application/json` (parameters such as a charset allowed).
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// A body that is not a lookup's, as its one field error.
fn malformed(message: String) -> ApiError {
    ApiError::Validation(vec![FieldError::new("body", "malformed", message)])
}

/// A JSON string field; absent is empty (the validator then says it is required).
fn text_field(value: Option<Value>, name: &str, errors: &mut Vec<FieldError>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s,
        Some(_) => {
            errors.push(FieldError::new(
                name,
                "malformed",
                format!("`{name}` must be a string."),
            ));
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fields read, or the fields and codes of the errors.
    fn read(body: &str) -> Result<(String, String), Vec<String>> {
        match fields(body.as_bytes()) {
            Ok((email, number)) => Ok((email.into_owned(), number.into_owned())),
            Err(ApiError::Validation(errors)) => {
                Err(errors.iter().map(|e| format!("{}:{}", e.field, e.code)).collect())
            }
            Err(other) => panic!("not a validation error: {other:?}"),
        }
    }

    fn ok(email: &str, number: &str) -> Result<(String, String), Vec<String>> {
        Ok((email.to_string(), number.to_string()))
    }

    #[test]
    fn every_shape_of_body_reads_as_its_json_says() {
        assert_eq!(
            read(r##"{"email":"ada@example.com","order_number":"#1001"}"##),
            ok("ada@example.com", "#1001")
        );
        // Plain strings are not copied.
        assert!(matches!(
            fields(br#" {"order_number":"1","email":"a"}"#),
            Ok((Cow::Borrowed("a"), Cow::Borrowed("1")))
        ));
        assert_eq!(
            read(r#"{"email":"ada\u0040example.com","order_number":"\"1\\"}"#),
            ok("ada@example.com", "\"1\\")
        );
        assert_eq!(read(r#"{"email":null}"#), ok("", ""));
        // Which one was meant cannot be known; another field twice is ignored.
        assert_eq!(
            read(r#"{"email":"a","email":"b","order_number":"1"}"#),
            Err(vec!["email:duplicate".to_string()])
        );
        assert_eq!(read(r#"{"email":"a","x":1,"x":2,"order_number":"1"}"#), ok("a", "1"));
        assert_eq!(
            read(r#"{"email":"a","order_number":"1","more":[1,{"x":2}]}"#),
            ok("a", "1")
        );
        // Other fields are still JSON: a number out of range, a lone surrogate,
        // nesting too deep, bytes that are not UTF-8.
        let deep = format!(
            r#"{{"email":"a","order_number":"1","more":{}1{}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        let not_utf8 = [&br#"{"email":"a","order_number":"1","more":""#[..], b"\xff\"}"].concat();
        for body in [
            br#"{"email":"a","order_number":"1","more":1e400}"#.as_slice(),
            br#"{"email":"a","order_number":"1","more":"\ud800"}"#.as_slice(),
            deep.as_bytes(),
            not_utf8.as_slice(),
        ] {
            assert!(
                matches!(fields(body), Err(ApiError::Validation(_))),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert_eq!(read(r#"["a","1"]"#), Err(vec!["body:malformed".to_string()]));
        assert_eq!(
            read(r#"{"email":"a","order_number":"1"} x"#),
            Err(vec!["body:malformed".to_string()])
        );
        assert_eq!(read("{nope"), Err(vec!["body:malformed".to_string()]));
        assert_eq!(
            read(r#"{"email":5,"order_number":["1"]}"#),
            Err(vec![
                "email:malformed".to_string(),
                "order_number:malformed".to_string()
            ])
        );
    }

    proptest::proptest! {
        #[test]
        fn any_two_strings_read_back_as_sent(email in "\\PC{0,40}", number in "[\"\\\\\\x00-\\x1f #a-z0-9é]{0,20}") {
            let body = serde_json::json!({"order_number": number, "email": email}).to_string();
            proptest::prop_assert_eq!(read(&body), Ok((email, number)));
        }
    }
}
