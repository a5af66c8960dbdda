//! A merchant's accent colour, made readable: the text drawn on it (the main
//! button, the progress bar's ticks) and the colour its links and outlines take
//! on the page's white. WCAG 2's contrast: 4.5:1 for text.

/// The page's background (`style/main.css`), and the text drawn on an accent
/// too light for white (black: of white and black, one is at least 4.58:1 on
/// any colour).
const WHITE: Rgb = Rgb(255, 255, 255);
const BLACK: Rgb = Rgb(0, 0, 0);
/// The least contrast of text with what is behind it (WCAG 2, level AA).
const LEAST: f64 = 4.5;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Rgb(u8, u8, u8);

/// An accent colour and the two it is read with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accent {
    /// As the merchant chose it: buttons' and ticks' fill.
    pub fill: String,
    /// Text on `fill`: white, or black where white is the fainter.
    pub on_fill: &'static str,
    /// Links, outlines and the second button's text on the page's white: the
    /// accent, darkened as little as makes it readable there.
    pub ink: String,
}

impl Accent {
    /// `hex` (`#rgb` or `#rrggbb`, as `lookup::hex_colour` leaves it) made
    /// readable; `None` for anything else.
    pub fn of(hex: &str) -> Option<Accent> {
        let fill = Rgb::parse(hex)?;
        let on_fill = match contrast(fill, WHITE) >= contrast(fill, BLACK) {
            true => "#fff",
            false => "#000",
        };
        // Toward black a tenth at a time: black itself is 21:1 on white.
        let ink = (0..=10)
            .map(|step| fill.toward_black(f64::from(step) / 10.0))
            .find(|ink| contrast(*ink, WHITE) >= LEAST)
            .unwrap_or(BLACK);
        Some(Accent {
            fill: hex.to_string(),
            on_fill,
            ink: ink.hex(),
        })
    }

    /// The style rule that gives a tracking page these colours.
    pub fn rule(&self) -> String {
        format!(
            ".track{{--accent:{};--on-accent:{};--accent-ink:{}}}",
            self.fill, self.on_fill, self.ink
        )
    }
}

impl Rgb {
    fn parse(hex: &str) -> Option<Rgb> {
        let hex = hex
            .strip_prefix('#')
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))?;
        let digit = |i: usize| u8::from_str_radix(hex.get(i..i + 1)?, 16).ok();
        let pair = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        match hex.len() {
            3 => Some(Rgb(digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
            6 => Some(Rgb(pair(0)?, pair(2)?, pair(4)?)),
            _ => None,
        }
    }

    fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    fn toward_black(self, share: f64) -> Rgb {
        let keep = |c: u8| (f64::from(c) * (1.0 - share)).round() as u8;
        Rgb(keep(self.0), keep(self.1), keep(self.2))
    }

    /// WCAG 2's relative luminance.
    fn luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }
}

/// WCAG 2's contrast ratio, from 1 to 21.
fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_is_wcags() {
        assert!((contrast(WHITE, Rgb(0, 0, 0)) - 21.0).abs() < 1e-9);
        assert!((contrast(WHITE, WHITE) - 1.0).abs() < 1e-9);
        // A yellow, and Lookout's own green, on white.
        assert!((contrast(Rgb(0xf5, 0xc5, 0x18), WHITE) - 1.63).abs() < 0.01);
        assert!((contrast(Rgb(0x0a, 0x6e, 0x4f), WHITE) - 6.26).abs() < 0.01);
    }

    #[test]
    fn a_light_accent_gets_black_text_and_darker_links_and_a_dark_one_is_left_as_it_is() {
        // A yellow: white text on it was 1.63:1.
        let yellow = Accent::of("#f5c518").expect("a colour");
        assert_eq!((yellow.fill.as_str(), yellow.on_fill), ("#f5c518", "#000"));
        let ink = Rgb::parse(&yellow.ink).expect("ink is a colour");
        assert!(contrast(ink, WHITE) >= LEAST, "{}", yellow.ink);
        // Lookout's own green is readable as it is, both ways.
        let green = Accent::of("#0a6e4f").expect("a colour");
        assert_eq!((green.on_fill, green.ink.as_str()), ("#fff", "#0a6e4f"));
        assert_eq!(
            green.rule(),
            ".track{--accent:#0a6e4f;--on-accent:#fff;--accent-ink:#0a6e4f}"
        );
        // The short form.
        assert_eq!(Accent::of("#fff").map(|a| a.on_fill), Some("#000"));
        for bad in ["f5c518", "#f5c51", "#ggg", "", "#", "#ééé", "#+f+f+f", "#+ff"] {
            assert_eq!(Accent::of(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_accent_is_made_readable() {
        for r in (0..=255u8).step_by(15) {
            for g in (0..=255u8).step_by(15) {
                for b in (0..=255u8).step_by(15) {
                    let colour = Rgb(r, g, b);
                    let accent = Accent::of(&colour.hex()).expect("a colour");
                    let on = Rgb::parse(accent.on_fill).expect("a colour");
                    let ink = Rgb::parse(&accent.ink).expect("a colour");
                    assert!(contrast(on, colour) >= LEAST, "{accent:?}");
                    assert!(contrast(ink, WHITE) >= LEAST, "{accent:?}");
                }
            }
        }
    }
}
