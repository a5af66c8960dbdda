//! The overview's chart (SVG drawn here, readable without JavaScript) and the
//! table of the same numbers beside it.

use super::{pages, t, Locale};
use app::format::{count, date};
use app::store::Day;
use leptos::prelude::*;

const WIDTH: i64 = 600;
const HEIGHT: i64 = 200;
const BOTTOM: i64 = 20;

/// Found lookups as a share of found and missed, as the console's language
/// writes a percentage ("87%", "87 %" in German; "–" with none).
pub fn share(found: i64, missed: i64, locale: Locale) -> String {
    let all = found + missed;
    if all == 0 {
        "–".to_string()
    } else {
        app::format::percent((found * 100 + all / 2) / all, locale)
    }
}

/// A stacked bar per day: found (dark) under missed (light); rate-limited attempts
/// as a mark above. Each bar has a `<title>` with its numbers.
pub fn svg(days: &[Day], locale: Locale) -> String {
    let top = days.iter().map(|d| d.found + d.missed).max().unwrap_or(0).max(1);
    let n = i64::try_from(days.len()).unwrap_or(1).max(1);
    let slot = WIDTH / n;
    let bar = (slot * 3 / 4).max(1);
    let plot = HEIGHT - BOTTOM;
    let scale = |v: i64| v * plot / top;
    let mut bars = String::new();
    for (i, d) in (0i64..).zip(days) {
        let x = i * slot + (slot - bar) / 2;
        let found_h = scale(d.found);
        let missed_h = scale(d.missed);
        let label = app::i18n::t_args(
            locale,
            "console.overview.bar",
            &[
                ("day", &date(&d.day, locale)),
                ("found", &count(d.found, locale)),
                ("missed", &count(d.missed, locale)),
                ("limited", &count(d.limited, locale)),
            ],
        );
        bars.push_str(&format!(
            r#"<g><title>{}</title><rect class="found" x="{x}" y="{}" width="{bar}" height="{found_h}"/><rect class="missed" x="{x}" y="{}" width="{bar}" height="{missed_h}"/></g>"#,
            escape(&label),
            plot - found_h,
            plot - found_h - missed_h,
        ));
    }
    let first = escape(&days.first().map_or(String::new(), |d| date(&d.day, locale)));
    let last = escape(&days.last().map_or(String::new(), |d| date(&d.day, locale)));
    format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}"><line class="axis" x1="0" y1="{plot}" x2="{WIDTH}" y2="{plot}"/>{bars}<text x="0" y="{HEIGHT}">{first}</text><text x="{WIDTH}" y="{HEIGHT}" text-anchor="end">{last}</text><text x="0" y="12">{}</text></svg>"#,
        escape(&t(locale, "console.overview.chart_label")),
        escape(&count(top, locale)),
    )
}

/// Text for SVG markup built here (labels come from translations, days from the clock).
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The numbers of the chart, newest day first.
pub fn table(days: &[Day], locale: Locale) -> impl IntoView {
    let rows = days
        .iter()
        .rev()
        .map(|d| {
            view! {
                <tr>
                    <th scope="row"><time datetime=d.day.clone()>{date(&d.day, locale)}</time></th>
                    <td>{count(d.found, locale)}</td>
                    <td>{count(d.missed, locale)}</td>
                    <td>{count(d.limited, locale)}</td>
                    <td>{count(d.distinct_orders, locale)}</td>
                    <td>{share(d.found, d.missed, locale)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
            {pages::scrolling(t(locale, "console.overview.table"), view! {
    <table class="days">
                <caption>{t(locale, "console.overview.table")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t(locale, "console.overview.day")}</th>
                        <th scope="col">{t(locale, "console.overview.found")}</th>
                        <th scope="col">{t(locale, "console.overview.missed")}</th>
                        <th scope="col">{t(locale, "console.overview.limited")}</th>
                        <th scope="col">{t(locale, "console.overview.distinct")}</th>
                        <th scope="col">{t(locale, "console.overview.share")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
    })}
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: i64, found: i64, missed: i64) -> Day {
        Day {
            day: format!("2026-11-{n:02}"),
            found,
            missed,
            limited: 0,
            distinct_orders: found,
        }
    }

    #[test]
    fn shares_round_and_say_when_there_is_nothing() {
        assert_eq!(share(0, 0, Locale::En), "–");
        assert_eq!(share(2, 1, Locale::En), "67%");
        assert_eq!(share(1, 0, Locale::Zh), "100%");
        assert_eq!(share(2, 1, Locale::De), "67\u{a0}%");
    }

    #[test]
    fn bars_are_as_tall_as_their_counts() {
        let svg = svg(&[day(1, 0, 0), day(2, 90, 90)], Locale::En);
        // The tallest day fills the plot (180 units), half found, half missed.
        assert!(
            svg.contains(r#"class="found" x="337" y="90" width="225" height="90""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"class="missed" x="337" y="0" width="225" height="90""#),
            "{svg}"
        );
        assert!(svg.contains(r#"height="0""#));
        assert!(
            svg.contains(">1 Nov 2026</text>") && svg.contains(">2 Nov 2026</text>"),
            "{svg}"
        );
        assert!(svg.contains("<title>2 Nov 2026:"), "{svg}");
        let german = super::svg(&[day(1, 1200, 0)], Locale::De);
        assert!(
            german.contains(">1.200</text>") && german.contains(">1. Nov. 2026</text>"),
            "{german}"
        );
    }
}
