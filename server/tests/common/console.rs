//! A browser for the merchant console: accounts made as `lookout user create`
//! makes them, cookies kept by hand, forms posted with their CSRF token.

use super::TestApp;
use app::store::Role;
use server::console::{password, session, KNOWN_COOKIE};

/// A good password for test accounts.
pub const PASSWORD: &str = "correct horse battery";

/// Makes an account with `role` in `shop` and returns its set-password link's path.
pub async fn invite(app: &TestApp, email: &str, shop: &str, role: Role) -> String {
    let shop = app.store.shop(shop).await.unwrap().expect("shop");
    let user = app
        .store
        .add_member(email, shop.id, role)
        .await
        .unwrap()
        .expect("room in the team");
    let (token, expires) = password::new_link();
    app.store
        .insert_password_link(user, &session::digest(&token), &expires)
        .await
        .unwrap();
    password::link_path(&token)
}

/// Posts a set-password link's form.
pub async fn set_password(app: &TestApp, link: &str, password: &str, again: &str) -> reqwest::Response {
    app.client
        .post(app.url(link))
        .form(&[("password", password), ("again", again)])
        .send()
        .await
        .unwrap()
}

/// Makes an account with a password set through its link (which signs the
/// browser in, and makes it known to the account: see [`sign_in`]).
pub async fn account(app: &TestApp, email: &str, shop: &str, role: Role) {
    let link = invite(app, email, shop, role).await;
    let res = set_password(app, &link, PASSWORD, PASSWORD).await;
    assert_eq!(res.status(), 200, "set the password of {email}");
    // By its plain name, or its `__Host-` one on a site served over HTTPS.
    let cookie = [KNOWN_COOKIE.on(false), KNOWN_COOKIE.on(true)]
        .into_iter()
        .find_map(|name| set_cookie(&res, name).map(|(tag, _)| format!("{name}={tag}")))
        .expect("a known-browser cookie");
    app.known
        .lock()
        .expect("not poisoned")
        .insert(email.to_string(), cookie);
}

/// The value of a cookie set by a response, if it sets it.
pub fn set_cookie(res: &reqwest::Response, name: &str) -> Option<(String, String)> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            let value = v[name.len() + 1..].split(';').next().unwrap_or_default().to_string();
            (value, v.to_string())
        })
}

/// The value of the hidden input `name` in a page (the first one).
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!(r#"name="{name}""#))?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let v = tag.find(r#"value=""#)? + 7;
    Some(tag[v..v + tag[v..].find('"')?].to_string())
}

/// An attribute's value as the page escaped it, read back.
pub fn unescaped(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A signed-in browser.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookie: String,
}

/// Signs in through the form and returns the sign-in's answer (303 when it worked).
pub async fn try_sign_in(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    try_sign_in_at(&app.client, &app.base, "127.0.0.1", email, password).await
}

/// [`try_sign_in`] for a task of its own, saying (in `X-Forwarded-For`, believed
/// when the test trusts the loopback proxy) that it comes from `from`.
pub async fn try_sign_in_at(
    client: &reqwest::Client,
    base: &str,
    from: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    try_sign_in_with(client, base, from, "", email, password).await
}

/// [`try_sign_in_at`] from a browser that sends `cookies` too (`name=value`
/// pairs joined by `; `, or nothing): a known-browser tag, a session it has.
pub async fn try_sign_in_with(
    client: &reqwest::Client,
    base: &str,
    from: &str,
    cookies: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    try_sign_in_sending(client, base, (from, cookies, &[]), email, password).await
}

/// [`try_sign_in_with`] with more headers on the sign-in's post (a
/// `User-Agent`, an `Accept-Language`): `(from, cookies, headers)`.
pub async fn try_sign_in_sending(
    client: &reqwest::Client,
    base: &str,
    (from, cookies, headers): (&str, &str, &[(&str, &str)]),
    email: &str,
    password: &str,
) -> reqwest::Response {
    let page = client.get(format!("{base}/console")).send().await.unwrap();
    let (form_cookie, _) = set_cookie(&page, session::FORM_COOKIE.plain).expect("form cookie");
    let csrf = hidden(&page.text().await.unwrap(), "csrf").expect("form token");
    let mut sent = format!("{}={form_cookie}", session::FORM_COOKIE.plain);
    if !cookies.is_empty() {
        sent = format!("{sent}; {cookies}");
    }
    let mut post = client
        .post(format!("{base}/console/sign-in"))
        .header("cookie", sent)
        .header("x-forwarded-for", from);
    for (name, value) in headers {
        post = post.header(*name, *value);
    }
    post.form(&[("csrf", csrf.as_str()), ("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

/// Signs in, failing the test if that does not work, from the browser that set
/// the account's password by its link when [`account`] made it (known to the
/// account: its sign-ins are not told by mail), else from a new one.
pub async fn sign_in<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let known = app
        .known
        .lock()
        .expect("not poisoned")
        .get(email)
        .cloned()
        .unwrap_or_default();
    let res = try_sign_in_with(&app.client, &app.base, "127.0.0.1", &known, email, PASSWORD).await;
    assert_eq!(res.status(), 303, "sign-in of {email}");
    let (id, _) = set_cookie(&res, session::SESSION_COOKIE.plain).expect("session cookie");
    Browser {
        app,
        cookie: format!("{}={id}", session::SESSION_COOKIE.plain),
    }
}

impl Browser<'_> {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.app
            .client
            .get(self.app.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap()
    }

    /// The page's text, failing unless it is answered 200.
    pub async fn page(&self, path: &str) -> String {
        let res = self.get(path).await;
        assert_eq!(res.status(), 200, "GET {path}");
        res.text().await.unwrap()
    }

    /// This session's CSRF token, from the sign-out form of its first page.
    pub async fn csrf(&self) -> String {
        let mut res = self.get("/console").await;
        if res.status() == 303 {
            let to = res.headers()["location"].to_str().unwrap().to_string();
            res = self.get(&to).await;
        }
        let html = res.text().await.unwrap();
        hidden(&html, "csrf").expect("a form with a token")
    }

    /// The one-time token of the form on `page` that makes a secret.
    pub async fn once(&self, page: &str) -> String {
        hidden(&self.page(page).await, "once").expect("a form with a one-time token")
    }

    /// Posts a form with the session's token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let csrf = self.csrf().await;
        self.post_with(path, &csrf, fields).await
    }

    /// Posts a form with this token.
    pub async fn post_with(&self, path: &str, csrf: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf)];
        form.extend_from_slice(fields);
        self.app
            .client
            .post(self.app.url(path))
            .header("cookie", &self.cookie)
            .form(&form)
            .send()
            .await
            .unwrap()
    }
}

/// How a page of another site posting a form with the browser's cookies is
/// seen: by what the browser says of it (`Sec-Fetch-Site`) or, from a browser
/// that does not say, by its `Origin`.
pub const OTHER_SITES: [(&str, &str); 2] = [("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")];

/// Posts `form` (its token included) with `cookies` to `path` as a page of
/// another site would, each way of [`OTHER_SITES`]; the answers' statuses.
pub async fn post_from_other_sites(app: &TestApp, path: &str, cookies: &str, form: &[(&str, &str)]) -> Vec<u16> {
    let mut answers = Vec::new();
    for (name, value) in OTHER_SITES {
        let res = app
            .client
            .post(app.url(path))
            .header("cookie", cookies)
            .header(name, value)
            .form(form)
            .send()
            .await
            .unwrap();
        answers.push(res.status().as_u16());
    }
    answers
}
