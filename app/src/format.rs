//! Money and dates written the way each locale writes them.

use crate::i18n::Locale;

mod habits;

#[cfg(test)]
use habits::NNBSP;
use habits::{Sign, NBSP};

/// Minor digits shown for a currency (its ISO 4217 exponent; 2 unless listed).
fn decimals(currency: &str) -> usize {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX" | "UYI" | "VND"
        | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        "CLF" | "UYW" => 4,
        _ => 2,
    }
}

/// A decimal string's whole and fractional digits with `places` fractional
/// digits, rounded half up ("19.995" with 2 places is "20" and "00"). Text that
/// is not plain digits (nothing stored is, but a view is shown as it is) is cut
/// or padded instead.
fn rounded(amount: &str, places: usize) -> (String, String) {
    let (int, frac) = amount.split_once('.').unwrap_or((amount, ""));
    let pad = |mut f: String| {
        while f.chars().count() < places {
            f.push('0');
        }
        f
    };
    let plain = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if !plain(int) || !plain(frac) {
        return (int.to_string(), pad(frac.chars().take(places).collect()));
    }
    let up = frac.as_bytes().get(places).is_some_and(|d| *d >= b'5');
    let kept = &frac[..frac.len().min(places)];
    let mut digits: Vec<u8> = int.bytes().chain(kept.bytes()).collect();
    if up {
        // One more in the last kept place, carried left ("9.995" becomes "10.00").
        let mut i = digits.len();
        while i > 0 && digits[i - 1] == b'9' {
            digits[i - 1] = b'0';
            i -= 1;
        }
        match i {
            0 => digits.insert(0, b'1'),
            _ => digits[i - 1] += 1,
        }
    }
    let split = digits.len() - kept.len();
    let text = |d: &[u8]| d.iter().map(|b| char::from(*b)).collect::<String>();
    (text(&digits[..split]), pad(text(&digits[split..])))
}

/// `amount` (a decimal string such as "1249.5") in `currency`, for `locale`:
/// `1 249,50 kr` (nb, sv), `1.249,50 €` (de), `€ 1.249,50` (nl), `1249,50 €`
/// (es), `€1,249.50` (en), `¥1,249.50` (zh), `NOK 548.00` (en, a currency
/// without a sign of its own there).
pub fn money(amount: &str, currency: &str, locale: Locale) -> String {
    let habits = habits::of(locale);
    let places = decimals(currency);
    let (int, frac) = rounded(amount, places);
    let mut number = grouped(&int, locale);
    if places > 0 {
        number.push(habits.point);
        number.push_str(&frac);
    }
    match habits.signs.iter().find(|(code, _)| *code == currency) {
        Some((_, Sign::Before(sign))) => format!("{sign}{number}"),
        Some((_, Sign::After(sign))) => format!("{number}{sign}"),
        None if habits.code_before => format!("{currency}{NBSP}{number}"),
        None => format!("{number}{NBSP}{currency}"),
    }
}

/// An amount taken off the total (discounts): [`money`] after a minus sign,
/// unless it is nothing.
pub fn deduction(amount: &str, currency: &str, locale: Locale) -> String {
    let shown = money(amount, currency, locale);
    match shown.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        true => format!("\u{2212}{shown}"),
        false => shown,
    }
}

/// `price` × `quantity`, exactly, in the price's own decimal places (a line's
/// total); `None` for a price that is no plain decimal or a product too large.
pub fn times(price: &str, quantity: u32) -> Option<String> {
    let (int, frac) = price.split_once('.').unwrap_or((price, ""));
    let plain = !int.is_empty() && int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit());
    if !plain || int.len() + frac.len() > 30 {
        return None;
    }
    let units: u128 = format!("{int}{frac}").parse().ok()?;
    let product = format!(
        "{:0>width$}",
        units.checked_mul(u128::from(quantity))?,
        width = frac.len() + 1
    );
    let (whole, part) = product.split_at(product.len() - frac.len());
    Some(match part {
        "" => whole.to_string(),
        part => format!("{whole}.{part}"),
    })
}

/// A line's total as the shopper can check it: the price of one as shown
/// (rounded to the currency's places) times the quantity.
pub fn line_total(price: &str, quantity: u32, currency: &str) -> Option<String> {
    let (int, frac) = rounded(price, decimals(currency));
    match frac.as_str() {
        "" => times(&int, quantity),
        frac => times(&format!("{int}.{frac}"), quantity),
    }
}

