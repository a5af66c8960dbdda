//! The language an account chose on its account page. The console's pages
//! and every mail to the account (sign-in and password notices, password
//! links, invitations) are written in it. Until the account chooses, or
//! after it chooses its browser's, pages follow the browser's
//! `Accept-Language` and mails the language they were asked in.
//!
//! The form is checked as the account page's others are (this session's
//! token, then one of the account's console forms); only one of the widget's
//! language codes, or nothing for the browser's, is stored.

use super::pages::csrf_field;
use super::profile::{account_page, refused_form};
use super::refused;
use super::session::{SignInFirst, Signed};
use super::{t, Locale};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use leptos::prelude::*;

/// The form's action.
pub const PATH: &str = "/console/account/language";

/// The account page's section: the choice, and what it changes.
pub(super) fn section(signed: &Signed) -> impl IntoView {
    let locale = signed.locale;
    let chosen = signed.session.locale;
    let browsers = app::i18n::t_args(
        locale,
        "console.language.browser",
        &[("language", signed.browser_locale.native_name())],
    );
    let languages = Locale::ALL
        .into_iter()
        .map(|l| view! { <option value=l.code() lang=l.lang_tag() selected=chosen == Some(l)>{l.native_name()}</option> })
        .collect_view();
    view! {
        <h2>{t(locale, "console.language.title")}</h2>
        <form method="post" action=PATH class="stack">
            {csrf_field(&signed.session.csrf)}
            <label for="language">{t(locale, "console.language.label")}</label>
            <select id="language" name="language">
                <option value="" selected=chosen.is_none()>{browsers}</option>
                {languages}
            </select>
            <p class="hint">{t(locale, "console.language.hint")}</p>
            <button type="submit">{t(locale, "console.language.submit")}</button>
        </form>
    }
}

#[derive(serde::Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    csrf: String,
    /// A code of [`Locale::ALL`], or empty for the browser's; missing is refused.
    language: Option<String>,
}

/// What a posted choice means: `Some(None)` the browser's language,
/// `Some(Some(l))` one of the widget's languages, `None` anything else.
fn chosen(posted: Option<&str>) -> Option<Option<Locale>> {
    match posted? {
        "" => Some(None),
        code => Locale::from_code(code).map(Some),
    }
}

/// `POST /console/account/language`
pub async fn choose(State(state): State<AppState>, signed: Signed, Form(form): Form<LanguageForm>) -> Response {
    if let Some(refused) = refused_form(&state, &signed, &form.csrf) {
        return refused;
    }
    let Some(locale) = chosen(form.language.as_deref()) else {
        let said = (t(signed.locale, "console.language.bad"), true);
        return account_page(&state, &signed, StatusCode::UNPROCESSABLE_ENTITY, Some(said)).await;
    };
    let user_id = signed.session.user_id;
    match state.store.set_account_locale(user_id, &signed.id_hash, locale).await {
        Ok(true) => {
            tracing::info!(user_id, "console account chose its language");
            Redirect::to("/console/account?done=language").into_response()
        }
        // The session ended since it was read (a password set by a link, a
        // sign-out elsewhere, the account deleted): nothing was changed.
        Ok(false) => SignInFirst.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "could not set an account's language");
            refused::unavailable(signed.locale)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_languages_code_or_nothing_is_a_choice() {
        assert_eq!(chosen(Some("")), Some(None));
        for l in Locale::ALL {
            assert_eq!(chosen(Some(l.code())), Some(Some(l)));
        }
        for junk in ["DE", "de-AT", "no", " en", "fi", "x".repeat(10_000).as_str()] {
            assert_eq!(chosen(Some(junk)), None, "{junk:?}");
        }
        assert_eq!(chosen(None), None, "a form without the field");
    }
}
