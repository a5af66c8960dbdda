//! Where a shopper may write to the shop about an order: a line under the
//! lookup and under the orders a link shows, when the shop gives an address.

use crate::i18n::{t_args, Locale};
use leptos::prelude::*;

/// "Questions about an order? Write to *shop*:" and the address as a link.
#[component]
pub fn ShopContact(locale: Locale, shop: String, address: String) -> impl IntoView {
    let href = mailto(&address);
    view! {
        <p class="shop-contact">
            {t_args(locale, "page.contact", &[("shop", &shop)])} " "
            <a href=href>{address}</a>
        </p>
    }
}

/// A `mailto:` link to `address`: every character but letters, digits and
/// `@._+-` percent-encoded, so that one an address may hold (`?`, `&`, `#`,
/// `%`) cannot add a subject or a second recipient to the link.
fn mailto(address: &str) -> String {
    let mut link = String::from("mailto:");
    for byte in address.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'@' | b'.' | b'_' | b'+' | b'-' => link.push(char::from(byte)),
            other => link.push_str(&format!("%{other:02X}")),
        }
    }
    link
}
