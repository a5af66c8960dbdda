//! A new shop's first steps, on its overview for owners until each is done:
//! name the sites that show the widget, send the orders, put the widget on
//! the store. Each step is read from what the shop holds, never ticked by hand.

use super::{t, Locale};
use leptos::prelude::*;

/// What the shop holds that says which steps are done.
pub struct Progress {
    /// The settings name at least one site allowed to show the widget.
    pub origins: bool,
    /// The shop has at least one order.
    pub orders: bool,
    /// The widget found an order for someone in the days the overview shows
    /// (a stranger's miss says nothing of where the widget is).
    pub lookups: bool,
}

impl Progress {
    fn all_done(&self) -> bool {
        self.origins && self.orders && self.lookups
    }
}

/// The steps' panel, or nothing once every step is done.
pub fn panel(progress: &Progress, slug: &str, locale: Locale) -> Option<impl IntoView> {
    if progress.all_done() {
        return None;
    }
    let shop = format!("/console/shops/{slug}");
    let link = |path: &str, key: &str| view! { <a href=format!("{shop}{path}")>{t(locale, key)}</a> };
    let steps = [
        (
            progress.origins,
            "origins",
            view! { {link("/settings", "console.start.to_settings")} }.into_any(),
        ),
        (
            progress.orders,
            "orders",
            view! { {link("/shopify", "console.start.to_shopify")} " · " {link("/keys", "console.start.to_keys")} }
                .into_any(),
        ),
        (
            progress.lookups,
            "widget",
            view! { {link("/settings#snippet", "console.start.to_snippet")} }.into_any(),
        ),
    ];
    let items = steps
        .into_iter()
        .map(|(done, step, links)| {
            let state = if done {
                "console.start.done"
            } else {
                "console.start.todo"
            };
            view! {
                <li class:done=done>
                    <strong>{t(locale, &format!("console.start.{step}"))}</strong>
                    <span class="state">{app::i18n::aside(locale, &t(locale, state))}</span>
                    <p class="hint">{t(locale, &format!("console.start.{step}_hint"))}</p>
                    <p class="hint">{links}</p>
                </li>
            }
        })
        .collect_view();
    Some(view! {
        <section class="notice start" aria-labelledby="first-steps">
            <h2 id="first-steps">{t(locale, "console.start.title")}</h2>
            <ol>{items}</ol>
        </section>
    })
}
