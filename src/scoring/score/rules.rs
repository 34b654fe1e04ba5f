//! One leaf rule at a time: reading a cell as the rule expects (a rate, a count, a yes/no word,
//! a category, appraised points) and turning that reading into points. Pure functions with no
//! knowledge of units or files, so every rule kind is unit-tested on its own, thresholds included.

use crate::input::criteria::model::{Rates, Rule, RuleKind, Scale};
use crate::input::ingest::Value;
use crate::support::numfmt::fmt_num;
use crate::support::numfmt::{self, Locale};
use crate::support::text;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reading {
    /// A number in the rule's scale (rates in percent).
    Num(f64),
    Yes(bool),
    /// Index into the rule's categories.
    Category(usize),
    NotApplicable,
    Missing,
}

/// Read a yes/no word (có/không, x, 1/0, đạt/không đạt, true/false).
pub fn yes_no(v: &Value) -> Option<bool> {
    match v {
        Value::Number(x) if *x == 1.0 => Some(true),
        Value::Number(x) if *x == 0.0 => Some(false),
        Value::Text(s) => text::yes_no(s),
        _ => None,
    }
}

/// A number from a cell: typed numbers as they are, text in the table's locale.
pub fn number(v: &Value, locale: Locale) -> Option<numfmt::Parsed> {
    match v {
        Value::Number(x) => Some(numfmt::Parsed {
            value: *x,
            percent: false,
        }),
        Value::Percent(x) => Some(numfmt::Parsed {
            value: crate::input::ingest::percent_of(*x),
            percent: true,
        }),
        Value::Text(s) => numfmt::parse(s, locale),
        Value::Empty => None,
    }
}

/// Interpret a cell for `rule`. `Err` carries one sentence for the user.
pub fn read(
    rule: &Rule,
    max: f64,
    v: &Value,
    locale: Locale,
    rates: Rates,
) -> Result<Reading, String> {
    if *v == Value::Empty {
        return Ok(Reading::Missing);
    }
    if v.is_not_applicable() {
        return Ok(Reading::NotApplicable);
    }
    // The value as a message shows it: made only for a message (a national run reads 140,000
    // cells, and writing each number out again was a fifth of reading them).
    let shown = || crate::support::text::clip(&v.as_read(), 80);
    match (&rule.kind, rule.scale) {
        (RuleKind::YesNo, _) => yes_no(v).map(Reading::Yes).ok_or_else(|| {
            let shown = shown();
            crate::tr!(
                "cần giá trị có/không (có/không, x, 1/0, đạt/không đạt), nhưng gặp `{shown}`",
                "expected yes/no (có/không, x, 1/0, đạt/không đạt), found `{shown}`"
            )
        }),
        (RuleKind::Category(cats), _) => {
            let k = match v {
                Value::Number(x) => numfmt::machine(*x),
                Value::Percent(_) => shown(),
                _ => text::key(&v.as_read()),
            };
            cats.iter()
                .position(|c| c.key == k)
                .map(Reading::Category)
                .ok_or_else(|| {
                    let shown = shown();
                    let words: Vec<&str> = cats.iter().map(|c| c.written.as_str()).collect();
                    crate::tr!(
                        "cần một trong các giá trị: {}; nhưng gặp `{shown}`",
                        "expected one of: {}; found `{shown}`",
                        words.join(", ")
                    )
                })
        }
        (_, scale) => {
            let p = number(v, locale).ok_or_else(|| {
                let shown = shown();
                match locale {
                    _ if numfmt::evidence(&shown) == numfmt::Evidence::NotANumber => {
                        crate::tr!(
                            "cần một số, nhưng gặp chữ `{shown}`",
                            "expected a number, found the text `{shown}`"
                        )
                    }
                    l => crate::tr!(
                        "`{shown}` không phải là số viết theo kiểu {}",
                        "`{shown}` is not a number written with a {}",
                        l.describe()
                    ),
                }
            })?;
            let x = match scale {
                Scale::Percent if p.percent => p.value,
                Scale::Percent => match rates {
                    Rates::Percent => p.value,
                    Rates::Fraction => p.value * 100.0,
                },
                _ if p.percent => {
                    let shown = shown();
                    return Err(crate::tr!(
                        "cần một số, nhưng gặp tỷ lệ phần trăm `{shown}`",
                        "expected a number, found the percentage `{shown}`"
                    ));
                }
                _ => p.value,
            };
            if x < 0.0 && !rule.allow_negative {
                let shown = shown();
                return Err(crate::tr!(
                    "cần giá trị từ 0 trở lên, nhưng gặp `{shown}`",
                    "expected a value of 0 or more, found `{shown}`"
                ));
            }
            if scale == Scale::Percent && x > 100.0 + 1e-9 && !rule.allow_above_100 {
                let shown = shown();
                return Err(crate::tr!(
                    "cần tỷ lệ từ 0% đến 100%, nhưng gặp `{shown}`",
                    "expected a rate between 0% and 100%, found `{shown}`"
                ));
            }
            if scale == Scale::Points && x > max + 1e-9 {
                let shown = shown();
                return Err(crate::tr!(
                    "điểm thẩm định `{shown}` vượt điểm tối đa {} của tiêu chí",
                    "appraised points `{shown}` exceed the criterion's maximum of {}",
                    fmt_num(max)
                ));
            }
            Ok(Reading::Num(x))
        }
    }
}

