//! The mails the outbox sends, plain text and HTML, from the shop's name.
//! A shopper's link: in the language of the page it was asked from; the
//! subject names the shop only, and the address and the orders appear nowhere
//! but behind the link. Mails to a console account are in the language the
//! account chose, else: an invitation in the inviting owner's language, a
//! password link in that of the page it was asked from, word of a changed
//! password in that of the account page it was changed on, word of a sign-in
//! from a new browser in that of the account's first sign-in (each as the
//! claim gives it: `MailKind::locale_sql`).

use app::i18n::{t, t_args, Locale};
use app::store::{Queued, SignInNotice};
use leptos::prelude::*;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;

/// The words of one mail around its one link.
struct Words {
    subject: String,
    intro: String,
    button: String,
    /// Paragraphs after the link.
    after: Vec<String>,
}

/// The message for `queued`, to `to` (the address on the orders), with `url`
/// as its one link.
pub fn link_mail(
    queued: &Queued,
    to: &str,
    from: &lettre::Address,
    url: &str,
) -> Result<Message, lettre::error::Error> {
    let locale = Locale::parse(&queued.locale).unwrap_or_default();
    let shop = queued.sender_name();
    let words = Words {
        subject: t_args(locale, "mail.subject", &[("shop", shop)]),
        intro: t_args(locale, "mail.intro", &[("shop", shop)]),
        button: t(locale, "mail.button"),
        after: vec![t(locale, "mail.expiry"), t(locale, "mail.ignore")],
    };
    compose(queued, locale, to, from, url, words)
}

/// What an invitation's one link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invitation {
    /// To set the new account's password.
    SetPassword,
    /// To the console's sign-in, for an account that has a password.
    SignIn,
    /// To the console's sign-in, for an account whose password is to be set
    /// with the link another shop's owner or operator gave it.
    Waiting,
}

/// The invitation for `queued`, to the account's address, with `url` as its
/// one link, saying who sent it and the role it gives (`by`) when known.
pub fn invite_mail(
    queued: &Queued,
    from: &lettre::Address,
    url: &str,
    invitation: Invitation,
    by: &app::store::InvitedBy,
) -> Result<Message, lettre::error::Error> {
    let locale = Locale::parse(&queued.locale).unwrap_or_default();
    let shop = queued.sender_name();
    let (intro, button) = match invitation {
        Invitation::SetPassword => ("mail.invite.intro_new", "mail.invite.set_password"),
        Invitation::SignIn => ("mail.invite.intro_known", "mail.invite.sign_in"),
        Invitation::Waiting => ("mail.invite.intro_waiting", "mail.invite.sign_in"),
    };
    let mut after: Vec<String> = invited_as(locale, by).into_iter().collect();
    if invitation == Invitation::SetPassword {
        after.push(t(locale, "mail.invite.expiry"));
    }
    after.push(t(locale, "mail.invite.ignore"));
    let words = Words {
        subject: t_args(locale, "mail.invite.subject", &[("shop", shop)]),
        intro: t_args(locale, intro, &[("shop", shop)]),
        button: t(locale, button),
        after,
    };
    compose(queued, locale, &queued.email, from, url, words)
}

/// What an invitation says of who sent it and the role it gives (and what
/// that role may do); nothing when the account no longer has a role.
fn invited_as(locale: Locale, by: &app::store::InvitedBy) -> Option<String> {
    let (word, what) = match by.role? {
        app::store::Role::Owner => ("console.role.owner", "mail.invite.what_owner"),
        app::store::Role::Staff => ("console.role.staff", "mail.invite.what_staff"),
    };
    let (role, what) = (t(locale, word), t(locale, what));
    Some(match &by.owner {
        Some(who) => t_args(
            locale,
            "mail.invite.by",
            &[("who", who), ("role", &role), ("what", &what)],
        ),
        None => t_args(locale, "mail.invite.as", &[("role", &role), ("what", &what)]),
    })
}

/// A link to set a forgotten console password, to the account's address,
/// in the language the account chose, else of the page it was asked from.
pub fn password_mail(queued: &Queued, from: &lettre::Address, url: &str) -> Result<Message, lettre::error::Error> {
    let locale = Locale::parse(&queued.locale).unwrap_or_default();
    let words = Words {
        subject: t(locale, "mail.password.subject"),
        intro: t(locale, "mail.password.intro"),
        button: t(locale, "mail.password.button"),
        after: vec![t(locale, "mail.password.expiry"), t(locale, "mail.password.ignore")],
    };
    compose(queued, locale, &queued.email, from, url, words)
}

/// Word that the account's console password was changed, to its address, in
/// the language the account chose, else of the page it was changed on; its
/// one link is to "Forgot
/// your password?", for whoever did not make the change.
pub fn notice_mail(queued: &Queued, from: &lettre::Address, url: &str) -> Result<Message, lettre::error::Error> {
    let locale = Locale::parse(&queued.locale).unwrap_or_default();
    let words = Words {
        subject: t(locale, "mail.notice.subject"),
        intro: t(locale, "mail.notice.intro"),
        button: t(locale, "mail.notice.button"),
        after: vec![t(locale, "mail.notice.signed_out")],
    };
    compose(queued, locale, &queued.email, from, url, words)
}

