//! The browsers an account is signed in on, listed on its account page with
//! when each signed in, so that a merchant sees a session they do not know
//! and signs it out; each is named by two words from fixed lists ("Firefox",
//! "Android") read from its User-Agent at sign-in, so nothing the browser
//! sent is kept as it sent it.

use super::pages::{self, csrf_field};
use super::profile::{account_page, refused_form};
use super::refused;
use super::session::Signed;
use super::{t, Locale};
use crate::AppState;
use app::store::{SignedIn, SignedOut};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use leptos::prelude::*;

/// Browsers by a mark of their User-Agent, the first found naming it (Edge,
/// Opera and Samsung's say "Chrome" too, Chrome says "Safari").
const BROWSERS: [(&str, &str); 12] = [
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("Edg/", "Edge"),
    ("Edge/", "Edge"),
    ("OPR/", "Opera"),
    ("OPiOS/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("FxiOS/", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
];

/// Systems likewise (an iPhone says "Mac OS X", Android says "Linux").
const SYSTEMS: [(&str, &str); 8] = [
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
];

/// How much of a User-Agent is looked at: every mark is found well within it.
const READ: usize = 512;

/// The browser of a request, as a session keeps it: `"Firefox|Android"`,
/// either name empty when its User-Agent says nothing known.
pub fn of(headers: &HeaderMap) -> String {
    // A header's visible ASCII: any byte is the end of a character.
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let agent = &agent[..agent.len().min(READ)];
    let first = |list: &[(&str, &'static str)]| {
        list.iter()
            .find(|(mark, _)| agent.contains(mark))
            .map_or("", |(_, name)| *name)
    };
    format!("{}|{}", first(&BROWSERS), first(&SYSTEMS))
}

/// A kept browser in words: "Firefox on Android", only names from the lists.
pub fn named(locale: Locale, kept: &str) -> String {
    let (browser, system) = kept.split_once('|').unwrap_or_default();
    let known = |list: &[(&str, &str)], name: &str| list.iter().any(|(_, n)| *n == name).then(|| name.to_owned());
    let browser = known(&BROWSERS, browser).unwrap_or_else(|| t(locale, "console.browsers.unknown"));
    match known(&SYSTEMS, system) {
        Some(system) => app::i18n::t_args(
            locale,
            "console.browsers.on_system",
            &[("browser", &browser), ("system", &system)],
        ),
        None => browser,
    }
}

/// The account page's list of its browsers, each but this one with a button
/// that signs it out.
/// `more` browsers past the list are said to be there.
pub fn list(locale: Locale, csrf: &str, browsers: Vec<SignedIn>, more: i64) -> impl IntoView + use<> {
    let rows = browsers
        .into_iter()
        .map(|b| {
            let name = named(locale, &b.browser);
            let action = if b.this {
                view! { <strong>{t(locale, "console.browsers.this")}</strong> }.into_any()
            } else {
                let label = app::i18n::t_args(
                    locale,
                    "console.browsers.sign_out_label",
                    &[("browser", &name), ("since", &pages::utc(locale, &b.since))],
                );
                view! {
                    <form method="post" action="/console/account/browsers/sign-out" class="inline">
                        {csrf_field(csrf)}
                        <input type="hidden" name="browser" value=b.handle/>
                        <button type="submit" aria-label=label>{t(locale, "console.browsers.sign_out")}</button>
                    </form>
                }
                .into_any()
            };
            view! {
                <tr>
                    <td>{name}</td>
                    <td>{pages::time(locale, &b.since)}</td>
                    <td>{pages::time(locale, &b.until)}</td>
                    <td>{action}</td>
                </tr>
            }
        })
        .collect_view();
    let more =
        (more > 0).then(|| view! { <p>{app::i18n::t_count(locale, "console.browsers.more", more.unsigned_abs())}</p> });
    let title = t(locale, "console.browsers.title");
    view! {
        <h2>{title.clone()}</h2>
        <p>{t(locale, "console.browsers.intro")}</p>
        {pages::scrolling(title, view! {
            <table>
                <thead>
                    <tr>
                        <th scope="col">{t(locale, "console.browsers.browser")}</th>
                        <th scope="col">{t(locale, "console.browsers.since")}</th>
                        <th scope="col">{t(locale, "console.browsers.until")}</th>
                        <th scope="col"><span class="visually-hidden">{t(locale, "console.browsers.sign_out")}</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        })}
        {more}
    }
}

#[derive(serde::Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    browser: String,
}

/// `POST /console/account/browsers/sign-out`: signs out one of the account's
/// other browsers.
pub async fn sign_out(State(state): State<AppState>, signed: Signed, Form(form): Form<SignOutForm>) -> Response {
    let locale = signed.locale;
    if let Some(refused) = refused_form(&state, &signed, &form.csrf) {
        return refused;
    }
    let refused = |status, key: &str| account_page(&state, &signed, status, Some((t(locale, key), true)));
    // A handle is 32 lowercase hex digits; anything else names no browser
    // (and is not looked up).
    let handle = form.browser.as_str();
    if !app::store::is_short_hash(handle) {
        return refused(StatusCode::UNPROCESSABLE_ENTITY, "console.browsers.bad").await;
    }
    let user_id = signed.session.user_id;
    match state.store.sign_out_browser(user_id, &signed.id_hash, handle).await {
        Ok(SignedOut::Done) => {
            tracing::info!(user_id, "console signed out one of an account's browsers");
            Redirect::to("/console/account?done=signed_out").into_response()
        }
        Ok(SignedOut::ThisBrowser) => refused(StatusCode::CONFLICT, "console.browsers.this_one").await,
        Ok(SignedOut::NoSuch) => refused(StatusCode::NOT_FOUND, "console.browsers.gone").await,
        Err(e) => {
            tracing::error!(error = %e, "could not sign a browser out");
            refused::unavailable(locale)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn kept(agent: &str) -> String {
        let mut headers = HeaderMap::new();
        headers.insert(header::USER_AGENT, HeaderValue::from_str(agent).unwrap());
        of(&headers)
    }

    #[test]
    fn browsers_are_named_from_their_user_agent_by_fixed_lists() {
        for (agent, expected) in [
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome|Android"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari|iPhone"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge|Windows"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox|macOS"),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox|Linux"),
            ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", "Samsung Internet|Android"),
            ("curl/8.5.0", "|"),
            ("<script>alert(1)</script> Windows", "|Windows"),
        ] {
            assert_eq!(kept(agent), expected, "{agent}");
        }
        assert_eq!(of(&HeaderMap::new()), "|");
        // A mark past what is read is not seen.
        assert_eq!(kept(&format!("{} Firefox/1", "x".repeat(READ))), "|");
    }

    #[test]
    fn kept_browsers_read_as_words_and_only_known_names_are_shown() {
        assert_eq!(named(Locale::En, "Firefox|Android"), "Firefox on Android");
        assert_eq!(named(Locale::En, "Chrome|"), "Chrome");
        assert_eq!(named(Locale::En, "|Windows"), "Unknown browser on Windows");
        assert_eq!(named(Locale::En, "|"), "Unknown browser");
        assert_eq!(
            named(Locale::En, ""),
            "Unknown browser",
            "a session from before browsers were kept"
        );
        assert_eq!(named(Locale::En, "<b>|<i>"), "Unknown browser");
        for locale in Locale::ALL {
            let said = named(locale, "Firefox|Android");
            assert!(
                said.contains("Firefox") && said.contains("Android") && !said.contains("%{"),
                "{said}"
            );
        }
    }
}