/// What happened to a value on its way to points, beyond the plain rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    None,
    /// The value lay below every band.
    BelowBands,
    /// Per-occurrence points reached the maximum.
    Capped,
}

/// Whether `rule` can score the reading at all: a value at or above the top band's exclusive
/// `max` cannot. Binding asks this once per cell, so evaluation never has to.
pub fn check(rule: &Rule, r: Reading) -> Result<(), String> {
    if let (RuleKind::Bands(bands), Reading::Num(x)) = (&rule.kind, r) {
        if let Some(top) = bands[0].max {
            if x >= top {
                return Err(crate::tr!(
                    "giá trị {} vượt mức cao nhất (< {})",
                    "value {} lies above the highest band (< {})",
                    fmt_num(x),
                    fmt_num(top)
                ));
            }
        }
    }
    Ok(())
}

/// Points for a numeric / yes-no / category reading. `best`: for relative rules, the best value
/// among the units scored together. The result always lies in [0, max].
pub fn points(rule: &Rule, max: f64, r: Reading, best: Option<f64>) -> Result<(f64, Note), String> {
    check(rule, r)?;
    Ok(points_of(rule, max, r, best))
}

/// [`points`] for a reading [`check`] accepted: infallible, for the evaluation loop. A reading
/// that does not fit the rule (never produced by binding) scores 0. The formulas are the
/// functions of [`formula`].
#[inline(always)]
pub fn points_of(rule: &Rule, max: f64, r: Reading, best: Option<f64>) -> (f64, Note) {
    let mut note = Note::None;
    let p = match (&rule.kind, r) {
        // A select, not a branch: answers vary from unit to unit, a branch would be mispredicted.
        (RuleKind::YesNo, Reading::Yes(yes)) => formula::yes_no(f64::from(u8::from(yes)), max),
        (RuleKind::Category(cats), Reading::Category(i)) => formula::category(cats, i),
        (RuleKind::Proportional, Reading::Num(x)) => formula::proportional(x, max),
        (RuleKind::Linear { zero_at, full_at }, Reading::Num(x)) => {
            formula::linear(x, max, *zero_at, *full_at)
        }
        (RuleKind::Bands(bands), Reading::Num(x)) => match formula::band(bands, x) {
            Some(p) => p,
            None => {
                note = Note::BelowBands;
                0.0
            }
        },
        (RuleKind::Relative { lower_better }, Reading::Num(x)) => {
            formula::relative(x, max, best.unwrap_or(x), *lower_better)
        }
        (RuleKind::Deduction { per, floor }, Reading::Num(x)) => {
            formula::deduction(x, max, *per, *floor)
        }
        (RuleKind::PerOccurrence { per }, Reading::Num(x)) => {
            let (p, capped) = formula::per_occurrence(x, max, *per);
            note = [Note::None, Note::Capped][usize::from(capped)];
            p
        }
        (RuleKind::Appraised, Reading::Num(x)) => x,
        _ => 0.0,
    };
    (formula::within(p, max), note)
}

