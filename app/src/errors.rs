//! Error values that cross the wire: field-level problems and the lookup outcome.

use serde::{Deserialize, Serialize};

/// One problem with one input field, as listed in a problem's `errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Where the problem is: a field name or a path such as `shipments[0].status`.
    pub field: String,
    /// A stable machine-readable word, e.g. `email_invalid`.
    pub code: String,
    /// A plain sentence for a person.
    pub message: String,
}

impl FieldError {
    /// Builds one field error.
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }

    /// The field a JSON body's problem is at, from its `serde_path_to_error`
    /// path: the deepest field known, else `body`. The path of a problem at the
    /// top level is ".", empty (inside the value of a key named "") or ends in
    /// "?" (the body ended inside an object).
    pub fn field_at(path: &str) -> String {
        match path.trim_end_matches(['?', '.']) {
            "" => "body".to_string(),
            known => known.to_string(),
        }
    }
}

/// Why a lookup gave no order. Deliberately coarse: a miss never says which part was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum LookupError {
    /// No order with that number and email in this shop (or no such shop).
    #[error("We could not find an order with that order number and email address.")]
    NotFound,
    /// The input itself is malformed.
    #[error("Please check the highlighted fields.")]
    Invalid(Vec<FieldError>),
    /// Too many failed lookups from this client or for this order or email: wait and retry.
    #[error("Too many attempts. Please wait a few minutes and try again.")]
    RateLimited { retry_after_secs: u64 },
    /// Something on our side failed; details are in the server log only.
    #[error("Order lookup is unavailable right now. Please try again in a moment.")]
    Unavailable,
}

/// Seconds a client is asked to wait when the database is unavailable.
pub const RETRY_UNAVAILABLE_SECS: u64 = 5;

#[cfg(feature = "ssr")]
impl LookupError {
    /// The HTTP status of this outcome and the `Retry-After` seconds that go with
    /// it: one mapping for the JSON API, the page's server function and the plain
    /// form post.
    pub fn http_status(&self) -> (http::StatusCode, Option<u64>) {
        match self {
            LookupError::NotFound => (http::StatusCode::NOT_FOUND, None),
            LookupError::Invalid(_) => (http::StatusCode::UNPROCESSABLE_ENTITY, None),
            LookupError::RateLimited { retry_after_secs } => {
                (http::StatusCode::TOO_MANY_REQUESTS, Some(*retry_after_secs))
            }
            LookupError::Unavailable => (http::StatusCode::SERVICE_UNAVAILABLE, Some(RETRY_UNAVAILABLE_SECS)),
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for LookupError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(e: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr;
        let error = match e {
            // A request whose fields cannot be read (one given twice, say):
            // the client's mistake, said as on every lookup path (422).
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::Deserialization(_) => {
                LookupError::Invalid(vec![FieldError::new(
                    "body",
                    "malformed",
                    "The request's fields cannot be read: send each of them once, as text.",
                )])
            }
            // Transport failures say nothing useful to a shopper.
            _ => LookupError::Unavailable,
        };
        // Said in the status line too, as a lookup's outcome is (not a 500).
        #[cfg(feature = "ssr")]
        crate::lookup::answer_status(&error);
        error
    }
}

/// What went wrong reading or writing stored JSON, without any of its content:
/// serde's own message quotes the value it stumbled on ("invalid type: string
/// \"ada@example.com\""), which may be a shopper's, and these go to logs.
#[cfg(feature = "ssr")]
pub fn json_problem(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not JSON",
        serde_json::error::Category::Data => "JSON of another shape",
        serde_json::error::Category::Eof => "cut-off JSON",
    };
    format!("{kind} at line {} column {}", e.line(), e.column())
}

#[cfg(all(test, feature = "ssr"))]
mod json_problem_tests {
    use super::*;

    #[test]
    fn says_where_but_quotes_nothing() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Count {
            count: u32,
        }
        for stored in [
            r#"{"count": "ada@example.com"}"#,
            r#"{"count": 1, "ada@example.com": 2}"#,
        ] {
            let e = serde_json::from_str::<Count>(stored).unwrap_err();
            assert!(e.to_string().contains("ada"), "serde's own message quotes it: {e}");
            let said = json_problem(&e);
            assert!(!said.contains("ada"), "{said}");
            assert!(said.contains(" at line 1 column "), "{said}");
        }
    }
}