/// Word of a sign-in from a browser new to the account, to its address, in
/// the language the account had when the browser signed in: which browser (in words, from the
/// fixed lists) and when; its one link is to "Forgot your password?", for
/// whoever did not sign in, and it points to the account page's list of
/// browsers (`account`).
pub fn sign_in_mail(
    queued: &Queued,
    from: &lettre::Address,
    url: &str,
    notice: &SignInNotice,
    account: &str,
) -> Result<Message, lettre::error::Error> {
    let locale = Locale::parse(&queued.locale).unwrap_or_default();
    let browser = crate::console::browser_in_words(locale, &notice.browser);
    // "2026-12-03T16:20:05Z" as "3 Dec 2026 16:20 UTC", as the console shows it.
    let when = crate::console::time_in_words(locale, &notice.signed_in_at);
    let words = Words {
        subject: t(locale, "mail.sign_in.subject"),
        intro: t_args(locale, "mail.sign_in.intro", &[("when", &when), ("browser", &browser)]),
        button: t(locale, "mail.sign_in.button"),
        after: [
            (notice.more > 0).then(|| app::i18n::t_count(locale, "mail.sign_in.more", notice.more.unsigned_abs())),
            Some(t_args(locale, "mail.sign_in.browsers", &[("url", account)])),
            Some(t(locale, "mail.sign_in.why")),
        ]
        .into_iter()
        .flatten()
        .collect(),
    };
    compose(queued, locale, &queued.email, from, url, words)
}

fn compose(
    queued: &Queued,
    locale: Locale,
    to: &str,
    from: &lettre::Address,
    url: &str,
    words: Words,
) -> Result<Message, lettre::error::Error> {
    let shop = queued.sender_name();
    // An address only: a display-name form (`x <y@z>`) is not one.
    let to = Mailbox::new(
        None,
        to.trim()
            .parse::<lettre::Address>()
            .map_err(|_| lettre::error::Error::MissingTo)?,
    );
    let Words {
        subject,
        intro,
        button,
        after,
    } = words;
    // The button's words say what the link is for, in the plain text too.
    let text = format!("{intro}\n\n{button}\n{url}\n\n{}\n\n-- \n{shop}\n", after.join("\n\n"));
    let paragraphs = after
        .into_iter()
        .enumerate()
        .map(|(i, p)| view! { <p style=(i > 0).then_some("color: #555555")>{p}</p> })
        .collect_view();
    let html = view! {
        <html lang=locale.lang_tag()>
            <head><meta charset="utf-8"/><title>{subject.clone()}</title></head>
            <body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 36em">
                <p>{intro}</p>
                <p>
                    <a href=url.to_string() style="display: inline-block; padding: 0.6em 1.2em; background: #0a5c45; color: #ffffff; text-decoration: none; border-radius: 6px">{button}</a>
                </p>
                <p style="font-size: 0.9em">{url.to_string()}</p>
                {paragraphs}
                <p style="color: #555555">{shop.to_string()}</p>
            </body>
        </html>
    }
    .to_html();
    let mut message = Message::builder()
        .from(Mailbox::new(Some(display_name(shop)), from.clone()))
        .to(to);
    // A shopper who answers a shop's mail writes to the shop, when it says where.
    if let Some(reply_to) = reply_to(queued) {
        message = message.reply_to(Mailbox::new(None, reply_to));
    }
    message
        .subject(unencoded(&subject))
        // Some receivers refuse mail without one for good (Gmail: 550 5.7.1), and
        // not every relay adds it; the sender's domain is the mail's, not this host's.
        .message_id(Some(message_id(from)))
        // Machine-sent: vacation responders do not answer it (RFC 3834).
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ))
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(text))
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(format!("<!DOCTYPE html>{html}")),
                ),
        )
}

/// Where a shopper's answer to the mail goes: the shop's contact address, for
/// a mail to a shopper, when the shop gives one (checked when it was set).
fn reply_to(queued: &Queued) -> Option<lettre::Address> {
    if queued.kind != app::store::MailKind::Link {
        return None;
    }
    let address = queued.shop.as_ref()?.contact_email.as_deref()?;
    address.parse().ok()
}

