//! The shop `alpha`'s settings through the API, with its key.

use super::TestApp;
use serde_json::Value;

const SETTINGS: &str = "/api/v1/shops/alpha/settings";

/// `PATCH`es `body` to alpha's settings.
pub async fn patch(app: &TestApp, body: Value) -> reqwest::Response {
    app.client
        .patch(app.url(SETTINGS))
        .bearer_auth(&app.alpha_key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Alpha's settings as `GET` gives them (200).
pub async fn settings(app: &TestApp) -> Value {
    let res = app
        .client
        .get(app.url(SETTINGS))
        .bearer_auth(&app.alpha_key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}
