//! The team page: who may open the shop and as what. Owners change another
//! account's role or take it away; the store keeps the shop an owner and
//! checks, in the same transaction, that whoever asks is still an owner.
//! Owners invite accounts by mail (`invite`); without mail, accounts are added
//! on the command line (`lookout user create`), which prints the link.

use super::noted::{Done, Noted};
use super::pages::{self, csrf_field, Frame, Section};
use super::refused;
use super::session::Signed;
use super::{member, member_posting, t, typed_email};
use crate::AppState;
use app::store::{Invitation, Membership, Role, TeamChange, TeamRefusal};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use leptos::prelude::*;

/// `GET /console/shops/{slug}/team`
pub async fn team(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    done: Noted<Done>,
) -> Response {
    let member = match member(&state, &signed, &slug, Section::Team).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let note = match done.word() {
        Some("owner") => Some("console.team.now_owner"),
        Some("staff") => Some("console.team.now_staff"),
        Some("owner_already") => Some("console.team.owner_already"),
        Some("staff_already") => Some("console.team.staff_already"),
        Some("removed") => Some("console.team.removed"),
        Some("invited") => Some("console.team.invited"),
        Some("invited_again") => Some("console.team.invited_again"),
        _ => None,
    };
    let said = note.map(|key| (t(signed.locale, key), false));
    team_page(&state, &signed, &member, StatusCode::OK, said, None).await
}

/// A change to one account of the team.
#[derive(serde::Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    /// `role` (to the form's `role`) or `remove`.
    #[serde(default)]
    action: String,
    #[serde(default)]
    role: String,
    /// `yes` on the page that asks whether to remove the account.
    #[serde(default)]
    confirm: String,
}

/// `POST /console/shops/{slug}/team`
pub async fn change(
    State(state): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    Form(form): Form<ChangeForm>,
) -> Response {
    let member = match member_posting(&state, &signed, &slug, Section::Team, &form.csrf).await {
        Ok(m) => m,
        Err(page) => return page,
    };
    let locale = signed.locale;
    let refuse = |status, key: &str| (status, Some((t(locale, key), true)));
    let change = match (form.action.as_str(), Role::parse(&form.role)) {
        ("remove", _) => TeamChange::Remove,
        ("role", Some(role)) => TeamChange::Role(role),
        _ => {
            let (status, said) = refuse(StatusCode::UNPROCESSABLE_ENTITY, "console.team.bad_change");
            return team_page(&state, &signed, &member, status, said, None).await;
        }
    };
    // Checked by length before it is a key; one that cannot be an account's is no member.
    let (status, said) = if let Some(email) = typed_email(&form.email) {
        if change == TeamChange::Remove && form.confirm != "yes" {
            return confirm_removal(&state, &signed, &member, &email).await;
        }
        let by = Some(signed.session.user_id);
        match state.store.change_member(by, member.shop.id, &email, change).await {
            Ok(Ok(done)) => {
                tracing::info!(
                    user_id = signed.session.user_id,
                    shop_id = member.shop.id,
                    target_user_id = done.user_id,
                    change = ?change,
                    changed = done.changed,
                    "console changed the team"
                );
                let done = match (change, done.changed) {
                    (TeamChange::Role(role), true) => role.as_str(),
                    (TeamChange::Role(Role::Owner), false) => "owner_already",
                    (TeamChange::Role(Role::Staff), false) => "staff_already",
                    (TeamChange::Remove, _) => "removed",
                };
                return Redirect::to(&format!("/console/shops/{}/team?done={done}", member.shop.slug)).into_response();
            }
            Ok(Err(TeamRefusal::NotOwner)) => return refused::owners_only(locale),
            Ok(Err(TeamRefusal::Own)) => refuse(StatusCode::CONFLICT, "console.team.own"),
            Ok(Err(TeamRefusal::LastOwner)) => refuse(StatusCode::CONFLICT, "console.team.last_owner"),
            Ok(Err(TeamRefusal::NoSuchMember | TeamRefusal::Full)) => {
                refuse(StatusCode::NOT_FOUND, "console.team.no_such")
            }
            Err(e) => {
                tracing::error!(error = %e, "could not change the team");
                return refused::unavailable(locale);
            }
        }
    } else {
        refuse(StatusCode::NOT_FOUND, "console.team.no_such")
    };
    team_page(&state, &signed, &member, status, said, None).await
}