/// [`points_of`] of many numbers under one rule, into `out`: a Monte-Carlo block, one value per
/// replication, `best(j)` the best value of replication `j` for a relative rule. The rule's kind
/// is decided once, not once per value, so the common kinds' loops have no branch and run in
/// vector registers; the same formulas, so the same bits as [`points_of`].
pub fn points_of_nums(
    rule: &Rule,
    max: f64,
    xs: &[f64],
    best: impl Fn(usize) -> Option<f64>,
    out: &mut [f64],
) {
    let pairs = out.iter_mut().zip(xs);
    match &rule.kind {
        RuleKind::Proportional => {
            pairs.for_each(|(o, &x)| *o = formula::within(formula::proportional(x, max), max));
        }
        RuleKind::Linear { zero_at, full_at } => pairs.for_each(|(o, &x)| {
            *o = formula::within(formula::linear(x, max, *zero_at, *full_at), max);
        }),
        RuleKind::Appraised => pairs.for_each(|(o, &x)| *o = formula::within(x, max)),
        _ => {
            for (j, (o, &x)) in pairs.enumerate() {
                *o = points_of(rule, max, Reading::Num(x), best(j)).0;
            }
        }
    }
}

/// Each rule kind's formula on one value, before [`formula::within`] bounds it to [0, max]. The
/// one place these formulas are written: the evaluation of a unit and a Monte-Carlo replication
/// both reach them through [`points_of`], so the two give the same bits.
pub mod formula {
    use crate::input::criteria::model::{Band, Category};

    /// Every rule's points end in [0, max].
    #[inline(always)]
    pub fn within(p: f64, max: f64) -> f64 {
        p.max(0.0).min(max)
    }

    /// `yes` is 1.0 or 0.0.
    #[inline(always)]
    pub fn yes_no(yes: f64, max: f64) -> f64 {
        max * yes
    }

    #[inline(always)]
    pub fn category(cats: &[Category], i: usize) -> f64 {
        cats.get(i).map_or(0.0, |c| c.points)
    }

    #[inline(always)]
    pub fn proportional(x: f64, max: f64) -> f64 {
        x / 100.0 * max
    }

    #[inline(always)]
    pub fn linear(x: f64, max: f64, zero_at: f64, full_at: f64) -> f64 {
        ((x - zero_at) / (full_at - zero_at)).clamp(0.0, 1.0) * max
    }

    /// The points of the first band whose `min` the value reaches, `None` below every band.
    /// Mins strictly decrease (validated), so that band's index is the number of mins above the
    /// value: counted without a data-dependent branch, which units' varied values would keep
    /// mispredicting.
    #[inline(always)]
    pub fn band(bands: &[Band], x: f64) -> Option<f64> {
        let above: usize = bands
            .iter()
            .map(|b| usize::from(b.min.is_some_and(|m| x < m)))
            .sum();
        bands.get(above).map(|b| b.points)
    }

    /// `best`: the best value among the units scored together (the value itself when none).
    #[inline(always)]
    pub fn relative(x: f64, max: f64, best: f64, lower_better: bool) -> f64 {
        if lower_better {
            if x <= 0.0 || best >= x {
                max
            } else {
                max * best.max(0.0) / x
            }
        } else if best <= 0.0 {
            0.0
        } else {
            max * x / best
        }
    }

    #[inline(always)]
    pub fn deduction(x: f64, max: f64, per: f64, floor: f64) -> f64 {
        (max - per * x).max(floor)
    }

