//! The console's page frame (head, header, shop navigation, sign-out) and the
//! answers every console handler shares: pages, errors, redirects.

use super::{t, Locale};
use app::store::{Membership, Role};
use axum::http::StatusCode;
use axum::response::Response;
use leptos::prelude::*;

/// Scripts and styles only from this origin; frames only of this origin (the
/// widget's preview); forms only to this origin. Framing is refused by the server.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                      frame-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'";

/// The parts of the console a shop has, in the navigation's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Overview,
    Settings,
    Keys,
    Shopify,
    Orders,
    Audit,
    Changes,
    Team,
}

impl Section {
    const ALL: [Section; 8] = [
        Section::Overview,
        Section::Settings,
        Section::Keys,
        Section::Shopify,
        Section::Orders,
        Section::Audit,
        Section::Changes,
        Section::Team,
    ];

    /// The path under `/console/shops/{slug}`.
    pub fn path(self) -> &'static str {
        match self {
            Section::Overview => "",
            Section::Settings => "/settings",
            Section::Keys => "/keys",
            Section::Shopify => "/shopify",
            Section::Orders => "/orders",
            Section::Audit => "/audit",
            Section::Changes => "/changes",
            Section::Team => "/team",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Section::Overview => "console.nav.overview",
            Section::Settings => "console.nav.settings",
            Section::Keys => "console.nav.keys",
            Section::Shopify => "console.nav.shopify",
            Section::Orders => "console.nav.orders",
            Section::Audit => "console.nav.audit",
            Section::Changes => "console.nav.changes",
            Section::Team => "console.nav.team",
        }
    }

    /// Sections staff may open; the rest are the owner's.
    pub fn for_staff(self) -> bool {
        matches!(self, Section::Overview | Section::Orders)
    }
}

/// Who is signed in and where they are, for the page's header.
pub struct Frame<'a> {
    pub locale: Locale,
    pub email: &'a str,
    pub csrf: &'a str,
    /// The shop being looked at and the section, if any.
    pub shop: Option<(&'a Membership, Section)>,
    /// Widget styles, for pages that show what a shopper sees.
    pub widget_css: Option<String>,
}

impl<'a> Frame<'a> {
    /// The frame of a page of the account's own, of no shop.
    pub fn plain(signed: &'a super::session::Signed) -> Frame<'a> {
        Frame {
            locale: signed.locale,
            email: &signed.session.email,
            csrf: &signed.session.csrf,
            shop: None,
            widget_css: None,
        }
    }

    /// The frame of a page of `section` of the member's shop.
    pub fn shop(signed: &'a super::session::Signed, member: &'a Membership, section: Section) -> Frame<'a> {
        Frame {
            locale: signed.locale,
            email: &signed.session.email,
            csrf: &signed.session.csrf,
            shop: Some((member, section)),
            widget_css: None,
        }
    }
}

/// A whole console page.
pub fn page(status: StatusCode, frame: &Frame<'_>, title: &str, main: impl IntoView + 'static) -> Response {
    let locale = frame.locale;
    let header = view! {
        <header class="bar">
            <a class="brand" href="/console">"Lookout"</a>
            <a class="who" href="/console/account">{frame.email.to_string()}</a>
            <form method="post" action="/console/sign-out">
                <input type="hidden" name="csrf" value=frame.csrf.to_string()/>
                <button type="submit" class="link">{t(locale, "console.sign_out")}</button>
            </form>
            <form method="post" action="/console/sign-out-everywhere">
                <input type="hidden" name="csrf" value=frame.csrf.to_string()/>
                <button type="submit" class="link">{t(locale, "console.sign_out_everywhere")}</button>
            </form>
        </header>
    };
    let nav = frame.shop.map(|(member, current)| {
        let slug = member.shop.slug.clone();
        let links = Section::ALL
            .into_iter()
            .filter(|s| member.role == Role::Owner || s.for_staff())
            .map(|s| {
                let href = format!("/console/shops/{slug}{}", s.path());
                let here = (s == current).then_some("page");
                view! { <li><a href=href aria-current=here>{t(locale, s.label())}</a></li> }
            })
            .collect_view();
        view! {
            <nav aria-label=t(locale, "console.nav.label")>
                <p class="shop">{member.shop.name.clone()}</p>
                <ul>{links}</ul>
            </nav>
        }
    });
    document(
        status,
        locale,
        title,
        frame.widget_css.clone(),
        view! { {skip(locale)} {header} {nav} <main id="main" tabindex="-1">{main}</main> },
    )
}

