//! The API's path segments (a shop's slug, an order number), taken from the
//! route as axum's `Path` takes them, with its refusals as problem documents:
//! a segment whose percent-escapes are not UTF-8 (`%C3%28`) is a 422 naming
//! it, not axum's plain-text 400.

use crate::problem::ApiError;
use app::errors::FieldError;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The route's parameters, as `Path` gives them.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(refused(rejection)),
        }
    }
}

fn refused(rejection: PathRejection) -> ApiError {
    let PathRejection::FailedToDeserializePathParams(failed) = rejection else {
        // The route has no parameters of these names: the program's fault.
        return ApiError::Internal(format!("a route's parameters: {rejection}"));
    };
    let error = match failed.kind() {
        ErrorKind::InvalidUtf8InPathParam { key } => {
            let example = match key.as_str() {
                "order_number" => " (`#1001` is `%231001`)",
                _ => "",
            };
            FieldError::new(
                key.as_str(),
                "invalid_encoding",
                format!("`{key}` in the path is not text: its percent-escapes must be UTF-8{example}."),
            )
        }
        _ => FieldError::new("path", "malformed", failed.body_text()),
    };
    ApiError::Validation(vec![error])
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_segment_that_is_not_utf8_is_a_problem_naming_it() {
        let app = Router::new().route(
            "/shops/{shop}/orders/{order_number}",
            get(|ApiPath((shop, number)): ApiPath<(String, String)>| async move { format!("{shop} {number}") }),
        );
        let ask = |uri: &'static str| {
            let app = app.clone();
            async move {
                let res = app
                    .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                let bytes = axum::body::to_bytes(res.into_body(), 1 << 16).await.unwrap();
                (status, String::from_utf8_lossy(&bytes).into_owned())
            }
        };
        assert_eq!(
            ask("/shops/alpha/orders/%231001").await,
            (200, "alpha #1001".to_string())
        );
        let (status, body) = ask("/shops/alpha/orders/%C3%28").await;
        assert_eq!(status, 422, "{body}");
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["errors"][0]["field"], "order_number", "{body}");
        assert_eq!(problem["errors"][0]["code"], "invalid_encoding", "{body}");
        let (status, body) = ask("/shops/%FF/orders/1001").await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("\"shop\""), "{body}");
    }
}
