//! A shop's overview: what the widget did, the last 30 days, and what ran out
//! of allowance in the last 24 hours.

use super::first_steps::Progress;
use super::pages::{self, Frame, Section};
use super::refused;
use super::session::Signed;
use super::{member, t, Locale};
use crate::AppState;
use app::store::{Day, Membership, Role, StoreError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use leptos::prelude::*;

/// Days the overview shows.
pub const DAYS: i64 = 30;

/// `GET /console/shops/{slug}`: lookups per day, as a chart and a table.
pub async fn overview(State(state): State<AppState>, signed: Signed, Path(slug): Path<String>) -> Response {
    let member = match member(&state, &signed, &slug, Section::Overview).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let locale = signed.locale;
    let days = match state.store.shop_days(member.shop.id, DAYS).await {
        Ok(days) => days,
        Err(e) => {
            tracing::error!(error = %e, "daily counts query failed");
            return refused::unavailable(locale);
        }
    };
    let refusals = match state.store.refusals(member.shop.id).await {
        Ok(refusals) => refusals,
        Err(e) => {
            tracing::error!(error = %e, "refusals query failed");
            return refused::unavailable(locale);
        }
    };
    let first_steps = match first_steps(&state, &member, &days).await {
        Ok(progress) => progress,
        Err(e) => {
            tracing::error!(error = %e, "first steps query failed");
            return refused::unavailable(locale);
        }
    };
    let found: i64 = days.iter().map(|d| d.found).sum();
    let missed: i64 = days.iter().map(|d| d.missed).sum();
    let limited: i64 = days.iter().map(|d| d.limited).sum();
    let share = super::chart::share(found, missed, locale);
    let summary = app::i18n::t_args(
        locale,
        "console.overview.summary",
        &[
            ("found", &app::format::count(found, locale)),
            ("share", &share),
            ("limited", &app::format::count(limited, locale)),
        ],
    );
    let chart = super::chart::svg(&days, locale);
    let table = super::chart::table(&days, locale);
    let title = t(locale, "console.overview.title");
    pages::page(
        StatusCode::OK,
        &Frame::shop(&signed, &member, Section::Overview),
        &title.clone(),
        view! {
            <h1>{title}</h1>
            {first_steps.and_then(|p| super::first_steps::panel(&p, &slug, locale))}
            <p class="summary">{summary}</p>
            <div class="split">
                <figure>
                    <div inner_html=chart></div>
                    <figcaption>{t(locale, "console.overview.caption")}</figcaption>
                </figure>
                {table}
            </div>
            <p class="download">
                <a href=format!("/console/shops/{slug}/days.csv")>
                    {app::i18n::t_args(
                        locale,
                        "console.overview.download",
                        &[("days", &app::format::count(super::days_csv::FILE_DAYS, locale))],
                    )}
                </a>
            </p>
            {abuse(refusals, locale)}
        },
    )
}

/// Which of a new shop's first steps are done, for owners (staff cannot do them).
async fn first_steps(state: &AppState, member: &Membership, days: &[Day]) -> Result<Option<Progress>, StoreError> {
    if member.role != Role::Owner {
        return Ok(None);
    }
    Ok(Some(Progress {
        origins: !member.shop.allowed_origins.is_empty(),
        orders: state.store.has_orders(member.shop.id).await?,
        lookups: days.iter().any(|d| d.found > 0),
    }))
}

/// The abuse panel: what ran out of allowance in the last 24 hours.
fn abuse(refusals: Vec<app::store::Refusal>, locale: Locale) -> impl IntoView {
    let empty = refusals
        .is_empty()
        .then(|| view! { <p>{t(locale, "console.abuse.none")}</p> });
    let rows = refusals
        .into_iter()
        .map(|r| {
            view! {
                <tr>
                    <td>{t(locale, &format!("console.abuse.kind.{}", r.kind))}</td>
                    <td><code>{r.subject}</code></td>
                    <td>{app::format::count(r.attempts, locale)}</td>
                    <td>{pages::time(locale, &r.last_at)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>{t(locale, "console.abuse.title")}</h2>
        <p class="hint">{t(locale, "console.abuse.intro")}</p>
        {empty}
        {pages::scrolling(t(locale, "console.abuse.title"), view! {
            <table class="abuse">
                <thead>
                    <tr>
                        <th scope="col">{t(locale, "console.abuse.what")}</th>
                        <th scope="col">{t(locale, "console.abuse.subject")}</th>
                        <th scope="col">{t(locale, "console.abuse.attempts")}</th>
                        <th scope="col">{t(locale, "console.abuse.last")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        })}
    }
}