    /// The points and whether they reached the maximum.
    #[inline(always)]
    pub fn per_occurrence(x: f64, max: f64, per: f64) -> (f64, bool) {
        ((per * x).min(max), per * x > max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::criteria::model::{Band, Category};

    fn rule(kind: RuleKind, scale: Scale) -> Rule {
        Rule {
            indicator: "x".into(),
            captions: vec![],
            kind,
            scale,
            allow_above_100: false,
            allow_negative: false,
        }
    }
    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }
    fn pts(r: &Rule, max: f64, v: &str) -> f64 {
        let reading = read(r, max, &t(v), Locale::Vi, Rates::Percent).unwrap();
        points(r, max, reading, None).unwrap().0
    }

    /// Many numbers at once give each number's points to the bit, for every kind, including the
    /// ones left to `points_of` (a relative rule with each replication's own best).
    #[test]
    fn points_of_nums_is_points_of_each() {
        let kinds = [
            RuleKind::Proportional,
            RuleKind::Linear {
                zero_at: 20.0,
                full_at: 90.0,
            },
            RuleKind::Appraised,
            RuleKind::Relative {
                lower_better: false,
            },
            RuleKind::Relative { lower_better: true },
            RuleKind::Deduction {
                per: 0.25,
                floor: 0.0,
            },
            RuleKind::PerOccurrence { per: 0.5 },
            RuleKind::Bands(vec![
                Band {
                    min: Some(80.0),
                    max: None,
                    points: 2.0,
                },
                Band {
                    min: Some(50.0),
                    max: Some(80.0),
                    points: 1.0,
                },
            ]),
        ];
        let xs: Vec<f64> = (0..200)
            .map(|i| f64::from(i) * 0.61 - 7.3)
            .chain([0.0, -0.0, 100.0, 1e-300, 3.0, 1.75])
            .collect();
        let best = |j: usize| (!j.is_multiple_of(3)).then_some(40.0 + (j % 7) as f64);
        for kind in kinds {
            let r = rule(kind, Scale::Percent);
            for max in [1.75, 3.0] {
                let mut out = vec![f64::NAN; xs.len()];
                points_of_nums(&r, max, &xs, best, &mut out);
                for (j, (&x, &got)) in xs.iter().zip(&out).enumerate() {
                    let want = points_of(&r, max, Reading::Num(x), best(j)).0;
                    assert_eq!(got.to_bits(), want.to_bits(), "{:?} x {x}", r.kind);
                }
            }
        }
    }

    #[test]
    fn proportional() {
        let r = rule(RuleKind::Proportional, Scale::Percent);
        assert_eq!(pts(&r, 2.0, "50"), 1.0);
        assert_eq!(pts(&r, 2.0, "100%"), 2.0);
        assert_eq!(pts(&r, 2.0, "0"), 0.0);
        assert!(read(&r, 2.0, &t("100,5%"), Locale::Vi, Rates::Percent).is_err());
        assert!(read(&r, 2.0, &t("-1"), Locale::Vi, Rates::Percent).is_err());
        // Fraction notation.
        let x = read(&r, 2.0, &t("0,955"), Locale::Vi, Rates::Fraction).unwrap();
        assert_eq!(x, Reading::Num(95.5));
    }

    #[test]
    fn linear_higher_better_on_thresholds() {
        let r = rule(
            RuleKind::Linear {
                zero_at: 80.0,
                full_at: 100.0,
            },
            Scale::Percent,
        );
        assert_eq!(pts(&r, 3.0, "79,9"), 0.0);
        assert_eq!(pts(&r, 3.0, "80"), 0.0);
        assert_eq!(pts(&r, 3.0, "90"), 1.5);
        assert_eq!(pts(&r, 3.0, "100"), 3.0);
    }

    #[test]
    fn linear_lower_better() {
        let r = rule(
            RuleKind::Linear {
                zero_at: 10.0,
                full_at: 0.0,
            },
            Scale::Number,
        );
        assert_eq!(pts(&r, 2.0, "0"), 2.0);
        assert_eq!(pts(&r, 2.0, "5"), 1.0);
        assert_eq!(pts(&r, 2.0, "10"), 0.0);
        assert_eq!(pts(&r, 2.0, "12"), 0.0);
    }

    #[test]
    fn bands_on_and_between_thresholds() {
        let bands = vec![
            Band {
                min: Some(4.0),
                max: None,
                points: 2.0,
            },
            Band {
                min: Some(3.0),
                max: None,
                points: 1.5,
            },
            Band {
                min: Some(2.0),
                max: None,
                points: 1.0,
            },
            Band {
                min: Some(1.0),
                max: None,
                points: 0.5,
            },
        ];
        let r = rule(RuleKind::Bands(bands), Scale::Number);
        assert_eq!(pts(&r, 2.0, "5"), 2.0);
        assert_eq!(pts(&r, 2.0, "4"), 2.0);
        assert_eq!(pts(&r, 2.0, "3"), 1.5);
        assert_eq!(pts(&r, 2.0, "2,5"), 1.0);
        assert_eq!(pts(&r, 2.0, "1"), 0.5);
        let below = points(&r, 2.0, Reading::Num(0.0), None).unwrap();
        assert_eq!(below, (0.0, Note::BelowBands));
    }

    #[test]
    fn yes_no_words() {
        let r = rule(RuleKind::YesNo, Scale::Word);
        for w in ["có", "Có", "x", "1", "Đạt", "true"] {
            assert_eq!(pts(&r, 1.5, w), 1.5, "{w}");
        }
        for w in ["không", "0", "không đạt", "FALSE"] {
            assert_eq!(pts(&r, 1.5, w), 0.0, "{w}");
        }
        assert!(read(&r, 1.5, &t("hmm"), Locale::Vi, Rates::Percent).is_err());
        assert_eq!(
            read(&r, 1.5, &Value::Number(1.0), Locale::Vi, Rates::Percent),
            Ok(Reading::Yes(true))
        );
    }

    #[test]
    fn categories() {
        let cats = vec![
            Category {
                key: "toàn trình".into(),
                written: "toàn trình".into(),
                points: 2.0,
            },
            Category {
                key: "một phần".into(),
                written: "một phần".into(),
                points: 1.0,
            },
        ];
        let r = rule(RuleKind::Category(cats), Scale::Word);
        assert_eq!(pts(&r, 2.0, "Toàn trình"), 2.0);
        assert_eq!(pts(&r, 2.0, "một  phần"), 1.0);
        let e = read(&r, 2.0, &t("mức độ 2"), Locale::Vi, Rates::Percent).unwrap_err();
        assert!(e.contains("toàn trình"), "{e}");
    }

    #[test]
    fn relative_to_best() {
        let r = rule(
            RuleKind::Relative {
                lower_better: false,
            },
            Scale::Number,
        );
        assert_eq!(
            points(&r, 2.0, Reading::Num(50.0), Some(100.0)).unwrap().0,
            1.0
        );
        assert_eq!(
            points(&r, 2.0, Reading::Num(100.0), Some(100.0)).unwrap().0,
            2.0
        );
        assert_eq!(
            points(&r, 2.0, Reading::Num(0.0), Some(0.0)).unwrap().0,
            0.0
        );
        let low = rule(RuleKind::Relative { lower_better: true }, Scale::Number);
        assert_eq!(
            points(&low, 2.0, Reading::Num(4.0), Some(2.0)).unwrap().0,
            1.0
        );
        assert_eq!(
            points(&low, 2.0, Reading::Num(0.0), Some(0.0)).unwrap().0,
            2.0
        );
    }

    #[test]
    fn deduction_with_floor() {
        let r = rule(
            RuleKind::Deduction {
                per: 0.5,
                floor: 0.0,
            },
            Scale::Number,
        );
        assert_eq!(pts(&r, 2.0, "0"), 2.0);
        assert_eq!(pts(&r, 2.0, "3"), 0.5);
        assert_eq!(pts(&r, 2.0, "4"), 0.0);
        assert_eq!(pts(&r, 2.0, "9"), 0.0);
        let f = rule(
            RuleKind::Deduction {
                per: 0.5,
                floor: 0.5,
            },
            Scale::Number,
        );
        assert_eq!(pts(&f, 2.0, "9"), 0.5);
        assert!(read(&r, 2.0, &t("5%"), Locale::Vi, Rates::Percent).is_err());
    }

    #[test]
    fn per_occurrence_caps() {
        let r = rule(RuleKind::PerOccurrence { per: 0.5 }, Scale::Number);
        assert_eq!(
            points(&r, 1.0, Reading::Num(1.0), None).unwrap(),
            (0.5, Note::None)
        );
        assert_eq!(
            points(&r, 1.0, Reading::Num(3.0), None).unwrap(),
            (1.0, Note::Capped)
        );
    }

    #[test]
    fn appraised_never_above_max() {
        let r = rule(RuleKind::Appraised, Scale::Points);
        assert_eq!(pts(&r, 2.0, "1,75"), 1.75);
        assert_eq!(pts(&r, 2.0, "2"), 2.0);
        let e = read(&r, 2.0, &t("2,25"), Locale::Vi, Rates::Percent).unwrap_err();
        assert!(e.contains("2,25") && e.contains(" 2"), "{e}");
    }

    #[test]
    fn not_applicable_and_missing_are_distinct() {
        let r = rule(RuleKind::Proportional, Scale::Percent);
        assert_eq!(
            read(&r, 1.0, &Value::Empty, Locale::Vi, Rates::Percent),
            Ok(Reading::Missing)
        );
        for w in ["N/A", "không áp dụng", "Không áp dụng"] {
            assert_eq!(
                read(&r, 1.0, &t(w), Locale::Vi, Rates::Percent),
                Ok(Reading::NotApplicable)
            );
        }
    }

    #[test]
    fn text_in_numeric_column_is_an_error() {
        let r = rule(RuleKind::Proportional, Scale::Percent);
        let e = read(&r, 1.0, &t("chưa báo cáo"), Locale::Vi, Rates::Percent).unwrap_err();
        assert!(e.contains("chưa báo cáo"), "{e}");
        let e = read(&r, 1.0, &t("90.5"), Locale::Vi, Rates::Percent).unwrap_err();
        assert!(e.contains("86,97"), "{e}");
    }
}