/// The whole digits `int` grouped in thousands as `locale` does; Spanish and
/// Polish leave a number of four digits whole (`1249`, `12.345`).
fn grouped(int: &str, locale: Locale) -> String {
    let habits = habits::of(locale);
    match int.chars().count() < habits.group_from {
        true => int.to_string(),
        false => group_digits(int, habits.group),
    }
}

/// A whole number as `locale` writes it: `12,345` (en, zh), `12.345` (de, es),
/// `12 345` (nb, sv, a no-break space; fr, a narrow one).
pub fn count(n: i64, locale: Locale) -> String {
    let digits = grouped(&n.unsigned_abs().to_string(), locale);
    if n < 0 {
        format!("-{digits}")
    } else {
        digits
    }
}

/// What separates the fields of a CSV file that `locale`'s spreadsheets open
/// as columns: `;` where the decimal mark is a comma (there a spreadsheet
/// reads `,` as part of a number), else `,`.
pub fn csv_separator(locale: Locale) -> char {
    match habits::of(locale).point {
        ',' => ';',
        _ => ',',
    }
}

/// A whole percentage as `locale` writes it: `87%` (en, zh), `87 %` (de, es,
/// nb, sv, a no-break space; fr, a narrow one).
pub fn percent(p: i64, locale: Locale) -> String {
    format!("{}{}%", count(p, locale), habits::of(locale).percent)
}

fn group_digits(int: &str, sep: char) -> String {
    let digits: Vec<char> = int.chars().collect();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(*d);
    }
    out
}

/// The date of an RFC 3339 time or a `YYYY-MM-DD` date: `2 Nov 2026`, `2. nov. 2026`,
/// `2 nov. 2026`, `2. Nov. 2026`, `2 nov. 2026` (fr), `2 nov 2026` (es),
/// `2026年11月2日`. Unreadable input is shown as it is.
pub fn date(value: &str, locale: Locale) -> String {
    let parts = value.get(..10).map(|d| {
        let mut it = d.split('-').map(|p| p.parse::<u32>().ok());
        (it.next().flatten(), it.next().flatten(), it.next().flatten())
    });
    let Some((Some(y), Some(m @ 1..=12), Some(d))) = parts else {
        return value.to_string();
    };
    let habits = habits::of(locale);
    crate::i18n::fill(
        habits.date,
        &[
            ("d", &d.to_string()),
            ("m", habits.months[(m - 1) as usize]),
            ("n", &m.to_string()),
            ("y", &y.to_string()),
        ],
    )
}

/// Date and time of an RFC 3339 time, for carrier scans: said to be UTC, as
/// every stored time is (the page is made on the server, which knows no
/// shopper's time zone; the page's island says it again in the browser's,
/// [`local_moment`]).
pub fn moment(value: &str, locale: Locale) -> String {
    match value.get(11..16) {
        Some(time) if value.len() > 16 => format!("{} {time} UTC", date(value, locale)),
        _ => date(value, locale),
    }
}

