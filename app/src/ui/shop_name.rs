//! The shop at the top of its shopper pages: its logo when it gives one, else
//! its name.

use leptos::prelude::*;

/// The shop's logo (its `alt` the shop's name, which a screen reader says and
/// a browser shows when the image does not load), or its name.
#[component]
pub fn ShopName(name: String, logo: Option<String>) -> impl IntoView {
    view! {
        <p class="shop-name">
            {match logo {
                // No referrer: the image's host learns nothing of the page.
                Some(src) => view! {
                    <img class="shop-logo" src=src alt=name height="48" referrerpolicy="no-referrer" decoding="async"/>
                }
                .into_any(),
                None => name.into_any(),
            }}
        </p>
    }
}
