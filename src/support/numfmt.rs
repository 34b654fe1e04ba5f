//! Numbers as Vietnamese offices write them, in and out: parsing `86,97`, `17.334`, `95,5%`
//! under a declared or detected locale, the published rounding (half away from zero), and
//! display with a decimal comma. Every place that turns a number into text for people, or text
//! into a number, goes through here so the rule is stated once.

use crate::support::i18n::Lang;

/// How a file writes decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// `86,97` and `17.334` (decimal comma, dot thousands).
    Vi,
    /// `86.97` and `17,334`.
    En,
}

impl Locale {
    pub fn describe(self) -> &'static str {
        let vi = crate::support::i18n::current() == crate::support::i18n::Lang::Vi;
        match (self, vi) {
            (Locale::Vi, true) => "dấu phẩy thập phân (86,97)",
            (Locale::En, true) => "dấu chấm thập phân (86.97)",
            (Locale::Vi, false) => "decimal comma (86,97)",
            (Locale::En, false) => "decimal point (86.97)",
        }
    }
}

/// What a number-looking text says about the locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    Vi,
    En,
    /// `1.234` or `1,234`: a thousands group or three decimals.
    Ambiguous,
    /// No separator at all: fits both.
    Neutral,
    NotANumber,
}

fn strip_number(s: &str) -> (&str, bool) {
    let t = s.trim();
    match t.strip_suffix('%') {
        Some(rest) => (rest.trim_end(), true),
        None => (t, false),
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `s` is digit groups of three joined by `sep` after a 1–3 digit head.
fn grouped(s: &str, sep: char) -> bool {
    let mut parts = s.split(sep);
    let head = parts.next().unwrap_or("");
    let mut any = false;
    if !(1..=3).contains(&head.len()) || !is_digits(head) {
        return false;
    }
    for p in parts {
        any = true;
        if p.len() != 3 || !is_digits(p) {
            return false;
        }
    }
    any
}

pub fn evidence(raw: &str) -> Evidence {
    let (t, _) = strip_number(raw);
    let t = t.strip_prefix('-').unwrap_or(t);
    if is_digits(t) {
        return Evidence::Neutral;
    }
    let commas = t.matches(',').count();
    let dots = t.matches('.').count();
    if commas + dots == 0
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
    {
        return Evidence::NotANumber;
    }
    match (commas, dots) {
        (1, 0) => {
            let (a, b) = t.split_once(',').unwrap();
            if !is_digits(a) || !is_digits(b) {
                Evidence::NotANumber
            } else if b.len() == 3 && a.len() <= 3 && a != "0" {
                Evidence::Ambiguous
            } else {
                Evidence::Vi
            }
        }
        (0, 1) => {
            let (a, b) = t.split_once('.').unwrap();
            if !is_digits(a) || !is_digits(b) {
                Evidence::NotANumber
            } else if b.len() == 3 && a.len() <= 3 && a != "0" {
                Evidence::Ambiguous
            } else {
                Evidence::En
            }
        }
        (0, _) if grouped(t, '.') => Evidence::Vi,
        (_, 0) if grouped(t, ',') => Evidence::En,
        _ => {
            // Both separators: the last one is the decimal mark.
            let last_comma = t.rfind(',').unwrap_or(0);
            let last_dot = t.rfind('.').unwrap_or(0);
            if last_comma > last_dot
                && grouped(&t[..last_comma], '.')
                && is_digits(&t[last_comma + 1..])
            {
                Evidence::Vi
            } else if last_dot > last_comma
                && grouped(&t[..last_dot], ',')
                && is_digits(&t[last_dot + 1..])
            {
                Evidence::En
            } else {
                Evidence::NotANumber
            }
        }
    }
}

/// A parsed number and whether it carried a `%` sign.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parsed {
    pub value: f64,
    pub percent: bool,
}

/// Parse a number written in `locale`. Returns `None` for text that is not a number in that
/// locale (including `86,97` read as English).
pub fn parse(raw: &str, locale: Locale) -> Option<Parsed> {
    let (t, percent) = strip_number(raw);
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t),
    };
    let (thousands, decimal) = match locale {
        Locale::Vi => ('.', ','),
        Locale::En => (',', '.'),
    };
    let (int, frac) = match body.split_once(decimal) {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let int_ok = is_digits(int) || grouped(int, thousands);
    let frac_ok = frac.is_none_or(is_digits);
    if !int_ok || !frac_ok {
        return None;
    }
    let mut s: String = int.chars().filter(|&c| c != thousands).collect();
    if let Some(f) = frac {
        s.push('.');
        s.push_str(f);
    }
    let v: f64 = s.parse().ok()?;
    Some(Parsed {
        value: if neg { -v } else { v },
        percent,
    })
}

