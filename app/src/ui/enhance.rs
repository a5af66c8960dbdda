//! The lookup island in the browser: a lookup without a page load. The form is
//! posted in the background to its own address, asking (by a header) for the
//! lookup's part of the page only, and the server's rendering of the outcome is
//! put in the form's place. A browser that cannot send it so posts the form the
//! plain way; a lookup that fails on the way (no network, no answer within
//! [`WAIT_MS`], an answer that is not the lookup's part: a proxy's error page)
//! gives the form back as typed, saying that lookup is unavailable, and is not
//! sent again by itself (it may have counted against the allowances already).

use super::lookup_form::{FRAGMENT_HEADER, FRAGMENT_LOOKUP};
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::{JsCast, JsValue};
use leptos::web_sys::{
    AbortController, Element, Event, FormData, HtmlElement, HtmlFormElement, RequestInit, Response, UrlSearchParams,
};
use std::cell::RefCell;

/// How long a background lookup may take before the form is given back.
const WAIT_MS: i32 = 15_000;

thread_local! {
    /// The region's first content, an empty form: what "look up another order" brings back.
    static EMPTY_FORM: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The email of the last lookup sent from this page: "look up another
    /// order" gives it back, and leaving the page forgets it.
    static LAST_EMAIL: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Once hydrated: keeps the empty form and marks the form as taken over. A
/// page left for another shows the empty form again if the browser keeps it
/// for Back (as a plain post's answer, `no-store`, is not kept): never an
/// order found, nor a form left busy.
pub fn start(region: HtmlElement) {
    EMPTY_FORM.with(|empty| *empty.borrow_mut() = Some(region.inner_html()));
    mark_hydrated(&region);
    local_times(&region);
    if let Some(window) = leptos::web_sys::window() {
        let kept = region.clone();
        let reset = Closure::<dyn Fn()>::new(move || {
            LAST_EMAIL.with(|last| *last.borrow_mut() = None);
            show_empty(&kept);
        });
        let _ = window.add_event_listener_with_callback("pagehide", reset.as_ref().unchecked_ref());
        // Listens for the page's life, once per page.
        reset.forget();
    }
}

/// A submit inside the region: a lookup, or "look up another order".
pub fn on_submit(ev: Event, region: HtmlElement) {
    let Some(form) = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else {
        return;
    };
    match form.get_attribute("data-lookup").as_deref() {
        Some("find") => {
            ev.prevent_default();
            if form.get_attribute("aria-busy").is_none() {
                leptos::task::spawn_local(find(form, region));
            }
        }
        Some("again") => {
            if show_empty(&region) {
                ev.prevent_default();
                // The same shopper's next order: the email as typed, the
                // number to type.
                let email = LAST_EMAIL.with(|last| last.borrow().clone());
                let kept = email.is_some_and(|email| set_value(&region, "#email", &email));
                focus(&region, if kept { "#order_number" } else { "input" });
            }
        }
        _ => {}
    }
}

/// Writes `value` into the region's input `selector`; whether there was one.
fn set_value(region: &HtmlElement, selector: &str, value: &str) -> bool {
    let input = region.query_selector(selector).ok().flatten();
    match input.and_then(|i| i.dyn_into::<leptos::web_sys::HtmlInputElement>().ok()) {
        Some(input) => {
            input.set_value(value);
            true
        }
        None => false,
    }
}

/// Puts the empty form in the region; whether there was one to put.
fn show_empty(region: &HtmlElement) -> bool {
    let Some(empty) = EMPTY_FORM.with(|empty| empty.borrow().clone()) else {
        return false;
    };
    region.set_inner_html(&empty);
    mark_hydrated(region);
    true
}

/// What became of a background lookup.
enum Answer {
    /// The lookup's part of the page, to show.
    Shown(String),
    /// Never sent: this browser cannot send the form so.
    NotSent,
    /// Sent, and no usable answer came.
    Failed,
}

/// Posts the form in the background and shows what the server rendered.
async fn find(form: HtmlFormElement, region: HtmlElement) {
    if let Ok(Some(email)) = form.query_selector("#email") {
        if let Ok(email) = email.dyn_into::<leptos::web_sys::HtmlInputElement>() {
            LAST_EMAIL.with(|last| *last.borrow_mut() = Some(email.value()));
        }
    }
    busy(&form, true);
    match fragment(&form).await {
        Answer::Shown(html) => {
            region.set_inner_html(&html);
            mark_hydrated(&region);
            local_times(&region);
            // The order's heading when found, else the first field to correct, else the first field.
            let _ = focus(&region, "#order-heading")
                || focus(&region, "[aria-invalid=\"true\"]")
                || focus(&region, "input");
        }
        Answer::NotSent => {
            busy(&form, false);
            let _ = form.submit();
        }
        Answer::Failed => {
            busy(&form, false);
            say_unavailable(&form);
        }
    }
}

/// Marks the form and its button busy (the button saying so), or idle again as
/// the server rendered them.
fn busy(form: &HtmlFormElement, on: bool) {
    let button = form.query_selector("button[type=submit]").ok().flatten();
    if on {
        let _ = form.set_attribute("aria-busy", "true");
    } else {
        let _ = form.remove_attribute("aria-busy");
    }
    let Some(button) = button else {
        return;
    };
    if on {
        if button.get_attribute("data-idle").is_none() {
            let _ = button.set_attribute("data-idle", &button.text_content().unwrap_or_default());
        }
        let _ = button.set_attribute("disabled", "");
        let _ = button.set_attribute("aria-busy", "true");
        if let Some(text) = button.get_attribute("data-busy") {
            button.set_text_content(Some(&text));
        }
    } else {
        let _ = button.remove_attribute("disabled");
        let _ = button.set_attribute("aria-busy", "false");
        if let Some(text) = button.get_attribute("data-idle") {
            button.set_text_content(Some(&text));
        }
    }
}

/// Says at the top of the form, as an alert that takes the focus, that lookup
/// is unavailable (the form's `data-unavailable`, in the page's language).
fn say_unavailable(form: &HtmlFormElement) {
    let (Some(text), Some(document)) = (form.get_attribute("data-unavailable"), form.owner_document()) else {
        return;
    };
    // What the last answer said (a notice, field errors) was about the last
    // input: it goes, and this is said alone.
    if let Ok(old) = form.query_selector_all(".notice") {
        for i in 0..old.length() {
            if let Some(Ok(old)) = old.item(i).map(|n| n.dyn_into::<Element>()) {
                old.remove();
            }
        }
    }
    if let Ok(invalid) = form.query_selector_all("[aria-invalid=\"true\"]") {
        for i in 0..invalid.length() {
            if let Some(Ok(field)) = invalid.item(i).map(|n| n.dyn_into::<Element>()) {
                let _ = field.set_attribute("aria-invalid", "false");
            }
        }
    }
    if let Ok(errors) = form.query_selector_all(".field-error") {
        for i in 0..errors.length() {
            if let Some(error) = errors.item(i) {
                error.set_text_content(None);
            }
        }
    }
    let Ok(notice) = document.create_element("p") else {
        return;
    };
    notice.set_class_name("notice error");
    for (name, value) in [("role", "alert"), ("tabindex", "-1"), ("data-said", "unavailable")] {
        let _ = notice.set_attribute(name, value);
    }
    notice.set_text_content(Some(&text));
    let _ = form.prepend_with_node_1(&notice);
    if let Ok(notice) = notice.dyn_into::<HtmlElement>() {
        let _ = notice.focus();
    }
}

/// The server's rendering of the lookup the form asks for, if the answer is one.
async fn fragment(form: &HtmlFormElement) -> Answer {
    let Some((init, window)) = request(form) else {
        return Answer::NotSent;
    };
    // A stalled connection gives the form back: the request, its answer's body
    // included, is given up after WAIT_MS.
    if let Ok(controller) = AbortController::new() {
        init.set_signal(Some(&controller.signal()));
        let abort = Closure::once_into_js(move || controller.abort());
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(abort.unchecked_ref(), WAIT_MS);
    }
    let sent = window.fetch_with_str_and_init(&form.action(), &init);
    let Some(answer) = wasm_bindgen_futures::JsFuture::from(sent)
        .await
        .ok()
        .and_then(|a| a.dyn_into::<Response>().ok())
    else {
        return Answer::Failed;
    };
    let ours = answer.headers().get(FRAGMENT_HEADER).ok().flatten();
    if ours.as_deref() != Some(FRAGMENT_LOOKUP) {
        return Answer::Failed;
    }
    let Ok(body) = answer.text() else {
        return Answer::Failed;
    };
    let text: Option<JsValue> = wasm_bindgen_futures::JsFuture::from(body).await.ok();
    text.and_then(|t| t.as_string()).map_or(Answer::Failed, Answer::Shown)
}

/// The form's background post, if this browser can make one.
fn request(form: &HtmlFormElement) -> Option<(RequestInit, leptos::web_sys::Window)> {
    let data = FormData::new_with_form(form).ok()?;
    let body = UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&body);
    let headers = leptos::web_sys::Headers::new().ok()?;
    headers.set(FRAGMENT_HEADER, FRAGMENT_LOOKUP).ok()?;
    init.set_headers(&headers);
    Some((init, leptos::web_sys::window()?))
}

