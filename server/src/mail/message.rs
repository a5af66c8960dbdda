//! The mail with a link to one's orders: plain text and HTML, in the language of
//! the page it was asked from, from the shop's name. The subject names the shop
//! only; the address and the orders appear nowhere but behind the link.

use app::i18n::{t, t_args, Locale};
use app::store::Queued;
use leptos::prelude::*;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::Message;

/// The message for `queued`, to `to` (the address on the orders), with `url`
/// as its one link.
pub fn link_mail(
    queued: &Queued,
    to: &str,
    from: &lettre::Address,
    url: &str,
) -> Result<Message, lettre::error::Error> {
    let locale = Locale::parse(&queued.locale).unwrap_or_default();
    let shop = queued.shop_name.as_str();
    // An address only: a display-name form (`x <y@z>`) is not one.
    let to = Mailbox::new(
        None,
        to.trim()
            .parse::<lettre::Address>()
            .map_err(|_| lettre::error::Error::MissingTo)?,
    );
    let subject = t_args(locale, "mail.subject", &[("shop", shop)]);
    let intro = t_args(locale, "mail.intro", &[("shop", shop)]);
    let (button, expiry, ignore) = (
        t(locale, "mail.button"),
        t(locale, "mail.expiry"),
        t(locale, "mail.ignore"),
    );
    let text = format!("{intro}\n\n{url}\n\n{expiry}\n\n{ignore}\n\n-- \n{shop}\n");
    let html = view! {
        <html lang=locale.code()>
            <head><meta charset="utf-8"/><title>{subject.clone()}</title></head>
            <body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 36em">
                <p>{intro.clone()}</p>
                <p>
                    <a href=url.to_string() style="display: inline-block; padding: 0.6em 1.2em; background: #0a5c45; color: #ffffff; text-decoration: none; border-radius: 6px">{button}</a>
                </p>
                <p style="font-size: 0.9em">{url.to_string()}</p>
                <p>{expiry.clone()}</p>
                <p style="color: #555555">{ignore.clone()}</p>
                <p style="color: #555555">{shop.to_string()}</p>
            </body>
        </html>
    }
    .to_html();
    Message::builder()
        .from(Mailbox::new(Some(shop.to_string()), from.clone()))
        .to(to)
        .subject(subject)
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