/// Round half away from zero to `decimals`, as Excel's ROUND and as results are published.
/// The value is first taken to 9 significant decimals so that binary noise (96.165 stored as
/// 96.16499999…) does not turn a printed half into a rounding down.
pub fn round_half_away(x: f64, decimals: u32) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let f = 10f64.powi(decimals as i32);
    // Fast path: far from a half, binary noise cannot change the result.
    let scaled = x * f;
    if ((scaled - scaled.trunc()).abs() - 0.5).abs() > 1e-4 {
        let r = scaled.round() / f;
        return if r == 0.0 { 0.0 } else { r };
    }
    let cleaned: f64 = format!("{:.9}", x).parse().unwrap_or(x);
    let scaled: f64 = format!("{:.6}", cleaned * f).parse().unwrap_or(cleaned * f);
    let r = scaled.abs().round().copysign(scaled) / f;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// Fixed decimals with the given decimal mark, after half-away rounding.
pub fn fixed(x: f64, decimals: u32, locale: Locale) -> String {
    let s = format!("{:.*}", decimals as usize, round_half_away(x, decimals));
    match locale {
        Locale::Vi => s.replace('.', ","),
        Locale::En => s,
    }
}

/// Machine form for CSV: half-away rounding to 6 decimals, trailing zeros trimmed, decimal
/// point. Six decimals keep every point value of a real criteria set exact while making the
/// bytes independent of floating-point noise.
pub fn machine(x: f64) -> String {
    // The shortest text that reads back as the rounded value has at most 6 decimals and no
    // trailing zeros: the same bytes as a trimmed `{:.6}`, at a fraction of the cost.
    let r = round_half_away(x, 6);
    if r == 0.0 {
        "0".to_string()
    } else {
        format!("{r}")
    }
}

impl Locale {
    /// How people reading in `lang` write decimals.
    pub fn of(lang: Lang) -> Locale {
        match lang {
            Lang::Vi => Locale::Vi,
            Lang::En => Locale::En,
        }
    }
}

/// Shortest decimal form of a number for messages (`10`, `9.5`): up to 6 decimals, a point.
pub fn fmt_num(x: f64) -> String {
    // The shortest text that reads back as x, when it has at most 6 decimals and x is below
    // 10^9, is what the trimmed `{:.6}` gives (x is then within a ten-millionth of it, far
    // from a rounding step), at a fraction of the cost: `criterion-scores.csv` writes one per
    // unit and leaf.
    if x.is_finite() && x.abs() < 1e9 {
        let s = format!("{x}");
        if s.split_once('.').is_none_or(|(_, d)| d.len() <= 6) {
            return if s == "-0" { "0".into() } else { s };
        }
    }
    six_decimals_trimmed(x)
}

/// `{:.6}` with the trailing zeros (and a bare point) trimmed, `-0` written `0`: what
/// [`fmt_num`] gives, the long way.
fn six_decimals_trimmed(x: f64) -> String {
    let s = format!("{:.6}", x);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// The decimal point of every number inside a text turned into a comma for Vietnamese readers
/// (only between two digits, so file names and sentences keep their dots).
pub fn decimal_comma(s: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let digit = |j: Option<usize>| {
                j.and_then(|j| chars.get(j))
                    .is_some_and(|d| d.is_ascii_digit())
            };
            if c == '.' && digit(i.checked_sub(1)) && digit(Some(i + 1)) {
                ','
            } else {
                c
            }
        })
        .collect()
}

/// A number as people read it: at most 2 decimals (half away from zero), trailing zeros
/// dropped, decimal comma in Vietnamese.
pub fn num(x: f64, lang: Lang) -> String {
    decimal_comma(&fmt_num(round_half_away(x, 2)), lang)
}

/// A duration as people read it in the run's language: "0,2 giây" / "0.2 s" (one decimal).
pub fn seconds(secs: f64) -> String {
    match crate::support::i18n::current() {
        Lang::Vi => format!("{} giây", fixed(secs, 1, Locale::Vi)),
        Lang::En => format!("{} s", fixed(secs, 1, Locale::En)),
    }
}