/// The shop's name as the sender's display name, without what would make it
/// read as another address ("PayPal <service@paypal.com>" is a shop name
/// settings accept): `<`, `>`, `@` and quotes, and what is written like them
/// (the full-width `＜＠＞`, the small `﹫`: whatever NFKC makes one of them),
/// become spaces.
fn display_name(shop: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let reads_as_address_mark = |c: char| std::iter::once(c).nfkc().any(|c| matches!(c, '<' | '>' | '@' | '"'));
    let cleaned: String = shop
        .chars()
        .map(|c| if reads_as_address_mark(c) { ' ' } else { c })
        .collect();
    unencoded(&cleaned.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A fresh `Message-ID` in the sender's domain, in ASCII (a header of its
/// kind cannot be encoded): 128 random bits.
fn message_id(from: &lettre::Address) -> String {
    let domain = idna::domain_to_ascii(from.domain()).unwrap_or_else(|_| "localhost".to_owned());
    format!("<{:032x}@{domain}>", rand::random::<u128>())
}

/// Header text that no mail reader takes for an encoded word: a shop's name
/// in a subject may hold `=?utf-8?b?…?=`, which a reader would decode into
/// words the name check never saw. A word joiner (which shows nothing) parts
/// each `=?`, and the text, no longer ASCII, is encoded whole.
fn unencoded(text: &str) -> String {
    text.replace("=?", "=\u{2060}?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shop_name_cannot_put_an_encoded_word_into_a_subject() {
        let injected = "Your orders at =?utf-8?b?UGF5UGFsIDxzZXJ2aWNlQHBheXBhbC5jb20+?=";
        let message = Message::builder()
            .from("a@example.com".parse().unwrap())
            .to("b@example.com".parse().unwrap())
            .subject(unencoded(injected))
            .body(String::new())
            .unwrap();
        let sent = String::from_utf8(message.formatted()).unwrap();
        let subject = sent.lines().find(|l| l.starts_with("Subject:")).unwrap();
        assert!(
            !sent.contains("UGF5UGFs"),
            "the name's encoded word is sent as it was: {subject}"
        );
        assert!(
            subject.contains("=?utf-8?b?PeKBoD91dGYtOD9i"),
            "the name's word encoded: {subject}"
        );
        assert_eq!(unencoded("Your orders at Nordlys"), "Your orders at Nordlys");
        // Nor into the sender's name, which some readers decode inside quotes.
        let from = Mailbox::new(
            Some(display_name("=?utf-8?b?UGF5UGFs?=")),
            "a@example.com".parse().unwrap(),
        );
        let sent = String::from_utf8(
            Message::builder()
                .from(from)
                .to("b@example.com".parse().unwrap())
                .body(String::new())
                .unwrap()
                .formatted(),
        )
        .unwrap();
        assert!(!sent.contains("UGF5UGFs"), "{sent}");
    }

    #[test]
    fn a_shop_name_cannot_pass_for_another_address_in_the_sender() {
        assert_eq!(display_name("PayPal <service@paypal.com>"), "PayPal service paypal.com");
        assert_eq!(display_name("\"Bank\" <a@b.c>"), "Bank a b.c");
        assert_eq!(display_name("Nordlys Outfitters"), "Nordlys Outfitters");
        assert_eq!(display_name("Åse & Co 🧦"), "Åse & Co 🧦");
        assert_eq!(
            display_name("PayPal ＜service＠paypal.com＞"),
            "PayPal service paypal.com"
        );
        assert_eq!(display_name("PayPal service﹫paypal.com"), "PayPal service paypal.com");
        assert_eq!(display_name("ﬁne ｼｮｯﾌﾟ"), "ﬁne ｼｮｯﾌﾟ", "nothing else is rewritten");
    }

    #[test]
    fn an_invitation_says_who_sent_it_and_the_role_in_the_accounts_language() {
        use app::store::{InvitedBy, Role};
        let by = |owner: Option<&str>, role| InvitedBy {
            owner: owner.map(str::to_string),
            role,
        };
        let owner = Some("ada@nordlys.example");
        let en = invited_as(Locale::En, &by(owner, Some(Role::Staff))).expect("said");
        assert_eq!(
            en,
            "ada@nordlys.example sent this invitation; you are invited as staff. \
             Staff see the overview and the support view."
        );
        let de = invited_as(Locale::De, &by(owner, Some(Role::Owner))).expect("said");
        assert!(
            de.contains("Sie sind als Inhaber eingeladen") && de.contains("ada@nordlys.example"),
            "{de}"
        );
        // Made before the sender was kept: the role alone; the account left
        // the team meanwhile (no role): nothing.
        let before = invited_as(Locale::En, &by(None, Some(Role::Owner))).expect("said");
        assert!(
            before.starts_with("You are invited as owner. Owners may do everything"),
            "{before}"
        );
        assert_eq!(invited_as(Locale::En, &by(owner, None)), None);
    }

    #[test]
    fn every_mail_has_its_own_message_id_in_the_senders_domain() {
        let from: lettre::Address = "noreply@lookout.example".parse().unwrap();
        let (a, b) = (message_id(&from), message_id(&from));
        assert_ne!(a, b);
        assert!(a.starts_with('<') && a.ends_with("@lookout.example>"), "{a}");
        assert_eq!(a.len(), "<@lookout.example>".len() + 32, "{a}");
        let idn: lettre::Address = "noreply@bücher.example".parse().unwrap();
        assert!(
            message_id(&idn).ends_with("@xn--bcher-kva.example>"),
            "{}",
            message_id(&idn)
        );
    }
}