fn mark_hydrated(region: &HtmlElement) {
    if let Ok(Some(form)) = region.query_selector("form[data-lookup=find]") {
        let _ = form.set_attribute("data-hydrated", "true");
    }
}

/// Says the order's times in the browser's own time zone: the server, which
/// knows no shopper's zone, said them in UTC (a carrier's scan "18:02 UTC",
/// a delivery's date as the day was in UTC). Each `<time data-local>` is said
/// again, in the page's language and the page's own words for dates: a
/// `moment` with its time of day and no zone, a `date` as the day it was here.
fn local_times(region: &HtmlElement) {
    use leptos::web_sys::js_sys::Date;
    let locale = region
        .owner_document()
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|lang| crate::i18n::Locale::parse(&lang))
        .unwrap_or(crate::i18n::Locale::En);
    let Ok(times) = region.query_selector_all("time[data-local][datetime]") else {
        return;
    };
    for i in 0..times.length() {
        let Some(Ok(time)) = times.item(i).map(|n| n.dyn_into::<Element>()) else {
            continue;
        };
        let Some(at) = time.get_attribute("datetime") else {
            continue;
        };
        let when = Date::new(&JsValue::from_str(&at));
        if when.get_time().is_nan() {
            continue;
        }
        let here = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}",
            when.get_full_year(),
            when.get_month() + 1,
            when.get_date(),
            when.get_hours(),
            when.get_minutes()
        );
        let said = match time.get_attribute("data-local").as_deref() {
            Some("moment") => crate::format::local_moment(&here, locale),
            _ => crate::format::date(&here, locale),
        };
        time.set_text_content(Some(&said));
    }
}

/// Moves focus to the first element matching `selector`; whether there was one.
fn focus(region: &HtmlElement, selector: &str) -> bool {
    let found = region
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e: Element| e.dyn_into::<HtmlElement>().ok());
    match found {
        Some(element) => element.focus().is_ok(),
        None => false,
    }
}
