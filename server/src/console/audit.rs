//! The support view's audit log (owners): every order opened in it, and every
//! order it listed among an email address's orders, by whom and when.

use super::pages::{self, Frame, Section};
use super::paging::{self, PageQuery};
use super::refused;
use super::session::Signed;
use super::{member, t};
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use leptos::prelude::*;

/// `GET /console/shops/{slug}/audit`: who opened which order, or was shown it
/// listed among an email address's orders, newest first, a page at a time.
pub async fn audit(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    page: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let member = match member(&state, &signed, &slug, Section::Audit).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let locale = signed.locale;
    let Some(page) = paging::page_asked(page) else {
        return paging::no_such_page(locale, "console.audit");
    };
    let (views, more) = match state.store.support_views(member.shop.id, page).await {
        Ok(page) => page,
        Err(e) => {
            tracing::error!(error = %e, "audit query failed");
            return refused::unavailable(locale);
        }
    };
    let empty = paging::nothing(locale, page, views.is_empty(), "console.audit");
    let here = format!("/console/shops/{}/audit", member.shop.slug);
    let paging = paging::links(locale, &here, page, more, "console.audit");
    let rows = views
        .into_iter()
        .map(|v| {
            view! {
                <tr>
                    <td>{pages::time(locale, &v.viewed_at)}</td>
                    <td>{v.email}</td>
                    <td><code>{v.number_key}</code></td>
                    <td>{t(locale, if v.listed { "console.audit.listed" } else { "console.audit.opened" })}</td>
                </tr>
            }
        })
        .collect_view();
    let title = t(locale, "console.audit.title");
    pages::page(
        StatusCode::OK,
        &Frame::shop(&signed, &member, Section::Audit),
        &title.clone(),
        view! {
                    <h1>{title}</h1>
                    <p>{t(locale, "console.audit.intro")}</p>
                    {empty}
                    {pages::scrolling(t(locale, "console.audit.title"), view! {
        <table>
                        <thead>
                            <tr>
                                <th scope="col">{t(locale, "console.audit.when")}</th>
                                <th scope="col">{t(locale, "console.audit.who")}</th>
                                <th scope="col">{t(locale, "console.audit.order")}</th>
                                <th scope="col">{t(locale, "console.audit.how")}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
        })}
                    {paging}
                },
    )
}
