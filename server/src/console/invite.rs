//! Inviting someone to the team, from the team page, when the server sends
//! mail: the store adds the account and queues its invitation (see the store's
//! `invites`); the link to set a password goes to the invited address only,
//! never to the page, since an account may belong to other shops.

use super::pages::{csrf_field, Section};
use super::refused;
use super::session::Signed;
use super::team::team_page;
use super::{member_posting, t, typed_email};
use crate::AppState;
use app::i18n::t_args;
use app::store::{InviteRefusal, Invited, Role, INVITES_PER_ACCOUNT_PER_DAY, INVITES_PER_DAY, MEMBERS};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use leptos::prelude::*;

/// An invitation to the team.
#[derive(serde::Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// `POST /console/shops/{slug}/team/invite`
pub async fn invite(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    Form(form): Form<InviteForm>,
) -> Response {
    let member = match member_posting(&state, &signed, &slug, Section::Team, &form.csrf).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let locale = signed.locale;
    // Kept in the form when refused, if it is no longer than an address may be.
    let typed = form.email.trim();
    let typed = &match typed.len() > app::normalize::MAX_EMAIL_LEN {
        true => String::new(),
        false => super::offered_again(typed, app::normalize::MAX_EMAIL_LEN),
    };
    let role = Role::parse(&form.role);
    let retry = Some((typed.as_str(), role.unwrap_or(Role::Staff)));
    let refused = |status, text: String| team_page(&state, &signed, &member, status, Some((text, true)), retry);
    let Some(mailer) = state.mail.clone() else {
        return refused(StatusCode::CONFLICT, t(locale, "console.team.no_mail")).await;
    };
    let Some(role) = role else {
        return refused(StatusCode::UNPROCESSABLE_ENTITY, t(locale, "console.team.bad_role")).await;
    };
    // An account is invited at an address a mail can be sent to, as meant:
    // full-width forms an East Asian keyboard types as the ASCII they stand
    // for (anything hidden in it is still refused).
    let meant = super::meant_email(&form.email);
    let email = typed_email(&meant).filter(|_| crate::mail::is_mailbox(&meant));
    let Some(email) = email else {
        return refused(StatusCode::UNPROCESSABLE_ENTITY, t(locale, "console.team.bad_email")).await;
    };
    let by = signed.session.user_id;
    let invited = state
        .store
        .invite_member(by, member.shop.id, &email, role, locale.code())
        .await;
    let count = |n: i64| n.to_string();
    let (status, text) = match invited {
        Ok(Ok((invited, target))) => {
            tracing::info!(
                user_id = by,
                shop_id = member.shop.id,
                target_user_id = target,
                again = invited == Invited::Again,
                role = role.as_str(),
                "console invited an account"
            );
            mailer.wake();
            let done = match invited {
                Invited::Added => "invited",
                Invited::Again => "invited_again",
            };
            return Redirect::to(&format!("/console/shops/{}/team?done={done}", member.shop.slug)).into_response();
        }
        Ok(Err(InviteRefusal::NotOwner)) => return refused::owners_only(locale),
        Ok(Err(InviteRefusal::AlreadyMember)) => (StatusCode::CONFLICT, t(locale, "console.team.already")),
        Ok(Err(InviteRefusal::Full)) => (
            StatusCode::CONFLICT,
            t_args(locale, "console.team.full", &[("count", &count(MEMBERS))]),
        ),
        Ok(Err(InviteRefusal::TooMany)) => (
            StatusCode::TOO_MANY_REQUESTS,
            t_args(locale, "console.team.too_many", &[("count", &count(INVITES_PER_DAY))]),
        ),
        Ok(Err(InviteRefusal::TooManyForAccount)) => (
            StatusCode::TOO_MANY_REQUESTS,
            t_args(
                locale,
                "console.team.too_many_for_account",
                &[("count", &count(INVITES_PER_ACCOUNT_PER_DAY))],
            ),
        ),
        Err(e) => {
            tracing::error!(error = %e, "could not invite an account");
            return refused::unavailable(locale);
        }
    };
    refused(status, text).await
}

/// The form that invites someone (`retry`: the address and role of a refused try).
pub(super) fn form(signed: &Signed, team: &str, retry: Option<(&str, Role)>) -> impl IntoView {
    let locale = signed.locale;
    let (typed, chosen) = retry.unwrap_or(("", Role::Staff));
    let option = |role: Role| {
        view! {
            <option value=role.as_str() selected=role == chosen>
                {t(locale, &format!("console.role.{}", role.as_str()))}
            </option>
        }
    };
    let hint = t_args(
        locale,
        "console.team.invite_hint",
        &[("count", &INVITES_PER_DAY.to_string())],
    );
    view! {
        <h2>{t(locale, "console.team.invite_title")}</h2>
        <form method="post" action=format!("{team}/invite") class="stack">
            {csrf_field(&signed.session.csrf)}
            <label for="invite-email">{t(locale, "console.team.invite_email")}</label>
            // Text, not `type="email"`: a browser refuses to send an address typed
            // on an Asian keyboard (`ｗｉｄｅ＠shop.example`), which is read as the ASCII it stands for.
            <input id="invite-email" name="email" type="text" inputmode="email" required maxlength="254" autocomplete="off"
                autocapitalize="none" spellcheck="false"
                aria-describedby="invite-hint" value=typed.to_string()/>
            <label for="invite-role">{t(locale, "console.team.invite_role")}</label>
            <select id="invite-role" name="role">{option(Role::Staff)}{option(Role::Owner)}</select>
            <p class="hint" id="invite-hint">{hint}</p>
            <button type="submit">{t(locale, "console.team.invite")}</button>
        </form>
    }
}