/// A page without the signed-in header (sign-in, set a password, errors).
pub fn bare(status: StatusCode, locale: Locale, title: &str, main: impl IntoView + 'static) -> Response {
    document(
        status,
        locale,
        title,
        None,
        view! { {skip(locale)} <main id="main" class="narrow" tabindex="-1">{main}</main> },
    )
}

/// The first thing a keyboard reaches on every page: a link past the header
/// and the shop's navigation to what the page is for (shown when focused).
fn skip(locale: Locale) -> impl IntoView {
    view! { <a class="skip" href="#main">{t(locale, "console.skip")}</a> }
}

fn document(
    status: StatusCode,
    locale: Locale,
    title: &str,
    widget_css: Option<String>,
    body: impl IntoView + 'static,
) -> Response {
    // A page that answers with an error says so first in its title, read out as
    // the page opens (as the shopper's pages do).
    let title = match status.is_client_error() || status.is_server_error() {
        true => app::i18n::error_title(locale, &format!("{title} · Lookout")),
        false => format!("{title} · Lookout"),
    };
    let widget_css = widget_css.map(|href| view! { <link rel="stylesheet" href=href/> });
    let html = view! {
        <html lang=locale.lang_tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="robots" content="noindex"/>
                // No icon to ask for (a 404 and a console error on every page).
                <link rel="icon" href="data:,"/>
                <title>{title}</title>
                {widget_css}
                <link rel="stylesheet" href="/console/console.css"/>
                <script src="/console/console.js" defer></script>
            </head>
            <body data-copy=t(locale, "console.copy") data-copied=t(locale, "console.copied")>{body}</body>
        </html>
    }
    .to_html();
    crate::html::private_page(status, html, POLICY)
}

/// A short message page: a heading, a sentence and a link onward.
pub fn message(status: StatusCode, locale: Locale, title_key: &str, text_key: &str) -> Response {
    message_saying(status, locale, title_key, t(locale, text_key))
}

/// [`message`] with a sentence already translated (one with arguments).
pub(super) fn message_saying(status: StatusCode, locale: Locale, title_key: &str, text: String) -> Response {
    message_leading(status, locale, title_key, text, "console.back")
}

/// [`message_saying`] with its own words (`link_key`) on the link to the console.
pub fn message_leading(status: StatusCode, locale: Locale, title_key: &str, text: String, link_key: &str) -> Response {
    let title = t(locale, title_key);
    bare(
        status,
        locale,
        &title.clone(),
        view! {
            <h1>{title}</h1>
            <p>{text}</p>
            <p><a href="/console">{t(locale, link_key)}</a></p>
        },
    )
}

/// The whole minutes (at least one) to say a client must wait.
pub fn minutes(wait: std::time::Duration) -> String {
    wait.as_secs().div_ceil(60).max(1).to_string()
}

/// `response` with `Retry-After` saying `wait` in whole seconds (at least one).
pub fn retry_after(mut response: Response, wait: std::time::Duration) -> Response {
    response
        .headers_mut()
        .insert(axum::http::header::RETRY_AFTER, wait.as_secs().max(1).into());
    response
}

/// A notice or an error at the top of a page's main part, saying how what was
/// just sent went. It takes the focus as the page opens, so that it is read
/// out first (a status or an alert already on the page when it loads is not
/// announced) and the form below follows it.
pub fn notice(text: Option<String>, error: bool) -> impl IntoView {
    text.map(|text| {
        if error {
            view! { <p class="notice error" role="alert" tabindex="-1" autofocus>{text}</p> }.into_any()
        } else {
            view! { <p class="notice" role="status" tabindex="-1" autofocus>{text}</p> }.into_any()
        }
    })
}