/// The page that asks whether to remove an account of the team (a removal
/// takes the account out at its next click, and only the operator adds it back).
async fn confirm_removal(state: &AppState, signed: &Signed, member: &Membership, email: &str) -> Response {
    let locale = signed.locale;
    let refused = |status, key: &str| {
        let said = Some((t(locale, key), true));
        team_page(state, signed, member, status, said, None)
    };
    match state.store.members(member.shop.id).await {
        Ok(members) if !members.iter().any(|m| m.email == email) => {
            return refused(StatusCode::NOT_FOUND, "console.team.no_such").await;
        }
        Ok(_) if email == signed.session.email => return refused(StatusCode::CONFLICT, "console.team.own").await,
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, "team query failed");
            return refused::unavailable(locale);
        }
    }
    let title = app::i18n::t_args(locale, "console.team.confirm_title", &[("email", email)]);
    let text = app::i18n::t_args(locale, "console.team.confirm", &[("shop", &member.shop.name)]);
    let team = format!("/console/shops/{}/team", member.shop.slug);
    let back = team.clone();
    pages::page(
        StatusCode::OK,
        &Frame::shop(signed, member, Section::Team),
        &title.clone(),
        view! {
            <h1>{title}</h1>
            <p>{text}</p>
            <form method="post" action=team class="inline">
                {csrf_field(&signed.session.csrf)}
                <input type="hidden" name="email" value=email.to_string()/>
                <input type="hidden" name="action" value="remove"/>
                <input type="hidden" name="confirm" value="yes"/>
                <button type="submit" class="danger">{t(locale, "console.team.remove")}</button>
                <a href=back>{t(locale, "console.team.cancel")}</a>
            </form>
        },
    )
}

/// The team page; `retry`: the address and role of a refused invitation, kept in its form.
pub(super) async fn team_page(
    state: &AppState,
    signed: &Signed,
    member: &Membership,
    status: StatusCode,
    said: Option<(String, bool)>,
    retry: Option<(&str, Role)>,
) -> Response {
    let locale = signed.locale;
    let members = match state.store.members(member.shop.id).await {
        Ok(members) => members,
        Err(e) => {
            tracing::error!(error = %e, "team query failed");
            return refused::unavailable(locale);
        }
    };
    let action = format!("/console/shops/{}/team", member.shop.slug);
    let csrf = signed.session.csrf.clone();
    let rows = members
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let row = format!("member-{i}");
            let role_text = t(locale, &format!("console.role.{}", m.role.as_str()));
            let opened = t(
                locale,
                if m.opened {
                    "console.team.opened"
                } else {
                    "console.team.not_opened"
                },
            );
            // Until it opens the shop, where this shop's invitation is; a failed
            // one is said as an error, so that the owner checks the address.
            let invitation = m
                .invitation
                .filter(|state| !m.opened && *state != Invitation::Withdrawn)
                .map(|state| {
                    let text = t(locale, &format!("console.team.invitation_{}", state.as_str()));
                    let failed = state == Invitation::Failed;
                    view! { <p class="hint" class:error=failed>{text}</p> }
                });
            let role_of = app::i18n::t_args(locale, "console.team.role_of", &[("email", &m.email)]);
            let own = m.email == signed.session.email;
            let form = (!own).then(|| {
                let option = |role: Role| {
                    view! {
                        <option value=role.as_str() selected=m.role == role>
                            {t(locale, &format!("console.role.{}", role.as_str()))}
                        </option>
                    }
                };
                view! {
                    <form method="post" action=action.clone() class="inline">
                        {csrf_field(&csrf)}
                        <input type="hidden" name="email" value=m.email.clone()/>
                        <select name="role" aria-label=role_of>{option(Role::Owner)}{option(Role::Staff)}</select>
                        <button type="submit" name="action" value="role" aria-describedby=row.clone()>{t(locale, "console.team.save")}</button>
                        <button type="submit" name="action" value="remove" class="danger" aria-describedby=row.clone()>
                            {t(locale, "console.team.remove")}
                        </button>
                    </form>
                }
            });
            let you = own.then(|| app::i18n::aside(locale, &t(locale, "console.team.you")));
            view! {
                <li>
                    <p><strong id=row>{m.email.clone()}</strong>{you}</p>
                    <p class="hint">{format!("{role_text} · {opened}")}</p>
                    {invitation}
                    {form}
                </li>
            }
        })
        .collect_view();
    let note = said.map(|(text, error)| pages::notice(Some(text), error));
    let title = t(locale, "console.team.title");
    let adding = if state.mail.is_some() {
        super::invite::form(signed, &action, retry).into_any()
    } else {
        let slug = &member.shop.slug;
        view! {
            <p>{t(locale, "console.team.adding")}</p>
            {pages::copy_box(locale, "add-member", format!("lookout user create EMAIL --shop {slug} --role staff"))}
        }
        .into_any()
    };
    pages::page(
        status,
        &Frame::shop(signed, member, Section::Team),
        &title.clone(),
        view! {
            <h1>{title}</h1>
            {note}
            <p>{t(locale, "console.team.roles")}</p>
            <ul class="team">{rows}</ul>
            {adding}
        },
    )
}
