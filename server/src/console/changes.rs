//! The owners' "Changes" page: what was changed in the shop's setup, by whom
//! (settings, API keys, the Shopify signing secret, the team) and which
//! orders were erased, newest first,
//! as the store recorded each change with it.

use super::pages::{self, Frame, Section};
use super::paging::{self, PageQuery};
use super::refused;
use super::session::Signed;
use super::{member, t, Locale};
use crate::AppState;
use app::i18n::t_args;
use app::store::{Change, What, Who};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use leptos::prelude::*;

/// `GET /console/shops/{slug}/changes`
pub async fn changes(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    page: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let member = match member(&state, &signed, &slug, Section::Changes).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let locale = signed.locale;
    let Some(page) = paging::page_asked(page) else {
        return paging::no_such_page(locale, "console.changes");
    };
    let (changes, more) = match state.store.changes(member.shop.id, page).await {
        Ok(page) => page,
        Err(e) => {
            tracing::error!(error = %e, "changes query failed");
            return refused::unavailable(locale);
        }
    };
    let empty = paging::nothing(locale, page, changes.is_empty(), "console.changes");
    let here = format!("/console/shops/{}/changes", member.shop.slug);
    let links = paging::links(locale, &here, page, more, "console.changes");
    let rows = changes
        .into_iter()
        .map(|change| {
            let who = who(locale, &change.by);
            let what = what(locale, &change);
            view! {
                <tr>
                    <td>{pages::time(locale, &change.at)}</td>
                    <td>{who}</td>
                    <td>{what}</td>
                </tr>
            }
        })
        .collect_view();
    let title = t(locale, "console.changes.title");
    pages::page(
        StatusCode::OK,
        &Frame::shop(&signed, &member, Section::Changes),
        &title.clone(),
        view! {
            <h1>{title.clone()}</h1>
            <p>{t(locale, "console.changes.intro")}</p>
            {empty}
            {pages::scrolling(title, view! {
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{t(locale, "console.changes.when")}</th>
                            <th scope="col">{t(locale, "console.changes.who")}</th>
                            <th scope="col">{t(locale, "console.changes.what")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            })}
            {links}
        },
    )
}

/// Who made a change, in words.
fn who(locale: Locale, by: &Who) -> String {
    match by {
        Who::Account(email) => email.clone(),
        Who::Key(prefix) => t_args(locale, "console.changes.by_key", &[("prefix", prefix)]),
        Who::Operator => t(locale, "console.changes.by_operator"),
        Who::Shopify => t(locale, "console.changes.by_shopify"),
    }
}

/// What a change was, in words.
fn what(locale: Locale, change: &Change) -> String {
    // An account forgotten as idle: its address is not kept.
    let forgotten = || t(locale, "console.changes.forgotten");
    let subject = &change.subject.clone().unwrap_or_else(forgotten);
    let subject = subject.as_str();
    let detail = change.detail.as_deref().unwrap_or_default();
    let role = || t(locale, &format!("console.role.{detail}"));
    match change.what {
        What::Settings => {
            let settings: Vec<String> = detail
                .split(',')
                .map(|name| t(locale, &format!("console.changes.setting.{name}")))
                .collect();
            t_args(
                locale,
                "console.changes.settings",
                &[("settings", &settings.join(", "))],
            )
        }
        What::KeyMade if detail.is_empty() => t_args(locale, "console.changes.key_made", &[("prefix", subject)]),
        What::KeyMade => t_args(
            locale,
            "console.changes.key_made_named",
            &[("prefix", subject), ("name", detail)],
        ),
        What::KeyRevoked => t_args(locale, "console.changes.key_revoked", &[("prefix", subject)]),
        What::SecretMade => t(locale, "console.changes.secret_made"),
        What::Role => t_args(locale, "console.changes.role", &[("email", subject), ("role", &role())]),
        What::Removed => t_args(locale, "console.changes.removed", &[("email", subject)]),
        What::Invited => t_args(
            locale,
            "console.changes.invited",
            &[("email", subject), ("role", &role())],
        ),
        What::Added => t_args(
            locale,
            "console.changes.added",
            &[("email", subject), ("role", &role())],
        ),
        What::Deleted => t_args(locale, "console.changes.deleted", &[("email", subject)]),
        What::Erased => t_args(locale, "console.changes.erased", &[("number", subject)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(what: What, subject: Option<&str>, detail: Option<&str>) -> Change {
        Change {
            at: "2026-12-01T10:00:00Z".into(),
            by: Who::Operator,
            what,
            subject: subject.map(str::to_owned),
            detail: detail.map(str::to_owned),
        }
    }

    /// Every kind of change, as the store records it.
    fn every_kind() -> Vec<Change> {
        vec![
            change(
                What::Settings,
                None,
                Some("name,locale,accent,allowed_origins,email_links,contact_email,time_zone,logo_url"),
            ),
            change(What::KeyMade, Some("0123456789abcdef"), None),
            change(What::KeyMade, Some("0123456789abcdef"), Some("ERP")),
            change(What::KeyRevoked, Some("0123456789abcdef"), None),
            change(What::SecretMade, None, None),
            change(What::Role, Some("a@example.com"), Some("owner")),
            change(What::Removed, Some("a@example.com"), None),
            change(What::Invited, Some("a@example.com"), Some("staff")),
            change(What::Added, Some("a@example.com"), Some("staff")),
            change(What::Deleted, Some("a@example.com"), None),
            change(What::Erased, Some("1001-b"), None),
            change(What::Invited, None, Some("staff")),
        ]
    }

    #[test]
    fn every_change_reads_as_words_in_every_language() {
        for locale in Locale::ALL {
            for change in every_kind() {
                let said = what(locale, &change);
                assert!(!said.contains("console.") && !said.contains("%{"), "{locale:?}: {said}");
                if let Some(subject) = &change.subject {
                    assert!(said.contains(subject.as_str()), "{locale:?}: {said}");
                }
            }
            for by in [Who::Operator, Who::Key("0123456789abcdef".into()), Who::Shopify] {
                let said = who(locale, &by);
                assert!(!said.contains("console.") && !said.contains("%{"), "{locale:?}: {said}");
            }
        }
        let settings = &every_kind()[0];
        assert_eq!(
            what(Locale::En, settings),
            "Changed the settings: shop name, default language, accent colour, \
             sites that may embed the widget, links to orders by email, contact address for shoppers, time zone, logo"
        );
        let forgotten = every_kind().pop().unwrap();
        assert_eq!(
            what(Locale::En, &forgotten),
            "Invited an address since forgotten as staff"
        );
    }
}