/// A whole number with its thousands grouped the reader's way (1.234.567 / 1,234,567).
pub fn whole(n: u64, lang: Lang) -> String {
    let sep = lang.pick(".", ",");
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(ch);
    }
    out
}

/// A number with exactly 2 decimals, decimal comma in Vietnamese.
pub fn num2(x: f64, lang: Lang) -> String {
    fixed(x, 2, Locale::of(lang))
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimal_comma_only_between_digits() {
        use crate::support::i18n::Lang;
        assert_eq!(decimal_comma("(14.5)", Lang::Vi), "(14,5)");
        assert_eq!(
            decimal_comma("so-2025.toml 1.5.", Lang::Vi),
            "so-2025.toml 1,5."
        );
        assert_eq!(decimal_comma("(14.5)", Lang::En), "(14.5)");
        assert_eq!(num(14.5, Lang::Vi), "14,5");
        assert_eq!(num2(98.685, Lang::Vi), "98,69");
        assert_eq!(whole(45_650, Lang::Vi), "45.650");
        assert_eq!(whole(1_234_567, Lang::En), "1,234,567");
        assert_eq!(whole(999, Lang::Vi), "999");
    }

    use super::*;

    #[test]
    fn evidence_of_common_forms() {
        assert_eq!(evidence("86,97"), Evidence::Vi);
        assert_eq!(evidence("88,37%"), Evidence::Vi);
        assert_eq!(evidence("90.17%"), Evidence::En);
        assert_eq!(evidence("3.321"), Evidence::Ambiguous);
        assert_eq!(evidence("17.334.000"), Evidence::Vi);
        assert_eq!(evidence("1.234,5"), Evidence::Vi);
        assert_eq!(evidence("1,234.5"), Evidence::En);
        assert_eq!(evidence("0,955"), Evidence::Vi);
        assert_eq!(evidence("0.955"), Evidence::En);
        assert_eq!(evidence("42"), Evidence::Neutral);
        assert_eq!(evidence("có"), Evidence::NotANumber);
    }

    #[test]
    fn parse_both_locales() {
        assert_eq!(parse("86,97", Locale::Vi).unwrap().value, 86.97);
        assert_eq!(parse("17.334", Locale::Vi).unwrap().value, 17334.0);
        assert_eq!(parse("17.334", Locale::En).unwrap().value, 17.334);
        let p = parse(" 95,5% ", Locale::Vi).unwrap();
        assert_eq!((p.value, p.percent), (95.5, true));
        assert_eq!(parse("-1,5", Locale::Vi).unwrap().value, -1.5);
        assert!(parse("86,97", Locale::En).is_none());
        assert!(parse("12a", Locale::Vi).is_none());
        assert!(parse("", Locale::Vi).is_none());
    }

    /// `fmt_num`'s short path gives the trimmed `{:.6}` (what it wrote before) for every kind
    /// of number: whole, short and long decimals, halves at the sixth decimal, tiny, large,
    /// negative, signed zeros, not finite.
    #[test]
    fn fmt_num_is_the_trimmed_six_decimals() {
        let mut xs = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            2.25,
            1e-7,
            -1e-7,
            5e-7,
            4.9999999e-7,
            0.0000005,
            1.0000005,
            2.0000025,
            999_999_999.5,
            1e9,
            1e12,
            123_456_789.123_456,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1.0 / 3.0,
            2.0 / 3.0,
            0.1 + 0.2,
            f64::MIN_POSITIVE,
            f64::MAX,
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            let scale = [1.0, 10.0, 100.0, 1e4, 1e8, 1e-3][i % 6];
            xs.push((u - 0.3) * scale);
            // Values with up to 7 decimals, as points and maxima are written.
            xs.push((u * 1e7).round() / 10f64.powi(i as i32 % 8));
        }
        for x in xs {
            assert_eq!(fmt_num(x), six_decimals_trimmed(x), "{x:e}");
        }
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_half_away(2.5, 0), 3.0);
        assert_eq!(round_half_away(-2.5, 0), -3.0);
        assert_eq!(round_half_away(96.165, 2), 96.17);
        assert_eq!(round_half_away(1.005, 2), 1.01);
        assert_eq!(round_half_away(96.164999, 2), 96.16);
        assert_eq!(fixed(96.165, 2, Locale::Vi), "96,17");
        assert_eq!(machine(1.0 / 3.0), "0.333333");
        assert_eq!(machine(10.0), "10");
        assert_eq!(machine(-0.0000001), "0");
    }
}
