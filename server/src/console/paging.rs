//! Long lists a page at a time (the audit log, the changes): `?page=N`,
//! from 1, the newest, what an empty page says, and the links between pages.

use super::{pages, t, Locale};
use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use leptos::prelude::*;

/// Which page (`?page=N`).
#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    page: Option<String>,
}

/// The most pages a list is read to: an older page is a deeper read of the
/// database for every look at it.
const MOST_PAGES: u32 = 10_000;

/// The page asked for: 1 without `?page=`; `None` for `?page=` twice or
/// anything but a number from 1 to [`MOST_PAGES`] ([`no_such_page`]).
pub fn page_asked(query: Result<Query<PageQuery>, QueryRejection>) -> Option<u32> {
    match query.map(|Query(query)| query.page.as_deref().map(str::parse::<u32>)) {
        Ok(None) => Some(1),
        Ok(Some(Ok(page))) if (1..=MOST_PAGES).contains(&page) => Some(page),
        _ => None,
    }
}

/// 404 with the list's `bad_page` (`words` names the list's texts).
pub fn no_such_page(locale: Locale, words: &str) -> Response {
    pages::message(
        StatusCode::NOT_FOUND,
        locale,
        "console.error.not_found_title",
        &format!("{words}.bad_page"),
    )
}

/// What an empty page says (`words`' `none`, or `no_older` past the first).
pub fn nothing(locale: Locale, page: u32, empty: bool, words: &str) -> Option<impl IntoView + use<>> {
    let key = if page > 1 { "no_older" } else { "none" };
    empty.then(|| view! { <p>{t(locale, &format!("{words}.{key}"))}</p> })
}

/// The links to the newest page, the next newer one (from the third page on)
/// and the next older one, if there is more than one page and the older one
/// is read ([`MOST_PAGES`]); `words` names the list's texts (`newest`,
/// `newer`, `older`, `pages`).
pub fn links(locale: Locale, here: &str, page: u32, more: bool, words: &str) -> Option<impl IntoView + use<>> {
    let text = |key: &str| t(locale, &format!("{words}.{key}"));
    // Past the last page read, older entries are said to be kept, not linked.
    let deepest =
        (more && page >= MOST_PAGES).then(|| view! { <p class="hint">{t(locale, "console.older_not_listed")}</p> });
    let more = more && page < MOST_PAGES;
    (page > 1 || more).then(|| {
        let newest = (page > 1).then(|| view! { <a href=here.to_string()>{text("newest")}</a> });
        let newer = (page > 2)
            .then(|| view! { " " <a href=format!("{here}?page={}", page - 1) rel="prev">{text("newer")}</a> });
        let older =
            more.then(|| view! { " " <a href=format!("{here}?page={}", page + 1) rel="next">{text("older")}</a> });
        view! { <nav class="pages" aria-label=text("pages")>{newest}{newer}{older}</nav> {deepest} }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(page: u32, more: bool) -> String {
        links(Locale::En, "/console/shops/a/audit", page, more, "console.audit").map_or(String::new(), |v| v.to_html())
    }

    #[test]
    fn the_last_page_read_links_to_no_older_one() {
        assert!(shown(1, true).contains(r#"href="/console/shops/a/audit?page=2""#));
        assert!(shown(MOST_PAGES - 1, true).contains(&format!("?page={MOST_PAGES}")));
        let last = shown(MOST_PAGES, true);
        assert!(!last.contains(&format!("?page={}", MOST_PAGES + 1)), "{last}");
        assert!(last.contains(&format!("?page={}", MOST_PAGES - 1)), "{last}");
        assert!(last.contains("Older entries are kept but not listed"), "{last}");
        assert!(!shown(MOST_PAGES, false).contains("Older entries"), "none older");
        assert_eq!(shown(1, false), "");
    }

    #[test]
    fn pages_are_asked_from_one_to_the_most_read() {
        let asked = |page: &str| {
            let uri: axum::http::Uri = format!("/x?page={page}").parse().unwrap();
            page_asked(Query::try_from_uri(&uri))
        };
        assert_eq!(asked("1"), Some(1));
        assert_eq!(asked(&MOST_PAGES.to_string()), Some(MOST_PAGES));
        for bad in ["0", "-1", "1e9", "abc", "", "10001"] {
            assert_eq!(asked(bad), None, "{bad}");
        }
    }
}
