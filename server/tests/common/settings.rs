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

/// One setting saved in alpha's console form, as an owner would: the value
/// `refused` is answered 422 saying `refusal`, leaving the setting unset;
/// `saved` is taken (303), kept as `kept` (as the API reads it back), shown in
/// the form again and listed on the Changes page as `listed`.
pub struct ConsoleSave<'a> {
    pub field: &'a str,
    pub refused: &'a str,
    pub refusal: &'a str,
    pub saved: &'a str,
    pub kept: &'a str,
    pub listed: &'a str,
}

/// Checks a [`ConsoleSave`] by `owner`; the settings page as it shows after.
pub async fn saved_in_console(app: &TestApp, owner: &super::console::Browser<'_>, save: ConsoleSave<'_>) -> String {
    let path = "/console/shops/alpha/settings";
    let res = owner.post(path, &console_form(&[(save.field, save.refused)])).await;
    assert_eq!(res.status(), 422, "{}", save.refused);
    let page = res.text().await.unwrap();
    assert!(page.contains(save.refusal), "{page}");
    assert_eq!(settings(app).await[save.field], Value::Null, "nothing saved");
    let res = owner.post(path, &console_form(&[(save.field, save.saved)])).await;
    assert_eq!(res.status(), 303, "{}", save.saved);
    assert_eq!(settings(app).await[save.field], save.kept);
    let page = owner.page(path).await;
    assert!(page.contains(&format!(r#"value="{}""#, save.kept)), "{page}");
    let changes = owner.page("/console/shops/alpha/changes").await;
    assert!(changes.contains(save.listed), "{changes}");
    page
}

/// Each of `bad`, sent as `field` beside `email_links: false`, is refused 422
/// naming the field (its message saying `saying`) and changes nothing: the
/// field stays `kept`, links by email stay on.
pub async fn refused_changing_nothing(app: &TestApp, field: &str, bad: &[Value], saying: &str, kept: &str) {
    for bad in bad {
        let res = patch(app, serde_json::json!({field: bad, "email_links": false})).await;
        assert_eq!(res.status(), 422, "{bad}");
        let problem: Value = res.json().await.unwrap();
        let error = &problem["errors"][0];
        assert_eq!(error["field"], field, "{bad}: {problem}");
        assert!(
            error["message"].as_str().unwrap_or_default().contains(saying),
            "{bad}: {problem}"
        );
        let now = settings(app).await;
        assert_eq!(now[field], kept, "{bad}");
        assert_eq!(now["email_links"], true, "{bad}: nothing else changed either");
    }
}
