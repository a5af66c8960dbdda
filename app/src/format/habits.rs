//! How each locale writes numbers, money, percentages and dates (the CLDR's
//! standard number and currency formats; dates as day, abbreviated month and
//! year in the locale's order, English in the British one): one table row
//! per locale, read by the functions of [`crate::format`].

use crate::i18n::Locale;

pub(super) const NBSP: char = '\u{a0}';
/// French groups digits with a narrow no-break space.
pub(super) const NNBSP: char = '\u{202f}';

/// Where a currency's sign stands: before the number or after it, with the
/// space between them if the locale puts one.
pub(super) enum Sign {
    Before(&'static str),
    After(&'static str),
}

/// A locale's habits.
pub(super) struct Habits {
    /// The thousands separator.
    pub group: char,
    /// The decimal point.
    pub point: char,
    /// The fewest whole digits that are grouped: 4 (`1,249`), or 5 where a
    /// number of four digits is left whole (`1249`, `12.345`).
    pub group_from: usize,
    /// What stands between a percentage and its `%`.
    pub percent: &'static str,
    /// The currencies written with a sign of their own.
    pub signs: &'static [(&'static str, Sign)],
    /// Whether another currency's code stands before the number (`NOK 548.00`)
    /// rather than after it (`548,00 NOK`).
    pub code_before: bool,
    /// The date: `%{d}` the day, `%{m}` the month's short name, `%{n}` its
    /// number, `%{y}` the year.
    pub date: &'static str,
    pub months: [&'static str; 12],
}

/// `locale`'s habits.
pub(super) fn of(locale: Locale) -> &'static Habits {
    match locale {
        Locale::En => &EN,
        Locale::Da => &DA,
        Locale::De => &DE,
        Locale::Es => &ES,
        Locale::Fr => &FR,
        Locale::It => &IT,
        Locale::Ja => &JA,
        Locale::Nb => &NB,
        Locale::Nl => &NL,
        Locale::Pl => &PL,
        Locale::Pt => &PT,
        Locale::Sv => &SV,
        Locale::Zh => &ZH,
        Locale::ZhHant => &ZH_HANT,
    }
}

const NUMERIC: [&str; 12] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"];

static EN: Habits = Habits {
    group: ',',
    point: '.',
    group_from: 4,
    percent: "",
    signs: &[
        ("USD", Sign::Before("$")),
        ("EUR", Sign::Before("€")),
        ("GBP", Sign::Before("£")),
    ],
    code_before: true,
    date: "%{d} %{m} %{y}",
    months: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
};

static DA: Habits = Habits {
    group: '.',
    point: ',',
    group_from: 4,
    percent: "\u{a0}",
    signs: &[("DKK", Sign::After("\u{a0}kr.")), ("EUR", Sign::After("\u{a0}€"))],
    code_before: false,
    date: "%{d}. %{m} %{y}",
    months: [
        "jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.",
    ],
};

static DE: Habits = Habits {
    group: '.',
    point: ',',
    group_from: 4,
    percent: "\u{a0}",
    signs: &[("EUR", Sign::After("\u{a0}€"))],
    code_before: false,
    date: "%{d}. %{m} %{y}",
    months: [
        "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez.",
    ],
};

static ES: Habits = Habits {
    group: '.',
    point: ',',
    group_from: 5,
    percent: "\u{a0}",
    signs: &[("EUR", Sign::After("\u{a0}€"))],
    code_before: false,
    date: "%{d} %{m} %{y}",
    months: [
        "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
    ],
};

static FR: Habits = Habits {
    group: NNBSP,
    point: ',',
    group_from: 4,
    percent: "\u{202f}",
    signs: &[("EUR", Sign::After("\u{a0}€"))],
    code_before: false,
    date: "%{d} %{m} %{y}",
    months: [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.",
    ],
};

static IT: Habits = Habits {
    group: '.',
    point: ',',
    group_from: 4,
    percent: "",
    signs: &[("EUR", Sign::After("\u{a0}€"))],
    code_before: false,
    date: "%{d} %{m} %{y}",
    months: [
        "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic",
    ],
};

static JA: Habits = Habits {
    group: ',',
    point: '.',
    group_from: 4,
    percent: "",
    signs: &[
        ("JPY", Sign::Before("￥")),
        ("USD", Sign::Before("$")),
        ("EUR", Sign::Before("€")),
    ],
    code_before: true,
    date: "%{y}年%{n}月%{d}日",
    months: NUMERIC,
};

static NB: Habits = Habits {
    group: NBSP,
    point: ',',
    group_from: 4,
    percent: "\u{a0}",
    signs: &[("NOK", Sign::After("\u{a0}kr")), ("EUR", Sign::After("\u{a0}€"))],
    code_before: false,
    date: "%{d}. %{m} %{y}",
    months: [
        "jan.", "feb.", "mar.", "apr.", "mai", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "des.",
    ],
};

static NL: Habits = Habits {
    group: '.',
    point: ',',
    group_from: 4,
    percent: "",
    signs: &[("EUR", Sign::Before("€\u{a0}"))],
    code_before: true,
    date: "%{d} %{m} %{y}",
    months: [
        "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
    ],
};

static PL: Habits = Habits {
    group: NBSP,
    point: ',',
    group_from: 5,
    percent: "",
    signs: &[("PLN", Sign::After("\u{a0}zł")), ("EUR", Sign::After("\u{a0}€"))],
    code_before: false,
    date: "%{d} %{m} %{y}",
    months: [
        "sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru",
    ],
};

static PT: Habits = Habits {
    group: '.',
    point: ',',
    group_from: 4,
    percent: "",
    signs: &[
        ("BRL", Sign::Before("R$\u{a0}")),
        ("EUR", Sign::Before("€\u{a0}")),
        ("USD", Sign::Before("US$\u{a0}")),
    ],
    code_before: true,
    date: "%{d} de %{m} de %{y}",
    months: [
        "jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.", "nov.", "dez.",
    ],
};

static SV: Habits = Habits {
    group: NBSP,
    point: ',',
    group_from: 4,
    percent: "\u{a0}",
    signs: &[("SEK", Sign::After("\u{a0}kr")), ("EUR", Sign::After("\u{a0}€"))],
    code_before: false,
    date: "%{d} %{m} %{y}",
    months: [
        "jan.", "feb.", "mars", "apr.", "maj", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "dec.",
    ],
};

static ZH: Habits = Habits {
    group: ',',
    point: '.',
    group_from: 4,
    percent: "",
    signs: &[
        ("CNY", Sign::Before("¥")),
        ("USD", Sign::Before("US$")),
        ("EUR", Sign::Before("€")),
    ],
    code_before: true,
    date: "%{y}年%{n}月%{d}日",
    months: NUMERIC,
};

static ZH_HANT: Habits = Habits {
    group: ',',
    point: '.',
    group_from: 4,
    percent: "",
    signs: &[
        ("TWD", Sign::Before("NT$")),
        ("HKD", Sign::Before("HK$")),
        ("CNY", Sign::Before("CN¥")),
        ("USD", Sign::Before("US$")),
        ("EUR", Sign::Before("€")),
    ],
    code_before: true,
    date: "%{y}年%{n}月%{d}日",
    months: NUMERIC,
};
