//! "Don't have your order number?": a plain form (no WebAssembly) that asks for
//! a link to one's orders by email. Every well-formed request is answered the
//! same way, by the page with `?sent=1`, whether or not the address has orders.

use super::LinkNotice;
use crate::i18n::{t, Locale};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The form, folded away until asked for (open once it has something to say).
#[component]
pub fn OrderLinks(
    action: String,
    locale: Locale,
    keep_locale: Option<String>,
    keep_accent: Option<String>,
) -> impl IntoView {
    let sent = use_query_map().with_untracked(|q| q.get("sent").is_some());
    let notice = use_context::<LinkNotice>().or_else(|| sent.then_some(LinkNotice::Sent));
    let (error, typed) = match &notice {
        Some(LinkNotice::Invalid { code, email }) => (Some(t(locale, &format!("field.{code}"))), email.clone()),
        _ => (None, String::new()),
    };
    let invalid = error.is_some();
    let status = matches!(notice, Some(LinkNotice::Sent))
        // Focused as the page opens, so that it is read out first.
        .then(|| view! { <p class="notice" role="status" tabindex="-1" autofocus>{t(locale, "links.sent")}</p> });
    view! {
        <details class="order-links" id="order-links" open=notice.is_some()>
            <summary>{t(locale, "links.summary")}</summary>
            {status}
            <form method="post" action=action novalidate>
                <p class="hint">{t(locale, "links.intro")}</p>
                <div class="field" class:invalid=invalid>
                    <label for="links-email">{t(locale, "form.email_label")}</label>
                    <input
                        id="links-email" name="email" type="email" autocomplete="email" inputmode="email"
                        spellcheck="false" autocapitalize="off" required autofocus=invalid
                        aria-describedby="links-email-error"
                        aria-invalid=if invalid { "true" } else { "false" }
                        value=typed
                    />
                    <p class="field-error" id="links-email-error">{error}</p>
                </div>
                <input type="hidden" name="mail_locale" value=locale.code()/>
                {keep_locale.map(|code| view! { <input type="hidden" name="locale" value=code/> })}
                {keep_accent.map(|a| view! { <input type="hidden" name="accent" value=a/> })}
                <button type="submit" class="secondary">{t(locale, "links.submit")}</button>
            </form>
        </details>
    }
}