/// The problems of a form sent back (`settings_form::Problem`), each a link to
/// its field: read out first, as [`notice`] is; each field names its problem
/// by `problem-{field}` (in its `aria-describedby`).
pub fn problems(problems: &[super::settings_form::Problem]) -> impl IntoView {
    (!problems.is_empty()).then(|| {
        let each = problems
            .iter()
            .map(|p| {
                view! {
                    <li id=format!("problem-{}", p.field)><a href=format!("#{}", p.field)>{p.text.clone()}</a></li>
                }
            })
            .collect_view();
        view! {
            <div class="notice error" role="alert" tabindex="-1" autofocus>
                <ul class="problems">{each}</ul>
            </div>
        }
    })
}

/// A new password's fields in a form: the account's address for password
/// managers, the password with its rule, and the same again.
pub fn new_password_fields(locale: Locale, email: &str) -> impl IntoView {
    view! {
        <input type="hidden" name="username" autocomplete="username" value=email.to_string()/>
        <label for="password">{t(locale, "console.password.new")}</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength="12"/>
        <p class="hint">{t(locale, "console.password.rule")}</p>
        <label for="again">{t(locale, "console.password.again")}</label>
        <input id="again" name="again" type="password" autocomplete="new-password" required/>
    }
}

/// A box of text meant for copying (`id`: `snippet`, `new-key`, `new-secret`,
/// `webhook-url` or `add-member`). The console's script gives it a copy button
/// named by `data-label` ("Copy the script tag"), in the page's language.
pub fn copy_box(locale: Locale, id: &'static str, text: String) -> impl IntoView {
    let label = t(locale, &format!("console.copy_label.{}", id.replace('-', "_")));
    view! { <pre class="copy" id=id data-label=label><code>{text}</code></pre> }
}

/// The hidden CSRF field of a form.
pub fn csrf_field(csrf: &str) -> impl IntoView {
    view! { <input type="hidden" name="csrf" value=csrf.to_string()/> }
}

/// A table in a box that scrolls sideways on a narrow screen, reachable by keyboard.
pub fn scrolling(label: String, table: impl IntoView + 'static) -> impl IntoView {
    view! { <div class="scroll" tabindex="0" role="region" aria-label=label>{table}</div> }
}

/// A stored time (RFC 3339, UTC) as people read it: "4 Dec 2026 01:48 UTC",
/// in the page's language, as the shopper's timeline writes a time
/// (`format::moment`); anything else as it is.
pub fn utc(locale: Locale, value: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(value) {
        Ok(at) if at.offset().local_minus_utc() == 0 => app::format::moment(value, locale),
        _ => value.to_string(),
    }
}

/// A stored time in a page: [`utc`] in a `<time>` element, which the
/// console's script shows in the browser's own time zone.
pub fn time(locale: Locale, value: &str) -> impl IntoView {
    view! { <time datetime=value.to_string()>{utc(locale, value)}</time> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_read_as_date_and_time_in_utc_and_anything_else_as_it_is() {
        let at = "2026-12-04T01:48:09Z";
        assert_eq!(utc(Locale::En, at), "4 Dec 2026 01:48 UTC");
        assert_eq!(utc(Locale::De, at), "4. Dez. 2026 01:48 UTC");
        assert_eq!(utc(Locale::Zh, at), "2026年12月4日 01:48 UTC");
        for other in [
            "2026-12-04",
            "2026-12-04T01:48:09+01:00",
            "yesterday",
            "",
            "2026-13-04T01:48:09Z",
        ] {
            assert_eq!(utc(Locale::En, other), other);
        }
        let html = time(Locale::Nb, at).to_html();
        assert_eq!(
            html,
            r#"<time datetime="2026-12-04T01:48:09Z">4. des. 2026 01:48 UTC</time>"#
        );
    }
}
