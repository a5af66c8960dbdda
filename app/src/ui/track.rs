//! The tracking page: the lookup form and its result. Works as a plain HTML form
//! post without WebAssembly; once hydrated, looks up without a page load.

use super::order::OrderView;
use super::{set_status, NotFoundPage, PostedLookup};
use crate::errors::{FieldError, LookupError};
use crate::lookup::{shop_info, TrackOrder};
use crate::normalize::check_lookup;
use crate::view::{ShopPublic, ShopperView};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/track/{shop}`: the full-page lookup.
#[component]
pub fn TrackPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("shop").unwrap_or_default();
    let shop = Resource::new(slug, shop_info);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match shop.await {
                    Ok(Some(shop)) => view! { <TrackShop shop/> }.into_any(),
                    Ok(None) => view! { <NotFoundPage/> }.into_any(),
                    Err(e) => {
                        set_status(503);
                        view! { <p class="notice error" role="alert">{e.to_string()}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn TrackShop(shop: ShopPublic) -> impl IntoView {
    let posted = use_context::<PostedLookup>();
    let action = ServerAction::<TrackOrder>::new();
    let pending = action.pending();
    let local_errors = RwSignal::new(Vec::<FieldError>::new());
    let email = RwSignal::new(posted.as_ref().map(|p| p.email.clone()).unwrap_or_default());
    let order_number = RwSignal::new(posted.as_ref().map(|p| p.order_number.clone()).unwrap_or_default());
    let posted_result = posted.map(|p| p.result);
    let outcome: Signal<Option<Result<ShopperView, LookupError>>> =
        Signal::derive(move || action.value().get().or_else(|| posted_result.clone()));
    let errors = Signal::derive(move || {
        let local = local_errors.get();
        match outcome.get() {
            _ if !local.is_empty() => local,
            Some(Err(LookupError::Invalid(server))) => server,
            _ => Vec::new(),
        }
    });
    // Set once the WebAssembly has taken over the page (effects run only in the browser).
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let slug = shop.slug.clone();
    let action_url = format!("/track/{}", shop.slug);

    let form = move || {
        let email_ref = NodeRef::<leptos::html::Input>::new();
        let number_ref = NodeRef::<leptos::html::Input>::new();
        let slug = slug.clone();
        let on_submit = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let typed_email = email_ref.get().map(|i| i.value()).unwrap_or_default();
            let typed_number = number_ref.get().map(|i| i.value()).unwrap_or_default();
            email.set(typed_email.clone());
            order_number.set(typed_number.clone());
            match check_lookup(&typed_email, &typed_number) {
                Err(found) => local_errors.set(found),
                Ok(()) => {
                    local_errors.set(Vec::new());
                    action.dispatch(TrackOrder {
                        shop: slug.clone(),
                        email: typed_email,
                        order_number: typed_number,
                    });
                }
            }
        };
        let miss = move || {
            match outcome.get() {
            Some(Err(LookupError::NotFound)) => Some(view! {
                <div class="notice" role="alert">
                    <p><strong>{LookupError::NotFound.to_string()}</strong></p>
                    <p>"Check that you used the email address you gave at checkout. Your order number is in your order confirmation email (for example #1001)."</p>
                </div>
            }.into_any()),
            Some(Err(LookupError::Unavailable)) => Some(view! {
                <div class="notice error" role="alert"><p>{LookupError::Unavailable.to_string()}</p></div>
            }.into_any()),
            _ => None,
        }
        };
        view! {
            <form
                class="lookup" method="post" action=action_url.clone() novalidate
                data-hydrated=move || hydrated.get().to_string() on:submit=on_submit
            >
                {miss}
                <Field
                    id="email" label="Email address" kind="email" autocomplete="email" inputmode="email"
                    hint="The email address you used at checkout."
                    value=email node_ref=email_ref errors
                />
                <Field
                    id="order_number" label="Order number" kind="text" autocomplete="off" inputmode="text"
                    hint="In your order confirmation email, for example #1001."
                    value=order_number node_ref=number_ref errors
                />
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Looking up…" } else { "Track order" }}
                </button>
            </form>
        }
    };

    let again_url = format!("/track/{}", shop.slug);
    let result = move |order: ShopperView| {
        view! {
            <div class="result">
                <OrderView order/>
                <form method="get" action=again_url.clone()>
                    <button type="submit" class="secondary" on:click=move |ev| {
                        ev.prevent_default();
                        email.set(String::new());
                        order_number.set(String::new());
                        action.value().set(None);
                    }>"Look up another order"</button>
                </form>
            </div>
        }
    };

    view! {
        <section class="track">
            <header class="track-header">
                <p class="shop-name">{shop.name.clone()}</p>
                <h1>"Track your order"</h1>
            </header>
            <div aria-live="polite">
                {move || match outcome.get() {
                    Some(Ok(order)) => result(order).into_any(),
                    _ => form().into_any(),
                }}
            </div>
        </section>
    }
}

/// One labelled input with its hint and, when there is one, its error.
#[component]
fn Field(
    id: &'static str,
    label: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    inputmode: &'static str,
    hint: &'static str,
    value: RwSignal<String>,
    node_ref: NodeRef<leptos::html::Input>,
    errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let error = move || errors.get().into_iter().find(|e| e.field == id).map(|e| e.message);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = format!("{hint_id} {error_id}");
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id>{label}</label>
            <input
                id=id name=id type=kind autocomplete=autocomplete inputmode=inputmode
                spellcheck="false" required
                aria-describedby=described
                aria-invalid=move || if error().is_some() { "true" } else { "false" }
                value=move || value.get()
                node_ref=node_ref
            />
            <p class="hint" id=hint_id>{hint}</p>
            <p class="field-error" id=error_id>{error}</p>
        </div>
    }
}
