//! The owners' "Changes" page: what was changed in the shop's setup, by whom
//! (settings, API keys, the Shopify signing secret, the team), newest first,
//! as the store recorded each change with it.

use super::pages::{self, Frame, Section};
use super::paging::{self, PageQuery};
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
            return pages::unavailable(locale);
        }
    };
    let none = if page > 1 {
        "console.changes.no_older"
    } else {
        "console.changes.none"
    };
    let empty = changes.is_empty().then(|| view! { <p>{t(locale, none)}</p> });
    let here = format!("/console/shops/{}/changes", member.shop.slug);
    let links = paging::links(locale, &here, page, more, "console.changes");
    let rows = changes
        .into_iter()
        .map(|change| {
            let who = who(locale, &change.by);
            let what = what(locale, &change);
            view! {
                <tr>
                    <td>{change.at}</td>
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
    }
}

/// What a change was, in words.
fn what(locale: Locale, change: &Change) -> String {
    let subject = change.subject.as_deref().unwrap_or_default();
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
    }
}