/// [`moment`] of a time already in the shopper's own zone (`YYYY-MM-DDTHH:MM`,
/// as the browser tells it): no zone said.
pub fn local_moment(value: &str, locale: Locale) -> String {
    match value.get(11..16) {
        Some(time) => format!("{} {time}", date(value, locale)),
        None => date(value, locale),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: String) -> String {
        s.replace([NBSP, NNBSP], " ")
    }

    #[test]
    fn money_follows_each_locales_habits() {
        assert_eq!(plain(money("1249.00", "NOK", Locale::Nb)), "1 249,00 kr");
        assert_eq!(plain(money("1249", "SEK", Locale::Sv)), "1 249,00 kr");
        assert_eq!(plain(money("1249.5", "EUR", Locale::De)), "1.249,50 €");
        assert_eq!(money("1249.00", "CNY", Locale::Zh), "¥1,249.00");
        assert_eq!(money("1249.00", "USD", Locale::En), "$1,249.00");
        assert_eq!(plain(money("548.00", "NOK", Locale::En)), "NOK 548.00");
        assert_eq!(money("1249", "JPY", Locale::Zh).replace(NBSP, " "), "JPY 1,249");
        assert_eq!(money("1249.00", "TWD", Locale::ZhHant), "NT$1,249.00");
        assert_eq!(money("1249.00", "HKD", Locale::ZhHant), "HK$1,249.00");
        assert_eq!(money("1249.00", "CNY", Locale::ZhHant), "CN¥1,249.00");
        assert_eq!(plain(money("1249", "JPY", Locale::ZhHant)), "JPY 1,249");
        assert_eq!(plain(money("1234567.891", "KWD", Locale::De)), "1.234.567,891 KWD");
        assert_eq!(money("1249.5", "EUR", Locale::Fr), "1\u{202f}249,50\u{a0}€");
        assert_eq!(plain(money("548", "CHF", Locale::Fr)), "548,00 CHF");
        assert_eq!(plain(money("1249.5", "EUR", Locale::Es)), "1249,50 €");
        assert_eq!(plain(money("12345.5", "EUR", Locale::Es)), "12.345,50 €");
        assert_eq!(plain(money("1249", "MXN", Locale::Es)), "1249,00 MXN");
        assert_eq!(plain(money("1249.5", "EUR", Locale::It)), "1.249,50 €");
        assert_eq!(plain(money("1249.5", "EUR", Locale::Nl)), "€ 1.249,50");
        assert_eq!(plain(money("548", "NOK", Locale::Nl)), "NOK 548,00");
        assert_eq!(plain(money("1249.5", "BRL", Locale::Pt)), "R$ 1.249,50");
        assert_eq!(plain(money("1249.5", "DKK", Locale::Da)), "1.249,50 kr.");
        assert_eq!(plain(money("1249.5", "PLN", Locale::Pl)), "1249,50 zł");
        assert_eq!(money("12345", "PLN", Locale::Pl), "12\u{a0}345,00\u{a0}zł");
        assert_eq!(money("1249", "JPY", Locale::Ja), "￥1,249");
        assert_eq!(plain(money("548", "NOK", Locale::Ja)), "NOK 548.00");
    }

    #[test]
    fn discounts_are_taken_off_and_lines_are_priced_whole() {
        assert_eq!(deduction("150.00", "USD", Locale::En), "\u{2212}$150.00");
        assert_eq!(plain(deduction("150", "NOK", Locale::Nb)), "\u{2212}150,00 kr");
        assert_eq!(deduction("0.00", "USD", Locale::En), "$0.00", "nothing off has no sign");
        assert_eq!(
            deduction("0.001", "USD", Locale::En),
            "$0.00",
            "nor does what rounds to nothing"
        );
        assert_eq!(times("249.50", 2).as_deref(), Some("499.00"));
        // What is shown multiplies out: "3 × $0.33 … $0.99", "3 × JPY 1,501 … JPY 4,503".
        assert_eq!(line_total("0.333", 3, "USD").as_deref(), Some("0.99"));
        assert_eq!(line_total("19.995", 2, "USD").as_deref(), Some("40.00"));
        assert_eq!(line_total("1500.5", 3, "JPY").as_deref(), Some("4503"));
        assert_eq!(line_total("soon", 3, "USD"), None);
        assert_eq!(times("0.0005", 3).as_deref(), Some("0.0015"));
        assert_eq!(times("7", 3).as_deref(), Some("21"));
        assert_eq!(times("0.05", 1).as_deref(), Some("0.05"));
        assert_eq!(
            times("999999999999.9999", u32::MAX).as_deref(),
            Some("4294967294999999570503.2705")
        );
        for bad in ["", ".5", "1.2.3", "-1.00", "1e3", "1,00", &"9".repeat(40)] {
            assert_eq!(times(bad, 2), None, "{bad:?}");
        }
    }

    #[test]
    fn counts_and_percentages_follow_each_locales_habits() {
        assert_eq!(count(1234567, Locale::En), "1,234,567");
        assert_eq!(count(1234567, Locale::De), "1.234.567");
        assert_eq!(plain(count(12345, Locale::Sv)), "12 345");
        assert_eq!(count(-1000, Locale::Zh), "-1,000");
        assert_eq!(count(999, Locale::De), "999");
        assert_eq!(percent(87, Locale::En), "87%");
        assert_eq!(plain(percent(87, Locale::Nb)), "87 %");
        assert_eq!(count(12345, Locale::Fr), "12\u{202f}345");
        assert_eq!(percent(87, Locale::Fr), "87\u{202f}%");
        assert_eq!(count(1234, Locale::Es), "1234", "Spanish groups from five digits");
        assert_eq!(count(-12345, Locale::Es), "-12.345");
        assert_eq!(percent(87, Locale::Es), "87\u{a0}%");
        assert_eq!(percent(87, Locale::Da), "87\u{a0}%");
        assert_eq!(percent(87, Locale::Pl), "87%");
        assert_eq!(csv_separator(Locale::En), ',');
        assert_eq!(csv_separator(Locale::Ja), ',');
        assert_eq!(csv_separator(Locale::De), ';');
        assert_eq!(csv_separator(Locale::Fr), ';');
        assert_eq!(count(1234, Locale::Pl), "1234");
        assert_eq!(count(1234, Locale::It), "1.234");
        assert_eq!(count(1234, Locale::Ja), "1,234");
    }

    #[test]
    fn money_is_rounded_to_the_currencys_own_places() {
        // Half up, carried into the whole part, not cut.
        assert_eq!(money("19.995", "USD", Locale::En), "$20.00");
        assert_eq!(money("19.994", "USD", Locale::En), "$19.99");
        assert_eq!(money("999999.9999", "USD", Locale::En), "$1,000,000.00");
        assert_eq!(plain(money("1249.6", "JPY", Locale::En)), "JPY 1,250");
        assert_eq!(plain(money("0.5", "JPY", Locale::En)), "JPY 1");
        assert_eq!(plain(money("0.4", "JPY", Locale::En)), "JPY 0");
        // Currencies without minor units and with three, beyond the common ones.
        assert_eq!(plain(money("15000", "XOF", Locale::Nb)), "15 000 XOF");
        assert_eq!(plain(money("12.3456", "LYD", Locale::En)), "LYD 12.346");
        assert_eq!(plain(money("7.5", "IQD", Locale::De)), "7,500 IQD");
        assert_eq!(plain(money("1.2345", "CLF", Locale::En)), "CLF 1.2345");
        // Text that is not a plain decimal is shown cut and padded, never rounded or lost.
        assert_eq!(plain(money("1x.999", "USD", Locale::En)), "$1x.99");
        assert_eq!(plain(money("12.é", "USD", Locale::En)), "$12.é0");
        assert_eq!(money("0", "USD", Locale::En), "$0.00");
    }

    #[test]
    fn dates_follow_each_locales_habits() {
        let t = "2026-11-02T10:15:00Z";
        assert_eq!(date(t, Locale::En), "2 Nov 2026");
        assert_eq!(date(t, Locale::Nb), "2. nov. 2026");
        assert_eq!(date(t, Locale::Sv), "2 nov. 2026");
        assert_eq!(date(t, Locale::De), "2. Nov. 2026");
        assert_eq!(date(t, Locale::Zh), "2026年11月2日");
        assert_eq!(date("2026-03-06", Locale::De), "6. März 2026");
        assert_eq!(date(t, Locale::Fr), "2 nov. 2026");
        assert_eq!(date("2026-08-15", Locale::Fr), "15 août 2026");
        assert_eq!(date(t, Locale::Es), "2 nov 2026");
        assert_eq!(date("2026-01-06", Locale::Es), "6 ene 2026");
        assert_eq!(date(t, Locale::It), "2 nov 2026");
        assert_eq!(date("2026-03-06", Locale::Nl), "6 mrt 2026");
        assert_eq!(date(t, Locale::Pt), "2 de nov. de 2026");
        assert_eq!(date(t, Locale::Da), "2. nov. 2026");
        assert_eq!(date("2026-10-15", Locale::Pl), "15 paź 2026");
        assert_eq!(date(t, Locale::Ja), "2026年11月2日");
        assert_eq!(date(t, Locale::ZhHant), "2026年11月2日");
        // Every locale says every month, and one date differently from the next.
        for locale in Locale::ALL {
            let said: Vec<String> = (1..=12).map(|m| date(&format!("2026-{m:02}-17"), locale)).collect();
            assert!(said.windows(2).all(|w| w[0] != w[1]), "{}: {said:?}", locale.code());
            assert!(said.iter().all(|d| d.contains("17") && !d.contains('{')), "{said:?}");
        }
        assert_eq!(moment(t, Locale::En), "2 Nov 2026 10:15 UTC");
        assert_eq!(
            moment("2026-11-02", Locale::En),
            "2 Nov 2026",
            "a date alone has no time to name"
        );
        assert_eq!(date("soon", Locale::En), "soon");
        assert_eq!(date("2026-13-01", Locale::En), "2026-13-01");
        // A time in the shopper's own zone, as the browser tells it: no zone said.
        assert_eq!(local_moment("2026-11-03T02:15", Locale::En), "3 Nov 2026 02:15");
        assert_eq!(local_moment("2026-11-03T02:15", Locale::De), "3. Nov. 2026 02:15");
        assert_eq!(local_moment("2026-11-03", Locale::Zh), "2026年11月3日");
    }
}
