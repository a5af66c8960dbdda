//! The shop `alpha`'s settings: through the API, with its key, and the
//! console's settings form.

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

/// The console's settings form for alpha as a new shop has it (every field,
/// without the settings the page showed: a save sets them all), with the
/// `changed` fields' values in place.
pub fn console_form<'a>(changed: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("name", "alpha store"),
        ("locale", "en"),
        ("accent", ""),
        ("allowed_origins", ""),
        ("email_links", "on"),
        ("contact_email", ""),
        ("time_zone", ""),
        ("logo_url", ""),
    ];
    for (name, value) in changed {
        match form.iter_mut().find(|field| field.0 == *name) {
            Some(field) => field.1 = value,
            None => form.push((name, value)),
        }
    }
    form
}
